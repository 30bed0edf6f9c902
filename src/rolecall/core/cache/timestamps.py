"""The times of cache entries: ``Expiration`` read in its three shapes, written in one,
and what is left of it, for people.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover  (the cache's modules take datetime's names from here)
    from datetime import UTC
    from datetime import datetime as datetime
    from datetime import timedelta as timedelta
else:
    try:  # the C module: datetime.py first defines a pure-Python twin (3 ms of a hit here)
        from _datetime import UTC, datetime, timedelta
    except ImportError:  # pragma: no cover
        from datetime import UTC, datetime, timedelta

__all__ = [
    "format_expiration",
    "humanize",
    "now_utc",
    "parse_expiration",
]

_UTC = UTC
#: The zone names that may end an ``Expiration``, as :func:`_utc_suffix` reads them.
_ZONE_NAMES = ("UTC", "GMT")


def _utc_suffix(text: str) -> str:
    """``text`` with a trailing ``Z``, ``UTC`` or ``GMT`` (any case, blanks before it)
    made ``+00:00``: the regex ``\\s*(UTC|GMT|Z)$`` (ignoring case), without ``re``.

    >>> _utc_suffix("2026-11-28T04:48:57 utc"), _utc_suffix("2026-11-28T05:33:55")
    ('2026-11-28T04:48:57+00:00', '2026-11-28T05:33:55')
    """
    if text[-1:] in ("Z", "z"):
        return text[:-1].rstrip() + "+00:00"
    if text[-3:].upper() in _ZONE_NAMES:
        return text[:-3].rstrip() + "+00:00"
    return text


def parse_expiration(value: object) -> datetime | None:
    """A cache ``Expiration`` as a tz-aware UTC datetime, or None when unreadable.

    The three shapes seen in the wild are accepted::

        2026-11-28T05:33:55Z          (also with microseconds)
        2026-11-28T05:33:55+00:00     (any offset)
        2026-11-28T04:48:57UTC        (the AWS CLI v1's strftime('%Z'))

    A time without a zone is taken as UTC.  A time that is out of range once
    in UTC (``9999-12-31T23:59:59-01:00``) is unreadable too:

    >>> parse_expiration("9999-12-31T23:59:59-01:00") is None
    True
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 64:
            return None
        text = _utc_suffix(text)
        text = text.replace(" ", "T", 1) if "T" not in text else text
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=_UTC)
    try:  # 9999-12-31T23:59:59-01:00 is past the last datetime once in UTC
        return dt.astimezone(_UTC)
    except OverflowError:
        return None


def format_expiration(value: datetime) -> str:
    """``2026-11-28T05:33:55Z``: the shape the CLI v2 and the SDKs write and read."""
    return value.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now(now: datetime | None) -> datetime:
    return datetime.now(_UTC) if now is None else now.astimezone(_UTC)


def now_utc() -> datetime:
    return datetime.now(_UTC)


def humanize(delta: timedelta) -> str:
    """``59m``, ``1h02m``, ``45s``; negative deltas as ``expired 3m ago``."""
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return f"expired {humanize(timedelta(seconds=-seconds))} ago"
    if seconds < 60:
        return f"{seconds}s"
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m"
