"""``read_regular``: files a neighbour could replace are read without waiting on them,
by the guard rules and the endpoint's config copy as by the settings."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from rolecall.core.guard import read_rules
from rolecall.core.regular_file import read_regular
from rolecall.core.serve.child_env import ConfigCopy

T = TypeVar("T")


def without_waiting(call: Callable[[], T], fifo: Path) -> T:
    """``call()`` (its value, or its exception raised again here), failing (after
    unblocking it) if it waits on ``fifo`` for 10 s."""
    got: list[T] = []
    raised: list[BaseException] = []

    def run() -> None:
        try:
            got.append(call())
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    if raised:
        raise raised[0]
    if not got:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # (the reader goes on)
        pytest.fail(f"waited on the FIFO {fifo}")
    return got[0]


def test_what_read_regular_reads(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    assert read_regular(str(path)) == b"0123456789"
    assert read_regular(str(path), limit=4) == b"01234"  # (one more: the caller sees it is larger)
    assert read_regular(str(path), limit=10) == b"0123456789"
    assert read_regular(str(tmp_path / "none")) is None
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(str(tmp_path))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        without_waiting(lambda: read_regular(str(fifo)), fifo)


def test_guard_rules_from_a_fifo_do_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "settings.toml"
    os.mkfifo(fifo)
    rules, errors = without_waiting(lambda: read_rules(str(fifo)), fifo)
    assert errors == ["cannot be read (not a regular file); no profile is guarded"]
    assert rules.patterns == ()


def test_the_endpoint_copy_of_a_fifo_config_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "config"
    os.mkfifo(fifo)
    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\n")
    environ = {"AWS_CONFIG_FILE": str(fifo), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)}
    copy = ConfigCopy(environ, "eu-west-1")
    try:
        path = without_waiting(copy.make, fifo)
        assert Path(path).read_text().count("[profile ") == 1  # (only the endpoint's own)
    finally:
        copy.remove()
