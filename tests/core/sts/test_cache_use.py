"""How the engine uses the AWS CLI's cache: reuse, a cached middle hop, corrupt and
odd entries; and what a cache hit may load (no boto3; botocore never re-reads the
config)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.core.sts.helpers import run
from tests.moto_fixtures import StsProxy
from tests.sts_helpers import A, C

from rolecall.core import sts
from rolecall.core.cache import keys
from rolecall.core.profiles import load_profiles


def test_cache_write_then_reuse(chain_home: Path, sts_proxy: StsProxy) -> None:
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


def test_cached_middle_hop_is_a_starting_point(chain_home: Path, sts_proxy: StsProxy) -> None:
    run("c")
    os.unlink(Path(keys.cli_cache_dir()) / f"{keys.cache_key(C, duration_seconds=7200)}.json")
    sts_proxy.reset()
    result, events = run("c")
    assert [c.params["RoleArn"] for c in sts_proxy.calls("AssumeRole")] == [C]
    assert [e.kind for e in events][:2] == ["cache-hit", "warning"]
    assert events[0].step == 2 and events[0].total == 3
    assert not result.from_cache


def test_corrupt_entry_is_replaced(chain_home: Path, sts_proxy: StsProxy) -> None:
    directory = Path(keys.cli_cache_dir())
    directory.mkdir(parents=True)
    path = directory / f"{keys.cache_key(A)}.json"
    path.write_text('{"Credentials": {"AccessKeyId": "x"')
    result, _ = run("a")
    assert sts_proxy.count("AssumeRole") == 1
    assert json.loads(path.read_text())["Credentials"]["AccessKeyId"] == (
        result.credentials.access_key_id
    )


def test_cache_reads_all_expiration_shapes(chain_home: Path, sts_proxy: StsProxy) -> None:
    run("a")
    path = Path(keys.cli_cache_dir()) / f"{keys.cache_key(A)}.json"
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


def test_cache_hit_imports_no_boto3(chain_home: Path, sts_proxy: StsProxy) -> None:
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
    chain_home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.configloader

    profiles = load_profiles()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("botocore re-read the config file")

    monkeypatch.setattr(botocore.configloader, "raw_config_parse", refuse)
    monkeypatch.setattr(botocore.configloader, "load_config", refuse)
    result, _ = run("c", profiles)
    assert result.account_id == "333333333333"
