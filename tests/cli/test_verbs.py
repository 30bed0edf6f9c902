"""The verbs assume, env, exec, credential-process and doctor as whole processes,
against moto, together with the real ``aws`` CLI."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.moto_fixtures import StsProxy, run_aws, run_rolecall
from tests.sts_helpers import LOOP_PROFILES, C, chain_profiles, mfa_profile

from rolecall.core.cache import keys as cache_keys

UTC = UTC
BASE_KEY = "AKIAROLECALLCLI00001"
BASE_SECRET = "rolecallCLIsecret/000000000000000000000000"
MFA = "arn:aws:iam::000000000000:mfa/me"

CONFIG = "\n".join([chain_profiles(BASE_KEY, BASE_SECRET), mfa_profile(MFA), LOOP_PROFILES])


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    """``home``'s config; the tests that use it talk to moto's STS."""
    return CONFIG


def secrets_in_cache() -> list[str]:
    """Every secret key and session token rolecall or the CLI has cached."""
    out = [BASE_SECRET]
    for directory in (cache_keys.cli_cache_dir(), cache_keys.mfa_cache_dir()):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            data = json.loads(Path(directory, name).read_text())
            creds = data["Credentials"]
            out += [creds["SecretAccessKey"], creds["SessionToken"]]
    return out


def assert_no_secrets(*texts: str) -> None:
    secrets = secrets_in_cache()
    for text in texts:
        for secret in secrets:
            assert secret not in text


def ok(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    proc = run_rolecall(*args, **kw)  # type: ignore[arg-type]
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def failing(*args: str, code: int = 1) -> str:
    """Run a verb that must fail: one line on stderr, the exit code, no traceback."""
    proc = run_rolecall(*args)
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("rolecall: ")
    assert_no_secrets(proc.stdout, proc.stderr)
    return lines[0]


def aws_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    env.update(extra)
    return env


# ---------------------------------------------------------------------------
# assume
# ---------------------------------------------------------------------------
def test_assume_prints_arn_account_expiry_and_source(home: Path, sts_proxy: StsProxy) -> None:
    first = ok("assume", "c")
    fields = dict(line.split(None, 1) for line in first.stdout.splitlines())
    assert fields["profile"] == "c"
    assert fields["arn"].startswith("arn:aws:sts::333333333333:assumed-role/C/")
    assert fields["account"] == "333333333333"
    assert "left" in fields["expires"]
    assert fields["source"] == "sts"
    assert sts_proxy.count("AssumeRole") == 3
    second = ok("assume", "c")
    assert "source   cache" in second.stdout
    assert sts_proxy.count("AssumeRole") == 3
    as_json = json.loads(ok("assume", "c", "--json").stdout)
    assert as_json["from_cache"] is True
    assert as_json["arn"] == fields["arn"] and as_json["account_id"] == "333333333333"
    # the same fields in both outputs (the JSON also keeps from_cache: source == "cache")
    labels = {"account": "account_id", "expires": "expiration"}
    assert {labels.get(k, k) for k in fields} | {"from_cache"} == set(as_json)
    assert set(as_json) == {
        "profile",
        "arn",
        "account_id",
        "expiration",
        "region",
        "source",
        "from_cache",
    }
    assert as_json["source"] == "cache" and fields["region"] == "-"
    fresh = json.loads(ok("assume", "c", "--json", "--no-cache").stdout)
    assert fresh["from_cache"] is False
    assert sts_proxy.count("AssumeRole") == 6
    listing = ok("list")
    assert_no_secrets(
        first.stdout,
        first.stderr,
        second.stdout,
        second.stderr,
        json.dumps(as_json),
        json.dumps(fresh),
        listing.stdout,
        listing.stderr,
    )


def test_assume_duration_and_settings_default(
    home: Path, sts_proxy: StsProxy, isolated_env: Path
) -> None:
    settings = Path(os.environ["ROLECALL_CONFIG_DIR"]) / "config.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('[defaults]\nduration_seconds = 1800\nsession_name = "from-settings"\n')
    ok("assume", "a")
    call = sts_proxy.calls("AssumeRole")[-1]
    assert call.params["DurationSeconds"] == "1800"
    assert call.params["RoleSessionName"] == "from-settings"
    ok("assume", "a", "--duration", "900")
    assert sts_proxy.calls("AssumeRole")[-1].params["DurationSeconds"] == "900"
    proc = ok("assume", "b", "--duration", "7200", "--no-cache")
    assert sts_proxy.calls("AssumeRole")[-1].params["DurationSeconds"] == "3600"
    assert "warning: b: role chaining allows at most 3600 s" in proc.stderr
    line = failing("assume", "a", "--duration", "60")
    assert "outside 900..43200" in line


def test_cache_hit_imports_no_boto3(home: Path, sts_proxy: StsProxy) -> None:
    ok("assume", "c")
    for verb in (("env", "c"), ("credential-process", "c"), ("assume", "c"), ("list",)):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "rolecall", *verb],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        assert proc.returncode == 0, proc.stderr
        imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines()}
        heavy = {m for m in imported if m.split(".")[0] in ("boto3", "botocore", "textual", "rich")}
        assert not heavy, (verb, sorted(heavy)[:5])
    assert sts_proxy.count("AssumeRole") == 3


# ---------------------------------------------------------------------------
# env
# ---------------------------------------------------------------------------
def test_env_sh_evals_in_bash_and_works_with_aws(home: Path, sts_proxy: StsProxy) -> None:
    script = (
        "export AWS_PROFILE=base AWS_DEFAULT_PROFILE=base AWS_SECURITY_TOKEN=stale\n"
        f'eval "$({sys.executable} -m rolecall env b)" || exit 9\n'
        'echo "profile=${AWS_PROFILE-unset} default=${AWS_DEFAULT_PROFILE-unset}'
        ' security=${AWS_SECURITY_TOKEN-unset}"\n'
        'echo "region=$AWS_REGION/$AWS_DEFAULT_REGION exp=$AWS_CREDENTIAL_EXPIRATION"\n'
        "aws sts get-caller-identity --query Arn --output text\n"
    )
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=aws_env())
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "profile=unset default=unset security=unset"
    assert lines[1].startswith("region=eu-west-1/eu-west-1 exp=20")
    assert lines[2].startswith("arn:aws:sts::222222222222:assumed-role/B/")
    assert sts_proxy.count("AssumeRole") == 2
    assert sts_proxy.count("GetCallerIdentity") == 1


@pytest.mark.parametrize("shell", ["dash", "zsh", "fish"])
def test_env_in_other_shells(home: Path, sts_proxy: StsProxy, shell: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    fmt = "fish" if shell == "fish" else "sh"
    out = ok("env", "a", "--format", fmt).stdout
    if shell == "fish":
        script = (
            "set -gx AWS_PROFILE base; "
            + out.replace("\n", " ")
            + " echo $AWS_ACCESS_KEY_ID; set -q AWS_PROFILE; or echo unset"
        )
    else:
        script = f"AWS_PROFILE=base; export AWS_PROFILE\n{out}\necho $AWS_ACCESS_KEY_ID\n" + (
            'echo "${AWS_PROFILE-unset}"\n'
        )
    proc = subprocess.run([shell, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    key = json.loads(ok("env", "a", "--format", "json").stdout)["AWS_ACCESS_KEY_ID"]
    assert proc.stdout.splitlines() == [key, "unset"]


def test_env_formats(home: Path, sts_proxy: StsProxy) -> None:
    data = json.loads(ok("env", "b", "--format", "json").stdout)
    assert set(data) == {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "ROLECALL_PROFILE",  # (for prompts: `rolecall prompt`)
    }
    assert data["ROLECALL_PROFILE"] == "b"
    dotenv = ok("env", "b", "--format", "dotenv").stdout
    parsed = dict(line.split("=", 1) for line in dotenv.splitlines())
    # single quotes, which no dotenv reader interprets
    assert all(v.startswith("'") and v.endswith("'") for v in parsed.values())
    assert {k: v[1:-1] for k, v in parsed.items()} == data
    ps = ok("env", "b", "--format", "powershell").stdout
    assert f"$Env:AWS_SESSION_TOKEN = '{data['AWS_SESSION_TOKEN']}'" in ps
    assert "Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue" in ps
    fish = ok("env", "b", "--format", "fish").stdout
    assert f"set -gx AWS_ACCESS_KEY_ID '{data['AWS_ACCESS_KEY_ID']}';" in fish
    assert "set -e AWS_SECURITY_TOKEN;" in fish
    proc = run_rolecall("env", "b", "--format", "csh")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


# ---------------------------------------------------------------------------
# the cache, both ways, with the real aws CLI
# ---------------------------------------------------------------------------
def test_aws_cli_reuses_rolecalls_cache(home: Path, sts_proxy: StsProxy) -> None:
    arn = json.loads(ok("assume", "c", "--json").stdout)["arn"]
    assert sts_proxy.count("AssumeRole") == 3
    proc = run_aws(["sts", "get-caller-identity", "--profile", "c"], env=aws_env())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["Arn"] == arn
    assert sts_proxy.count("AssumeRole") == 3  # the CLI assumed nothing
    assert sts_proxy.count("GetCallerIdentity") == 1


def test_rolecall_reuses_the_aws_clis_cache(home: Path, sts_proxy: StsProxy) -> None:
    proc = run_aws(["sts", "get-caller-identity", "--profile", "b"], env=aws_env())
    assert proc.returncode == 0, proc.stderr
    cli_arn = json.loads(proc.stdout)["Arn"]
    assert "/botocore-session-" in cli_arn
    assert sts_proxy.count("AssumeRole") == 2
    result = json.loads(ok("assume", "b", "--json").stdout)
    assert result["from_cache"] is True and result["arn"] == cli_arn
    # and c starts from the CLI's cached b: one more AssumeRole, not three
    ok("assume", "c")
    assert sts_proxy.count("AssumeRole") == 3
    assert sts_proxy.calls("AssumeRole")[-1].params["RoleArn"] == C


def test_credential_process_in_the_aws_cli(home: Path, sts_proxy: StsProxy) -> None:
    exe = shutil.which("rolecall")
    command = (
        "rolecall credential-process c"
        if exe
        else f"{sys.executable} -m rolecall credential-process c"
    )
    cfg = home / ".aws" / "config"
    cfg.write_text(cfg.read_text() + f"\n[profile cp]\ncredential_process = {command}\n")
    proc = run_aws(["sts", "get-caller-identity", "--profile", "cp"], env=aws_env())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["Arn"].startswith("arn:aws:sts::333333333333:assumed-role/C/")
    assert sts_proxy.count("AssumeRole") == 3
    # the second run is served by rolecall's cache
    proc = run_aws(["sts", "get-caller-identity", "--profile", "cp"], env=aws_env())
    assert proc.returncode == 0, proc.stderr
    assert sts_proxy.count("AssumeRole") == 3
    doc = json.loads(ok("credential-process", "c").stdout)
    assert doc["Version"] == 1
    assert set(doc) == {
        "Version",
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
        "AccountId",
    }
    assert doc["Expiration"].endswith("Z")


def test_concurrent_credential_process_calls_assume_once(home: Path, sts_proxy: StsProxy) -> None:
    with ThreadPoolExecutor(8) as pool:
        procs = list(pool.map(lambda _: run_rolecall("credential-process", "b"), range(8)))
    assert all(p.returncode == 0 for p in procs), [p.stderr for p in procs]
    keys = {json.loads(p.stdout)["AccessKeyId"] for p in procs}
    assert len(keys) == 1
    assert sts_proxy.count("AssumeRole") == 2


def test_credential_process_calling_itself_is_refused(home: Path, sts_proxy: StsProxy) -> None:
    cfg = home / ".aws" / "config"
    cfg.write_text(
        cfg.read_text() + f"\n[profile self]\ncredential_process = {sys.executable} -m rolecall "
        "credential-process self\n"
        + "\n[profile on-self]\nrole_arn = arn:aws:iam::1:role/X\nsource_profile = self\n"
    )
    proc = run_rolecall("credential-process", "self", timeout=60)
    assert proc.returncode == 1
    assert "calls itself" in proc.stderr
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------
# exec
# ---------------------------------------------------------------------------
def test_exec_environment_and_exit_codes(home: Path, sts_proxy: StsProxy) -> None:
    code = (
        "import os, json; print(json.dumps({k: os.environ.get(k) for k in "
        "('ROLECALL_PROFILE', 'AWS_PROFILE', 'AWS_SECURITY_TOKEN', 'AWS_REGION', "
        "'AWS_ACCESS_KEY_ID')}))"
    )
    env = dict(os.environ, AWS_PROFILE="base", AWS_SECURITY_TOKEN="stale")
    proc = run_rolecall("exec", "b", "--env-keys", "--", sys.executable, "-c", code, env=env)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["ROLECALL_PROFILE"] == "b"
    assert seen["AWS_PROFILE"] is None and seen["AWS_SECURITY_TOKEN"] is None
    assert seen["AWS_REGION"] == "eu-west-1"
    assert seen["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert (
        run_rolecall("exec", "b", "--", sys.executable, "-c", "raise SystemExit(7)").returncode == 7
    )
    killed = run_rolecall(
        "exec", "b", "--", sys.executable, "-c", "import os, signal; os.kill(os.getpid(), 9)"
    )
    assert killed.returncode == 128 + 9
    # secrets never in argv: the child sees them only in its environment
    argv = run_rolecall("exec", "b", "--", sys.executable, "-c", "import sys; print(sys.argv)")
    assert_no_secrets(argv.stdout)
    line = failing("exec", "b", "--", "no-such-command-rolecall", code=127)
    assert "command not found: no-such-command-rolecall" in line
    line = failing("exec", "b", code=2)
    assert "no command given" in line


CHILD = """\
import signal, sys, time
def on(sig, frame):
    print(f"got {sig}", flush=True)
    sys.exit(40 + sig % 10)
signal.signal(signal.SIGTERM, on)
signal.signal(signal.SIGINT, on)
signal.signal(signal.SIGHUP, on)
print("ready", flush=True)
time.sleep(30)
sys.exit(1)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_exec_forwards_signals(home: Path, sts_proxy: StsProxy, sig: signal.Signals) -> None:
    ok("assume", "b")  # warm the cache so the child starts at once
    proc = subprocess.Popen(
        [sys.executable, "-m", "rolecall", "exec", "b", "--", sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # no terminal: nothing else delivers the signal
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert out.strip() == f"got {int(sig)}"
    assert proc.returncode == 40 + int(sig) % 10, err


# ---------------------------------------------------------------------------
# errors, one line each
# ---------------------------------------------------------------------------
def test_errors_are_one_line(home: Path, sts_proxy: StsProxy) -> None:
    assert "unknown profile 'nope'" in failing("assume", "nope")
    assert "cycle" in failing("env", "loop1")
    sts_proxy.fail(
        "AssumeRole", "ExpiredToken", "The security token included in the request is expired"
    )
    assert "the static keys of profile 'base' have expired" in failing("assume", "a")
    sts_proxy.fail("AssumeRole", "Throttling", "Rate exceeded", times=3)
    assert "throttled" in failing("assume", "a")
    sts_proxy.fail(
        "AssumeRole",
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    assert "maximum session duration" in failing("assume", "a", "--duration", "43200")
    # MFA with no terminal to ask on
    proc = subprocess.run(
        [sys.executable, "-m", "rolecall", "assume", "mfa1"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"rolecall: an MFA code is needed for {MFA}; no terminal to ask on: pass --mfa-code CODE"
    ]
    assert "must be 6 digits" in failing("assume", "mfa1", "--mfa-code", "12")
    ok("assume", "mfa1", "--mfa-code", "123456")
    assert sts_proxy.count("GetSessionToken") == 1


def test_unreachable_endpoint_from_the_cli(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{port}")
    start = time.monotonic()
    line = failing("assume", "a")
    assert f"cannot reach STS at http://127.0.0.1:{port}: connection refused" in line
    assert time.monotonic() - start < 10


# ---------------------------------------------------------------------------
# doctor
# ---------------------------------------------------------------------------
def doctor(env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = run_rolecall("doctor", env=env)
    assert "Traceback" not in proc.stderr
    assert BASE_SECRET not in proc.stdout + proc.stderr
    assert "doctorSECRET" not in proc.stdout + proc.stderr
    return proc


def test_doctor_clean(home: Path) -> None:
    cfg = home / ".aws" / "config"
    cfg.write_text(CONFIG.split("[profile loop1]")[0])
    cfg.chmod(0o600)
    proc = doctor()
    assert proc.returncode == 0, proc.stdout
    assert all(line.startswith("ok") for line in proc.stdout.splitlines()), proc.stdout


def test_doctor_finds_problems(home: Path) -> None:
    cfg = home / ".aws" / "config"
    cfg.chmod(0o644)  # holds a secret key: readable by others is a problem
    cred = home / ".aws" / "credentials"
    cred.write_text("[x]\naws_access_key_id = AKIAX\naws_secret_access_key = doctorSECRET\n")
    cred.chmod(0o644)
    cache_dir = Path(cache_keys.cli_cache_dir())
    cache_dir.mkdir(parents=True)
    cache_dir.chmod(0o777)
    past = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="ASIADOCTORTEST000001",
        AWS_SECRET_ACCESS_KEY="doctorSECRET",
        AWS_CREDENTIAL_EXPIRATION=past,
        AWS_PROFILE="missing",
        AWS_DEFAULT_PROFILE="a",
    )
    proc = doctor(env)
    assert proc.returncode == 1
    out = proc.stdout
    problems = [line for line in out.splitlines() if line.startswith("problem")]
    text = "\n".join(problems)
    assert "temporary key but AWS_SESSION_TOKEN is not set" in text
    assert "expired at" in text
    assert "AWS_PROFILE=missing is set together with AWS_ACCESS_KEY_ID" in text
    assert "AWS_PROFILE=missing names a profile that does not exist" in text
    assert "AWS_DEFAULT_PROFILE=a names" not in text
    assert "cycle" in text
    assert f"credentials file {cred} is readable by others" in text
    assert f"config file {cfg} is readable by others" in text
    assert f"{cache_dir} is writable by others" in text
    assert "ASIADOCTORTEST000001" not in out  # key ids are masked


def test_doctor_config_without_secrets_may_be_readable(home: Path) -> None:
    cfg = home / ".aws" / "config"
    cfg.write_text("[profile x]\nregion = eu-west-1\n")
    cfg.chmod(0o644)
    proc = doctor()
    assert proc.returncode == 0, proc.stdout
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o644


def test_every_verb_takes_config_and_credentials(home: Path, sts_proxy: StsProxy) -> None:
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    cfg = elsewhere / "cfg"
    cred = elsewhere / "cred"
    # the role lives in the explicit config, the keys in the explicit credentials file
    cfg.write_text(
        "[profile only-here]\nrole_arn = arn:aws:iam::121212121212:role/X\nsource_profile = keys\n"
    )
    cred.write_text(
        f"[keys]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n"
    )
    cred.chmod(0o600)
    cfg.chmod(0o600)
    files = ("--config", str(cfg), "--credentials", str(cred))
    assert "121212121212" in ok("assume", *files, "only-here").stdout
    assert "AWS_SESSION_TOKEN" in ok("env", *files, "only-here").stdout
    assert json.loads(ok("credential-process", *files, "only-here").stdout)["Version"] == 1
    proc = ok(
        "exec",
        *files,
        "only-here",
        "--",
        sys.executable,
        "-c",
        "import os; print(os.environ['ROLECALL_PROFILE'])",
    )
    assert proc.stdout.strip() == "only-here"
    assert ok("doctor", *files).returncode == 0
    # top-level placement works too, and the default files do not have the profile
    assert "121212121212" in ok(*files, "assume", "only-here").stdout
    assert "unknown profile 'only-here'" in failing("assume", "only-here")
    assert sts_proxy.count("AssumeRole") == 1
