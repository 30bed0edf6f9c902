"""Credentials of a discovered role, cached where botocore's SSO fetcher looks for them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests import sso_helpers as h

from rolecall.core import cache_permissions
from rolecall.core.cache import keys
from rolecall.core.sso.credentials import role_credentials
from rolecall.core.sso.errors import SERVICE, UNAUTHORIZED, SsoError
from rolecall.core.sso.session import SsoSession
from rolecall.fakes.sso import FakeSso

CORP = SsoSession(h.SESSION, h.START_URL, h.REGION)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSso]:
    yield from h.running_fake(monkeypatch)


def test_fetched_cached_and_reused_by_botocore(fake: FakeSso) -> None:
    from botocore.credentials import SSOCredentialFetcher
    from botocore.utils import JSONFileCache

    h.write_token(h.token_document(fake.issue_session()))
    result = role_credentials(CORP, "100000000001", "ReadOnly", label="Production/ReadOnly")
    assert not result.from_cache and result.profile == "Production/ReadOnly"
    assert result.account_id == "100000000001"
    assert fake.count("GetRoleCredentials", 200) == 1
    key = keys.sso_role_cache_key("100000000001", "ReadOnly", "corp")
    document = json.loads((Path(keys.cli_cache_dir()) / f"{key}.json").read_text())
    assert document["ProviderType"] == "sso"
    assert document["Credentials"]["AccountId"] == "100000000001"
    assert cache_permissions.entries_mode_ok(str(Path(keys.cli_cache_dir()) / f"{key}.json"))

    fetcher = SSOCredentialFetcher(
        h.START_URL,
        h.REGION,
        "ReadOnly",
        "100000000001",
        client_creator=None,  # never called: the cache answers
        cache=JSONFileCache(keys.cli_cache_dir()),
        sso_session_name="corp",
    )
    assert fetcher.fetch_credentials()["access_key"] == result.credentials.access_key_id

    again = role_credentials(CORP, "100000000001", "ReadOnly")
    assert again.from_cache and again.credentials == result.credentials
    assert fake.count("GetRoleCredentials") == 1


def test_a_role_the_token_does_not_grant(fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session()))
    with pytest.raises(SsoError) as info:
        role_credentials(CORP, "100000000001", "Admin")
    assert info.value.code == SERVICE
    assert "no access to role Admin in account 100000000001" in str(info.value)


def test_a_refused_token_says_log_in(fake: FakeSso) -> None:
    issued = fake.issue_session()
    h.write_token(h.token_document(issued))
    fake.expire_tokens()
    with pytest.raises(SsoError) as info:
        role_credentials(CORP, "100000000001", "ReadOnly")
    assert info.value.code == UNAUTHORIZED
    assert "rolecall sso login --sso-session corp" in str(info.value)
