"""Logging out: the cache entries of a chain (or all of them) go, nothing else does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.sts_helpers import chain_profiles, mfa_profile, sso_profile

from rolecall.core.cache import keys
from rolecall.core.logout import LogoutError, logout_all, logout_profile
from rolecall.core.profiles import load_profiles
from rolecall.core.sts import assume, is_cache_hit, mfa_needed

MFA = "arn:aws:iam::000000000000:mfa/me"


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    return "\n".join(
        [
            chain_profiles("AKIALOGOUT0000000001", "logoutSECRET/0000000000000000000000000"),
            mfa_profile(MFA),
            "[profile other]\nrole_arn = arn:aws:iam::444444444444:role/O\nsource_profile = base\n",
            sso_profile("sso1"),
        ]
    )


def entries(directory: str) -> set[str]:
    try:
        return set(os.listdir(directory))
    except FileNotFoundError:
        return set()


def test_logout_removes_the_chain_and_leaves_the_rest(home: Path) -> None:
    profiles = load_profiles()
    assume(profiles, "c")
    assume(profiles, "other")
    cli = keys.cli_cache_dir()
    assert len(entries(cli)) == 4  # a, b, c and other
    # things in the cache directory that are not cache entries of this chain
    (Path(cli) / "notes.txt").write_text("mine")
    (Path(cli) / ".x.json.1.abcdef01.rolecall-tmp").write_text("{}")
    removed = logout_profile(profiles, "c")
    assert len(removed.paths) == 3 and removed.failed == []
    assert not is_cache_hit(profiles, "c") and not is_cache_hit(profiles, "b")
    assert is_cache_hit(profiles, "other")
    assert {"notes.txt", ".x.json.1.abcdef01.rolecall-tmp"} <= entries(cli)
    # a second logout finds nothing to remove
    assert logout_profile(profiles, "c").paths == []


def test_logout_of_an_mfa_role_ends_its_mfa_session(home: Path) -> None:
    profiles = load_profiles()
    assume(profiles, "mfa1", mfa="123456")
    assert mfa_needed(profiles, "mfa1", use_cache=False) is None
    removed = logout_profile(profiles, "mfa1")
    assert len(removed.paths) == 2  # the role's entry and the MFA session
    assert mfa_needed(profiles, "mfa1") == MFA


def test_logout_of_an_sso_profile_removes_botocores_role_credentials(home: Path) -> None:
    from rolecall.core.logout import sso_role_cache_key

    profiles = load_profiles()
    key = sso_role_cache_key(dict(profiles["sso1"].values))
    assert key is not None
    path = Path(keys.cli_cache_dir()) / f"{key}.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"ProviderType": "sso", "Credentials": {}}')
    assert logout_profile(profiles, "sso1").paths == [str(path)]
    assert not path.exists()


def test_logout_all_removes_every_entry_but_nothing_else(home: Path, tmp_path: Path) -> None:
    profiles = load_profiles()
    assume(profiles, "c")
    assume(profiles, "mfa1", mfa="123456")
    cli = Path(keys.cli_cache_dir())
    target = tmp_path / "elsewhere.json"
    target.write_text("keep me")
    (cli / ("f" * 40 + ".json")).symlink_to(target)
    (cli / "README").write_text("keep")
    sso = Path(keys.sso_cache_dir())
    sso.mkdir(parents=True)
    (sso / ("e" * 40 + ".json")).write_text("{}")
    removed = logout_all()
    assert len(removed.paths) == 5  # a, b, c, mfa1 and the MFA session
    assert entries(str(cli)) == {"f" * 40 + ".json", "README"}
    assert target.read_text() == "keep me"
    assert entries(str(sso)) == {"e" * 40 + ".json"}
    assert entries(keys.mfa_cache_dir()) == set()


def test_an_unknown_profile_is_refused(home: Path) -> None:
    with pytest.raises(LogoutError, match="unknown profile 'nope'"):
        logout_profile(load_profiles(), "nope")


def test_a_cache_directory_that_is_not_safe_is_left_alone(home: Path) -> None:
    profiles = load_profiles()
    assume(profiles, "c")
    cli = keys.cli_cache_dir()
    os.chmod(cli, 0o777)
    try:
        with pytest.raises(LogoutError, match="writable by everyone"):
            logout_all()
        assert len(entries(cli)) == 3
    finally:
        os.chmod(cli, 0o700)
