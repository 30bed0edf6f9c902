"""Logging out of IAM Identity Center: the portal first, then every local trace.

:func:`logout` calls the portal's ``Logout`` with the cached token (so the
token and its refresh token stop working everywhere), then deletes, whatever
the portal said:

* the token file (``~/.aws/sso/cache/<sha1>.json``, shared with the AWS CLI);
* the SSO role credentials cached in ``~/.aws/cli/cache`` for this session's
  roles (botocore's key: :func:`cache_keys.sso_role_cache_key`), the roles of its
  profiles and the discovered ones;
* rolecall's discovery cache of the session.

:func:`logout_all` does it for every session in the config, and also deletes
every SSO role credential file in the CLI cache (``"ProviderType": "sso"``), as
``aws sso logout`` does.  The client registration is kept: it holds no
identity, and the next login reuses it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from rolecall.core.cache import json_files
from rolecall.core.cache import keys as cache_keys
from rolecall.core.config import AwsConfig
from rolecall.core.sso import discovery
from rolecall.core.sso.errors import SsoError
from rolecall.core.sso.session import SsoSession, role_profiles, sessions
from rolecall.core.sso.token import delete_token, read_token

__all__ = ["LogoutResult", "logout", "logout_all", "session_roles"]


@dataclass(frozen=True)
class LogoutResult:
    """What a logout did, for one line of output."""

    session: SsoSession
    #: "signed out", "not logged in", "token already expired" or why the call failed
    portal: str
    token_removed: bool
    credentials_removed: int


def session_roles(config: AwsConfig, session: SsoSession) -> set[tuple[str, str]]:
    """``(account ID, role name)`` of every profile of ``session`` and every discovered role."""
    found = set(role_profiles(config, session))
    cached = discovery.read_cached(session, any_age=True)
    if cached is not None:
        found |= {(r.account_id, r.role_name) for r in cached.roles}
    return found


def _call_portal(session: SsoSession) -> str:
    token = read_token(session)
    if token is None:
        return "not logged in"
    if token.expired():
        return "token already expired"
    from rolecall.core.sso import clients

    try:
        clients.portal_client(session.region).logout(accessToken=token.access_token)
    except Exception as exc:
        code = clients.error_code(exc)
        if code == "UnauthorizedException":
            return "token already invalid"
        if clients.is_network_error(exc):
            return "portal not reached (local files removed anyway)"
        return f"portal answered {code or type(exc).__name__} (local files removed anyway)"
    return "signed out"


def _remove(paths: Iterable[str]) -> int:
    removed = 0
    for path in paths:
        try:
            if json_files.remove_private_json(path):
                removed += 1
        except OSError:
            continue
    return removed


def logout(config: AwsConfig, session: SsoSession) -> LogoutResult:
    """Sign ``session`` out at the portal, then delete its token and cached credentials."""
    portal = _call_portal(session)
    roles = session_roles(config, session)
    cli_dir = cache_keys.cli_cache_dir()
    keys = {
        cache_keys.sso_role_cache_key(account, role, session.name, session.start_url)
        for account, role in roles
    }
    credentials = _remove(os.path.join(cli_dir, k + ".json") for k in sorted(keys))
    try:
        token_removed = delete_token(session)
    except OSError as exc:
        raise SsoError(f"cannot remove {session.token_path}: {exc.strerror or exc}") from None
    discovery.forget(session)
    return LogoutResult(session, portal, token_removed, credentials)


def sso_credential_files(directory: str | None = None) -> list[str]:
    """Every file of the CLI cache that holds SSO role credentials (``ProviderType: sso``)."""
    directory = directory or cache_keys.cli_cache_dir()
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".json"))
    except OSError:
        return []
    found = []
    for name in names:
        path = os.path.join(directory, name)
        data = json_files.read_private_json(path)
        if data is not None and data.get("ProviderType") == "sso":
            found.append(path)
    return found


def logout_all(config: AwsConfig) -> tuple[list[LogoutResult], int]:
    """Log every session of the config out; also remove every cached SSO role credential.

    Returns the results and how many more credential files were removed.
    """
    results = [logout(config, s) for s in sessions(config)]
    extra = _remove(sso_credential_files())
    return results, extra
