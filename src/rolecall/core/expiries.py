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
from rolecall.core.cache.binding import read_bound_json, sso_token_mismatch
from rolecall.core.cache.entries import EXPIRY_WINDOW, CacheEntry, read_role_entry
from rolecall.core.cache.keys import (
    cache_key_for,
    cli_cache_dir,
    mfa_cache_dir,
    sso_cache_dir,
    sso_start_url,
    sso_token_path,
)
from rolecall.core.cache.mfa_sessions import (
    MFA_EXPIRY_WINDOW,
    mfa_root,
    mfa_session_key,
    read_mfa_session,
)
from rolecall.core.cache.timestamps import parse_expiration

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping
    from typing import Any

    from rolecall.core.profiles import Profile, ProfileSet

__all__ = [
    "Expiry",
    "cache_fingerprint",
    "expiries",
    "expiries_and_sessions",
    "mfa_sessions",
    "sso_token_expiry",
    "sso_token_file_expiry",
]


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

    * role profiles: the CLI cache entry under the profile's key; without one,
      the MFA session an assume would start from (see :func:`mfa_sessions`);
    * SSO profiles: the SSO token's ``expiresAt``;
    * a static profile: the MFA session its own use starts (it names an
      ``mfa_serial``), never one that only the roles above it use.

    Expired entries are included (the UI shows them as expired).
    """
    return expiries_and_sessions(profiles, now)[0]


def mfa_sessions(profiles: ProfileSet, now: datetime | None = None) -> dict[str, Expiry]:
    """For every profile whose chain uses an MFA session now, that session.

    The session of a root's keys is used when the chain's first hop (or the
    root itself) names an ``mfa_serial`` (:func:`~rolecall.core.cache.mfa_root`,
    the engine's own rule), and an assume that the profile's own cached
    credentials do not serve starts at the root: a hop in between with fresh
    cached credentials (at ``now``) is where it starts instead, with no session.
    """
    return expiries_and_sessions(profiles, now)[1]


def expiries_and_sessions(
    profiles: ProfileSet, now: datetime | None = None
) -> tuple[dict[str, Expiry], dict[str, Expiry]]:
    """:func:`expiries` and :func:`mfa_sessions` in one pass over the cache."""
    when = datetime.now(UTC) if now is None else now.astimezone(UTC)
    result: dict[str, Expiry] = {}
    cli_dir = cli_cache_dir()
    cli_names = _listing(cli_dir)
    sso_names: set[str] | None = None
    sso_seen: dict[str, tuple[datetime, str] | None] = {}
    maybe_mfa: list[Profile] = []
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
                sso_seen[path] = sso_token_file_expiry(path, start)
            got = sso_seen[path]
            if got is not None:
                result[name] = Expiry(name, "sso", got[0], got[1])
            continue
        if prof.mfa_serial or len(prof.chain) > 1:
            maybe_mfa.append(prof)
    sessions = _sessions(profiles, maybe_mfa, result, when)
    for name, session in sessions.items():
        # a role shows its own credentials first; a static profile shows the
        # session only when its own use starts one (it is in ``sessions`` then)
        result.setdefault(name, session)
    return result, sessions


def _sessions(
    profiles: ProfileSet, candidates: list[Profile], own: Mapping[str, Expiry], now: datetime
) -> dict[str, Expiry]:
    """The MFA session each of ``candidates`` would start from (see :func:`mfa_sessions`)."""
    out: dict[str, Expiry] = {}
    mfa_dir = mfa_cache_dir()
    mfa_names: set[str] | None = None
    seen: dict[str, CacheEntry | None] = {}
    for prof in candidates:
        mfa = mfa_root(profiles, prof.name)
        if mfa is None or _starts_above_root(prof, own, now):
            continue
        if mfa_names is None:
            mfa_names = _listing(mfa_dir)
        key = mfa_session_key(*mfa)
        if key + ".json" not in mfa_names:
            continue
        if key not in seen:
            seen[key] = read_mfa_session(key, mfa[0], mfa[1])
        entry = seen[key]
        if entry is not None:
            out[prof.name] = Expiry(prof.name, "mfa", entry.expiration, entry.path)
    return out


def _starts_above_root(prof: Profile, own: Mapping[str, Expiry], now: datetime) -> bool:
    """Whether an assume of ``prof`` would start from a hop's fresh cached credentials
    (the engine's ``scan_cache``: the same keys, the CLI's 15-minute rule)."""
    for hop in prof.chain[1:-1]:
        got = own.get(hop)
        if got is not None and got.kind == "role" and got.expires_at - now >= EXPIRY_WINDOW:
            return True
    return False


def _sso_path(prof: Profile) -> str | None:
    return sso_token_path(prof.values)


def sso_token_file_expiry(path: str, start_url: str) -> tuple[datetime, str] | None:
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
    return None if path is None else sso_token_file_expiry(path, start)


# ---------------------------------------------------------------------------
# change detection
# ---------------------------------------------------------------------------
def _dir_fingerprint(directory: str) -> tuple[Any, ...]:
    """(directory, its mtime, how many entries, two order-free sums of their hashes).

    Each entry's (name, mtime, size) is hashed and summed, so no list is sorted
    and no 100,000-item tuple is built or compared: those are single C calls that
    hold the GIL for tens of milliseconds, and the TUI takes this in a worker
    while its event loop must keep running (issue 14; ``bench/bench_tui.py poll``).
    """
    try:
        st = os.stat(directory)
    except OSError:
        return (directory, None)
    count = total = mixed = 0
    try:
        with os.scandir(directory) as it:
            for item in it:
                if not item.name.endswith(".json"):
                    continue
                try:
                    ist = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                h = hash((item.name, ist.st_mtime_ns, ist.st_size))
                count += 1
                total = (total + h) & MASK
                mixed ^= (h * 0x9E3779B97F4A7C15) & MASK
    except OSError:
        pass
    return (directory, st.st_mtime_ns, count, total, mixed)


#: the fingerprint's sums stay in 64 bits
MASK = (1 << 64) - 1


def cache_fingerprint() -> tuple[Any, ...]:
    """A cheap stat-based fingerprint (names, mtimes, sizes) of the cache directories.

    The TUI polls it and re-reads :func:`expiries` only when it changes.
    """
    return tuple(_dir_fingerprint(d) for d in (cli_cache_dir(), sso_cache_dir(), mfa_cache_dir()))
