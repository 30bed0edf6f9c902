"""What the command line writes: one-line failures, and text that cannot drive the terminal.

Every failure of a verb is a :class:`CliError` (a message and an exit code),
printed by ``program.main`` as one ``rolecall: ...`` line.  Anything read from
a file or the command line goes through :func:`printable` before it reaches
the terminal.  This module imports only ``re`` and ``sys`` (a cache hit loads it).
"""

from __future__ import annotations

import re
import sys

__all__ = ["CliError", "oneline", "printable", "warn"]


class CliError(Exception):
    """A failure with a one-line message and an exit code (never a traceback)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


#: What :func:`printable` escapes; compiled on first use, because the surrogate
#: range makes this pattern cost 1 to 5 ms to compile, more than a whole cache
#: hit spends on its own work, which prints nothing that needs it.
_UNPRINTABLE: re.Pattern[str] | None = None


def _unprintable() -> re.Pattern[str]:
    global _UNPRINTABLE
    if _UNPRINTABLE is None:
        _UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
    return _UNPRINTABLE


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control characters and undecodable bytes escaped (``\\x1b``), so
    that nothing read from a file or the command line can drive the terminal.

    >>> printable("prod\\x1b[2J"), printable("caf\\udce9")
    ('prod\\\\x1b[2J', 'caf\\\\xe9')
    """
    if text.isprintable():  # (no control character, no surrogate: nothing to escape)
        return text
    return _unprintable().sub(_escape, text)


def has_unprintable(text: str) -> bool:
    """Whether :func:`printable` would change ``text`` (one scan of a whole table)."""
    return not text.isprintable() and _unprintable().search(text) is not None


def oneline(exc: BaseException) -> str:
    """An exception as one line: ``path: strerror`` for an OSError, else its text."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename or ''}: {exc.strerror}".lstrip(": ")
    return " ".join(str(exc).split()) or type(exc).__name__


def warn(message: str) -> None:
    """``rolecall: warning: ...`` on stderr, at once."""
    sys.stderr.write(printable(f"rolecall: warning: {message}") + "\n")
    sys.stderr.flush()
