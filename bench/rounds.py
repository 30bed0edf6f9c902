"""Rounds of contenders, run in turn so that the machine's noise hits them alike.

A contender is a function that runs once and returns its wall time in seconds;
:func:`children_cpu` lets it record the CPU time its child processes used.
"""

from __future__ import annotations

import resource
from collections.abc import Callable

__all__ = ["children_cpu", "interleave"]


def children_cpu() -> float:
    """User and system CPU seconds of every child process waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def interleave(runs: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Alternate the contenders so that machine noise hits them alike."""
    got: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(rounds):
        for name, fn in runs.items():
            got[name].append(fn())
    return got
