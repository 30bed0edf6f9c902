"""The STS engine against a real endpoint: moto's server behind a counting proxy."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from tests.moto_fixtures import StsProxy, moto_auth
from tests.sts_helpers import (
    LOOP_PROFILES,
    A,
    B,
    C,
    chain_profiles,
    mfa_profile,
    sso_profile,
)

from rolecall.core import cache, sts
from rolecall.core.profiles import ProfileSet, load_profiles

UTC = UTC
BASE_KEY = "AKIAROLECALLTEST0001"
BASE_SECRET = "rolecallTESTsecret/0000000000000000000000"
ENV_KEY = "AKIAROLECALLENVKEY01"
ENV_SECRET = "rolecallENVsecret/00000000000000000000000"
MFA = "arn:aws:iam::000000000000:mfa/me"

CONFIG = "\n".join(
    [
        chain_profiles(BASE_KEY, BASE_SECRET, "duration_seconds = 7200\n"),
        f"""\
[profile envrole]
role_arn = {A}
credential_source = Environment
role_session_name = env-session
""",
        mfa_profile(MFA),
        f"""\
[profile mfa2]
role_arn = arn:aws:iam::111111111111:role/M2
source_profile = base
mfa_serial = {MFA}

[profile mfa-deep]
role_arn = arn:aws:iam::111111111111:role/Deep
source_profile = a
mfa_serial = {MFA}

[profile ext]
role_arn = arn:aws:iam::444444444444:role/Ext
source_profile = base
external_id = ext-id-42

[profile short]
role_arn = arn:aws:iam::555555555555:role/Short
source_profile = base
duration_seconds = 900
""",
        LOOP_PROFILES,
    ]
)


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    """``home``'s config; the tests that use it talk to moto's STS."""
    return CONFIG


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sts, "RETRY_BASE_DELAY", 0.01)


def add_config(home: Path, text: str) -> None:
    path = home / ".aws" / "config"
    path.write_text(path.read_text() + "\n" + textwrap.dedent(text))


def run(
    name: str, profiles: ProfileSet | None = None, **kw: Any
) -> tuple[sts.AssumeResult, list[sts.ProgressEvent]]:
    events: list[sts.ProgressEvent] = []
    result = sts.assume(profiles or load_profiles(), name, progress=events.append, **kw)
    return result, events


def fail(name: str, **kw: Any) -> tuple[sts.AssumeError, list[sts.ProgressEvent]]:
    events: list[sts.ProgressEvent] = []
    with pytest.raises(sts.AssumeError) as info:
        sts.assume(load_profiles(), name, progress=events.append, **kw)
    err = info.value
    assert events and events[-1].kind == "failed"
    assert events[-1].message == err.message
    text = str(err)
    assert "\n" not in text
    for secret in (BASE_SECRET, ENV_SECRET):
        assert secret not in text and secret not in repr(err)
    return err, events


def signing_key(proxy: StsProxy, action: str, index: int = 0) -> str:
    auth = proxy.calls(action)[index].authorization
    return auth.split("Credential=")[1].split("/")[0]


# ---------------------------------------------------------------------------
# chains
# ---------------------------------------------------------------------------
def test_one_hop(home: Path, sts_proxy: StsProxy) -> None:
    result, events = run("a")
    assert result.arn is not None and result.arn.startswith(
        "arn:aws:sts::111111111111:assumed-role/A/"
    )
    assert result.account_id == "111111111111"
    assert not result.from_cache
    assert result.credentials.access_key_id.startswith("ASIA")
    assert result.expiration is not None
    left = result.expiration - datetime.now(UTC)
    assert timedelta(minutes=58) < left <= timedelta(hours=1)
    [call] = sts_proxy.calls("AssumeRole")
    assert call.params["RoleArn"] == A
    assert call.params["DurationSeconds"] == "3600"
    assert call.params["RoleSessionName"] == sts.default_session_name()
    assert signing_key(sts_proxy, "AssumeRole") == BASE_KEY
    assert [e.kind for e in events] == ["root", "assume", "done"]
    assert events[1].message == f"assuming 1/1 {A}"
    # the whole response is in the CLI cache, with AccountId added as the CLI does
    path = Path(cache.cli_cache_dir()) / f"{cache.cache_key(A)}.json"
    data = json.loads(path.read_text())
    assert data["Credentials"]["AccountId"] == "111111111111"
    assert data["Credentials"]["SecretAccessKey"] == result.credentials.secret_access_key
    assert data["AssumedRoleUser"]["Arn"] == result.arn
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_two_and_three_hops(home: Path, sts_proxy: StsProxy) -> None:
    result, events = run("b")
    assert [c.params["RoleArn"] for c in sts_proxy.calls("AssumeRole")] == [A, B]
    assert result.arn is not None and ":222222222222:assumed-role/B/" in result.arn
    assert result.region == "eu-west-1"
    # hop 2 is signed with hop 1's credentials
    first = json.loads((Path(cache.cli_cache_dir()) / f"{cache.cache_key(A)}.json").read_text())
    assert signing_key(sts_proxy, "AssumeRole", 1) == first["Credentials"]["AccessKeyId"]

    sts_proxy.reset()
    result, events = run("c", use_cache=False)
    calls = sts_proxy.calls("AssumeRole")
    assert [c.params["RoleArn"] for c in calls] == [A, B, C]
    assert result.account_id == "333333333333"
    assert [e.message for e in events if e.kind == "assume"] == [
        f"assuming 1/3 {A}",
        f"assuming 2/3 {B}",
        f"assuming 3/3 {C}",
    ]
    assert events[-1].kind == "done" and events[-1].arn == result.arn


def test_chaining_caps_duration_with_a_warning(home: Path, sts_proxy: StsProxy) -> None:
    result, events = run("c")
    # c asks for 7200 but is assumed with role credentials: capped at 3600
    assert sts_proxy.calls("AssumeRole")[-1].params["DurationSeconds"] == "3600"
    [warning] = [e for e in events if e.kind == "warning"]
    assert "7200" in warning.message and "3600" in warning.message
    assert result.expiration is not None
    assert result.expiration - datetime.now(UTC) <= timedelta(hours=1)


def test_credential_source_environment(
    home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ENV_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET)
    result, events = run("envrole")
    [call] = sts_proxy.calls("AssumeRole")
    assert signing_key(sts_proxy, "AssumeRole") == ENV_KEY
    assert call.params["RoleSessionName"] == "env-session"
    assert "environment" in events[0].message
    # the key includes the profile's role_session_name, exactly as the CLI computes it
    assert (Path(cache.cli_cache_dir()) / f"{cache.cache_key(A, 'env-session')}.json").exists()
    assert result.arn is not None and result.arn.endswith("/env-session")


def test_credential_source_environment_missing(home: Path, sts_proxy: StsProxy) -> None:
    err, _ = fail("envrole")
    assert err.code == "NoCredentials"
    assert "AWS_ACCESS_KEY_ID" in str(err)
    assert sts_proxy.count("AssumeRole") == 0


def test_static_profile_needs_no_sts(home: Path, sts_proxy: StsProxy) -> None:
    result, events = run("base")
    assert result.credentials.access_key_id == BASE_KEY
    assert result.arn is None and result.expiration is None
    assert sts_proxy.calls() == []
    assert events[-1].kind == "done"


# ---------------------------------------------------------------------------
# MFA
# ---------------------------------------------------------------------------
def test_one_mfa_prompt_shared_by_two_roles(home: Path, sts_proxy: StsProxy) -> None:
    asked: list[str] = []

    def prompt(serial: str) -> str:
        asked.append(serial)
        return "123456"

    profiles = load_profiles()
    assert sts.mfa_needed(profiles, "mfa1") == MFA
    assert sts.mfa_needed(profiles, "mfa2") == MFA
    run("mfa1", profiles, mfa=prompt)
    assert asked == [MFA]
    [gst] = sts_proxy.calls("GetSessionToken")
    assert gst.params["SerialNumber"] == MFA and gst.params["TokenCode"] == "123456"
    assert signing_key(sts_proxy, "GetSessionToken") == BASE_KEY
    [ar] = sts_proxy.calls("AssumeRole")
    assert "SerialNumber" not in ar.params and "TokenCode" not in ar.params
    # the role is signed with the MFA session, not the long-term key
    assert signing_key(sts_proxy, "AssumeRole") != BASE_KEY

    # the second role shares the root: no prompt, no second GetSessionToken
    assert sts.mfa_needed(profiles, "mfa2") is None
    result, events = run("mfa2", profiles, mfa=prompt)
    assert asked == [MFA]
    assert sts_proxy.count("GetSessionToken") == 1
    assert sts_proxy.count("AssumeRole") == 2
    assert any("reusing the MFA session" in e.message for e in events)
    assert result.arn is not None and "/M2/" in result.arn
    # the MFA session is private and shows in the expiries
    sessions = list(Path(cache.mfa_cache_dir()).iterdir())
    assert len(sessions) == 1 and stat.S_IMODE(sessions[0].stat().st_mode) == 0o600
    add_config(
        home,
        f"""\
        [profile mfa3]
        role_arn = arn:aws:iam::111111111111:role/M3
        source_profile = base
        mfa_serial = {MFA}
        """,
    )
    exp = cache.expiries(load_profiles())
    assert exp["mfa1"].kind == "role" and exp["mfa2"].kind == "role"
    assert exp["mfa3"].kind == "mfa"  # not assumed yet: its MFA session is live
    assert exp["mfa3"].expires_at - datetime.now(UTC) > timedelta(hours=11)
    # the root whose keys the MFA session belongs to shows that session too
    assert exp["base"].kind == "mfa" and exp["base"].expires_at == exp["mfa3"].expires_at
    assert "a" not in exp
    # the role cache key has the SerialNumber, as the AWS CLI computes it
    key = cache.cache_key("arn:aws:iam::111111111111:role/M1", mfa_serial=MFA)
    assert (Path(cache.cli_cache_dir()) / f"{key}.json").exists()


def test_direct_mfa_on_assume_role(home: Path, sts_proxy: StsProxy) -> None:
    run("mfa1", mfa="654321", mfa_session=False)
    assert sts_proxy.count("GetSessionToken") == 0
    [ar] = sts_proxy.calls("AssumeRole")
    assert ar.params["SerialNumber"] == MFA and ar.params["TokenCode"] == "654321"


def test_mfa_on_a_later_hop_goes_on_that_assume_role(home: Path, sts_proxy: StsProxy) -> None:
    profiles = load_profiles()
    assert sts.mfa_needed(profiles, "mfa-deep") == MFA
    run("mfa-deep", profiles, mfa="111111")
    calls = sts_proxy.calls("AssumeRole")
    assert [c.params["RoleArn"] for c in calls] == [A, "arn:aws:iam::111111111111:role/Deep"]
    assert "SerialNumber" not in calls[0].params
    assert calls[1].params["SerialNumber"] == MFA and calls[1].params["TokenCode"] == "111111"
    assert sts.mfa_needed(profiles, "mfa-deep") is None  # cached now


def test_mfa_errors(home: Path, sts_proxy: StsProxy) -> None:
    err, _ = fail("mfa1")
    assert err.code == "MfaRequired" and MFA in err.message and "--mfa-code" in str(err)
    err, _ = fail("mfa1", mfa=lambda serial: None)
    assert err.code == "MfaCancelled" and err.message == "MFA cancelled"
    err, _ = fail("mfa1", mfa="12a45")
    assert err.code == "MfaInvalid"
    assert sts_proxy.calls() == []
    # a wrong (or reused) code: what STS answers
    sts_proxy.fail(
        "GetSessionToken",
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        403,
    )
    err, _ = fail("mfa1", mfa="000000")
    assert err.code == "MfaFailed" and "refused" in err.message
    sts_proxy.fail(
        "AssumeRole",
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        403,
    )
    err, _ = fail("mfa1", mfa="000000", mfa_session=False)
    assert err.code == "MfaFailed"
    assert not Path(cache.mfa_cache_dir()).exists() or not os.listdir(cache.mfa_cache_dir())


def test_role_requiring_mfa_without_mfa_serial(home: Path, sts_proxy: StsProxy) -> None:
    sts_proxy.fail(
        "AssumeRole",
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/moto is not authorized to perform: "
        f"sts:AssumeRole on resource: {A}",
        403,
    )
    err, _ = fail("a")
    assert err.code == "AccessDenied"
    assert "trust policy" in str(err) and "set mfa_serial in profile 'a'" in str(err)
    # the caller's ARN comes from get_caller_identity
    assert "arn:aws:sts::123456789012:user/moto" in err.message


# ---------------------------------------------------------------------------
# external id, durations
# ---------------------------------------------------------------------------
def test_external_id(home: Path, sts_proxy: StsProxy) -> None:
    run("ext")
    [call] = sts_proxy.calls("AssumeRole")
    assert call.params["ExternalId"] == "ext-id-42"
    key = cache.cache_key("arn:aws:iam::444444444444:role/Ext", external_id="ext-id-42")
    assert (Path(cache.cli_cache_dir()) / f"{key}.json").exists()


def test_duration_900_is_never_reused(home: Path, sts_proxy: StsProxy) -> None:
    result, _ = run("short")
    assert sts_proxy.calls("AssumeRole")[0].params["DurationSeconds"] == "900"
    assert result.expiration is not None
    assert result.expiration - datetime.now(UTC) <= timedelta(minutes=15)
    key = cache.cache_key("arn:aws:iam::555555555555:role/Short", duration_seconds=900)
    assert (Path(cache.cli_cache_dir()) / f"{key}.json").exists()
    # under 15 minutes left: not reused (the CLI's rule), but reported
    assert not sts.is_cache_hit(load_profiles(), "short")
    assert cache.expiries(load_profiles())["short"].kind == "role"
    run("short")
    assert sts_proxy.count("AssumeRole") == 2


def test_default_and_explicit_durations(home: Path, sts_proxy: StsProxy) -> None:
    run("a", default_duration=1800)
    assert sts_proxy.calls("AssumeRole")[-1].params["DurationSeconds"] == "1800"
    # an explicit duration skips the cache entry of the profile itself
    result, _ = run("a", duration=7200)
    assert sts_proxy.calls("AssumeRole")[-1].params["DurationSeconds"] == "7200"
    assert not result.from_cache
    # with role credentials as the source, an explicit 7200 is capped too
    result, events = run("b", duration=7200, default_duration=1800)
    assert sts_proxy.calls("AssumeRole")[-1].params["DurationSeconds"] == "3600"
    assert any(e.kind == "warning" for e in events)
    for bad in (899, 43201):
        err, _ = fail("a", duration=bad, use_cache=False)
        assert err.code == "InvalidDuration" and str(bad) in err.message
    err, _ = fail("a", default_duration=60, use_cache=False)
    assert err.code == "InvalidDuration"


def test_shorter_duration_does_not_replace_a_longer_entry(home: Path, sts_proxy: StsProxy) -> None:
    first, _ = run("a")
    run("a", duration=900)
    entry = cache.read_entry(cache.cache_key(A))
    assert entry is not None and entry.expiration == first.expiration


# ---------------------------------------------------------------------------
# the cache
# ---------------------------------------------------------------------------
def test_cache_write_then_reuse(home: Path, sts_proxy: StsProxy) -> None:
    first, _ = run("c")
    assert sts_proxy.count("AssumeRole") == 3
    profiles = load_profiles()
    assert sts.is_cache_hit(profiles, "c")
    second, events = run("c", profiles)
    assert sts_proxy.count("AssumeRole") == 3  # no new call
    assert sts_proxy.calls() == sts_proxy.calls("AssumeRole")
    assert second.from_cache
    assert second.credentials == first.credentials
    assert second.arn == first.arn and second.account_id == "333333333333"
    assert [e.kind for e in events] == ["cache-hit", "done"]
    # --no-cache assumes again (and refreshes the entry)
    third, _ = run("c", use_cache=False)
    assert sts_proxy.count("AssumeRole") == 6
    assert not third.from_cache


def test_cached_middle_hop_is_a_starting_point(home: Path, sts_proxy: StsProxy) -> None:
    run("c")
    os.unlink(Path(cache.cli_cache_dir()) / f"{cache.cache_key(C, duration_seconds=7200)}.json")
    sts_proxy.reset()
    result, events = run("c")
    assert [c.params["RoleArn"] for c in sts_proxy.calls("AssumeRole")] == [C]
    assert [e.kind for e in events][:2] == ["cache-hit", "warning"]
    assert events[0].step == 2 and events[0].total == 3
    assert not result.from_cache


def test_corrupt_entry_is_replaced(home: Path, sts_proxy: StsProxy) -> None:
    directory = Path(cache.cli_cache_dir())
    directory.mkdir(parents=True)
    path = directory / f"{cache.cache_key(A)}.json"
    path.write_text('{"Credentials": {"AccessKeyId": "x"')
    result, _ = run("a")
    assert sts_proxy.count("AssumeRole") == 1
    assert json.loads(path.read_text())["Credentials"]["AccessKeyId"] == (
        result.credentials.access_key_id
    )


def test_cache_reads_all_expiration_shapes(home: Path, sts_proxy: StsProxy) -> None:
    run("a")
    path = Path(cache.cli_cache_dir()) / f"{cache.cache_key(A)}.json"
    data = json.loads(path.read_text())
    when = datetime.now(UTC) + timedelta(minutes=40)
    for shape in (
        "%Y-%m-%dT%H:%M:%SZ",
        "%Y-%m-%dT%H:%M:%S.%fZ",
        "%Y-%m-%dT%H:%M:%S+00:00",
        "%Y-%m-%dT%H:%M:%SUTC",
    ):
        data["Credentials"]["Expiration"] = when.strftime(shape)
        path.write_text(json.dumps(data))
        result, _ = run("a")
        assert result.from_cache, shape
        assert result.expiration == when.replace(microsecond=0) or (result.expiration == when)
    assert sts_proxy.count("AssumeRole") == 1


def test_concurrent_assumes_share_one_call(home: Path, sts_proxy: StsProxy) -> None:
    profiles = load_profiles()
    results: list[sts.AssumeResult] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(sts.assume(profiles, "b"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 6
    assert sts_proxy.count("AssumeRole") == 2  # one chain of two hops, once
    assert len({r.credentials.access_key_id for r in results}) == 1


def test_cache_hit_imports_no_boto3(home: Path, sts_proxy: StsProxy) -> None:
    run("c")
    code = (
        "import sys\n"
        "from rolecall.core import sts, shell\n"
        "from rolecall.core.profiles import load_profiles\n"
        "r = sts.assume(load_profiles(), 'c')\n"
        "assert r.from_cache\n"
        "shell.format_env(r, 'sh')\n"
        "bad = [m for m in ('boto3', 'botocore') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_config_files_are_never_reparsed_by_botocore(
    home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.configloader

    profiles = load_profiles()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("botocore re-read the config file")

    monkeypatch.setattr(botocore.configloader, "raw_config_parse", refuse)
    monkeypatch.setattr(botocore.configloader, "load_config", refuse)
    result, _ = run("c", profiles)
    assert result.account_id == "333333333333"


# ---------------------------------------------------------------------------
# other roots: SSO, credential_process, web identity
# ---------------------------------------------------------------------------
SSO_CONFIG = (
    sso_profile("sso")
    + """
[profile on-sso]
role_arn = arn:aws:iam::666666666666:role/OnSso
source_profile = sso
duration_seconds = 7200
"""
)


def test_sso_root_expired_or_missing(home: Path, sts_proxy: StsProxy) -> None:
    add_config(home, SSO_CONFIG)
    err, _ = fail("on-sso")
    assert str(err) == "SSO session expired: run `aws sso login --profile sso`"
    sso_dir = Path(cache.sso_cache_dir())
    sso_dir.mkdir(parents=True)
    import hashlib

    token = sso_dir / f"{hashlib.sha1(b'corp').hexdigest()}.json"
    token.write_text(
        json.dumps(
            {
                "startUrl": "https://corp.awsapps.com/start",
                "region": "eu-west-1",
                "accessToken": "old",
                "expiresAt": "2020-01-01T00:00:00Z",
            }
        )
    )
    err, _ = fail("on-sso")
    assert err.code == "SsoExpired" and "aws sso login --profile sso" in err.message
    assert sts_proxy.count("AssumeRole") == 0


def test_sso_root_from_the_cli_caches(home: Path, sts_proxy: StsProxy) -> None:
    """The SSO role credentials the CLI cached serve as the root; the hop is chained."""
    import hashlib

    add_config(home, SSO_CONFIG)
    later = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sso_dir = Path(cache.sso_cache_dir())
    sso_dir.mkdir(parents=True)
    (sso_dir / f"{hashlib.sha1(b'corp').hexdigest()}.json").write_text(
        json.dumps(
            {
                "startUrl": "https://corp.awsapps.com/start",
                "region": "eu-west-1",
                "accessToken": "token",
                "expiresAt": later,
            }
        )
    )
    args = json.dumps(
        {"accountId": "123456789012", "roleName": "Dev", "sessionName": "corp"},
        sort_keys=True,
        separators=(",", ":"),
    )
    key = hashlib.sha1(args.encode()).hexdigest()
    cli_dir = Path(cache.cli_cache_dir())
    cli_dir.mkdir(parents=True)
    (cli_dir / f"{key}.json").write_text(
        json.dumps(
            {
                "ProviderType": "sso",
                "Credentials": {
                    "AccessKeyId": "ASIASSOROLECALL00001",
                    "SecretAccessKey": "ssoSECRET",
                    "SessionToken": "ssoTOKEN",
                    "Expiration": later,
                },
            }
        )
    )
    result, events = run("on-sso")
    assert signing_key(sts_proxy, "AssumeRole") == "ASIASSOROLECALL00001"
    assert sts_proxy.calls("AssumeRole")[0].params["DurationSeconds"] == "3600"
    assert any(e.kind == "warning" for e in events)  # SSO credentials are role credentials
    assert result.account_id == "666666666666"


def test_credential_process_root(home: Path, sts_proxy: StsProxy) -> None:
    script = home / "creds.py"
    script.write_text(
        "import json\n"
        "print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAPROCESSROLECALL1',"
        " 'SecretAccessKey': 'processSECRET'}))\n"
    )
    failing = home / "fail.py"
    failing.write_text(
        "import sys\nsys.stderr.write('token expired, log in again\\n')\nsys.exit(3)\n"
    )
    add_config(
        home,
        f"""\
        [profile proc]
        credential_process = {sys.executable} {script}

        [profile on-proc]
        role_arn = arn:aws:iam::777777777777:role/OnProc
        source_profile = proc

        [profile badproc]
        credential_process = {sys.executable} {failing}

        [profile on-badproc]
        role_arn = arn:aws:iam::777777777777:role/OnProc2
        source_profile = badproc
        """,
    )
    result, _ = run("on-proc")
    assert signing_key(sts_proxy, "AssumeRole") == "AKIAPROCESSROLECALL1"
    assert result.account_id == "777777777777"
    err, _ = fail("on-badproc")
    assert err.code == "CredentialProcessFailed"
    assert "token expired, log in again" in err.message and "'badproc'" in err.message


def test_web_identity_root(home: Path, sts_proxy: StsProxy) -> None:
    token = home / "token.jwt"
    token.write_text("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
    add_config(
        home,
        f"""\
        [profile wi]
        role_arn = arn:aws:iam::888888888888:role/WebId
        web_identity_token_file = {token}
        role_session_name = wi-session

        [profile on-wi]
        role_arn = arn:aws:iam::999999999999:role/OnWi
        source_profile = wi
        """,
    )
    result, events = run("on-wi")
    assert sts_proxy.count("AssumeRoleWithWebIdentity") == 1
    [call] = sts_proxy.calls("AssumeRole")
    assert call.params["RoleArn"] == "arn:aws:iam::999999999999:role/OnWi"
    assert result.account_id == "999999999999"
    assert "web identity" in events[0].message


# ---------------------------------------------------------------------------
# errors (issue section 3)
# ---------------------------------------------------------------------------
def test_unknown_profile_and_cycle(home: Path, sts_proxy: StsProxy) -> None:
    err, _ = fail("bb")
    assert err.code == "UnknownProfile" and "'b'" in str(err)
    err, _ = fail("loop1")
    assert err.code == "ConfigProblem" and "cycle" in err.message
    assert sts_proxy.calls() == []


def test_no_credentials_for_the_root(home: Path, sts_proxy: StsProxy) -> None:
    add_config(
        home,
        """\
        [profile empty]
        region = eu-west-1

        [profile on-empty]
        role_arn = arn:aws:iam::111111111111:role/X
        source_profile = empty
        """,
    )
    err, _ = fail("on-empty")
    assert err.code == "ConfigProblem" and "no usable credentials" in err.message


def _moto_user(moto_server: str) -> tuple[str, str]:
    iam = boto3.client(
        "iam",
        endpoint_url=moto_server,
        region_name="us-east-1",
        aws_access_key_id="AKIAMOTOADMIN0000001",
        aws_secret_access_key="admin",
    )
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _use_keys(home: Path, akid: str, secret: str, token: str | None = None) -> None:
    text = CONFIG.replace(BASE_KEY, akid).replace(BASE_SECRET, secret)
    if token:
        text = text.replace(
            f"aws_secret_access_key = {secret}\n",
            f"aws_secret_access_key = {secret}\naws_session_token = {token}\n",
            1,
        )
    (home / ".aws" / "config").write_text(text)


def test_invalid_client_token_id(home: Path, sts_proxy: StsProxy, moto_server: str) -> None:
    moto_auth(moto_server, True)
    err, _ = fail("a")
    assert err.code == "InvalidClientTokenId"
    assert "the static keys of profile 'base'" in err.message
    assert "does not know the access key" in err.message
    # a temporary key without its session token: say exactly that
    _use_keys(home, "ASIAROLECALLTEMP0001", BASE_SECRET)
    err, _ = fail("a")
    assert err.code == "InvalidClientTokenId"
    assert "temporary key" in err.message and "no session token was sent" in err.message


def test_access_denied_names_the_caller(home: Path, sts_proxy: StsProxy, moto_server: str) -> None:
    akid, secret = _moto_user(moto_server)
    _use_keys(home, akid, secret)
    moto_auth(moto_server, True)
    err, _ = fail("a")
    assert err.code == "AccessDenied"
    assert err.message == f"AccessDenied: arn:aws:iam::123456789012:user/alice may not assume {A}"
    assert "trust policy" in (err.hint or "")
    assert secret not in str(err)


def test_signature_does_not_match(home: Path, sts_proxy: StsProxy, moto_server: str) -> None:
    akid, _ = _moto_user(moto_server)
    _use_keys(home, akid, "wrongwrongwrongwrongwrongwrongwrongwrong")
    moto_auth(moto_server, True)
    err, _ = fail("a")
    assert err.code == "SignatureDoesNotMatch"
    assert "wrongwrong" not in str(err)


def test_expired_token_names_the_source(home: Path, sts_proxy: StsProxy) -> None:
    sts_proxy.fail(
        "AssumeRole", "ExpiredToken", "The security token included in the request is expired"
    )
    err, _ = fail("a")
    assert err.code == "ExpiredToken"
    assert err.message.startswith("the static keys of profile 'base' have expired")
    # a cached middle hop whose credentials STS calls expired
    run("a")
    sts_proxy.fail(
        "AssumeRole", "ExpiredToken", "The security token included in the request is expired"
    )
    err, _ = fail("b")
    assert "the cached role credentials of profile 'a' have expired" in err.message


def test_expired_mfa_session_is_forgotten(home: Path, sts_proxy: StsProxy) -> None:
    run("mfa1", mfa="123456")
    os.unlink(
        Path(cache.cli_cache_dir())
        / f"{cache.cache_key('arn:aws:iam::111111111111:role/M1', mfa_serial=MFA)}.json"
    )
    sts_proxy.fail(
        "AssumeRole", "ExpiredToken", "The security token included in the request is expired"
    )
    err, _ = fail("mfa1", mfa="123456")
    assert "MFA session" in err.message and "run the command again" in str(err)
    assert os.listdir(cache.mfa_cache_dir()) == []
    assert sts.mfa_needed(load_profiles(), "mfa1") == MFA


def test_throttling_is_retried_then_reported(
    home: Path, sts_proxy: StsProxy, fast_retries: None
) -> None:
    sts_proxy.fail("AssumeRole", "Throttling", "Rate exceeded", times=2)
    result, _ = run("a")
    assert sts_proxy.count("AssumeRole") == 3
    assert result.account_id == "111111111111"
    sts_proxy.fail("AssumeRole", "Throttling", "Rate exceeded", times=5)
    err, _ = fail("a", use_cache=False)
    assert err.code == "Throttling" and "after 3 attempts" in err.message
    assert sts_proxy.count("AssumeRole") == 6


def test_server_errors_are_retried(home: Path, sts_proxy: StsProxy, fast_retries: None) -> None:
    sts_proxy.fail("AssumeRole", "ServiceUnavailable", "try later", status=503, times=1)
    run("a")
    assert sts_proxy.count("AssumeRole") == 2


def test_duration_above_the_role_maximum(home: Path, sts_proxy: StsProxy) -> None:
    sts_proxy.fail(
        "AssumeRole",
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    err, _ = fail("a", duration=7200)
    assert err.code == "DurationTooLong"
    assert "7200" in err.message and "MaxSessionDuration" in str(err)


def test_chaining_limit_from_an_ambiguous_source_is_retried(
    home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAROLECALLENVROLE1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "envTOKEN")
    sts_proxy.fail(
        "AssumeRole",
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.",
    )
    result, events = run("envrole", duration=7200)
    durations = [c.params["DurationSeconds"] for c in sts_proxy.calls("AssumeRole")]
    assert durations == ["7200", "3600"]
    assert any(e.kind == "warning" and "3600" in e.message for e in events)
    assert result.expiration is not None


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return int(port)


def test_unreachable_endpoint(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", url)
    err, _ = fail("a")
    assert err.code == "EndpointUnreachable"
    assert url in err.message and "connection refused" in err.message
    assert "AWS_ENDPOINT_URL_STS" in str(err)


def test_dns_failure(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://sts.rolecall-test.invalid")
    err, _ = fail("a")
    assert err.code == "EndpointUnreachable"
    assert "sts.rolecall-test.invalid" in err.message
    assert "DNS lookup failed" in err.message or "connection failed" in err.message


def test_read_timeout(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", url)
    monkeypatch.setattr(sts, "READ_TIMEOUT", 0.3)
    try:
        err, _ = fail("a")
    finally:
        server.close()
    assert err.code == "EndpointTimeout" and url in err.message


def test_stopped_server(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", url)
    run("a")
    server.stop()
    err, _ = fail("b")
    assert err.code == "EndpointUnreachable" and url in err.message


# ---------------------------------------------------------------------------
# endpoints, clients, helpers
# ---------------------------------------------------------------------------
def test_endpoint_precedence(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = isolated_env / ".aws" / "config"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(
        textwrap.dedent(
            """\
            [profile p]
            endpoint_url = http://profile
            services = local

            [services local]
            sts =
              endpoint_url = http://services

            [profile q]
            endpoint_url = http://profile-q
            ignore_configured_endpoint_urls = true
            """
        )
    )
    profiles = load_profiles()
    p, q = profiles["p"], profiles["q"]
    assert sts.sts_endpoint_url(profiles, p) == "http://services"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://env-global")
    assert sts.sts_endpoint_url(profiles, p) == "http://env-global"
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://env-sts")
    assert sts.sts_endpoint_url(profiles, p) == "http://env-sts"
    assert sts.sts_endpoint_url(profiles, q) is None
    monkeypatch.delenv("AWS_ENDPOINT_URL_STS")
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")
    assert sts.sts_endpoint_url(profiles, q) == "http://profile-q"


def test_profile_endpoint_url_reaches_moto(
    home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL_STS")
    add_config(
        home,
        f"""\
        [profile via-profile]
        role_arn = {A}
        source_profile = base
        endpoint_url = {sts_proxy.url}
        region = ap-southeast-2
        """,
    )
    result, _ = run("via-profile")
    assert sts_proxy.count("AssumeRole") == 1
    assert "ap-southeast-2" in sts_proxy.calls("AssumeRole")[0].authorization
    assert result.region == "ap-southeast-2"


def test_injected_client_factory(home: Path, sts_proxy: StsProxy) -> None:
    seen: list[dict[str, Any]] = []

    def factory(service: str, **kw: Any) -> Any:
        seen.append({"service": service, **kw})
        return sts.default_client_factory(service, **kw)

    run("b", client_factory=factory)
    assert [s["service"] for s in seen] == ["sts", "sts"]
    assert all(s["endpoint_url"] == sts_proxy.url for s in seen)
    assert all(s["region"] == "eu-west-1" for s in seen)
    assert seen[0]["access_key_id"] == BASE_KEY


def test_whoami(home: Path, sts_proxy: StsProxy) -> None:
    result, _ = run("b")
    ident = sts.whoami(result)
    assert ident["Arn"] == result.arn
    assert ident["Account"] == "222222222222"
    assert set(ident) == {"UserId", "Account", "Arn"}
    assert sts.whoami(result.credentials)["Arn"] == result.arn


def test_secrets_stay_out_of_reprs(home: Path, sts_proxy: StsProxy) -> None:
    result, events = run("a")
    secret = result.credentials.secret_access_key
    token = result.credentials.session_token
    assert token
    for text in (
        repr(result),
        str(result),
        repr(result.credentials),
        str(result.credentials),
        json.dumps(result.to_json()),
        *(repr(e) for e in events),
    ):
        assert secret not in text and token not in text
    assert result.credentials.access_key_id not in json.dumps(result.to_json())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice", "alice"),
        ("José Smith", "Jose-Smith"),
        ("a", "rolecall-a"),
        ("", "rolecall"),
        ("DOMAIN\\user", "DOMAIN-user"),
        ("x" * 80, "x" * 64),
        ("ok+=,.@-_", "ok+=,.@-_"),
    ],
)
def test_sanitize_session_name(raw: str, expected: str) -> None:
    assert sts.sanitize_session_name(raw) == expected


def test_session_name_sources(
    home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "ünïcode user")
    monkeypatch.setenv("LOGNAME", "ünïcode user")
    run("a", use_cache=False)
    assert sts_proxy.calls("AssumeRole")[-1].params["RoleSessionName"] == "unicode-user"
    run("a", use_cache=False, session_name="from-settings")
    assert sts_proxy.calls("AssumeRole")[-1].params["RoleSessionName"] == "from-settings"


def test_now_callable_drives_freshness(home: Path, sts_proxy: StsProxy) -> None:
    first, _ = run("a")
    expires = first.expiration
    assert expires is not None
    late: Callable[[], datetime] = lambda: expires - timedelta(minutes=10)  # noqa: E731
    second, _ = run("a", now=late)
    assert not second.from_cache
    assert sts_proxy.count("AssumeRole") == 2


def test_credential_source_ecs_container(
    home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EcsContainer credentials (role credentials) from a local endpoint; the hop is capped."""
    from http.server import BaseHTTPRequestHandler, HTTPServer

    later = (datetime.now(UTC) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps(
        {
            "AccessKeyId": "ASIAECSROLECALL00001",
            "SecretAccessKey": "ecsSECRET",
            "Token": "ecsTOKEN",
            "Expiration": later,
        }
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            f"http://127.0.0.1:{server.server_address[1]}/creds",
        )
        add_config(
            home,
            f"""\
            [profile ecsrole]
            role_arn = {B}
            credential_source = EcsContainer
            duration_seconds = 7200
            """,
        )
        result, events = run("ecsrole")
    finally:
        server.shutdown()
        server.server_close()
    assert signing_key(sts_proxy, "AssumeRole") == "ASIAECSROLECALL00001"
    assert sts_proxy.calls("AssumeRole")[0].params["DurationSeconds"] == "3600"
    assert [e.kind for e in events][:2] == ["root", "warning"]
    assert result.account_id == "222222222222"


def test_credential_source_ec2_metadata_unavailable(home: Path, sts_proxy: StsProxy) -> None:
    add_config(
        home,
        f"""\
        [profile ec2role]
        role_arn = {A}
        credential_source = Ec2InstanceMetadata
        """,
    )
    err, _ = fail("ec2role")  # AWS_EC2_METADATA_DISABLED=true in the tests
    assert err.code == "NoCredentials" and "Ec2InstanceMetadata" in err.message
    assert sts_proxy.count("AssumeRole") == 0


def test_user_profile_with_mfa_serial_gives_its_mfa_session(
    home: Path, sts_proxy: StsProxy
) -> None:
    add_config(
        home,
        f"""\
        [profile user]
        aws_access_key_id = {BASE_KEY}
        aws_secret_access_key = {BASE_SECRET}
        mfa_serial = {MFA}

        [profile on-user]
        role_arn = {C}
        source_profile = user
        """,
    )
    profiles = load_profiles()
    assert sts.mfa_needed(profiles, "user") == MFA
    assert sts.mfa_needed(profiles, "on-user") == MFA
    result, _ = run("user", profiles, mfa="123456")
    assert result.credentials.access_key_id != BASE_KEY
    assert result.credentials.session_token
    assert result.expiration is not None and result.origin == "the MFA session of profile 'user'"
    assert sts_proxy.count("GetSessionToken") == 1
    # the same session serves the role on top of it: no second code
    assert sts.mfa_needed(profiles, "user") is None
    assert sts.mfa_needed(profiles, "on-user") is None
    run("on-user", profiles)
    assert sts_proxy.count("GetSessionToken") == 1
    assert signing_key(sts_proxy, "AssumeRole") == result.credentials.access_key_id
    # without MFA sessions, the user profile gives its own keys
    plain, _ = run("user", profiles, mfa_session=False)
    assert plain.credentials.access_key_id == BASE_KEY
