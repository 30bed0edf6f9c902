"""Every test runs with a temporary HOME and none of the machine's own AWS_* variables.

``home`` is that HOME with ``~/.aws/config`` written from ``aws_config``. A test module
gives its config by overriding ``aws_config`` (and a test can parametrize it)::

    @pytest.fixture
    def aws_config(sts_endpoint: str) -> str:  # these tests also talk to moto's STS
        return CONFIG
"""

from __future__ import annotations

import compileall
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# moto_server, sts_proxy and sts_endpoint: a real STS endpoint (tests/moto_fixtures.py);
# expiring_sts: one whose sessions expire (tests/expiry_proxy.py)
pytest_plugins = ["tests.moto_fixtures", "tests.expiry_proxy"]


def pytest_configure(config: pytest.Config) -> None:
    """Compile rolecall's bytecode once, before any test starts ``python -m rolecall``.

    Hundreds of tests run rolecall as a whole process. Under PYTHONDONTWRITEBYTECODE (set
    on this machine, and in many CI images) no process writes the ``.pyc`` it compiles, so
    each one compiled every rolecall module it imports again: 40 % of the CPU of
    tests/hardening/test_bad_input.py's names and files (28.9 s -> 17.4 s). The bytecode is
    the same the interpreter would make (timestamp-checked, so an edited module is
    compiled again); only the controller compiles (xdist workers have ``workerinput``).
    """
    if hasattr(config, "workerinput"):
        return
    spec = importlib.util.find_spec("rolecall")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    # A fish started for the first time builds completions from the man pages in a
    # background job that keeps the terminal open for about 30 s after `exit`; a user's
    # fish has started before, and so has this one.
    (home / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True)
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


@pytest.fixture
def aws_config() -> str | None:
    """The text of the ``~/.aws/config`` that ``home`` writes; None: no file."""
    return None


@pytest.fixture
def home(isolated_env: Path, aws_config: str | None) -> Path:
    """The test's HOME (the one ``isolated_env`` made), with ``~/.aws/config`` holding
    ``aws_config``, mode 0600 as ``aws configure`` leaves it."""
    if aws_config is not None:
        config = isolated_env / ".aws" / "config"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(aws_config)
        config.chmod(0o600)
    return isolated_env
