"""The STS engine's chains against a real endpoint: moto's server behind a counting
proxy.  Hops, roots from the environment, durations, session names, whoami."""

from __future__ import annotations

import json
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.core.sts.helpers import BASE_KEY, ENV_KEY, ENV_SECRET, fail, run, signing_key
from tests.moto_fixtures import StsProxy
from tests.sts_helpers import A, B, C

from rolecall.core import sts
from rolecall.core.cache import entries, keys
from rolecall.core.expiries import expiries
from rolecall.core.profiles import load_profiles


def test_one_hop(chain_home: Path, sts_proxy: StsProxy) -> None:
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
    path = Path(keys.cli_cache_dir()) / f"{keys.cache_key(A)}.json"
    data = json.loads(path.read_text())
    assert data["Credentials"]["AccountId"] == "111111111111"
    assert data["Credentials"]["SecretAccessKey"] == result.credentials.secret_access_key
    assert data["AssumedRoleUser"]["Arn"] == result.arn
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_two_and_three_hops(chain_home: Path, sts_proxy: StsProxy) -> None:
    result, events = run("b")
    assert [c.params["RoleArn"] for c in sts_proxy.calls("AssumeRole")] == [A, B]
    assert result.arn is not None and ":222222222222:assumed-role/B/" in result.arn
    assert result.region == "eu-west-1"
    # hop 2 is signed with hop 1's credentials
    first = json.loads((Path(keys.cli_cache_dir()) / f"{keys.cache_key(A)}.json").read_text())
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


def test_chaining_caps_duration_with_a_warning(chain_home: Path, sts_proxy: StsProxy) -> None:
    result, events = run("c")
    # c asks for 7200 but is assumed with role credentials: capped at 3600
    assert sts_proxy.calls("AssumeRole")[-1].params["DurationSeconds"] == "3600"
    [warning] = [e for e in events if e.kind == "warning"]
    assert "7200" in warning.message and "3600" in warning.message
    assert result.expiration is not None
    assert result.expiration - datetime.now(UTC) <= timedelta(hours=1)


def test_credential_source_environment(
    chain_home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ENV_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET)
    result, events = run("envrole")
    [call] = sts_proxy.calls("AssumeRole")
    assert signing_key(sts_proxy, "AssumeRole") == ENV_KEY
    assert call.params["RoleSessionName"] == "env-session"
    assert "environment" in events[0].message
    # the key includes the profile's role_session_name, exactly as the CLI computes it
    assert (Path(keys.cli_cache_dir()) / f"{keys.cache_key(A, 'env-session')}.json").exists()
    assert result.arn is not None and result.arn.endswith("/env-session")


def test_credential_source_environment_missing(chain_home: Path, sts_proxy: StsProxy) -> None:
    err, _ = fail("envrole")
    assert err.code == "NoCredentials"
    assert "AWS_ACCESS_KEY_ID" in str(err)
    assert sts_proxy.count("AssumeRole") == 0


def test_static_profile_needs_no_sts(chain_home: Path, sts_proxy: StsProxy) -> None:
    result, events = run("base")
    assert result.credentials.access_key_id == BASE_KEY
    assert result.arn is None and result.expiration is None
    assert sts_proxy.calls() == []
    assert events[-1].kind == "done"


def test_external_id(chain_home: Path, sts_proxy: StsProxy) -> None:
    run("ext")
    [call] = sts_proxy.calls("AssumeRole")
    assert call.params["ExternalId"] == "ext-id-42"
    key = keys.cache_key("arn:aws:iam::444444444444:role/Ext", external_id="ext-id-42")
    assert (Path(keys.cli_cache_dir()) / f"{key}.json").exists()


def test_duration_900_is_never_reused(chain_home: Path, sts_proxy: StsProxy) -> None:
    result, _ = run("short")
    assert sts_proxy.calls("AssumeRole")[0].params["DurationSeconds"] == "900"
    assert result.expiration is not None
    assert result.expiration - datetime.now(UTC) <= timedelta(minutes=15)
    key = keys.cache_key("arn:aws:iam::555555555555:role/Short", duration_seconds=900)
    assert (Path(keys.cli_cache_dir()) / f"{key}.json").exists()
    # under 15 minutes left: not reused (the CLI's rule), but reported
    assert not sts.is_cache_hit(load_profiles(), "short")
    assert expiries(load_profiles())["short"].kind == "role"
    run("short")
    assert sts_proxy.count("AssumeRole") == 2


def test_default_and_explicit_durations(chain_home: Path, sts_proxy: StsProxy) -> None:
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


def test_shorter_duration_does_not_replace_a_longer_entry(
    chain_home: Path, sts_proxy: StsProxy
) -> None:
    first, _ = run("a")
    run("a", duration=900)
    entry = entries.read_entry(keys.cache_key(A))
    assert entry is not None and entry.expiration == first.expiration


def test_session_name_sources(
    chain_home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "ünïcode user")
    monkeypatch.setenv("LOGNAME", "ünïcode user")
    run("a", use_cache=False)
    assert sts_proxy.calls("AssumeRole")[-1].params["RoleSessionName"] == "unicode-user"
    run("a", use_cache=False, session_name="from-settings")
    assert sts_proxy.calls("AssumeRole")[-1].params["RoleSessionName"] == "from-settings"


def test_now_callable_drives_freshness(chain_home: Path, sts_proxy: StsProxy) -> None:
    first, _ = run("a")
    expiration = first.expiration
    assert expiration is not None

    def late() -> datetime:  # 10 minutes before the entry expires: not reused
        return expiration - timedelta(minutes=10)

    second, _ = run("a", now=late)
    assert not second.from_cache
    assert sts_proxy.count("AssumeRole") == 2


def test_injected_client_factory(chain_home: Path, sts_proxy: StsProxy) -> None:
    seen: list[dict[str, Any]] = []

    def factory(service: str, **kw: Any) -> Any:
        seen.append({"service": service, **kw})
        return sts.default_client_factory(service, **kw)

    run("b", client_factory=factory)
    assert [s["service"] for s in seen] == ["sts", "sts"]
    assert all(s["endpoint_url"] == sts_proxy.url for s in seen)
    assert all(s["region"] == "eu-west-1" for s in seen)
    assert seen[0]["access_key_id"] == BASE_KEY


def test_whoami(chain_home: Path, sts_proxy: StsProxy) -> None:
    result, _ = run("b")
    ident = sts.whoami(result)
    assert ident["Arn"] == result.arn
    assert ident["Account"] == "222222222222"
    assert set(ident) == {"UserId", "Account", "Arn"}
    assert sts.whoami(result.credentials)["Arn"] == result.arn


def test_secrets_stay_out_of_reprs(chain_home: Path, sts_proxy: StsProxy) -> None:
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


def test_concurrent_assumes_share_one_call(chain_home: Path, sts_proxy: StsProxy) -> None:
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
