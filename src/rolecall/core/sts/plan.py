"""A profile's chain as a plan: the hops to assume, the root, and their cache keys.

Everything here reads the parsed profiles and the cache files only: never
boto3, never the network.  That is what lets ``is_cache_hit`` and
``mfa_needed`` run on the UI thread and a cache hit stay cheap.
"""

from __future__ import annotations

from rolecall.core.cache import entries as _entries
from rolecall.core.cache import keys as _keys
from rolecall.core.cache import timestamps as _timestamps
from rolecall.core.profiles import Root
from rolecall.core.sts.errors import CONFIG_PROBLEM, UNKNOWN_PROFILE, AssumeError

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from datetime import datetime

    from rolecall.core.profiles import Profile, ProfileSet

__all__ = [
    "Plan",
    "Root",
    "is_cache_hit",
    "make_plan",
    "mfa_needed",
    "mfa_session_for",
    "scan_cache",
    "unknown_profile",
]


class Plan:
    """The hops of an assume (top first), its root, and the CLI cache key of each hop."""

    __slots__ = ("top", "hops", "root", "keys")

    def __init__(self, top: Profile, hops: list[Profile], root: Root, keys: list[str]) -> None:
        self.top = top
        self.hops = hops
        self.root = root
        self.keys = keys


def make_plan(profiles: ProfileSet, name: str) -> Plan:
    """The plan for ``name``, or an AssumeError when it cannot be assumed as configured."""
    prof = profiles.get(name)
    if prof is None:
        raise unknown_profile(profiles, name)
    if prof.problems:
        where = f" ({prof.file}:{prof.line})" if prof.file else ""
        raise AssumeError(
            f"profile {name!r} cannot be used: {prof.problems[0]}",
            f"fix it in the config{where}; `rolecall list` shows every problem",
            CONFIG_PROBLEM,
        )
    route = profiles.route(name)
    hops, root = route.hops, route.root
    keys = []
    for hop in hops:
        key = _keys.cache_key_for(hop)
        assert key is not None
        keys.append(key)
    return Plan(prof, hops, root, keys)


def unknown_profile(profiles: ProfileSet, name: str) -> AssumeError:
    """The error for a name in neither file, with the closest name as a hint."""
    from rolecall.core.suggest import did_you_mean

    hint = did_you_mean(name, profiles.profiles) or "`rolecall list` shows the profiles"
    cfg = profiles.config
    return AssumeError(
        f"unknown profile {name!r} (not in {cfg.config_file} or {cfg.credentials_file})",
        hint,
        UNKNOWN_PROFILE,
    )


def scan_cache(
    plan: Plan, now: datetime, use_cache: bool, skip_top: bool
) -> tuple[int, _entries.CacheEntry | None]:
    """The index of the top-most hop with a fresh cache entry, and that entry.

    An entry counts only when it is the hop's role's own (see
    :func:`~rolecall.core.cache.read_role_entry`).

    Returns ``(len(hops), None)`` when no hop is cached (start from the root).
    """
    if not use_cache:
        return len(plan.hops), None
    for idx, key in enumerate(plan.keys):
        if idx == 0 and skip_top:
            continue
        arn = plan.hops[idx].role_arn
        assert arn is not None  # (a hop assumes a role)
        entry = _entries.read_role_entry(key, arn)
        if entry is not None and entry.fresh(now):
            return idx, entry
    return len(plan.hops), None


def is_cache_hit(profiles: ProfileSet, name: str, now: datetime | None = None) -> bool:
    """True when an assume of ``name`` would be served by the CLI cache alone."""
    if name not in profiles.profiles:
        return False
    try:
        plan = make_plan(profiles, name)
    except AssumeError:
        return False
    if not plan.hops:
        return False
    idx, _ = scan_cache(plan, now or _timestamps.now_utc(), True, False)
    return idx == 0


def mfa_session_for(profiles: ProfileSet, plan: Plan) -> tuple[str, str, str] | None:
    """``(root, serial, key id)`` when the first hop (or a static profile with
    ``mfa_serial`` itself) can use an MFA session."""
    if plan.root.kind != "static":
        return None
    from rolecall.core.cache.mfa_sessions import mfa_root  # (not on a cache hit's path)

    return mfa_root(profiles, plan.top.name)


def mfa_needed(
    profiles: ProfileSet,
    name: str,
    *,
    use_cache: bool = True,
    now: datetime | None = None,
    mfa_session: bool = True,
) -> str | None:
    """The ``mfa_serial`` whose code an assume of ``name`` would ask for first, else None.

    None when the cache serves the hops that need MFA, or when a live MFA
    session covers the first hop.  No network call, no boto3.
    """
    try:
        plan = make_plan(profiles, name)
    except AssumeError:
        return None
    when = now or _timestamps.now_utc()

    def session_needs_code() -> str | None:
        session = mfa_session_for(profiles, plan) if mfa_session else None
        if session is None:
            return None
        from rolecall.core.cache import mfa_sessions as _mfa_sessions

        entry = _mfa_sessions.read_mfa_session(
            _mfa_sessions.mfa_session_key(*session), *session[:2]
        )
        if entry is not None and entry.fresh(when, _mfa_sessions.MFA_EXPIRY_WINDOW):
            return None
        return session[1]

    if not plan.hops:
        return session_needs_code()
    start, _ = scan_cache(plan, when, use_cache, False)
    if start == 0:
        return None
    to_assume = plan.hops[:start]  # top first
    # the first hop from the root, when we start there
    first = len(to_assume) - 1 if start == len(plan.hops) else None
    for idx in range(len(to_assume) - 1, -1, -1):
        hop = to_assume[idx]
        if idx == first and mfa_session and mfa_session_for(profiles, plan) is not None:
            serial = session_needs_code()
            if serial is None:
                continue
            return serial
        if hop.mfa_serial is not None:
            return hop.mfa_serial
    return None
