"""Helpers shared by the TUI pilot tests (tests/tui, tests/snapshots): reading the
table and the status panel, moving the cursor, waiting for start-up, a fixed time
zone and building the app from the sample files."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual.pilot import Pilot

from rolecall.settings import load_settings
from rolecall.tui.app import RolecallApp
from rolecall.tui.services import Services

__all__ = ["SIZE", "build_app", "goto", "names", "ready", "row_of", "started", "status", "utc_tz"]

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


async def ready(pilot: Pilot[Any], app: RolecallApp) -> None:
    """Wait for start-up: the profiles, then the cache read by the first reload worker."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@asynccontextmanager
async def started(app: RolecallApp) -> AsyncIterator[Pilot[Any]]:
    """``app.run_test(size=SIZE)``, once the app is :func:`ready`."""
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        yield pilot


def status(app: RolecallApp) -> str:
    return "\n".join(app.main.status.lines_text)


def type_at_once(app: RolecallApp, *keys: str) -> None:
    """Queue ``keys`` before the app handles any of them, as a fast typist or a
    paste delivers them (``pilot.press`` waits after each key)."""
    from textual import events

    chars = {"enter": None, "slash": "/", "question_mark": "?"}
    for key in keys:
        app.post_message(events.Key(key, chars.get(key, key)))
