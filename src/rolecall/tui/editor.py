"""``e``: the highlighted profile in ``$VISUAL``/``$EDITOR``, at its line.

:func:`editor_command` is pure: it builds the argv from the environment, with
the line-number argument the editor understands (``+34`` for vi, nano, emacs and
most terminal editors; ``--goto file:34`` for VS Code; ``file:34`` for Helix and
Sublime).  :func:`suspend_editor` runs it with the UI suspended; tests replace it
(``Services.editor``).  Nothing here reads or writes the AWS files: the app
reloads them afterwards, as for any change.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

__all__ = ["editor_command", "suspend_editor"]

#: editors that take ``path:LINE``
COLON_LINE = frozenset({"hx", "helix", "subl", "sublime_text", "zed"})
#: editors that take ``--goto path:LINE``
GOTO_LINE = frozenset({"code", "code-insiders", "codium"})


def editor_command(environ: Mapping[str, str], path: str, line: int | None) -> list[str] | None:
    """The argv that opens ``path`` at ``line`` in the user's editor (None: none set).

    >>> editor_command({"EDITOR": "vim"}, "/h/.aws/config", 34)
    ['vim', '+34', '/h/.aws/config']
    >>> editor_command({"VISUAL": "code --wait", "EDITOR": "vi"}, "/c", 3)
    ['code', '--wait', '--goto', '/c:3']
    >>> editor_command({"EDITOR": "hx"}, "/c", 3), editor_command({}, "/c", 3)
    (['hx', '/c:3'], None)
    """
    raw = environ.get("VISUAL") or environ.get("EDITOR") or ""
    try:
        argv = shlex.split(raw)
    except ValueError:  # an unclosed quote: taken as one program name
        argv = [raw]
    if not argv or not argv[0]:
        return None
    program = os.path.basename(argv[0])
    if line is None:
        return [*argv, path]
    if program in GOTO_LINE:
        return [*argv, "--goto", f"{path}:{line}"]
    if program in COLON_LINE:
        return [*argv, f"{path}:{line}"]
    return [*argv, f"+{line}", path]


def _ignore_sigint(signum: int, frame: Any) -> None:
    """Ctrl+C in the editor is the editor's (a Python handler, not SIG_IGN, which
    the editor would inherit)."""


def suspend_editor(app: App[Any], argv: Sequence[str]) -> int:
    """Suspend the UI, run the editor in the terminal, resume; its exit code."""
    with app.suspend():
        previous = signal.signal(signal.SIGINT, _ignore_sigint)
        try:
            return subprocess.run(list(argv), check=False).returncode
        finally:
            signal.signal(signal.SIGINT, previous)
