"""Assuming a role chain hop by hop, through boto3, sharing the AWS CLI's cache.

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

Every step is reported through one progress callback, and every failure is an
:class:`AssumeError` whose ``str()`` is one line with a hint.  boto3 and
botocore are imported only inside functions, when STS is really needed.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import time
from datetime import UTC, datetime, timedelta

from rolecall.core import cache as _cache
from rolecall.core._record import Record
from rolecall.core.limits import CHAINED_MAX_DURATION, MAX_DURATION, MIN_DURATION

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterator, Mapping
    from typing import Any

    from rolecall.core.profiles import Profile, ProfileSet

    #: ``progress(event)``: called for every step of an assume
    ProgressCallback = Callable[["ProgressEvent"], None]
    #: ``factory(service, *, access_key_id, secret_access_key, session_token, region,
    #: endpoint_url)`` -> a boto3 client
    ClientFactory = Callable[..., Any]
else:  # the same names at run time, without importing typing
    ProgressCallback = "Callable[[ProgressEvent], None]"
    ClientFactory = "Callable[..., Any]"

__all__ = [
    "AssumeError",
    "AssumeResult",
    "ClientFactory",
    "Credentials",
    "ProgressCallback",
    "ProgressEvent",
    "assume",
    "default_client_factory",
    "default_session_name",
    "is_cache_hit",
    "mfa_needed",
    "sanitize_session_name",
    "sts_endpoint_url",
    "whoami",
]

DEFAULT_DURATION = 3600
#: GetSessionToken duration for an MFA session (12 hours, the IAM user maximum is 36).
MFA_SESSION_DURATION = 43200
#: The STS region when neither the profile nor AWS_REGION names one (botocore
#: would use the global endpoint, which is us-east-1; an endpoint URL needs a region).
FALLBACK_REGION = "us-east-1"
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
#: Seconds; overrides both timeouts above (a slow link, or tests of a hung endpoint).
TIMEOUT_ENV = "ROLECALL_STS_TIMEOUT"
#: Attempts for a throttled (or 5xx) STS call, with jittered exponential backoff.
RETRY_ATTEMPTS = 3
RETRY_BASE_DELAY = 0.4
#: How long to wait for another rolecall process that is assuming (and maybe
#: prompting for MFA) before going ahead without the lock.
LOCK_TIMEOUT = 60.0
#: Set in the environment of a credential_process child so that a nested
#: ``rolecall credential-process`` does not wait for the lock its parent holds.
NO_LOCK_ENV = "ROLECALL_NO_LOCK"

_UTC = UTC
_MFA_CODE_RE = re.compile(r"[0-9]{6}")
_THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "PriorRequestNotComplete",
    }
)
_TRANSIENT_CODES = frozenset(
    {"InternalFailure", "InternalError", "ServiceUnavailable", "ServiceUnavailableException"}
)


# ---------------------------------------------------------------------------
# public data types
# ---------------------------------------------------------------------------
class ProgressEvent(Record):
    """One step of an assume.

    ``kind`` is ``root``, ``assume``, ``cache-hit``, ``warning``, ``done`` or ``failed``.
    """

    __slots__ = ("kind", "profile", "message", "step", "total", "arn", "expiration", "hint")
    _fields = __slots__

    def __init__(
        self,
        kind: str,
        profile: str,
        message: str,
        step: int = 0,
        total: int = 0,
        arn: str | None = None,
        expiration: datetime | None = None,
        hint: str | None = None,
    ) -> None:
        self.kind = kind
        self.profile = profile
        self.message = message
        self.step = step
        self.total = total
        self.arn = arn
        self.expiration = expiration
        self.hint = hint


class AssumeError(Exception):
    """A failure a person can act on: ``str(e)`` is one line, the message and the hint."""

    def __init__(self, message: str, hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code

    def __str__(self) -> str:
        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        return " ".join(text.split())

    def __repr__(self) -> str:
        return f"AssumeError({self.message!r}, hint={self.hint!r}, code={self.code!r})"


def _no_credentials(message: str, hint: str | None = None) -> AssumeError:
    """The failure to raise when a profile yields no usable credentials (``NoCredentials``)."""
    return AssumeError(message, hint, "NoCredentials")


class Credentials(Record):
    """AWS credentials.  ``repr()`` shows the key id and expiry, never the secret or token."""

    __slots__ = ("access_key_id", "secret_access_key", "session_token", "expiration")
    _fields = __slots__

    def __init__(
        self,
        access_key_id: str,
        secret_access_key: str,
        session_token: str | None,
        expiration: datetime | None = None,
    ) -> None:
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.session_token = session_token
        self.expiration = expiration

    def __repr__(self) -> str:
        exp = self.expiration.isoformat() if self.expiration else None
        token = "set" if self.session_token else None
        return (
            f"Credentials(access_key_id={self.access_key_id!r}, secret_access_key='***', "
            f"session_token={token!r}, expiration={exp!r})"
        )

    __str__ = __repr__


class AssumeResult(Record):
    """What an assume gave: credentials, the assumed ARN, and where they came from.

    ``origin`` is set for a profile that assumes no role: where its credentials
    come from (``the static keys of profile 'x'``).
    """

    __slots__ = (
        "profile",
        "credentials",
        "arn",
        "account_id",
        "expiration",
        "from_cache",
        "region",
        "origin",
    )
    _fields = __slots__

    def __init__(
        self,
        profile: str,
        credentials: Credentials,
        arn: str | None,
        account_id: str | None,
        expiration: datetime | None,
        from_cache: bool,
        region: str | None,
        origin: str | None = None,
    ) -> None:
        self.profile = profile
        self.credentials = credentials
        self.arn = arn
        self.account_id = account_id
        self.expiration = expiration
        self.from_cache = from_cache
        self.region = region
        self.origin = origin

    def to_json(self) -> dict[str, object]:
        """Everything but the secrets (no key id, secret or token)."""
        return {
            "profile": self.profile,
            "arn": self.arn,
            "account_id": self.account_id,
            "expiration": _cache.format_expiration(self.expiration) if self.expiration else None,
            "from_cache": self.from_cache,
            "region": self.region,
        }


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------
def sanitize_session_name(raw: str) -> str:
    """A valid RoleSessionName (``[\\w+=,.@-]``, 2 to 64 characters) made from ``raw``.

    >>> sanitize_session_name("José Smith"), sanitize_session_name("a")
    ('Jose-Smith', 'rolecall-a')
    """
    import unicodedata

    text = unicodedata.normalize("NFKD", raw)
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w+=,.@-]", "-", text, flags=re.ASCII)
    text = text[:64]
    if len(text) < 2:
        text = f"rolecall-{text}" if text else "rolecall"
    return text


def default_session_name() -> str:
    """The local user name, sanitised (see :func:`sanitize_session_name`)."""
    import getpass

    try:
        user = getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry
        user = ""
    return sanitize_session_name(user)


def _utcnow() -> datetime:
    return datetime.now(_UTC)


def _as_utc(value: Any) -> datetime | None:
    """An expiry as UTC, to the second (as the cache stores it)."""
    when = _cache.parse_expiration(value)
    return None if when is None else when.replace(microsecond=0)


def sts_endpoint_url(profiles: ProfileSet | None, top: Profile | None) -> str | None:
    """The STS endpoint URL botocore would use when one is configured, else None.

    The order is botocore's: ``AWS_ENDPOINT_URL_STS``, ``AWS_ENDPOINT_URL``, the
    profile's ``services`` section (``sts = endpoint_url = ...``), the profile's
    ``endpoint_url``; none when ``ignore_configured_endpoint_urls`` is true.
    """
    env = os.environ
    ignore = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
    if ignore is None and top is not None:
        ignore = top.get("ignore_configured_endpoint_urls")
    if ignore is not None and ignore.strip().lower() == "true":
        return None
    candidates: list[str | None] = [env.get("AWS_ENDPOINT_URL_STS"), env.get("AWS_ENDPOINT_URL")]
    if top is not None:
        services = top.get("services")
        if services is not None and profiles is not None:
            section = profiles.config.services.get(services, {})
            sts = section.get("sts")
            if isinstance(sts, dict):
                candidates.append(sts.get("endpoint_url"))
        candidates.append(top.get("endpoint_url"))
    for url in candidates:
        if url:
            return url
    return None


def _region_for(top: Profile | None) -> str | None:
    if top is not None and top.region:
        return top.region
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None


def _sts_display_url(endpoint_url: str | None, region: str | None) -> str:
    if endpoint_url:
        return endpoint_url
    if region:
        return f"https://sts.{region}.amazonaws.com"
    return "https://sts.amazonaws.com"


def _mask(key: str) -> str:
    return f"{key[:4]}…{key[-4:]}" if len(key) > 12 else key[:4] + "…"


# ---------------------------------------------------------------------------
# the plan: hops and root of a chain
# ---------------------------------------------------------------------------
class _Root:
    __slots__ = ("kind", "profile", "source")

    def __init__(self, kind: str, profile: str, source: str | None = None) -> None:
        self.kind = kind  # static | credential_source | sso | credential-process | web-identity
        self.profile = profile  # the profile that holds (or names) the root credentials
        self.source = source  # the credential_source name

    def describe(self) -> str:
        if self.kind == "static":
            return f"the static keys of profile {self.profile!r}"
        if self.kind == "credential_source":
            if self.source == "Environment":
                return f"the environment credentials (credential_source of {self.profile!r})"
            return f"the {self.source} credentials (credential_source of {self.profile!r})"
        if self.kind == "sso":
            return f"the SSO credentials of profile {self.profile!r}"
        if self.kind == "credential-process":
            return f"the credential_process of profile {self.profile!r}"
        return f"the web identity credentials of profile {self.profile!r}"


class _Plan:
    __slots__ = ("top", "hops", "root", "keys")

    def __init__(self, top: Profile, hops: list[Profile], root: _Root, keys: list[str]) -> None:
        self.top = top
        self.hops = hops  # top first
        self.root = root
        self.keys = keys  # the CLI cache key of each hop


def _has_static(values: Mapping[str, Any]) -> bool:
    return "aws_access_key_id" in values or "aws_secret_access_key" in values


def _plan(profiles: ProfileSet, name: str) -> _Plan:
    prof = profiles.get(name)
    if prof is None:
        raise _unknown_profile(profiles, name)
    if prof.problems:
        where = f" ({prof.file}:{prof.line})" if prof.file else ""
        raise AssumeError(
            f"profile {name!r} cannot be used: {prof.problems[0]}",
            f"fix it in the config{where}; `rolecall list` shows every problem",
            "ConfigProblem",
        )
    chain = prof.chain
    last = profiles[chain[-1]]
    hops = [profiles[n] for n in chain[:-1]]
    if len(chain) == 1:
        if prof.kind == "assume-role":
            hops = [prof]
            root = _Root("credential_source", prof.name, prof.credential_source)
        else:
            root = _Root(prof.kind, prof.name)
    elif chain[-1] == chain[-2] or _has_static(last.values):
        root = _Root("static", last.name)
    elif last.kind == "assume-role" and last.credential_source is not None:
        hops.append(last)
        root = _Root("credential_source", last.name, last.credential_source)
    else:
        root = _Root(last.kind, last.name)
    keys = []
    for hop in hops:
        key = _cache.cache_key_for(hop)
        assert key is not None
        keys.append(key)
    return _Plan(prof, hops, root, keys)


#: At most this many profile names are compared for a "did you mean" hint.
_SUGGEST_LIMIT = 5000


def _unknown_profile(profiles: ProfileSet, name: str) -> AssumeError:
    import difflib

    names = list(profiles.profiles)
    if len(names) > _SUGGEST_LIMIT:
        # difflib is ~10 µs a name: on a huge config, only look at names of a similar
        # length that start with the same character
        first = name[:1].lower()
        names = [n for n in names if abs(len(n) - len(name)) <= 2 and n[:1].lower() == first][
            :_SUGGEST_LIMIT
        ]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]!r}?" if close else "`rolecall list` shows the profiles"
    cfg = profiles.config
    return AssumeError(
        f"unknown profile {name!r} (not in {cfg.config_file} or {cfg.credentials_file})",
        hint,
        "UnknownProfile",
    )


def _scan_cache(
    plan: _Plan, now: datetime, use_cache: bool, skip_top: bool
) -> tuple[int, _cache.CacheEntry | None]:
    """The index of the top-most hop with a fresh cache entry, and that entry.

    Returns ``(len(hops), None)`` when no hop is cached (start from the root).
    """
    if not use_cache:
        return len(plan.hops), None
    for idx, key in enumerate(plan.keys):
        if idx == 0 and skip_top:
            continue
        entry = _cache.read_entry(key)
        if entry is not None and entry.fresh(now):
            return idx, entry
    return len(plan.hops), None


def is_cache_hit(profiles: ProfileSet, name: str, now: datetime | None = None) -> bool:
    """True when an assume of ``name`` would be served by the CLI cache alone."""
    if name not in profiles.profiles:
        return False
    try:
        plan = _plan(profiles, name)
    except AssumeError:
        return False
    if not plan.hops:
        return False
    idx, _ = _scan_cache(plan, now or _utcnow(), True, False)
    return idx == 0


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
        plan = _plan(profiles, name)
    except AssumeError:
        return None
    when = now or _utcnow()

    def session_needs_code() -> str | None:
        session = _mfa_session_for(profiles, plan) if mfa_session else None
        if session is None:
            return None
        entry = _cache.read_mfa_session(_cache.mfa_session_key(*session))
        if entry is not None and entry.fresh(when, _cache.MFA_EXPIRY_WINDOW):
            return None
        return session[1]

    if not plan.hops:
        return session_needs_code()
    start, _ = _scan_cache(plan, when, use_cache, False)
    if start == 0:
        return None
    to_assume = plan.hops[:start]  # top first
    # the first hop from the root, when we start there
    first = len(to_assume) - 1 if start == len(plan.hops) else None
    for idx in range(len(to_assume) - 1, -1, -1):
        hop = to_assume[idx]
        if idx == first and mfa_session and _mfa_session_for(profiles, plan) is not None:
            serial = session_needs_code()
            if serial is None:
                continue
            return serial
        if hop.mfa_serial is not None:
            return hop.mfa_serial
    return None


def _mfa_session_for(profiles: ProfileSet, plan: _Plan) -> tuple[str, str, str] | None:
    """``(root, serial, key id)`` when the first hop (or a static profile with
    ``mfa_serial`` itself) can use an MFA session."""
    if plan.root.kind != "static":
        return None
    return _cache.mfa_root(profiles, plan.top.name)


# ---------------------------------------------------------------------------
# the lock shared by rolecall processes
# ---------------------------------------------------------------------------
@contextlib.contextmanager
def _cache_lock(directory: str, timeout: float = LOCK_TIMEOUT) -> Iterator[bool]:
    """An exclusive ``flock`` on the cache directory, waited for at most ``timeout``.

    Yields whether the lock is held.  Concurrent rolecall processes that miss
    the cache queue here, and all but the first then find the fresh entry.
    """
    if os.environ.get(NO_LOCK_ENV):
        yield False
        return
    import fcntl

    from rolecall.core import fsutil

    try:
        fsutil.ensure_private_dir(directory)
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        yield False
        return
    held = False
    try:
        try:
            held = fsutil.flock_wait(fd, timeout)
        except OSError:
            pass  # a file system without locks: go on unlocked
        yield held
    finally:
        if held:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


# ---------------------------------------------------------------------------
# boto3 and botocore, lazily
# ---------------------------------------------------------------------------
def _timeouts() -> tuple[float, float]:
    """``(connect, read)`` timeouts: ``$ROLECALL_STS_TIMEOUT`` for both when it is a
    positive number of seconds, else 5 s and 10 s."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if raw:
        try:
            value = float(raw)
        except ValueError:
            value = 0.0
        if 0 < value <= 3600:
            return value, value
    return CONNECT_TIMEOUT, READ_TIMEOUT


def _client_config(**extra: Any) -> Any:
    from botocore.config import Config

    connect, read = _timeouts()
    return Config(
        connect_timeout=connect,
        read_timeout=read,
        retries={"total_max_attempts": 1, "mode": "standard"},
        **extra,
    )


def _botocore_session(config: Mapping[str, Any] | None = None, profile: str | None = None) -> Any:
    """A botocore Session that never reads the config files: ``config`` is its full_config.

    botocore re-parses the whole config for each new Session (0.5 s at 10,000
    profiles); this one holds only the few profiles an assume needs.
    """
    import botocore.session

    name = profile or "rolecall"
    full: dict[str, Any] = {"profiles": {name: {}}, "sso_sessions": {}, "services": {}}
    if config:
        for k, v in config.items():
            full[k] = v
        full.setdefault("profiles", {}).setdefault(name, {})
    session = botocore.session.Session(profile=name)
    session._config = full  # full_config is read from here, never from the files
    return session


class BotoClientFactory:
    """The default ``client_factory``: boto3 clients with short timeouts and no retries.

    Throttling is retried by :func:`_call` (a small bounded loop), connection
    errors are not: they fail fast with the URL.
    """

    def __init__(self, botocore_session: Any | None = None) -> None:
        import threading

        self._botocore_session = botocore_session
        self._boto3_session: Any = None
        self._lock = threading.Lock()

    def _session(self) -> Any:
        with self._lock:
            if self._boto3_session is None:
                import boto3.session

                bs = self._botocore_session or _botocore_session()
                self._boto3_session = boto3.session.Session(botocore_session=bs)
            return self._boto3_session

    def __call__(
        self,
        service: str,
        *,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session_token: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
    ) -> Any:
        return self._session().client(
            service,
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            aws_session_token=session_token,
            config=_client_config(),
        )


def default_client_factory(
    service: str,
    *,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> Any:
    """A boto3 client built without reading the AWS config files (:class:`BotoClientFactory`)."""
    return BotoClientFactory()(
        service,
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        session_token=session_token,
        region=region,
        endpoint_url=endpoint_url,
    )


def _small_config(profiles: ProfileSet, plan: _Plan) -> dict[str, Any]:
    """The part of the parsed config an assume needs: its chain, SSO sessions, services."""
    names = {plan.top.name, plan.root.profile, *(h.name for h in plan.hops)}
    cfg = profiles.config
    prof_map: dict[str, Any] = {}
    sso: dict[str, Any] = {}
    services: dict[str, Any] = {}
    for n in names:
        prof = profiles.get(n)
        if prof is None:
            continue
        prof_map[n] = dict(prof.values)
        session = prof.get("sso_session")
        if session is not None and session in cfg.sso_sessions:
            sso[session] = dict(cfg.sso_sessions[session])
        svc = prof.get("services")
        if svc is not None and svc in cfg.services:
            services[svc] = dict(cfg.services[svc])
    return {"profiles": prof_map, "sso_sessions": sso, "services": services}


class _Context:
    """Per-assume state: the clock, progress, MFA codes, and (lazily) boto3."""

    def __init__(
        self,
        profiles: ProfileSet,
        plan: _Plan,
        progress: ProgressCallback | None,
        mfa: str | Callable[[str], str | None] | None,
        client_factory: ClientFactory | None,
        now: Callable[[], datetime],
    ) -> None:
        self.profiles = profiles
        self.plan = plan
        self.progress = progress
        self.mfa = mfa
        self.mfa_used = False
        self.now = now
        self.region = _region_for(plan.top)
        self.endpoint_url = sts_endpoint_url(profiles, plan.top)
        self._factory = client_factory
        self._session: Any = None

    @property
    def display_url(self) -> str:
        return _sts_display_url(self.endpoint_url, self.region)

    # -- progress ------------------------------------------------------------
    def emit(self, kind: str, message: str, **kw: Any) -> None:
        if self.progress is not None:
            self.progress(ProgressEvent(kind, self.plan.top.name, message, **kw))

    # -- boto ------------------------------------------------------------------
    @property
    def session(self) -> Any:
        if self._session is None:
            self._session = _botocore_session(
                _small_config(self.profiles, self.plan), self.plan.top.name
            )
        return self._session

    def client(self, service: str, creds: Credentials | None) -> Any:
        if self._factory is None:
            self._factory = BotoClientFactory(self.session)
        return self._factory(
            service,
            access_key_id=creds.access_key_id if creds else None,
            secret_access_key=creds.secret_access_key if creds else None,
            session_token=creds.session_token if creds else None,
            region=self.region or FALLBACK_REGION,
            endpoint_url=self.endpoint_url,
        )

    # -- MFA -----------------------------------------------------------------
    def mfa_code(self, serial: str) -> str:
        mfa = self.mfa
        if mfa is None:
            raise AssumeError(
                f"an MFA code is needed for {serial}",
                "pass --mfa-code CODE, or run this in a terminal",
                "MfaRequired",
            )
        if isinstance(mfa, str):
            if self.mfa_used:
                raise AssumeError(
                    f"a second MFA code is needed for {serial}",
                    "run the command again when the next code shows",
                    "MfaRequired",
                )
            self.mfa_used = True
            answer: str | None = mfa
        else:
            answer = mfa(serial)
        if answer is None:
            raise AssumeError("MFA cancelled", None, "MfaCancelled")
        code = answer.strip()
        if not _MFA_CODE_RE.fullmatch(code):
            raise AssumeError(
                f"the MFA code for {serial} must be 6 digits",
                "type the code your MFA device shows",
                "MfaInvalid",
            )
        return code


# ---------------------------------------------------------------------------
# one STS call, with retries and classified errors
# ---------------------------------------------------------------------------
class _CallInfo:
    """What a failed call was, for its error message."""

    def __init__(
        self,
        operation: str,  # AssumeRole | GetSessionToken | GetCallerIdentity | root
        profile: str,  # the profile being assumed (or whose root is resolved)
        source: str,  # a description of the credentials that sign the call
        creds: Credentials | None,
        role_arn: str | None = None,
        mfa_serial: str | None = None,
        external_id: str | None = None,
        duration: int | None = None,
        endpoint: str = "",
        via_mfa_session: str | None = None,  # path of the MFA session file used
        service: str = "STS",
        source_cache: str | None = None,  # the CLI cache file the signing credentials came from
    ) -> None:
        self.operation = operation
        self.profile = profile
        self.source = source
        self.creds = creds
        self.role_arn = role_arn
        self.mfa_serial = mfa_serial
        self.external_id = external_id
        self.duration = duration
        self.endpoint = endpoint
        self.via_mfa_session = via_mfa_session
        self.service = service
        self.source_cache = source_cache


def _error_code(exc: Any) -> tuple[str, str, int]:
    resp = getattr(exc, "response", None) or {}
    err = resp.get("Error", {}) if isinstance(resp, dict) else {}
    code = str(err.get("Code", "") or "")
    message = " ".join(str(err.get("Message", "") or "").split())
    status = 0
    meta = resp.get("ResponseMetadata", {}) if isinstance(resp, dict) else {}
    if isinstance(meta, dict):
        status = int(meta.get("HTTPStatusCode", 0) or 0)
    return code, message, status


def _call(fn: Callable[[], Any], info: _CallInfo, ctx: _Context | None) -> Any:
    """Run one STS call; retry throttling and 5xx a few times; classify any failure."""
    import random

    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except ResponseParserError:
            raise _malformed(info, "its answer is not valid XML") from None
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # botocore's parser expects the shape it knows (an empty <AssumeRoleResponse/>
            # raises KeyError there); an error raised anywhere else is a real bug
            if not _raised_in_parser(exc):
                raise
            raise _malformed(info, f"{type(exc).__name__} in botocore's parser") from None
        except ClientError as exc:
            code, _, status = _error_code(exc)
            retryable = code in _THROTTLE_CODES or code in _TRANSIENT_CODES or status >= 500
            if retryable and attempt < RETRY_ATTEMPTS:
                delay = RETRY_BASE_DELAY * (2 ** (attempt - 1))
                time.sleep(delay * (0.5 + random.random() / 2))
                continue
            raise _classify_client_error(exc, info, ctx, attempt) from None
        except BotoCoreError as exc:
            raise _classify_botocore_error(exc, info) from None


def _classify_client_error(
    exc: Any, info: _CallInfo, ctx: _Context | None, attempts: int
) -> AssumeError:
    code, message, status = _error_code(exc)
    op = info.operation
    low = message.lower()
    creds = info.creds
    target = f" {info.role_arn}" if info.role_arn else ""
    if code in _THROTTLE_CODES:
        return AssumeError(
            f"STS throttled {op}{target} ({code}) after {attempts} attempts",
            "wait a minute and try again; many tools calling STS at once cause this",
            "Throttling",
        )
    if (
        code in ("InvalidClientTokenId",)
        or "security token included in the request is invalid" in low
    ):
        if creds and creds.access_key_id.startswith("ASIA") and not creds.session_token:
            return AssumeError(
                f"{info.source} hold a temporary key ({_mask(creds.access_key_id)}) "
                "but no session token was sent",
                "temporary (ASIA) keys need their session token: set aws_session_token "
                "(or AWS_SESSION_TOKEN) next to them",
                "InvalidClientTokenId",
            )
        hint = "check the access key id, or create a new key: it may be deleted or deactivated"
        if info.via_mfa_session:
            _cache.remove_entry(info.via_mfa_session)
            hint = "the MFA session was refused and is forgotten: run the command again"
        elif info.source_cache:
            _cache.remove_entry(info.source_cache)
            hint = "they are removed from the cache: run the command again"
        return AssumeError(
            f"AWS does not know the access key of {info.source} (InvalidClientTokenId)",
            hint,
            "InvalidClientTokenId",
        )
    if code == "SignatureDoesNotMatch":
        return AssumeError(
            f"the secret key of {info.source} does not match its access key "
            "(SignatureDoesNotMatch)",
            "check aws_secret_access_key (copy it again, without spaces)",
            "SignatureDoesNotMatch",
        )
    if code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"):
        hint = "get fresh source credentials and try again"
        if info.via_mfa_session:
            _cache.remove_entry(info.via_mfa_session)
            hint = "the MFA session is forgotten: run the command again to enter a new code"
        elif info.source_cache:
            _cache.remove_entry(info.source_cache)
            hint = "they are removed from the cache: run the command again"
        elif info.source.startswith("the role credentials of profile"):
            hint = "STS gave them moments ago: try again, and check the system clock if it persists"
        elif "environment" in info.source:
            hint = "export fresh AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN"
        elif "static keys" in info.source:
            hint = "replace aws_session_token (and the keys) of that profile with fresh ones"
        elif "SSO" in info.source:
            hint = f"run `aws sso login --profile {info.profile}`"
        return AssumeError(
            f"{info.source} have expired ({code})",
            hint,
            "ExpiredToken",
        )
    if code == "AccessDenied" or code == "AccessDeniedException":
        if ("multifactor" in low or "mfa" in low) and (op == "GetSessionToken" or info.mfa_serial):
            return AssumeError(
                f"the MFA code for {info.mfa_serial or 'the MFA device'} was refused",
                "it was wrong or expired (each code works once): wait for the next code "
                "and check mfa_serial names your device",
                "MfaFailed",
            )
        if op == "AssumeRole":
            caller = _caller_arn(ctx, creds)
            who = caller or info.source
            hints = [f"the trust policy of {info.role_arn} must allow {who} to sts:AssumeRole"]
            if info.external_id is not None:
                hints.append("and expect this external_id")
            if info.mfa_serial is None and not info.via_mfa_session:
                hints.append(
                    f"if the role requires MFA, set mfa_serial in profile {info.profile!r}"
                )
            return AssumeError(
                f"AccessDenied: {who} may not assume {info.role_arn}",
                "; ".join(hints),
                "AccessDenied",
            )
        return AssumeError(f"{op} was denied: {message or code}", None, "AccessDenied")
    if code == "ValidationError" or code == "ValidationException":
        if "maxsessionduration" in low.replace(" ", "") or "exceeds the maxsession" in low:
            return AssumeError(
                f"DurationSeconds {info.duration} exceeds the maximum session duration of "
                f"{info.role_arn}",
                f"lower duration_seconds in profile {info.profile!r} (or --duration), "
                "or raise the role's MaxSessionDuration in IAM",
                "DurationTooLong",
            )
        if "chaining" in low:
            return AssumeError(
                f"DurationSeconds {info.duration} is over the 1-hour limit for role chaining "
                f"({info.profile!r} is assumed with role credentials)",
                f"set duration_seconds = 3600 or less in profile {info.profile!r}",
                "DurationTooLong",
            )
        if "tokencode" in low or "serialnumber" in low:
            return AssumeError(
                f"STS refused the MFA code or serial: {message}",
                "check mfa_serial and type the 6-digit code your device shows",
                "MfaFailed",
            )
        return AssumeError(f"{op}{target} failed: {message or code}", None, code or "Validation")
    if code == "RegionDisabledException":
        return AssumeError(
            f"STS is not activated in region {ctx.region if ctx else '?'}",
            "activate it in IAM (Account settings) or set another region in the profile",
            code,
        )
    if status >= 500 or code in _TRANSIENT_CODES:
        return AssumeError(
            f"STS failed {op}{target} with {code or status} after {attempts} attempts",
            "AWS had a problem; try again in a moment",
            code or "ServerError",
        )
    text = f"{code}: {message}" if message else code or f"HTTP {status}"
    return AssumeError(f"{op}{target} failed: {text}", None, code or None)


def _classify_botocore_error(exc: Any, info: _CallInfo) -> AssumeError:
    from botocore import exceptions as bx

    url = None
    kwargs = getattr(exc, "kwargs", {}) or {}
    if isinstance(kwargs, dict):
        url = kwargs.get("endpoint_url")
    url = str(url).rstrip("/") if url else info.endpoint
    service = info.service
    if isinstance(exc, bx.ConnectTimeoutError):
        return AssumeError(
            f"cannot reach {service} at {url}: connect timed out after {_timeouts()[0]:g} s",
            _endpoint_hint(),
            "EndpointUnreachable",
        )
    if isinstance(exc, bx.ReadTimeoutError):
        return AssumeError(
            f"{service} at {url} did not answer within {_timeouts()[1]:g} s",
            "try again; " + _endpoint_hint(),
            "EndpointTimeout",
        )
    if isinstance(exc, bx.ProxyConnectionError):
        return AssumeError(
            f"cannot reach the HTTPS proxy {kwargs.get('proxy_url', '')} for {service}",
            "check HTTPS_PROXY / HTTP_PROXY",
            "EndpointUnreachable",
        )
    if isinstance(exc, bx.SSLError):
        return AssumeError(
            f"TLS with {service} at {url} failed",
            "check AWS_CA_BUNDLE and the system clock",
            "EndpointUnreachable",
        )
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectionClosedError, bx.ConnectionError)):
        detail = str(kwargs.get("error", "") or "")
        reason = "connection failed"
        low = detail.lower()
        if "refused" in low:
            reason = "connection refused"
        elif any(
            s in low for s in ("name or service not known", "nodename nor servname", "getaddrinfo")
        ) or ("name resolution" in low):
            reason = "DNS lookup failed"
        elif "timed out" in low:
            reason = "timed out"
        elif isinstance(exc, bx.ConnectionClosedError):
            reason = "the connection was closed"
        return AssumeError(
            f"cannot reach {service} at {url}: {reason}", _endpoint_hint(), "EndpointUnreachable"
        )
    if isinstance(exc, bx.NoRegionError):
        return AssumeError(
            "no region is configured for STS",
            "set region in the profile, or AWS_REGION",
            "NoRegion",
        )
    if isinstance(exc, bx.ParamValidationError):
        report = " ".join(str(kwargs.get("report", "")).split()) if isinstance(kwargs, dict) else ""
        return AssumeError(f"{info.operation} parameters are invalid: {report}", None, "Validation")
    if isinstance(exc, bx.NoCredentialsError):
        return _no_credentials(f"no credentials for {info.source}")
    return AssumeError(
        f"{info.operation} failed: {type(exc).__name__}: {_first_line(str(exc))}",
        None,
        type(exc).__name__,
    )


def _raised_in_parser(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.replace("\\", "/").endswith("botocore/parsers.py"):
            return True
        tb = tb.tb_next
    return False


def _malformed(info: _CallInfo, what: str) -> AssumeError:
    return AssumeError(
        f"{info.service} at {info.endpoint or 'its endpoint'} answered {info.operation} with a "
        f"response rolecall cannot use ({what}); nothing was cached",
        "try again; if it persists, check AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL and any "
        "proxy between you and AWS",
        "MalformedResponse",
    )


def _checked_credentials(
    response: Any, info: _CallInfo, now: datetime
) -> tuple[dict[str, Any], datetime]:
    """``response["Credentials"]`` when it holds usable credentials that have not
    expired yet, with their expiry (UTC, to the second); else an AssumeError."""
    raw = response.get("Credentials") if isinstance(response, dict) else None
    if not isinstance(raw, dict):
        raise _malformed(info, "no Credentials")
    for key in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            raise _malformed(info, f"no {key}")
    expiration = _as_utc(raw.get("Expiration"))
    if expiration is None:
        raise _malformed(info, "no readable Expiration")
    if expiration <= now:
        target = f" for {info.role_arn}" if info.role_arn else ""
        raise AssumeError(
            f"STS returned credentials{target} that expired at "
            f"{_cache.format_expiration(expiration)}, before they could be used "
            f"(the local time is {_cache.format_expiration(now)}); nothing was cached",
            "check the system clock (and its time zone), then try again",
            "ExpiredCredentials",
        )
    return dict(raw), expiration


def _endpoint_hint() -> str:
    return (
        "check the network, and AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL or the profile's "
        "region and endpoint_url"
    )


def _first_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    return line[:limit]


def _caller_arn(ctx: _Context | None, creds: Credentials | None) -> str | None:
    """The ARN of ``creds`` (get_caller_identity), or None when that fails too."""
    if ctx is None or creds is None:
        return None
    try:
        client = ctx.client("sts", creds)
        arn = client.get_caller_identity().get("Arn")
    except Exception:
        return None
    return arn if isinstance(arn, str) else None


# ---------------------------------------------------------------------------
# root credentials
# ---------------------------------------------------------------------------
def _from_botocore(creds: Any) -> Credentials:
    frozen = creds.get_frozen_credentials()
    expiry = getattr(creds, "_expiry_time", None)
    return Credentials(frozen.access_key, frozen.secret_key, frozen.token or None, _as_utc(expiry))


#: root kinds whose credentials are role credentials (a hop from them is chaining)
_ROLE_ROOTS = frozenset({"sso", "web-identity", "Ec2InstanceMetadata", "EcsContainer"})


def _resolve_root(ctx: _Context) -> tuple[Credentials, bool]:
    """The root credentials, and whether they are role credentials."""
    root = ctx.plan.root
    ctx.emit("root", f"resolving root credentials: {root.describe()}")
    prof = ctx.profiles[root.profile]
    if root.kind == "static":
        values = prof.values
        akid = values.get("aws_access_key_id")
        secret = values.get("aws_secret_access_key")
        token = values.get("aws_session_token")
        if not isinstance(akid, str) or not isinstance(secret, str) or not akid or not secret:
            raise _no_credentials(
                f"profile {root.profile!r} has no usable static keys",
                "set aws_access_key_id and aws_secret_access_key",
            )
        return Credentials(akid, secret, token if isinstance(token, str) and token else None), False
    try:
        if root.kind == "credential_source":
            creds = _source_credentials(ctx, root)
            return creds, root.source in _ROLE_ROOTS
        creds = _profile_root(ctx, root)
        return creds, root.kind in _ROLE_ROOTS
    except AssumeError:
        raise
    except Exception as exc:
        raise _classify_root_error(exc, ctx) from None


def _source_credentials(ctx: _Context, root: _Root) -> Credentials:
    from botocore.credentials import (
        CanonicalNameCredentialSourcer,
        ContainerProvider,
        EnvProvider,
        InstanceMetadataFetcher,
        InstanceMetadataProvider,
    )

    session = ctx.session
    # as botocore's own resolver builds it: AWS_METADATA_SERVICE_TIMEOUT and
    # AWS_METADATA_SERVICE_NUM_ATTEMPTS (or the profile's metadata_service_*)
    # apply, with botocore's defaults of 1 s and 1 attempt
    fetcher = InstanceMetadataFetcher(
        timeout=session.get_config_variable("metadata_service_timeout"),
        num_attempts=session.get_config_variable("metadata_service_num_attempts"),
        user_agent=session.user_agent(),
        config={
            name: session.get_config_variable(name)
            for name in (
                "ec2_metadata_service_endpoint",
                "ec2_metadata_service_endpoint_mode",
                "ec2_metadata_v1_disabled",
            )
        },
    )
    sourcer = CanonicalNameCredentialSourcer(
        [EnvProvider(), ContainerProvider(), InstanceMetadataProvider(iam_role_fetcher=fetcher)]
    )
    creds = sourcer.source_credentials(root.source)
    if creds is None:
        if root.source == "Environment":
            raise _no_credentials(
                f"no credentials in the environment (credential_source = Environment "
                f"in profile {root.profile!r})",
                "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) first",
            )
        raise _no_credentials(
            f"no {root.source} credentials found (credential_source of profile {root.profile!r})",
            "this only works on EC2 (instance profile) or ECS/Fargate (task role)",
        )
    return _from_botocore(creds)


def _profile_root(ctx: _Context, root: _Root) -> Credentials:
    from botocore.credentials import (
        AssumeRoleWithWebIdentityProvider,
        ProcessProvider,
        SSOProvider,
    )
    from botocore.tokens import SSOTokenProvider
    from botocore.utils import JSONFileCache

    session = ctx.session
    config = session.full_config

    def load_config() -> Any:
        return config

    def creator(service_name: str, **kwargs: Any) -> Any:
        cfg = _client_config()
        if kwargs.get("config") is not None:
            cfg = cfg.merge(kwargs.pop("config"))
        else:
            kwargs.pop("config", None)
        kwargs.setdefault("region_name", ctx.region or FALLBACK_REGION)
        return session.create_client(service_name, config=cfg, **kwargs)

    cli_dir = _cache.cli_cache_dir()
    # an untrusted cache directory (warned about) is neither read nor written
    cli_cache: Any = JSONFileCache(cli_dir) if _cache.trusted_dir(cli_dir) else {}
    provider: Any
    if root.kind == "sso":
        token_cache = JSONFileCache(_cache.sso_cache_dir())
        provider = SSOProvider(
            load_config=load_config,
            client_creator=creator,
            profile_name=root.profile,
            cache=cli_cache,
            token_cache=token_cache,
            token_provider=SSOTokenProvider(session, cache=token_cache, profile_name=root.profile),
        )
    elif root.kind == "credential-process":
        import subprocess

        env = dict(os.environ)
        env[NO_LOCK_ENV] = "1"
        provider = ProcessProvider(
            profile_name=root.profile,
            load_config=load_config,
            popen=functools.partial(subprocess.Popen, env=env),
        )
    elif root.kind == "web-identity":
        provider = AssumeRoleWithWebIdentityProvider(
            load_config=load_config,
            client_creator=creator,
            cache=cli_cache,
            profile_name=root.profile,
            disable_env_vars=True,
        )
    else:
        raise _no_credentials(
            f"profile {root.profile!r} has no credentials of its own",
            "give it static keys, SSO, credential_process or web identity settings",
        )
    creds = provider.load()
    if creds is None:
        raise _no_credentials(
            f"profile {root.profile!r} gave no credentials",
            "check its settings with `rolecall list`",
        )
    return _from_botocore(creds)


def _classify_root_error(exc: Exception, ctx: _Context) -> AssumeError:
    from botocore import exceptions as bx

    root = ctx.plan.root
    sso_errors: tuple[type[Exception], ...] = (bx.SSOError, bx.TokenRetrievalError)
    if isinstance(exc, sso_errors) or (
        root.kind == "sso" and isinstance(exc, bx.ClientError) and "Unauthorized" in str(exc)
    ):
        return AssumeError(
            f"SSO session expired: run `aws sso login --profile {root.profile}`",
            None,
            "SsoExpired",
        )
    if isinstance(exc, bx.CredentialRetrievalError):
        msg = getattr(exc, "kwargs", {}).get("error_msg", "") or str(exc)
        if root.kind == "credential-process":
            return AssumeError(
                f"the credential_process of profile {root.profile!r} failed: {_first_line(msg)}",
                "run that command by hand to see why",
                "CredentialProcessFailed",
            )
        return _no_credentials(f"{root.describe()} could not be loaded: {_first_line(msg)}")
    if isinstance(exc, bx.ClientError):
        info = _CallInfo(
            "AssumeRoleWithWebIdentity" if root.kind == "web-identity" else "root",
            root.profile,
            root.describe(),
            None,
            endpoint=ctx.display_url,
        )
        return _classify_client_error(exc, info, None, 1)
    if isinstance(exc, bx.BotoCoreError):
        if isinstance(exc, (bx.InvalidConfigError, bx.PartialCredentialsError)):
            return AssumeError(f"{root.describe()}: {_first_line(str(exc))}", None, "ConfigProblem")
        info = _CallInfo(
            "root",
            root.profile,
            root.describe(),
            None,
            endpoint=ctx.display_url if root.kind == "web-identity" else "",
            service="the SSO portal" if root.kind == "sso" else "STS",
        )
        return _classify_botocore_error(exc, info)
    if isinstance(exc, (OSError, ValueError)):
        return _no_credentials(f"{root.describe()} could not be loaded: {_first_line(str(exc))}")
    return _no_credentials(f"{root.describe()} could not be loaded: {type(exc).__name__}")


# ---------------------------------------------------------------------------
# MFA session
# ---------------------------------------------------------------------------
def _mfa_session(
    ctx: _Context, root_creds: Credentials, session: tuple[str, str, str]
) -> tuple[Credentials, str]:
    """Reuse or start the MFA session of the root's keys; returns its creds and file."""
    root_name, serial, _ = session
    key = _cache.mfa_session_key(*session)
    entry = _cache.read_mfa_session(key)
    now = ctx.now()
    if entry is not None and entry.fresh(now, _cache.MFA_EXPIRY_WINDOW):
        ctx.emit(
            "root",
            f"reusing the MFA session of {root_name!r} "
            f"(expires {_cache.format_expiration(entry.expiration)})",
            expiration=entry.expiration,
        )
        creds = Credentials(
            entry.access_key_id, entry.secret_access_key, entry.session_token, entry.expiration
        )
        return creds, entry.path
    code = ctx.mfa_code(serial)
    ctx.emit("root", f"starting an MFA session for {root_name!r} ({serial})")
    info = _CallInfo(
        "GetSessionToken",
        root_name,
        ctx.plan.root.describe(),
        root_creds,
        mfa_serial=serial,
        endpoint=ctx.display_url,
    )
    client = ctx.client("sts", root_creds)
    response = _call(
        lambda: client.get_session_token(
            DurationSeconds=MFA_SESSION_DURATION, SerialNumber=serial, TokenCode=code
        ),
        info,
        ctx,
    )
    raw, expiration = _checked_credentials(response, info, ctx.now())
    doc = {
        "Version": 1,
        "Profile": root_name,
        "SerialNumber": serial,
        "Credentials": {
            "AccessKeyId": raw["AccessKeyId"],
            "SecretAccessKey": raw["SecretAccessKey"],
            "SessionToken": raw["SessionToken"],
            "Expiration": expiration,
        },
    }
    path = ""
    with contextlib.suppress(OSError):
        path = _cache.write_mfa_session(key, doc)
    creds = Credentials(raw["AccessKeyId"], raw["SecretAccessKey"], raw["SessionToken"], expiration)
    return creds, path


# ---------------------------------------------------------------------------
# assume
# ---------------------------------------------------------------------------
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
    if not MIN_DURATION <= value <= MAX_DURATION:
        raise AssumeError(
            f"{what} is {value}, outside {MIN_DURATION}..{MAX_DURATION} seconds",
            f"use a value from {MIN_DURATION} (15 minutes) to {MAX_DURATION} (12 hours)",
            "InvalidDuration",
        )
    return value


def _result_from_entry(name: str, entry: _cache.CacheEntry, region: str | None) -> AssumeResult:
    creds = Credentials(
        entry.access_key_id, entry.secret_access_key, entry.session_token, entry.expiration
    )
    return AssumeResult(name, creds, entry.arn, entry.account_id, entry.expiration, True, region)


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
      region, endpoint_url)`` builds the STS clients (tests inject their own).
    """
    clock = now or _utcnow

    def fail(err: AssumeError) -> AssumeError:
        if progress is not None:
            progress(ProgressEvent("failed", name, err.message, hint=err.hint))
        return err

    try:
        plan = _plan(profiles, name)
    except AssumeError as err:
        raise fail(err) from None
    ctx = _Context(profiles, plan, progress, mfa, client_factory, clock)
    try:
        return _assume(ctx, use_cache, duration, default_duration, session_name, mfa_session)
    except AssumeError as err:
        raise fail(err) from None
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # never a traceback: one line, no secret
        raise fail(
            AssumeError(
                f"assuming {name!r} failed unexpectedly: {type(exc).__name__}: "
                f"{_first_line(str(exc))}",
                "please report this with `rolecall doctor` output",
                "Unexpected",
            )
        ) from None


def _assume(
    ctx: _Context,
    use_cache: bool,
    duration: int | None,
    default_duration: int | None,
    session_name: str | None,
    mfa_session: bool,
) -> AssumeResult:
    plan = ctx.plan
    name = plan.top.name
    total = len(plan.hops)
    if ctx.profiles.problems:
        ctx.emit(
            "warning",
            f"the AWS CLI refuses this config: {ctx.profiles.problems[0]}",
            hint="`rolecall list` shows every problem",
        )
    if not plan.hops:
        creds, _ = _resolve_root(ctx)
        origin = plan.root.describe()
        session = _mfa_session_for(ctx.profiles, plan) if mfa_session else None
        if session is not None:
            # a user profile with mfa_serial: its MFA session, as aws-vault and awsume give
            creds, _ = _mfa_session(ctx, creds, session)
            origin = f"the MFA session of profile {name!r}"
        result = AssumeResult(name, creds, None, None, creds.expiration, False, ctx.region, origin)
        ctx.emit("done", f"{name}: {origin}", expiration=creds.expiration)
        return result

    skip_top = duration is not None
    start, entry = _scan_cache(plan, ctx.now(), use_cache, skip_top)
    if start == 0 and entry is not None:
        return _cache_hit(ctx, entry, total)
    # Validate durations before any network call.
    durations = [
        _duration_for(hop, idx == 0, duration, default_duration)
        for idx, hop in enumerate(plan.hops)
    ]

    with _cache_lock(_cache.cli_cache_dir()) as locked:
        if locked and use_cache:
            # another rolecall may have assumed while we waited
            start, entry = _scan_cache(plan, ctx.now(), use_cache, skip_top)
            if start == 0 and entry is not None:
                return _cache_hit(ctx, entry, total)
        return _assume_hops(ctx, start, entry, durations, session_name, mfa_session)


def _cache_hit(ctx: _Context, entry: _cache.CacheEntry, total: int) -> AssumeResult:
    name = ctx.plan.top.name
    result = _result_from_entry(name, entry, ctx.region)
    ctx.emit(
        "cache-hit",
        f"{name}: cached credentials, expire {_cache.format_expiration(entry.expiration)}",
        step=total,
        total=total,
        arn=entry.arn,
        expiration=entry.expiration,
    )
    ctx.emit(
        "done",
        f"{name}: {entry.arn or 'assumed'} (from the cache)",
        step=total,
        total=total,
        arn=entry.arn,
        expiration=entry.expiration,
    )
    return result


def _assume_hops(
    ctx: _Context,
    start: int,
    entry: _cache.CacheEntry | None,
    durations: list[int],
    session_name: str | None,
    mfa_session: bool,
) -> AssumeResult:
    plan = ctx.plan
    hops = plan.hops
    total = len(hops)
    name = plan.top.name
    via_mfa: str | None = None
    mfa_session_used = False
    if entry is not None:
        step = total - start
        ctx.emit(
            "cache-hit",
            f"{hops[start].name}: cached credentials, expire "
            f"{_cache.format_expiration(entry.expiration)}",
            step=step,
            total=total,
            arn=entry.arn,
            expiration=entry.expiration,
        )
        source = Credentials(
            entry.access_key_id, entry.secret_access_key, entry.session_token, entry.expiration
        )
        source_is_role = True
        source_desc = f"the cached role credentials of profile {hops[start].name!r}"
    else:
        source, source_is_role = _resolve_root(ctx)
        source_desc = plan.root.describe()
        session = _mfa_session_for(ctx.profiles, plan) if mfa_session else None
        if session is not None:
            source, via_mfa = _mfa_session(ctx, source, session)
            # (its file may be "" when it could not be cached: it was still used)
            mfa_session_used = True
            source_desc = f"the MFA session of profile {session[0]!r}"
    default_name = session_name or None
    last: dict[str, Any] = {}
    to_store: list[tuple[str, dict[str, Any], datetime]] = []
    source_cache = entry.path if entry is not None else None
    for idx in range(start - 1, -1, -1):
        hop = hops[idx]
        step = total - idx
        arn = hop.role_arn
        assert arn is not None
        wanted = durations[idx]
        dur = wanted
        if source_is_role and dur > CHAINED_MAX_DURATION:
            dur = CHAINED_MAX_DURATION
            ctx.emit(
                "warning",
                f"{hop.name}: role chaining allows at most {CHAINED_MAX_DURATION} s; "
                f"asking for {dur} s instead of {wanted} s",
                step=step,
                total=total,
                arn=arn,
            )
        params: dict[str, Any] = {
            "RoleArn": arn,
            "RoleSessionName": hop.role_session_name
            or (sanitize_session_name(default_name) if default_name else default_session_name()),
            "DurationSeconds": dur,
        }
        if hop.external_id is not None:
            params["ExternalId"] = hop.external_id
        first_from_root = entry is None and idx == total - 1
        direct_mfa = hop.mfa_serial is not None and not (first_from_root and mfa_session_used)
        if direct_mfa:
            assert hop.mfa_serial is not None
            params["SerialNumber"] = hop.mfa_serial
            params["TokenCode"] = ctx.mfa_code(hop.mfa_serial)
        ctx.emit("assume", f"assuming {step}/{total} {arn}", step=step, total=total, arn=arn)
        info = _CallInfo(
            "AssumeRole",
            hop.name,
            source_desc,
            source,
            role_arn=arn,
            mfa_serial=hop.mfa_serial if direct_mfa else None,
            external_id=hop.external_id,
            duration=dur,
            endpoint=ctx.display_url,
            via_mfa_session=(via_mfa or None) if first_from_root else None,
            source_cache=source_cache,
        )
        source_cache = None  # later hops are signed with credentials from this run
        client = ctx.client("sts", source)
        try:
            response = _call(functools.partial(client.assume_role, **params), info, ctx)
        except AssumeError as err:
            if err.code == "DurationTooLong" and "chaining" in err.message and dur > 3600:
                # ambiguous source (environment, process, session token): it was a role
                ctx.emit(
                    "warning",
                    f"{hop.name}: the source credentials are role credentials; "
                    f"retrying with {CHAINED_MAX_DURATION} s",
                    step=step,
                    total=total,
                    arn=arn,
                )
                params["DurationSeconds"] = info.duration = CHAINED_MAX_DURATION
                response = _call(functools.partial(client.assume_role, **params), info, ctx)
            else:
                raise
        creds_raw, expiration = _checked_credentials(response, info, ctx.now())
        response = dict(response)
        user = response.get("AssumedRoleUser")
        arn_out = user.get("Arn") if isinstance(user, dict) else None
        account = _account_of(arn_out)
        if account is not None:
            creds_raw["AccountId"] = account
        creds_raw["Expiration"] = expiration
        response["Credentials"] = creds_raw
        # written only once every hop has succeeded: a failed assume caches nothing
        to_store.append((plan.keys[idx], response, expiration))
        source = Credentials(
            creds_raw["AccessKeyId"],
            creds_raw["SecretAccessKey"],
            creds_raw["SessionToken"],
            expiration,
        )
        source_is_role = True
        source_desc = f"the role credentials of profile {hop.name!r}"
        last = {"arn": arn_out, "account": account, "expiration": expiration}
    now = ctx.now()
    for key, response, expiration in to_store:
        _store(key, response, expiration, now)
    result = AssumeResult(
        name,
        source,
        last.get("arn"),
        last.get("account"),
        last.get("expiration"),
        False,
        ctx.region,
    )
    ctx.emit(
        "done",
        f"{name}: {result.arn}",
        step=total,
        total=total,
        arn=result.arn,
        expiration=result.expiration,
    )
    return result


def _store(key: str, response: dict[str, Any], expiration: datetime | None, now: datetime) -> None:
    """Write a response to the CLI cache, unless a fresh entry there outlives it
    (``--duration 900`` must not replace a good hour-long entry)."""
    existing = _cache.read_entry(key)
    if (
        existing is not None
        and expiration is not None
        and existing.fresh(now)
        and existing.expiration > expiration
    ):
        return
    with contextlib.suppress(OSError, ValueError, TypeError):
        _cache.write_entry(key, response)


def _account_of(arn: object) -> str | None:
    if not isinstance(arn, str):
        return None
    parts = arn.split(":")
    if len(parts) > 4 and parts[4].isdigit() and len(parts[4]) == 12:
        return parts[4]
    return None


# ---------------------------------------------------------------------------
# whoami
# ---------------------------------------------------------------------------
def whoami(
    result_or_credentials: AssumeResult | Credentials,
    region: str | None = None,
    client_factory: ClientFactory | None = None,
) -> dict[str, str]:
    """``sts get-caller-identity`` for these credentials: ``{UserId, Account, Arn}``."""
    if isinstance(result_or_credentials, AssumeResult):
        creds = result_or_credentials.credentials
        region = region or result_or_credentials.region
    else:
        creds = result_or_credentials
    region = region or _region_for(None) or FALLBACK_REGION
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
    info = _CallInfo(
        "GetCallerIdentity",
        "",
        "these credentials",
        creds,
        endpoint=_sts_display_url(endpoint, region),
    )
    try:
        response = _call(client.get_caller_identity, info, None)
    except AssumeError:
        raise
    return {k: str(v) for k, v in response.items() if k in ("UserId", "Account", "Arn")}


def remaining(expiration: datetime | None, now: datetime | None = None) -> timedelta | None:
    """Time left before ``expiration`` (negative once past); None when it never expires."""
    if expiration is None:
        return None
    return expiration - (now or _utcnow())
