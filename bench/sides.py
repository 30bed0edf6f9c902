"""The source trees a benchmark compares, each run as ``pip install`` leaves it.

A side is a name and a ``src/`` directory (this checkout's, or an older one
from ``git archive``).  Each is byte-compiled first and its processes run
without ``PYTHONDONTWRITEBYTECODE``: otherwise every run compiles the modules
it imports again, which costs time and memory that an installed rolecall never
spends (and costs more for a larger module, which skews a comparison).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["ROOT", "environment", "prepare"]


def prepare(baseline: str | None, more: list[str] | None = None) -> dict[str, str]:
    """``{"current": this src/, "baseline": baseline, NAME: SRC...}``, compiled.

    ``more`` holds ``NAME=SRC`` strings.
    """
    sides = {"current": str(ROOT / "src")}
    if baseline:
        sides["baseline"] = str(Path(baseline).resolve())
    for side in more or []:
        name, _, path = side.partition("=")
        sides[name] = str(Path(path).resolve())
    for path in sides.values():
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", path],
            check=True,
            env=environment(os.environ, path),
            stdout=subprocess.DEVNULL,
        )
    return sides


def environment(base: dict[str, str] | os._Environ[str], src: str) -> dict[str, str]:
    """``base`` with ``PYTHONPATH=src`` and bytecode caching on."""
    env = dict(base, PYTHONPATH=src)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env
