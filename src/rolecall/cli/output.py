"""What the command line writes: one-line failures, and text that cannot drive the terminal.

Every failure of a verb is a :class:`CliError` (a message and an exit code),
printed by ``program.main`` as one ``rolecall: ...`` line.  Every line a verb
prints goes through :func:`printable` (:func:`say`, :func:`tell`, :func:`warn`
do it) before it reaches the terminal; what is printed for a shell or a program
to read (``env``, ``credential-process``, JSON) is checked or encoded instead,
so it never needs escaping.  This module imports only ``sys`` and
``rolecall.core.printable`` (a cache hit loads it).
"""

from __future__ import annotations

import sys

from rolecall.core.printable import escape, is_printable

__all__ = ["CliError", "has_unprintable", "oneline", "printable", "say", "tell", "warn"]


class CliError(Exception):
    """A failure with a one-line message and an exit code (never a traceback)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def printable(text: str) -> str:
    """``text`` as the command line shows it: every character that is not
    printable (control characters, bidi and format characters such as U+202E,
    line breaks, undecodable bytes) written as an escape (``\\x1b``), so that
    nothing read from a file, an answer or the command line can drive the
    terminal.  The rule is core's (:func:`rolecall.core.printable.escape`),
    the terminal UI's too.

    >>> printable("prod\\x1b[2J"), printable("caf\\udce9"), printable("a\\u202eb")
    ('prod\\\\x1b[2J', 'caf\\\\xe9', 'a\\\\u202eb')
    """
    return escape(text)


def has_unprintable(text: str) -> bool:
    """Whether :func:`printable` would change ``text`` (one scan of a whole table)."""
    return not is_printable(text)


def say(text: str) -> None:
    """One line on stdout, through :func:`printable`."""
    sys.stdout.write(escape(text) + "\n")


def tell(text: str) -> None:
    """One line on stderr, through :func:`printable`, at once."""
    sys.stderr.write(escape(text) + "\n")
    sys.stderr.flush()


def oneline(exc: BaseException) -> str:
    """An exception as one line: ``path: strerror`` for an OSError, else its text."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename or ''}: {exc.strerror}".lstrip(": ")
    return " ".join(str(exc).split()) or type(exc).__name__


def warn(message: str) -> None:
    """``rolecall: warning: ...`` on stderr, at once."""
    tell(f"rolecall: warning: {message}")
