"""``assume()`` and ``whoami()``: the two entry points of the STS engine.

The flow of :func:`assume` for profile ``top`` whose chain is
``top -> mid -> base`` (``base`` holds static keys)::

    1. read the CLI cache top-down: a fresh entry for ``top`` is a cache hit
       (no boto3 import, no network); a fresh entry for ``mid`` starts there
    2. resolve the root credentials (static keys, credential_source, SSO,
       credential_process, web identity) with botocore's own providers, fed
       from the already-parsed profile map (never re-reading the config file)
    3. when the first hop (or the root) has ``mfa_serial`` and the root holds
       long-term keys, start or reuse an MFA session (GetSessionToken, cached
       0600 in rolecall's cache dir): one MFA code serves every role of that root
    4. AssumeRole for each hop, root-most first; once every hop has succeeded,
       each result is written to the CLI cache under the CLI's key (a failed
       assume writes nothing, and credentials already expired are refused)

A cache hit (step 1) imports only ``plan.py``, ``context.py`` and the records:
the hop machinery (``chain.py``, ``root.py``, ``mfa.py``, ``calls.py``,
``classify.py``) is imported on a miss, inside the functions that need it,
because a cache hit is the path ``credential-process`` runs before every SDK
process.  Every step is reported through one progress callback, and every
failure is an :class:`AssumeError` whose ``str()`` is one line with a hint.
"""

from __future__ import annotations

from rolecall.core.cache import entries as _entries
from rolecall.core.cache import keys as _keys
from rolecall.core.cache import timestamps as _timestamps
from rolecall.core.limits import DEFAULT_DURATION, MAX_DURATION, MIN_DURATION, duration_in_range
from rolecall.core.sts.context import Context
from rolecall.core.sts.errors import INVALID_DURATION, UNEXPECTED, AssumeError
from rolecall.core.sts.plan import make_plan, mfa_session_for, scan_cache
from rolecall.core.sts.records import AssumeResult, Credentials, ProgressEvent

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from datetime import datetime

    from rolecall.core.profiles import Profile, ProfileSet
    from rolecall.core.sts.records import ClientFactory, ProgressCallback

__all__ = ["assume", "whoami"]


def assume(
    profiles: ProfileSet,
    name: str,
    *,
    progress: ProgressCallback | None = None,
    mfa: str | Callable[[str], str | None] | None = None,
    use_cache: bool = True,
    duration: int | None = None,
    default_duration: int | None = None,
    session_name: str | None = None,
    client_factory: ClientFactory | None = None,
    now: Callable[[], datetime] | None = None,
    mfa_session: bool = True,
    defaults: Callable[[], tuple[int | None, str | None]] | None = None,
) -> AssumeResult:
    """Assume profile ``name`` (or serve it from the CLI cache); raises :class:`AssumeError`.

    * ``mfa``: the code, or a callback given the serial (returning None cancels);
    * ``use_cache=False`` reads no cached role credentials (it still writes them,
      and still reuses a live MFA session);
    * ``duration`` (``--duration``) applies to the profile itself and skips its
      cache entry; otherwise ``duration_seconds``, else ``default_duration``, else 3600;
    * ``session_name`` replaces the default RoleSessionName (the user name) for
      hops whose profile sets no ``role_session_name``;
    * ``client_factory(service, *, access_key_id, secret_access_key, session_token,
      region, endpoint_url)`` builds the STS clients (tests inject their own);
    * ``defaults()``, when given, returns ``(default_duration, session_name)`` in
      their place; it is called only when STS is (never on a cache hit), so that a
      hit reads no settings file and the cache is read once.
    """

    def fail(err: AssumeError) -> AssumeError:
        if progress is not None:
            progress(ProgressEvent("failed", name, err.message, hint=err.hint))
        return err

    try:
        plan = make_plan(profiles, name)
    except AssumeError as err:
        raise fail(err) from None
    ctx = Context(
        profiles, plan, progress, mfa, client_factory, now or _timestamps.now_utc, use_cache
    )
    try:
        return _assume(
            ctx, use_cache, duration, default_duration, session_name, mfa_session, defaults
        )
    except AssumeError as err:
        raise fail(err) from None
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # never a traceback: one line, no secret
        from rolecall.core.sts.classify import first_line

        raise fail(
            AssumeError(
                f"assuming {name!r} failed unexpectedly: {type(exc).__name__}: "
                f"{first_line(str(exc))}",
                "please report this with `rolecall doctor` output",
                UNEXPECTED,
            )
        ) from None


def _assume(
    ctx: Context,
    use_cache: bool,
    duration: int | None,
    default_duration: int | None,
    session_name: str | None,
    mfa_session: bool,
    defaults: Callable[[], tuple[int | None, str | None]] | None,
) -> AssumeResult:
    plan = ctx.plan
    if ctx.profiles.problems:
        ctx.emit(
            "warning",
            f"the AWS CLI refuses this config: {ctx.profiles.problems[0]}",
            hint="`rolecall list` shows every problem",
        )
    if not plan.hops:
        return _own_credentials(ctx, mfa_session)
    skip_top = duration is not None
    start, entry = scan_cache(plan, ctx.now(), use_cache, skip_top)
    if start == 0 and entry is not None:
        return _cache_hit(ctx, entry)
    if defaults is not None:
        default_duration, session_name = defaults()
    # Validate durations before any network call.
    durations = [
        _duration_for(hop, idx == 0, duration, default_duration)
        for idx, hop in enumerate(plan.hops)
    ]
    from rolecall.core.sts.chain import assume_hops
    from rolecall.core.sts.lock import cache_lock

    name = plan.top.name

    def waiting(line: str) -> None:  # one line after a moment, one more if it runs out
        ctx.emit("warning", line)

    lock = cache_lock(_keys.cli_cache_dir(), purpose=f"assuming {name}", on_wait=waiting)
    with lock as locked:
        if locked and use_cache:
            # another rolecall may have assumed while we waited
            start, entry = scan_cache(plan, ctx.now(), use_cache, skip_top)
            if start == 0 and entry is not None:
                return _cache_hit(ctx, entry)
        return assume_hops(ctx, start, entry, durations, session_name, mfa_session)


def _own_credentials(ctx: Context, use_mfa_session: bool) -> AssumeResult:
    """A profile that assumes no role: its root's credentials (or their MFA session)."""
    from rolecall.core.sts.mfa import mfa_session
    from rolecall.core.sts.root import resolve_root

    plan = ctx.plan
    name = plan.top.name
    creds, _ = resolve_root(ctx)
    origin = plan.root.describe()
    session = mfa_session_for(ctx.profiles, plan) if use_mfa_session else None
    if session is not None:
        # a user profile with mfa_serial: its MFA session, as aws-vault and awsume give
        creds, _ = mfa_session(ctx, creds, session)
        origin = f"the MFA session of profile {name!r}"
    # an SSO profile's account is the one it names, as `rolecall list` shows it
    account = plan.top.account_id if plan.root.kind == "sso" else None
    result = AssumeResult(name, creds, None, account, creds.expiration, False, ctx.region, origin)
    ctx.emit("done", f"{name}: {origin}", expiration=creds.expiration)
    return result


def _cache_hit(ctx: Context, entry: _entries.CacheEntry) -> AssumeResult:
    name = ctx.plan.top.name
    total = len(ctx.plan.hops)
    creds = Credentials.from_entry(entry)
    result = AssumeResult(
        name, creds, entry.arn, entry.account_id, entry.expiration, True, ctx.region
    )
    expires = _timestamps.format_expiration(entry.expiration)
    kw = {"step": total, "total": total, "arn": entry.arn, "expiration": entry.expiration}
    ctx.emit("cache-hit", f"{name}: cached credentials, expire {expires}", **kw)
    ctx.emit("done", f"{name}: {entry.arn or 'assumed'} (from the cache)", **kw)
    return result


def _duration_for(
    hop: Profile,
    is_top: bool,
    duration: int | None,
    default_duration: int | None,
) -> int:
    if is_top and duration is not None:
        value, what = duration, "--duration"
    elif hop.get("duration_seconds") is not None and hop.duration_seconds is not None:
        value, what = hop.duration_seconds, f"duration_seconds of profile {hop.name!r}"
    elif default_duration is not None:
        value, what = default_duration, "the default duration (settings)"
    else:
        return DEFAULT_DURATION
    if not duration_in_range(value):
        raise AssumeError(
            f"{what} is {value}, outside {MIN_DURATION}..{MAX_DURATION} seconds",
            f"use a value from {MIN_DURATION} (15 minutes) to {MAX_DURATION} (12 hours)",
            INVALID_DURATION,
        )
    return value


def whoami(
    result_or_credentials: AssumeResult | Credentials,
    region: str | None = None,
    client_factory: ClientFactory | None = None,
) -> dict[str, str]:
    """``sts get-caller-identity`` for these credentials: ``{UserId, Account, Arn}``."""
    from rolecall.core.sts.calls import call
    from rolecall.core.sts.classify import CallInfo
    from rolecall.core.sts.clients import BotoClientFactory
    from rolecall.core.sts.endpoints import (
        FALLBACK_REGION,
        display_url,
        region_for,
        sts_endpoint_url,
    )

    if isinstance(result_or_credentials, AssumeResult):
        creds = result_or_credentials.credentials
        region = region or result_or_credentials.region
    else:
        creds = result_or_credentials
    region = region or region_for(None) or FALLBACK_REGION
    endpoint = sts_endpoint_url(None, None)
    factory = client_factory or BotoClientFactory()
    client = factory(
        "sts",
        access_key_id=creds.access_key_id,
        secret_access_key=creds.secret_access_key,
        session_token=creds.session_token,
        region=region,
        endpoint_url=endpoint,
    )
    info = CallInfo(
        "GetCallerIdentity",
        "",
        "these credentials",
        creds,
        endpoint=display_url(endpoint, region),
        region=region,
    )
    response = call(client.get_caller_identity, info, None)
    return {k: str(v) for k, v in response.items() if k in ("UserId", "Account", "Arn")}
