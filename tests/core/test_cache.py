"""The CLI-compatible credential cache, SSO token expiry and MFA sessions (no network)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.credentials import AssumeRoleCredentialFetcher
from botocore.utils import JSONFileCache
from tests.moto_fixtures import write_aws_files
from tests.sts_helpers import sso_profile

from rolecall.core import cache
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
    key = cache.cache_key(
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
    key = cache.cache_key_for(profiles["r"])
    assert key == _botocore_key(
        {"DurationSeconds": 1800, "SerialNumber": "arn:aws:iam::000000000000:mfa/me"}
    )
    assert cache.cache_key_for(profiles["base"]) is None


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
    got = cache.parse_expiration(text)
    assert got == expected
    assert got is not None and got.utcoffset() == timedelta(0)


@pytest.mark.parametrize("bad", ["", "soon", "2026-13-45T00:00:00Z", None, 12, "9" * 100])
def test_parse_expiration_rejects(bad: object) -> None:
    assert cache.parse_expiration(bad) is None


def test_cli_cache_dir_follows_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "a"))
    assert cache.cli_cache_dir() == str(tmp_path / "a" / ".aws" / "cli" / "cache")
    monkeypatch.setenv("HOME", str(tmp_path / "b"))
    assert cache.cli_cache_dir() == str(tmp_path / "b" / ".aws" / "cli" / "cache")


def _response(
    expiration: object, arn: str = "arn:aws:sts::123456789012:assumed-role/A/me"
) -> dict[str, Any]:
    return {
        "Credentials": {
            "AccessKeyId": "ASIAEXAMPLEEXAMPLE01",
            "SecretAccessKey": "s3cr3t/SECRET+secret",
            "SessionToken": "TOKEN-token-TOKEN",
            "Expiration": expiration,
        },
        "AssumedRoleUser": {"AssumedRoleId": "AROA:me", "Arn": arn},
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }


def test_write_entry_modes_and_format(isolated_env: Path) -> None:
    key = cache.cache_key(ARN)
    when = datetime(2030, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
    path = cache.write_entry(key, _response(when))
    directory = Path(cache.cli_cache_dir())
    assert Path(path) == directory / f"{key}.json"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
    assert sorted(os.listdir(directory)) == [f"{key}.json"]  # no temporary file left
    data = json.loads(Path(path).read_text())
    assert data["Credentials"]["Expiration"] == "2030-01-01T12:00:00Z"
    assert data["AssumedRoleUser"]["Arn"].endswith("assumed-role/A/me")
    # botocore's own JSONFileCache reads it back whole
    assert JSONFileCache(str(directory))[key] == data
    entry = cache.read_entry(key)
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
    key = cache.cache_key(ARN)
    directory = Path(cache.cli_cache_dir())
    directory.mkdir(parents=True)
    (directory / f"{key}.json").write_bytes(content)
    assert cache.read_entry(key) is None


def test_unreadable_entry_is_a_miss(isolated_env: Path) -> None:
    if os.getuid() == 0:
        # root reads anything: use a directory where the file should be instead
        key = cache.cache_key(ARN)
        (Path(cache.cli_cache_dir()) / f"{key}.json").mkdir(parents=True)
        assert cache.read_entry(key) is None
        return
    key = cache.cache_key(ARN)
    path = cache.write_entry(key, _response("2030-01-01T00:00:00Z"))
    os.chmod(path, 0)
    assert cache.read_entry(key) is None


@pytest.mark.parametrize(
    "shape", ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S+00:00", "%Y-%m-%dT%H:%M:%SUTC"]
)
def test_fifteen_minute_rule(isolated_env: Path, shape: str) -> None:
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    key = cache.cache_key(ARN)
    for minutes, fresh in ((16, True), (15, True), (14, False), (-5, False)):
        when = now + timedelta(minutes=minutes)
        directory = Path(cache.cli_cache_dir())
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{key}.json").write_text(json.dumps(_response(when.strftime(shape))))
        entry = cache.read_entry(key)
        assert entry is not None, shape
        assert entry.fresh(now) is fresh, minutes


CONFIG = f"""\
[profile base]
aws_access_key_id = AKIAEXAMPLEBASE00001
aws_secret_access_key = secretsecret
mfa_serial = arn:aws:iam::000000000000:mfa/me

[profile role]
role_arn = {ARN}
source_profile = base

[profile other]
role_arn = arn:aws:iam::123456789012:role/Other
source_profile = base

{sso_profile("sso-new")}
[profile sso-legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 123456789012
sso_role_name = Dev

[profile plain]
aws_access_key_id = AKIAEXAMPLEPLAIN0001
aws_secret_access_key = secretsecret
"""


def _write_config(home: Path, text: str = CONFIG) -> None:
    write_aws_files(home, text)


def test_expiries_reports_roles_sso_and_mfa(isolated_env: Path) -> None:
    _write_config(isolated_env)
    profiles = load_profiles()
    past = datetime(2020, 1, 1, tzinfo=UTC)
    future = datetime(2030, 1, 1, tzinfo=UTC)
    cache.write_entry(cache.cache_key(ARN), _response(past))  # expired: still reported
    sso_dir = Path(cache.sso_cache_dir())
    sso_dir.mkdir(parents=True)
    corp = hashlib.sha1(b"corp").hexdigest()
    legacy = hashlib.sha1(b"https://legacy.awsapps.com/start").hexdigest()
    (sso_dir / f"{corp}.json").write_text(
        json.dumps({"accessToken": "tok", "expiresAt": "2030-01-02T03:04:05Z"})
    )
    (sso_dir / f"{legacy}.json").write_text(
        json.dumps({"accessToken": "tok", "expiresAt": "2019-01-02T03:04:05UTC"})
    )
    mfa_key = cache.mfa_session_key(
        "base", "arn:aws:iam::000000000000:mfa/me", "AKIAEXAMPLEBASE00001"
    )
    cache.write_mfa_session(mfa_key, _response(future))

    got = cache.expiries(profiles)
    assert got["role"].kind == "role" and got["role"].expires_at == past
    assert got["role"].expired()
    assert got["sso-new"].kind == "sso"
    assert got["sso-new"].expires_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert got["sso-legacy"].expires_at == datetime(2019, 1, 2, 3, 4, 5, tzinfo=UTC)
    # no role entry for "other": its assume would reuse the MFA session of base
    assert got["other"].kind == "mfa" and got["other"].expires_at == future
    assert got["base"].kind == "mfa"
    assert "plain" not in got
    mfa_dir = Path(cache.mfa_cache_dir())
    assert stat.S_IMODE(mfa_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(cache.rolecall_cache_dir()).stat().st_mode) == 0o700
    assert stat.S_IMODE((mfa_dir / f"{mfa_key}.json").stat().st_mode) == 0o600


def test_expiries_imports_no_boto(isolated_env: Path) -> None:
    _write_config(isolated_env)
    cache.write_entry(cache.cache_key(ARN), _response("2030-01-01T00:00:00Z"))
    code = (
        "import sys\n"
        "from rolecall.core import cache\n"
        "from rolecall.core.profiles import load_profiles\n"
        "e = cache.expiries(load_profiles())\n"
        "assert e['role'].kind == 'role', e\n"
        "cache.cache_fingerprint()\n"
        "bad = [m for m in ('boto3', 'botocore', 'textual', 'rich') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_fingerprint_changes_with_the_cache(isolated_env: Path) -> None:
    first = cache.cache_fingerprint()
    assert first == cache.cache_fingerprint()
    key = cache.cache_key(ARN)
    cache.write_entry(key, _response("2030-01-01T00:00:00Z"))
    second = cache.cache_fingerprint()
    assert second != first
    path = Path(cache.cli_cache_dir()) / f"{key}.json"
    os.utime(path, ns=(1, 1))
    assert cache.cache_fingerprint() != second


def test_expiries_of_ten_thousand_profiles_is_quick(isolated_env: Path) -> None:
    import time

    parts = ["[profile base]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n"]
    for i in range(10_000):
        parts.append(
            f"[profile r{i}]\nrole_arn = arn:aws:iam::123456789012:role/R{i}\n"
            "source_profile = base\n"
        )
    _write_config(isolated_env, "".join(parts))
    profiles = load_profiles()
    directory = Path(cache.cli_cache_dir())
    directory.mkdir(parents=True)
    body = json.dumps(_response("2030-01-01T00:00:00Z"))
    for i in range(0, 10_000, 10):
        key = cache.cache_key(f"arn:aws:iam::123456789012:role/R{i}")
        (directory / f"{key}.json").write_text(body)
    start = time.perf_counter()
    got = cache.expiries(profiles)
    elapsed = time.perf_counter() - start
    assert len(got) == 1000
    assert elapsed < 2.0, elapsed


def test_permission_problems(isolated_env: Path) -> None:
    directory = Path(cache.cli_cache_dir())
    directory.mkdir(parents=True)
    assert cache.permission_problems([str(directory)]) == []
    os.chmod(directory, 0o755)  # what the AWS CLI creates: fine
    assert cache.permission_problems([str(directory)]) == []
    os.chmod(directory, 0o777)
    problems = cache.permission_problems([str(directory)])
    assert any("writable by others" in p[1] for p in problems)
    os.chmod(directory, 0o700)
    (directory / "x.json").write_text("{}")
    os.chmod(directory / "x.json", 0o644)
    problems = cache.permission_problems([str(directory)])
    assert any("readable by others" in p[1] for p in problems)


def test_humanize() -> None:
    assert cache.humanize(timedelta(seconds=45)) == "45s"
    assert cache.humanize(timedelta(minutes=59, seconds=59)) == "59m"
    assert cache.humanize(timedelta(hours=1, minutes=2)) == "1h02m"
    assert cache.humanize(timedelta(minutes=-3)) == "expired 3m ago"
