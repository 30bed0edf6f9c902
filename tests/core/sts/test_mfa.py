"""MFA against moto: one prompt shared through the MFA session, a code on the hop
that needs it, the failures, and a user profile's own MFA session."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.core.sts.helpers import BASE_KEY, BASE_SECRET, MFA, add_config, fail, run, signing_key
from tests.moto_fixtures import StsProxy
from tests.sts_helpers import A, C

from rolecall.core import sts
from rolecall.core.cache import keys as cache_keys
from rolecall.core.expiries import expiries
from rolecall.core.profiles import load_profiles


def test_one_mfa_prompt_shared_by_two_roles(chain_home: Path, sts_proxy: StsProxy) -> None:
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
    sessions = list(Path(cache_keys.mfa_cache_dir()).iterdir())
    assert len(sessions) == 1 and stat.S_IMODE(sessions[0].stat().st_mode) == 0o600
    add_config(
        chain_home,
        f"""\
        [profile mfa3]
        role_arn = arn:aws:iam::111111111111:role/M3
        source_profile = base
        mfa_serial = {MFA}
        """,
    )
    exp = expiries(load_profiles())
    assert exp["mfa1"].kind == "role" and exp["mfa2"].kind == "role"
    assert exp["mfa3"].kind == "mfa"  # not assumed yet: its MFA session is live
    assert exp["mfa3"].expires_at - datetime.now(UTC) > timedelta(hours=11)
    # the root whose keys the MFA session belongs to does not use it itself (issue 9 §5:
    # only the chains that use an MFA session show its expiry)
    assert "base" not in exp
    assert "a" not in exp
    # the role cache key has the SerialNumber, as the AWS CLI computes it
    key = cache_keys.cache_key("arn:aws:iam::111111111111:role/M1", mfa_serial=MFA)
    assert (Path(cache_keys.cli_cache_dir()) / f"{key}.json").exists()


def test_direct_mfa_on_assume_role(chain_home: Path, sts_proxy: StsProxy) -> None:
    run("mfa1", mfa="654321", mfa_session=False)
    assert sts_proxy.count("GetSessionToken") == 0
    [ar] = sts_proxy.calls("AssumeRole")
    assert ar.params["SerialNumber"] == MFA and ar.params["TokenCode"] == "654321"


def test_mfa_on_a_later_hop_goes_on_that_assume_role(chain_home: Path, sts_proxy: StsProxy) -> None:
    profiles = load_profiles()
    assert sts.mfa_needed(profiles, "mfa-deep") == MFA
    run("mfa-deep", profiles, mfa="111111")
    calls = sts_proxy.calls("AssumeRole")
    assert [c.params["RoleArn"] for c in calls] == [A, "arn:aws:iam::111111111111:role/Deep"]
    assert "SerialNumber" not in calls[0].params
    assert calls[1].params["SerialNumber"] == MFA and calls[1].params["TokenCode"] == "111111"
    assert sts.mfa_needed(profiles, "mfa-deep") is None  # cached now


def test_mfa_errors(chain_home: Path, sts_proxy: StsProxy) -> None:
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
    assert not Path(cache_keys.mfa_cache_dir()).exists() or not os.listdir(
        cache_keys.mfa_cache_dir()
    )


def test_role_requiring_mfa_without_mfa_serial(chain_home: Path, sts_proxy: StsProxy) -> None:
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


def test_user_profile_with_mfa_serial_gives_its_mfa_session(
    chain_home: Path, sts_proxy: StsProxy
) -> None:
    add_config(
        chain_home,
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
