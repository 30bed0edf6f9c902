"""Cache entries that lie (issue 14 §2), in the library: an entry is bound to its role,
an MFA session to its profile and device, a FIFO never blocks a read, a file too big
is not read, and an out-of-range ``Expiration`` is an unusable entry.

Each attack is first played against the engine (moto behind the counting proxy),
then the rule that stops it is checked on its own.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.core.sts.helpers import CONFIG, MFA, add_config, run
from tests.moto_fixtures import StsProxy, write_aws_files
from tests.sts_helpers import A, B, C, sso_profile

from rolecall.core import sts
from rolecall.core.cache import binding, json_files, keys, timestamps, trust
from rolecall.core.cache import entries as cache_entries
from rolecall.core.expiries import expiries
from rolecall.core.profiles import load_profiles

CAP_SECONDS = 5.0  # a read that blocks is stopped by the test after this long


@pytest.fixture
def chain_home(isolated_env: Path, sts_endpoint: str) -> Path:
    """The STS engine tests' config (``tests/core/sts/helpers.py``), STS pointed at moto."""
    write_aws_files(isolated_env, CONFIG)
    return isolated_env


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    """Each test starts with no warning given (they are given once a process)."""
    saved = list(trust.warnings_seen)
    trust.warnings_seen.clear()
    yield
    trust.warnings_seen[:] = saved


def _later(hours: float = 1) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _response(role_arn: str, key_id: str, hours: float = 1, session: str = "me") -> dict[str, Any]:
    """A whole AssumeRole answer for ``role_arn`` as the AWS CLI caches it."""
    partition, account = role_arn.split(":")[1], role_arn.split(":")[4]
    name = role_arn.rsplit("/", 1)[1]
    return {
        "Credentials": {
            "AccessKeyId": key_id,
            "SecretAccessKey": "cachedSECRET" + key_id,
            "SessionToken": "cachedTOKEN" + key_id,
            "Expiration": _later(hours),
            "AccountId": account,
        },
        "AssumedRoleUser": {
            "AssumedRoleId": f"AROA{key_id}:{session}",
            "Arn": f"arn:{partition}:sts::{account}:assumed-role/{name}/{session}",
        },
    }


def _plant(key: str, document: object) -> Path:
    directory = Path(keys.cli_cache_dir())
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{key}.json"
    path.write_text(json.dumps(document))
    return path


def _within(seconds: float, fn: Callable[[], object]) -> object:
    """``fn()``, which must return within ``seconds`` (a blocked read fails the test)."""
    box: list[object] = []
    worker = threading.Thread(target=lambda: box.append(fn()), daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        # unblock it (open the FIFO for writing) so that the test process can end
        for fifo in Path(keys.cli_cache_dir()).glob("*.json"):
            if fifo.is_fifo():
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                os.close(fd)
        worker.join(5)
        pytest.fail(f"still blocked after {seconds} s")
    return box[0]


# ---------------------------------------------------------------------------
# an entry is bound to its role
# ---------------------------------------------------------------------------
def test_an_entry_renamed_onto_another_roles_key_is_not_used(
    chain_home: Path, sts_proxy: StsProxy
) -> None:
    """The attack: prod's entry (role C, another account) renamed onto a's key.
    ``assume a`` used to give C's credentials, silently."""
    planted = _plant(keys.cache_key(A), _response(C, "ASIAPRODPRODPROD0001"))
    result, events = run("a")
    assert result.credentials.access_key_id != "ASIAPRODPRODPROD0001"
    assert result.arn is not None and ":111111111111:assumed-role/A/" in result.arn
    assert not result.from_cache
    assert sts_proxy.count("AssumeRole") == 1
    [warning] = trust.warnings_seen
    assert str(planted) in warning and "assumed-role/C/me" in warning and A in warning
    assert "not using it" in warning
    # the next assume replaced it with the right role's answer
    data = json.loads(planted.read_text())
    assert data["AssumedRoleUser"]["Arn"] == result.arn
    again, _ = run("a")
    assert again.from_cache and sts_proxy.count("AssumeRole") == 1


def test_a_renamed_middle_hop_is_not_a_starting_point(
    chain_home: Path, sts_proxy: StsProxy
) -> None:
    _plant(keys.cache_key(B), _response(C, "ASIAPRODPRODPROD0002"))
    result, _ = run("b")
    assert [c.params["RoleArn"] for c in sts_proxy.calls("AssumeRole")] == [A, B]
    assert ":222222222222:assumed-role/B/" in str(result.arn)
    assert len(trust.warnings_seen) == 1


def test_a_renamed_entry_outliving_the_new_one_is_still_replaced(
    chain_home: Path, sts_proxy: StsProxy
) -> None:
    """``store`` keeps an existing entry that outlives the new answer, but only
    when that entry is the role's own."""
    path = _plant(keys.cache_key(A), _response(C, "ASIAPRODPRODPROD0003", hours=11))
    result, _ = run("a", use_cache=False)
    assert json.loads(path.read_text())["AssumedRoleUser"]["Arn"] == result.arn


def test_is_cache_hit_and_expiries_ignore_a_renamed_entry(chain_home: Path) -> None:
    _plant(keys.cache_key(A), _response(C, "ASIAPRODPRODPROD0004"))
    profiles = load_profiles()
    assert not sts.is_cache_hit(profiles, "a")
    assert "a" not in expiries(profiles)
    _plant(keys.cache_key(A), _response(A, "ASIAOWNOWNOWNOWN0001"))
    assert sts.is_cache_hit(profiles, "a")
    assert expiries(profiles)["a"].kind == "role"


def test_a_renamed_mfa_session_is_not_used(chain_home: Path, sts_proxy: StsProxy) -> None:
    """An MFA session is bound to its root profile and its device: one of another
    profile (or device) put under this key asks for a code again."""
    asked: list[str] = []

    def prompt(serial: str) -> str:
        asked.append(serial)
        return "123456"

    run("mfa1", mfa=prompt)
    assert asked == [MFA]
    [session] = Path(keys.mfa_cache_dir()).glob("*.json")
    data = json.loads(session.read_text())
    assert data["Profile"] == "base" and data["SerialNumber"] == MFA
    for field, value in (("Profile", "other"), ("SerialNumber", "arn:aws:iam::0:mfa/x")):
        forged = dict(data, **{field: value})
        session.write_text(json.dumps(forged))
        trust.warnings_seen.clear()
        assert sts.mfa_needed(load_profiles(), "mfa2", use_cache=False) == MFA
        run("mfa2", mfa=prompt, use_cache=False)
        assert len(asked) == 2
        assert len(trust.warnings_seen) == 1 and field in trust.warnings_seen[0]
        # replaced by the new session, which is its own again
        assert json.loads(session.read_text())[field] == data[field]
        asked.pop()


@pytest.mark.parametrize(
    ("role_arn", "assumed", "ok"),
    [
        ("arn:aws:iam::111111111111:role/A", "arn:aws:sts::111111111111:assumed-role/A/me", True),
        # a path in the role ARN: the assumed-role ARN names the role without it
        (
            "arn:aws:iam::111111111111:role/ops/team/Admin",
            "arn:aws:sts::111111111111:assumed-role/Admin/me@corp.example",
            True,
        ),
        # other partitions
        (
            "arn:aws-cn:iam::111111111111:role/A",
            "arn:aws-cn:sts::111111111111:assumed-role/A/s",
            True,
        ),
        (
            "arn:aws-us-gov:iam::111111111111:role/A",
            "arn:aws-us-gov:sts::111111111111:assumed-role/A/s",
            True,
        ),
        # IAM role names are unique ignoring case: the case of the config may differ
        (
            "arn:aws:iam::111111111111:role/admin",
            "arn:aws:sts::111111111111:assumed-role/Admin/s",
            True,
        ),
        # the lies
        ("arn:aws:iam::111111111111:role/A", "arn:aws:sts::222222222222:assumed-role/A/me", False),
        ("arn:aws:iam::111111111111:role/A", "arn:aws:sts::111111111111:assumed-role/B/me", False),
        (
            "arn:aws:iam::111111111111:role/A",
            "arn:aws-cn:sts::111111111111:assumed-role/A/m",
            False,
        ),
        (
            "arn:aws:iam::111111111111:role/ops/A",
            "arn:aws:sts::111111111111:assumed-role/ops/A",
            False,
        ),
        ("arn:aws:iam::111111111111:role/A", "arn:aws:iam::111111111111:role/A", False),
        ("arn:aws:iam::111111111111:role/A", "arn:aws:sts::111111111111:assumed-role/A", False),
        ("arn:aws:iam::111111111111:role/A", "arn:aws:sts::111111111111:federated-user/A", False),
        ("arn:aws:iam::111111111111:role/A", "arn:aws:sts::111111111111:assumed-role/A/m/x", False),
        ("arn:aws:iam::111111111111:role/A", "", False),
        ("arn:aws:iam::111111111111:role/A", "A", False),
    ],
)
def test_role_binding(role_arn: str, assumed: str, ok: bool) -> None:
    data = _response(role_arn, "ASIABINDINGTEST00001")
    data["AssumedRoleUser"]["Arn"] = assumed
    problem = binding.role_mismatch(data, role_arn)
    assert (problem is None) is ok, problem


def test_role_binding_needs_the_arn_and_checks_the_account_id() -> None:
    data = _response(A, "ASIABINDINGTEST00002")
    assert binding.role_mismatch(data, A) is None
    data["Credentials"]["AccountId"] = "999999999999"
    assert "999999999999" in str(binding.role_mismatch(data, A))
    for broken in ({}, {"AssumedRoleUser": "x"}, {"AssumedRoleUser": {"Arn": 7}}):
        doc = _response(A, "ASIABINDINGTEST00003")
        del doc["AssumedRoleUser"]
        doc.update(broken)
        assert binding.role_mismatch(doc, A) is not None


def test_a_hostile_arn_in_the_warning_is_cut_short() -> None:
    data = _response(A, "ASIABINDINGTEST00004")
    data["AssumedRoleUser"]["Arn"] = "arn:aws:sts::1:assumed-role/X/" + "y" * 5000
    problem = binding.role_mismatch(data, A)
    assert problem is not None and len(problem) < 400


# ---------------------------------------------------------------------------
# a FIFO, a device, a huge file: never read, never waited for
# ---------------------------------------------------------------------------
def test_a_fifo_in_the_cache_is_a_miss_not_a_hang(isolated_env: Path) -> None:
    key = keys.cache_key(A)
    directory = Path(keys.cli_cache_dir())
    directory.mkdir(parents=True)
    os.mkfifo(directory / f"{key}.json")
    assert _within(CAP_SECONDS, lambda: cache_entries.read_entry(key)) is None
    assert (
        _within(CAP_SECONDS, lambda: json_files.read_private_json(str(directory / f"{key}.json")))
        is None
    )
    [warning] = trust.warnings_seen
    assert "not a regular file" in warning


def test_a_fifo_does_not_hang_an_assume_with_no_cache(
    chain_home: Path, sts_proxy: StsProxy
) -> None:
    """``--no-cache`` still reads the entry it may replace: that read must not block."""
    directory = Path(keys.cli_cache_dir())
    directory.mkdir(parents=True)
    os.mkfifo(directory / f"{keys.cache_key(A)}.json")
    result = _within(CAP_SECONDS * 3, lambda: run("a", use_cache=False)[0])
    assert isinstance(result, sts.AssumeResult) and not result.from_cache
    # the FIFO is someone else's doing: left alone (not replaced), and warned about
    assert (directory / f"{keys.cache_key(A)}.json").is_fifo()
    assert any("not a regular file" in w for w in trust.warnings_seen)


def test_a_fifo_sso_token_does_not_hang_the_expiries(chain_home: Path) -> None:
    import hashlib

    add_config(chain_home, sso_profile("sso"))
    sso_dir = Path(keys.sso_cache_dir())
    sso_dir.mkdir(parents=True)
    os.mkfifo(sso_dir / f"{hashlib.sha1(b'corp').hexdigest()}.json")
    got = _within(CAP_SECONDS, lambda: expiries(load_profiles()))
    assert isinstance(got, dict) and "sso" not in got


def test_a_file_too_big_is_not_read(isolated_env: Path) -> None:
    key = keys.cache_key(A)
    doc = _response(A, "ASIABIGBIGBIGBIG0001")
    doc["Padding"] = "x" * (trust.MAX_CACHE_FILE + 1)
    _plant(key, doc)
    start = time.monotonic()
    assert cache_entries.read_entry(key) is None
    assert time.monotonic() - start < 1
    [warning] = trust.warnings_seen
    assert "larger than" in warning


# ---------------------------------------------------------------------------
# an Expiration out of range
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59.999999-00:01"],
)
def test_an_expiration_out_of_range_is_unreadable(value: str) -> None:
    assert timestamps.parse_expiration(value) is None


def test_an_expiration_out_of_range_is_replaced_by_the_next_assume(
    chain_home: Path, sts_proxy: StsProxy
) -> None:
    doc = _response(A, "ASIAOUTOFRANGE000001")
    doc["Credentials"]["Expiration"] = "9999-12-31T23:59:59-01:00"
    for use_cache in (False, True):
        path = _plant(keys.cache_key(A), doc)
        result, _ = run("a", use_cache=use_cache)
        assert not result.from_cache
        assert json.loads(path.read_text())["Credentials"]["AccessKeyId"] == (
            result.credentials.access_key_id
        )
    profiles = load_profiles()
    _plant(keys.cache_key(A), doc)
    assert "a" not in expiries(profiles)
    assert not sts.is_cache_hit(profiles, "a")
