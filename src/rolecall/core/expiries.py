"""When each profile's credentials expire, for the UI's countdowns; and a cheap
fingerprint of the cache directories, so the UI re-reads them only on a change.

Reads the CLI cache, the SSO token cache and rolecall's MFA sessions through
:mod:`rolecall.core.cache` (the same trust rules), with no network and no boto3.
A directory is listed once and a file read once, whatever the number of
profiles that share it (10,000 profiles can share one SSO token).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from rolecall.core._record import FrozenRecord
from rolecall.core.cache import (
    EXPIRY_WINDOW,
    MFA_EXPIRY_WINDOW,
    CacheEntry,
    cache_key_for,
    cli_cache_dir,
    mfa_cache_dir,
    mfa_root,
    mfa_session_key,
    parse_expiration,
    read_bound_json,
    read_mfa_session,
    read_role_entry,
    sso_cache_dir,
    sso_start_url,
    sso_token_mismatch,
    sso_token_path,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping
    from typing import Any

    from rolecall.core.profiles import Profile, ProfileSet

__all__ = ["Expiry", "cache_fingerprint", "expiries", "sso_token_expiry"]


class Expiry(FrozenRecord):
    """One live (or past) credential the UI can count down."""

    __slots__ = ("profile", "kind", "expires_at", "source")
    _fields = __slots__

    profile: str
    kind: str  # "role" | "sso" | "mfa"
    expires_at: datetime  # tz-aware UTC
    source: str  # the cache file it came from

    def __init__(self, profile: str, kind: str, expires_at: datetime, source: str) -> None:
        self._set("profile", profile)
        self._set("kind", kind)
        self._set("expires_at", expires_at)
        self._set("source", source)

    def remaining(self, now: datetime | None = None) -> timedelta:
        return self.expires_at - (datetime.now(UTC) if now is None else now.astimezone(UTC))

    def expired(self, now: datetime | None = None) -> bool:
        return self.remaining(now) <= timedelta(0)

    def reusable(self, now: datetime | None = None) -> bool:
        """Whether an assume would reuse it (the CLI's 15-minute rule for roles)."""
        window = MFA_EXPIRY_WINDOW if self.kind == "mfa" else EXPIRY_WINDOW
        if self.kind == "sso":
            window = timedelta(0)
        return self.remaining(now) >= window


def _listing(directory: str) -> set[str]:
    try:
        return set(os.listdir(directory))
    except OSError:
        return set()


def expiries(profiles: ProfileSet, now: datetime | None = None) -> dict[str, Expiry]:
    """For every profile, when its cached credentials expire; no network, no boto3.

    * role profiles: the CLI cache entry under the profile's key;
    * SSO profiles: the SSO token's ``expiresAt``;
    * otherwise, profiles whose assume would use an MFA session (see :func:`mfa_root`):
      that session's expiry.

    Expired entries are included (the UI shows them as expired).  ``now`` is
    accepted for symmetry with the other functions; nothing is filtered by it.
    """
    del now
    result: dict[str, Expiry] = {}
    cli_dir = cli_cache_dir()
    cli_names = _listing(cli_dir)
    mfa_dir = mfa_cache_dir()
    mfa_names: set[str] | None = None
    sso_names: set[str] | None = None
    sso_seen: dict[str, tuple[datetime, str] | None] = {}
    mfa_seen: dict[str, CacheEntry | None] = {}
    for prof in profiles:
        name = prof.name
        if prof.role_arn is not None and prof.kind == "assume-role":
            key = cache_key_for(prof)
            if key is not None and key + ".json" in cli_names:
                entry = read_role_entry(key, prof.role_arn, cli_dir)
                if entry is not None:
                    result[name] = Expiry(name, "role", entry.expiration, entry.path)
        elif prof.kind == "sso":
            path = _sso_path(prof)
            if path is None:
                continue
            if sso_names is None:
                sso_names = _listing(sso_cache_dir())
            if os.path.basename(path) not in sso_names:
                continue
            if path not in sso_seen:
                start = sso_start_url(prof.values, profiles.config.sso_sessions)
                sso_seen[path] = _read_sso_expiry(path, start)
            got = sso_seen[path]
            if got is not None:
                result[name] = Expiry(name, "sso", got[0], got[1])
            continue
        mfa = mfa_root(profiles, name) if prof.mfa_serial or len(prof.chain) > 1 else None
        if mfa is not None:
            if mfa_names is None:
                mfa_names = _listing(mfa_dir)
            key = mfa_session_key(*mfa)
            if key + ".json" in mfa_names:
                if key not in mfa_seen:
                    mfa_seen[key] = read_mfa_session(key, mfa[0], mfa[1])
                entry = mfa_seen[key]
                if entry is not None:
                    # the profile shows its own role credentials first; the root
                    # profile (whose keys the MFA session belongs to) shows the session
                    result.setdefault(name, Expiry(name, "mfa", entry.expiration, entry.path))
                    root = mfa[0]
                    if root not in result or result[root].kind == "mfa":
                        result[root] = Expiry(root, "mfa", entry.expiration, entry.path)
    return result


def _sso_path(prof: Profile) -> str | None:
    return sso_token_path(prof.values)


def _read_sso_expiry(path: str, start_url: str) -> tuple[datetime, str] | None:
    """The expiry of the token at ``path``, when it is one of the portal ``start_url``
    (another portal's token is not used by an assume, so it is not shown either)."""
    data = read_bound_json(path, lambda doc: sso_token_mismatch(doc, start_url))
    if data is None:
        return None
    when = parse_expiration(data.get("expiresAt"))
    return None if when is None else (when, path)


def sso_token_expiry(
    values: Mapping[str, Any], sso_sessions: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[datetime, str] | None:
    """The SSO token expiry of an SSO profile's values, if a token file is readable and
    is of the profile's portal (``sso_sessions``: the config's sso-session sections)."""
    path = sso_token_path(values)
    start = sso_start_url(values, sso_sessions or {})
    return None if path is None else _read_sso_expiry(path, start)


# ---------------------------------------------------------------------------
# change detection
# ---------------------------------------------------------------------------
def _dir_fingerprint(directory: str) -> tuple[Any, ...]:
    try:
        st = os.stat(directory)
    except OSError:
        return (directory, None)
    entries: list[tuple[str, int, int]] = []
    try:
        with os.scandir(directory) as it:
            for item in it:
                if not item.name.endswith(".json"):
                    continue
                try:
                    ist = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                entries.append((item.name, ist.st_mtime_ns, ist.st_size))
    except OSError:
        pass
    entries.sort()
    return (directory, st.st_mtime_ns, tuple(entries))


def cache_fingerprint() -> tuple[Any, ...]:
    """A cheap stat-based fingerprint (names, mtimes, sizes) of the cache directories.

    The TUI polls it and re-reads :func:`expiries` only when it changes.
    """
    return tuple(_dir_fingerprint(d) for d in (cli_cache_dir(), sso_cache_dir(), mfa_cache_dir()))
