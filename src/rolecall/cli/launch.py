"""The verbs that open something long-running: the terminal UI and ``rolecall demo``.

Textual (and moto, for the demo) are imported only here, only when opened,
so that no other verb pays for them.
"""

from __future__ import annotations

import os

from rolecall.cli.files import check_files
from rolecall.cli.output import CliError

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

__all__ = ["check_tui_files", "cmd_demo", "open_tui"]


def open_tui(args: argparse.Namespace) -> int:
    """Open the terminal UI; files it can never read stop it before the UI starts.

    A directory, a symlink loop or an unreadable file where a config or
    credentials file should be is one ``rolecall: ...`` line and exit code 2
    (the UI would only show an empty table).  Problems inside the files are
    shown by the UI itself, which stays usable.
    """
    check_tui_files(args)
    try:
        from rolecall.tui import run
    except ImportError:
        raise CliError(
            "the terminal UI is not available in this build; try `rolecall list`"
        ) from None
    result: int = run(config=args.config, credentials=args.credentials)
    return result


def check_tui_files(args: argparse.Namespace) -> None:
    """Refuse files the UI can never read (one line, exit code 2), before it starts."""
    from rolecall.core.config import config_path, credentials_path

    check_files(args)
    for what, path in (
        ("config file", config_path(args.config)),
        ("credentials file", credentials_path(args.credentials)),
    ):
        if not os.path.isfile(path):
            continue  # no file (a FIFO too, as for botocore): no profiles from it
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            raise CliError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def cmd_demo(args: argparse.Namespace) -> int:
    try:
        from rolecall.demo import run_demo
    except ImportError as exc:
        raise CliError(
            f"the demo needs the 'demo' extra ({exc.name} is missing): pip install 'rolecall[demo]'"
        ) from None
    return run_demo(no_tui=args.no_tui)
