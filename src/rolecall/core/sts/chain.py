"""The hops of a chain, assumed one by one from where the chain starts.

The start is a cached hop, or the root (with its MFA session when it has
one); each hop is then one AssumeRole signed with the credentials of the one
before it, root-most first.  Once every hop has succeeded, each answer is
written to the CLI cache under the CLI's key: a failed assume caches nothing.
"""

from __future__ import annotations

import contextlib
import functools

from rolecall.core.cache import entries as _entries
from rolecall.core.cache import timestamps as _timestamps
from rolecall.core.limits import CHAINED_MAX_DURATION
from rolecall.core.sts.calls import call, checked_credentials
from rolecall.core.sts.classify import CallInfo
from rolecall.core.sts.errors import CHAINED_DURATION_TOO_LONG, AssumeError
from rolecall.core.sts.mfa import mfa_session
from rolecall.core.sts.plan import mfa_session_for
from rolecall.core.sts.records import AssumeResult, Credentials
from rolecall.core.sts.root import resolve_root
from rolecall.core.sts.session_names import default_session_name, sanitize_session_name

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from datetime import datetime
    from typing import Any

    from rolecall.core.profiles import Profile
    from rolecall.core.sts.context import Context

__all__ = ["assume_hops"]


class _Signer:
    """The credentials that sign the next AssumeRole, and what messages call them."""

    __slots__ = ("creds", "is_role", "desc", "cache_file", "mfa_file", "mfa_session_used")

    def __init__(
        self,
        creds: Credentials,
        is_role: bool,
        desc: str,
        cache_file: str | None = None,
        mfa_file: str | None = None,
        mfa_session_used: bool = False,
    ) -> None:
        self.creds = creds
        #: role credentials: the next hop is chaining (at most 1 hour)
        self.is_role = is_role
        self.desc = desc
        #: the CLI cache file they came from (forgotten when STS refuses them)
        self.cache_file = cache_file
        #: the MFA session file they came from (forgotten when STS refuses them)
        self.mfa_file = mfa_file
        #: they are an MFA session: the first hop needs no code of its own
        self.mfa_session_used = mfa_session_used


class _Hop:
    """What one AssumeRole gave: the answer as the CLI caches it, and its credentials."""

    __slots__ = ("response", "expiration", "arn", "account", "creds")

    def __init__(self, response: dict[str, Any], expiration: datetime) -> None:
        self.response = response
        self.expiration = expiration
        raw = response["Credentials"]
        user = response.get("AssumedRoleUser")
        self.arn = user.get("Arn") if isinstance(user, dict) else None
        self.account = account_of(self.arn)
        self.creds = Credentials(
            raw["AccessKeyId"], raw["SecretAccessKey"], raw["SessionToken"], expiration
        )

    @classmethod
    def checked(cls, response: Any, info: CallInfo, now: datetime) -> _Hop:
        """The answer of STS, refused when unusable, with ``AccountId`` added as the CLI does."""
        creds_raw, expiration = checked_credentials(response, info, now)
        response = dict(response)
        user = response.get("AssumedRoleUser")
        account = account_of(user.get("Arn") if isinstance(user, dict) else None)
        if account is not None:
            creds_raw["AccountId"] = account
        creds_raw["Expiration"] = expiration
        response["Credentials"] = creds_raw
        return cls(response, expiration)


def assume_hops(
    ctx: Context,
    start: int,
    entry: _entries.CacheEntry | None,
    durations: list[int],
    session_name: str | None,
    mfa_session: bool,
) -> AssumeResult:
    """Assume the hops below ``start`` (top first is index 0), starting from the cached
    ``entry`` of hop ``start``, or from the root when ``entry`` is None."""
    plan = ctx.plan
    total = len(plan.hops)
    signer = _start(ctx, start, entry, mfa_session)
    to_store: list[tuple[str, str, dict[str, Any], datetime]] = []
    done: _Hop | None = None
    for idx in range(start - 1, -1, -1):
        hop = plan.hops[idx]
        done = _assume_hop(ctx, hop, total - idx, durations[idx], signer, session_name)
        # written only once every hop has succeeded: a failed assume caches nothing
        assert hop.role_arn is not None  # (every hop assumes a role)
        to_store.append((plan.keys[idx], hop.role_arn, done.response, done.expiration))
        signer = _Signer(done.creds, True, f"the role credentials of profile {hop.name!r}")
    assert done is not None  # (a miss has at least one hop to assume)
    now = ctx.now()
    for key, role_arn, response, expiration in to_store:
        store(key, role_arn, response, expiration, now)
    name = plan.top.name
    result = AssumeResult(
        name, done.creds, done.arn, done.account, done.expiration, False, ctx.region
    )
    ctx.emit(
        "done",
        f"{name}: {done.arn}",
        step=total,
        total=total,
        arn=done.arn,
        expiration=done.expiration,
    )
    return result


def _start(
    ctx: Context, start: int, entry: _entries.CacheEntry | None, use_mfa_session: bool
) -> _Signer:
    """Where the chain starts: the cached hop ``start``, else the root (with its MFA session)."""
    plan = ctx.plan
    total = len(plan.hops)
    if entry is not None:
        ctx.emit(
            "cache-hit",
            f"{plan.hops[start].name}: cached credentials, expire "
            f"{_timestamps.format_expiration(entry.expiration)}",
            step=total - start,
            total=total,
            arn=entry.arn,
            expiration=entry.expiration,
        )
        desc = f"the cached role credentials of profile {plan.hops[start].name!r}"
        return _Signer(Credentials.from_entry(entry), True, desc, cache_file=entry.path)
    creds, is_role = resolve_root(ctx)
    session = mfa_session_for(ctx.profiles, plan) if use_mfa_session else None
    if session is None:
        return _Signer(creds, is_role, plan.root.describe())
    creds, path = mfa_session(ctx, creds, session)
    # (its file may be "" when it could not be cached: it was still used)
    desc = f"the MFA session of profile {session[0]!r}"
    return _Signer(creds, is_role, desc, mfa_file=path or None, mfa_session_used=True)


def _assume_hop(
    ctx: Context, hop: Profile, step: int, wanted: int, signer: _Signer, session_name: str | None
) -> _Hop:
    """One AssumeRole of ``hop`` (step ``step`` of the chain), signed by ``signer``."""
    total = len(ctx.plan.hops)
    arn = hop.role_arn
    assert arn is not None
    duration = _capped(ctx, hop, step, wanted, signer)
    # an MFA session already proved the code for the first hop from the root
    direct_mfa = hop.mfa_serial is not None and not signer.mfa_session_used
    params = _params(ctx, hop, arn, duration, session_name, direct_mfa)
    ctx.emit("assume", f"assuming {step}/{total} {arn}", step=step, total=total, arn=arn)
    info = CallInfo(
        "AssumeRole",
        hop.name,
        signer.desc,
        signer.creds,
        role_arn=arn,
        mfa_serial=hop.mfa_serial if direct_mfa else None,
        external_id=hop.external_id,
        duration=duration,
        endpoint=ctx.display_url,
        via_mfa_session=signer.mfa_file,
        source_cache=signer.cache_file,
        region=ctx.call_region,
    )
    response = _assume_role(ctx, ctx.client("sts", signer.creds), params, info, step)
    return _Hop.checked(response, info, ctx.now())


def _capped(ctx: Context, hop: Profile, step: int, wanted: int, signer: _Signer) -> int:
    """``wanted``, or the chaining limit (with a warning) when role credentials sign the hop."""
    if not signer.is_role or wanted <= CHAINED_MAX_DURATION:
        return wanted
    ctx.emit(
        "warning",
        f"{hop.name}: role chaining allows at most {CHAINED_MAX_DURATION} s; "
        f"asking for {CHAINED_MAX_DURATION} s instead of {wanted} s",
        step=step,
        total=len(ctx.plan.hops),
        arn=hop.role_arn,
    )
    return CHAINED_MAX_DURATION


def _params(
    ctx: Context,
    hop: Profile,
    arn: str,
    duration: int,
    session_name: str | None,
    direct_mfa: bool,
) -> dict[str, Any]:
    """The AssumeRole parameters of ``hop`` (asking for the MFA code when it needs one)."""
    params: dict[str, Any] = {
        "RoleArn": arn,
        "RoleSessionName": hop.role_session_name
        or (sanitize_session_name(session_name) if session_name else default_session_name()),
        "DurationSeconds": duration,
    }
    if hop.external_id is not None:
        params["ExternalId"] = hop.external_id
    if direct_mfa:
        assert hop.mfa_serial is not None
        params["SerialNumber"] = hop.mfa_serial
        params["TokenCode"] = ctx.mfa_code(hop.mfa_serial)
    return params


def _assume_role(
    ctx: Context, client: Any, params: dict[str, Any], info: CallInfo, step: int
) -> Any:
    """The AssumeRole call; once more at 3600 s when STS says the source was a role."""
    try:
        return call(functools.partial(client.assume_role, **params), info, ctx)
    except AssumeError as err:
        if (
            err.code != CHAINED_DURATION_TOO_LONG
            or params["DurationSeconds"] <= CHAINED_MAX_DURATION
        ):
            raise
    # an ambiguous source (environment, process, session token): it was a role
    ctx.emit(
        "warning",
        f"{info.profile}: the source credentials are role credentials; "
        f"retrying with {CHAINED_MAX_DURATION} s",
        step=step,
        total=len(ctx.plan.hops),
        arn=info.role_arn,
    )
    params["DurationSeconds"] = info.duration = CHAINED_MAX_DURATION
    return call(functools.partial(client.assume_role, **params), info, ctx)


def store(
    key: str, role_arn: str, response: dict[str, Any], expiration: datetime | None, now: datetime
) -> None:
    """Write a response to the CLI cache, unless a fresh entry of the same role there
    outlives it (``--duration 900`` must not replace a good hour-long entry).  An
    entry of another role, or one that cannot be read, is replaced."""
    existing = _entries.read_role_entry(key, role_arn)
    if (
        existing is not None
        and expiration is not None
        and existing.fresh(now)
        and existing.expiration > expiration
    ):
        return
    with contextlib.suppress(OSError, ValueError, TypeError):
        _entries.write_entry(key, response)


def account_of(arn: object) -> str | None:
    """The account id in an ARN, else None.

    >>> account_of("arn:aws:sts::123456789012:assumed-role/A/me"), account_of("x")
    ('123456789012', None)
    """
    if not isinstance(arn, str):
        return None
    parts = arn.split(":")
    if len(parts) > 4 and parts[4].isdigit() and len(parts[4]) == 12:
        return parts[4]
    return None
