"""rolecall's terminal UI (Textual).

``rolecall`` with no command calls :func:`run`; nothing here is imported by
``rolecall list`` or by ``rolecall.core``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["pick", "run"]


def run(config: str | None = None, credentials: str | None = None) -> int:
    """Open the app on the user's AWS files; returns the exit code."""
    import gc

    # No GC passes while start-up allocates (10,000 profiles are ~1M objects);
    # the app freezes them and turns the GC back on after its first frame.
    gc.disable()
    from rolecall.tui.app import RolecallApp

    app = RolecallApp(config, credentials, tune_gc=True)
    result = app.run()
    return int(result or 0)


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
