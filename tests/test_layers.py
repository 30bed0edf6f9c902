"""The layers of design.md section 1, checked in fresh interpreters.

* ``rolecall.core`` (every module) loads neither textual nor rich, and no boto3
  until an STS call is really made;
* ``rolecall.settings`` loads neither textual nor rich;
* ``rolecall.cli`` does not import textual (nor boto3) when it is imported, so
  ``rolecall list`` never pays for the UI.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import rolecall.core

CORE_MODULES = sorted(
    f"rolecall.core.{m.name}" for m in pkgutil.iter_modules(rolecall.core.__path__)
)


def loaded_after(code: str) -> set[str]:
    """The top-level packages in sys.modules after running ``code`` in a new interpreter."""
    probe = (
        code
        + "\nimport json, sys\n"
        + "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_core_modules_are_found() -> None:
    assert "rolecall.core.profiles" in CORE_MODULES
    assert "rolecall.core.sts" in CORE_MODULES


@pytest.mark.parametrize("module", ["rolecall.core", *CORE_MODULES])
def test_core_loads_no_ui_and_no_boto3(module: str) -> None:
    loaded = loaded_after(f"import {module}")
    assert not loaded & {"textual", "rich"}, f"{module} loads {loaded & {'textual', 'rich'}}"
    assert not loaded & {"boto3", "botocore"}, f"{module} loads boto3 at import time"


def test_all_of_core_together() -> None:
    loaded = loaded_after("\n".join(f"import {m}" for m in CORE_MODULES))
    assert not loaded & {"textual", "rich", "boto3", "botocore"}


def test_settings_load_no_ui() -> None:
    loaded = loaded_after("import rolecall.settings")
    assert not loaded & {"textual", "rich"}


def test_cli_does_not_import_textual() -> None:
    loaded = loaded_after("import rolecall.cli\nrolecall.cli.build_parser()")
    assert "textual" not in loaded
    assert "rich" not in loaded
    assert not loaded & {"boto3", "botocore"}


def test_tui_package_is_lazy() -> None:
    # importing the package (what cli.open_tui does first) costs nothing until run()
    loaded = loaded_after("import rolecall.tui")
    assert "textual" not in loaded
