"""Output that cannot drive a terminal or a shell (issue 14, section 1), as whole processes.

The attacker writes a config (a profile name, a region, an ``mfa_serial``, a
role ARN) or answers as STS, or plants a cache file.  Each test first runs the
attack as the issue reproduced it, then checks what stops it:

* every line any verb prints is printable (one rule: ``str.isprintable()``,
  which also refuses bidi and format characters such as U+202E);
* a region that is not ``[a-z0-9-]+`` and an ``mfa_serial`` that is not an MFA
  device are profile problems, and ``env``, ``exec`` and ``shell`` refuse them;
* credentials outside the alphabets AWS issues are refused, whether they come
  from STS, a cache file or a ``credential_process``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from tests.moto_fixtures import StsProxy, run_rolecall
from tests.sts_helpers import A, chain_profiles

from rolecall.core.cache import entries, keys

BASE_KEY = "AKIAHOSTILEOUTPUT001"
BASE_SECRET = "hostileOUTPUTsecret/0000000000000000000000"
#: OSC 52 writes the clipboard; OSC 0 sets the window title.
OSC52 = "\x1b]52;c;cHduZWQ=\x07\x1b]0;PWNED\x07"
#: right-to-left override: "evil\u202etxt.exe" shows as "evilexe.txt"
RLO = "\u202e"

HOSTILE = f"""\
[profile region-attack]
aws_access_key_id = {BASE_KEY}
aws_secret_access_key = {BASE_SECRET}
region = us-east-1{OSC52}

[profile serial-attack]
role_arn = {A}
source_profile = base
mfa_serial = arn:aws:iam::000000000000:mfa/me{OSC52}

[profile bidi{RLO}nimda-dorp]
aws_access_key_id = {BASE_KEY}
aws_secret_access_key = {BASE_SECRET}

[profile "c1\x9b31m"]
role_arn = arn:aws:iam::1234567890{RLO}1:role/X
source_profile = base
"""


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    return chain_profiles(BASE_KEY, BASE_SECRET) + "\n" + HOSTILE


def assert_printable(*texts: str) -> None:
    """Every line is printable: nothing in it can drive the terminal."""
    for text in texts:
        for line in text.splitlines():
            assert line.isprintable(), repr(line)


def one_line_failure(proc: object, code: int = 1) -> str:
    rc = proc.returncode  # type: ignore[attr-defined]
    out: str = proc.stdout  # type: ignore[attr-defined]
    err: str = proc.stderr  # type: ignore[attr-defined]
    assert rc == code, (rc, out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("rolecall: "), err
    assert "Traceback" not in err
    return lines[0]


VERBS = [
    ["list"],
    ["list", "--json"],
    ["doctor"],
    ["assume", "region-attack"],
    ["assume", "region-attack", "--json"],
    ["env", "region-attack"],
    ["env", "region-attack", "--format", "dotenv"],
    ["exec", "region-attack", "--", "true"],
    ["shell", "region-attack"],
    ["credential-process", "region-attack"],
    ["env", "serial-attack"],
    ["assume", f"bidi{RLO}nimda-dorp"],
    ["assume", f"bidi{RLO}nimda-dorp", "--json"],
    ["env", f"bidi{RLO}nimda-dorp"],
    ["assume", "c1\x9b31m"],
    ["assume", f"unknown{OSC52}"],
    ["profile", "remove", f"nope{RLO}"],
    [
        "profile",
        "add",
        f"new{RLO}",
        "--role-arn",
        f"arn:aws:iam::1{OSC52}",
        "--source-profile",
        "a",
    ],
]


@pytest.mark.parametrize("argv", VERBS, ids=lambda a: " ".join(a).encode("unicode_escape").decode())
def test_every_verb_prints_only_printable_lines(
    home: Path, sts_proxy: StsProxy, argv: list[str]
) -> None:
    proc = run_rolecall(*argv, env=dict(os.environ, SHELL="/bin/true"))
    assert "Traceback" not in proc.stderr
    assert_printable(proc.stdout, proc.stderr)
    if argv[0] == "list" and "--json" in argv:
        names = [p["name"] for p in json.loads(proc.stdout)["profiles"]]
        assert f"bidi{RLO}nimda-dorp" in names  # escaped in the JSON, exact once read
    elif argv[0] == "list":
        assert "bidi\\u202enimda-dorp" in proc.stdout


def test_a_region_that_writes_the_clipboard_is_a_problem(home: Path) -> None:
    proc = run_rolecall("list", "--json")
    problems = {p["name"]: p["problems"] for p in json.loads(proc.stdout)["profiles"]}
    assert any("is not a region name" in p for p in problems["region-attack"])
    assert any("is not an MFA device" in p for p in problems["serial-attack"])


@pytest.mark.parametrize("verb", ["env", "exec", "shell", "assume", "credential-process"])
@pytest.mark.parametrize("profile", ["region-attack", "serial-attack"])
def test_env_exec_and_shell_refuse_a_hostile_region_or_serial(
    home: Path, sts_proxy: StsProxy, verb: str, profile: str, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    argv = [verb, profile]
    if verb == "exec":
        argv += ["--", sys.executable, "-c", f"open({str(marker)!r}, 'w')"]
    env = dict(os.environ, SHELL=f"{sys.executable} -c 1")
    proc = run_rolecall(*argv, "--mfa-code", "123456", env=env)
    line = one_line_failure(proc)
    assert f"profile {profile!r} cannot be used" in line
    assert ("region" if profile == "region-attack" else "mfa_serial") in line
    assert "\\x1b]52;c;" in line  # shown escaped, so the user sees what is there
    assert proc.stdout == ""
    assert not marker.exists()
    assert sts_proxy.count("AssumeRole") == 0 and sts_proxy.count("GetSessionToken") == 0


def test_the_mfa_prompt_is_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: the prompt shows the serial through the same rule."""
    from rolecall.cli import credentials

    prompts: list[str] = []
    real_open = os.open

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return "123456"

    monkeypatch.setattr(os, "open", lambda path, *a: real_open(os.devnull, os.O_RDWR))
    monkeypatch.setattr("getpass.getpass", getpass)
    assert credentials._prompt_mfa(f"arn:aws:iam::000000000000:mfa/me{OSC52}") == "123456"
    assert prompts == ["MFA code for arn:aws:iam::000000000000:mfa/me" + _escaped_osc52() + ": "]


def _escaped_osc52() -> str:
    return OSC52.encode("unicode_escape").decode()


# ---------------------------------------------------------------------------
# credentials outside the AWS alphabet
# ---------------------------------------------------------------------------
HOSTILE_TOKEN = "$(touch PWNED)`touch PWNED`'${HOME}"


def _plant(key: str, token: str) -> Path:
    response = {
        "Credentials": {
            "AccessKeyId": "ASIAPLANTEDCACHED001",
            "SecretAccessKey": "plantedSECRET",
            "SessionToken": token,
            "Expiration": "2099-01-01T00:00:00Z",
        },
        "AssumedRoleUser": {"Arn": "arn:aws:sts::111111111111:assumed-role/A/me"},
    }
    return Path(entries.write_entry(key, response))


@pytest.mark.parametrize("fmt", ["sh", "dotenv", "fish"])
def test_a_cache_file_with_a_hostile_token_is_a_miss(
    home: Path, sts_proxy: StsProxy, fmt: str
) -> None:
    path = _plant(keys.cache_key(A), HOSTILE_TOKEN)
    proc = run_rolecall("env", "a", "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    assert "ASIAPLANTEDCACHED001" not in proc.stdout and "PWNED" not in proc.stdout
    assert sts_proxy.count("AssumeRole") == 1  # assumed again instead
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and str(path) in warnings[0], proc.stderr
    assert "the SessionToken holds characters outside base64" in warnings[0]
    assert "PWNED" not in proc.stderr  # the value is never shown
    # and the next assume replaced the planted file
    assert "PWNED" not in path.read_text()


def test_sts_answering_hostile_credentials_is_refused(home: Path, sts_proxy: StsProxy) -> None:
    def hostile(body: bytes) -> bytes:
        start = body.index(b"<SessionToken>") + len(b"<SessionToken>")
        end = body.index(b"</SessionToken>")
        return body[:start] + b"$(touch PWNED)&#10;`id`" + body[end:]

    sts_proxy.rewrite("AssumeRole", hostile)
    proc = run_rolecall("env", "a", "--format", "dotenv")
    line = one_line_failure(proc)
    assert "response rolecall cannot use" in line
    assert "the SessionToken holds characters outside base64" in line
    assert "PWNED" not in line and proc.stdout == ""
    cached = Path(keys.cli_cache_dir())
    assert not cached.is_dir() or not list(cached.iterdir())  # nothing was cached


def test_a_credential_process_with_hostile_keys_is_refused(home: Path, tmp_path: Path) -> None:
    script = tmp_path / "creds.py"
    script.write_text(
        "import json\n"
        "print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIA$(touch PWNED)',"
        " 'SecretAccessKey': 'x'}))\n"
    )
    config = home / ".aws" / "config"
    config.write_text(
        config.read_text() + f"\n[profile proc]\ncredential_process = {sys.executable} {script}\n"
    )
    proc = run_rolecall("env", "proc")
    line = one_line_failure(proc)
    assert "the AccessKeyId holds characters other than A-Z and 0-9" in line
    assert "PWNED" not in line and proc.stdout == ""


def test_static_keys_outside_the_alphabet_are_refused(home: Path) -> None:
    config = home / ".aws" / "config"
    config.write_text(
        config.read_text()
        + "\n[profile odd]\naws_access_key_id = AKIAODD\naws_secret_access_key = a'b\n"
    )
    line = one_line_failure(run_rolecall("env", "odd", "--format", "dotenv"))
    assert "the SecretAccessKey holds characters outside base64" in line
