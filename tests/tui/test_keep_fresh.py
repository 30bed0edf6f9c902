"""keep_fresh: what was assumed in the UI is re-assumed in the background before it expires.

A frozen clock and a fake STS (tests/tui/fakes.py): the clock is moved past the
refresh margin and the app's once-a-second tick is called.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tests.tui.fakes import FakeClock, FakeSts
from tests.tui.helpers import goto, row_of, started, status_lines
from textual.pilot import Pilot

from rolecall.tui.app import RolecallApp
from rolecall.tui.screens.mfa import MfaScreen


async def settle(pilot: Pilot[Any], app: RolecallApp) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_session_near_its_expiry_is_refreshed_with_one_line(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, clock: FakeClock
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("enter")
        await settle(pilot, app)
        assert len(fake_sts.calls) == 1
        clock.advance(40 * 60)  # 20 minutes left: above the margin
        app.tick()
        await settle(pilot, app)
        assert len(fake_sts.calls) == 1
        before = len(status_lines(app))
        clock.advance(6 * 60)  # 14 minutes left: under the 15-minute margin
        app.tick()
        await settle(pilot, app)
        assert len(fake_sts.calls) == 2
        assert fake_sts.calls[1]["use_cache"] is False
        assert fake_sts.calls[1]["progress"] is None
        new = status_lines(app)[before:]
        assert len(new) == 1 and "refreshed in the background" in new[0], new
        assert app.sessions["dev"].expiration == clock() + timedelta(hours=1)
        app.tick()  # fresh again: nothing more
        await settle(pilot, app)
        assert len(fake_sts.calls) == 2


async def test_a_refresh_that_needs_mfa_marks_the_row_and_enter_asks(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, clock: FakeClock
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "prod-admin")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"123456", "enter")
        await settle(pilot, app)
        assert len(fake_sts.calls) == 1
        clock.advance(50 * 60)
        app.tick()
        await settle(pilot, app)
        assert len(fake_sts.calls) == 1  # no code, no call, no modal
        assert not isinstance(app.screen, MfaScreen)
        assert row_of(app, "prod-admin").endswith("needs MFA")
        assert any("needs an MFA code to stay fresh" in line for line in status_lines(app))
        app.tick()  # marked once: no second notice
        await settle(pilot, app)
        assert sum("needs an MFA code" in line for line in status_lines(app)) == 1
        await goto(pilot, app, "prod-admin")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen)
        await pilot.press(*"654321", "enter")
        await settle(pilot, app)
        assert len(fake_sts.calls) == 2
        assert fake_sts.calls[1]["use_cache"] is False
        assert not row_of(app, "prod-admin").endswith("needs MFA")


async def test_keep_fresh_off_refreshes_nothing(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, clock: FakeClock
) -> None:
    app = make_app()
    app.settings.keep_fresh = False
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("enter")
        await settle(pilot, app)
        clock.advance(50 * 60)
        app.tick()
        await settle(pilot, app)
        assert len(fake_sts.calls) == 1
