"""``rolecall shell`` (and the MFA prompt) in a real pseudo-terminal, with pexpect."""

from __future__ import annotations

import os
import sys
from datetime import UTC
from pathlib import Path

import pexpect
import pytest
from tests.moto_fixtures import StsProxy
from tests.sts_helpers import mfa_profile

from rolecall.core import shell
from rolecall.core.sts import AssumeResult, Credentials

BASE_SECRET = "rolecallSHELLsecret/00000000000000000000000"
MFA = "arn:aws:iam::000000000000:mfa/me"
CONFIG = f"""\
[profile base]
aws_access_key_id = AKIAROLECALLSHELL001
aws_secret_access_key = {BASE_SECRET}

[profile a]
role_arn = arn:aws:iam::111111111111:role/A
source_profile = base
region = eu-west-1

[profile b]
role_arn = arn:aws:iam::222222222222:role/B
source_profile = base

{mfa_profile(MFA)}"""


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    """``home``'s config; the tests that use it talk to moto's STS."""
    return CONFIG


def spawn(*args: str, shell_path: str = "/bin/bash") -> pexpect.spawn:
    env = dict(os.environ)
    env["SHELL"] = shell_path
    env["PS1"] = "PROMPT$ "
    env["TERM"] = "dumb"
    env.pop("ROLECALL_SHELL", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "rolecall", *args],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 200),
    )
    return child


def test_shell_in_a_pty(home: Path, sts_proxy: StsProxy) -> None:
    child = spawn("shell", "a", "--env-keys", shell_path="/bin/sh")  # fixed keys, as before
    child.expect("starting /bin/sh for a")
    child.expect(r"type `exit` to leave")
    child.sendline(
        'echo "P=$ROLECALL_PROFILE R=$AWS_REGION K=$(echo $AWS_ACCESS_KEY_ID | cut -c1-4)"'
    )
    child.expect("P=a R=eu-west-1 K=ASIA")
    # a nested shell is refused, with how to leave
    child.sendline(f"{sys.executable} -m rolecall shell b; echo nested=$?")
    child.expect("already inside a rolecall shell for profile a: type `exit` to leave it")
    child.expect("nested=1")
    # --force nests (served by the endpoint: the outer keys are not exported to it), and
    # exiting the inner one returns to the outer
    child.sendline(f"{sys.executable} -m rolecall shell b --force")
    child.expect("starting /bin/sh for b")
    child.sendline('echo "inner=$ROLECALL_PROFILE K=${AWS_ACCESS_KEY_ID:-none}"')
    child.expect("inner=b K=none")
    child.sendline("exit")
    child.expect(r"left the b shell\r")
    child.sendline('echo "outer=$ROLECALL_PROFILE"')
    child.expect("outer=a")
    child.sendline("exit 3")
    child.expect(r"left the a shell; its credentials had (59|60)m left")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3
    assert sts_proxy.count("AssumeRole") == 2
    assert BASE_SECRET not in (child.before or "")


def test_interactive_bash_and_ctrl_c(home: Path, sts_proxy: StsProxy) -> None:
    child = spawn("shell", "a", shell_path="/bin/bash")
    child.expect("starting /bin/bash for a")
    child.sendline(
        f"{sys.executable} -c \"import time; print('sl' + 'eeping', flush=True); time.sleep(20)\""
    )
    child.expect("\r\nsleeping")  # the output, not the echo of the typed line
    child.sendcontrol("c")  # interrupts the sleep (bash drops the rest of the line), not rolecall
    child.expect(r"\^C")
    child.sendline('echo "still=$ROLECALL_PROFILE"')
    child.expect("still=a")
    child.sendline("exit")
    child.expect("left the a shell")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_mfa_prompt_on_the_terminal(home: Path, sts_proxy: StsProxy) -> None:
    child = spawn("assume", "mfa1")
    child.expect_exact(f"MFA code for {MFA}: ")
    child.sendline("123456")
    child.expect("source   sts")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    [call] = sts_proxy.calls("GetSessionToken")
    assert call.params["TokenCode"] == "123456"
    # an empty answer cancels
    other = spawn("assume", "mfa1", "--no-cache")
    os.unlink(
        os.path.join(
            os.environ["ROLECALL_CACHE_DIR"],
            "mfa",
            os.listdir(os.path.join(os.environ["ROLECALL_CACHE_DIR"], "mfa"))[0],
        )
    )
    other.expect_exact(f"MFA code for {MFA}: ")
    other.sendline("")
    other.expect("rolecall: MFA cancelled")
    other.expect(pexpect.EOF)
    other.close()
    assert other.exitstatus == 1


# ---------------------------------------------------------------------------
# shell.py units
# ---------------------------------------------------------------------------
def _result(token: str | None = "TOKEN", region: str | None = "eu-west-1") -> AssumeResult:
    from datetime import datetime

    exp = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC) if token else None
    creds = Credentials("ASIAEXAMPLE", "se'cr\"et $x", token, exp)
    return AssumeResult("p", creds, None, None, exp, False, region)


def test_build_env() -> None:
    base = {
        "AWS_PROFILE": "x",
        "AWS_DEFAULT_PROFILE": "y",
        "AWS_SECURITY_TOKEN": "z",
        "AWS_SESSION_TOKEN": "stale",
        "PATH": "/bin",
    }
    env = shell.build_env(_result(), base, "p")
    assert env["AWS_ACCESS_KEY_ID"] == "ASIAEXAMPLE"
    assert env["AWS_SESSION_TOKEN"] == "TOKEN"
    assert env["AWS_CREDENTIAL_EXPIRATION"] == "2030-01-02T03:04:05Z"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["ROLECALL_PROFILE"] == "p" and env["PATH"] == "/bin"
    assert not {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"} & set(env)
    assert base["AWS_PROFILE"] == "x"  # the caller's mapping is untouched
    static = shell.build_env(_result(token=None, region=None), base, "p")
    assert "AWS_SESSION_TOKEN" not in static and "AWS_CREDENTIAL_EXPIRATION" not in static
    assert "AWS_REGION" not in static


def test_sh_format_quotes_anything() -> None:
    import subprocess

    out = shell.format_env(_result(), "sh")
    proc = subprocess.run(
        ["sh", "-c", out + 'printf "%s" "$AWS_SECRET_ACCESS_KEY"'], capture_output=True, text=True
    )
    assert proc.stdout == "se'cr\"et $x"
    with pytest.raises(ValueError):
        shell.format_env(_result(), "tcsh")


def test_user_shell() -> None:
    assert shell.user_shell({"SHELL": "/bin/zsh"}) == ["/bin/zsh"]
    assert shell.user_shell({}) == ["/bin/sh"]
    assert shell.user_shell({"SHELL": ""}) == ["/bin/sh"]


def test_run_subshell_codes(tmp_path: Path) -> None:
    assert shell.run_subshell([sys.executable, "-c", "raise SystemExit(5)"], os.environ) == 5
    assert shell.run_subshell(["/bin/sh", "-c", "kill -TERM $$"], os.environ) == 128 + 15
    with pytest.raises(shell.RunError) as info:
        shell.run_subshell(["/definitely/not/here"], os.environ)
    assert info.value.exit_code == 127
    script = tmp_path / "noexec"
    script.write_text("#!/bin/sh\n")
    with pytest.raises(shell.RunError) as info:
        shell.run_subshell([str(script)], os.environ)
    assert info.value.exit_code == 126
