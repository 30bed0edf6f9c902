"""Counts in words: ``1 profile``, ``2 profiles``; never ``1 profiles`` or ``problem(s)``.

One rule for the command line, ``doctor`` and the terminal UI.  English nouns
only need an ``s`` here, or the plural form given.
"""

from __future__ import annotations

__all__ = ["plural"]


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``count`` and ``noun``, in the singular for 1 and in the plural otherwise.

    >>> plural(1, "profile"), plural(0, "problem"), plural(10000, "profile")
    ('1 profile', '0 problems', '10,000 profiles')
    >>> plural(2, "entry", "entries")
    '2 entries'
    """
    word = noun if count == 1 else (many or noun + "s")
    return f"{count:,} {word}"
