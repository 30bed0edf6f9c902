"""The SSO token cache: the AWS CLI v2's files, read and written as botocore does.

botocore is the oracle: its ``SSOTokenLoader`` finds the files rolecall writes,
and its ``SSOTokenProvider`` uses them.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests import sso_helpers as h

from rolecall.core.cache import keys
from rolecall.core.config import load
from rolecall.core.sso import session as sso_session
from rolecall.core.sso.errors import CONFIG, SsoError
from rolecall.core.sso.token import (
    Registration,
    read_registration,
    read_token,
    write_registration,
    write_token,
)

NOW = datetime(2026, 11, 28, 5, 0, 0, tzinfo=UTC)
CORP = sso_session.SsoSession(h.SESSION, h.START_URL, h.REGION)
LEGACY = sso_session.SsoSession(None, "https://legacy.awsapps.com/start", "us-east-2", profile="x")


def botocore_loader() -> object:
    from botocore.utils import JSONFileCache, SSOTokenLoader

    return SSOTokenLoader(cache=JSONFileCache(keys.sso_cache_dir()))


@pytest.mark.parametrize("session", [CORP, LEGACY], ids=["sso-session", "legacy"])
def test_the_file_is_where_botocore_looks(session: sso_session.SsoSession) -> None:
    from botocore.utils import SSOTokenLoader

    key = SSOTokenLoader()._generate_cache_key(session.start_url, session.name)
    assert session.token_path == os.path.join(keys.sso_cache_dir(), key + ".json")


def test_written_token_is_private_atomic_and_read_by_botocore() -> None:
    reg = Registration("cid", "csecret", NOW + timedelta(days=90))
    token = write_token(
        CORP,
        access_token="at-1",
        expires_at=NOW + timedelta(hours=8),
        registration=reg,
        refresh_token="rt-1",
    )
    path = Path(token.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left
    data = json.loads(path.read_text())
    assert data == {
        "startUrl": h.START_URL,
        "region": h.REGION,
        "accessToken": "at-1",
        "expiresAt": "2026-11-28T13:00:00Z",
        "clientId": "cid",
        "clientSecret": "csecret",
        "registrationExpiresAt": "2027-02-26T05:00:00Z",
        "refreshToken": "rt-1",
    }
    loaded = botocore_loader()(h.START_URL, session_name=h.SESSION)  # type: ignore[operator]
    assert loaded["accessToken"] == "at-1"


def test_botocore_token_provider_uses_what_rolecall_wrote(home: Path) -> None:
    import botocore.session
    from botocore.tokens import SSOTokenProvider
    from botocore.utils import JSONFileCache

    expires = datetime.now(UTC) + timedelta(hours=8)
    write_token(
        CORP, access_token="at-live", expires_at=expires, registration=None, refresh_token=None
    )
    session = botocore.session.Session(profile="dev")
    provider = SSOTokenProvider(session, cache=JSONFileCache(keys.sso_cache_dir()))
    frozen = provider.load_token().get_frozen_token()
    assert frozen.token == "at-live"


def test_a_cli_v2_file_is_read_and_its_unknown_fields_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    document = {
        "startUrl": h.START_URL,
        "region": h.REGION,
        "accessToken": "at-cli",
        "expiresAt": "2026-11-28T09:00:00Z",
        "clientId": "cid",
        "clientSecret": "csecret",
        "registrationExpiresAt": "2027-01-01T00:00:00Z",
        "refreshToken": "rt",
        "receivedAt": "2026-11-28T01:00:00Z",
    }
    h.write_token(document)
    token = read_token(CORP)
    assert token is not None
    assert token.access_token == "at-cli"
    assert token.expires_at == datetime(2026, 11, 28, 9, tzinfo=UTC)
    assert token.refreshable(NOW)
    assert not token.needs_refresh(NOW)
    assert token.needs_refresh(datetime(2026, 11, 28, 8, 50, tzinfo=UTC))
    assert "at-cli" not in repr(token) and "csecret" not in repr(token)
    write_token(
        CORP,
        access_token="at-new",
        expires_at=NOW + timedelta(hours=1),
        registration=Registration.from_token(token),
        refresh_token=None,  # the service sent none: the old one stays
        previous=token.data,
    )
    again = h.read_token()
    assert again["receivedAt"] == "2026-11-28T01:00:00Z"
    assert again["refreshToken"] == "rt"
    assert again["accessToken"] == "at-new"
    assert again["registrationExpiresAt"] == "2027-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "missing", ["refreshToken", "clientId", "clientSecret", "registrationExpiresAt"]
)
def test_refreshable_needs_every_field_as_botocore_does(missing: str) -> None:
    document = {
        "startUrl": h.START_URL,  # (a token names its portal)
        "accessToken": "a",
        "expiresAt": "2026-11-28T05:05:00Z",
        "clientId": "c",
        "clientSecret": "s",
        "registrationExpiresAt": "2027-01-01T00:00:00Z",
        "refreshToken": "r",
    }
    h.write_token(document)
    token = read_token(CORP)
    assert token is not None and token.refreshable(NOW)
    del document[missing]
    h.write_token(document)
    token = read_token(CORP)
    assert token is not None and not token.refreshable(NOW)


def test_an_expired_registration_is_not_refreshable() -> None:
    h.write_token(
        {
            "startUrl": h.START_URL,
            "accessToken": "a",
            "expiresAt": "2026-11-28T05:05:00Z",
            "clientId": "c",
            "clientSecret": "s",
            "registrationExpiresAt": "2026-11-28T04:00:00Z",
            "refreshToken": "r",
        }
    )
    token = read_token(CORP)
    assert token is not None and not token.refreshable(NOW)


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        json.dumps({"expiresAt": "2026-11-28T05:05:00Z"}),
        json.dumps({"accessToken": "a"}),
        json.dumps({"accessToken": "a", "expiresAt": "tomorrow"}),
    ],
)
def test_an_unusable_file_is_no_token(content: str) -> None:
    path = h.token_path()
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text(content)
    assert read_token(CORP) is None


def test_a_symlinked_token_file_is_not_used(tmp_path: Path) -> None:
    target = tmp_path / "planted.json"
    target.write_text(json.dumps({"accessToken": "x", "expiresAt": "2030-01-01T00:00:00Z"}))
    path = h.token_path()
    path.parent.mkdir(parents=True, mode=0o700)
    path.symlink_to(target)
    assert read_token(CORP) is None


def test_registration_round_trip_in_the_cli_v2_place() -> None:
    reg = Registration("cid", "sec", NOW + timedelta(days=90), ("sso:account:access",))
    write_registration(CORP, reg)
    path = Path(keys.sso_cache_dir()) / (CORP.registration_key() + ".json")
    assert json.loads(path.read_text()) == {
        "clientId": "cid",
        "clientSecret": "sec",
        "expiresAt": "2027-02-26T05:00:00Z",
        "scopes": ["sso:account:access"],
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_registration(CORP) == reg
    assert reg.valid(NOW)
    assert not reg.valid(NOW + timedelta(days=90) - timedelta(minutes=14))


def test_registration_key_changes_with_the_scopes() -> None:
    other = sso_session.SsoSession(h.SESSION, h.START_URL, h.REGION, ("sso:account:access", "x"))
    assert other.registration_key() != CORP.registration_key()


# ---------------------------------------------------------------------------
# which session a command means
# ---------------------------------------------------------------------------
@pytest.fixture
def aws_config() -> str:
    return h.CONFIG


def test_resolve_by_name_profile_and_legacy(home: Path) -> None:
    config = load()
    assert sso_session.resolve(config, session="corp") == CORP
    assert sso_session.resolve(config, profile="dev") == CORP
    legacy = sso_session.resolve(config, profile="legacy")
    assert legacy.legacy and legacy.start_url == "https://legacy.awsapps.com/start"
    assert legacy.region == "us-east-2" and legacy.profile == "legacy"
    assert "rolecall sso login legacy" in legacy.login_hint()


def test_a_role_profile_signs_in_with_the_sso_profile_of_its_chain(home: Path) -> None:
    chain = "\n[profile hop]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = dev\n"
    chain += "\n[profile hop2]\nrole_arn = arn:aws:iam::1:role/y\nsource_profile = hop\n"
    chain += "\n[profile loop]\nrole_arn = arn:aws:iam::1:role/z\nsource_profile = loop\n"
    (home / ".aws" / "config").write_text(h.CONFIG + chain)
    assert sso_session.resolve(load(), profile="hop2") == CORP
    with pytest.raises(SsoError, match="'loop' is not an SSO profile"):
        sso_session.resolve(load(), profile="loop")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"session": "nope"}, "no [sso-session nope]"),
        ({"profile": "base"}, "is not an SSO profile"),
        ({"profile": "ghost"}, "no profile named 'ghost'"),
        ({}, "2 SSO sessions"),
    ],
)
def test_resolve_refusals_are_one_line(home: Path, kwargs: dict[str, str], words: str) -> None:
    with pytest.raises(SsoError) as info:
        sso_session.resolve(load(), **kwargs)
    assert info.value.code == CONFIG
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_a_session_without_region_is_refused(home: Path) -> None:
    (home / ".aws" / "config").write_text("[sso-session x]\nsso_start_url = https://a/start\n")
    with pytest.raises(SsoError, match="has no sso_region"):
        sso_session.resolve(load())


def test_scopes_parse_as_the_cli_does() -> None:
    assert sso_session.parse_scopes(" a , b,, ") == ("a", "b")
    assert sso_session.parse_scopes("") == sso_session.DEFAULT_SCOPES
