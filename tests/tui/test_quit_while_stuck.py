"""The real ``rolecall`` in a pseudo-terminal quits at once, with `q` or Ctrl+C, while a
worker is stuck (issue 14: a FIFO in the cache, a credential_process that hangs).

A thread cannot be killed: Python's exit used to wait for it (the worker pool's
shutdown, then the interpreter's join of its threads), so the UI closed and the
process hung.  Here the root of the chain is a ``credential_process`` that sleeps
for ten minutes; the process must end within seconds of the key.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pytest

TIMEOUT = 60


def _spawn(home: Path) -> pexpect.spawn:
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    (aws / "config").write_text(
        "[profile stuck]\ncredential_process = sleep 600\n\n"
        "[profile via-stuck]\nrole_arn = arn:aws:iam::123456789012:role/R\n"
        "source_profile = stuck\n"
    )
    env = dict(os.environ, TERM="xterm-256color", AWS_ENDPOINT_URL_STS="http://127.0.0.1:9")
    return pexpect.spawn(
        sys.executable,
        ["-m", "rolecall"],
        env=env,
        cwd=str(home),
        dimensions=(24, 80),
        encoding="utf-8",
        codec_errors="replace",
        timeout=TIMEOUT,
    )


@pytest.mark.parametrize("key", ["q", "\x03"], ids=["q", "ctrl+c"])
def test_quits_while_a_worker_is_stuck(isolated_env: Path, key: str) -> None:
    child = _spawn(isolated_env)
    try:
        child.expect("via-stuck")
        child.send("G\r")  # assume via-stuck: its root's process never answers
        child.expect("assuming")
        time.sleep(0.5)  # (the worker is inside credential_process now)
        start = time.monotonic()
        child.send(key)
        child.expect(pexpect.EOF, timeout=20)
        took = time.monotonic() - start
    finally:
        child.close(force=True)
    assert took < 15, took
    assert child.exitstatus == 0, (child.exitstatus, child.signalstatus)
