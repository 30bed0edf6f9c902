"""Roles the portal grants that have no profile: every session's discovery, one role
written as a profile (the UI's ``a``), and the endpoint that refreshes a role's keys.

The portal is the local fake, driven through botocore's own clients; botocore
reads the config that ``add_role`` writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import botocore.session
import pytest
from tests import sso_helpers as h

from rolecall.core.cache import keys as cache_keys
from rolecall.core.config import load
from rolecall.core.edit import EditError
from rolecall.core.serve import Refusal
from rolecall.core.sso import discovery
from rolecall.core.sso.discovery import Discovery, Role, discover_sessions
from rolecall.core.sso.errors import CONFIG, LOGIN_REQUIRED, SsoError
from rolecall.core.sso.populate import MARKER_KEY, add_role, plan
from rolecall.core.sso.serving import RoleRefresher
from rolecall.core.sso.session import SsoSession, role_profiles, sessions
from rolecall.fakes.sso import FakeSso

CORP = SsoSession(h.SESSION, h.START_URL, h.REGION)
LEGACY = SsoSession(None, "https://legacy.awsapps.com/start", "us-east-2", profile="legacy")
WHEN = datetime(2026, 11, 28, tzinfo=UTC)


@pytest.fixture
def aws_config() -> str:
    return h.CONFIG


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSso]:
    yield from h.running_fake(monkeypatch)


def config_file(home: Path) -> Path:
    return home / ".aws" / "config"


# -- every session's roles -----------------------------------------------------


def test_every_session_is_listed_or_says_why(home: Path, fake: FakeSso) -> None:
    h.write_token(h.token_document(fake.issue_session()))
    found = discover_sessions(sessions(load()))
    assert [item.session.label for item in found] == ["sso-session corp", LEGACY.start_url]
    corp, legacy = found
    assert corp.error is None and corp.discovery is not None
    assert [(r.account_name, r.role_name) for r in corp.discovery.roles] == [
        ("Development", "Admin"),
        ("Development", "ReadOnly"),
        ("Production", "ReadOnly"),
    ]
    # the legacy session has no token: nothing to show, and why
    assert legacy.discovery is None
    assert legacy.error is not None and legacy.error.code == LOGIN_REQUIRED
    # no login needed to list them again: the cache answers
    fake.reset_calls()
    again = discover_sessions([CORP])
    assert again[0].discovery is not None and again[0].discovery.from_cache
    assert fake.count("ListAccounts") == 0


def test_logged_out_shows_the_last_discovery_of_any_age(home: Path, fake: FakeSso) -> None:
    old = Discovery((Role("Development", "100000000000", "ReadOnly"),), WHEN - timedelta(days=30))
    discovery.write_cache(CORP, old, ttl=60)  # long expired
    [item] = discover_sessions([CORP])
    assert item.error is not None and item.error.code == LOGIN_REQUIRED
    assert item.discovery is not None and item.discovery.roles == old.roles
    assert fake.count("ListAccounts") == 0


# -- one role written as a profile -------------------------------------------


ROLES = (
    Role("Development", "100000000000", "Admin"),  # the user's `dev` has it
    Role("Development", "100000000000", "ReadOnly"),
    Role("Team", "100000000002", "ReadOnly"),
    Role("team", "100000000003", "ReadOnly"),  # same name once slugged: a collision
)
FOUND = Discovery(ROLES, WHEN)


def test_the_name_written_is_the_name_populate_gives(home: Path) -> None:
    path = config_file(home)
    before = path.read_bytes()
    names = plan(load(), CORP, FOUND).add
    assert names == {
        "development-readonly": ROLES[1],
        "team-readonly": ROLES[2],
        "team-readonly-100000000003": ROLES[3],
    }
    written = add_role(CORP, FOUND, ROLES[3])
    assert written == "team-readonly-100000000003"
    after = path.read_bytes()
    assert after.startswith(before)
    profiles = botocore.session.Session().full_config["profiles"]
    assert profiles[written] == {
        "sso_session": "corp",
        "sso_account_id": "100000000003",
        "sso_role_name": "ReadOnly",
        "region": h.REGION,
        MARKER_KEY: "true",
    }
    # the other roles keep the names they had (`a` on them writes those)
    assert plan(load(), CORP, FOUND).add == {
        "development-readonly": ROLES[1],
        "team-readonly": ROLES[2],
    }
    assert add_role(CORP, FOUND, ROLES[2]) == "team-readonly"
    assert role_profiles(load(), CORP)[("100000000002", "ReadOnly")] == "team-readonly"


def test_a_role_with_a_profile_is_not_written_twice(home: Path) -> None:
    path = config_file(home)
    before = path.read_bytes()
    with pytest.raises(SsoError, match="profile 'dev' has it already") as info:
        add_role(CORP, FOUND, ROLES[0])
    assert info.value.code == CONFIG
    add_role(CORP, FOUND, ROLES[1])
    written = path.read_bytes()
    with pytest.raises(SsoError, match="profile 'development-readonly' has it already"):
        add_role(CORP, FOUND, ROLES[1])
    assert path.read_bytes() == written != before


def test_a_legacy_session_and_a_refused_edit_leave_the_file(home: Path) -> None:
    path = config_file(home)
    before = path.read_bytes()
    with pytest.raises(SsoError, match="needs an \\[sso-session\\]"):
        add_role(LEGACY, FOUND, ROLES[1])
    assert path.read_bytes() == before
    broken = before + b"\n[profile twice]\nregion = a\nregion = b\n"  # botocore refuses it
    path.write_bytes(broken)
    with pytest.raises(EditError, match="fix the file first"):
        add_role(CORP, FOUND, ROLES[1])
    assert path.read_bytes() == broken


def test_legacy_profiles_cover_their_roles(home: Path) -> None:
    """A legacy session's roles are covered by the profiles with its start URL, not by
    those of another session (populate's plan and role_profiles decide alike)."""
    legacy_roles = Discovery(
        (Role("Production", "100000000001", "ReadOnly"), Role("Other", "100000000009", "Admin")),
        WHEN,
    )
    chosen = plan(load(), LEGACY, legacy_roles)
    assert chosen.covered == {legacy_roles.roles[0]: "legacy"}
    assert list(chosen.add) == ["other-admin"]
    assert role_profiles(load(), LEGACY) == {("100000000001", "ReadOnly"): "legacy"}


# -- the endpoint's refresher for a role --------------------------------------


def test_the_refresher_reads_the_cache_then_asks_the_portal(home: Path, fake: FakeSso) -> None:
    from rolecall.core.sso.credentials import role_credentials

    refresher = RoleRefresher(CORP, "100000000001", "ReadOnly", label="production-readonly")
    assert refresher.cached() is None
    h.write_token(h.token_document(fake.issue_session()))
    first = role_credentials(CORP, "100000000001", "ReadOnly")
    cached = refresher.cached()
    assert cached is not None
    assert cached.credentials.access_key_id == first.credentials.access_key_id
    assert refresher.initial(first).issued <= datetime.now(UTC)
    fake.reset_calls()
    fresh = refresher.assume()
    assert fake.count("GetRoleCredentials", 200) == 1
    assert fresh.credentials.access_key_id != first.credentials.access_key_id
    assert fresh.account_id == "100000000001"
    # and the new keys are in the cache, for botocore and the next request
    key = cache_keys.sso_role_cache_key("100000000001", "ReadOnly", "corp")
    document = json.loads((Path(cache_keys.cli_cache_dir()) / f"{key}.json").read_text())
    assert document["Credentials"]["AccessKeyId"] == fresh.credentials.access_key_id


def test_the_refresher_says_how_to_log_in(home: Path, fake: FakeSso) -> None:
    refresher = RoleRefresher(CORP, "100000000001", "ReadOnly", label="p", where="in this shell")
    with pytest.raises(Refusal) as info:
        refresher.assume()  # no token
    assert info.value.status == 403 and info.value.code == LOGIN_REQUIRED
    assert "run `rolecall sso login --sso-session corp` in this shell" in info.value.message
    h.write_token(h.token_document(fake.issue_session()))
    fake.throttle(100, "GetRoleCredentials")
    with pytest.raises(Refusal) as info:
        refresher.assume()
    assert info.value.status == 503  # throttled: the SDK retries
