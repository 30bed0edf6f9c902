"""Which sessions assumed in the UI to re-assume now, to keep them fresh (``keep_fresh``).

Pure: the app gives its sessions (what each assume returned), when each was
issued, the clock, the margin, and the profiles it must leave alone (busy,
waiting for an MFA code, or failed a moment ago); :func:`due` says which to
refresh.  A session is due when it has less than the margin left (the
``refresh_margin_seconds`` setting), or less than half its lifetime when that
is shorter, as the credentials endpoint decides (a 15-minute role would
otherwise be refreshed on every tick).  :class:`Freshness` keeps what the
assume flow learns along the way (when each session was issued, which wait for
an MFA code, which failed a moment ago), so that the flow only acts on it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Container, Mapping
    from typing import Any

__all__ = ["RETRY_AFTER", "Freshness", "due"]

#: After a failed background refresh, the profile waits this long before the next try.
RETRY_AFTER = timedelta(seconds=30)


def due(
    sessions: Mapping[str, Any],
    issued: Mapping[str, datetime],
    now: datetime,
    margin: timedelta,
    skip: Container[str],
) -> list[str]:
    """The names whose session should be re-assumed now, in name order.

    >>> from types import SimpleNamespace as S
    >>> t = datetime(2026, 1, 1)
    >>> sessions = {"a": S(expiration=t + timedelta(minutes=10)),
    ...             "b": S(expiration=t + timedelta(minutes=50)),
    ...             "c": S(expiration=None),
    ...             "d": S(expiration=t + timedelta(minutes=5))}
    >>> issued = {"d": t - timedelta(minutes=10)}  # a 15-minute role: half is 7.5 min
    >>> due(sessions, issued, t, timedelta(minutes=15), skip=set())
    ['a', 'd']
    >>> due(sessions, issued, t, timedelta(minutes=15), skip={"a"})
    ['d']
    >>> due({"e": S(expiration=t + timedelta(minutes=8))},  # 8 of 15 minutes left: fine
    ...     {"e": t - timedelta(minutes=7)}, t, timedelta(minutes=15), skip=set())
    []
    """
    out = []
    for name, session in sessions.items():
        expiration = getattr(session, "expiration", None)
        if not isinstance(expiration, datetime) or name in skip:
            continue
        keep = margin
        start = issued.get(name)
        if start is not None:
            keep = min(margin, (expiration - start) / 2)
        if expiration - now < keep:
            out.append(name)
    return sorted(out)


class Freshness:
    """What keep-fresh knows of each session: when it was issued, whether its refresh
    waits for an MFA code (Enter on the row), and when a refresh last failed.

    >>> from types import SimpleNamespace as S
    >>> t = datetime(2026, 1, 1)
    >>> book = Freshness()
    >>> book.assumed("a", t - timedelta(hours=1))  # (it was not waiting for an MFA code)
    False
    >>> book.want_mfa("b"), book.failed("c", t)
    (None, None)
    >>> sessions = {n: S(expiration=t + timedelta(minutes=5)) for n in "abcd"}
    >>> book.due(sessions, t + timedelta(seconds=10), timedelta(minutes=15), lambda n: n == "d")
    ['a']
    >>> book.due(sessions, t + RETRY_AFTER, timedelta(minutes=15), lambda n: False)
    ['a', 'c', 'd']
    >>> book.assumed("b", t), book.wants_mfa("b")  # an assume with the code ends the wait
    (True, False)
    """

    def __init__(self) -> None:
        #: when each session was assumed (a short role refreshes at half its lifetime)
        self.issued: dict[str, datetime] = {}
        #: profiles whose refresh waits for an MFA code (marked "needs MFA")
        self._mfa_wanted: set[str] = set()
        #: when a profile's background refresh last failed
        self._failed: dict[str, datetime] = {}

    def due(
        self,
        sessions: Mapping[str, Any],
        now: datetime,
        margin: timedelta,
        busy: Callable[[str], bool],
    ) -> list[str]:
        """The sessions to refresh now: not one that waits for an MFA code, failed less
        than :data:`RETRY_AFTER` ago, or is ``busy`` (an assume of it runs or waits)."""
        recent = {n for n, at in self._failed.items() if now - at < RETRY_AFTER}
        skip = self._mfa_wanted | recent | {n for n in sessions if busy(n)}
        return due(sessions, self.issued, now, margin, skip)

    def assumed(self, name: str, now: datetime) -> bool:
        """``name`` was assumed at ``now``; returns whether it waited for an MFA code."""
        self.issued[name] = now
        self._failed.pop(name, None)
        waited = name in self._mfa_wanted
        self._mfa_wanted.discard(name)
        return waited

    def failed(self, name: str, now: datetime) -> None:
        """A refresh of ``name`` failed (it waits :data:`RETRY_AFTER` before the next)."""
        self._failed[name] = now

    def want_mfa(self, name: str) -> None:
        """The refresh of ``name`` needs an MFA code: no more tries until it is assumed."""
        self._mfa_wanted.add(name)

    def wants_mfa(self, name: str) -> bool:
        """Whether the refresh of ``name`` waits for an MFA code."""
        return name in self._mfa_wanted
