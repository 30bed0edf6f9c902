"""The app as ``rolecall pick`` opens it: Enter assumes and closes it, with the result kept."""

from __future__ import annotations

from collections.abc import Callable

from tests.tui.fakes import FakeSts
from tests.tui.helpers import goto, started, until

from rolecall.tui.app import RolecallApp
from rolecall.tui.screens.mfa import MfaScreen


async def test_enter_picks_the_highlighted_profile(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    app = make_app(pick=True)
    async with started(app) as pilot:
        assert "Enter sets the profile" in app.title
        await goto(pilot, app, "audit")
        await pilot.press("enter")
        await until(pilot, lambda: app.picked is not None)
    assert [c["name"] for c in fake_sts.calls] == ["audit"]
    assert getattr(app.picked, "profile", None) == "audit"
    assert app.return_code == 0


async def test_mfa_then_pick(make_app: Callable[..., RolecallApp], fake_sts: FakeSts) -> None:
    app = make_app(pick=True)
    async with started(app) as pilot:
        await goto(pilot, app, "prod-admin")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen) and app.picked is None
        await pilot.press(*"123456", "enter")
        await until(pilot, lambda: app.picked is not None)
    assert getattr(app.picked, "profile", None) == "prod-admin"


async def test_quit_picks_nothing(make_app: Callable[..., RolecallApp]) -> None:
    app = make_app(pick=True)
    async with started(app) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.picked is None


async def test_without_pick_enter_keeps_the_app(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "audit")
        await pilot.press("enter")
        await until(pilot, lambda: "audit" in app.sessions)
        assert app.is_running and app.picked is None
