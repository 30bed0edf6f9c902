"""The TUI's ``s``: the shell is served by a credentials endpoint in the TUI's process.

The app runs with its real services against moto; the launcher is the only fake
(``App.suspend()`` cannot run headless), and it does what a shell would: it asks
the endpoint for credentials while the app waits for it, or runs real ``aws``
commands across the expiry of the first credentials (the expiring STS proxy).
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.expiry_proxy import ExpiryProxy
from tests.moto_fixtures import StsProxy
from tests.tui.helpers import build_app, goto, started, status
from textual.pilot import Pilot

from rolecall.tui.app import RolecallApp
from rolecall.tui.services import Services


@dataclass
class ServedLauncher:
    """Records each shell's environment and what the endpoint answered during it;
    with ``script``, runs it with ``sh -c`` as the shell would."""

    script: str | None = None
    envs: list[dict[str, str]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    runs: list[subprocess.CompletedProcess[str]] = field(default_factory=list)

    def __call__(
        self, app: Any, argv: Sequence[str], env: Mapping[str, str], typed: str = ""
    ) -> int:
        self.envs.append(dict(env))
        url = urllib.parse.urlsplit(env["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
        conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
        conn.request(
            "GET", url.path, headers={"Authorization": env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]}
        )
        resp = conn.getresponse()
        self.answers.append((resp.status, json.loads(resp.read())))
        conn.close()
        if self.script is None:
            return 0
        run = subprocess.run(
            ["sh", "-c", self.script], env=dict(env), capture_output=True, text=True, timeout=120
        )
        self.runs.append(run)
        return run.returncode


async def settle(pilot: Pilot[Any], app: RolecallApp) -> None:
    await pilot.pause()
    await pilot.pause()
    while app.assumes:
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_shell_of_s_is_served_by_the_tui(
    aws_files: tuple[str, str], settings_file: str, tui_sts: StsProxy
) -> None:
    launcher = ServedLauncher()
    app = build_app(aws_files, settings_file, Services(launcher=launcher))
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("s")
        await settle(pilot, app)
        [env] = launcher.envs
        [(code, doc)] = launcher.answers
        creds = app.sessions["dev"].credentials
        assert code == 200 and doc["AccessKeyId"] == creds.access_key_id
        assert "AWS_ACCESS_KEY_ID" not in env and "AWS_SECRET_ACCESS_KEY" not in env
        assert env["AWS_PROFILE"] == "rolecall-endpoint"
        assert env["ROLECALL_PROFILE"] == "dev"
        assert "shell exited with code 0" in status(app)
        # the endpoint and its copy of the config went with the shell
        assert not os.path.exists(env["AWS_CONFIG_FILE"])
        url = urllib.parse.urlsplit(env["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
        try:
            conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=2)
            conn.request("GET", url.path)
            refused = False
        except OSError:
            refused = True
        assert refused


async def test_the_shell_of_s_outlives_the_first_credentials(
    aws_files: tuple[str, str], settings_file: str, tui_sts: StsProxy, expiring_sts: ExpiryProxy
) -> None:
    expiring_sts.lifetimes = {"AssumeRole": 6.0}
    who = "aws sts get-caller-identity --query Arn --output text"
    launcher = ServedLauncher(script=f"{who} && sleep 8 && {who}")
    app = build_app(aws_files, settings_file, Services(launcher=launcher))
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("s")
        await settle(pilot, app)
        [run] = launcher.runs
        assert run.returncode == 0, run.stderr
        assert [line.split("/")[1] for line in run.stdout.split()] == ["Developer", "Developer"]
        assert expiring_sts.refused == []
        assert "shell exited with code 0" in status(app)


async def test_env_keys_in_the_settings_give_the_shell_fixed_keys(
    aws_files: tuple[str, str], settings_file: str, tui_sts: StsProxy
) -> None:
    with open(settings_file, "a") as fh:
        fh.write("\n[sessions]\nenv_keys = true\n")
    seen: list[dict[str, str]] = []

    def launcher(app: Any, argv: Sequence[str], env: Mapping[str, str], typed: str = "") -> int:
        seen.append(dict(env))
        return 0

    app = build_app(aws_files, settings_file, Services(launcher=launcher))
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("s")
        await settle(pilot, app)
        [env] = seen
        assert env["AWS_ACCESS_KEY_ID"] == app.sessions["dev"].credentials.access_key_id
        assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" not in env


# ---------------------------------------------------------------------------
# x: log out, after a confirm
# ---------------------------------------------------------------------------
def cache_files() -> set[str]:
    from rolecall.core.cache import keys as cache_keys

    try:
        return set(os.listdir(cache_keys.cli_cache_dir()))
    except FileNotFoundError:
        return set()


async def test_x_logs_out_after_a_confirm(
    aws_files: tuple[str, str], settings_file: str, tui_sts: StsProxy
) -> None:
    from rolecall.tui.screens.confirm import ConfirmScreen

    app = build_app(aws_files, settings_file, Services(launcher=ServedLauncher()))
    async with started(app) as pilot:
        await goto(pilot, app, "audit")
        await pilot.press("enter")
        await settle(pilot, app)
        assert len(cache_files()) == 2  # dev and audit
        await goto(pilot, app, "audit")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: nothing removed
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(cache_files()) == 2
        assert "log out cancelled" in status(app)
        await pilot.press("x", "y")  # typed at once: the y reaches the confirm
        await pilot.pause()
        await pilot.pause()
        assert cache_files() == set()  # the chain's two entries
        assert "logged out: removed 2 cached credential files" in status(app)
        assert "audit" not in app.sessions
        await pilot.press("x", "escape")  # Esc says no too
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)


# ---------------------------------------------------------------------------
# the real TUI in a pseudo-terminal: s, then aws across the expiry
# ---------------------------------------------------------------------------
def test_s_in_a_terminal_keeps_aws_working_past_the_expiry(
    isolated_env: Path, expiring_sts: ExpiryProxy
) -> None:
    import shutil
    import sys

    import pexpect

    expiring_sts.lifetimes = {"AssumeRole": 6.0}
    aws_dir = isolated_env / ".aws"
    aws_dir.mkdir(parents=True, exist_ok=True)
    (aws_dir / "config").write_text(
        "[profile base]\nregion = us-east-1\n\n"
        "[profile p00]\nrole_arn = arn:aws:iam::100000000000:role/R0\nsource_profile = base\n"
    )
    creds = aws_dir / "credentials"
    creds.write_text(
        "[base]\naws_access_key_id = AKIAEXAMPLEBASE00001\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    creds.chmod(0o600)
    env = dict(
        os.environ,
        TERM="xterm-256color",
        COLUMNS="140",
        LINES="40",
        SHELL=shutil.which("bash") or "bash",
        HISTFILE=str(isolated_env / ".bash_history"),
        PS1="$ ",
    )
    child = pexpect.spawn(
        sys.executable,
        ["-m", "rolecall"],
        env=env,
        cwd=str(isolated_env),
        dimensions=(40, 140),
        encoding="utf-8",
        codec_errors="replace",
        timeout=90,
    )
    who = "aws sts get-caller-identity --region us-east-1 --query Arn --output text"
    try:
        child.send("j" + "s")  # (the keys wait for the app's screen)
        child.expect(r"[$#] ")  # the shell's prompt (its rc may set its own)
        child.send(f'echo "A=$({who})"; sleep 8; echo "B=$({who})"; exit\r')
        child.expect(r"A=arn:aws:sts::\d+:assumed-role/R0/")
        child.expect(r"B=arn:aws:sts::\d+:assumed-role/R0/")
        child.expect("shell exited with code 0")
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert expiring_sts.refused == []
