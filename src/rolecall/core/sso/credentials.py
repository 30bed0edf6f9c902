"""Role credentials of any discovered role, straight from the portal (``GetRoleCredentials``).

A discovered role needs no profile to be used: :func:`role_credentials` asks
the portal for its credentials with the session's token and keeps them where
botocore's ``SSOCredentialFetcher`` keeps them (``~/.aws/cli/cache``, under
:func:`keys.sso_role_cache_key`, with ``"ProviderType": "sso"``).  So a
profile written for the role later (``sso populate``, ``a`` in the TUI) and
``aws --profile`` reuse them, and ``sso logout`` removes them.  Credentials
with 15 minutes left are reused, as botocore does.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rolecall.core.cache import entries, keys, timestamps
from rolecall.core.sso import clients
from rolecall.core.sso.login import valid_token
from rolecall.core.sso.session import SsoSession

TYPE_CHECKING = False
if TYPE_CHECKING:
    from rolecall.core.sts import AssumeResult

__all__ = ["role_credentials"]


def role_credentials(
    session: SsoSession,
    account_id: str,
    role_name: str,
    *,
    label: str | None = None,
    region: str | None = None,
    use_cache: bool = True,
    now: datetime | None = None,
) -> AssumeResult:
    """The credentials of ``role_name`` in ``account_id``, as an assume's result.

    ``label`` names the result (default ``ACCOUNT/ROLE``).  Raises
    :class:`SsoError` (one line and a hint) when the portal refuses.
    """
    from rolecall.core.sts import AssumeResult, Credentials

    key = keys.sso_role_cache_key(account_id, role_name, session.name, session.start_url)
    name = label or f"{account_id}/{role_name}"
    if use_cache:
        entry = entries.read_entry(key)
        if entry is not None and entry.fresh(now):
            creds = Credentials(
                entry.access_key_id,
                entry.secret_access_key,
                entry.session_token,
                entry.expiration,
            )
            return AssumeResult(name, creds, None, account_id, entry.expiration, True, region)
    token = valid_token(session)
    try:
        answer = clients.portal_client(session.region).get_role_credentials(
            accessToken=token.access_token, accountId=account_id, roleName=role_name
        )
    except Exception as exc:
        raise clients.portal_error(
            "GetRoleCredentials", exc, session, (account_id, role_name)
        ) from None
    got = answer["roleCredentials"]
    expiration = datetime.fromtimestamp(int(got["expiration"]) / 1000, UTC).replace(microsecond=0)
    document = {
        "ProviderType": "sso",
        "Credentials": {
            "AccessKeyId": got["accessKeyId"],
            "SecretAccessKey": got["secretAccessKey"],
            "SessionToken": got["sessionToken"],
            "Expiration": timestamps.format_expiration(expiration),
            "AccountId": account_id,
        },
    }
    try:
        entries.write_entry(key, document)
    except OSError:
        pass  # (an untrusted cache was warned about): the credentials still work
    creds = Credentials(got["accessKeyId"], got["secretAccessKey"], got["sessionToken"], expiration)
    return AssumeResult(name, creds, None, account_id, expiration, False, region)
