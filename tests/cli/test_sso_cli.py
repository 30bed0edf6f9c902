"""``rolecall sso ...`` as whole processes, against the local fake; boto3 and the real ``aws``
CLI then use the SSO profiles with no further step."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests import sso_helpers as h
from tests.moto_fixtures import run_aws, run_rolecall

from rolecall.cli import parser as cli_parser
from rolecall.core.sso import populate
from rolecall.fakes.sso import FakeSso


@pytest.fixture
def aws_config() -> str:
    return h.CONFIG


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, home: Path) -> Iterator[FakeSso]:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("BROWSER", raising=False)
    yield from h.running_fake(monkeypatch, interval=1)


class LoginProcess:
    """``rolecall sso login ...`` running, its stderr read line by line."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rolecall", "sso", "login", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.seen: list[str] = []

    def wait_for(self, words: str, timeout: float = 30) -> str:
        assert self.proc.stderr is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.seen.append(line)
            if words in line:
                return line
        raise AssertionError(f"{words!r} never came: {self.seen}")

    def finish(self, timeout: float = 30) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, "".join(self.seen) + err


def test_login_then_boto3_and_the_aws_cli_use_the_profile(fake: FakeSso, sts_endpoint: str) -> None:
    login = LoginProcess("dev", "--no-browser")
    url = login.wait_for("/device?user_code=").strip()
    code = login.wait_for("shows the code").split("code ")[1].split(".")[0]
    assert url.endswith(code)
    assert fake.approve(code) == 1
    rc, out, err = login.finish()
    assert rc == 0, err
    assert out.startswith("logged in to sso-session corp until ")
    token = h.read_token()
    assert stat.S_IMODE(h.token_path().stat().st_mode) == 0o600
    assert fake.valid_token(token["accessToken"])
    assert token["accessToken"] not in out + err  # the token is never printed

    probe = (
        "import boto3; s = boto3.Session(profile_name='dev');"
        "print(s.client('sts', region_name='eu-west-1').get_caller_identity()['Account'])"
    )
    boto = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert boto.returncode == 0, boto.stderr
    assert fake.count("GetRoleCredentials", 200) == 1

    aws = run_aws(["sts", "get-caller-identity", "--profile", "dev", "--output", "json"])
    assert aws.returncode == 0, aws.stderr
    assert "Account" in json.loads(aws.stdout)
    assert fake.count("GetRoleCredentials", 200) == 2  # the AWS CLI asked with the same token
    assert fake.count("CreateToken", 200) == 1  # nobody needed to refresh or log in again


def test_a_browser_opens_the_url(fake: FakeSso, tmp_path: Path) -> None:
    """``$BROWSER`` (here a script that clicks "Allow") gets the URL with the code."""
    browser = tmp_path / "browser"
    browser.write_text(
        f"#!{sys.executable}\n"
        "import sys, urllib.request\n"
        "url = sys.argv[1].replace('/device?', '/device/approve?')\n"
        "urllib.request.urlopen(url, timeout=10).read()\n"
    )
    browser.chmod(0o755)
    env = dict(os.environ, BROWSER=str(browser))
    out = run_rolecall("sso", "login", "--sso-session", "corp", env=env)
    assert out.returncode == 0, out.stderr
    assert "(opening it now)" in out.stderr
    assert fake.count("Device") == 1 and fake.count("CreateToken", 200) == 1


def test_no_display_means_no_browser(fake: FakeSso) -> None:
    fake.auto_approve_after = 0
    out = run_rolecall("sso", "login", "dev")
    assert out.returncode == 0, out.stderr
    assert "opening it now" not in out.stderr
    assert fake.count("Device") == 0


def test_already_logged_in_makes_no_call(fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session()))
    fake.reset_calls()
    out = run_rolecall("sso", "login", "dev")
    assert out.returncode == 0
    assert out.stdout.startswith("logged in to sso-session corp (7h59m left)")
    assert fake.calls == []


def test_an_expiring_token_is_refreshed_without_a_browser(fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session(expires_in=120)))
    out = run_rolecall("sso", "login", "--sso-session", "corp")
    assert out.returncode == 0, out.stderr
    assert fake.count("CreateToken", 200) == 1 and fake.count("StartDeviceAuthorization") == 0


def test_an_expired_device_code_is_one_line(fake: FakeSso) -> None:
    fake.device_expires_in = 2
    out = run_rolecall("sso", "login", "dev", "--no-browser")
    assert out.returncode == 1
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("rolecall: the login was not approved in time")
    assert "Traceback" not in out.stderr
    assert not h.token_path().exists()


def test_ctrl_c_cancels_cleanly(fake: FakeSso) -> None:
    login = LoginProcess("dev", "--no-browser")
    login.wait_for("Waiting for the approval")
    login.proc.send_signal(signal.SIGINT)
    rc, out, err = login.finish()
    assert rc == 130
    assert "login cancelled" in err and "Traceback" not in err
    assert not h.token_path().exists()


def test_a_legacy_profile(fake: FakeSso) -> None:
    fake.auto_approve_after = 0
    out = run_rolecall("sso", "login", "legacy", "--no-browser")
    assert out.returncode == 0, out.stderr
    assert "https://legacy.awsapps.com/start" in out.stdout
    assert h.read_token("https://legacy.awsapps.com/start")["region"] == "us-east-2"


def test_config_problems_exit_2(fake: FakeSso) -> None:
    out = run_rolecall("sso", "login", "base")
    assert out.returncode == 2
    assert out.stderr == "rolecall: profile 'base' is not an SSO profile\n"
    out = run_rolecall("sso", "roles")  # two sessions: which one?
    assert out.returncode == 2 and "pick one with --sso-session" in out.stderr


# ---------------------------------------------------------------------------
# roles / populate / logout / configure
# ---------------------------------------------------------------------------
def test_roles_table_json_and_cache(fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session()))
    out = run_rolecall("sso", "roles", "--sso-session", "corp")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "ACCOUNT       NAME         ROLE      PROFILE",
        "100000000000  Development  Admin     dev",
        "100000000000  Development  ReadOnly",
        "100000000001  Production   ReadOnly",
    ]
    assert "(fetched now)" in out.stderr
    calls = len(fake.calls)
    again = run_rolecall("sso", "roles", "--sso-session", "corp", "--json")
    assert json.loads(again.stdout)[0] == {
        "accountId": "100000000000",
        "accountName": "Development",
        "roleName": "Admin",
        "profile": "dev",
    }
    assert again.stderr == "" and len(fake.calls) == calls  # served from the cache
    cached = run_rolecall("sso", "roles", "--sso-session", "corp")
    assert "(from the cache)" in cached.stderr and len(fake.calls) == calls
    fresh = run_rolecall("sso", "roles", "--sso-session", "corp", "--refresh")
    assert "(fetched now)" in fresh.stderr and len(fake.calls) > calls


def test_roles_from_the_cache_import_no_boto3(fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session()))
    assert run_rolecall("sso", "roles", "--sso-session", "corp").returncode == 0
    out = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "rolecall",
            "sso",
            "roles",
            "--sso-session",
            "corp",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    modules = {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines()}
    assert "rolecall" in modules
    assert not modules & {"boto3", "botocore", "textual", "rich"}


def test_roles_when_not_logged_in(fake: FakeSso) -> None:
    out = run_rolecall("sso", "roles", "--sso-session", "corp")
    assert out.returncode == 1
    assert out.stderr == (
        "rolecall: not logged in to sso-session corp; run `rolecall sso login --sso-session corp`\n"
    )


def test_populate_dry_run_then_write_then_nothing(fake: FakeSso, home: Path) -> None:
    h.write_token(h.token_document(fake.issue_session()))
    config = home / ".aws" / "config"
    before = config.read_bytes()
    dry = run_rolecall("sso", "populate", "--sso-session", "corp", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "+[profile development-readonly]" in dry.stdout
    assert "would add 2 profile(s) (0 already there, 1 covered by your own profiles)" in dry.stderr
    assert config.read_bytes() == before
    done = run_rolecall("sso", "populate", "--sso-session", "corp", "--prefix", "sso-")
    assert done.returncode == 0 and done.stdout == ""
    assert "added 2 profile(s)" in done.stderr
    written = config.read_bytes()
    assert written.startswith(before)
    listed = run_rolecall("list", "--json")
    names = [p["name"] for p in json.loads(listed.stdout)["profiles"]]
    assert {"sso-development-readonly", "sso-production-readonly"} <= set(names)
    again = run_rolecall("sso", "populate", "--sso-session", "corp", "--prefix", "sso-")
    assert "added 0 profile(s) (2 already there" in again.stderr
    assert config.read_bytes() == written


def test_populate_refusals_leave_the_file(fake: FakeSso, home: Path) -> None:
    config = home / ".aws" / "config"
    before = config.read_bytes()
    bad = run_rolecall("sso", "populate", "--sso-session", "corp", "--template", "{oops}")
    assert bad.returncode == 2 and "unknown field {oops}" in bad.stderr
    assert fake.calls == []  # refused before any call
    legacy = run_rolecall("sso", "populate", "legacy")
    assert legacy.returncode == 2  # (populate takes no PROFILE)
    assert config.read_bytes() == before


def test_logout_removes_the_token(fake: FakeSso) -> None:
    issued = fake.issue_session()
    h.write_token(h.token_document(issued))
    out = run_rolecall("sso", "logout", "--sso-session", "corp")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "logged out of sso-session corp: signed out; token removed\n"
    assert not h.token_path().exists() and not fake.valid_token(issued.access_token)
    out = run_rolecall("sso", "logout", "--all")
    assert out.returncode == 0
    assert "not logged in; no token file" in out.stdout


def test_configure_from_nothing(home: Path) -> None:
    (home / ".aws" / "config").unlink()
    out = run_rolecall(
        "sso", "configure", "--start-url", "https://acme.awsapps.com/start", "--region", "eu-west-1"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("added [sso-session acme] to ")
    assert "next: rolecall sso login --sso-session acme" in out.stderr
    import botocore.session

    full = botocore.session.Session().full_config
    assert full["sso_sessions"]["acme"] == {
        "sso_start_url": "https://acme.awsapps.com/start",
        "sso_region": "eu-west-1",
        "sso_registration_scopes": "sso:account:access",
    }
    written = (home / ".aws" / "config").read_bytes()
    again = run_rolecall(
        "sso",
        "configure",
        "acme",
        "--start-url",
        "https://x.awsapps.com/start",
        "--region",
        "us-east-1",
    )
    assert again.returncode == 1 and "already exists; use --force" in again.stderr
    assert (home / ".aws" / "config").read_bytes() == written


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--start-url", "http://acme.awsapps.com/start", "--region", "eu-west-1"], "not an https"),
        (
            ["--start-url", "https://acme.awsapps.com/start", "--region", "europe"],
            "not an AWS region",
        ),
        (["--region", "eu-west-1"], "give --start-url"),
    ],
)
def test_configure_refusals(home: Path, args: list[str], words: str) -> None:
    before = (home / ".aws" / "config").read_bytes()
    out = run_rolecall("sso", "configure", *args)
    assert out.returncode == 2 and words in out.stderr
    assert len(out.stderr.splitlines()) == 1
    assert (home / ".aws" / "config").read_bytes() == before


def test_the_parser_default_template_is_populates() -> None:
    assert cli_parser.SSO_TEMPLATE == populate.DEFAULT_TEMPLATE


def test_the_ttl_setting_governs_the_discovery_cache(fake: FakeSso, home: Path) -> None:
    h.write_token(h.token_document(fake.issue_session()))
    settings = home / ".config" / "rolecall" / "config.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text("[sso]\ndiscovery_ttl_seconds = 0\n")
    for _ in range(2):
        out = run_rolecall("sso", "roles", "--sso-session", "corp")
        assert "(fetched now)" in out.stderr
    assert fake.count("ListAccounts") == 2
    settings.write_text("[sso]\ndiscovery_ttl_seconds = 600\n")
    run_rolecall("sso", "roles", "--sso-session", "corp")
    out = run_rolecall("sso", "roles", "--sso-session", "corp")
    assert "(from the cache)" in out.stderr and fake.count("ListAccounts") == 3
