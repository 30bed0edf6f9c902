"""The profile table's data: rows, fuzzy filter, sort orders and countdown text.

Pure Python (no Textual), so it is cheap to test and cheap to rebuild at 10,000 rows::

    >>> format_countdown(3725)
    '1:02:05'
    >>> format_countdown(59.9)
    '0:59'
    >>> format_countdown(0)
    'expired'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from rolecall.core.printable import replace

__all__ = [
    "MAX_SHOWN",
    "SORTS",
    "ExpiryLike",
    "Row",
    "clean",
    "compile_query",
    "expiry_level",
    "filter_rows",
    "format_countdown",
    "order_rows",
]

#: Sort orders the `o` key cycles through.
SORTS = ("name", "expires")

#: the longest text a cell, a panel line or a notification shows of one name or value
MAX_SHOWN = 256


class ExpiryLike(Protocol):
    """What the table needs from ``rolecall.core.cache.Expiry``."""

    @property
    def expires_at(self) -> datetime: ...

    @property
    def kind(self) -> str: ...

    @property
    def source(self) -> str: ...


@dataclass(frozen=True, slots=True)
class SessionExpiry:
    """An expiry rolecall learnt itself (an assume in this session)."""

    profile: str
    kind: str
    expires_at: datetime
    source: str = "rolecall"


def clean(text: str, limit: int = MAX_SHOWN) -> str:
    """Text safe to draw: one line, printable, at most ``limit`` characters.

    The rule is core's (:func:`rolecall.core.printable.replace`, the command
    line escapes by the same rule): control characters, bidi and other format
    characters (U+202E), lone surrogates (undecodable bytes) and line breaks
    become ``?``, so a profile name can never move the cursor or reorder the
    screen; other spaces become a space.  Longer text is cut with ``…`` (a
    25 MB value would take minutes to lay out).

    >>> clean("a\\tb\\x1b[2J")
    'a?b?[2J'
    >>> clean("evil\\u202etxt.exe"), clean("x" * 300, 5)
    ('evil?txt.exe', 'xxxx…')
    """
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return replace(text)


@dataclass(slots=True)
class Row:
    """One table row: the cell texts of a profile, cleaned and ready to draw."""

    name: str
    label: str
    color: str | None
    kind: str
    account: str
    role: str
    region: str
    source: str
    problems: int = 0
    favorite: bool = False
    expires_at: datetime | None = None
    _haystack: str = field(default="", repr=False)
    _key: tuple[str, str] | None = field(default=None, repr=False)

    @property
    def haystack(self) -> str:
        """What the filter searches: label, name, account, role and region, lowercased."""
        if not self._haystack:
            name = self.name[:MAX_SHOWN]
            fields = (self.label, name, self.account, self.role, self.region)
            self._haystack = "\n".join(fields).lower()
        return self._haystack

    @property
    def name_key(self) -> tuple[str, str]:
        if self._key is None:
            self._key = (self.label.casefold(), self.name)
        return self._key

    def remaining(self, now: datetime) -> float | None:
        """Seconds of credentials left (negative once expired), or None without any."""
        if self.expires_at is None:
            return None
        return (self.expires_at - now).total_seconds()


def format_countdown(seconds: float) -> str:
    """``h:mm:ss`` from one hour, ``m:ss`` under it, ``expired`` at zero or below."""
    if seconds <= 0:
        return "expired"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def expiry_level(seconds: float | None, warn: int, critical: int) -> str | None:
    """``live``, ``warn``, ``critical`` or ``expired`` (None without credentials).

    >>> [expiry_level(s, 900, 300) for s in (None, 1000, 900, 300, 0)]
    [None, 'live', 'warn', 'critical', 'expired']
    """
    if seconds is None:
        return None
    if seconds <= 0:
        return "expired"
    if seconds <= critical:
        return "critical"
    if seconds <= warn:
        return "warn"
    return "live"


def compile_query(query: str) -> list[re.Pattern[str]]:
    """One pattern per word: its letters in order, inside a single field.

    >>> [p.pattern for p in compile_query("pa")]
    ['p[^\\\\n]*?a']
    """
    patterns = []
    for word in query.lower().split():
        body = "[^\\n]*?".join(re.escape(ch) for ch in word)
        patterns.append(re.compile(body))
    return patterns


def filter_rows(rows: Iterable[Row], query: str) -> list[Row]:
    """The rows every word of ``query`` fuzzily matches (name, account, role or region)."""
    patterns = compile_query(query)
    if not patterns:
        return list(rows)
    searches = [p.search for p in patterns]
    return [row for row in rows if all(search(row.haystack) for search in searches)]


def order_rows(rows: Sequence[Row], sort: str, now: datetime) -> list[Row]:
    """Favourites first, then by name, or by time left (soonest first, then expired, then none)."""
    if sort == "expires":

        def key(row: Row) -> tuple[bool, int, float, tuple[str, str]]:
            left = row.remaining(now)
            if left is None:
                return (not row.favorite, 2, 0.0, row.name_key)
            if left <= 0:
                return (not row.favorite, 1, 0.0, row.name_key)
            return (not row.favorite, 0, left, row.name_key)

        return sorted(rows, key=key)
    return sorted(rows, key=lambda row: (not row.favorite, row.name_key))


def expiry_map(expiries: Mapping[str, ExpiryLike]) -> dict[str, datetime]:
    return {name: e.expires_at for name, e in expiries.items()}
