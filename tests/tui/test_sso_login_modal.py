"""The SSO login from the table: ``login`` in Expires, the modal, then the assume."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from tests.tui.fakes import FakeAssumeError, FakeClock, FakeSts
from tests.tui.helpers import goto, row_of, started, status
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from rolecall.core.sso.errors import DEVICE_EXPIRED, SsoError
from rolecall.core.sso.login import DeviceCode
from rolecall.tui.app import RolecallApp
from rolecall.tui.screens.sso_login import SsoLoginScreen

URL = "https://device.sso.eu-west-1.amazonaws.com/?user_code=WXYZ-ABCD"


class FakeLogin:
    """``Services.sso_login``: gives a device code, then waits to be approved or cancelled."""

    def __init__(self, clock: FakeClock, fail: Exception | None = None) -> None:
        self.clock = clock
        self.fail = fail
        self.approved = threading.Event()
        self.calls: list[str] = []
        self.cancelled = threading.Event()
        #: set by the test's end, so that a failing test never leaves the thread waiting
        self.abandoned = threading.Event()

    def __call__(
        self, profiles: Any, name: str, on_code: Callable[[Any], None], cancel: threading.Event
    ) -> None:
        self.calls.append(name)
        on_code(
            DeviceCode(URL.split("?")[0], URL, "WXYZ-ABCD", self.clock() + timedelta(minutes=10), 5)
        )
        while not self.approved.wait(0.02):
            if self.abandoned.is_set():
                raise SsoError("test over", None, "SsoCancelled")
            if cancel.is_set():
                self.cancelled.set()
                raise SsoError("login cancelled", None, "SsoCancelled")
        if self.fail is not None:
            raise self.fail


@asynccontextmanager
async def abandon_at_end(login: FakeLogin) -> AsyncIterator[None]:
    try:
        yield
    finally:
        login.abandoned.set()


async def settle(pilot: Pilot[Any], app: RolecallApp) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def until_modal(pilot: Pilot[Any], app: RolecallApp) -> SsoLoginScreen:
    for _ in range(200):
        await pilot.pause(0.02)
        screen = app.screen
        if isinstance(screen, SsoLoginScreen) and screen.code is not None:
            return screen
    screen = app.screen
    raise AssertionError(f"no code shown: {type(screen).__name__} {getattr(screen, 'code', '-')}")


async def test_login_in_expires_without_a_token(make_app: Callable[..., RolecallApp]) -> None:
    app = make_app(services={"expiries": lambda profiles, now=None: {}})
    async with started(app):
        assert row_of(app, "sso-readonly").endswith("login")
        assert not row_of(app, "dev").endswith("login")  # only SSO profiles log in


async def test_enter_logs_in_then_assumes(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, clock: FakeClock
) -> None:
    login = FakeLogin(clock)
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        return True

    fake_sts.failures["sso-readonly"] = FakeAssumeError(
        "SSO session expired: run `rolecall sso login sso-readonly`", None, "SsoExpired"
    )
    app = make_app(services={"sso_login": login, "browser": browser})
    async with started(app) as pilot, abandon_at_end(login):
        await goto(pilot, app, "sso-readonly")
        await pilot.press("enter")
        screen = await until_modal(pilot, app)
        shot = app.export_screenshot().replace("&#160;", " ")
        assert "W X Y Z - A B C D" in shot and "user_code=WXYZ-ABCD" in shot
        assert "a browser is opening it" in shot
        assert "The code expires in 10:00" in shot
        keys = [f"{k.key_display} {k.description}" for k in screen.query(FooterKey)]
        assert keys == ["esc Cancel"]  # the dialog's own keys (issue 9 §4)
        assert opened == [URL]
        assert login.calls == ["sso-readonly"]
        del fake_sts.failures["sso-readonly"]  # the token is there now
        login.approved.set()
        await settle(pilot, app)
        assert not isinstance(app.screen, SsoLoginScreen)
        assert screen.cancel.is_set() is False
        assert [c["name"] for c in fake_sts.calls] == ["sso-readonly", "sso-readonly"]
        assert "sso-readonly" in app.sessions
        assert "logged in to IAM Identity Center" in status(app)


async def test_escape_cancels_the_login(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, clock: FakeClock
) -> None:
    login = FakeLogin(clock)
    fake_sts.failures["sso-readonly"] = FakeAssumeError("expired", None, "SsoExpired")
    app = make_app(services={"sso_login": login, "browser": lambda url: False})
    async with started(app) as pilot, abandon_at_end(login):
        await goto(pilot, app, "sso-readonly")
        await pilot.press("enter")
        await until_modal(pilot, app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert login.cancelled.wait(2)
        assert not isinstance(app.screen, SsoLoginScreen)
        assert "SSO login cancelled; nothing assumed" in status(app)
        assert len(fake_sts.calls) == 1 and "sso-readonly" not in app.sessions
        assert not app.busy("sso-readonly")


async def test_a_failed_login_is_one_line_and_no_loop(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, clock: FakeClock
) -> None:
    expired = SsoError("the login was not approved in time", "run the login again", DEVICE_EXPIRED)
    login = FakeLogin(clock, fail=expired)
    fake_sts.failures["sso-readonly"] = FakeAssumeError("expired", None, "SsoExpired")
    app = make_app(services={"sso_login": login, "browser": lambda url: False})
    async with started(app) as pilot, abandon_at_end(login):
        await goto(pilot, app, "sso-readonly")
        await pilot.press("enter")
        await until_modal(pilot, app)
        login.approved.set()
        await settle(pilot, app)
        assert not isinstance(app.screen, SsoLoginScreen)
        assert "SSO login failed: the login was not approved in time" in status(app)
        assert len(fake_sts.calls) == 1


async def test_a_second_refusal_after_a_login_is_reported(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, clock: FakeClock
) -> None:
    login = FakeLogin(clock)
    login.approved.set()
    fake_sts.failures["sso-readonly"] = FakeAssumeError("SSO session expired", None, "SsoExpired")
    app = make_app(services={"sso_login": login, "browser": lambda url: False})
    async with started(app) as pilot:
        await goto(pilot, app, "sso-readonly")
        await pilot.press("enter")
        for _ in range(100):
            await settle(pilot, app)
            if len(fake_sts.calls) >= 2 and not isinstance(app.screen, SsoLoginScreen):
                break
        assert len(fake_sts.calls) == 2 and login.calls == ["sso-readonly"]
        assert "SSO session expired" in status(app)
