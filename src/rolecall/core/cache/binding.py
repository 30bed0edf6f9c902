"""Binding: an entry is only used for what it says it is.

A cache file's name is a hash anyone could have computed for another role, so
what it holds is checked against what it was read for: the role of an
AssumeRole answer, the profile and device of an MFA session, the account of
SSO role credentials, the portal of an SSO token.  One that is not is a miss,
with one warning, and the next assume replaces it.
"""

from __future__ import annotations

from rolecall.core.cache.json_files import read_private_json
from rolecall.core.cache.trust import _warn

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Mapping
    from typing import Any

    from rolecall.core.cache.entries import CacheEntry

__all__ = [
    "mfa_session_mismatch",
    "read_bound_json",
    "role_mismatch",
    "sso_role_mismatch",
    "sso_token_mismatch",
]


def _shown(value: object, limit: int = 120) -> str:
    """A value read from a file, cut short for a warning (the CLI escapes it)."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _role_parts(role_arn: str) -> tuple[str, str, str] | None:
    """``(partition, account, name)`` of ``arn:P:iam::ACCOUNT:role/PATH/NAME``.

    >>> _role_parts("arn:aws-cn:iam::123456789012:role/ops/Admin")
    ('aws-cn', '123456789012', 'Admin')
    """
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or parts[3]:
        return None
    if not parts[5].startswith("role/"):
        return None
    return parts[1], parts[4], parts[5].rsplit("/", 1)[1]


def _assumed_parts(arn: str) -> tuple[str, str, str] | None:
    """``(partition, account, role name)`` of ``arn:P:sts::ACCOUNT:assumed-role/NAME/SESSION``.

    >>> _assumed_parts("arn:aws:sts::123456789012:assumed-role/Admin/me@example.com")
    ('aws', '123456789012', 'Admin')
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sts" or parts[3]:
        return None
    resource = parts[5].split("/")
    if len(resource) != 3 or resource[0] != "assumed-role" or not resource[1] or not resource[2]:
        return None
    return parts[1], parts[4], resource[1]


def role_mismatch(data: Mapping[str, Any], role_arn: str) -> str | None:
    """Why a cached AssumeRole answer is not one for ``role_arn``, or None when it is.

    Its ``AssumedRoleUser.Arn`` must name the role's partition, account and
    name: ``arn:P:sts::ACCOUNT:assumed-role/NAME/SESSION`` for
    ``arn:P:iam::ACCOUNT:role/PATH/NAME`` (the path is not in it, and names are
    compared ignoring case, as IAM keeps them unique).  ``Credentials.AccountId``,
    when present, must be that account.  An answer that does not say is no match.

    >>> doc = {"AssumedRoleUser": {"Arn": "arn:aws:sts::111111111111:assumed-role/Admin/me"}}
    >>> role_mismatch(doc, "arn:aws:iam::111111111111:role/ops/Admin") is None
    True
    >>> role_mismatch(doc, "arn:aws:iam::222222222222:role/Admin")
    'holds credentials of arn:aws:sts::111111111111:assumed-role/Admin/me, not of arn:aws:iam::222222222222:role/Admin'
    """  # noqa: E501
    user = data.get("AssumedRoleUser")
    arn = user.get("Arn") if isinstance(user, dict) else None
    if not isinstance(arn, str) or not arn:
        return "does not say which role it holds (no AssumedRoleUser.Arn)"
    want = _role_parts(role_arn)
    got = _assumed_parts(arn)
    if want is None or got is None or got[:2] != want[:2] or got[2].lower() != want[2].lower():
        return f"holds credentials of {_shown(arn)}, not of {role_arn}"
    creds = data.get("Credentials")
    account = creds.get("AccountId") if isinstance(creds, dict) else None
    if account is not None and account != want[1]:
        return f"holds credentials of account {_shown(account)}, not of {want[1]}"
    return None


def mfa_session_mismatch(data: Mapping[str, Any], profile: str, serial: str) -> str | None:
    """Why a cached MFA session is not the one of ``profile``'s keys and device ``serial``.

    >>> mfa_session_mismatch({"Profile": "base", "SerialNumber": "arn:m"}, "base", "arn:m")
    >>> mfa_session_mismatch({"Profile": "prod", "SerialNumber": "arn:m"}, "base", "arn:m")
    "is an MFA session whose Profile is 'prod', not 'base'"
    """
    if data.get("Profile") != profile:
        return (
            f"is an MFA session whose Profile is {_shown(data.get('Profile'))!r}, not {profile!r}"
        )
    if data.get("SerialNumber") != serial:
        return (
            f"is an MFA session whose SerialNumber is {_shown(data.get('SerialNumber'))!r}, "
            f"not {serial!r}"
        )
    return None


def sso_role_mismatch(data: Mapping[str, Any], account_id: str) -> str | None:
    """Why cached SSO role credentials (botocore's ``SSOCredentialFetcher``) are not of
    ``account_id``: their ``Credentials.AccountId`` must say so.

    >>> sso_role_mismatch({"Credentials": {"AccountId": "123456789012"}}, "123456789012")
    """
    creds = data.get("Credentials")
    account = creds.get("AccountId") if isinstance(creds, dict) else None
    if account is None:
        return "does not say which account it is for (no Credentials.AccountId)"
    if account != account_id:
        return f"holds credentials of account {_shown(account)}, not of {account_id}"
    return None


def sso_token_mismatch(data: Mapping[str, Any], start_url: str) -> str | None:
    """Why a cached SSO token is not one of the portal ``start_url``: its ``startUrl``.

    >>> sso_token_mismatch({"startUrl": "https://x.awsapps.com/start"}, "https://y/start")
    "is a token of 'https://x.awsapps.com/start', not of 'https://y/start'"
    """
    url = data.get("startUrl")
    if url is None:
        return "does not say which portal it is for (no startUrl)"
    if url != start_url:
        return f"is a token of {_shown(url)!r}, not of {start_url!r}"
    return None


def read_bound_json(
    path: str, check: Callable[[Mapping[str, Any]], str | None]
) -> dict[str, Any] | None:
    """:func:`read_private_json`, then ``check(data)``: why the entry is not the one
    it was read for (None when it is).  One that is not is a miss, with one warning."""
    data = read_private_json(path)
    if data is None:
        return None
    problem = check(data)
    if problem is not None:
        _warn(f"the cache file {path} {problem}: not using it (a new one replaces it)")
        return None
    return data


def _bound(entry: CacheEntry | None, problem: str | None) -> CacheEntry | None:
    """``entry`` when it is what it was read for; else None, with one warning."""
    if entry is None or problem is None:
        return entry
    _warn(f"the cache file {entry.path} {problem}: not using it (the next assume replaces it)")
    return None
