"""``rolecall`` as a whole process with no terminal at all, for the tests of what a
verb does when it cannot ask (guarded profiles): the process gets a session of its
own, so ``/dev/tty`` cannot be opened, and stdin is /dev/null."""

from __future__ import annotations

import subprocess
import sys

__all__ = ["rolecall"]


def rolecall(*args: str) -> subprocess.CompletedProcess[str]:
    """``rolecall ARGS`` with no terminal (its own session: /dev/tty cannot be opened)."""
    return subprocess.run(
        [sys.executable, "-m", "rolecall", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
