"""What STS (or the network) refuses, end to end against moto: each failure is one
line with a hint, retried when that helps, and forgets the cache file it condemns.
The wording of every branch is covered without a server in ``test_classify.py``."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import boto3
import pytest
from tests.core.sts.helpers import BASE_KEY, BASE_SECRET, CONFIG, ENV_SECRET, MFA, fail, run
from tests.moto_fixtures import StsProxy, moto_auth
from tests.sts_helpers import A

from rolecall.core import sts
from rolecall.core.cache import keys as cache_keys
from rolecall.core.profiles import load_profiles
from rolecall.core.sts import clients


def test_unknown_profile_and_cycle(chain_home: Path, sts_proxy: StsProxy) -> None:
    err, _ = fail("bb")
    assert err.code == "UnknownProfile" and "'b'" in str(err)
    err, _ = fail("loop1")
    assert err.code == "ConfigProblem" and "cycle" in err.message
    assert sts_proxy.calls() == []


def _moto_user(moto_server: str) -> tuple[str, str]:
    iam = boto3.client(
        "iam",
        endpoint_url=moto_server,
        region_name="us-east-1",
        aws_access_key_id="AKIAMOTOADMIN0000001",
        aws_secret_access_key="admin",
    )
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _use_keys(chain_home: Path, akid: str, secret: str, token: str | None = None) -> None:
    text = CONFIG.replace(BASE_KEY, akid).replace(BASE_SECRET, secret)
    if token:
        text = text.replace(
            f"aws_secret_access_key = {secret}\n",
            f"aws_secret_access_key = {secret}\naws_session_token = {token}\n",
            1,
        )
    (chain_home / ".aws" / "config").write_text(text)


def test_invalid_client_token_id(chain_home: Path, sts_proxy: StsProxy, moto_server: str) -> None:
    moto_auth(moto_server, True)
    err, _ = fail("a")
    assert err.code == "InvalidClientTokenId"
    assert "the static keys of profile 'base'" in err.message
    assert "does not know the access key" in err.message
    # a temporary key without its session token: say exactly that
    _use_keys(chain_home, "ASIAROLECALLTEMP0001", BASE_SECRET)
    err, _ = fail("a")
    assert err.code == "InvalidClientTokenId"
    assert "temporary key" in err.message and "no session token was sent" in err.message


def test_access_denied_names_the_caller(
    chain_home: Path, sts_proxy: StsProxy, moto_server: str
) -> None:
    akid, secret = _moto_user(moto_server)
    _use_keys(chain_home, akid, secret)
    moto_auth(moto_server, True)
    err, _ = fail("a")
    assert err.code == "AccessDenied"
    assert err.message == f"AccessDenied: arn:aws:iam::123456789012:user/alice may not assume {A}"
    assert "trust policy" in (err.hint or "")
    assert secret not in str(err)


def test_signature_does_not_match(chain_home: Path, sts_proxy: StsProxy, moto_server: str) -> None:
    akid, _ = _moto_user(moto_server)
    _use_keys(chain_home, akid, "wrongwrongwrongwrongwrongwrongwrongwrong")
    moto_auth(moto_server, True)
    err, _ = fail("a")
    assert err.code == "SignatureDoesNotMatch"
    assert "wrongwrong" not in str(err)


def test_expired_token_names_the_source(chain_home: Path, sts_proxy: StsProxy) -> None:
    sts_proxy.fail(
        "AssumeRole", "ExpiredToken", "The security token included in the request is expired"
    )
    err, _ = fail("a")
    assert err.code == "ExpiredToken"
    assert err.message.startswith("the static keys of profile 'base' have expired")
    # a cached middle hop whose credentials STS calls expired
    run("a")
    sts_proxy.fail(
        "AssumeRole", "ExpiredToken", "The security token included in the request is expired"
    )
    err, _ = fail("b")
    assert "the cached role credentials of profile 'a' have expired" in err.message


def test_expired_mfa_session_is_forgotten(chain_home: Path, sts_proxy: StsProxy) -> None:
    run("mfa1", mfa="123456")
    os.unlink(
        Path(cache_keys.cli_cache_dir())
        / f"{cache_keys.cache_key('arn:aws:iam::111111111111:role/M1', mfa_serial=MFA)}.json"
    )
    sts_proxy.fail(
        "AssumeRole", "ExpiredToken", "The security token included in the request is expired"
    )
    err, _ = fail("mfa1", mfa="123456")
    assert "MFA session" in err.message and "run the command again" in str(err)
    assert os.listdir(cache_keys.mfa_cache_dir()) == []
    assert sts.mfa_needed(load_profiles(), "mfa1") == MFA


def test_throttling_is_retried_then_reported(
    chain_home: Path, sts_proxy: StsProxy, fast_retries: None
) -> None:
    sts_proxy.fail("AssumeRole", "Throttling", "Rate exceeded", times=2)
    result, _ = run("a")
    assert sts_proxy.count("AssumeRole") == 3
    assert result.account_id == "111111111111"
    sts_proxy.fail("AssumeRole", "Throttling", "Rate exceeded", times=5)
    err, _ = fail("a", use_cache=False)
    assert err.code == "Throttling" and "after 3 attempts" in err.message
    assert sts_proxy.count("AssumeRole") == 6


def test_server_errors_are_retried(
    chain_home: Path, sts_proxy: StsProxy, fast_retries: None
) -> None:
    sts_proxy.fail("AssumeRole", "ServiceUnavailable", "try later", status=503, times=1)
    run("a")
    assert sts_proxy.count("AssumeRole") == 2


def test_duration_above_the_role_maximum(chain_home: Path, sts_proxy: StsProxy) -> None:
    sts_proxy.fail(
        "AssumeRole",
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    err, _ = fail("a", duration=7200)
    assert err.code == "DurationTooLong"
    assert "7200" in err.message and "MaxSessionDuration" in str(err)


def test_chaining_limit_from_an_ambiguous_source_is_retried(
    chain_home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAROLECALLENVROLE1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "envTOKEN")
    sts_proxy.fail(
        "AssumeRole",
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.",
    )
    result, events = run("envrole", duration=7200)
    durations = [c.params["DurationSeconds"] for c in sts_proxy.calls("AssumeRole")]
    assert durations == ["7200", "3600"]
    assert any(e.kind == "warning" and "3600" in e.message for e in events)
    assert result.expiration is not None


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return int(port)


def test_unreachable_endpoint(chain_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", url)
    err, _ = fail("a")
    assert err.code == "EndpointUnreachable"
    assert url in err.message and "connection refused" in err.message
    assert "AWS_ENDPOINT_URL_STS" in str(err)


def test_dns_failure(chain_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://sts.rolecall-test.invalid")
    err, _ = fail("a")
    assert err.code == "EndpointUnreachable"
    assert "sts.rolecall-test.invalid" in err.message
    assert "DNS lookup failed" in err.message or "connection failed" in err.message


def test_read_timeout(chain_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", url)
    monkeypatch.setattr(clients, "READ_TIMEOUT", 0.3)
    try:
        err, _ = fail("a")
    finally:
        server.close()
    assert err.code == "EndpointTimeout" and url in err.message


def test_stopped_server(chain_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", url)
    run("a")
    server.stop()
    err, _ = fail("b")
    assert err.code == "EndpointUnreachable" and url in err.message
