"""The one TUI test harness, shared by tests/tui, tests/snapshots and the TUI
hardening tests: building the app, waiting for start-up (for what a test needs,
never for the result of the boto3 warm-up), queueing keys as a terminal delivers
them, reading the table and the status panel, and a fixed time zone.

tests/hardening/_tui.py adds only what measures the app (event-loop lateness,
ticks, notifications) and the app with its real services."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from rolecall.settings import load_settings
from rolecall.tui.app import RolecallApp
from rolecall.tui.services import Services

__all__ = [
    "SIZE",
    "SMALL",
    "build_app",
    "goto",
    "idle_jobs",
    "keys_done",
    "names",
    "ready",
    "row_of",
    "started",
    "status",
    "status_lines",
    "terminal_key",
    "type_at_once",
    "until",
    "utc_tz",
]

SIZE = (140, 40)


@pytest.fixture(autouse=True)
def utc_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times on screen in UTC, whatever the machine's zone (import it to use it)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def build_app(
    aws_files: tuple[str, str], settings_file: str, services: Services, **kwargs: Any
) -> RolecallApp:
    """The app on the config and credentials ``aws_files``, with ``services``."""
    return RolecallApp(
        aws_files[0],
        aws_files[1],
        services=services,
        settings=load_settings(settings_file),
        **kwargs,
    )


def names(app: RolecallApp) -> list[str]:
    return [row.name for row in app.main.table.rows]


def row_of(app: RolecallApp, name: str) -> str:
    return app.main.table.row_text(names(app).index(name))


async def goto(pilot: Pilot[Any], app: RolecallApp, name: str) -> None:
    assert app.main.table.move_cursor_to(name)
    await pilot.pause()


async def until(
    pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 10, step: float = 0.02
) -> float:
    """Wait until ``condition()``; returns the seconds it took (fails after ``timeout``)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not true after {timeout} s: {condition}")
        await pilot.pause(step)
    return time.monotonic() - start


async def ready(pilot: Pilot[Any], app: RolecallApp, timeout: float = 30) -> None:
    """Wait for start-up: the profiles, the first cache read, and the workers started
    with them finished.

    The boto3 warm-up is waited for (a test that measures the event loop must not
    measure it) but its result is not: its failure (botocore refusing a config the
    app reads fine) is ignored by the app on purpose, and so it is here.
    """
    await pilot.pause()
    await until(pilot, lambda: not app.loading.reloading, timeout)
    await until(pilot, lambda: all(w.is_finished for w in app.workers), timeout)
    await pilot.pause()


async def idle_jobs(pilot: Pilot[Any], app: RolecallApp, timeout: float = 30) -> None:
    """Wait until no assume runs or waits, and the workers have finished."""
    await pilot.pause()
    await until(pilot, lambda: not app.assumes, timeout)
    await until(pilot, lambda: all(w.is_finished for w in app.workers), timeout)
    await pilot.pause()


#: the smallest terminal the UI is made for (issue 9 §4)
SMALL = (80, 24)


@asynccontextmanager
async def started(
    app: RolecallApp, size: tuple[int, int] = SIZE, *, notifications: bool = False
) -> AsyncIterator[Pilot[Any]]:
    """``app.run_test(size=size)``, once the app is :func:`ready` (toasts are drawn
    only when asked: Textual's tests leave them out)."""
    async with app.run_test(size=size, notifications=notifications) as pilot:
        await ready(pilot, app)
        yield pilot


def status(app: RolecallApp) -> str:
    return "\n".join(app.main.status.lines_text)


def status_lines(app: RolecallApp) -> list[str]:
    return list(app.main.status.lines_text)


#: the character a terminal sends with a named key (None: an escape sequence)
_CHARACTERS = {
    "enter": "\r",
    "tab": "\t",
    "escape": "\x1b",
    "backspace": "\x7f",
    "space": " ",
    "slash": "/",
    "question_mark": "?",
}


def terminal_key(key: str) -> events.Key:
    """The Key event Textual makes of what a terminal sends for ``key`` (a key name as
    in BINDINGS: ``j``, ``G``, ``down``, ``ctrl+p``, ``enter``, ``slash``)."""
    if len(key) == 1:
        return events.Key(key, key)
    if key.startswith("ctrl+") and len(key) == 6 and key[-1].isalpha():
        return events.Key(key, chr(ord(key[-1]) & 0x1F))
    return events.Key(key, _CHARACTERS.get(key))


def type_at_once(app: RolecallApp, *keys: str) -> None:
    """Queue ``keys`` before the app handles any of them, as a fast typist, a paste, a
    key macro or ``tmux send-keys`` deliver them (``pilot.press`` waits after each key)."""
    for key in keys:
        app.post_message(terminal_key(key))


async def keys_done(pilot: Pilot[Any], app: RolecallApp, timeout: float = 10) -> None:
    """Wait until every key typed is done, then for the work they started."""
    deadline = time.monotonic() + timeout
    await pilot.pause()
    while (app.keys_pending or app.keys_held) and time.monotonic() < deadline:
        await pilot.pause(0.01)
    assert not app.keys_pending, f"{app.keys_pending} key(s) still pending"
    assert not app.keys_held, "keys still held (a shell that never opened?)"
    await app.workers.wait_for_complete()
    await pilot.pause()
