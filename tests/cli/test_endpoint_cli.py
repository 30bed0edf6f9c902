"""``rolecall exec`` and ``shell`` served by the endpoint, ``--env-keys``, ``--region``, ``logout``.

Whole processes: rolecall, and the real ``aws`` CLI inside it, against moto behind
the expiring STS proxy (``tests/expiry_proxy.py``), so that expiry really bites.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from tests.expiry_proxy import ExpiryProxy
from tests.moto_fixtures import StsProxy, run_rolecall
from tests.sts_helpers import chain_profiles

from rolecall.core.cache import keys as cache_keys

SECRET = "endpointCLIsecret/0000000000000000000000000"
DEFAULT_KEY = "AKIADEFAULTENDPOINT1"
CONFIG = (
    chain_profiles("AKIAENDPOINTCLI00001", SECRET)
    + "\n[profile other]\nrole_arn = arn:aws:iam::444444444444:role/O\nsource_profile = base\n"
)
CREDENTIALS = f"""\
[default]
aws_access_key_id = {DEFAULT_KEY}
aws_secret_access_key = defaultENDPOINTsecret/0000000000000000000
"""
WHO = "aws sts get-caller-identity --query Arn --output text"


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    return CONFIG


def role_names(stdout: str) -> list[str]:
    """The role of each ``assumed-role/ROLE/session`` ARN printed."""
    return [line.split("/")[1] for line in stdout.split() if ":assumed-role/" in line]


def test_exec_outlives_the_first_credentials_and_env_keys_do_not(
    home: Path, expiring_sts: ExpiryProxy
) -> None:
    expiring_sts.lifetimes = {"AssumeRole": 6.0}
    # (without AWS_CREDENTIAL_EXPIRATION, botocore sends fixed keys even once they expired:
    # then STS itself refuses them, as the proxy does)
    script = f"{WHO}; sleep 8; env -u AWS_CREDENTIAL_EXPIRATION {WHO}"
    served = run_rolecall("exec", "b", "--", "sh", "-c", script, timeout=120)
    assert served.returncode == 0, served.stderr
    assert role_names(served.stdout) == ["B", "B"]
    assert expiring_sts.refused == []
    fixed = run_rolecall("exec", "b", "--env-keys", "--", "sh", "-c", script, timeout=120)
    assert fixed.returncode != 0
    assert role_names(fixed.stdout) == ["B"]
    assert "ExpiredToken" in fixed.stderr
    assert len(expiring_sts.refused) == 1


def test_the_endpoint_wins_over_a_default_with_keys(home: Path, sts_proxy: StsProxy) -> None:
    cred = home / ".aws" / "credentials"
    cred.write_text(CREDENTIALS)
    cred.chmod(0o600)
    script = f"{WHO}; {WHO} --profile other"
    res = run_rolecall("exec", "b", "--", "sh", "-c", script, timeout=120)
    assert res.returncode == 0, res.stderr
    assert role_names(res.stdout) == ["B", "O"]
    # the default's keys signed nothing
    assert not any(DEFAULT_KEY in r.authorization for r in sts_proxy.calls())


def test_the_child_gets_the_endpoint_and_no_keys(home: Path, sts_proxy: StsProxy) -> None:
    code = (
        "import os, json; print(json.dumps({k: v for k, v in os.environ.items()"
        " if k.startswith(('AWS_', 'ROLECALL_'))}))"
    )
    res = run_rolecall("exec", "b", "--", sys.executable, "-c", code)
    assert res.returncode == 0, res.stderr
    import json

    env = json.loads(res.stdout)
    assert not {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} & set(env)
    assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith("http://127.0.0.1:")
    assert len(env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) >= 40
    assert env["AWS_PROFILE"] == "rolecall-endpoint"
    assert env["ROLECALL_PROFILE"] == "b"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    # the token is nowhere but in the child's environment
    token = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    assert token not in res.stderr
    # the copy of the config went with the child
    assert not os.path.exists(env["AWS_CONFIG_FILE"])
    assert not os.path.exists(os.path.dirname(env["AWS_CONFIG_FILE"]))


def test_env_keys_by_setting_and_by_option(home: Path, sts_proxy: StsProxy) -> None:
    code = "import os; print(os.environ.get('AWS_ACCESS_KEY_ID', '-'))"
    keys = run_rolecall("exec", "b", "--env-keys", "--", sys.executable, "-c", code)
    assert keys.stdout.startswith("ASIA"), keys.stderr
    settings = home / ".config" / "rolecall" / "config.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("[sessions]\nenv_keys = true\n")
    by_setting = run_rolecall("exec", "b", "--", sys.executable, "-c", code)
    assert by_setting.stdout.startswith("ASIA"), by_setting.stderr


def test_the_exit_code_passes_through(home: Path, sts_proxy: StsProxy) -> None:
    assert run_rolecall("exec", "b", "--", "sh", "-c", "exit 7").returncode == 7
    res = run_rolecall("exec", "b", "--", "sh", "-c", "kill -TERM $$")
    assert res.returncode == 128 + 15


def test_exec_options_before_the_double_dash(home: Path, sts_proxy: StsProxy) -> None:
    code = "import os; print(os.environ['AWS_REGION'], os.environ.get('AWS_ACCESS_KEY_ID', '-'))"
    res = run_rolecall(
        "exec", "b", "--region", "us-east-2", "--env-keys", "--", sys.executable, "-c", code
    )
    assert res.returncode == 0, res.stderr
    region, key = res.stdout.split()
    assert region == "us-east-2" and key.startswith("ASIA")


def test_region_overrides_the_profile_for_one_command(home: Path, sts_proxy: StsProxy) -> None:
    res = run_rolecall("assume", "b", "--region", "us-east-2")
    assert res.returncode == 0, res.stderr
    assert "region   us-east-2" in res.stdout
    env = run_rolecall("env", "b", "--region", "ap-northeast-1")
    assert "export AWS_REGION='ap-northeast-1'" in env.stdout  # (always single-quoted)
    assert "export AWS_DEFAULT_REGION='ap-northeast-1'" in env.stdout
    code = "import os; print(os.environ['AWS_REGION'])"
    served = run_rolecall("exec", "b", "--region", "sa-east-1", "--", sys.executable, "-c", code)
    assert served.stdout.strip() == "sa-east-1", served.stderr
    bad = run_rolecall("assume", "b", "--region", "not a region")
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "--region" in bad.stderr


def test_env_help_says_it_is_one_shot() -> None:
    res = run_rolecall("env", "--help")
    text = " ".join(res.stdout.split())
    assert "one-shot" in text and "not refreshed" in text


def test_logout(home: Path, sts_proxy: StsProxy) -> None:
    assert run_rolecall("assume", "c").returncode == 0
    assert run_rolecall("assume", "other").returncode == 0
    res = run_rolecall("logout", "c")
    assert res.returncode == 0, res.stderr
    assert res.stdout == "logged out of c: removed 3 cached credential files\n"
    again = run_rolecall("logout", "c")
    assert again.stdout == "logged out of c: nothing was cached\n"
    assert len(os.listdir(cache_keys.cli_cache_dir())) == 1  # other's
    every = run_rolecall("logout", "--all")
    assert every.stdout == "logged out of every profile: removed 1 cached credential file\n"
    assert os.listdir(cache_keys.cli_cache_dir()) == []


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["logout"], 2, "give a PROFILE or --all"),
        (["logout", "c", "--all"], 2, "give a PROFILE or --all, not both"),
        (["logout", "nope"], 1, "unknown profile 'nope'"),
    ],
)
def test_logout_refusals_are_one_line(home: Path, args: list[str], code: int, text: str) -> None:
    res = run_rolecall(*args)
    assert res.returncode == code
    assert res.stderr.count("\n") == 1 and text in res.stderr, res.stderr


def test_a_profile_of_long_term_keys_is_served_too(home: Path, sts_proxy: StsProxy) -> None:
    code = (
        "import boto3; c = boto3.Session().get_credentials(); "
        "print(c.access_key, c.method, repr(c.get_frozen_credentials().token))"
    )
    res = run_rolecall("exec", "base", "--", sys.executable, "-c", code)
    assert res.returncode == 0, res.stderr
    # (no session token: botocore signs with none; the protocol needs the field, so it is "")
    assert res.stdout.split() == ["AKIAENDPOINTCLI00001", "container-role", "''"]
    assert sts_proxy.count("AssumeRole") == 0
