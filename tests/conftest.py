"""Every test runs with a temporary HOME and none of the machine's own AWS_* variables."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# moto_server, sts_proxy and sts_endpoint: a real STS endpoint (tests/moto_fixtures.py)
pytest_plugins = ["tests.moto_fixtures"]


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    for key in list(os.environ):
        if key.startswith(("AWS_", "ROLECALL_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("ROLECALL_CONFIG_DIR", str(home / ".config" / "rolecall"))
    monkeypatch.setenv("ROLECALL_CACHE_DIR", str(home / ".cache" / "rolecall"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield home
