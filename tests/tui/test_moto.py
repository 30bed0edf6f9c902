"""Pilot tests against a real STS (moto's server behind the counting proxy).

The app runs with its real services (``rolecall.core.sts``, ``cache``, ``shell``);
only the shell launcher is faked, because ``App.suspend()`` cannot run headless.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.moto_fixtures import StsProxy
from tests.tui.fakes import FakeLauncher
from tests.tui.helpers import build_app, goto, names, row_of, started, status
from textual.pilot import Pilot

from rolecall.core.cache import entries
from rolecall.core.cache import keys as cache_keys
from rolecall.core.profiles import load_profiles
from rolecall.tui.app import RolecallApp
from rolecall.tui.screens.mfa import MfaScreen
from rolecall.tui.services import Services


@pytest.fixture
def real_app(
    aws_files: tuple[str, str], settings_file: str, launcher: FakeLauncher
) -> Callable[..., RolecallApp]:
    def make(**kwargs: Any) -> RolecallApp:
        return build_app(aws_files, settings_file, Services(launcher=launcher), **kwargs)

    return make


async def settle(pilot: Pilot[Any], app: RolecallApp, timeout: float = 20) -> None:
    await pilot.pause()  # a modal's callback (which starts the worker) runs first
    await pilot.pause()
    deadline = time.monotonic() + timeout
    while app.assumes and time.monotonic() < deadline:
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def act(pilot: Pilot[Any], app: RolecallApp, name: str, *keys: str) -> None:
    """Press ``keys`` on the row of ``name``, then wait for the assume they start."""
    await goto(pilot, app, name)
    await pilot.press(*keys)
    await settle(pilot, app)


def countdown_seconds(row: str) -> int:
    h, m, s = (["0"] + row.split()[-1].split(":"))[-3:]
    return int(h) * 3600 + int(m) * 60 + int(s)


async def test_assume_against_sts(real_app: Callable[..., RolecallApp], tui_sts: StsProxy) -> None:
    app = real_app()
    async with started(app) as pilot:
        await goto(pilot, app, "audit")
        assert row_of(app, "audit").endswith("dev")  # no credentials yet: blank Expires
        await pilot.press("enter")
        await settle(pilot, app)
        assert tui_sts.count("AssumeRole") == 2  # default -> dev -> audit
        left = countdown_seconds(row_of(app, "audit"))
        assert 3500 < left <= 3600
        text = status(app)
        assert "arn:aws:iam::111111111111:role/Developer" in text
        assert "→ arn:aws:sts::333333333333:assumed-role/Auditor/" in text
        assert "account 333333333333" in text
        # never a secret: not the root's, not the new credentials'
        secret = app.sessions["audit"].credentials.secret_access_key
        token = app.sessions["audit"].credentials.session_token
        screen = app.export_screenshot()
        for value in (secret, token, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"):
            assert value not in text and value not in screen
        # a second Enter is served from the CLI cache: no new call
        await pilot.press("enter")
        await settle(pilot, app)
        assert tui_sts.count("AssumeRole") == 2
        assert "(from cache)" in status(app)
        # r skips the cache
        await pilot.press("r")
        await settle(pilot, app)
        assert tui_sts.count("AssumeRole") == 4


async def test_mfa_against_sts(real_app: Callable[..., RolecallApp], tui_sts: StsProxy) -> None:
    app = real_app()
    async with started(app) as pilot:
        await goto(pilot, app, "prod-admin")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen)
        assert tui_sts.calls() == []
        await pilot.press(*"012345", "enter")
        await settle(pilot, app)
        codes = [r.params.get("TokenCode") for r in tui_sts.calls() if "TokenCode" in r.params]
        assert codes == ["012345"]
        serials = {
            r.params.get("SerialNumber") for r in tui_sts.calls() if r.params.get("SerialNumber")
        }
        assert serials == {"arn:aws:iam::000000000000:mfa/alice"}
        assert 3500 < countdown_seconds(row_of(app, "prod-admin")) <= 3600


async def test_mfa_cancel_sends_nothing(
    real_app: Callable[..., RolecallApp], tui_sts: StsProxy
) -> None:
    app = real_app()
    async with started(app) as pilot:
        await goto(pilot, app, "prod-admin")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot, app)
        assert tui_sts.calls() == []
        assert "MFA cancelled" in status(app)
        assert not app.busy("prod-admin")


async def test_error_shows_its_hint(
    real_app: Callable[..., RolecallApp], tui_sts: StsProxy
) -> None:
    tui_sts.fail(
        "AssumeRole", "AccessDenied", "User is not authorized to perform: sts:AssumeRole", 403
    )
    app = real_app()
    async with started(app) as pilot:
        await act(pilot, app, "dev", "enter")
        text = status(app)
        assert "AccessDenied" in text or "not authorized" in text
        assert "hint: " in text
        assert not app.busy("dev")
        assert row_of(app, "dev").endswith("default")  # still no countdown
        assert any(n.severity == "error" for n in app._notifications)


async def test_whoami_against_sts(real_app: Callable[..., RolecallApp], tui_sts: StsProxy) -> None:
    app = real_app()
    async with started(app) as pilot:
        await act(pilot, app, "dev", "i")
        assert tui_sts.count("GetCallerIdentity") == 1
        assert "whoami Account: 111111111111" in status(app)
        assert "whoami Arn: arn:aws:sts::111111111111:assumed-role/Developer/" in status(app)


async def test_shell_gets_the_environment(
    real_app: Callable[..., RolecallApp],
    tui_sts: StsProxy,
    launcher: FakeLauncher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHELL", "/bin/zsh-test")
    monkeypatch.setenv("AWS_PROFILE", "something-else")
    app = real_app()
    app.services.serve = False  # fixed keys (the endpoint's shell: test_endpoint_tui.py)
    async with started(app) as pilot:
        await act(pilot, app, "dev", "s")
        assert len(launcher.calls) == 1
        argv, env = launcher.calls[0]
        creds = app.sessions["dev"].credentials
        assert argv == ["/bin/zsh-test"]
        assert env["AWS_ACCESS_KEY_ID"] == creds.access_key_id
        assert env["AWS_SECRET_ACCESS_KEY"] == creds.secret_access_key
        assert env["AWS_SESSION_TOKEN"] == creds.session_token
        assert env["ROLECALL_PROFILE"] == "dev"
        assert env.get("AWS_PROFILE") != "something-else"


async def test_config_change_reloads_and_keeps_the_cursor(
    real_app: Callable[..., RolecallApp], aws_files: tuple[str, str]
) -> None:
    app = real_app(poll_interval=0.1)
    async with started(app) as pilot:
        await goto(pilot, app, "audit")
        with open(aws_files[0], "a") as fh:
            fh.write(
                "\n[profile aaa-new]\nrole_arn = arn:aws:iam::999999999999:role/New\n"
                "source_profile = default\n"
            )
        deadline = time.monotonic() + 2
        while "aaa-new" not in names(app) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert "aaa-new" in names(app)
        assert app.main.highlighted == "audit"


async def test_new_cli_cache_entry_shows_its_countdown(
    real_app: Callable[..., RolecallApp], aws_files: tuple[str, str]
) -> None:
    app = real_app(poll_interval=0.1)
    async with started(app) as pilot:
        await goto(pilot, app, "audit")
        profiles = load_profiles(*aws_files)
        key = cache_keys.cache_key_for(profiles["dev"])
        assert key is not None
        expires = datetime.now(UTC) + timedelta(minutes=30)
        # what `aws sts assume-role` run in another window leaves behind
        entries.write_entry(
            key,
            {
                "Credentials": {
                    "AccessKeyId": "ASIAEXAMPLE",
                    "SecretAccessKey": "x" * 40,
                    "SessionToken": "y" * 100,
                    "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
                "AssumedRoleUser": {"Arn": "arn:aws:sts::111111111111:assumed-role/Developer/x"},
            },
        )
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not row_of(app, "dev").rstrip().endswith(
            ("29:59", "30:00", "29:58")
        ):
            await pilot.pause(0.05)
        assert 1790 < countdown_seconds(row_of(app, "dev")) <= 1800
        assert app.main.highlighted == "audit"
        assert json.loads(Path(cache_keys.cli_cache_dir(), key + ".json").read_text())
