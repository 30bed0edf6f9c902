"""The child's side of the endpoint: its environment, the config copy, and who wins.

The endpoint must win over a ``[default]`` with static keys (and over one that
assumes a role), while ``--profile other`` keeps working: checked with botocore
(boto3 in a subprocess) and the real ``aws`` CLI, which vendors its own botocore.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.moto_fixtures import run_aws

from rolecall.core.serve import Endpoint, Held
from rolecall.core.serve.child_env import (
    COPY_ENV,
    MASKED,
    PROFILE_ENV,
    USER_CONFIG_ENV,
    ConfigCopy,
    endpoint_env,
    restore_user_files,
)
from rolecall.core.sts import Credentials

SERVED_KEY = "ASIASERVEDBYENDPOINT"
DEFAULT_KEY = "AKIADEFAULTSTATIC001"
OTHER_KEY = "AKIAOTHERSTATIC00001"
CONFIG = """\
[default]
region = us-west-2

[profile other]
region = eu-central-1
"""
CREDENTIALS = f"""\
[default]
aws_access_key_id = {DEFAULT_KEY}
aws_secret_access_key = defaultSECRET0000000000000000000000000000

[other]
aws_access_key_id = {OTHER_KEY}
aws_secret_access_key = otherSECRET00000000000000000000000000000
"""


class StaticRefresher:
    def __init__(self, held: Held) -> None:
        self.held = held

    def cached(self) -> Held | None:
        return None

    def assume(self) -> Held:
        return self.held


def served() -> Held:
    now = datetime.now(UTC).replace(microsecond=0)
    creds = Credentials(SERVED_KEY, "servedSECRET", "servedTOKEN", now + timedelta(hours=1))
    return Held(creds, "111111111111", now)


@pytest.fixture
def aws_config() -> str:
    return CONFIG


@pytest.fixture
def endpoint(home: Path) -> Iterator[Endpoint]:
    cred = home / ".aws" / "credentials"
    cred.write_text(CREDENTIALS)
    cred.chmod(0o600)
    with Endpoint(StaticRefresher(served()), initial=served(), region="ap-south-1") as ep:
        yield ep


PROBE = """
import json, boto3
out = {}
for name in (None, "other"):
    session = boto3.Session(profile_name=name)
    creds = session.get_credentials()
    out[name or "-"] = [creds.access_key, creds.method, session.region_name]
print(json.dumps(out))
"""


def test_the_endpoint_wins_over_a_default_with_keys_and_other_profiles_work(
    endpoint: Endpoint,
) -> None:
    env = endpoint.child_env(os.environ, "dev")
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert seen["-"] == [SERVED_KEY, "container-role", "ap-south-1"]
    # (the exported region wins over a profile's, as with exported keys)
    assert seen["other"] == [OTHER_KEY, "shared-credentials-file", "ap-south-1"]


def test_the_endpoint_wins_in_the_aws_cli_too(endpoint: Endpoint) -> None:
    env = endpoint.child_env(os.environ, "dev")
    # `aws configure list` says where each value comes from, with no network call
    out = run_aws(["configure", "list"], env=env)
    assert out.returncode == 0, out.stderr
    assert "container-role" in out.stdout
    assert SERVED_KEY[-4:] in out.stdout
    other = run_aws(["configure", "list", "--profile", "other"], env=env)
    assert "shared-credentials-file" in other.stdout and OTHER_KEY[-4:] in other.stdout


def test_the_endpoint_wins_over_a_default_that_assumes_a_role(home: Path) -> None:
    (home / ".aws" / "config").write_text(
        "[default]\nrole_arn = arn:aws:iam::999999999999:role/D\nsource_profile = other\n"
        "[profile other]\nregion = eu-central-1\n"
    )
    (home / ".aws" / "credentials").write_text(CREDENTIALS)
    with Endpoint(StaticRefresher(served()), initial=served()) as ep:
        env = ep.child_env(os.environ, "dev")
        out = subprocess.run(
            [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
        )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["-"][:2] == [SERVED_KEY, "container-role"]


def test_the_child_gets_no_keys_and_the_container_variables(endpoint: Endpoint) -> None:
    base = {key: "x" for key in MASKED} | {"PATH": "/bin", "AWS_PROFILE": "prod"}
    env = endpoint.child_env(base, "dev")
    for key in MASKED:
        assert key not in env
    assert env["PATH"] == "/bin"
    assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] == endpoint.url
    assert env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] == endpoint.server.token
    assert env["AWS_PROFILE"] == "rolecall-endpoint"
    assert env["AWS_CONFIG_FILE"] == endpoint.copy.path
    assert env["ROLECALL_PROFILE"] == "dev"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "ap-south-1"


def test_the_copy_is_private_holds_the_config_and_follows_edits(
    endpoint: Endpoint, home: Path
) -> None:
    copy = Path(endpoint.copy.path)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    text = copy.read_text()
    assert text.startswith(CONFIG)
    assert "[profile rolecall-endpoint]\nregion = ap-south-1\n" in text
    config = home / ".aws" / "config"
    config.write_text(CONFIG + "\n[profile added-later]\nregion = sa-east-1\n")
    deadline = time.monotonic() + 5
    while "added-later" not in copy.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "[profile added-later]" in copy.read_text()
    assert "[profile rolecall-endpoint]" in copy.read_text()


def test_the_copy_is_removed_when_the_endpoint_stops(home: Path) -> None:
    ep = Endpoint(StaticRefresher(served()), initial=served())
    with ep:
        directory = Path(ep.copy.directory)
        assert directory.is_dir()
    assert not directory.exists()


def test_a_user_profile_of_the_same_name_is_left_alone(home: Path) -> None:
    (home / ".aws" / "config").write_text("[profile rolecall-endpoint]\nregion = x\n")
    copy = ConfigCopy(os.environ, None)
    copy.make()
    try:
        assert copy.profile == "rolecall-endpoint-2"
        assert "[profile rolecall-endpoint-2]" in Path(copy.path).read_text()
    finally:
        copy.remove()


def test_rolecall_in_the_child_reads_the_users_files(endpoint: Endpoint, home: Path) -> None:
    env = endpoint_env(
        {"AWS_CONFIG_FILE": str(home / ".aws" / "config"), "AWS_PROFILE": "x"},
        url=endpoint.url,
        token=endpoint.server.token,
        profile="dev",
        region=None,
        copy=endpoint.copy,
    )
    restore_user_files(env)
    assert env["AWS_CONFIG_FILE"] == str(home / ".aws" / "config")
    assert "AWS_PROFILE" not in env
    assert not {COPY_ENV, USER_CONFIG_ENV, PROFILE_ENV} & set(env)


def test_a_config_the_user_chose_in_the_child_is_kept(endpoint: Endpoint) -> None:
    env = endpoint.child_env({}, "dev")
    env["AWS_CONFIG_FILE"] = "/elsewhere/config"
    env["AWS_PROFILE"] = "mine"
    restore_user_files(env)
    assert env["AWS_CONFIG_FILE"] == "/elsewhere/config"
    assert env["AWS_PROFILE"] == "mine"


def test_rolecall_list_in_the_child_lists_the_users_profiles(endpoint: Endpoint) -> None:
    env = endpoint.child_env(os.environ, "dev")
    out = subprocess.run(
        [sys.executable, "-m", "rolecall", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    names = [p["name"] for p in json.loads(out.stdout)["profiles"]]
    assert "rolecall-endpoint" not in names
    assert "other" in names
