"""The credentials endpoint for a discovered SSO role, which has no profile to assume again.

:mod:`rolecall.core.serve` keeps a profile's credentials fresh for a shell by
assuming its chain again.  A role the portal grants but the config does not
name (the UI's ``sso·new`` rows) is refreshed another way: :class:`RoleRefresher`
asks the portal again (``GetRoleCredentials``, :func:`.credentials.role_credentials`),
with the session's token (refreshed silently while it can be).

* ``cached()`` reads, with no network call, the CLI-cache entry that every
  ``GetRoleCredentials`` of this role writes (rolecall's, botocore's, the AWS
  CLI's), so a login and a fetch made elsewhere reach the endpoint;
* ``assume()`` fetches new ones; when the session needs a browser login, the
  :class:`~rolecall.core.serve.keeper.Refusal` says which command to run in
  the shell.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime, timedelta

from rolecall.core.cache import entries, keys
from rolecall.core.serve import DEFAULT_MARGIN, Endpoint, Held, Refusal
from rolecall.core.sso.errors import NETWORK, THROTTLED, SsoError
from rolecall.core.sso.session import SsoSession

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Mapping

    from rolecall.core.sts import AssumeResult

__all__ = ["RoleRefresher", "role_endpoint"]

#: SsoError codes that may pass by themselves: the endpoint answers 503 (the SDK retries).
_TRANSIENT = frozenset({NETWORK, THROTTLED})


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RoleRefresher:
    """Fresh credentials for ``role_name`` in ``account_id``, through ``session``."""

    def __init__(
        self,
        session: SsoSession,
        account_id: str,
        role_name: str,
        *,
        label: str | None = None,
        where: str = "in a terminal",
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.session = session
        self.account_id = account_id
        self.role_name = role_name
        self.label = label or f"{account_id}/{role_name}"
        self._where = where
        self._clock = clock

    def cached(self) -> Held | None:

        key = keys.sso_role_cache_key(
            self.account_id, self.role_name, self.session.name, self.session.start_url
        )
        entry = entries.read_entry(key)
        return None if entry is None else Held.from_entry(entry, self.account_id)

    def assume(self) -> Held:
        from rolecall.core.sso.credentials import role_credentials

        try:
            result = role_credentials(
                self.session, self.account_id, self.role_name, label=self.label, use_cache=False
            )
        except SsoError as exc:
            raise self.refusal(exc) from None
        return Held(result.credentials, self.account_id, self._clock())

    def refusal(self, exc: SsoError) -> Refusal:
        """The endpoint's answer when the portal could not give new credentials.

        >>> corp = SsoSession("corp", "https://x/start", "eu-west-1")
        >>> r = RoleRefresher(corp, "123456789012", "Admin", label="dev-admin", where="here")
        >>> refused = r.refusal(SsoError("no token", "log in", "SsoLoginRequired"))
        >>> refused.status, refused.code
        (403, 'SsoLoginRequired')
        >>> print(refused.message.replace("; ", ";\\n"))
        rolecall cannot refresh role dev-admin: no token;
        run `rolecall sso login --sso-session corp` here
        """
        status = 503 if exc.code in _TRANSIENT else 403
        if exc.code in _TRANSIENT:
            text = str(exc)
        elif self.session.name is not None:
            login = f"rolecall sso login --sso-session {shlex.quote(self.session.name)}"
            text = f"{exc.message}; run `{login}` {self._where}"
        else:
            text = f"{exc.message}; run `rolecall sso login {self.session.profile}` {self._where}"
        return Refusal(status, exc.code, f"rolecall cannot refresh role {self.label}: {text}")

    def initial(self, result: AssumeResult) -> Held:
        """The keeper's first credentials: what the UI fetched before serving."""
        cached = self.cached()
        if cached is not None and cached.credentials.access_key_id == (
            result.credentials.access_key_id
        ):
            return cached
        return Held(result.credentials, self.account_id, self._clock())


def role_endpoint(
    result: AssumeResult,
    session: SsoSession,
    account_id: str,
    role_name: str,
    *,
    where: str,
    margin_seconds: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> Endpoint:
    """The endpoint that keeps a discovered role's credentials (``result``) fresh for one
    child, as :func:`rolecall.core.serve.endpoint_for` does for a profile."""
    refresher = RoleRefresher(session, account_id, role_name, label=result.profile, where=where)
    margin = DEFAULT_MARGIN if margin_seconds is None else timedelta(seconds=margin_seconds)
    return Endpoint(
        refresher,
        initial=refresher.initial(result),
        margin=margin,
        region=result.region,
        environ=environ,
    )
