"""Which sessions assumed in the UI to re-assume now, to keep them fresh (``keep_fresh``).

Pure: the app gives its sessions (what each assume returned), when each was
issued, the clock, the margin, and the profiles it must leave alone (busy,
waiting for an MFA code, or failed a moment ago); :func:`due` says which to
refresh.  A session is due when it has less than the margin left (the
``refresh_margin_seconds`` setting), or less than half its lifetime when that
is shorter, as the credentials endpoint decides (a 15-minute role would
otherwise be refreshed on every tick).
"""

from __future__ import annotations

from datetime import datetime, timedelta

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Container, Mapping
    from typing import Any

__all__ = ["RETRY_AFTER", "due"]

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
