"""Credentials kept fresh for the endpoint: refreshed ahead, one refresh at a time.

The :class:`Keeper` holds one profile's credentials and answers each request
of the endpoint from memory.  It never makes a request wait on STS while the
credentials it holds still have the refresh margin left:

* a background thread refreshes them *ahead* of the margin (``ahead`` before
  it, five minutes by default), so that a request normally finds fresh ones;
* a request that finds less than the margin left first looks at the cache
  (``refresher.cached()``, no network: `rolecall assume X` run in the shell, or
  any other rolecall, may have refreshed them), then asks the background
  thread for a refresh and waits for it at most ``wait`` seconds (botocore
  gives up after 2): all the requests that arrive meanwhile share that one
  refresh, so 50 clients starting at once cost one AssumeRole per hop;
* a refresh that fails is kept as a :class:`Refusal` (status, code, message)
  that the endpoint sends to the SDK, which shows it to the user.

The margin: an answer has at least ``margin`` left (15 minutes by default, the
window botocore and the AWS CLI use), or half the credentials' lifetime when
that is shorter (a 15-minute role gets 7.5 minutes, else it could never be
served).  The lifetime is measured from when they were issued.

This module knows nothing of STS, files or HTTP: the refresher and the clock
are given (:mod:`rolecall.core.serve.source` makes the real refresher).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from typing import Protocol

    from rolecall.core.cache.entries import CacheEntry
    from rolecall.core.sts import Credentials

    class Refresher(Protocol):
        """Where fresh credentials come from."""

        def cached(self) -> Held | None:
            """What the cache holds now, with no network call (None: nothing)."""

        def assume(self) -> Held:
            """Assume again (network); raises :class:`Refusal` when that cannot be done."""


__all__ = ["DEFAULT_AHEAD", "DEFAULT_MARGIN", "Held", "Keeper", "Refusal"]

#: At least this much is left on what the endpoint serves (botocore's advisory window).
DEFAULT_MARGIN = timedelta(minutes=15)
#: The background refresh starts this long before the margin is reached.
DEFAULT_AHEAD = timedelta(minutes=5)
#: What a request waits for a refresh in flight (botocore's timeout is 2 s).
DEFAULT_WAIT = 1.5
#: After a failed refresh, requests get that failure for this long without a new try.
RETRY_GAP = 2.0
#: The background thread looks at the clock at least this often (a laptop that slept).
MAX_SLEEP = 30.0
#: Served as the expiry of long-term keys (they have none; the protocol needs one).
NO_EXPIRY_LEASE = timedelta(hours=1)


class Held:
    """Credentials the keeper holds, with when they were issued (for their lifetime)."""

    __slots__ = ("credentials", "account_id", "issued")

    def __init__(self, credentials: Credentials, account_id: str | None, issued: datetime) -> None:
        self.credentials = credentials
        self.account_id = account_id
        self.issued = issued

    @classmethod
    def from_entry(cls, entry: CacheEntry, account_id: str | None) -> Held | None:
        """A cache entry's credentials, issued when its file was written (never after
        they expire); None when the file is gone."""
        import os

        from rolecall.core.sts import Credentials

        try:
            issued = datetime.fromtimestamp(os.stat(entry.path).st_mtime, UTC)
        except OSError:
            return None
        creds = Credentials(
            entry.access_key_id, entry.secret_access_key, entry.session_token, entry.expiration
        )
        return cls(creds, account_id, min(issued, entry.expiration))

    @property
    def expiration(self) -> datetime | None:
        return self.credentials.expiration

    def margin(self, margin: timedelta) -> timedelta:
        """The margin these credentials must keep: ``margin``, or half their lifetime.

        >>> t = datetime(2026, 1, 1, tzinfo=UTC)
        >>> creds = type("C", (), {"expiration": t + timedelta(minutes=15)})()
        >>> Held(creds, None, t).margin(timedelta(minutes=15))  # type: ignore[arg-type]
        datetime.timedelta(seconds=450)
        """
        if self.expiration is None:
            return timedelta(0)
        lifetime = self.expiration - self.issued
        return max(timedelta(0), min(margin, lifetime / 2))

    def usable(self, now: datetime, margin: timedelta) -> bool:
        """True when at least the margin is left (long-term keys always are)."""
        if self.expiration is None:
            return True
        return self.expiration - now >= self.margin(margin)

    def due(self, margin: timedelta, ahead: timedelta) -> datetime | None:
        """When to refresh them in the background (None: never)."""
        if self.expiration is None:
            return None
        lifetime = self.expiration - self.issued
        lead = min(ahead, max(timedelta(0), lifetime / 4))
        return self.expiration - self.margin(margin) - lead

    def document(self, now: datetime) -> dict[str, str]:
        """The container credentials answer: ``AccessKeyId``, ``SecretAccessKey``,
        ``Token``, ``Expiration`` and ``AccountId`` when known."""
        creds = self.credentials
        expiration = self.expiration or (now + NO_EXPIRY_LEASE).replace(microsecond=0)
        doc = {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "Token": creds.session_token or "",
            "Expiration": expiration.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if self.account_id:
            doc["AccountId"] = self.account_id
        return doc

    def __repr__(self) -> str:  # never the secret
        return f"Held({self.credentials!r}, issued={self.issued.isoformat()})"


class Refusal(Exception):
    """Why the endpoint cannot serve credentials: an HTTP status, a code, one line."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = " ".join(message.split())

    def body(self) -> bytes:
        """``{"code": ..., "message": ...}``, one line: botocore shows it as it is."""
        return json.dumps({"code": self.code, "message": self.message}).encode("utf-8")

    def __repr__(self) -> str:
        return f"Refusal({self.status}, {self.code!r}, {self.message!r})"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Keeper:
    """One profile's credentials, kept fresh; :meth:`answer` serves each request.

    ``on_event(kind, text)`` hears ``refreshed`` and ``failed`` (no secrets), from
    the background thread.  Call :meth:`start` before serving, :meth:`stop` after.
    """

    def __init__(
        self,
        refresher: Refresher,
        *,
        margin: timedelta = DEFAULT_MARGIN,
        ahead: timedelta = DEFAULT_AHEAD,
        initial: Held | None = None,
        clock: Callable[[], datetime] = _utcnow,
        wait: float = DEFAULT_WAIT,
        retry_gap: float = RETRY_GAP,
        on_event: Callable[[str, str], None] | None = None,
    ) -> None:
        self._refresher = refresher
        self.margin = margin
        self.ahead = ahead
        self._clock = clock
        self._wait = wait
        self._retry_gap = retry_gap
        self._on_event = on_event
        self._cond = threading.Condition()
        self._held = initial
        self._failure: Refusal | None = None
        self._failed_at = 0.0  # time.monotonic() of the last failure
        self._retry_at = 0.0  # no background retry before this (monotonic)
        self._wanted = False  # a request is waiting for a refresh
        self._busy = False  # a refresh is in flight
        self._done = 0  # refreshes finished (succeeded or failed)
        self._stopping = False
        self._thread: threading.Thread | None = None
        #: STS refreshes made (a cache pick-up is not one): for tests and the bench
        self.refreshes = 0

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="rolecall-keeper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            # a refresh in flight is not waited for: it ends on its own timeouts
            self._thread.join(timeout=0.5)

    def poke(self) -> None:
        """Look at the clock again now (after the process was stopped or the clock jumped)."""
        with self._cond:
            self._cond.notify_all()

    @property
    def held(self) -> Held | None:
        return self._held

    # -- serving -------------------------------------------------------------
    def answer(self) -> Held | Refusal:
        """Credentials with at least the margin left, or why there are none."""
        now = self._clock()
        held = self._held
        if held is not None and held.usable(now, self.margin):
            return held
        picked = self._from_cache(now)
        if picked is not None:
            return picked
        with self._cond:
            failure = self._failure
            if failure is not None and time.monotonic() - self._failed_at < self._retry_gap:
                return failure
            done = self._done
            if not self._busy:  # else the refresh in flight is the one to wait for
                self._wanted = True
                self._cond.notify_all()
            self._cond.wait_for(lambda: self._done != done or self._stopping, self._wait)
            held, failure = self._held, self._failure
        if held is not None and held.usable(self._clock(), self.margin):
            return held
        if failure is not None:  # this refresh failed, or (still running) the last one did
            return failure
        return Refusal(
            503,
            "RefreshInProgress",
            "rolecall is still refreshing these credentials from STS; try again in a moment",
        )

    def _from_cache(self, now: datetime) -> Held | None:
        """Fresher credentials that another rolecall wrote to the cache, adopted."""
        try:
            cached = self._refresher.cached()
        except Exception:  # an unreadable cache is no answer, never a crash
            return None
        if cached is None or not cached.usable(now, self.margin):
            return None
        with self._cond:
            current = self._held
            if current is not None and _later(current, cached):
                return current if current.usable(now, self.margin) else None
            self._held = cached
            self._failure = None
            self._cond.notify_all()  # the background thread re-plans its next refresh
        self._event("refreshed", "picked up credentials from the cache")
        return cached

    # -- the background thread -------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and not self._should_refresh():
                    self._cond.wait(self._sleep_for())
                if self._stopping:
                    return
                self._wanted = False
                self._busy = True
            try:
                self._refresh_once()
            finally:
                with self._cond:
                    self._busy = False

    def _should_refresh(self) -> bool:
        if self._wanted:
            return True
        if time.monotonic() < self._retry_at:
            return False
        held = self._held
        if held is None:
            return True
        due = held.due(self.margin, self.ahead)
        return due is not None and self._clock() >= due

    def _sleep_for(self) -> float:
        wait = MAX_SLEEP
        left = self._retry_at - time.monotonic()
        held = self._held
        due = held.due(self.margin, self.ahead) if held is not None else None
        if due is not None:
            wait = min(wait, max(left, (due - self._clock()).total_seconds()))
        elif left > 0:
            wait = min(wait, left)
        return max(0.01, wait)

    def _refresh_once(self) -> None:
        now = self._clock()
        picked = self._from_cache(now)
        if picked is not None and not _due(picked, now, self):
            with self._cond:
                self._done += 1
                self._cond.notify_all()
            return
        try:
            fresh = self._refresher.assume()
        except Refusal as refusal:
            self._failed(refusal)
            return
        except Exception as exc:  # never let the thread die: say what happened, once
            self._failed(Refusal(500, "Unexpected", f"{type(exc).__name__} while refreshing"))
            return
        with self._cond:
            self.refreshes += 1
            self._held = fresh
            self._failure = None
            self._retry_at = 0.0
            self._done += 1
            self._cond.notify_all()
        when = fresh.expiration
        self._event(
            "refreshed", f"refreshed; they expire {when:%H:%M:%S}Z" if when else "refreshed"
        )

    def _failed(self, refusal: Refusal) -> None:
        now = self._clock()
        held = self._held
        left = (held.expiration - now).total_seconds() if held and held.expiration else 0.0
        # retry sooner as the expiry nears: an eighth of what is left, 1 s to 60 s
        backoff = min(60.0, max(1.0, left / 8))
        with self._cond:
            self._failure = refusal
            self._failed_at = time.monotonic()
            self._retry_at = self._failed_at + backoff
            self._done += 1
            self._cond.notify_all()
        self._event("failed", refusal.message)

    def _event(self, kind: str, text: str) -> None:
        if self._on_event is not None:
            try:
                self._on_event(kind, text)
            except Exception:
                pass


def _later(a: Held, b: Held) -> bool:
    """True when ``a`` lasts at least as long as ``b``."""
    if a.expiration is None:
        return True
    if b.expiration is None:
        return False
    return a.expiration >= b.expiration


def _due(held: Held, now: datetime, keeper: Keeper) -> bool:
    due = held.due(keeper.margin, keeper.ahead)
    return due is not None and now >= due
