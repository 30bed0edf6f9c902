"""Discovered SSO roles in the UI, end to end: from no config at all to a logged-in table.

The app runs with its real services (the login, the discovery, GetRoleCredentials,
the editor, the shell's endpoint) against the local IAM Identity Center fake,
driven through botocore's own clients; only the browser and the shell launcher
are replaced (``App.suspend()`` cannot run headless).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from tests import sso_helpers as h
from tests.tui.helpers import SIZE, goto, names, ready, row_of, status, until
from tests.tui.test_endpoint_tui import ServedLauncher
from textual.pilot import Pilot
from textual.widgets import Input

from rolecall.core.sso import discovery
from rolecall.core.sso.discovery import Discovery, Role
from rolecall.core.sso.session import SsoSession
from rolecall.fakes.sso import FakeSso
from rolecall.settings import load_settings
from rolecall.tui.app import RolecallApp
from rolecall.tui.flows.discovery import DISCOVERY_GROUP
from rolecall.tui.screens.sso_login import SsoLoginScreen
from rolecall.tui.screens.switch_role import SwitchRoleScreen
from rolecall.tui.services import Services

CORP = SsoSession(h.SESSION, h.START_URL, h.REGION)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSso]:
    # every login is approved 0.3 s after it starts, as a person would in the browser
    yield from h.running_fake(monkeypatch, auto_approve_after=0.3)


def make_app(**services: Any) -> RolecallApp:
    """The app on ``~/.aws/config``, with its real services but the browser and shell."""
    services.setdefault("browser", lambda url: False)
    services.setdefault("launcher", lambda app, argv, env, typed: 0)
    settings = load_settings()
    settings.notify_assume = settings.notify_expiry = False
    return RolecallApp(None, None, services=Services(**services), settings=settings)


def kinds(app: RolecallApp) -> dict[str, str]:
    return {row.name: row.kind for row in app.main.table.rows}


def discovered(app: RolecallApp) -> list[str]:
    return [name for name, kind in kinds(app).items() if kind == "sso·new"]


async def settle(pilot: Pilot[Any], app: RolecallApp) -> None:
    await until(pilot, lambda: not app.assumes and all(w.is_finished for w in app.workers), 20)
    await pilot.pause()


async def test_from_no_config_to_a_logged_in_table(home: Path, fake: FakeSso) -> None:
    config = home / ".aws" / "config"
    config.unlink()  # nothing at all
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        assert names(app) == []
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SwitchRoleScreen)
        assert form.kind == "sso"  # no profile yet: a role would need a source profile
        assert form.focused is form.query_one("#sso-url", Input)
        await pilot.press(*h.START_URL, "tab", *h.REGION, "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SsoLoginScreen), 10)
        # the fake approves it: the modal closes, then the roles are listed
        await until(pilot, lambda: not isinstance(app.screen, SsoLoginScreen), 15)
        await until(pilot, lambda: len(discovered(app)) == 3, 15)
        await settle(pilot, app)

        session = botocore.session.Session().full_config["sso_sessions"]["d-9067a1b2c3"]
        assert session == {
            "sso_start_url": h.START_URL,
            "sso_region": h.REGION,
            "sso_registration_scopes": "sso:account:access",
        }
        assert discovered(app) == [
            "development-admin",
            "development-readonly",
            "production-readonly",
        ]
        row = row_of(app, "production-readonly")
        assert "sso·new" in row and "100000000001 Production" in row and "ReadOnly" in row
        assert re.search(r" 7:5\d:\d\d$", row)  # the countdown of the token (8 hours)
        # (the rows and the status line come in two messages: wait for the line too)
        listed = "sso-session d-9067a1b2c3: 3 role(s) in 2 account(s)"
        await until(pilot, lambda: listed in status(app), 10)
        text = status(app)
        assert "[sso-session d-9067a1b2c3] added to" in text
        assert "logged in to IAM Identity Center" in text

        # Enter: the role's credentials, straight from the portal
        await goto(pilot, app, "production-readonly")
        await pilot.press("enter")
        await settle(pilot, app)
        result = app.sessions["production-readonly"]
        assert result.account_id == "100000000001" and not result.from_cache
        assert fake.count("GetRoleCredentials", 200) == 1

        # a: it becomes a profile, named as shown, and the cursor stays on it
        before = config.read_bytes()
        await pilot.press("a")
        await until(pilot, lambda: kinds(app).get("production-readonly") == "sso", 10)
        await settle(pilot, app)
        assert config.read_bytes().startswith(before)
        profiles = botocore.session.Session().full_config["profiles"]
        assert profiles["production-readonly"] == {
            "sso_session": "d-9067a1b2c3",
            "sso_account_id": "100000000001",
            "sso_role_name": "ReadOnly",
            "region": h.REGION,
            "rolecall_populated": "true",
        }
        assert app.main.highlighted == "production-readonly"
        assert discovered(app) == ["development-admin", "development-readonly"]
        assert "100000000001 Production" in row_of(app, "production-readonly")


@pytest.fixture
def aws_config() -> str:
    return h.CONFIG


async def test_discovery_never_delays_the_first_frame(home: Path, fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session()))
    fake.latency = 0.4  # every portal call: three in a row, at least 1.2 s
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert names(app) == ["base", "dev", "legacy"]
        listing = [w for w in app.workers if w.group == DISCOVERY_GROUP]
        assert listing and not listing[0].is_finished
        assert discovered(app) == []
        await until(pilot, lambda: discovered(app) != [], 15)
        # `dev` covers Development/Admin; its row names its account
        assert discovered(app) == ["development-readonly", "production-readonly"]
        assert "100000000000 Development" in row_of(app, "dev")
        title = str(app.main.query_one("#table-box").border_title)
        assert "2 of them discovered (SSO)" in title


async def test_a_discovered_role_logs_in_first_when_needed(home: Path, fake: FakeSso) -> None:
    """Logged out: the rows of the last discovery show, with `login` in Expires;
    Enter logs in (the modal), then fetches the role's credentials."""
    roles = (Role("Production", "100000000001", "ReadOnly"),)
    discovery.write_cache(CORP, Discovery(roles, datetime.now(UTC)), ttl=60)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: discovered(app) == ["production-readonly"], 10)
        assert row_of(app, "production-readonly").endswith("login")
        await goto(pilot, app, "production-readonly")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SsoLoginScreen), 10)
        await until(pilot, lambda: "production-readonly" in app.sessions, 15)
        await settle(pilot, app)
        assert app.sessions["production-readonly"].account_id == "100000000001"
        assert fake.count("CreateToken", 200) == 1
        assert not row_of(app, "production-readonly").endswith("login")


async def test_the_shell_of_a_discovered_role_is_served(home: Path, fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session()))
    launcher = ServedLauncher()
    app = make_app(launcher=launcher)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: "production-readonly" in discovered(app), 10)
        await goto(pilot, app, "production-readonly")
        await pilot.press("s")
        await settle(pilot, app)
        [env] = launcher.envs
        [(code, document)] = launcher.answers
        creds = app.sessions["production-readonly"].credentials
        assert code == 200 and document["AccessKeyId"] == creds.access_key_id
        assert document["AccountId"] == "100000000001"
        assert "AWS_SECRET_ACCESS_KEY" not in env and env["AWS_PROFILE"] == "rolecall-endpoint"
        assert env["ROLECALL_PROFILE"] == "production-readonly"
        assert "shell exited with code 0" in status(app)
        await pilot.press("x")  # no profile to log out of: it says how
        await pilot.pause()
        assert f"rolecall sso logout --sso-session {h.SESSION}" in status(app)
        await pilot.press("c")  # the console link is made for a profile
        await pilot.pause()
        assert "the console needs a profile" in status(app)


async def test_a_on_a_profile_says_so(home: Path, fake: FakeSso) -> None:
    before = (home / ".aws" / "config").read_bytes()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await goto(pilot, app, "dev")
        await pilot.press("a")
        await settle(pilot, app)
        assert "already a profile" in status(app)
    assert (home / ".aws" / "config").read_bytes() == before


async def test_a_guard_on_the_account_guards_its_discovered_roles(
    home: Path, fake: FakeSso
) -> None:
    """`s` on a discovered role in a guarded account asks first; No opens nothing."""
    from rolecall.core.guard import GuardRules
    from rolecall.tui.screens.guard_confirm import GuardConfirmScreen

    h.write_token(h.token_document(fake.issue_session()))
    launcher = ServedLauncher()
    app = make_app(launcher=launcher)
    app.settings.guard_rules = GuardRules(["100000000001"])
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: "production-readonly" in discovered(app), 10)
        await goto(pilot, app, "production-readonly")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, GuardConfirmScreen), 10)
        await pilot.press("escape")
        await settle(pilot, app)
        assert launcher.envs == [] and "production-readonly" not in app.sessions
        assert "not confirmed" in status(app)
