"""rolecall's terminal UI (Textual).

``rolecall`` with no command calls :func:`run`; nothing here is imported by
``rolecall list`` or by ``rolecall.core``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["pick", "run", "stuck_workers"]


def run(config: str | None = None, credentials: str | None = None) -> int:
    """Open the app on the user's AWS files; returns the exit code."""
    import gc

    # No GC passes while start-up allocates (10,000 profiles are ~1M objects);
    # the app freezes them and turns the GC back on after its first frame.
    gc.disable()
    from rolecall.tui.app import RolecallApp

    app = RolecallApp(config, credentials, tune_gc=True)
    code = int(app.run() or 0)
    if stuck_workers():
        # A thread cannot be killed, and Python's exit joins the pool's threads: a
        # worker stuck in a read (a FIFO in the cache, a credential_process that
        # hangs) would keep the process alive after the UI closed (issue 14).
        import os
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def stuck_workers(grace: float = 0.5) -> list[str]:
    """The names of the worker pool's threads still running once the app has closed
    (idle ones end by themselves, given ``grace`` seconds in all)."""
    import threading
    import time

    from rolecall.tui.services import POOL_PREFIX

    threads = [t for t in threading.enumerate() if t.name.startswith(POOL_PREFIX)]
    deadline = time.monotonic() + grace
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [t.name for t in threads if t.is_alive()]


def pick(config: str | None = None, credentials: str | None = None) -> Any:
    """Open the app as a picker (``rolecall pick``): Enter assumes the highlighted
    profile and closes the app.  Returns its AssumeResult, or None when the app
    was quit without one."""
    import gc

    gc.disable()  # (as in run)
    from rolecall.tui.app import RolecallApp

    app = RolecallApp(config, credentials, tune_gc=True, pick=True)
    app.run()
    return app.picked
