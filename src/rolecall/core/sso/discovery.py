"""Every account and role an SSO token grants, fetched in parallel and cached for an hour.

:func:`fetch` pages through ``ListAccounts``, and through ``ListAccountRoles``
for each account as soon as its page arrives.  At most ``max_in_flight`` (8)
requests are on the wire at once, the account pages included: every call holds
a slot of one semaphore.  A ``TooManyRequestsException`` backs off (exponential,
with full jitter, capped) and retries the same call without its slot; after
:data:`MAX_ATTEMPTS` it is :data:`~.errors.THROTTLED`.  Measured against the
local fake with 20 ms added per call: see bench/bench_sso.py and bench/RESULTS.md.

:func:`discover` serves the cache (``$ROLECALL_CACHE_DIR/sso/<session>.json``,
0600) until the expiry written into it, ``ttl`` seconds after the fetch (an
hour unless the ``sso_discovery_ttl`` setting says otherwise): so a cache hit
reads no setting.  It fetches only when the cache is missing, expired, of
another start URL, or ``refresh`` is asked.  Reading the cache imports neither
boto3 nor botocore.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime, timedelta

from rolecall.core._record import FrozenRecord
from rolecall.core.cache import json_files, keys, timestamps
from rolecall.core.sso.errors import SsoError
from rolecall.core.sso.session import SsoSession

TYPE_CHECKING = False
if TYPE_CHECKING:  # a cache hit imports none of these (concurrent.futures alone is 7 ms)
    from collections.abc import Callable, Iterable
    from concurrent.futures import Future
    from typing import Any

__all__ = [
    "DEFAULT_TTL",
    "MAX_ATTEMPTS",
    "MAX_IN_FLIGHT",
    "Discovery",
    "Role",
    "SessionRoles",
    "discover",
    "discover_sessions",
    "discovery_path",
    "fetch",
    "forget",
    "read_cached",
    "sort_roles",
]

#: Seconds a discovery is served from the cache.
DEFAULT_TTL = 3600
#: Requests on the wire at once.
MAX_IN_FLIGHT = 8
#: Page size asked for (the service's maximum).
PAGE_SIZE = 100
#: Tries of one call while the portal answers ``TooManyRequestsException``.
MAX_ATTEMPTS = 8
#: Backoff: the first delay's ceiling, and the largest, in seconds.
BACKOFF_BASE = 0.2
BACKOFF_CAP = 5.0
_VERSION = 1


class Role(tuple[str, str, str, str]):
    """One role (permission set) in one account, as the portal lists it.

    A tuple (``account_name, account_id, role_name, email``): a discovery holds
    thousands, and a cache hit builds them all (a FrozenRecord took 3x longer).

    >>> Role("dev", "123456789012", "Admin")
    Role(account_name='dev', account_id='123456789012', role_name='Admin', email='')
    """

    __slots__ = ()

    def __new__(cls, account_name: str, account_id: str, role_name: str, email: str = "") -> Role:
        return tuple.__new__(cls, (account_name, account_id, role_name, email))

    @property
    def account_name(self) -> str:
        return self[0]

    @property
    def account_id(self) -> str:
        return self[1]

    @property
    def role_name(self) -> str:
        return self[2]

    @property
    def email(self) -> str:
        return self[3]

    def __repr__(self) -> str:
        return (
            f"Role(account_name={self[0]!r}, account_id={self[1]!r}, "
            f"role_name={self[2]!r}, email={self[3]!r})"
        )


class Discovery(FrozenRecord):
    """What a token grants: its roles (sorted by account name, account ID, role name)."""

    __slots__ = ("roles", "fetched_at", "from_cache")
    _fields = __slots__

    roles: tuple[Role, ...]
    fetched_at: datetime
    from_cache: bool

    def __init__(
        self, roles: tuple[Role, ...], fetched_at: datetime, from_cache: bool = False
    ) -> None:
        self._set("roles", roles)
        self._set("fetched_at", fetched_at)
        self._set("from_cache", from_cache)

    def accounts(self) -> dict[str, str]:
        """Account ID -> account name, in the roles' order."""
        return {r.account_id: r.account_name for r in self.roles}


def sort_roles(roles: Iterable[Role]) -> tuple[Role, ...]:
    """By account name (any case), account ID, role name: the order every output uses."""
    return tuple(sorted(roles, key=lambda r: (r.account_name.lower(), r.account_id, r.role_name)))


# ---------------------------------------------------------------------------
# the cache
# ---------------------------------------------------------------------------
def discovery_path(session: SsoSession) -> str:
    """``$ROLECALL_CACHE_DIR/sso/<sha1 of the session name or start URL>.json``."""
    return os.path.join(keys.rolecall_cache_dir(), "sso", session.cache_id + ".json")


def read_cached(
    session: SsoSession, now: datetime | None = None, *, any_age: bool = False
) -> Discovery | None:
    """The cached discovery until the ``expiresAt`` it was written with (any age with
    ``any_age``); None when missing, expired, corrupt or of another start URL."""
    data = json_files.read_private_json(discovery_path(session))
    if data is None or data.get("version") != _VERSION:
        return None
    if data.get("startUrl") != session.start_url:
        return None
    fetched = timestamps.parse_expiration(data.get("fetchedAt"))
    expires = timestamps.parse_expiration(data.get("expiresAt"))
    if fetched is None or expires is None:
        return None
    now = now or datetime.now(UTC)
    if not any_age and not (fetched <= now + timedelta(minutes=1) and now < expires):
        return None
    roles: list[Role] = []
    accounts = data.get("accounts")
    if not isinstance(accounts, list):
        return None
    for account in accounts:
        if not isinstance(account, dict):
            return None
        aid, name = account.get("accountId"), account.get("accountName")
        email, names = account.get("emailAddress") or "", account.get("roles")
        if not (isinstance(aid, str) and isinstance(name, str) and isinstance(names, list)):
            return None
        roles += [Role(name, aid, r, str(email)) for r in names if isinstance(r, str)]
    return Discovery(sort_roles(roles), fetched, from_cache=True)


def write_cache(session: SsoSession, found: Discovery, ttl: float = DEFAULT_TTL) -> None:
    """Keep ``found`` 0600 in rolecall's cache directory (0700), for ``ttl`` seconds."""
    from rolecall.core import fsutil

    fsutil.ensure_private_dir(keys.rolecall_cache_dir())
    accounts: dict[str, dict[str, Any]] = {}
    for role in found.roles:
        entry = accounts.setdefault(
            role.account_id,
            {
                "accountId": role.account_id,
                "accountName": role.account_name,
                "emailAddress": role.email,
                "roles": [],
            },
        )
        entry["roles"].append(role.role_name)
    document = {
        "version": _VERSION,
        "sessionName": session.name,
        "startUrl": session.start_url,
        "fetchedAt": timestamps.format_expiration(found.fetched_at),
        "expiresAt": timestamps.format_expiration(found.fetched_at + timedelta(seconds=ttl)),
        "accounts": list(accounts.values()),
    }
    json_files.write_private_json(discovery_path(session), document)


def forget(session: SsoSession) -> bool:
    """Drop the session's cached discovery (after a login or a logout)."""
    try:
        return json_files.remove_private_json(discovery_path(session))
    except OSError:
        return False


# ---------------------------------------------------------------------------
# fetching
# ---------------------------------------------------------------------------
def discover(
    session: SsoSession,
    access_token: Callable[[], str],
    *,
    ttl: float | Callable[[], float] = DEFAULT_TTL,
    refresh: bool = False,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> Discovery:
    """The session's roles: from the cache while fresh, else fetched (and cached).

    ``access_token`` is called only when a fetch is needed (it may refresh the
    token, or raise :data:`~.errors.LOGIN_REQUIRED`).  ``ttl`` (or the function
    that gives it, called only then) is how long a fetch stays in the cache: it
    is written with it, so a cache hit reads no setting.
    """
    if not refresh:
        cached = read_cached(session)
        if cached is not None:
            return cached
    roles = fetch(session, access_token(), max_in_flight=max_in_flight)
    found = Discovery(roles, datetime.now(UTC).replace(microsecond=0))
    seconds = ttl() if callable(ttl) else ttl
    try:
        write_cache(session, found, max(0.0, seconds))
    except OSError:
        pass  # (an untrusted or read-only cache was warned about): still answer
    return found


class SessionRoles(FrozenRecord):
    """One session's roles as :func:`discover_sessions` found them.

    ``discovery`` is None when there is none to show (never fetched, and no
    login to fetch with); ``error`` says why a fetch failed (then
    ``discovery``, if any, is the last one cached, of any age).
    """

    __slots__ = ("session", "discovery", "error")
    _fields = __slots__

    session: SsoSession
    discovery: Discovery | None
    error: SsoError | None

    def __init__(
        self, session: SsoSession, discovery: Discovery | None, error: SsoError | None = None
    ) -> None:
        self._set("session", session)
        self._set("discovery", discovery)
        self._set("error", error)


def discover_sessions(
    sessions: Iterable[SsoSession],
    *,
    ttl: float | Callable[[], float] = DEFAULT_TTL,
    refresh: bool = False,
) -> list[SessionRoles]:
    """Every session's roles (the UI's rows): :func:`discover` for each, in turn.

    A session that cannot be fetched (no login, the portal refused, no
    network) gives its last cached discovery whatever its age, so a UI
    started while logged out still shows the roles it knew, with the error.
    """
    from rolecall.core.sso.login import valid_token

    found: list[SessionRoles] = []
    for session in sessions:

        def token(session: SsoSession = session) -> str:
            return valid_token(session).access_token

        try:
            found.append(SessionRoles(session, discover(session, token, ttl=ttl, refresh=refresh)))
        except SsoError as exc:
            found.append(SessionRoles(session, read_cached(session, any_age=True), exc))
    return found


class _Portal:
    """The portal client, with the in-flight limit and the backoff around each call."""

    def __init__(
        self,
        session: SsoSession,
        token: str,
        max_in_flight: int,
        sleep: Callable[[float], None],
    ) -> None:
        from rolecall.core.sso import clients

        self.session = session
        self.token = token
        self.client = clients.portal_client(session.region)
        self.slots = threading.BoundedSemaphore(max_in_flight)
        self.sleep = sleep
        self.failed = threading.Event()

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        from rolecall.core.sso import clients

        method = getattr(self.client, _METHODS[operation])
        for attempt in range(MAX_ATTEMPTS):
            if self.failed.is_set():
                raise _Abandoned
            try:
                with self.slots:
                    answer: dict[str, Any] = method(accessToken=self.token, **params)
                    return answer
            except Exception as exc:
                code = clients.error_code(exc)
                if code == "TooManyRequestsException" and attempt + 1 < MAX_ATTEMPTS:
                    import random

                    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)
                    self.sleep(random.uniform(ceiling / 2, ceiling))
                    continue
                self.failed.set()
                raise clients.portal_error(operation, exc, self.session) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def pages(self, operation: str, key: str, **params: Any) -> Iterable[list[dict[str, Any]]]:
        token: str | None = None
        while True:
            extra = {"nextToken": token} if token else {}
            answer = self.call(operation, maxResults=PAGE_SIZE, **params, **extra)
            items = answer.get(key) or []
            yield [i for i in items if isinstance(i, dict)]
            token = answer.get("nextToken")
            if not token:
                return


_METHODS = {"ListAccounts": "list_accounts", "ListAccountRoles": "list_account_roles"}


class _Abandoned(Exception):
    """Another call of the same discovery failed: stop early."""


def fetch(
    session: SsoSession,
    access_token: str,
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[Role, ...]:
    """Every role the token grants, from the portal (no cache)."""
    from concurrent.futures import ThreadPoolExecutor

    portal = _Portal(session, access_token, max_in_flight, sleep)

    def roles_of(account: dict[str, Any]) -> list[Role]:
        aid = str(account.get("accountId", ""))
        name = str(account.get("accountName") or aid)
        email = str(account.get("emailAddress") or "")
        found: list[Role] = []
        for page in portal.pages("ListAccountRoles", "roleList", accountId=aid):
            found += [Role(name, aid, str(r["roleName"]), email) for r in page if "roleName" in r]
        return found

    futures: list[Future[list[Role]]] = []
    with ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="rolecall-sso") as pool:
        try:
            for page in portal.pages("ListAccounts", "accountList"):
                futures += [pool.submit(roles_of, a) for a in page if a.get("accountId")]
            roles: list[Role] = []
            for future in futures:
                roles += future.result()
        except BaseException:
            portal.failed.set()
            pool.shutdown(wait=True, cancel_futures=True)
            first = next(
                (
                    f.exception()
                    for f in futures
                    if f.done() and not f.cancelled() and isinstance(f.exception(), SsoError)
                ),
                None,
            )
            if first is not None:
                raise first from None
            raise
    return sort_roles(roles)
