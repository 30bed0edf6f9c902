"""The ``rolecall`` program: :func:`entry` (the console script) and :func:`main`.

``main`` parses the command line, runs one verb and turns every failure into
one ``rolecall: ...`` line and an exit code; it never lets a traceback out.
Short-lived verbs run without the cyclic garbage collector, and ``list``
skips freeing its profiles at exit (:func:`keep_until_exit`): both measured
on large configs (40% of ``list`` on a 50 MB config, 12 ms at 10,000 profiles).
"""

from __future__ import annotations

import errno
import os
import sys

from rolecall.cli.output import CliError, oneline, printable, warn

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse
    from collections.abc import Callable, Sequence
    from typing import NoReturn

__all__ = ["entry", "keep_until_exit", "main"]

#: Verbs that never read or write the credential cache (no cache warning hook).
_CACHE_FREE = (
    "cmd_list",
    "cmd_profile_add",
    "cmd_profile_remove",
    "cmd_shell_init",
    "cmd_prompt",
    "cmd_complete",
)
#: Verbs that run for long (a UI, a demo): they keep Python's cyclic garbage collector.
_LONG_RUNNING = (None, "cmd_demo", "cmd_pick")
#: errors only a write gives (a full disk, a quota, a file too large)
_WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)

#: Set by :func:`entry`: what a command built and need not be freed before the
#: process exits (``list`` at 10,000 profiles spends 12 ms freeing its profiles;
#: a cache hit of ``env`` spends 7 ms of CPU in the interpreter's teardown).
_keep_until_exit: list[object] | None = None


def keep_until_exit(value: object) -> None:
    """Leave ``value`` to the process exit (only when run as the program, by :func:`entry`)."""
    if _keep_until_exit is not None:
        _keep_until_exit.append(value)


def _open_std_streams() -> None:
    """A closed stdout or stderr (``rolecall list >&-``) becomes /dev/null, so that
    nothing rolecall opens later takes descriptor 1 or 2 by accident."""
    for fd, name in ((1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is not None:
            continue
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            setattr(sys, name, open(fd, "w", closefd=False))  # noqa: SIM115
        except OSError:
            pass
    # undecodable bytes from a file are printed as \udcXX escapes, never a traceback
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def _drop_stdout() -> None:
    """Point stdout at /dev/null: what is still buffered for a reader that went
    away, or a full disk, must not fail again when Python exits."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _parse(words: list[str]) -> argparse.Namespace:
    from rolecall.cli.quick import quick_args

    quick = quick_args(words)  # `env` and `credential-process`: a cache hit needs no argparse
    if quick is not None:
        return quick
    if words and words[0] in ("prompt", "__complete"):  # run by a shell at each prompt or Tab
        from rolecall.cli.shell_hooks import quick_shell_args

        quick = quick_shell_args(words)
        if quick is not None:
            return quick
    from rolecall.cli import parser

    # `rolecall list ...`: argparse will pick that command, so only it needs options
    only = words[0] if words and words[0] in parser.COMMAND_NAMES else None
    return parser.build_parser(only).parse_args(words)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code.

    Every failure is one line on stderr (``rolecall: ...``) and a non-zero code:
    2 for usage errors and unusable files, 1 for the rest, 127/126 for a command
    ``exec`` cannot start, 130 on Ctrl+C.  When the reader of stdout goes away
    (``rolecall list | head -1``) rolecall stops quietly with exit code 0.
    """
    import gc

    gc_was_enabled = gc.isenabled()
    # a short-lived command: reference counting frees what it uses, and the cyclic
    # collector only costs time (40% of `list` on a 50 MB config; collections during
    # the imports of a cache hit); a UI or a demo gets it back once parsed
    gc.disable()
    _open_std_streams()
    if "ROLECALL_ENDPOINT_CONFIG" in os.environ:  # in a child of a credentials endpoint
        from rolecall.core.serve.child_env import restore_user_files

        restore_user_files(os.environ)  # read and edit the user's config, not its copy
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        args = _parse(words)
    finally:
        if gc_was_enabled:
            gc.enable()
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    name = getattr(func, "__name__", None)
    # an untrusted cache is reported on stderr (never while a UI owns the screen)
    cache_warnings = name not in _LONG_RUNNING and name not in _CACHE_FREE
    if name not in _LONG_RUNNING:
        gc.disable()
    if cache_warnings:
        from rolecall.core.cache import trust

        trust.on_warning = warn
    try:
        return _run(func, args)
    finally:
        if cache_warnings:
            trust.on_warning = None
        if gc_was_enabled:
            gc.enable()


def _run(func: Callable[[argparse.Namespace], int] | None, args: argparse.Namespace) -> int:
    """Run the verb (the UI when there is none); every failure becomes one line and a code."""
    try:
        if func is None:
            from rolecall.cli.launch import open_tui

            return open_tui(args)
        code = func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except CliError as exc:
        sys.stderr.write(printable(f"rolecall: {exc}") + "\n")
        return exc.code
    except KeyboardInterrupt:
        sys.stderr.write("rolecall: interrupted\n")
        return 130
    except BrokenPipeError:
        # `rolecall list | head -1`: the reader went away; that is not an error.
        _drop_stdout()
        return 0
    except OSError as exc:
        # stdout on a full disk (`rolecall list > /dev/full`), or an I/O error no
        # command turned into a message of its own: one line, never a traceback
        _drop_stdout()
        what = "cannot write: " if exc.errno in _WRITE_ERRNOS else ""
        sys.stderr.write(printable(f"rolecall: {what}{oneline(exc)}") + "\n")
        return 1


def entry() -> NoReturn:
    """The ``rolecall`` program: :func:`main`, then exit with its code.

    When ``list`` has kept its profiles, or ``env`` and ``credential-process``
    their cache hit (:func:`keep_until_exit`), the process ends with ``os._exit``
    once stdout and stderr are flushed, skipping the teardown that would free
    everything one by one.  These paths start no thread, register no atexit
    handler and leave no file of their own open or buffered, so nothing is lost.
    """
    global _keep_until_exit
    _keep_until_exit = []
    code = main()
    if _keep_until_exit:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # (a closed pipe: the normal exit reports nothing either)
        else:
            os._exit(code)
    sys.exit(code)
