"""Logout: the portal's Logout, then the token, the cached SSO role credentials, the discovery."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests import sso_helpers as h
from tests.moto_fixtures import refused_url, run_rolecall

from rolecall.core.cache import entries, keys
from rolecall.core.config import load
from rolecall.core.sso import discovery
from rolecall.core.sso.logout import logout, logout_all
from rolecall.core.sso.session import SsoSession
from rolecall.core.sso.token import Registration, read_registration, write_registration
from rolecall.fakes.sso import FakeSso

CORP = SsoSession(h.SESSION, h.START_URL, h.REGION)


@pytest.fixture
def aws_config() -> str:
    return h.CONFIG


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, home: Path) -> Iterator[FakeSso]:
    yield from h.running_fake(monkeypatch)


def rolecall_caches_credentials(profile: str) -> None:
    """Let rolecall (a whole process) fetch and cache the profile's SSO role credentials:
    it does so through botocore's own SSO provider, under botocore's key."""
    out = run_rolecall("env", profile)
    assert out.returncode == 0, out.stderr


def cli_cache_files() -> list[str]:
    try:
        return sorted(os.listdir(keys.cli_cache_dir()))
    except FileNotFoundError:
        return []


def test_logout_signs_out_and_removes_what_was_cached(fake: FakeSso) -> None:
    issued = fake.issue_session()
    h.write_token(h.token_document(issued))
    rolecall_caches_credentials("dev")
    sso_file = keys.sso_role_cache_key("100000000000", "Admin", "corp") + ".json"
    assert cli_cache_files() == [sso_file]  # botocore's own key for SSO credentials
    other = entries.write_entry(keys.cache_key("arn:aws:iam::1:role/x"), {"Credentials": {}})
    discovery.discover(CORP, lambda: issued.access_token)
    expires = datetime.fromtimestamp(issued.registration_expires, UTC)
    write_registration(CORP, Registration(issued.client_id, issued.client_secret, expires))

    result = logout(load(), CORP)

    assert result.portal == "signed out"
    assert not fake.valid_token(issued.access_token)
    assert fake.count("Logout", 200) == 1
    assert result.token_removed and not h.token_path().exists()
    assert result.credentials_removed == 1
    assert cli_cache_files() == [os.path.basename(other)]  # role credentials of STS stay
    assert not os.path.exists(discovery.discovery_path(CORP))
    assert read_registration(CORP) is not None  # no identity in it: the next login reuses it


def test_credentials_of_discovered_roles_go_too(fake: FakeSso) -> None:
    issued = fake.issue_session()
    h.write_token(h.token_document(issued))
    discovery.discover(CORP, lambda: issued.access_token)
    key = keys.sso_role_cache_key("100000000001", "ReadOnly", "corp")  # no profile has it
    entries.write_entry(key, {"ProviderType": "sso", "Credentials": {}})
    assert logout(load(), CORP).credentials_removed == 1
    assert cli_cache_files() == []


def test_an_expired_token_is_removed_without_a_call(fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session(expires_in=-10)))
    fake.reset_calls()
    result = logout(load(), CORP)
    assert result.portal == "token already expired"
    assert fake.calls == [] and not h.token_path().exists()


def test_a_portal_out_of_reach_still_removes_the_local_files(
    fake: FakeSso, monkeypatch: pytest.MonkeyPatch
) -> None:
    h.write_token(h.token_document(fake.issue_session()))
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", refused_url())
    result = logout(load(), CORP)
    assert result.portal.startswith("portal not reached")
    assert not h.token_path().exists()


def test_not_logged_in(fake: FakeSso) -> None:
    result = logout(load(), CORP)
    assert result.portal == "not logged in" and not result.token_removed


def test_logout_all_removes_every_sso_credential(fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session()))
    h.write_token(h.token_document(fake.issue_session()), "https://legacy.awsapps.com/start")
    stray = entries.write_entry("a" * 40, {"ProviderType": "sso", "Credentials": {}})
    sts = entries.write_entry("b" * 40, {"Credentials": {"AccessKeyId": "x"}})
    results, extra = logout_all(load())
    assert [r.session.name for r in results] == ["corp", None]
    assert all(r.token_removed for r in results)
    assert extra == 1
    assert not os.path.exists(stray) and os.path.exists(sts)
    assert json.loads(Path(sts).read_text())["Credentials"]["AccessKeyId"] == "x"
