"""The CLI-compatible credential cache: keys, timestamps, entries and MFA sessions
(no network).  The UI's expiries are tested in test_expiries.py, the doctor's
permission check in test_cache_permissions.py."""

from __future__ import annotations

import json
import os
import re
import stat
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.credentials import AssumeRoleCredentialFetcher
from botocore.utils import JSONFileCache
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sts_helpers import cached_response

from rolecall.core.cache import entries as cache_entries
from rolecall.core.cache import keys as cache_keys
from rolecall.core.cache import timestamps as cache_timestamps
from rolecall.core.profiles import load_profiles

UTC = UTC
ARN = "arn:aws:iam::123456789012:role/Admin"


def _botocore_key(extra: dict[str, object]) -> str:
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=None, source_credentials=None, role_arn=ARN, extra_args=dict(extra)
    )
    return str(fetcher._cache_key)


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"RoleSessionName": "me"},
        {"ExternalId": "ext-1"},
        {"SerialNumber": "arn:aws:iam::000000000000:mfa/me"},
        {"DurationSeconds": 900},
        {
            "RoleSessionName": "a b/ü",
            "ExternalId": 'x"y',
            "SerialNumber": "GAHT12345678",
            "DurationSeconds": 43200,
        },
    ],
)
def test_cache_key_is_botocores(extra: dict[str, object]) -> None:
    key = cache_keys.cache_key(
        ARN,
        extra.get("RoleSessionName"),  # type: ignore[arg-type]
        extra.get("ExternalId"),  # type: ignore[arg-type]
        extra.get("SerialNumber"),  # type: ignore[arg-type]
        extra.get("DurationSeconds"),  # type: ignore[arg-type]
    )
    assert key == _botocore_key(extra)


def test_cache_key_for_profile_uses_int_duration(isolated_env: Path) -> None:
    cfg = isolated_env / ".aws" / "config"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(
        textwrap.dedent(
            f"""\
            [profile base]
            aws_access_key_id = AKIAEXAMPLE
            aws_secret_access_key = x
            [profile r]
            role_arn = {ARN}
            source_profile = base
            duration_seconds = 1800
            mfa_serial = arn:aws:iam::000000000000:mfa/me
            """
        )
    )
    profiles = load_profiles()
    key = cache_keys.cache_key_for(profiles["r"])
    assert key == _botocore_key(
        {"DurationSeconds": 1800, "SerialNumber": "arn:aws:iam::000000000000:mfa/me"}
    )
    assert cache_keys.cache_key_for(profiles["base"]) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28T05:33:55Z", datetime(2026, 11, 28, 5, 33, 55, tzinfo=UTC)),
        ("2026-11-28T05:33:55.123456Z", datetime(2026, 11, 28, 5, 33, 55, 123456, tzinfo=UTC)),
        ("2026-11-28T05:33:55+00:00", datetime(2026, 11, 28, 5, 33, 55, tzinfo=UTC)),
        ("2026-11-28T05:33:55.5+00:00", datetime(2026, 11, 28, 5, 33, 55, 500000, tzinfo=UTC)),
        ("2026-11-28T07:33:55+02:00", datetime(2026, 11, 28, 5, 33, 55, tzinfo=UTC)),
        ("2026-11-28T04:48:57UTC", datetime(2026, 11, 28, 4, 48, 57, tzinfo=UTC)),
        ("2026-11-28T04:48:57", datetime(2026, 11, 28, 4, 48, 57, tzinfo=UTC)),
    ],
)
def test_parse_expiration_shapes(text: str, expected: datetime) -> None:
    got = cache_timestamps.parse_expiration(text)
    assert got == expected
    assert got is not None and got.utcoffset() == timedelta(0)


@pytest.mark.parametrize("bad", ["", "soon", "2026-13-45T00:00:00Z", None, 12, "9" * 100])
def test_parse_expiration_rejects(bad: object) -> None:
    assert cache_timestamps.parse_expiration(bad) is None


def test_cli_cache_dir_follows_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "a"))
    assert cache_keys.cli_cache_dir() == str(tmp_path / "a" / ".aws" / "cli" / "cache")
    monkeypatch.setenv("HOME", str(tmp_path / "b"))
    assert cache_keys.cli_cache_dir() == str(tmp_path / "b" / ".aws" / "cli" / "cache")


def test_write_entry_modes_and_format(isolated_env: Path) -> None:
    key = cache_keys.cache_key(ARN)
    when = datetime(2030, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
    path = cache_entries.write_entry(key, cached_response(when))
    directory = Path(cache_keys.cli_cache_dir())
    assert Path(path) == directory / f"{key}.json"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
    assert sorted(os.listdir(directory)) == [f"{key}.json"]  # no temporary file left
    data = json.loads(Path(path).read_text())
    assert data["Credentials"]["Expiration"] == "2030-01-01T12:00:00Z"
    assert data["AssumedRoleUser"]["Arn"].endswith("assumed-role/A/me")
    # botocore's own JSONFileCache reads it back whole
    assert JSONFileCache(str(directory))[key] == data
    entry = cache_entries.read_entry(key)
    assert entry is not None
    assert entry.expiration == when.replace(microsecond=0)
    assert entry.account_id == "123456789012"
    assert "s3cr3t" not in repr(entry) and "TOKEN" not in repr(entry)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"[]",
        b'{"Credentials": "x"}',
        b'{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "B", "SessionToken": "C"}}',
        b'{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "B", "SessionToken": "C",'
        b' "Expiration": "tomorrow"}}',
        b'{"Credentials": {"AccessKeyId": "", "SecretAccessKey": "B", "SessionToken": "C",'
        b' "Expiration": "2030-01-01T00:00:00Z"}}',
        b"\xff\xfe\x00garbage",
    ],
)
def test_corrupt_entry_is_a_miss(isolated_env: Path, content: bytes) -> None:
    key = cache_keys.cache_key(ARN)
    directory = Path(cache_keys.cli_cache_dir())
    directory.mkdir(parents=True)
    (directory / f"{key}.json").write_bytes(content)
    assert cache_entries.read_entry(key) is None


def test_unreadable_entry_is_a_miss(isolated_env: Path) -> None:
    if os.getuid() == 0:
        # root reads anything: use a directory where the file should be instead
        key = cache_keys.cache_key(ARN)
        (Path(cache_keys.cli_cache_dir()) / f"{key}.json").mkdir(parents=True)
        assert cache_entries.read_entry(key) is None
        return
    key = cache_keys.cache_key(ARN)
    path = cache_entries.write_entry(key, cached_response("2030-01-01T00:00:00Z"))
    os.chmod(path, 0)
    assert cache_entries.read_entry(key) is None


@pytest.mark.parametrize(
    "shape", ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S+00:00", "%Y-%m-%dT%H:%M:%SUTC"]
)
def test_fifteen_minute_rule(isolated_env: Path, shape: str) -> None:
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    key = cache_keys.cache_key(ARN)
    for minutes, fresh in ((16, True), (15, True), (14, False), (-5, False)):
        when = now + timedelta(minutes=minutes)
        directory = Path(cache_keys.cli_cache_dir())
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{key}.json").write_text(json.dumps(cached_response(when.strftime(shape))))
        entry = cache_entries.read_entry(key)
        assert entry is not None, shape
        assert entry.fresh(now) is fresh, minutes


def test_humanize() -> None:
    assert cache_timestamps.humanize(timedelta(seconds=45)) == "45s"
    assert cache_timestamps.humanize(timedelta(minutes=59, seconds=59)) == "59m"
    assert cache_timestamps.humanize(timedelta(hours=1, minutes=2)) == "1h02m"
    assert cache_timestamps.humanize(timedelta(minutes=-3)) == "expired 3m ago"


def test_the_package_imports_nothing_and_names_nothing() -> None:
    """``rolecall.core.cache`` is a package of modules, each owning its names: importing
    it loads none of them (a cache hit pays only for what it uses), and it holds no
    names of theirs (callers import the module that owns a name)."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import rolecall.core.cache as cache\n"
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('rolecall')))\n"
        "print(hasattr(cache, 'read_entry'), hasattr(cache, 'expiries'))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.stdout.splitlines() == [
        "['rolecall', 'rolecall.core', 'rolecall.core.cache']",
        "False False",
    ], out.stderr


#: The pattern ``parse_expiration`` used before it stopped importing ``re``.
TRAILING_TZ_RE = re.compile(r"(?:\s*(?:UTC|GMT|Z))$", re.IGNORECASE)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\u00a0\u2003\u017fzZuUtTcCgGmMsS0:-+\u0130", max_size=10))
def test_the_utc_suffix_is_read_as_the_regex_read_it(text: str) -> None:
    text = text.strip()  # (as parse_expiration hands it over)
    want = TRAILING_TZ_RE.sub("+00:00", text)
    assert cache_timestamps._utc_suffix(text) == want
    stamp = "2026-11-28T05:33:55" + text
    assert cache_timestamps._utc_suffix(stamp) == TRAILING_TZ_RE.sub("+00:00", stamp)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789abcdefABx/.\u0660\n", min_size=38, max_size=42))
def test_a_cache_key_is_checked_as_the_regex_checked_it(key: str) -> None:
    assert cache_entries._is_key(key) is bool(re.fullmatch(r"[0-9a-f]{40}", key))
    assert cache_entries._is_key(cache_keys.sha1_hex(key.encode()))
