"""Helpers shared by the hardening tests: running rolecall as a whole process and
checking that a failure is one clean line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rolecall.core.cache import entries, keys
from tests.sts_helpers import A, chain_profiles, mfa_profile

BASE_KEY = "AKIAHARDENING0000001"
BASE_SECRET = "hardeningBASEsecret/0000000000000000000000"
MFA = "arn:aws:iam::000000000000:mfa/hardening"

CONFIG = "# hardening test config\n" + "\n".join(
    [chain_profiles(BASE_KEY, BASE_SECRET), mfa_profile(MFA)]
)


@dataclass
class Run:
    """A finished rolecall process."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    elapsed: float

    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def rolecall_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "rolecall", *args]


def run(
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
    input: str | None = None,
    prefix: Sequence[str] = (),
) -> Run:
    """``python -m rolecall ARGS`` with no terminal (its own session) and no stdin."""
    start = time.monotonic()
    proc = subprocess.run(
        [*prefix, *rolecall_argv(*args)],
        env=dict(os.environ if env is None else env),
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=timeout,
        start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
    )
    return Run(tuple(args), proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def assert_one_line_failure(res: Run, code: int | None = None) -> str:
    """Non-zero exit (``code`` when given), no traceback, exactly one printable
    ``rolecall: ...`` line on stderr; returns that line."""
    detail = f"{res.args!r}: rc={res.returncode} stderr={res.stderr!r} stdout={res.stdout[:300]!r}"
    assert res.returncode != 0, detail
    if code is not None:
        assert res.returncode == code, detail
    assert "Traceback" not in res.stderr, detail
    lines = res.stderr_lines()
    assert len(lines) == 1, detail
    assert lines[0].startswith("rolecall: "), detail
    assert all(ch == "\t" or ch >= " " for ch in lines[0]), detail  # no raw control characters
    return lines[0]


def assert_clean_success(res: Run) -> None:
    detail = f"{res.args!r}: rc={res.returncode} stderr={res.stderr!r}"
    assert res.returncode == 0, detail
    assert "Traceback" not in res.stderr, detail


def snapshot(*directories: str | Path) -> dict[str, bytes]:
    """Every file under ``directories`` (path -> bytes), but rolecall's lock files:
    empty when no one holds them, they are where a writer waits, not data."""
    out: dict[str, bytes] = {}
    for directory in directories:
        root = Path(directory)
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if path.parent.name == "locks" and path.suffix == ".lock":
                continue
            if path.is_file() and not path.is_symlink():
                out[str(path)] = path.read_bytes()
    return out


def cache_dirs() -> list[str]:
    """The CLI cache and rolecall's own cache (MFA sessions)."""
    return [keys.cli_cache_dir(), keys.rolecall_cache_dir()]


def fresh_response(
    key_id: str = "ASIAHARDENINGCACHED1", minutes: int = 60, arn: str = A
) -> dict[str, object]:
    """An AssumeRole response as the CLI caches it, valid for ``minutes``."""
    expires = datetime.now(UTC) + timedelta(minutes=minutes)
    account = arn.split(":")[4]
    return {
        "Credentials": {
            "AccessKeyId": key_id,
            "SecretAccessKey": f"cachedSECRET{key_id}",
            "SessionToken": f"cachedTOKEN{key_id}",
            "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "AccountId": account,
        },
        "AssumedRoleUser": {
            "AssumedRoleId": "AROAHARDENING:me",
            "Arn": f"arn:aws:sts::{account}:assumed-role/{arn.rsplit('/', 1)[1]}/me",
        },
    }


def parse_all_cache_files() -> int:
    """Parse every ``*.json`` of both caches as a rolecall entry; returns how many."""
    count = 0
    for directory in (keys.cli_cache_dir(), keys.mfa_cache_dir()):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            if not name.endswith(".json"):
                continue
            data = json.loads(Path(directory, name).read_bytes())
            assert entries._entry_from(name, data) is not None, name
            count += 1
    return count


def without_dac_override() -> list[str] | None:
    """A command prefix that runs a child without the power to ignore file modes,
    so that "permission denied" happens even for root; None when unavailable."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    probe = subprocess.run(
        [*prefix, "true"], capture_output=True, timeout=10, stdin=subprocess.DEVNULL
    )
    return prefix if probe.returncode == 0 else None
