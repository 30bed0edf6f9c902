"""``sso populate``: names, collisions, idempotence, prune, dry run, lossless locked edits.

botocore is the oracle for what the written config means.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests import sso_helpers as h

from rolecall.core.config import load
from rolecall.core.edit import EditError, add_sso_session, edit_profiles
from rolecall.core.sso.discovery import Discovery, Role
from rolecall.core.sso.errors import CONFIG, SsoError
from rolecall.core.sso.populate import MARKER_KEY, plan, populate
from rolecall.core.sso.session import SsoSession

CORP = SsoSession(h.SESSION, h.START_URL, h.REGION)
WHEN = datetime(2026, 11, 28, tzinfo=UTC)
ROLES = (
    Role("Development", "100000000000", "Admin"),
    Role("Development", "100000000000", "ReadOnly"),
    Role("Production", "100000000001", "ReadOnly"),
    Role("Prod EU (new)", "100000000002", "AWSAdministratorAccess"),
)


def found(*roles: Role) -> Discovery:
    return Discovery(tuple(roles), WHEN)


@pytest.fixture
def aws_config() -> str:
    return h.CONFIG


def botocore_profiles() -> dict[str, dict[str, str]]:
    import botocore.session

    profiles: dict[str, dict[str, str]] = botocore.session.Session().full_config["profiles"]
    return profiles


def config_bytes(home: Path) -> bytes:
    return (home / ".aws" / "config").read_bytes()


def test_one_profile_per_role_appended_losslessly(home: Path) -> None:
    before = config_bytes(home)
    result = populate(CORP, found(*ROLES))
    after = config_bytes(home)
    assert result.written
    assert after.startswith(before)  # every byte of the file as it was, then the new ones
    profiles = botocore_profiles()
    # dev (the user's own) already covers Development/Admin: left to it
    assert sorted(result.plan.add) == [
        "development-readonly",
        "prod-eu-new-awsadministratoraccess",
        "production-readonly",
    ]
    assert result.plan.covered == {ROLES[0]: "dev"}
    assert profiles["production-readonly"] == {
        "sso_session": "corp",
        "sso_account_id": "100000000001",
        "sso_role_name": "ReadOnly",
        "region": "eu-west-1",
        MARKER_KEY: "true",
    }
    assert profiles["dev"] == {
        "sso_session": "corp",
        "sso_account_id": "100000000000",
        "sso_role_name": "Admin",
        "region": "eu-central-1",
    }


def test_a_second_run_changes_no_byte(home: Path) -> None:
    populate(CORP, found(*ROLES))
    path = home / ".aws" / "config"
    first = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    again = populate(CORP, found(*reversed(ROLES)))
    assert not again.written and again.diff == ""
    assert path.read_bytes() == first
    assert path.stat().st_mtime_ns == mtime


def test_collisions_are_resolved_the_same_way_every_time(home: Path) -> None:
    (home / ".aws" / "config").write_text(
        h.CONFIG + "\n[profile development-readonly]\nregion = us-east-1\n"
    )
    twins = (
        Role("Development", "100000000000", "ReadOnly"),
        Role("development", "100000000009", "ReadOnly"),
        Role("DEVELOPMENT", "100000000005", "ReadOnly"),
    )
    names = []
    for _ in range(5):
        shuffled = list(twins)
        random.shuffle(shuffled)
        names.append(plan(load(), CORP, Discovery(tuple(shuffled), WHEN)).add)
    assert all(n == names[0] for n in names)
    assert names[0] == {
        "development-readonly-100000000000": twins[0],
        "development-readonly-100000000005": twins[2],
        "development-readonly-100000000009": twins[1],
    }


def test_template_prefix_and_region(home: Path) -> None:
    result = populate(
        CORP,
        found(ROLES[2]),
        template="{session}/{account_id}/{role_name}",
        prefix="SSO ",
        region="ap-south-1",
    )
    assert list(result.plan.add) == ["sso-corp-100000000001-readonly"]
    assert botocore_profiles()["sso-corp-100000000001-readonly"]["region"] == "ap-south-1"


@pytest.mark.parametrize("template", ["{account}", "{role_name", "plain"])
def test_a_bad_template_is_refused_before_anything(home: Path, template: str) -> None:
    before = config_bytes(home)
    with pytest.raises(SsoError) as info:
        populate(CORP, found(*ROLES), template=template)
    assert info.value.code == CONFIG
    assert config_bytes(home) == before


def test_prune_removes_only_profiles_it_wrote(home: Path) -> None:
    populate(CORP, found(*ROLES))
    marked_by_hand = "\n[profile mine]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = X\n"
    path = home / ".aws" / "config"
    path.write_text(path.read_text() + marked_by_hand)
    with_mine = path.read_bytes()
    kept = populate(CORP, found(ROLES[0], ROLES[1]))
    assert not kept.written
    assert kept.plan.stale == ["prod-eu-new-awsadministratoraccess", "production-readonly"]
    assert path.read_bytes() == with_mine
    pruned = populate(CORP, found(ROLES[0], ROLES[1]), prune=True)
    assert pruned.written
    assert sorted(pruned.plan.remove) == [
        "prod-eu-new-awsadministratoraccess",
        "production-readonly",
    ]
    profiles = botocore_profiles()
    assert "production-readonly" not in profiles
    assert {"dev", "mine", "development-readonly", "base", "legacy"} <= set(profiles)


def test_prune_back_to_the_original_bytes(home: Path) -> None:
    original = config_bytes(home)
    populate(CORP, found(*ROLES))
    populate(CORP, found(ROLES[0]), prune=True)
    assert config_bytes(home) == original


def test_a_profile_it_wrote_and_the_user_edited_stays(home: Path) -> None:
    populate(CORP, found(ROLES[2]))
    path = home / ".aws" / "config"
    path.write_text(
        path.read_text().replace("region = eu-west-1\nrolecall", "region = us-west-2\nrolecall")
    )
    edited = path.read_bytes()
    assert not populate(CORP, found(ROLES[2])).written
    assert path.read_bytes() == edited


def test_dry_run_prints_the_diff_and_writes_nothing(home: Path) -> None:
    before = config_bytes(home)
    result = populate(CORP, found(ROLES[2]), dry_run=True)
    assert not result.written
    assert config_bytes(home) == before
    assert "+[profile production-readonly]\n" in result.diff
    assert "+rolecall_populated = true\n" in result.diff
    assert result.diff.startswith("--- ")


def test_a_legacy_session_is_refused(home: Path) -> None:
    legacy = SsoSession(None, "https://legacy.awsapps.com/start", "us-east-2", profile="legacy")
    with pytest.raises(SsoError, match=r"needs an \[sso-session\]"):
        populate(legacy, found(*ROLES))


def test_another_session_is_not_touched(home: Path) -> None:
    other = SsoSession("other", "https://other/start", "us-east-1")
    (home / ".aws" / "config").write_text(
        h.CONFIG
        + "\n[sso-session other]\nsso_start_url = https://other/start\nsso_region = us-east-1\n"
    )
    populate(CORP, found(ROLES[2], ROLES[3]))
    result = populate(other, found(ROLES[3]), prune=True)
    assert result.plan.remove == []
    assert list(result.plan.add) == ["prod-eu-new-awsadministratoraccess-100000000002"]
    assert "production-readonly" in botocore_profiles()


def test_fifteen_hundred_profiles_in_one_edit(home: Path) -> None:
    roles = tuple(
        Role(f"account-{i:04d}", str(200000000000 + i), r)
        for i in range(500)
        for r in ("Admin", "ReadOnly", "Billing")
    )
    result = populate(CORP, Discovery(roles, WHEN))
    assert len(result.plan.add) == 1500
    assert len(botocore_profiles()) == 1503
    assert not populate(CORP, Discovery(roles, WHEN)).written


# ---------------------------------------------------------------------------
# the edit machinery it uses
# ---------------------------------------------------------------------------
def test_a_refused_batch_leaves_the_file_untouched(home: Path) -> None:
    (home / ".aws" / "credentials").write_text("[keys]\naws_access_key_id = AKIA\n")
    before = config_bytes(home)
    with pytest.raises(EditError, match="defined in"):
        edit_profiles(lambda cfg: {"new": {"region": "x"}, "keys": {"region": "y"}})
    assert config_bytes(home) == before


def test_a_batch_that_would_give_a_problem_is_refused(home: Path) -> None:
    before = config_bytes(home)
    with pytest.raises(EditError, match="profile 'bad'"):
        edit_profiles(lambda cfg: {"bad": {"sso_session": "missing", "sso_account_id": "1"}})
    assert config_bytes(home) == before


def test_add_sso_session_is_read_by_botocore(home: Path) -> None:
    import botocore.session

    add_sso_session("new", {"sso_start_url": "https://n/start", "sso_region": "us-east-1"})
    sessions = botocore.session.Session().full_config["sso_sessions"]
    assert sessions["new"] == {"sso_start_url": "https://n/start", "sso_region": "us-east-1"}
    before = config_bytes(home)
    with pytest.raises(EditError, match="already exists"):
        add_sso_session("new", {"sso_start_url": "https://m/start", "sso_region": "us-east-1"})
    assert config_bytes(home) == before
    add_sso_session(
        "new", {"sso_start_url": "https://m/start", "sso_region": "us-east-1"}, force=True
    )
    assert botocore.session.Session().full_config["sso_sessions"]["new"]["sso_start_url"] == (
        "https://m/start"
    )


def test_a_role_iam_would_refuse_is_never_written(home: Path) -> None:
    odd = (
        Role("Evil", "100000000003", "Admin\x1b[2J"),
        Role("Short", "12345", "Admin"),
        Role("Fine", "100000000004", "Admin+ops@x=1,y.z-w"),
    )
    result = populate(CORP, found(*odd))
    assert result.plan.invalid == [odd[0], odd[1]]
    assert list(result.plan.add) == ["fine-admin-ops-x-1-y.z-w"]
    assert "\x1b" not in config_bytes(home).decode()
