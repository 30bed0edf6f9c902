"""Guarded profiles and the console in the UI (Pilot, fake STS, a fake browser).

* a guarded profile paints the header and the table's border in its colour while
  highlighted, or while its credentials assumed here are live;
* shell, console and re-assume on it ask in a confirm modal whose default is No
  (and keys typed ahead never answer Yes);
* ``c`` opens the console through a local fake federation endpoint; the link goes
  to the browser and never to the screen.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.federation_fake import FederationFake, run_federation
from tests.tui.fakes import DATA, FakeClock, FakeLauncher, FakeSts
from tests.tui.helpers import goto, keys_done, started, status, type_at_once, until
from textual.color import Color
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Header, Static

from rolecall.tui.app import RolecallApp
from rolecall.tui.guard_view import DEFAULT_GUARD_COLOR
from rolecall.tui.screens.guard_confirm import GuardConfirmScreen
from rolecall.tui.screens.help import KEYS
from rolecall.tui.screens.mfa import MfaScreen

RED = Color.parse("#ff0000")  # bright_red: prod-admin's colour in the sample settings


@pytest.fixture
def settings_file(isolated_env: Path) -> str:
    """The sample settings, with ``*prod*`` guarded."""
    import os

    path = Path(os.environ["ROLECALL_CONFIG_DIR"]) / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('guard = ["*prod*", "333333333333"]\n' + (DATA / "settings.toml").read_text())
    return str(path)


@pytest.fixture
def federation(monkeypatch: pytest.MonkeyPatch) -> Iterator[FederationFake]:
    yield from run_federation(monkeypatch)


class Browser:
    """A browser that records the URLs it is given."""

    def __init__(self, works: bool = True) -> None:
        self.urls: list[str] = []
        self.works = works

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return self.works


async def settle(pilot: Pilot[Any], app: RolecallApp) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def bar(app: RolecallApp) -> tuple[Color, str]:
    header = app.main.query_one(Header)
    subtitle = app.main.query_one("#table-box").border_subtitle
    # (the subtitle is kept as markup: what is drawn is its plain text)
    return header.styles.background, Content.from_markup(str(subtitle or "")).plain


def header_share(app: RolecallApp, fill: str) -> float:
    """The share of the header row drawn with background ``fill`` (in the SVG screenshot)."""
    svg = app.export_screenshot()
    rects = re.findall(r'<rect fill="(#[0-9a-f]+)" x="[\d.]+" y="([\d.]+)" width="([\d.]+)"', svg)
    top = min(float(y) for _, y, _ in rects)
    row = [(color, float(width)) for color, y, width in rects if float(y) == top]
    return sum(width for color, width in row if color == fill) / sum(width for _, width in row)


async def test_the_bar_follows_the_highlighted_guarded_profile(
    make_app: Callable[..., RolecallApp],
) -> None:
    app = make_app()
    async with started(app) as pilot:
        plain, _ = bar(app)
        assert plain != RED
        await goto(pilot, app, "prod-admin")
        assert bar(app) == (RED, "guarded: [prod] admin")
        assert app.main.query_one("#table-box").styles.border_top[1] == RED
        assert "guarded:&#160;[prod]&#160;admin" in app.export_screenshot()
        assert header_share(app, "#ff0000") == 1.0  # the whole header, title included
        await goto(pilot, app, "dev")
        assert bar(app) == (plain, "")
        assert header_share(app, "#ff0000") == 0.0
        # guarded by its account ID, with no colour of its own: the default red
        await goto(pilot, app, "audit")
        assert bar(app) == (Color.parse(DEFAULT_GUARD_COLOR), "guarded: audit")


async def test_the_bar_stays_while_an_assumed_guarded_profile_is_live(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, clock: FakeClock
) -> None:
    app = make_app()
    async with started(app) as pilot:
        plain, _ = bar(app)
        await goto(pilot, app, "prod-admin")
        await pilot.press("enter")  # a plain assume asks no confirmation (only the MFA code)
        await until(pilot, lambda: isinstance(app.screen, MfaScreen))
        await pilot.press(*"123456", "enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, GuardConfirmScreen | MfaScreen)
        assert [c["name"] for c in fake_sts.calls] == ["prod-admin"]
        await goto(pilot, app, "dev")
        assert bar(app) == (RED, "guarded: [prod] admin")  # assumed, and live
        clock.advance(3601)
        app.tick()
        await pilot.pause()
        assert bar(app) == (plain, "")  # its credentials expired


async def confirm_screen(pilot: Pilot[Any], app: RolecallApp) -> GuardConfirmScreen:
    await until(pilot, lambda: isinstance(app.screen, GuardConfirmScreen))
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, GuardConfirmScreen)
    return screen


async def test_shell_asks_first_and_no_is_the_default(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, launcher: FakeLauncher
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "prod-admin")
        await pilot.press("s")
        screen = await confirm_screen(pilot, app)
        text = " ".join(str(w.render()) for w in screen.query(Static))
        assert "[prod] admin (prod-admin)" in text
        assert "Account  222222222222" in text and "Role     Admin" in text
        assert 'its name matches "*prod*"' in text
        await pilot.press("escape")
        await settle(pilot, app)
        # audit: guarded by its account (no MFA code in the way)
        await goto(pilot, app, "audit")
        await pilot.press("s")
        screen = await confirm_screen(pilot, app)
        text = " ".join(str(w.render()) for w in screen.query(Static))
        assert "Account  333333333333" in text and "Role     Auditor" in text
        assert 'its account matches "333333333333"' in text
        assert "Open a shell with its credentials?" in text
        await pilot.press("enter")  # No has the focus
        await settle(pilot, app)
        assert not isinstance(app.screen, GuardConfirmScreen)
        assert fake_sts.calls == [] and launcher.calls == []
        assert "not confirmed: nothing done (a guarded profile)" in status(app)
        # Tab to Yes, Enter: the shell opens
        await pilot.press("s")
        await confirm_screen(pilot, app)
        await pilot.press("tab", "enter")
        await settle(pilot, app)
        assert len(launcher.calls) == 1
        assert launcher.calls[0][1]["AWS_ACCESS_KEY_ID"] == "ASIAFAKEFAKEFAKE0001"
        assert [c["name"] for c in fake_sts.calls] == ["audit"]


async def test_keys_typed_ahead_never_answer(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, launcher: FakeLauncher
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "audit")
        # `s` and a command for the shell, typed before the modal shows
        type_at_once(app, "s", "y", "a", "r", "n", "tab", "enter", "j")
        await confirm_screen(pilot, app)
        await keys_done(pilot, app)
        assert isinstance(app.screen, GuardConfirmScreen)  # still asking
        assert launcher.calls == [] and fake_sts.calls == []
        assert app.main.highlighted == "audit"
        assert "7 key(s) typed ahead dropped: asking first" in status(app)
        await pilot.press("n")
        await settle(pilot, app)
        assert launcher.calls == [] and fake_sts.calls == []


async def test_reassume_asks_and_escape_says_no(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "audit")
        await pilot.press("r")
        screen = await confirm_screen(pilot, app)
        assert "Assume it again, skipping the cache?" in str(
            screen.query_one("#guard-question", Static).render()
        )
        await pilot.press("escape")
        await settle(pilot, app)
        assert fake_sts.calls == []
        # unguarded profiles never ask
        await goto(pilot, app, "dev")
        await pilot.press("r")
        await settle(pilot, app)
        assert [c["name"] for c in fake_sts.calls] == ["dev"]


async def test_console_opens_the_browser_and_never_shows_the_link(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, federation: FederationFake
) -> None:
    browser = Browser()
    app = make_app(services={"browser": browser})
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("c")
        await settle(pilot, app)
        (url,) = browser.urls
        assert url.startswith(federation.url + "?Action=login&Issuer=rolecall&")
        (request,) = federation.signin_requests()
        assert request.session == {
            "sessionId": "ASIAFAKEFAKEFAKE0001",
            "sessionKey": "S3CRETS3CRETS3CRETS3CRETS3CRETS3CRETS3CR",
            "sessionToken": "T0KEN" * 40,
        }
        text = status(app)
        assert (
            "console opened in your browser as "
            "arn:aws:sts::111111111111:assumed-role/Developer/rolecall (account 111111111111)"
        ) in text
        screen = app.export_screenshot()
        for secret in (federation.tokens[0], "T0KENT0KEN", "S3CRET", "Action=login"):
            assert secret not in text and secret not in screen
        # the assume behind it counts as this session's: the row counts down
        assert fake_sts.calls[0]["name"] == "dev"
        assert "dev" in app.sessions


async def test_console_on_a_guarded_profile_asks_first(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, federation: FederationFake
) -> None:
    browser = Browser()
    app = make_app(services={"browser": browser})
    async with started(app) as pilot:
        await goto(pilot, app, "audit")
        await pilot.press("c")
        screen = await confirm_screen(pilot, app)
        assert "Open the AWS console as this role?" in str(
            screen.query_one("#guard-question", Static).render()
        )
        await pilot.press("right", "enter")
        await settle(pilot, app)
        assert len(browser.urls) == 1 and len(federation.signin_requests()) == 1


async def test_console_failures_are_said_without_secrets(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, federation: FederationFake
) -> None:
    browser = Browser(works=False)
    app = make_app(services={"browser": browser})
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("c")
        await settle(pilot, app)
        assert "no browser could be opened; `rolecall console --print` writes the link" in (
            status(app)
        )
        federation.refuse(400)
        await pilot.press("c")
        await settle(pilot, app)
        text = status(app)
        assert f"the sign-in endpoint {federation.url} refused getSigninToken (HTTP 400)" in text
        assert "S3CRET" not in text and "T0KENT0KEN" not in text
        assert len(browser.urls) == 1  # only the first link went anywhere


async def test_help_lists_the_console_key(make_app: Callable[..., RolecallApp]) -> None:
    assert any(key == "c" and "console" in what for key, what in KEYS)


def test_guard_view_loads_no_textual() -> None:
    probe = "import rolecall.tui.guard_view, sys; print('textual' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
