#!/usr/bin/env python3
"""``rolecall list`` on one deep chain: time against depth (issue 13, section 2).

    python bench/bench_chains.py [--depths 500,1000,2000,4000,120000] [--runs 5]
                                 [--baseline OLD/src] [--baseline-depths 500,1000,2000]
                                 [--side NAME=SRC ...] [--json]

Each depth is a config from ``bench/gen_config.py --shape chain``: ``[default]``
with static keys and ``hop-i`` sourcing ``hop-(i-1)``, so the deepest profile's
chain holds every profile.  ``python -m rolecall list`` (``--json`` with
``--json``; its output grows with the square of the depth) runs as its own
process (byte-compiled, see ``bench/sides.py``), output to ``/dev/null``;
reported are the median wall time and the median CPU time (user + system, from
``os.wait4``), which a busy machine inflates less.  With ``--baseline DIR``
an older ``src/`` runs the depths in ``--baseline-depths`` too, interleaved
with the current one; ``--side NAME=SRC`` adds a tree that runs every depth.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_config import write_files  # noqa: E402
from bench.sides import environment, prepare  # noqa: E402


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``argv``."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--depths", default="500,1000,2000,4000,120000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline", help="an older src/ directory to compare with")
    ap.add_argument("--baseline-depths", default="500,1000,2000")
    ap.add_argument("--side", action="append", default=[], help="NAME=SRC: one more tree")
    ap.add_argument("--json", action="store_true", help="time `list --json` instead")
    args = ap.parse_args()

    depths = [int(d) for d in args.depths.split(",")]
    base_depths = {int(d) for d in args.baseline_depths.split(",")} if args.baseline else set()
    sides = prepare(args.baseline, args.side)
    tmp = Path(tempfile.mkdtemp(prefix="rolecall-chains-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    env["HOME"] = str(tmp)
    times: dict[tuple[str, int], list[tuple[float, float]]] = {}
    command = ["list", "--json"] if args.json else ["list"]
    try:
        for depth in sorted(set(depths) | base_depths):
            config, credentials = write_files(tmp / f"chain-{depth}", "chain", depth)
            argv = [sys.executable, "-m", "rolecall", *command]
            argv += ["--config", str(config), "--credentials", str(credentials)]
            for _ in range(args.runs):
                for side, path in sides.items():
                    if side != "baseline" and depth not in depths:
                        continue
                    if side == "baseline" and depth not in base_depths:
                        continue
                    times.setdefault((side, depth), []).append(run(argv, environment(env, path)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.2f}, {args.runs} runs, `rolecall {' '.join(command)}`\n"
    )
    print("| side | chain depth | wall (median) | CPU (median) |")
    print("|---|---:|---:|---:|")
    for (side, depth), got in sorted(times.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        wall = statistics.median(w for w, _ in got)
        cpu = statistics.median(c for _, c in got)
        print(f"| {side} | {depth:,} | {wall:.2f} s | {cpu:.2f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
