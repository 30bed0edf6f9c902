"""What the TUI hardening tests add to the shared harness (tests/tui/helpers.py):
the app with its real services, run as ``rolecall.tui.run`` runs it, and
measures of event-loop lateness, ticks and notifications.

The app runs as ``rolecall.tui.run`` runs it: the cyclic GC off until the first
frame, then everything frozen (``tune_gc=True``), so that a GC pass over this
test process (moto, boto3, pytest: millions of objects) is not measured as a
stall of the app.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from textual.notifications import Notification, Notifications
from textual.pilot import Pilot

from rolecall.settings import load_settings
from rolecall.tui.app import RolecallApp
from rolecall.tui.services import Services
from tests.tui.helpers import idle_jobs, names, ready, status_lines, until

__all__ = [
    "SIZE",
    "Notes",
    "Probe",
    "Ticks",
    "idle_jobs",
    "make_app",
    "ready",
    "run_async",
    "status_lines",
    "table_names",
    "until",
]

SIZE = (140, 40)
#: the event loop's lateness must stay under this (issue 5, section 2)
MAX_LATENESS = 0.100


def run_async(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``main()`` in a fresh loop with the GC handled as ``rolecall.tui.run`` does."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        asyncio.run(main())
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def make_app(
    config: str | None = None,
    credentials: str | None = None,
    services: Services | None = None,
    **kwargs: Any,
) -> RolecallApp:
    """The app with its real services (STS, cache, files); only the shell is faked."""
    return RolecallApp(
        config,
        credentials,
        services=services or Services(launcher=lambda app, argv, env, typed: 0),
        settings=load_settings(),
        tune_gc=True,
        **kwargs,
    )


class Ticks:
    """Records when the app's one-second tick runs (install before the app starts)."""

    def __init__(self, app: RolecallApp) -> None:
        self.times: list[float] = []
        inner = app.tick

        def tick() -> None:
            self.times.append(time.monotonic())
            inner()

        app.tick = tick  # type: ignore[method-assign]

    def between(self, start: float, end: float) -> list[float]:
        return [t for t in self.times if start <= t <= end]

    def lateness(self, start: float = 0.0, end: float = float("inf")) -> float:
        """How much longer than one second the longest gap between two ticks was
        (the second of them between ``start`` and ``end``)."""
        gaps = [
            b - a for a, b in zip(self.times, self.times[1:], strict=False) if start <= b <= end
        ]
        return max(gaps, default=1.0) - 1.0


@dataclass
class Note:
    message: str
    title: str
    severity: str


class Notes(list[Note]):
    """Every notification the app shows, as shown (Textual drops them when they time out)."""

    def __init__(self, app: RolecallApp) -> None:
        super().__init__()
        shown = app._notifications
        inner = shown.add

        def add(notification: Notification) -> Notifications:
            self.append(Note(notification.message, notification.title, notification.severity))
            return inner(notification)

        shown.add = add  # type: ignore[method-assign]


class Probe:
    """A 5 ms ``call_at`` chain on the event loop, recording how late each call ran.

    The same measurement as ``bench/bench_tui.py stall``.
    """

    INTERVAL = 0.005

    def __init__(self) -> None:
        #: (when, lateness in seconds)
        self.samples: list[tuple[float, float]] = []
        self._loop = asyncio.get_running_loop()
        self._running = False
        self.start_time = 0.0
        self.end_time = 0.0

    def start(self) -> Probe:
        self._running = True
        self.start_time = time.monotonic()
        now = self._loop.time()
        self._loop.call_at(now + self.INTERVAL, self._probe, now + self.INTERVAL)
        return self

    def _probe(self, expected: float) -> None:
        now = self._loop.time()
        self.samples.append((time.monotonic(), now - expected))
        if self._running:
            self._loop.call_at(now + self.INTERVAL, self._probe, now + self.INTERVAL)

    def stop(self) -> float:
        """Stop; returns the largest lateness in seconds."""
        self._running = False
        self.end_time = time.monotonic()
        return self.lateness()

    def lateness(self, start: float = 0.0, end: float = float("inf")) -> float:
        """The largest lateness of the calls made between ``start`` and ``end``."""
        return max((late for when, late in self.samples if start <= when <= end), default=0.0)

    def count(self, start: float = 0.0, end: float = float("inf")) -> int:
        return sum(1 for when, _ in self.samples if start <= when <= end)


def table_names(app: RolecallApp) -> list[str]:
    return names(app)


Step = Callable[[Pilot[Any], RolecallApp], Awaitable[None]]
