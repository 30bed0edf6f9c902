#!/usr/bin/env python3
"""Memory of ``rolecall list`` and ``rolecall list --json``: peak RSS per profile.

    python bench/bench_memory.py [--sizes 10000,120000] [--shapes flat,mixed] [--runs 3]
                                 [--baseline OLD/src] [--side NAME=SRC ...]

For each shape and size, a config comes from ``bench/gen_config.py``; each
command runs as its own process (``python -m rolecall``, byte-compiled: see
``bench/sides.py``; output to ``/dev/null``) and its peak resident set size is
read from the kernel when it exits (``os.wait4``: ``ru_maxrss`` of that one
child).  A small launcher process starts it: Linux carries a parent's peak over
fork and exec, and this benchmark's own process is larger than an empty
``rolecall list``.  The same command on an empty config and an empty
credentials file gives the process's own footprint (the interpreter and the
imports), measured in the same run.  The figure is

    (median peak RSS with N profiles - median peak RSS with none) / N

With ``--baseline DIR``, the same commands run a second time with
``PYTHONPATH=DIR`` (an older ``src/``, e.g. from ``git archive``), interleaved
with the current ones, so both see the same machine; ``--side NAME=DIR`` adds
more such trees (a patched copy...).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_config import write_files  # noqa: E402
from bench.sides import environment, prepare  # noqa: E402

COMMANDS = {"list": ["list"], "list --json": ["list", "--json"]}


#: Runs ``sys.argv[1:]`` and prints its exit code and peak RSS (KiB).
LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_rss_kib(argv: list[str], env: dict[str, str]) -> int:
    """Run ``argv`` and return its peak RSS in KiB (``ru_maxrss`` of that process)."""
    out = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCHER, *argv],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    code, kib = map(int, out.split())
    if code not in (0, 1):  # 1: the config has problems (still listed)
        raise SystemExit(f"{argv} exited {code}")
    return kib


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", default="10000,120000")
    ap.add_argument("--shapes", default="flat,mixed")
    ap.add_argument("--runs", type=int, default=3, help="runs per command, size and side")
    ap.add_argument("--baseline", help="an older src/ directory to compare with")
    ap.add_argument("--side", action="append", default=[], help="NAME=SRC: one more tree")
    args = ap.parse_args()

    sides = prepare(args.baseline, args.side)
    tmp = Path(tempfile.mkdtemp(prefix="rolecall-mem-"))
    try:
        empty = tmp / "empty"
        empty.mkdir()
        for name in ("config", "credentials"):
            (empty / name).write_bytes(b"")
        inputs = [("empty", 0, empty)]
        for shape in args.shapes.split(","):
            for n in (int(s) for s in args.sizes.split(",")):
                out = tmp / f"{shape}-{n}"
                write_files(out, shape, n)
                inputs.append((shape, n, out))
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
        base_env["HOME"] = str(tmp)
        peaks: dict[tuple[str, str, str, int], list[int]] = {}
        for _ in range(args.runs):
            for shape, n, where in inputs:
                for label, cmd in COMMANDS.items():
                    for side, path in sides.items():
                        env = environment(base_env, path)
                        argv = [sys.executable, "-m", "rolecall", *cmd]
                        argv += ["--config", str(where / "config")]
                        argv += ["--credentials", str(where / "credentials")]
                        peaks.setdefault((side, label, shape, n), []).append(
                            peak_rss_kib(argv, env)
                        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}, {args.runs} runs\n")
    print("| side | command | shape | profiles | peak RSS (median) | per profile |")
    print("|---|---|---|---:|---:|---:|")
    for side in sides:
        for label in COMMANDS:
            none = statistics.median(peaks[(side, label, "empty", 0)])
            print(f"| {side} | `{label}` | empty | 0 | {none / 1024:.1f} MiB | |")
            for shape, n, _ in inputs[1:]:
                peak = statistics.median(peaks[(side, label, shape, n)])
                per = (peak - none) * 1024 / n
                print(
                    f"| {side} | `{label}` | {shape} | {n:,} | {peak / 1024:.1f} MiB "
                    f"| {per:,.0f} B |"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
