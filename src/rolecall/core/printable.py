"""The one rule for text that reaches a terminal: what ``str.isprintable()`` accepts
is drawn as it is, and nothing else is.

Everything rolecall shows comes, in the end, from a file or an answer that
someone else may have written: a profile name, a region, an ``mfa_serial``, an
ARN, an error text.  A character that is not printable can drive the terminal
(ESC and the other C0 and C1 controls: ``\\x1b]52;c;...`` writes the clipboard),
reorder what is shown (bidi and other format characters such as U+202E), break
a line, or stand for a byte that was not UTF-8 (a lone surrogate).  Python's
``isprintable()`` refuses all of these, and also every space but U+0020.

The rule has two renderings, one for each way rolecall draws:

* :func:`escape`, for the command line: ``\\x1b``, ``\\u202e``, ``\\xe9`` for an
  undecodable byte, so the reader sees what the file holds;
* :func:`replace`, for the terminal UI: ``?``, or a space for another kind of
  space, so a cell keeps its width.

This module imports nothing at its top (a cache hit loads it).
"""

from __future__ import annotations

__all__ = ["escape", "is_printable", "replace"]


def is_printable(text: str) -> bool:
    """Whether ``text`` is shown as it is (by :func:`escape` and :func:`replace`).

    >>> is_printable("prod-admin"), is_printable("evil\\u202etxt"), is_printable("a\\tb")
    (True, False, False)
    """
    return text.isprintable()


def _escaped(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape(text: str) -> str:
    """``text`` with every character :func:`is_printable` refuses written as an escape.

    >>> escape("prod\\x1b[2J"), escape("caf\\udce9"), escape("evil\\u202etxt")
    ('prod\\\\x1b[2J', 'caf\\\\xe9', 'evil\\\\u202etxt')
    """
    if text.isprintable():  # (the common case: one C loop, nothing to build)
        return text
    return "".join(ch if ch.isprintable() else _escaped(ch) for ch in text)


def replace(text: str) -> str:
    """``text`` with every character :func:`is_printable` refuses drawn as ``?``
    (a space for a space that is not U+0020).

    >>> replace("a\\tb\\x1b[2J"), replace("evil\\u202etxt"), replace("no\\u00a0break")
    ('a?b?[2J', 'evil?txt', 'no break')
    """
    if text.isprintable():
        return text
    import unicodedata

    category = unicodedata.category
    return "".join(
        ch if ch.isprintable() else (" " if category(ch) == "Zs" else "?") for ch in text
    )
