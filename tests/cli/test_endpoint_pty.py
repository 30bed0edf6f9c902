"""``rolecall shell`` served by the endpoint, in a real pseudo-terminal (pexpect).

* the MFA session runs out: the next ``aws`` call fails with one readable line
  that names the command; ``rolecall assume X`` in the same shell asks for the
  code; the next ``aws`` call works;
* Ctrl+C reaches the child, not the endpoint, and the exit code passes through.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pexpect
import pytest
from tests.expiry_proxy import ExpiryProxy
from tests.moto_fixtures import StsProxy
from tests.sts_helpers import chain_profiles, mfa_profile

SECRET = "endpointPTYsecret/0000000000000000000000000"
MFA = "arn:aws:iam::000000000000:mfa/me"
WHO = "aws sts get-caller-identity --region us-east-1 --query Arn --output text"


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    return chain_profiles("AKIAENDPOINTPTY00001", SECRET) + "\n" + mfa_profile(MFA)


def spawn(*args: str) -> pexpect.spawn:
    env = dict(os.environ)
    env["SHELL"] = "/bin/sh"
    env["PS1"] = "PROMPT$ "
    env["TERM"] = "dumb"
    env.pop("ROLECALL_SHELL", None)
    # `rolecall` inside the shell is this checkout's
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return pexpect.spawn(
        sys.executable,
        ["-m", "rolecall", *args],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(24, 400),
    )


def test_an_mfa_refresh_is_one_line_then_rolecall_assume_fixes_it(
    home: Path, expiring_sts: ExpiryProxy, sts_proxy: StsProxy
) -> None:
    # the MFA session lasts 5 s, each role session 16 s: rolecall's background refresh
    # soon needs a new code, and after 8 s (half their lifetime) the role credentials are
    # below the margin, so the endpoint must refresh them first, and cannot
    expiring_sts.lifetimes = {"GetSessionToken": 5.0, "AssumeRole": 16.0}
    child = spawn("shell", "mfa1")
    child.expect_exact(f"MFA code for {MFA}: ")
    child.sendline("123456")
    child.expect("starting /bin/sh for mfa1")
    child.expect_exact("PROMPT$ ")
    child.sendline(WHO)
    child.expect(r"assumed-role/M1/")
    child.expect_exact("PROMPT$ ")
    time.sleep(9)
    child.sendline(f"{WHO}; echo rc=$?")
    child.expect(r"rc=(\d+)")
    output = child.before
    assert child.match.group(1) != "0"
    [line] = [ln for ln in output.splitlines() if "container metadata" in ln]
    assert "Received non 200 response 403" in line
    assert f"an MFA code is needed for {MFA}" in line
    assert "run `rolecall assume mfa1` in this shell to enter a new MFA code" in line
    child.expect_exact("PROMPT$ ")
    child.sendline("rolecall assume mfa1")
    child.expect_exact(f"MFA code for {MFA}: ")
    child.sendline("654321")
    child.expect("source   sts")
    child.expect_exact("PROMPT$ ")
    child.sendline(f"{WHO}; echo rc=$?")
    child.expect(r"assumed-role/M1/")
    child.expect("rc=0")
    child.sendline("exit 3")
    child.expect("left the mfa1 shell")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3
    codes = [c.params.get("TokenCode") for c in sts_proxy.calls("GetSessionToken")]
    assert codes == ["123456", "654321"]  # (the endpoint itself never sent one)


def test_ctrl_c_reaches_the_child_and_the_endpoint_lives_on(
    home: Path, sts_proxy: StsProxy
) -> None:
    child = spawn("shell", "b")
    child.expect("starting /bin/sh for b")
    child.expect_exact("PROMPT$ ")
    child.sendline("sleep 30; echo slept=$?")
    time.sleep(1)
    child.sendintr()
    child.expect(r"PROMPT\$ ")
    assert "slept=0" not in (child.before or "")
    child.sendline(f"{WHO}; echo rc=$?")
    child.expect(r"assumed-role/B/")
    child.expect("rc=0")
    child.sendline("exit 5")
    child.expect("left the b shell")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 5
    assert re.search("rolecall: interrupted", child.before or "") is None
