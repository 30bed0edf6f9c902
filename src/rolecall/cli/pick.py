"""``rolecall pick``: the terminal UI as a picker, for the ``rc`` shell function.

Enter assumes the highlighted profile and closes the UI; then, and only then,
the export lines (``rolecall env``'s, in ``--format``) are written to
``--output-fd N`` (a pipe the shell function reads) or ``--output-file F`` (a
private temporary file), never to the terminal: a descriptor or a stdout that
is a terminal is refused before the UI opens.  Quitting without picking writes
nothing and exits with code 1.
"""

from __future__ import annotations

import os
import sys

from rolecall.cli.output import CliError

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

__all__ = ["cmd_pick"]


def _check_target(args: argparse.Namespace) -> None:
    """Refuse, before the UI opens, a target the credentials must not or cannot go to."""
    fd: int | None = args.output_fd
    if fd is not None and args.output_file is not None:
        raise CliError("pick: give --output-fd or --output-file, not both")
    if args.output_file is not None:
        directory = os.path.dirname(os.path.abspath(args.output_file))
        if not os.path.isdir(directory):
            raise CliError(f"pick: --output-file: no directory {directory}")
        return
    target = 1 if fd is None else fd
    what = "stdout" if fd is None else f"--output-fd {fd}"
    try:
        os.fstat(target)
    except OSError:
        raise CliError(f"pick: {what} is not an open file descriptor") from None
    if os.isatty(target):
        raise CliError(
            f"pick: {what} is a terminal, and the credentials are never written to one; "
            "use --output-fd N or --output-file F (as the `rc` function of "
            "`rolecall shell-init` does)"
        )


def _write(args: argparse.Namespace, text: str) -> None:
    data = text.encode()
    if args.output_file is not None:
        from rolecall.core.fsutil import atomic_write

        atomic_write(args.output_file, data, 0o600, follow_symlinks=False)
        return
    fd = 1 if args.output_fd is None else args.output_fd
    if fd == 1:
        sys.stdout.flush()
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    if fd > 2:
        os.close(fd)


def cmd_pick(args: argparse.Namespace) -> int:
    from rolecall.cli.launch import check_tui_files
    from rolecall.core.shell import format_env

    _check_target(args)
    check_tui_files(args)
    try:
        from rolecall.tui import pick
    except ImportError:
        raise CliError("pick: the terminal UI is not available in this build") from None
    result = pick(config=args.config, credentials=args.credentials)
    if result is None:
        return 1
    # A guarded profile was confirmed in the UI's modal before it was assumed (Enter
    # is an "export" there); `rc PROFILE` goes through `rolecall env`, which asks itself.
    _write(args, format_env(result, args.format))
    return 0
