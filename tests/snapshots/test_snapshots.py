"""Snapshots of the main screen, the MFA modal, the help screen and the Switch role form.

The sample is fixed (tests/tui/data), the clock is frozen and STS is faked, so
the SVGs only change when the UI does (or when textual, pinned exactly, moves).
Update them with ``--snapshot-update`` after checking the new ones by eye.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.tui.fakes import DATA
from tests.tui.fakes import sample_app as _sample_app

# utc_tz: autouse, times on screen in UTC
from tests.tui.helpers import SIZE, utc_tz  # noqa: F401
from tests.tui.helpers import ready as _ready
from textual.pilot import Pilot

from rolecall.tui.app import RolecallApp


def sample_app() -> RolecallApp:
    """The fixed sample, read from ``$HOME/.aws`` so that the screen shows ``~/.aws/config``
    whatever folder the checkout is in (CI clones it somewhere else)."""
    aws = Path(os.environ["HOME"]) / ".aws"
    aws.mkdir(exist_ok=True)
    for name in ("config", "credentials"):
        shutil.copyfile(DATA / name, aws / name)
    return _sample_app(str(aws / "config"), str(aws / "credentials"))


async def ready(pilot: Pilot[Any]) -> None:
    """Wait for start-up (the shared harness's ``ready``)."""
    app = pilot.app
    assert isinstance(app, RolecallApp)
    await _ready(pilot, app)


async def _goto(pilot: Pilot[Any], name: str) -> None:
    app = pilot.app
    assert isinstance(app, RolecallApp)
    await ready(pilot)
    app.main.table.move_cursor_to(name)
    await pilot.pause()


def test_main_screen(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto(pilot, "audit-deep")

    assert snap_compare(sample_app(), terminal_size=SIZE, run_before=run_before)


def test_main_screen_filtered(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(
        sample_app(), terminal_size=SIZE, run_before=ready, press=["slash", "a", "u", "d"]
    )


def test_mfa_modal(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto(pilot, "prod-admin")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("0", "4", "2")

    assert snap_compare(sample_app(), terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(sample_app(), terminal_size=SIZE, run_before=ready, press=["question_mark"])


def test_switch_role_form(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(sample_app(), terminal_size=SIZE, run_before=ready, press=["n"])


def test_switch_role_form_errors(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"12345", "tab", *"bad role", "ctrl+s")
        await pilot.pause()

    assert snap_compare(sample_app(), terminal_size=SIZE, run_before=run_before)


def test_settings_dir_is_isolated() -> None:
    # the snapshots never read or write the user's settings
    assert os.environ["ROLECALL_CONFIG_DIR"].startswith(os.environ["HOME"])
