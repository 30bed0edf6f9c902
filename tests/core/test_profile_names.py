"""Profile names for completion: botocore's list, remembered until a file changes."""

from __future__ import annotations

import os
from pathlib import Path

import botocore.session
import pytest
from tests.core.fuzz_check import load_corpus, make_input

from rolecall.core import config as config_module
from rolecall.core.config import available_profiles
from rolecall.core.ini import parse, section_names
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
    real_read = config_module.available_profiles

    def read(config: bytes | None, credentials: bytes | None) -> list[str]:
        reads.append((config, credentials))
        return real_read(config, credentials)

    monkeypatch.setattr(config_module, "available_profiles", read)
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


# -- the names read from the headers alone, against the whole reading -------------

_CASES = [
    b"[a]\ns3 =\n  [continued]\n [b]\n",  # indented after an option: its value
    b"[a]\n  [b]\nx = 1\n\t[c]\n",  # indented, no option before: headers
    b"[a]\n# x = 1\n  [b]\n[c]\nk: v\n\n\n   [d]\n",  # comments and blanks keep the option
    b"[DEFAULT]\nregion = x\n[profile a]\n[default]\n[profile default]\n[sso-session s]\n",
    b"\xef\xbb\xbf[default]\n[profile a] trailing ]x\n[]\n[ ]\n[[b]]\n[profile a]\n",
    b"[profile a]\r\nx = 1\r\n  [no]\r[profile b]\r\n",
    b'orphan = 1\n  [a]\n[profile "q r"]\n[profile s t]\n[profilex y]\n[services z]\n',
    b"[a]\nno delimiter\n  [b]\n[c]\nk =\n\x0b[d]\n\xa0[e]\n",
    b"[caf\xc3\xa9]\nx = 1\n\xe2\x80\x83[f]\n[bad \xff]\n",
]


def _whole(config: bytes | None, credentials: bytes | None) -> list[str]:
    """The names as ``rolecall list`` reads them: both files parsed whole."""
    docs = [None if data is None else parse(data) for data in (config, credentials)]
    return list(config_module.AwsConfig("config", "credentials", *docs).profiles)


def test_names_from_the_headers_are_those_of_the_whole_reading() -> None:
    """``section_names`` and ``available_profiles`` against the whole reading on
    hand-written cases, every corpus case and 1,500 generated or mutated files
    (continuation lines, nested blocks, odd headers, broken bytes), both paths."""
    corpus = load_corpus()
    donors = [data for pair in corpus for data in pair if data]
    pairs: list[tuple[bytes | None, bytes | None]] = [(case, None) for case in _CASES]
    pairs += [(None, case) for case in _CASES]
    pairs += corpus + [make_input(7, index, corpus, donors) for index in range(1500)]
    indented = 0
    for config, credentials in pairs:
        for data in (config, credentials):
            if data is not None:
                assert section_names(data) == [s.name for s in parse(data).sections], data
                indented += b"\n " in data or b"\n\t" in data
        assert available_profiles(config, credentials) == _whole(config, credentials)
    assert 100 < indented < len(pairs)  # both ways of reading were taken


def test_names_of_a_generated_config(tmp_path: Path) -> None:
    from bench.gen_config import write_files

    for shape in ("mixed", "chain"):
        cfg, cred = write_files(tmp_path / shape, shape, 1200)
        config, credentials = cfg.read_bytes(), cred.read_bytes()
        names = available_profiles(config, credentials)
        assert len(names) == 1200
        assert names == _whole(config, credentials)
