"""Load (issue 5, section 4): 50 concurrent ``rolecall credential-process`` calls.

The way an SDK fan-out calls it: fifty processes at once, with a cold cache, for
a three-hop chain (base -> a -> b -> c), against moto through the counting proxy.

* every call returns valid Version 1 JSON credentials (the same ones);
* the AssumeRole calls that reach STS are few: one per hop, coordinated by
  rolecall's lock of the cache (a 0600 file in its own 0700 directory);
* stderr is empty, but for the one line a caller gives when the process that
  assumes has held the lock for a while (2 s: often, on two busy CPUs), which
  must name that process;
* no cache file is ever corrupt: a reader polls the cache directory during the
  run and parses every file it finds, and every file is parsed again at the end.

Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rolecall.core.cache import keys as cache_keys
from tests.hardening._util import CONFIG, parse_all_cache_files, rolecall_argv
from tests.moto_fixtures import StsProxy

#: the one line a caller may give while the first one assumes
WAITING = (
    r"rolecall: warning: waiting for pid \d+ \(assuming c\), which holds the lock "
    r"\S+/locks/cache-[0-9a-f]{16}\.lock\n"
)

CALLERS = 50


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    """``home``'s config; the tests that use it talk to moto's STS."""
    return CONFIG


def _poll_cache(stop: threading.Event, seen: dict[str, int], bad: list[str]) -> None:
    directory = cache_keys.cli_cache_dir()
    while not stop.is_set():
        try:
            names = os.listdir(directory)
        except OSError:
            names = []
        for name in names:
            if not name.endswith(".json"):
                continue
            try:
                data = Path(directory, name).read_bytes()
            except FileNotFoundError:
                continue
            try:
                json.loads(data)
                seen["reads"] += 1
            except ValueError:
                bad.append(name)
        time.sleep(0.002)


def test_fifty_concurrent_credential_process_calls(home: Path, sts_proxy: StsProxy) -> None:
    stop = threading.Event()
    seen = {"reads": 0}
    bad: list[str] = []
    poller = threading.Thread(target=_poll_cache, args=(stop, seen, bad), daemon=True)
    poller.start()
    start = time.monotonic()
    procs = []
    for _ in range(CALLERS):
        procs.append(
            (
                time.monotonic(),
                subprocess.Popen(
                    rolecall_argv("credential-process", "c"),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    latencies = []
    outputs = []
    for began, proc in procs:
        out, err = proc.communicate(timeout=120)
        latencies.append(time.monotonic() - began)
        assert proc.returncode == 0, err
        assert "Traceback" not in err, err
        assert err == "" or re.fullmatch(WAITING, err), err
        outputs.append(out)
    wall = time.monotonic() - start
    stop.set()
    poller.join(timeout=5)

    keys = set()
    for out in outputs:
        doc = json.loads(out)
        assert doc["Version"] == 1
        assert doc["AccessKeyId"].startswith("ASIA")
        assert doc["SecretAccessKey"] and doc["SessionToken"]
        assert datetime.fromisoformat(doc["Expiration"].replace("Z", "+00:00")) > datetime.now(UTC)
        assert doc["AccountId"] == "333333333333"
        keys.add(doc["AccessKeyId"])
    assume_calls = sts_proxy.count("AssumeRole")
    files = parse_all_cache_files()
    figures = {
        "callers": CALLERS,
        "assume_role_calls": assume_calls,
        "distinct_credentials": len(keys),
        "wall_s": round(wall, 2),
        "latency_p50_s": round(statistics.median(latencies), 2),
        "latency_max_s": round(max(latencies), 2),
        "cache_reads_during_run": seen["reads"],
        "corrupt_reads": len(bad),
        "cache_files": files,
    }
    print("\nload figures:", json.dumps(figures))
    assert bad == []
    assert assume_calls == 3  # one per hop: a, b, c
    assert len(keys) == 1
    assert files == 3
    assert [n for n in os.listdir(cache_keys.cli_cache_dir()) if not n.endswith(".json")] == []
