"""Guarded profiles on the command line, as whole processes against moto's STS.

``shell``, ``exec``, ``env`` and ``console`` ask y/N on the terminal (a real pty,
with pexpect); with no terminal they refuse in one line unless ``--yes``; and a
refused profile's credentials never reach the child (nothing is even assumed).
``credential-process`` never asks; ``guard_credential_process = "refuse"`` makes
it refuse."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest
from tests.cli.no_terminal import rolecall
from tests.moto_fixtures import StsProxy, write_aws_files

CONFIG = """\
[profile user]
aws_access_key_id = AKIAROLECALLGUARD001
aws_secret_access_key = rolecallGUARDsecret/000000000000000000000

[profile dev]
role_arn = arn:aws:iam::318457902611:role/Developer
source_profile = user

[profile prod-admin]
role_arn = arn:aws:iam::736190452278:role/Admin
source_profile = user
"""
REFUSED = (
    "rolecall: prod-admin is a guarded profile (account 736190452278, role Admin; "
    'its name matches "*prod*"): no terminal to confirm on; pass --yes to go ahead\n'
)


def write_settings(text: str) -> None:
    path = Path(os.environ["ROLECALL_CONFIG_DIR"]) / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def guard_home(isolated_env: Path, sts_endpoint: str) -> Path:
    write_aws_files(isolated_env, CONFIG)
    write_settings('guard = ["*prod*"]\n')
    return isolated_env


#: What a child is given to reach its credentials: fixed keys, or rolecall's local endpoint.
GIVEN = "${AWS_ACCESS_KEY_ID:-$AWS_CONTAINER_CREDENTIALS_FULL_URI}"


def recorder(home: Path) -> tuple[list[str], Path]:
    """A child command that writes how it was given credentials to a file."""
    marker = home / "child-ran"
    code = (
        "import os, sys; open(sys.argv[1], 'w').write(os.environ.get('AWS_ACCESS_KEY_ID') "
        "or os.environ.get('AWS_CONTAINER_CREDENTIALS_FULL_URI', ''))"
    )
    return [sys.executable, "-c", code, str(marker)], marker


def given_credentials(marker: Path) -> bool:
    """Whether the child recorded keys (ASIA...) or the endpoint's URL."""
    text = marker.read_text()
    return text.startswith(("ASIA", "http://127.0.0.1:"))


def test_exec_is_refused_without_a_terminal(guard_home: Path, sts_proxy: StsProxy) -> None:
    child, marker = recorder(guard_home)
    proc = rolecall("exec", "prod-admin", "--", *child)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", REFUSED)
    assert not marker.exists()  # the child never ran
    assert sts_proxy.calls() == []  # and nothing was assumed for it


@pytest.mark.parametrize(
    "where", [["--yes", "prod-admin"], ["prod-admin", "--yes"], ["-y", "prod-admin"]]
)
def test_exec_with_yes(guard_home: Path, sts_proxy: StsProxy, where: list[str]) -> None:
    child, marker = recorder(guard_home)
    proc = rolecall("exec", *where, "--", *child)
    assert proc.returncode == 0, proc.stderr
    assert given_credentials(marker)
    assert sts_proxy.count("AssumeRole") == 1


def test_env_refused_prints_nothing(guard_home: Path, sts_proxy: StsProxy) -> None:
    proc = rolecall("env", "prod-admin")
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", REFUSED)
    proc = rolecall("env", "prod-admin", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "export AWS_ACCESS_KEY_ID='ASIA" in proc.stdout


def test_shell_refused_starts_no_shell(
    guard_home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = guard_home / "shell-ran"
    shell = guard_home / "fake-shell"
    shell.write_text(f'#!/bin/sh\nprintf %s "{GIVEN}" > {marker}\n')
    shell.chmod(0o700)
    monkeypatch.setenv("SHELL", str(shell))
    monkeypatch.delenv("ROLECALL_SHELL", raising=False)
    proc = rolecall("shell", "prod-admin")
    assert (proc.returncode, proc.stderr) == (1, REFUSED)
    assert not marker.exists() and sts_proxy.calls() == []
    proc = rolecall("shell", "prod-admin", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert given_credentials(marker)


def test_unguarded_profiles_never_ask(guard_home: Path, sts_proxy: StsProxy) -> None:
    child, marker = recorder(guard_home)
    proc = rolecall("exec", "dev", "--", *child)
    assert proc.returncode == 0, proc.stderr
    assert given_credentials(marker)
    assert rolecall("env", "dev").returncode == 0


@pytest.mark.parametrize(
    "settings",
    [
        'guard = ["736190452278"]\n',  # the account ID
        'guard = ["7361*"]\n',  # an account glob
        '[profiles."prod-admin"]\nguard = true\n',  # its own table
        "guard = true\n",  # every profile
    ],
)
def test_each_way_of_guarding(guard_home: Path, sts_proxy: StsProxy, settings: str) -> None:
    write_settings(settings)
    proc = rolecall("env", "prod-admin")
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("rolecall: prod-admin is a guarded profile (account 7361")


def test_credential_process_never_asks(guard_home: Path, sts_proxy: StsProxy) -> None:
    proc = rolecall("credential-process", "prod-admin")
    assert proc.returncode == 0, proc.stderr
    assert '"AccessKeyId": "ASIA' in proc.stdout


def test_credential_process_refuses_when_told(guard_home: Path, sts_proxy: StsProxy) -> None:
    write_settings('guard = ["*prod*"]\nguard_credential_process = "refuse"\n')
    proc = rolecall("credential-process", "prod-admin")
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith(
        "rolecall: prod-admin is a guarded profile (account 736190452278, role Admin; "
        'its name matches "*prod*") and guard_credential_process = "refuse"'
    )
    assert proc.stderr.count("\n") == 1 and sts_proxy.calls() == []
    # the others go on
    assert rolecall("credential-process", "dev").returncode == 0


def test_a_broken_settings_file_is_a_warning(guard_home: Path, sts_proxy: StsProxy) -> None:
    write_settings("guard = [\n")
    proc = rolecall("env", "prod-admin")
    assert proc.returncode == 0
    assert "config.toml: is not valid TOML" in proc.stderr
    assert "no profile is guarded" in proc.stderr


# ---------------------------------------------------------------------------
# on a terminal
# ---------------------------------------------------------------------------
def spawn(*argv: str) -> pexpect.spawn:
    return pexpect.spawn(
        argv[0],
        list(argv[1:]),
        env=dict(os.environ, TERM="dumb"),
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 200),
    )


@pytest.mark.parametrize("answer", ["n", "", "nope"])
def test_no_on_the_terminal_runs_nothing(
    guard_home: Path, sts_proxy: StsProxy, answer: str
) -> None:
    child, marker = recorder(guard_home)
    proc = spawn(sys.executable, "-m", "rolecall", "exec", "prod-admin", "--", *child)
    proc.expect_exact("prod-admin is a guarded profile (account 736190452278, role Admin;")
    proc.expect_exact("Run the command with its credentials? [y/N] ")
    proc.sendline(answer)
    proc.expect_exact("rolecall: prod-admin: not confirmed; nothing was done")
    proc.expect(pexpect.EOF)
    proc.close()
    assert proc.exitstatus == 1
    assert not marker.exists() and sts_proxy.calls() == []


def test_yes_on_the_terminal_runs_the_command(guard_home: Path, sts_proxy: StsProxy) -> None:
    child, marker = recorder(guard_home)
    proc = spawn(sys.executable, "-m", "rolecall", "exec", "prod-admin", "--", *child)
    proc.expect_exact("[y/N] ")
    proc.sendline("y")
    proc.expect(pexpect.EOF)
    proc.close()
    assert proc.exitstatus == 0
    assert given_credentials(marker)


def test_env_asks_on_the_terminal_while_stdout_is_captured(
    guard_home: Path, sts_proxy: StsProxy
) -> None:
    script = (
        f'eval "$({sys.executable} -m rolecall env prod-admin)"; '
        'echo "K=${AWS_ACCESS_KEY_ID:0:4}"'
    )
    proc = spawn("/bin/bash", "--norc", "--noprofile", "-c", script)
    proc.expect_exact("Print its credentials as exports? [y/N] ")
    proc.sendline("yes")
    proc.expect_exact("K=ASIA")
    proc.expect(pexpect.EOF)
    proc.close()
    assert proc.exitstatus == 0


def test_refused_env_leaves_the_shell_without_credentials(
    guard_home: Path, sts_proxy: StsProxy
) -> None:
    script = (
        f'eval "$({sys.executable} -m rolecall env prod-admin)"; '
        'echo "K=[${AWS_ACCESS_KEY_ID:-none}]"'
    )
    proc = spawn("/bin/bash", "--norc", "--noprofile", "-c", script)
    proc.expect_exact("[y/N] ")
    proc.sendline("n")
    proc.expect_exact("K=[none]")
    proc.expect(pexpect.EOF)
    assert sts_proxy.calls() == []
