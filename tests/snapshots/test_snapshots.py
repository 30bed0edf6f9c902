"""Snapshots of the main screen, the MFA modal, the help screen and the Switch role form,
at the usual 140x40 and at 80x24 (issue 9 §4), and the form at 120x30 too.

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

import pytest
from tests.tui.fakes import DATA
from tests.tui.fakes import sample_app as _sample_app

# utc_tz: autouse, times on screen in UTC
from tests.tui.helpers import SIZE, SMALL, utc_tz  # noqa: F401
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


#: the usual size and the smallest
SIZES = pytest.mark.parametrize("size", [SIZE, SMALL], ids=["140x40", "80x24"])


@SIZES
def test_main_screen(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto(pilot, "audit-deep")

    assert snap_compare(sample_app(), terminal_size=size, run_before=run_before)


def test_main_screen_details_folded_out_at_80x24(snap_compare: Callable[..., bool]) -> None:
    """``p`` shows the profile's details in place of the status panel."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto(pilot, "audit-deep")
        await pilot.press("p")

    assert snap_compare(sample_app(), terminal_size=SMALL, run_before=run_before)


@SIZES
def test_main_screen_filtered(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    assert snap_compare(
        sample_app(), terminal_size=size, run_before=ready, press=["slash", "a", "u", "d"]
    )


@SIZES
def test_mfa_modal(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto(pilot, "prod-admin")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("0", "4", "2")

    assert snap_compare(sample_app(), terminal_size=size, run_before=run_before)


@SIZES
def test_help_screen(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    assert snap_compare(sample_app(), terminal_size=size, run_before=ready, press=["question_mark"])


@pytest.mark.parametrize("size", [SIZE, SMALL, (120, 30)], ids=["140x40", "80x24", "120x30"])
def test_switch_role_form(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    assert snap_compare(sample_app(), terminal_size=size, run_before=ready, press=["n"])


@SIZES
def test_switch_role_form_errors(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"12345", "tab", *"bad role", "ctrl+s")
        await pilot.pause()

    assert snap_compare(sample_app(), terminal_size=size, run_before=run_before)


def test_settings_dir_is_isolated() -> None:
    # the snapshots never read or write the user's settings
    assert os.environ["ROLECALL_CONFIG_DIR"].startswith(os.environ["HOME"])
