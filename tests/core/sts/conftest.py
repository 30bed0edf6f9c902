"""Fixtures of the STS engine tests (``helpers.py`` holds the config and helpers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.core.sts.helpers import CONFIG
from tests.moto_fixtures import write_aws_files

from rolecall.core.sts import calls


@pytest.fixture
def chain_home(isolated_env: Path, sts_endpoint: str) -> Path:
    """The test's HOME with :data:`~tests.core.sts.helpers.CONFIG`, STS pointed at moto."""
    write_aws_files(isolated_env, CONFIG)
    return isolated_env


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without the real backoff (the module that reads the delay is patched)."""
    monkeypatch.setattr(calls, "RETRY_BASE_DELAY", 0.01)
