"""``rolecall demo``: the terminal UI in the demo's world, or (``--no-tui``, or no
UI in this build) the demo's environment printed for another terminal and a
wait until Ctrl+C, Ctrl+D or a signal.

A background job (``rolecall demo --no-tui &``) never reads the terminal: the
shell would stop it, and its STS with it.  Nor does a demo whose stdin is no
terminal (started from a script, stdin is /dev/null): it runs until a signal.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

from rolecall.demo.environment import demo_environment
from rolecall.demo.sample import DEMO_PROFILES

__all__ = ["run_demo"]

#: Shown as an ``unset`` line for another terminal (the demo itself clears every AWS_*).
_UNSET_HINT = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


def _env_lines(env: dict[str, str]) -> list[str]:
    """One command that opens ``$SHELL`` in the demo's world: the terminal it is
    pasted into keeps its own HOME and AWS settings (``exit`` goes back to them).
    Each variable is on a line of its own (``    KEY=VALUE \\``); bash, zsh and
    fish read it alike."""
    lines = ["env " + " ".join(f"-u {name}" for name in _UNSET_HINT) + " \\"]
    lines += [f"    {key}={shlex.quote(value)} \\" for key, value in env.items()]
    lines.append('    "$SHELL"')
    return lines


def _print_instructions(env: dict[str, str]) -> None:
    out = sys.stdout
    home = env["HOME"]
    out.write(
        f"rolecall demo: a local STS is listening on {env['AWS_ENDPOINT_URL_STS']}\n"
        f"rolecall demo: the sample files are in {home} (deleted when the demo stops)\n"
        "\n"
        "To try the command line, paste this into another terminal: it opens a shell in the\n"
        "demo's world (that terminal keeps its own HOME and AWS settings; `exit` leaves it):\n"
        "\n"
    )
    for line in _env_lines(env):
        out.write(line + "\n")
    out.write(
        "\n"
        "then, for example:\n"
        "\n"
        "  rolecall list\n"
        "  rolecall                                      # the terminal UI\n"
        "  aws sts get-caller-identity --profile audit   # a 3-hop chain\n"
        "  rolecall sso login sso-dev                    # approved by the demo after 3 s\n"
        "  rolecall sso roles                            # every account and role it grants\n"
        "\n"
        "Profiles:\n"
    )
    width = max(len(name) for name in DEMO_PROFILES)
    for name, what in DEMO_PROFILES.items():
        out.write(f"  {name.ljust(width)}  {what}\n")
    if _reads_terminal():
        out.write("\nPress Ctrl+C (or Ctrl+D) here to stop the demo.\n")
    else:
        out.write(f"\nThe demo runs in the background: stop it with `kill {os.getpid()}`.\n")
    out.flush()


def _reads_terminal() -> bool:
    """Whether the demo waits for Ctrl+D: stdin is a terminal, and this process
    is in its foreground.

    Not in a background job (``rolecall demo --no-tui &`` in an interactive
    shell: reading would stop the demo with SIGTTIN), nor when stdin is no
    terminal at all (``... &`` in a script gets /dev/null, which is at its end
    at once; a pipe or a file is no one typing Ctrl+D either).
    """
    stdin = sys.stdin
    try:
        fd = stdin.fileno()
        return os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp()
    except (OSError, ValueError, AttributeError):
        return False


def _wait_for_eof_or_interrupt() -> None:
    """Block until Ctrl+D or Ctrl+C on the terminal, or a signal.

    Without a terminal to read in the foreground (:func:`_reads_terminal`), the
    demo runs until a signal: ``kill``, or ``fg`` then Ctrl+C.
    """
    if not _reads_terminal():
        while True:
            signal.pause()
    fd = sys.stdin.fileno()
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return
        if not chunk:
            return


def _load_tui() -> Callable[..., int] | None:
    try:
        module = importlib.import_module("rolecall.tui")
        run: Callable[..., int] = module.run
    except (ImportError, AttributeError) as exc:
        sys.stderr.write(
            f"rolecall demo: the terminal UI is not available ({exc}); "
            "printing the demo's environment instead\n"
        )
        return None
    return run


class _Terminated(BaseException):
    """SIGTERM or SIGHUP: unwind (and clean up) like Ctrl+C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _terminate_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception, so that ``finally`` blocks run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise _Terminated(signum)

    previous: dict[int, Any] = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[sig] = signal.signal(sig, handler)
        except (OSError, ValueError):
            pass
    try:
        yield
    finally:
        for signum, old in previous.items():
            with contextlib.suppress(OSError, ValueError, TypeError):
                signal.signal(signum, old)


def run_demo(no_tui: bool = False) -> int:
    """``rolecall demo [--no-tui]``: returns the exit code."""
    home = ""
    try:
        with _terminate_on_signals(), demo_environment() as env:
            home = env["HOME"]
            run = None if no_tui else _load_tui()
            if run is not None:
                return run(config=None, credentials=None)
            _print_instructions(env)
            _wait_for_eof_or_interrupt()
    except KeyboardInterrupt:
        sys.stderr.write(f"\nrolecall demo: stopped; deleted {home or 'its files'}\n")
        return 0
    except _Terminated as exc:
        sys.stderr.write(f"rolecall demo: terminated; deleted {home or 'its files'}\n")
        return 128 + exc.signum
    gone = "deleted" if not os.path.exists(home) else "could not delete"
    sys.stdout.write(f"rolecall demo: stopped; {gone} {home}\n")
    sys.stdout.flush()
    return 0
