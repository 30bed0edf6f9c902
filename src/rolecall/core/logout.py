"""Logging out: the cached credentials of a profile's chain, or all of them, removed.

``rolecall logout PROFILE`` removes, for each profile of the chain (``top ->
... -> root``):

* the role credentials in the shared CLI cache (``~/.aws/cli/cache/<key>.json``,
  the key the AWS CLI and rolecall compute from the role's settings);
* the SSO role credentials botocore caches there for an SSO root;
* the MFA session of the root's long-term keys (rolecall's own cache).

``rolecall logout --all`` removes every cache entry of those two directories.

A cache entry is a regular file named ``<40 hex digits>.json``, owned by the
user, in a directory the user owns.  Nothing else is touched: not a symlink,
not a temporary file, not the SSO token cache (``aws sso logout`` is for that),
not the config.  No network call, no boto3.
"""

from __future__ import annotations

import os
import re
import stat

from rolecall.core.cache import keys as cache_keys
from rolecall.core.cache import mfa_sessions, trust

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from rolecall.core.profiles import Profile, ProfileSet

__all__ = ["LogoutError", "Removed", "logout_all", "logout_profile", "sso_role_cache_key"]

_ENTRY_RE = re.compile(r"[0-9a-f]{40}\.json")


class LogoutError(Exception):
    """Nothing can be removed safely (an unknown profile, a directory not the user's)."""


class Removed:
    """What a logout removed: the paths, and those it could not remove (with why)."""

    __slots__ = ("paths", "failed")

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.failed: list[tuple[str, str]] = []


def sso_role_cache_key(values: dict[str, object]) -> str | None:
    """The key botocore's SSO provider caches a profile's role credentials under.

    >>> sso_role_cache_key({"sso_session": "corp", "sso_account_id": "123456789012",
    ...                     "sso_role_name": "Dev"})
    'ecc1e3c8d4fe9b118d11b9cfe1c4a2a4f4a548ae'
    """
    role, account = values.get("sso_role_name"), values.get("sso_account_id")
    if not isinstance(role, str) or not isinstance(account, str):
        return None
    session, start_url = values.get("sso_session"), values.get("sso_start_url")
    if isinstance(session, str) and session:
        return cache_keys.sso_role_cache_key(account, role, session)
    if isinstance(start_url, str) and start_url:
        return cache_keys.sso_role_cache_key(account, role, None, start_url)
    return None


def _check_dir(directory: str) -> bool:
    """True when the directory exists and may be cleaned; LogoutError when it is not ours."""
    if not os.path.isdir(directory):
        return False
    problem = trust.directory_problem(directory)
    if problem is not None:
        raise LogoutError(f"{directory} {problem}: not removing anything from it")
    return True


def _remove(path: str, removed: Removed) -> None:
    """Remove ``path`` when it is a cache entry (see the module docstring)."""
    if not _ENTRY_RE.fullmatch(os.path.basename(path)):
        return
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        removed.failed.append((path, exc.strerror or str(exc)))
        return
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
        return  # a symlink, a directory, someone else's file: not a cache entry of ours
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        removed.failed.append((path, exc.strerror or str(exc)))
        return
    removed.paths.append(path)


def _chain(profiles: ProfileSet, name: str) -> list[Profile]:
    prof = profiles.get(name)
    if prof is None:
        cfg = profiles.config
        raise LogoutError(
            f"unknown profile {name!r} (not in {cfg.config_file} or {cfg.credentials_file}); "
            "`rolecall list` shows the profiles, `rolecall logout --all` clears every one"
        )
    chain = [profiles[n] for n in prof.chain if n in profiles.profiles]
    return chain or [prof]


def logout_profile(profiles: ProfileSet, name: str) -> Removed:
    """Remove the cached credentials of ``name``'s chain and its root's MFA session."""
    chain = _chain(profiles, name)
    removed = Removed()
    cli_dir = cache_keys.cli_cache_dir()
    if _check_dir(cli_dir):
        keys = {cache_keys.cache_key_for(p) for p in chain}
        keys |= {sso_role_cache_key(dict(p.values)) for p in chain}
        for key in sorted(k for k in keys if k):
            _remove(os.path.join(cli_dir, key + ".json"), removed)
    mfa_dir = cache_keys.mfa_cache_dir()
    root = mfa_sessions.mfa_root(profiles, name)
    if root is not None and _check_dir(cache_keys.rolecall_cache_dir()) and _check_dir(mfa_dir):
        _remove(os.path.join(mfa_dir, mfa_sessions.mfa_session_key(*root) + ".json"), removed)
    return removed


def logout_all() -> Removed:
    """Remove every cache entry of the CLI cache and every MFA session."""
    removed = Removed()
    for directory in (cache_keys.cli_cache_dir(), cache_keys.mfa_cache_dir()):
        if directory == cache_keys.mfa_cache_dir() and not _check_dir(
            cache_keys.rolecall_cache_dir()
        ):
            continue
        if not _check_dir(directory):
            continue
        for entry in sorted(os.listdir(directory)):
            _remove(os.path.join(directory, entry), removed)
    return removed
