"""Profile names for completion: botocore's list, remembered until a file changes."""

from __future__ import annotations

import os
from pathlib import Path

import botocore.session
import pytest

from rolecall.core import config as config_module
from rolecall.core.profile_names import profile_names


@pytest.fixture
def files(home: Path) -> tuple[Path, Path]:
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    cfg = aws / "config"
    cfg.write_text('[default]\nregion = x\n[profile a]\nregion = y\n[profile "b c"]\nx = 1\n')
    cred = aws / "credentials"
    cred.write_text("[a]\naws_access_key_id = k\n[only-creds]\nx = 1\n")
    return cfg, cred


def test_names_are_botocores(files: tuple[Path, Path], tmp_path: Path) -> None:
    names = profile_names(cache_file=str(tmp_path / "c" / "names"))
    assert names == botocore.session.Session().available_profiles
    assert names == ["default", "a", "b c", "only-creds"]
    assert (tmp_path / "c").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "c" / "names").stat().st_mode & 0o777 == 0o600


def test_remembered_until_a_file_changes(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = str(tmp_path / "names")
    first = profile_names(cache_file=cache)
    reads: list[object] = []
    real_load = config_module.load

    def load(config: str | None = None, credentials: str | None = None) -> config_module.AwsConfig:
        reads.append((config, credentials))
        return real_load(config, credentials)

    monkeypatch.setattr(config_module, "load", load)
    assert profile_names(cache_file=cache) == first
    assert reads == []  # a hit reads neither AWS file
    cfg, cred = files
    cfg.write_text(cfg.read_text() + "[profile new]\nregion = z\n")
    assert "new" in profile_names(cache_file=cache)
    assert len(reads) == 1
    # the credentials file going away is a change too
    os.unlink(cred)
    assert "only-creds" not in profile_names(cache_file=cache)
    # a same-size edit within the same second still changes mtime_ns / ctime_ns
    text = cfg.read_text().replace("[profile new]", "[profile NEW]")
    cfg.write_text(text)
    assert "NEW" in profile_names(cache_file=cache)


def test_files_given_have_their_own_identity(files: tuple[Path, Path], tmp_path: Path) -> None:
    cache = str(tmp_path / "names")
    other = tmp_path / "other"
    other.write_text("[profile elsewhere]\nx = 1\n")
    assert "a" in profile_names(cache_file=cache)
    assert profile_names(str(other), str(tmp_path / "none"), cache) == ["elsewhere"]
    assert "a" in profile_names(cache_file=cache)


def test_a_cache_that_cannot_be_written_is_skipped(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert profile_names(cache_file=str(blocker / "names")) == ["default", "a", "b c", "only-creds"]
    # a corrupt cache is a miss
    cache = tmp_path / "names"
    cache.write_text("garbage\nx\n")
    assert profile_names(cache_file=str(cache)) == ["default", "a", "b c", "only-creds"]
