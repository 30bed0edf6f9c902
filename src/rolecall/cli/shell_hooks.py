"""The verbs a shell runs for itself: ``prompt`` before every prompt, and
``__complete profiles`` at every Tab on a profile name.

Both are read without argparse (:func:`quick_shell_args`, called by
``program`` before the parser): importing argparse and building the command
table would cost more than the verb's own work.  ``prompt`` reads no file at all
(:mod:`rolecall.core.prompt`); ``__complete profiles`` reads the two AWS files
with rolecall's own parser and prints the profile names, one a line, as
botocore's ``available_profiles`` lists them (remembered between Tabs while
neither file changes).  ``prompt`` in any form the quick
reading does not take (``--help``, a mistake) goes to argparse, which words it;
``__complete`` is internal to the generated completion code and never does:
a bad line is exit code 2 and no output, as a completion must stay quiet.
"""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

from rolecall.cli.verb import Verb

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse
    from collections.abc import Sequence
    from typing import NoReturn

__all__ = [
    "HOOK_CODE",
    "cmd_complete",
    "cmd_prompt",
    "hook",
    "hook_command",
    "quick_shell_args",
]

#: The hidden verb the completion code calls.
COMPLETE = "__complete"


def quick_shell_args(words: Sequence[str]) -> argparse.Namespace | None:
    """The Namespace of a plain ``prompt [--shell S]`` or of any ``__complete`` line,
    else None (argparse decides).

    >>> quick_shell_args(["prompt", "--shell=zsh"]).shell
    'zsh'
    >>> quick_shell_args(["prompt", "--help"]) is None
    True
    """
    if not words:
        return None
    if words[0] == COMPLETE:
        ns = SimpleNamespace(command=COMPLETE, words=list(words[1:]))
        ns.func = Verb("shell_hooks", "cmd_complete")
        return ns  # type: ignore[return-value]
    if words[0] != "prompt":
        return None
    from rolecall.core.prompt import PROMPT_SHELLS

    shell = "plain"
    rest = list(words[1:])
    if rest:
        name, eq, value = rest.pop(0).partition("=")
        if name != "--shell":
            return None
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
        if rest or value not in PROMPT_SHELLS:
            return None
        shell = value
    ns = SimpleNamespace(command="prompt", shell=shell, config=None, credentials=None)
    ns.func = Verb("shell_hooks", "cmd_prompt")
    return ns  # type: ignore[return-value]


def cmd_prompt(args: argparse.Namespace) -> int:
    import time

    from rolecall.core.prompt import segment

    text = segment(os.environ, time.time(), args.shell)
    if text:
        sys.stdout.write(text)
    return 0


#: ``__complete profiles`` options, each taking a value (``--quote`` takes none).
_COMPLETE_OPTIONS = ("--config", "--credentials", "--cache", "--prefix", "--before", "--trim")
#: What bash's ``printf %q`` leaves as it is.
_SH_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,^-")


def _options(words: list[str]) -> dict[str, str] | None:
    """``--config F --credentials F --prefix P --trim T --quote`` (either spelling),
    each at most once, or None on anything else."""
    found: dict[str, str] = {}
    while words:
        name, eq, value = words.pop(0).partition("=")
        if name in found or name not in (*_COMPLETE_OPTIONS, "--quote"):
            return None
        if name == "--quote":
            if eq:
                return None
        elif not eq:
            if not words:
                return None
            value = words.pop(0)
        found[name] = value
    return found


def sh_quote(word: str) -> str:
    """``word`` as bash's ``printf %q`` writes it (a backslash before each special character).

    >>> sh_quote("with space"), sh_quote("team:dev"), sh_quote("it's")
    ('with\\\\ space', 'team:dev', "it\\\\'s")
    """
    if all(c in _SH_SAFE for c in word):
        return word
    return "".join(c if c in _SH_SAFE else "\\" + c for c in word)


def cmd_complete(args: argparse.Namespace) -> int:
    """``__complete profiles [--config F] [--credentials F] [--cache FILE] [--prefix P]
    [--before B] [--trim T] [--quote]``: the profile names that start with P, one a
    line (remembered in FILE between two Tabs: :mod:`rolecall.core.profile_names`).

    For bash, which replaces only the part of a word after its last ``:`` or ``=``:
    each name is written after B (``--source-profile=``), then T is cut from the
    start, and ``--quote`` quotes the rest as bash's ``printf %q`` would (here,
    because a bash loop over 10,000 names is slow)."""
    code, every = _complete(args.words)
    if every:
        from rolecall.cli import program

        program.keep_until_exit(every)  # 10,000 names: no freeing them one by one
    return code


def _complete(words: Sequence[str]) -> tuple[int, list[str]]:
    """:func:`cmd_complete`'s work: its exit code, and every profile name it read."""
    words = list(words)
    if not words or words.pop(0) != "profiles":
        return 2, []
    options = _options(words)
    if options is None:
        return 2, []
    from rolecall.core.profile_names import profile_names

    try:
        every = profile_names(
            options.get("--config"), options.get("--credentials"), options.get("--cache")
        )
    except Exception as exc:  # (ConfigError: its module is imported only when the files are)
        from rolecall.core.config import ConfigError

        if isinstance(exc, ConfigError):
            return 1, []
        raise
    prefix = options.get("--prefix", "")
    names = [n for n in every if n.startswith(prefix)] if prefix else every
    before, trim = options.get("--before", ""), options.get("--trim", "")
    if before or trim:
        names = [(before + n)[len(trim) :] for n in names if (before + n).startswith(trim)]
    if "--quote" in options:
        names = [sh_quote(n) for n in names]
    if names:
        sys.stdout.write("\n".join(names) + "\n")
    return 0, every


#: How the code of ``rolecall shell-init`` runs :func:`hook`: this interpreter,
#: with ``-P`` (the working directory's files never shadow rolecall's).
HOOK_CODE = "from rolecall.cli.shell_hooks import hook; hook()"


def hook_command() -> list[str]:
    """The command line that runs :func:`hook`; ``__complete ...`` or ``prompt ...`` follow."""
    return [sys.executable, "-P", "-c", HOOK_CODE]


def hook() -> NoReturn:
    """``python -P -c HOOK_CODE __complete profiles ...`` (the profile names at a Tab)
    or ``... prompt [--shell S]`` (``rolecall_prompt``): what ``rolecall __complete``
    and ``rolecall prompt`` print, without the console script (which imports ``re``)
    or :mod:`rolecall.cli.program`: a third of a Tab's cost and more of a prompt's
    (``bench/bench_completion.py``, ``bench/bench_prompt.py``).  Exit code 2 and no
    output for any other line, one line on stderr and exit code 1 on a failure,
    130 on Ctrl+C; the process ends with ``os._exit``, the names unfreed.
    """
    try:
        ns = quick_shell_args(sys.argv[1:])
        if ns is None:
            code = 2
        elif ns.command == "prompt":
            code = cmd_prompt(ns)
        else:
            code = _complete(ns.words)[0]
        sys.stdout.flush()
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        code = 0  # (the shell stopped reading)
    except Exception as exc:  # (the completion code sends stderr to /dev/null)
        sys.stderr.write(f"rolecall: {type(exc).__name__}: {exc}\n")
        code = 1
    try:
        sys.stderr.flush()
    finally:
        os._exit(code)
