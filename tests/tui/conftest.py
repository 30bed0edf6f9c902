"""Fixtures for the TUI tests: a fixed sample config, a frozen clock and fake services."""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# a real STS: moto behind a counting proxy (tests/moto_fixtures.py)
from tests.moto_fixtures import StsProxy, moto_server, sts_proxy  # noqa: F401
from tests.tui.fakes import (
    DATA,
    FakeClock,
    FakeLauncher,
    FakeSts,
    sample_services,
)

# utc_tz: autouse, times on screen in UTC
from tests.tui.helpers import build_app, utc_tz  # noqa: F401

from rolecall.tui.app import RolecallApp


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (no pytest-asyncio needed)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


@pytest.fixture
def tui_sts(
    moto_server: str,  # noqa: F811
    sts_proxy: StsProxy,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[StsProxy]:
    """A clean moto (authentication off) behind the proxy, as AWS_ENDPOINT_URL_STS."""
    req = urllib.request.Request(f"{moto_server}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()
    sts_proxy.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts_proxy.url)
    yield sts_proxy
    sts_proxy.reset()


@pytest.fixture
def aws_files(tmp_path: Path) -> tuple[str, str]:
    config = tmp_path / "config"
    credentials = tmp_path / "credentials"
    shutil.copy(DATA / "config", config)
    shutil.copy(DATA / "credentials", credentials)
    return str(config), str(credentials)


@pytest.fixture
def settings_file(isolated_env: Path) -> str:
    path = Path(os.environ["ROLECALL_CONFIG_DIR"]) / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "settings.toml", path)
    return str(path)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake_sts(clock: FakeClock) -> FakeSts:
    return FakeSts(clock)


@pytest.fixture
def launcher() -> FakeLauncher:
    return FakeLauncher()


@pytest.fixture
def make_app(
    aws_files: tuple[str, str],
    settings_file: str,
    clock: FakeClock,
    fake_sts: FakeSts,
    launcher: FakeLauncher,
) -> Callable[..., RolecallApp]:
    def make(**overrides: Any) -> RolecallApp:
        services = sample_services(clock, fake_sts, launcher)
        for key, value in overrides.pop("services", {}).items():
            setattr(services, key, value)
        return build_app(aws_files, settings_file, services, **overrides)

    return make
