"""The layers of design.md section 1, checked in fresh interpreters.

* ``rolecall.core`` (every module) loads neither textual nor rich, and no boto3
  until an STS call is really made;
* ``rolecall.settings`` loads neither textual nor rich;
* ``rolecall.cli`` does not import textual (nor boto3) when it is imported, so
  ``rolecall list`` never pays for the UI;
* the TUI's pure modules (the assume queue, the lines, the rows, the form's
  checks) load no Textual.

Who imports whom, imports inside functions included, is checked statically by
import-linter (``lint-imports``, contracts in pyproject.toml).
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import rolecall.core
import rolecall.tui

#: every module of rolecall.core, subpackages included
CORE_MODULES = sorted(
    m.name for m in pkgutil.walk_packages(rolecall.core.__path__, "rolecall.core.")
)
#: the TUI's modules that hold no widget
PURE_TUI = ["discovered", "jobs", "lines", "model", "state", "switch_role_form", "watch"]
TUI_MODULES = sorted(m.name for m in pkgutil.walk_packages(rolecall.tui.__path__, "rolecall.tui."))


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


def test_modules_are_found() -> None:
    assert "rolecall.core.profiles" in CORE_MODULES
    assert any(m == "rolecall.core.sts" or m.startswith("rolecall.core.sts.") for m in CORE_MODULES)
    assert "rolecall.tui.screens.main" in TUI_MODULES
    assert {f"rolecall.tui.{m}" for m in PURE_TUI} <= set(TUI_MODULES)


@pytest.mark.parametrize("module", [f"rolecall.tui.{m}" for m in PURE_TUI])
def test_pure_tui_modules_load_no_textual(module: str) -> None:
    loaded = loaded_after(f"import {module}")
    assert not loaded & {"textual", "boto3", "botocore"}, f"{module} loads {loaded}"


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
