"""The silent refresh, and the token file shared with botocore both ways.

Every token file here is written by the test in the AWS CLI v2's exact format,
with a registration and tokens the fake really issued.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests import sso_helpers as h

from rolecall.core import cache_permissions
from rolecall.core.cache import keys
from rolecall.core.sso.errors import LOGIN_REQUIRED, SsoError
from rolecall.core.sso.login import valid_token
from rolecall.core.sso.session import SsoSession
from rolecall.fakes.sso import FakeSso

CORP = SsoSession(h.SESSION, h.START_URL, h.REGION)


@pytest.fixture
def aws_config() -> str:
    return h.CONFIG


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, home: Path) -> Iterator[FakeSso]:
    yield from h.running_fake(monkeypatch)


def botocore_token_provider(profile: str = "dev") -> object:
    import botocore.session
    from botocore.tokens import (
        SSOTokenProvider,
        _sso_json_dumps,  # the dumps botocore's own cache uses
    )
    from botocore.utils import JSONFileCache

    session = botocore.session.Session(profile=profile)
    token_cache = JSONFileCache(keys.sso_cache_dir(), dumps_func=_sso_json_dumps)
    return SSOTokenProvider(session, cache=token_cache, profile_name=profile)


def test_a_fresh_token_is_used_without_a_call(fake: FakeSso) -> None:
    issued = fake.issue_session()
    h.write_token(h.token_document(issued))
    fake.reset_calls()
    assert valid_token(CORP).access_token == issued.access_token
    assert fake.calls == []


def test_a_cli_v2_token_near_expiry_is_refreshed_and_written_back(fake: FakeSso) -> None:
    issued = fake.issue_session(expires_in=300)  # 5 minutes: inside botocore's 15
    document = h.token_document(issued)
    h.write_token(document)
    token = valid_token(CORP)
    assert fake.count("CreateToken", 200) == 1
    assert token.access_token != issued.access_token
    assert fake.valid_token(token.access_token)
    data = h.read_token()
    assert data["accessToken"] == token.access_token
    assert data["refreshToken"] != issued.refresh_token  # the service rotated it
    for key in ("startUrl", "region", "clientId", "clientSecret", "registrationExpiresAt"):
        assert data[key] == document[key]
    assert data["receivedAt"] == document["receivedAt"]  # a field rolecall does not know
    assert token.remaining().total_seconds() > 7 * 3600
    assert cache_permissions.entries_mode_ok(str(h.token_path()))


def test_botocore_reads_the_token_rolecall_refreshed(fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session(expires_in=300)))
    refreshed = valid_token(CORP)
    fake.reset_calls()
    frozen = botocore_token_provider().load_token().get_frozen_token()  # type: ignore[attr-defined]
    assert frozen.token == refreshed.access_token
    assert fake.calls == []  # 8 hours left: botocore saw no need to refresh


def test_boto3_gets_role_credentials_with_it(fake: FakeSso) -> None:
    """The whole of boto3's default chain, in a fresh process (botocore fixes its cache
    paths at import), on the token rolecall refreshed."""
    h.write_token(h.token_document(fake.issue_session(expires_in=300)))
    refreshed = valid_token(CORP)
    fake.reset_calls()
    probe = (
        "import boto3; c = boto3.Session(profile_name='dev').get_credentials();"
        "print(c.get_frozen_credentials().access_key[:4])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "ASIA"
    assert fake.count("GetRoleCredentials", 200) == 1
    assert fake.count("CreateToken") == 0  # botocore used rolecall's token as it was
    assert h.read_token()["accessToken"] == refreshed.access_token


def test_rolecall_reads_what_botocore_refreshed(fake: FakeSso) -> None:
    issued = fake.issue_session(expires_in=300)
    h.write_token(h.token_document(issued))
    frozen = botocore_token_provider().load_token().get_frozen_token()  # type: ignore[attr-defined]
    assert frozen.token != issued.access_token  # botocore refreshed it and wrote it back
    fake.reset_calls()
    assert valid_token(CORP).access_token == frozen.token
    assert fake.calls == []


def test_an_expired_token_that_cannot_be_refreshed_needs_a_login(fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session(expires_in=-60)))
    fake.revoke_refresh_tokens()
    with pytest.raises(SsoError) as info:
        valid_token(CORP)
    assert info.value.code == LOGIN_REQUIRED
    text = str(info.value)
    assert "expired and could not be refreshed" in text and "InvalidGrantException" in text
    assert "rolecall sso login --sso-session corp" in text


def test_a_token_with_minutes_left_is_used_when_the_refresh_fails(fake: FakeSso) -> None:
    issued = fake.issue_session(expires_in=300)
    h.write_token(h.token_document(issued))
    fake.revoke_refresh_tokens()
    assert valid_token(CORP).access_token == issued.access_token
    assert h.read_token()["accessToken"] == issued.access_token


def test_an_expired_token_without_refresh_fields(fake: FakeSso) -> None:
    h.write_token(
        {"startUrl": h.START_URL, "accessToken": "x", "expiresAt": "2020-01-01T00:00:00Z"}
    )
    with pytest.raises(SsoError, match="expired at 2020-01-01 00:00 UTC") as info:
        valid_token(CORP)
    assert info.value.code == LOGIN_REQUIRED
    assert fake.calls == []


def test_no_token_at_all(fake: FakeSso) -> None:
    with pytest.raises(SsoError, match="not logged in to sso-session corp") as info:
        valid_token(CORP)
    assert info.value.code == LOGIN_REQUIRED


def test_concurrent_refreshes_make_one_call(fake: FakeSso) -> None:
    """Two refreshes at once (two rolecall windows): the lock lets one call the service,
    and the other reads the token it wrote."""
    h.write_token(h.token_document(fake.issue_session(expires_in=300)))
    fake.latency = 0.2
    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(valid_token(CORP).access_token))]
    threads.append(threading.Thread(target=lambda: got.append(valid_token(CORP).access_token)))
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join(timeout=10)
    assert len(got) == 2 and got[0] == got[1]
    assert fake.count("CreateToken") == 1
