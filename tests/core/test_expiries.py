"""When each profile's cached credentials expire (roles, SSO, MFA sessions), for the
UI's countdowns, and the fingerprint that tells the UI to read them again."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.moto_fixtures import write_aws_files
from tests.sts_helpers import assumed_arn, cached_response, sso_profile

from rolecall.core.cache import entries, keys
from rolecall.core.cache import mfa_sessions as cache_mfa_sessions
from rolecall.core.expiries import cache_fingerprint, expiries, mfa_sessions
from rolecall.core.profiles import load_profiles

ARN = "arn:aws:iam::123456789012:role/Admin"


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
    # expired: still reported
    entries.write_entry(keys.cache_key(ARN), cached_response(past, arn=assumed_arn(ARN)))
    sso_dir = Path(keys.sso_cache_dir())
    sso_dir.mkdir(parents=True)
    corp = hashlib.sha1(b"corp").hexdigest()
    legacy = hashlib.sha1(b"https://legacy.awsapps.com/start").hexdigest()
    (sso_dir / f"{corp}.json").write_text(
        json.dumps(
            {
                "startUrl": "https://corp.awsapps.com/start",
                "accessToken": "tok",
                "expiresAt": "2030-01-02T03:04:05Z",
            }
        )
    )
    (sso_dir / f"{legacy}.json").write_text(
        json.dumps(
            {
                "startUrl": "https://legacy.awsapps.com/start",
                "accessToken": "tok",
                "expiresAt": "2019-01-02T03:04:05UTC",
            }
        )
    )
    mfa_key = cache_mfa_sessions.mfa_session_key(
        "base", "arn:aws:iam::000000000000:mfa/me", "AKIAEXAMPLEBASE00001"
    )
    session = {"Profile": "base", "SerialNumber": "arn:aws:iam::000000000000:mfa/me"}
    cache_mfa_sessions.write_mfa_session(mfa_key, {**cached_response(future), **session})

    got = expiries(profiles)
    assert got["role"].kind == "role" and got["role"].expires_at == past
    assert got["role"].expired()
    assert got["sso-new"].kind == "sso"
    assert got["sso-new"].expires_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert got["sso-legacy"].expires_at == datetime(2019, 1, 2, 3, 4, 5, tzinfo=UTC)
    # no role entry for "other": its assume would reuse the MFA session of base
    assert got["other"].kind == "mfa" and got["other"].expires_at == future
    assert got["base"].kind == "mfa"
    assert "plain" not in got
    mfa_dir = Path(keys.mfa_cache_dir())
    assert stat.S_IMODE(mfa_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(keys.rolecall_cache_dir()).stat().st_mode) == 0o700
    assert stat.S_IMODE((mfa_dir / f"{mfa_key}.json").stat().st_mode) == 0o600


def test_expiries_imports_no_boto(isolated_env: Path) -> None:
    _write_config(isolated_env)
    entry = cached_response("2030-01-01T00:00:00Z", arn=assumed_arn(ARN))
    entries.write_entry(keys.cache_key(ARN), entry)
    code = (
        "import sys\n"
        "from rolecall.core.expiries import cache_fingerprint, expiries\n"
        "from rolecall.core.profiles import load_profiles\n"
        "e = expiries(load_profiles())\n"
        "assert e['role'].kind == 'role', e\n"
        "cache_fingerprint()\n"
        "bad = [m for m in ('boto3', 'botocore', 'textual', 'rich') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_fingerprint_changes_with_the_cache(isolated_env: Path) -> None:
    first = cache_fingerprint()
    assert first == cache_fingerprint()
    key = keys.cache_key(ARN)
    entries.write_entry(key, cached_response("2030-01-01T00:00:00Z"))
    second = cache_fingerprint()
    assert second != first
    path = Path(keys.cli_cache_dir()) / f"{key}.json"
    os.utime(path, ns=(1, 1))
    assert cache_fingerprint() != second


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
    directory = Path(keys.cli_cache_dir())
    directory.mkdir(parents=True)
    for i in range(0, 10_000, 10):
        role = f"arn:aws:iam::123456789012:role/R{i}"
        body = json.dumps(cached_response("2030-01-01T00:00:00Z", arn=assumed_arn(role)))
        (directory / f"{keys.cache_key(role)}.json").write_text(body)
    start = time.perf_counter()
    got = expiries(profiles)
    elapsed = time.perf_counter() - start
    assert len(got) == 1000
    assert elapsed < 2.0, elapsed


MFA = "arn:aws:iam::000000000000:mfa/me"
ROOT_WITHOUT_MFA = f"""\
[profile base]
aws_access_key_id = AKIAEXAMPLEBASE00001
aws_secret_access_key = secretsecret

[profile plain-role]
role_arn = arn:aws:iam::123456789012:role/Plain
source_profile = base

[profile guarded]
role_arn = {ARN}
source_profile = base
mfa_serial = {MFA}

[profile above]
role_arn = arn:aws:iam::123456789012:role/Above
source_profile = guarded
"""


def test_a_root_shows_the_mfa_session_only_when_its_own_use_starts_one(
    isolated_env: Path,
) -> None:
    """issue 9 §5: base names no mfa_serial; only guarded's chain (and those above
    it) use the MFA session of base's keys. base and plain-role never show it."""
    _write_config(isolated_env, ROOT_WITHOUT_MFA)
    profiles = load_profiles()
    future = datetime(2030, 1, 1, tzinfo=UTC)
    now = datetime(2029, 12, 31, 12, tzinfo=UTC)
    key = cache_mfa_sessions.mfa_session_key("base", MFA, "AKIAEXAMPLEBASE00001")
    bound = {"Profile": "base", "SerialNumber": MFA}  # (an unbound session is a miss)
    cache_mfa_sessions.write_mfa_session(key, {**cached_response(future), **bound})

    got = expiries(profiles, now)
    assert "base" not in got  # using base itself starts no MFA session
    assert "plain-role" not in got  # its first hop names no mfa_serial
    assert got["guarded"].kind == "mfa" and got["guarded"].expires_at == future
    assert got["above"].kind == "mfa"  # its assume starts at base, through guarded
    sessions = mfa_sessions(profiles, now)
    assert sorted(sessions) == ["above", "guarded"]

    # once guarded's own role credentials are cached (fresh), above starts from
    # them: its chain no longer uses the session; guarded shows its own entry
    guarded_key = keys.cache_key_for(profiles["guarded"])
    assert guarded_key is not None
    g = profiles["guarded"]
    arn = f"arn:aws:sts::{g.account_id}:assumed-role/{g.role_name}/me"  # (bound to its role)
    entries.write_entry(guarded_key, cached_response(now + timedelta(hours=1), arn))
    got = expiries(profiles, now)
    assert got["guarded"].kind == "role"
    assert "above" not in got and "base" not in got
    assert sorted(mfa_sessions(profiles, now)) == ["guarded"]
    # ... and uses it again when they are within the CLI's 15 minutes of expiring
    later = now + timedelta(minutes=50)
    assert sorted(mfa_sessions(profiles, later)) == ["above", "guarded"]


def test_a_root_with_its_own_mfa_serial_shows_its_session(isolated_env: Path) -> None:
    _write_config(
        isolated_env,
        ROOT_WITHOUT_MFA.replace("secretsecret\n", f"secretsecret\nmfa_serial = {MFA}\n", 1),
    )
    profiles = load_profiles()
    future = datetime(2030, 1, 1, tzinfo=UTC)
    key = cache_mfa_sessions.mfa_session_key("base", MFA, "AKIAEXAMPLEBASE00001")
    bound = {"Profile": "base", "SerialNumber": MFA}  # (an unbound session is a miss)
    cache_mfa_sessions.write_mfa_session(key, {**cached_response(future), **bound})
    got = expiries(profiles)
    assert got["base"].kind == "mfa" and got["base"].expires_at == future
    assert got["plain-role"].kind == "mfa"  # the root's serial serves its first hop
