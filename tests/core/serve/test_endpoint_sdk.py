"""The endpoint with its real refresher, against moto behind the expiring STS proxy.

* 50 SDK clients starting at once on a cold endpoint cost one AssumeRole per hop;
* a client keeps working across the expiry of the first credentials, where the
  same credentials exported once fail with ``ExpiredToken`` (the proxy bites);
* when a refresh needs an MFA code, the SDK's error names the command to run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.expiry_proxy import ExpiryProxy
from tests.moto_fixtures import StsProxy
from tests.sts_helpers import C, chain_profiles, mfa_profile

from rolecall.core.profiles import load_profiles
from rolecall.core.serve import Endpoint
from rolecall.core.serve.source import ProfileRefresher
from rolecall.core.sts import assume

SECRET = "endpointSDKsecret/000000000000000000000000"
MFA = "arn:aws:iam::000000000000:mfa/me"


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    return chain_profiles("AKIAENDPOINTSDK00001", SECRET) + "\n" + mfa_profile(MFA)


CLIENTS = """
import json, sys, threading, boto3
n = int(sys.argv[1])
barrier = threading.Barrier(n)
out, errors = [], []
def client():
    session = boto3.Session()
    barrier.wait()
    try:
        sts = session.client("sts", region_name="us-east-1")
        out.append(sts.get_caller_identity()["Arn"])
    except Exception as exc:
        errors.append(str(exc))
threads = [threading.Thread(target=client) for _ in range(n)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"arns": out, "errors": errors}))
"""


def run_clients(env: dict[str, str], n: int) -> dict[str, list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", CLIENTS, str(n)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, list[str]] = json.loads(out.stdout)
    return result


def test_fifty_sdk_clients_on_a_cold_endpoint_cost_one_assume_role_per_hop(
    home: Path, sts_proxy: StsProxy
) -> None:
    with Endpoint(ProfileRefresher("c")) as ep:  # nothing assumed yet: a cold start
        result = run_clients(ep.child_env(os.environ, "c"), 50)
    assert result["errors"] == []
    assert len(result["arns"]) == 50
    assert {arn.split("/")[1] for arn in result["arns"]} == {C.split("/")[1]}
    assert sts_proxy.count("AssumeRole") == 3  # c -> b -> a: three hops, once each


PROBE = """
import json, sys, time, boto3
sts = boto3.Session().client("sts", region_name="us-east-1")
arns = [sts.get_caller_identity()["Arn"]]
time.sleep(float(sys.argv[1]))
try:
    arns.append(sts.get_caller_identity()["Arn"])
except Exception as exc:
    arns.append("ERROR " + str(exc))
print(json.dumps(arns))
"""


def probe(env: dict[str, str], sleep: float) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(sleep)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    arns: list[str] = json.loads(out.stdout)
    return arns


def test_a_client_outlives_the_first_credentials(home: Path, expiring_sts: ExpiryProxy) -> None:
    expiring_sts.lifetimes = {"AssumeRole": 6.0}
    profiles = load_profiles()
    first = assume(profiles, "b")
    assert first.expiration is not None
    assert (first.expiration - datetime.now(UTC)).total_seconds() <= 7
    refresher = ProfileRefresher("b")
    with Endpoint(refresher, initial=refresher.initial(first)) as ep:
        arns = probe(ep.child_env(os.environ, "b"), 8)
        assert ep.keeper.refreshes >= 1
    assert [a.split("/")[1] for a in arns] == ["B", "B"], arns
    # the first credentials, exported once, died on the way: the proxy bites
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID=first.credentials.access_key_id,
        AWS_SECRET_ACCESS_KEY=first.credentials.secret_access_key,
        AWS_SESSION_TOKEN=first.credentials.session_token or "",
    )
    stale = probe_expired(env)
    assert "ExpiredToken" in stale, stale


def probe_expired(env: dict[str, str]) -> str:
    code = (
        "import boto3\n"
        "try:\n"
        "    boto3.client('sts', region_name='us-east-1').get_caller_identity(); print('OK')\n"
        "except Exception as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    return out.stdout.strip()


def test_an_mfa_refresh_tells_the_sdk_what_to_run(home: Path, sts_proxy: StsProxy) -> None:
    with Endpoint(ProfileRefresher("mfa1", where="in this shell")) as ep:
        t0 = time.monotonic()
        result = run_clients(ep.child_env(os.environ, "mfa1"), 1)
        took = time.monotonic() - t0
    [error] = result["errors"]
    assert "Received non 200 response 403 from container metadata" in error
    assert "an MFA code is needed for " + MFA in error
    assert "run `rolecall assume mfa1` in this shell to enter a new MFA code" in error
    assert "\n" not in error
    assert sts_proxy.count("GetSessionToken") == 0  # nothing was sent without a code
    assert took < 30


def test_the_refresher_follows_an_edit_of_the_config(home: Path, sts_proxy: StsProxy) -> None:
    refresher = ProfileRefresher("b")
    refresher.assume()
    [call] = sts_proxy.calls("AssumeRole")[-1:]
    assert call.params["RoleArn"].endswith(":role/B")
    config = home / ".aws" / "config"
    config.write_text(config.read_text().replace(":role/B\n", ":role/B2\n"))
    refresher.assume()
    assert sts_proxy.calls("AssumeRole")[-1].params["RoleArn"].endswith(":role/B2")
    # the cache entry the endpoint picks up is the new role's (its key follows role_arn)
    cached = refresher.cached()
    assert cached is not None
    assert cached.credentials.access_key_id == cache_entry_key_of_b(home)


def cache_entry_key_of_b(home: Path) -> str:
    from rolecall.core.cache import entries, keys
    from rolecall.core.profiles import load_profiles as load

    prof = load()["b"]
    key = keys.cache_key_for(prof)
    assert key is not None
    entry = entries.read_entry(key)
    assert entry is not None
    return entry.access_key_id
