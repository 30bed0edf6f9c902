"""The app as ``rolecall pick`` opens it: Enter assumes and closes it, with the result kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.tui.fakes import FakeSts
from tests.tui.helpers import goto, started, status, until
from textual.widgets import Static

from rolecall.tui.app import RolecallApp
from rolecall.tui.screens.guard_confirm import GuardConfirmScreen
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


async def test_a_guarded_profile_asks_before_it_is_picked(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, settings_file: str
) -> None:
    """The picker hands credentials to the shell, as `env` does: a guarded profile asks
    first (No by default), and nothing is assumed before Yes."""
    path = Path(settings_file)
    path.write_text('guard = ["333333333333"]\n' + path.read_text())  # audit's account
    app = make_app(pick=True)
    async with started(app) as pilot:
        await goto(pilot, app, "audit")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, GuardConfirmScreen))
        await pilot.pause()
        question = app.screen.query_one("#guard-question", Static).render()
        assert "Export its credentials?" in str(question)
        await pilot.press("enter")  # No has the focus
        await until(pilot, lambda: not isinstance(app.screen, GuardConfirmScreen))
        await pilot.pause()
        assert fake_sts.calls == [] and app.picked is None and app.is_running
        assert "not confirmed: nothing done (a guarded profile)" in status(app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, GuardConfirmScreen))
        await pilot.pause()
        await pilot.press("tab", "enter")  # Yes
        await until(pilot, lambda: app.picked is not None)
    assert [c["name"] for c in fake_sts.calls] == ["audit"]
    assert getattr(app.picked, "profile", None) == "audit"
