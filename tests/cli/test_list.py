"""`rolecall list`, `--help`, `--version` and `profile add/remove` as whole processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest

import rolecall

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLETOKENxyz0123456789"

CONFIG = """\
# my config
[default]
region = eu-west-1

[profile dev]
role_arn = arn:aws:iam::123456789012:role/Dev
source_profile = default
mfa_serial = arn:aws:iam::000000000000:mfa/me
external_id = ext-1
duration_seconds = 1800
role_session_name = me
region = us-east-1

[profile "[prod] admin"]
role_arn = arn:aws:iam::210987654321:role/Admin
source_profile = dev

[profile broken]
role_arn = arn:aws:iam::bad:role/x
source_profile = default
"""
CREDS = f"""\
[default]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = {SECRET}
aws_session_token = {TOKEN}

[only-creds]
aws_access_key_id = AKIAONLY
aws_secret_access_key = {SECRET}
"""


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rolecall", *args],
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        timeout=60,
    )


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    cfg = tmp_path / "config"
    cred = tmp_path / "credentials"
    cfg.write_text(CONFIG)
    cred.write_text(CREDS)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfg))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(cred))
    return cfg, cred


def test_version_and_help() -> None:
    out = run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"rolecall {rolecall.__version__}"
    top = run("--help")
    assert top.returncode == 0
    for sub in ("list", "profile"):
        assert sub in top.stdout
    for args in (["list"], ["profile"], ["profile", "add"], ["profile", "remove"], ["demo"]):
        res = run(*args, "--help")
        assert res.returncode == 0, args
        assert "usage: rolecall" in res.stdout


def test_list_json_matches_botocore(files: tuple[Path, Path]) -> None:
    cfg, cred = files
    res = run("list", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["config_file"] == str(cfg)
    assert doc["credentials_file"] == str(cred)
    assert doc["problems"] == []
    names = [p["name"] for p in doc["profiles"]]
    full = botocore.session.Session().full_config["profiles"]
    assert names == list(full)
    dev = next(p for p in doc["profiles"] if p["name"] == "dev")
    assert dev == {
        "name": "dev",
        "kind": "assume-role",
        "region": "us-east-1",
        "role_arn": "arn:aws:iam::123456789012:role/Dev",
        "account_id": "123456789012",
        "role_name": "Dev",
        "source_profile": "default",
        "credential_source": None,
        "mfa_serial": "arn:aws:iam::000000000000:mfa/me",
        "external_id": "ext-1",
        "duration_seconds": 1800,
        "role_session_name": "me",
        "chain": ["dev", "default"],
        "problems": [],
        "file": str(cfg),
        "line": 5,
    }
    for prof in doc["profiles"]:
        for key in ("region", "role_arn", "source_profile", "mfa_serial", "external_id"):
            assert prof[key] == full[prof["name"]].get(key)
    prod = next(p for p in doc["profiles"] if p["name"] == "[prod] admin")
    assert prod["chain"] == ["[prod] admin", "dev", "default"]
    broken = next(p for p in doc["profiles"] if p["name"] == "broken")
    assert broken["problems"] and "not a valid IAM role ARN" in broken["problems"][0]
    only = next(p for p in doc["profiles"] if p["name"] == "only-creds")
    assert only["file"] == str(cred) and only["kind"] == "static"
    assert SECRET not in res.stdout + res.stderr
    assert TOKEN not in res.stdout + res.stderr


def test_list_table(files: tuple[Path, Path]) -> None:
    res = run("list")
    assert res.returncode == 0
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "ACCOUNT", "ROLE", "REGION", "SOURCE", "PROBLEMS"]
    row = next(line for line in lines if line.startswith("dev "))
    assert row.split() == ["dev", "assume-role", "123456789012", "Dev", "us-east-1", "default"]
    assert any(line.startswith("[prod] admin") for line in lines)
    assert SECRET not in res.stdout and TOKEN not in res.stdout


def test_list_parse_problem_exit_1(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text("[profile dev]\nregion = a\n\n[profile x]\nk=v\n[profile dev]\nregion = b\n")
    res = run("list", "--json", "--config", str(cfg), "--credentials", str(tmp_path / "none"))
    assert res.returncode == 1
    doc = json.loads(res.stdout)
    assert doc["problems"] == [
        {
            "file": str(cfg),
            "line": 6,
            "message": "duplicate section [profile dev] at line 6, first defined at line 1",
        }
    ]
    assert "AWS CLI will refuse" in res.stderr
    assert "Traceback" not in res.stderr


def test_flags_override_environment(files: tuple[Path, Path], tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.write_text("[profile elsewhere]\nregion = x\n")
    res = run("list", "--json", "--config", str(other), "--credentials", str(tmp_path / "missing"))
    assert res.returncode == 0
    assert [p["name"] for p in json.loads(res.stdout)["profiles"]] == ["elsewhere"]
    res = run("--config", str(other), "list", "--json")
    assert [p["name"] for p in json.loads(res.stdout)["profiles"]][0] == "elsewhere"


def test_env_expansion(files: tuple[Path, Path], tmp_path: Path) -> None:
    env = dict(os.environ)
    env["MYDIR"] = str(tmp_path)
    env["AWS_CONFIG_FILE"] = "$MYDIR/config"
    res = run("list", "--json", env=env)
    assert json.loads(res.stdout)["config_file"] == str(tmp_path / "config")
    env["AWS_CONFIG_FILE"] = "~/cfg"
    Path(env["HOME"], "cfg").write_text("[default]\n")
    res = run("list", "--json", env=env)
    assert json.loads(res.stdout)["config_file"] == os.path.join(env["HOME"], "cfg")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_error(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text("[default]\n")
    cfg.chmod(0)
    res = run("list", "--config", str(cfg))
    assert res.returncode == 2
    assert str(cfg) in res.stderr and "Traceback" not in res.stderr


def test_unreadable_file_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Root can read anything, so fake the EACCES that a normal user would get."""
    import builtins
    import os

    from rolecall.cli import main

    cfg = tmp_path / "config"
    cfg.write_text("[default]\n")
    real_open, real_os_open = builtins.open, os.open

    def deny(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == str(cfg):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    def deny_fd(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == str(cfg):
            raise PermissionError(13, "Permission denied", str(file))
        return real_os_open(file, *args, **kwargs)

    # (the config is read with os.open, O_NONBLOCK: a FIFO in its place never blocks)
    monkeypatch.setattr(builtins, "open", deny)
    monkeypatch.setattr(os, "open", deny_fd)
    assert main(["list", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err == f"rolecall: cannot read {cfg}: Permission denied\n"


def test_directory_is_error(tmp_path: Path) -> None:
    res = run("list", "--config", str(tmp_path))
    assert res.returncode == 2
    assert res.stderr.startswith("rolecall: ") and str(tmp_path) in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_list_imports_neither_boto3_nor_textual(files: tuple[Path, Path]) -> None:
    code = (
        "import sys, io, contextlib\n"
        "from rolecall.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    rc = main(['list', '--json'])\n"
        "bad = [m for m in ('boto3', 'botocore', 'textual', 'rich', 'json') if m in sys.modules]\n"
        "print(rc, bad)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "0 []", res.stderr


def test_profile_add_remove_cli(files: tuple[Path, Path]) -> None:
    cfg, _ = files
    original = cfg.read_bytes()
    res = run(
        "profile",
        "add",
        "new",
        "--role-arn",
        "arn:aws:iam::123456789012:role/New",
        "--source-profile",
        "default",
        "--region",
        "eu-central-1",
        "--duration-seconds",
        "900",
    )
    assert res.returncode == 0, res.stderr
    assert "added profile new" in res.stdout
    full = botocore.session.Session().full_config["profiles"]
    assert full["new"] == {
        "role_arn": "arn:aws:iam::123456789012:role/New",
        "source_profile": "default",
        "region": "eu-central-1",
        "duration_seconds": "900",
    }
    bad = run("profile", "add", "x", "--role-arn", "nope", "--source-profile", "default")
    assert bad.returncode == 1
    assert bad.stderr.startswith("rolecall: profile not added: malformed role ARN")
    assert "Traceback" not in bad.stderr
    res = run("profile", "remove", "new")
    assert res.returncode == 0
    assert cfg.read_bytes() == original


def test_fast_json_text_equals_json_dumps(tmp_path: Path) -> None:
    """The hand-written JSON of `list --json` must equal json.dumps of to_json()."""
    from rolecall.core.profile_listing import profile_json_text
    from rolecall.core.profiles import load_profiles

    cfg = tmp_path / "config"
    cfg.write_text(
        CONFIG
        + '[profile "q\\\\uote\\" \\u2603 \\\\t"]\nregion = "quoted" \\\\ back\x01\n'
        + "[profile d]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = default\n"
        + "duration_seconds = 7200\nsso_account_id = 1\n"
    )
    cred = tmp_path / "credentials"
    cred.write_text(CREDS)
    ps = load_profiles(str(cfg), str(cred))
    assert len(ps) >= 6
    for p in ps:
        assert json.loads(profile_json_text(p)) == p.to_json()


@pytest.mark.parametrize("count", [0, 1, 255, 256, 257, 600])
def test_list_json_document_equals_json_dumps(tmp_path: Path, count: int) -> None:
    """The whole `list --json` text, written in slices of 256 profiles, reads back
    as json.dumps of the same data (file problems included)."""
    from rolecall.core.profile_listing import write_list_json
    from rolecall.core.profiles import load_profiles

    cfg = tmp_path / 'c "o\\nfig'
    cfg.write_text(
        "".join(f"[profile p{i}]\nregion = r\\u{i}\n\n" for i in range(count))
        + '[profile dup]\nregion = a\n[profile dup]\nregion = "b"\n'
    )
    cred = tmp_path / "credentials"
    cred.write_text(CREDS)
    ps = load_profiles(str(cfg), str(cred))
    assert ps.problems  # the duplicate section
    chunks: list[str] = []
    write_list_json(ps, chunks.append)
    text = "".join(chunks)
    assert text.endswith("}\n")
    assert json.loads(text) == {
        "config_file": str(cfg),
        "credentials_file": str(cred),
        "profiles": [p.to_json() for p in ps],
        "problems": [p.to_json() for p in ps.problems],
    }
    assert text.count("\n") == max(len(ps) - 1, 0) + 1  # one profile per line
