"""rolecall demo: the sample files, the local STS and SSO portal, and the clean-up."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolecall import demo
from rolecall.core.profiles import load_profiles
from rolecall.settings import load_settings

NOW = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.UTC)
SECRET = "rcDemoFakeSecret/NotARealKey/0000000000A"


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    home = tmp_path / "demo-home"
    env = demo.prepare_demo(str(home), "http://127.0.0.1:9", now=NOW)
    return home, env


@pytest.fixture(scope="module")
def running() -> Iterator[dict[str, str]]:
    """One demo environment (server, files, os.environ) shared by the module's tests."""
    saved = dict(os.environ)
    with demo.demo_environment(sso_approve_after=1.0) as env:
        yield env
    now = dict(os.environ)
    for environ in (saved, now):
        environ.pop("PYTEST_CURRENT_TEST", None)
    assert now == saved


@pytest.fixture
def demo_env(running: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # conftest's autouse fixture rewrote the environment for this test: point it back.
    for key in list(os.environ):
        if key.startswith(("AWS_", "ROLECALL_")):
            monkeypatch.delenv(key)
    for key, value in running.items():
        monkeypatch.setenv(key, value)
    return running


# ---------------------------------------------------------------------------
# the sample files
# ---------------------------------------------------------------------------
def test_prepare_demo_returns_the_environment(prepared: tuple[Path, dict[str, str]]) -> None:
    home, env = prepared
    assert env["HOME"] == str(home)
    assert env["AWS_CONFIG_FILE"] == str(home / ".aws" / "config")
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == str(home / ".aws" / "credentials")
    assert env["AWS_ENDPOINT_URL_STS"] == env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert env["ROLECALL_CONFIG_DIR"].startswith(str(home) + os.sep)
    assert env["ROLECALL_CACHE_DIR"].startswith(str(home) + os.sep)
    assert "AWS_ENDPOINT_URL_SSO" not in env
    assert SECRET not in json.dumps(env)
    with_sso = demo.prepare_demo(str(home), "http://a:1", sso_endpoint="http://b:2", now=NOW)
    assert with_sso["AWS_ENDPOINT_URL_SSO"] == with_sso["AWS_ENDPOINT_URL_SSO_OIDC"] == "http://b:2"


def test_the_sample_profiles(prepared: tuple[Path, dict[str, str]]) -> None:
    _home, env = prepared
    profiles = load_profiles(env["AWS_CONFIG_FILE"], env["AWS_SHARED_CREDENTIALS_FILE"])
    assert profiles.problems == []  # both files are valid for the AWS CLI
    assert [p.name for p in profiles] == list(demo.DEMO_PROFILES)

    accounts = {p.account_id for p in profiles if p.account_id}
    assert len(accounts) >= 5
    assert all(re.fullmatch(r"\d{12}", a) for a in accounts)

    assert profiles["demo-root"].kind == "static"
    assert profiles["demo-root"].problems == []

    audit = profiles["audit"]
    assert audit.kind == "assume-role"
    assert audit.chain == ["audit", "shared-services", "org-hub", "demo-root"]
    assert len(audit.hops) == 3
    assert audit.problems == []

    admin = profiles["prod-admin"]
    assert admin.mfa_serial == "arn:aws:iam::204817365521:mfa/demo-user"
    assert admin.problems == []

    partner = profiles["partner-readonly"]
    assert partner.external_id and partner.problems == []

    sso = profiles["sso-dev"]
    assert sso.kind == "sso" and sso.problems == []
    assert sso.get("sso_session") == demo.SSO_SESSION

    for name in ("cycle-a", "cycle-b"):
        assert any("source_profile cycle" in p for p in profiles[name].problems)
    assert any("not a valid IAM role ARN" in p for p in profiles["broken-arn"].problems)

    with_problems = {p.name for p in profiles if p.problems}
    assert with_problems == {"cycle-a", "cycle-b", "broken-arn"}


def test_botocore_reads_the_sample_config(
    prepared: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.session

    from rolecall.core.config import load

    _home, env = prepared
    monkeypatch.setenv("AWS_CONFIG_FILE", env["AWS_CONFIG_FILE"])
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", env["AWS_SHARED_CREDENTIALS_FILE"])
    full = botocore.session.Session().full_config
    ours = load()
    assert full["profiles"] == ours.profiles
    assert full["sso_sessions"] == ours.sso_sessions
    assert set(full["profiles"]) == set(demo.DEMO_PROFILES)
    assert full["profiles"]["demo-root"]["aws_access_key_id"] == demo.DEMO_ACCESS_KEY_ID


def test_files_are_private(prepared: tuple[Path, dict[str, str]]) -> None:
    home, _env = prepared
    for root, dirs, files in os.walk(home):
        for d in dirs:
            assert stat.S_IMODE(os.stat(os.path.join(root, d)).st_mode) == 0o700, d
        for f in files:
            assert stat.S_IMODE(os.stat(os.path.join(root, f)).st_mode) == 0o600, f


def test_the_sso_session_starts_logged_out(prepared: tuple[Path, dict[str, str]]) -> None:
    home, _env = prepared
    assert not (home / ".aws" / "sso" / "cache").exists()


def test_a_logged_in_demo_has_its_sso_token(tmp_path: Path) -> None:
    home = tmp_path / "demo-home"
    demo.prepare_demo(str(home), "http://127.0.0.1:9", now=NOW, sso_logged_in=True)
    name = hashlib.sha1(b"demo-sso").hexdigest() + ".json"
    token = json.loads((home / ".aws" / "sso" / "cache" / name).read_text())
    assert token["startUrl"] == demo.SSO_START_URL
    assert token["region"] == demo.SSO_REGION
    assert token["accessToken"]
    assert token["expiresAt"] == "2026-11-28T16:00:00Z"
    dt.datetime.strptime(token["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")


def test_cached_role_credentials_use_the_aws_cli_key(
    prepared: tuple[Path, dict[str, str]],
) -> None:
    from botocore.credentials import AssumeRoleCredentialFetcher

    home, env = prepared
    profiles = load_profiles(env["AWS_CONFIG_FILE"], env["AWS_SHARED_CREDENTIALS_FILE"])
    expected = {
        "dev": dt.timedelta(minutes=10),
        "staging-readonly": dt.timedelta(minutes=45),
        "partner-readonly": dt.timedelta(minutes=-20),
    }
    assert {r.profile for r in demo.CACHED_ROLES} == set(expected)
    cache = home / ".aws" / "cli" / "cache"
    assert len(os.listdir(cache)) == len(expected)
    for name, left in expected.items():
        prof = profiles[name]
        extra: dict[str, object] = {}
        if prof.external_id:
            extra["ExternalId"] = prof.external_id
        if prof.duration_seconds:
            extra["DurationSeconds"] = prof.duration_seconds
        if prof.role_session_name:
            extra["RoleSessionName"] = prof.role_session_name
        fetcher = AssumeRoleCredentialFetcher(
            client_creator=None,
            source_credentials=None,
            role_arn=prof.role_arn,
            extra_args=extra,
        )
        entry = json.loads((cache / (fetcher._create_cache_key() + ".json")).read_text())
        creds = entry["Credentials"]
        assert creds["Expiration"] == (NOW + left).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert creds["AccountId"] == prof.account_id
        assert entry["AssumedRoleUser"]["Arn"].startswith(
            f"arn:aws:sts::{prof.account_id}:assumed-role/{prof.role_name}/"
        )


def test_the_demo_settings(prepared: tuple[Path, dict[str, str]]) -> None:
    _home, env = prepared
    s = load_settings(os.path.join(env["ROLECALL_CONFIG_DIR"], "config.toml"))
    assert s.errors == []
    assert s.display_names["prod-admin"] == "[prod] admin"
    assert s.colors["prod-admin"] == "bright_red"
    assert s.favorites == ["dev"]


def test_prepare_demo_touches_nothing_outside_its_home(tmp_path: Path, isolated_env: Path) -> None:
    demo.prepare_demo(str(tmp_path / "h"), "http://127.0.0.1:9")
    assert not (isolated_env / ".aws").exists()
    assert not (isolated_env / ".config").exists()


# ---------------------------------------------------------------------------
# the running demo: a real STS on 127.0.0.1
# ---------------------------------------------------------------------------
def test_the_environment_points_at_the_demo(running: dict[str, str]) -> None:
    home = running["HOME"]
    assert os.path.isdir(home)
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", running["AWS_ENDPOINT_URL_STS"])
    assert running["AWS_ENDPOINT_URL"] == running["AWS_ENDPOINT_URL_STS"]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", running["AWS_ENDPOINT_URL_SSO"])


def test_assume_the_sample_role_through_the_endpoint_variable(demo_env: dict[str, str]) -> None:
    import boto3

    session = boto3.session.Session(profile_name="demo-root")
    sts = session.client("sts", region_name="eu-west-1")  # endpoint from AWS_ENDPOINT_URL_STS
    assert sts.meta.endpoint_url == demo_env["AWS_ENDPOINT_URL_STS"]
    arn = "arn:aws:iam::318457902611:role/Developer"
    response = sts.assume_role(RoleArn=arn, RoleSessionName="pytest")
    assert response["AssumedRoleUser"]["Arn"] == (
        "arn:aws:sts::318457902611:assumed-role/Developer/pytest"
    )
    creds = response["Credentials"]
    who = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    ).client("sts", region_name="eu-west-1")
    assert who.get_caller_identity()["Account"] == "318457902611"


def test_botocore_walks_the_three_hop_chain_and_the_external_id(demo_env: dict[str, str]) -> None:
    import boto3

    audit = boto3.session.Session(profile_name="audit").client("sts")
    assert audit.get_caller_identity()["Arn"].startswith(
        "arn:aws:sts::859024637105:assumed-role/SecurityAudit/"
    )
    partner = boto3.session.Session(profile_name="partner-readonly").client("sts")
    assert partner.get_caller_identity()["Account"] == "962837415560"


def test_cached_credentials_are_known_to_the_local_sts(demo_env: dict[str, str]) -> None:
    import boto3

    home = Path(demo_env["HOME"])
    role = next(r for r in demo.CACHED_ROLES if r.profile == "staging-readonly")
    path = home / ".aws" / "cli" / "cache" / (demo.cli_cache_key(role.cache_args()) + ".json")
    entry = json.loads(path.read_text())
    creds = entry["Credentials"]
    sts = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    ).client("sts", region_name="eu-west-1")
    assert sts.get_caller_identity()["Arn"] == entry["AssumedRoleUser"]["Arn"]
    left = dt.datetime.strptime(creds["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert 40 * 60 < (left - dt.datetime.now(dt.UTC)).total_seconds() <= 45 * 60


def test_the_sso_portal(demo_env: dict[str, str]) -> None:
    base = demo_env["AWS_ENDPOINT_URL_SSO"]
    url = f"{base}/federation/credentials?role_name=PowerUserAccess&account_id=143256789014"
    request = urllib.request.Request(url, headers={"x-amz-sso_bearer_token": "wrong"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 401
    assert info.value.headers["x-amzn-ErrorType"].split(":")[0] == "UnauthorizedException"
    request = urllib.request.Request(url, headers={"x-amz-sso_bearer_token": demo.SSO_ACCESS_TOKEN})
    with urllib.request.urlopen(request, timeout=5) as response:
        body = json.load(response)
    creds = body["roleCredentials"]
    assert creds["accessKeyId"] and creds["sessionToken"]
    assert creds["expiration"] > time.time() * 1000


def _subprocess_env(demo_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    env.update(demo_env)
    return env


def test_sso_login_then_botocore_gets_credentials_in_a_fresh_process(
    demo_env: dict[str, str],
) -> None:
    """The demo's SSO session starts logged out; its portal approves the login by itself."""
    env = _subprocess_env(demo_env)
    login = subprocess.run(
        [sys.executable, "-m", "rolecall", "sso", "login", "sso-dev", "--no-browser"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert login.returncode == 0, login.stderr
    assert "user_code=" in login.stderr and login.stdout.startswith("logged in to sso-session")
    # botocore fixes its SSO cache path at import: use a process started with the demo's HOME.
    code = (
        "import boto3; "
        "print(boto3.session.Session(profile_name='sso-dev')"
        ".client('sts').get_caller_identity()['Arn'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "arn:aws:sts::143256789014:assumed-role/"
        "AWSReservedSSO_PowerUserAccess_2f8e1c3b4a5d6e7f/demo-user"
    )
    roles = subprocess.run(
        [sys.executable, "-m", "rolecall", "sso", "roles", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert roles.returncode == 0, roles.stderr
    found = {(r["accountName"], r["roleName"], r["profile"]) for r in json.loads(roles.stdout)}
    assert ("workloads-dev", "PowerUserAccess", "sso-dev") in found
    assert ("sandbox", "AdministratorAccess", None) in found


def test_the_aws_cli_reuses_the_cached_credentials(demo_env: dict[str, str]) -> None:
    cache = Path(demo_env["HOME"]) / ".aws" / "cli" / "cache"
    before = set(os.listdir(cache))
    role = next(r for r in demo.CACHED_ROLES if r.profile == "staging-readonly")
    entry = json.loads((cache / (demo.cli_cache_key(role.cache_args()) + ".json")).read_text())
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "awscli",
            "sts",
            "get-caller-identity",
            "--profile",
            "staging-readonly",
            "--query",
            "Arn",
            "--output",
            "text",
        ],
        env=_subprocess_env(demo_env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == entry["AssumedRoleUser"]["Arn"]
    assert set(os.listdir(cache)) == before  # a cache hit: nothing new was assumed


# ---------------------------------------------------------------------------
# clean-up
# ---------------------------------------------------------------------------
def _refused(endpoint: str) -> bool:
    host, port = endpoint.removeprefix("http://").split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return False
    except OSError:
        return True


def test_demo_environment_cleans_up(isolated_env: Path) -> None:
    before = dict(os.environ)
    with demo.demo_environment() as env:
        home = env["HOME"]
        assert os.environ["HOME"] == home
        assert os.environ["AWS_CONFIG_FILE"] == env["AWS_CONFIG_FILE"]
        assert os.environ["AWS_ENDPOINT_URL_STS"] == env["AWS_ENDPOINT_URL_STS"]
        assert not _refused(env["AWS_ENDPOINT_URL_STS"])
    assert not os.path.exists(home)
    assert dict(os.environ) == before
    assert _refused(env["AWS_ENDPOINT_URL_STS"])
    assert _refused(env["AWS_ENDPOINT_URL_SSO"])
    assert not (isolated_env / ".aws").exists()


def test_demo_environment_clears_the_users_aws_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "real-prod")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALREALREAL0000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    monkeypatch.setenv("ROLECALL_SOMETHING", "x")
    with demo.demo_environment():
        for key in (
            "AWS_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_DEFAULT_REGION",
            "ROLECALL_SOMETHING",
        ):
            assert key not in os.environ
    assert os.environ["AWS_PROFILE"] == "real-prod"
    assert os.environ["ROLECALL_SOMETHING"] == "x"


def test_demo_environment_cleans_up_after_an_exception() -> None:
    with pytest.raises(RuntimeError), demo.demo_environment() as env:
        raise RuntimeError("boom")
    assert not os.path.exists(env["HOME"])
    assert _refused(env["AWS_ENDPOINT_URL_STS"])


def test_demo_environment_refuses_a_home_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep").write_text("x")
    with pytest.raises(FileExistsError), demo.demo_environment(str(tmp_path)):
        pass
    assert (tmp_path / "keep").exists()


def test_demo_environment_in_a_given_home_with_a_frozen_clock(tmp_path: Path) -> None:
    home = tmp_path / "fixed"
    with demo.demo_environment(str(home), now=NOW, sso_logged_in=True) as env:
        assert env["HOME"] == str(home)
        token = next((home / ".aws" / "sso" / "cache").iterdir())
        assert json.loads(token.read_text())["expiresAt"] == "2026-11-28T16:00:00Z"
    assert not home.exists()


# ---------------------------------------------------------------------------
# run_demo and `rolecall demo`
# ---------------------------------------------------------------------------
def test_run_demo_opens_the_tui_in_the_demo_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_run(config: str | None = None, credentials: str | None = None) -> int:
        seen["args"] = (config, credentials)
        seen["home"] = os.environ["HOME"]
        profiles = load_profiles()
        seen["names"] = [p.name for p in profiles]
        seen["settings"] = load_settings().display_names
        return 7

    fake = types.ModuleType("rolecall.tui")
    fake.run = fake_run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rolecall.tui", fake)
    assert demo.run_demo() == 7
    assert seen["args"] == (None, None)
    assert seen["names"] == list(demo.DEMO_PROFILES)
    assert seen["settings"] == {
        "prod-admin": "[prod] admin",
        "staging-readonly": "staging (read-only)",
    }
    assert not os.path.exists(str(seen["home"]))


def test_run_demo_cleans_up_when_the_tui_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, str] = {}

    def failing_run(config: str | None = None, credentials: str | None = None) -> int:
        seen["home"] = os.environ["HOME"]
        raise RuntimeError("the UI crashed")

    fake = types.ModuleType("rolecall.tui")
    fake.run = failing_run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rolecall.tui", fake)
    before = dict(os.environ)
    with pytest.raises(RuntimeError):
        demo.run_demo()
    assert not os.path.exists(seen["home"])
    assert dict(os.environ) == before


def test_run_demo_falls_back_without_a_tui(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rolecall.demo import command

    monkeypatch.setitem(sys.modules, "rolecall.tui", types.ModuleType("rolecall.tui"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    waited: list[bool] = []
    monkeypatch.setattr(command, "_wait_for_eof_or_interrupt", lambda: waited.append(True))
    assert demo.run_demo() == 0
    assert waited == [True]
    out, err = capsys.readouterr()
    assert "the terminal UI is not available" in err
    assert len(err.strip().splitlines()) == 1
    assert "    AWS_ENDPOINT_URL_STS=http://127.0.0.1:" in out


def _parse_exports(out: str) -> dict[str, str]:
    """The variables of the command the demo prints to paste (``    KEY=VALUE \\``)."""
    found = re.findall(r"^    (\w+)=(\S+) \\$", out, re.MULTILINE)
    return {key: shlex.split(value)[0] for key, value in found}


def _block(out: str) -> str:
    """The command to paste: from ``env -u`` to ``"$SHELL"``."""
    start = out.index("env -u ")
    end = out.index('    "$SHELL"', start) + len('    "$SHELL"')
    return out[start:end]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_block_to_paste_leaves_the_terminals_home_alone(
    demo_env: dict[str, str], tmp_path: Path, shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pasted into a terminal, the demo's lines open a shell in the demo's world;
    the terminal's own HOME and AWS_PROFILE are as they were after it."""
    from rolecall.demo import command

    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    command._print_instructions(demo_env)
    block = _block(capsys.readouterr().out)
    probe = tmp_path / "probe"
    probe.write_text('#!/bin/sh\necho "inside HOME=$HOME AWS_PROFILE=${AWS_PROFILE-unset}"\n')
    probe.chmod(0o755)
    env = dict(os.environ, HOME=str(tmp_path), AWS_PROFILE="mine", SHELL=str(probe))
    after = 'echo "after HOME=$HOME AWS_PROFILE=$AWS_PROFILE"'
    proc = subprocess.run(
        [shell, "-c", f"{block}\n{after}"], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"inside HOME={demo_env['HOME']} AWS_PROFILE=unset",
        f"after HOME={tmp_path} AWS_PROFILE=mine",
    ]


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie nobody reaped has stopped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def test_rolecall_demo_no_tui_from_a_script(tmp_path: Path, isolated_env: Path) -> None:
    """`rolecall demo --no-tui &` in a script: a background command of a shell
    without job control gets /dev/null as stdin, which is at its end at once.
    The demo keeps running (it waited for end of file and stopped, before), its
    STS answers after the script is gone, and `kill` stops it and deletes its files."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    out_file = tmp_path / "demo.out"
    env = dict(os.environ, TMPDIR=str(tmpdir), AWS_PROFILE="real-prod")
    script = f"'{sys.executable}' -m rolecall demo --no-tui > '{out_file}' 2>&1 &\necho $!\n"
    started = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    pid = int(started.stdout.strip())
    try:
        text = _wait_for_text(out_file, "stop it with `kill", timeout=60)
        assert f"stop it with `kill {pid}`" in text
        time.sleep(1.0)  # it used to be gone by now
        assert _alive(pid), out_file.read_text()
        exports = _parse_exports(text)
        home = exports["HOME"]
        assert set(exports) >= {
            "HOME",
            "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_STS",
            "AWS_ENDPOINT_URL_SSO",
            "ROLECALL_CONFIG_DIR",
            "ROLECALL_CACHE_DIR",
        }
        assert home.startswith(str(tmpdir) + os.sep)
        assert re.search(r"^env .*-u AWS_PROFILE\b", text, re.MULTILINE)
        done = subprocess.run(
            [sys.executable, "-m", "rolecall", "assume", "audit", "--json"],
            env=dict(os.environ, **exports),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
    assert not os.path.exists(home)
    assert os.listdir(tmpdir) == []
    assert not (isolated_env / ".aws").exists()
    text = _wait_for_text(out_file, "terminated; deleted", timeout=10)
    assert SECRET not in text
    assert "Starting a new Thread" not in text


def test_rolecall_demo_no_tui_in_a_terminal_stops_on_ctrl_d(
    tmp_path: Path, isolated_env: Path
) -> None:
    import pexpect

    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = dict(os.environ, TMPDIR=str(tmpdir), TERM="dumb")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "rolecall", "demo", "--no-tui"],
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    try:
        child.expect_exact("Press Ctrl+C (or Ctrl+D) here to stop the demo.")
        child.sendeof()
        child.expect_exact("rolecall demo: stopped; deleted")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert os.listdir(tmpdir) == []


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 0), (signal.SIGTERM, 143)])
def test_rolecall_demo_cleans_up_on_a_signal(
    tmp_path: Path, isolated_env: Path, sig: signal.Signals, code: int
) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = dict(os.environ, TMPDIR=str(tmpdir))
    proc = subprocess.Popen(
        [sys.executable, "-m", "rolecall", "demo", "--no-tui"],
        env=env,
        stdin=subprocess.PIPE,  # not a terminal: the demo waits for a signal
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "stop it with `kill" in line or not line:
                break
        home = _parse_exports("".join(lines))["HOME"]
        assert os.path.isdir(home)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, err
    assert not os.path.exists(home)
    assert os.listdir(tmpdir) == []
    assert not (isolated_env / ".aws").exists()
    assert SECRET not in out + err


def _wait_for_text(path: Path, needle: str, timeout: float) -> str:
    """The text of ``path`` once it holds ``needle``.

    A background job's output file is created by the job's own process, so it may not
    exist yet when the shell's prompt is back: a missing file counts as no text yet.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            text: str | None = path.read_text()
        except FileNotFoundError:
            text = None
        if text is not None and needle in text:
            return text
        if time.monotonic() > deadline:
            seen = "was never created" if text is None else f"holds only:\n{text}"
            pytest.fail(f"no {needle!r} in {path} after {timeout:g} s: it {seen}")
        time.sleep(0.05)


def test_rolecall_demo_as_a_background_job(tmp_path: Path, isolated_env: Path) -> None:
    """`rolecall demo --no-tui &` in an interactive shell: the job keeps running (it
    does not read the terminal, which would stop it), its STS answers, and `kill`
    stops it and deletes its files."""
    import pexpect

    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    out_file = tmp_path / "demo.out"
    env = dict(os.environ, TMPDIR=str(tmpdir), PS1="PROMPT$ ", TERM="dumb")
    shell = pexpect.spawn(
        "/bin/bash", ["--norc", "--noprofile", "-i"], env=env, encoding="utf-8", timeout=60
    )
    try:
        shell.expect_exact("PROMPT$ ")
        shell.sendline(f"{sys.executable} -m rolecall demo --no-tui > {out_file} 2>&1 &")
        shell.expect_exact("PROMPT$ ")
        text = _wait_for_text(out_file, "stop it with `kill", timeout=60)
        time.sleep(0.5)  # the moment a read of the terminal would have stopped it
        shell.sendline("jobs -l")
        shell.expect_exact("PROMPT$ ")
        assert "Running" in shell.before and "Stopped" not in shell.before, shell.before
        exports = _parse_exports(text)
        home = exports["HOME"]
        # its STS answers: a 3-hop assume through it
        cli_env = dict(os.environ, **exports)
        done = subprocess.run(
            [sys.executable, "-m", "rolecall", "assume", "audit", "--json"],
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["account_id"] == "859024637105"
        shell.sendline("kill %1; wait %1; echo code=$?")
        shell.expect(r"code=(\d+)")
        assert shell.match.group(1) == "143"
    finally:
        shell.sendline("exit")
        shell.close(force=True)
    assert not os.path.exists(home)
    assert os.listdir(tmpdir) == []
    assert "terminated; deleted" in out_file.read_text()
