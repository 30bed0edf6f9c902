"""Every docstring example in rolecall runs, and holds.

``--doctest-modules`` would import ``rolecall/__main__.py``, which runs the
program, so the modules are listed here instead (every module of the package,
the UI's too: importing a module is cheap, and none of them starts anything
when imported).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import rolecall

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(rolecall.__path__, "rolecall.")
    if m.name != "rolecall.__main__"
)


def test_modules_are_found() -> None:
    assert "rolecall.core.sts.classify" in MODULES
    assert "rolecall.cli.output" in MODULES
    assert "rolecall.tui.model" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_the_examples_are_many() -> None:
    """A guard against a collection that silently finds nothing."""
    attempted = sum(
        doctest.testmod(importlib.import_module(name), report=False).attempted for name in MODULES
    )
    assert attempted >= 25
