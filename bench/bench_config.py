#!/usr/bin/env python3
"""Config-layer benchmark: rolecall against botocore, side by side, in one run.

    python bench/bench_config.py [--sizes 10,100,1000,10000] [--runs 21] [--shape mixed]
                                 [--baseline OLD/src]

1. In process: parsing both files and building the profile list
   (``rolecall.core.profiles.load_profiles``) against botocore reading the same
   two files (``botocore.configloader.load_config`` on the config plus
   ``raw_config_parse`` on the credentials, what ``Session.full_config`` does).
2. Whole processes: ``rolecall list --json`` against
   ``python -c "import boto3; boto3.Session().available_profiles"``.

The runs of the two sides are interleaved, so both see the same machine load.
Configs come from bench/gen_config.py.  Prints a Markdown table of medians and
ratios.  With ``--baseline DIR`` (an older ``src/``, e.g. from ``git archive``),
``rolecall list --json`` also runs with ``PYTHONPATH=DIR``, interleaved with the
others, and both rolecall sides run as ``python -m rolecall``, byte-compiled
(``bench/sides.py``).
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

from bench.gen_config import SHAPES, write_files  # noqa: E402
from bench.sides import environment, prepare  # noqa: E402


def rolecall_cmd() -> list[str]:
    script = Path(sys.executable).with_name("rolecall")
    if script.exists():
        return [str(script)]
    found = shutil.which("rolecall")
    return [found] if found else [sys.executable, "-m", "rolecall"]


def time_process(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,100,1000,10000")
    ap.add_argument("--runs", type=int, default=21, help="runs per side and size")
    ap.add_argument("--shape", choices=sorted(SHAPES), default="mixed")
    ap.add_argument("--baseline", help="an older src/ directory to compare with")
    args = ap.parse_args()

    import botocore.configloader as bc

    from rolecall.core.profiles import load_profiles

    sizes = [int(s) for s in args.sizes.split(",")]
    sides = prepare(args.baseline) if args.baseline else {}
    tmp = Path(tempfile.mkdtemp(prefix="rolecall-bench-"))
    rows_parse = []
    rows_proc = []
    rows_base = []
    try:
        for n in sizes:
            config, credentials = write_files(tmp / f"aws-{n}", args.shape, n)
            cfg, cred = str(config), str(credentials)
            ours, theirs = [], []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                ps = load_profiles(cfg, cred)
                t1 = time.perf_counter()
                bc.load_config(cfg)
                bc.raw_config_parse(cred)
                t2 = time.perf_counter()
                ours.append(t1 - t0)
                theirs.append(t2 - t1)
            assert len(ps) == n, (len(ps), n)
            rows_parse.append((n, statistics.median(ours), statistics.median(theirs)))

            env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
            env.update(HOME=str(tmp), AWS_CONFIG_FILE=cfg, AWS_SHARED_CREDENTIALS_FILE=cred)
            if args.baseline:
                base_env = environment(env, sides["baseline"])
                env = environment(env, sides["current"])
                ours_argv = [sys.executable, "-m", "rolecall", "list", "--json"]
            else:
                ours_argv = [*rolecall_cmd(), "list", "--json"]
            boto_argv = [
                sys.executable,
                "-c",
                "import boto3; boto3.Session().available_profiles",
            ]
            ours_p, theirs_p, base_p = [], [], []
            time_process(ours_argv, env)  # warm the page cache
            time_process(boto_argv, env)
            for _ in range(args.runs):
                ours_p.append(time_process(ours_argv, env))
                theirs_p.append(time_process(boto_argv, env))
                if args.baseline:
                    base_p.append(time_process(ours_argv, base_env))
            rows_proc.append((n, statistics.median(ours_p), statistics.median(theirs_p)))
            if base_p:
                rows_base.append((n, statistics.median(ours_p), statistics.median(base_p)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.2f}, {args.runs} runs per side, shape {args.shape}\n"
    )
    print("Parse both files and build the profile list (in process, median):\n")
    print("| profiles | rolecall | botocore | botocore / rolecall |")
    print("|---:|---:|---:|---:|")
    for n, a, b in rows_parse:
        print(f"| {n:,} | {a * 1000:.1f} ms | {b * 1000:.1f} ms | {b / a:.1f}x |")
    print(
        "\n`rolecall list --json` against `boto3.Session().available_profiles` (whole process):\n"
    )
    print("| profiles | rolecall list --json | boto3 listing | boto3 / rolecall |")
    print("|---:|---:|---:|---:|")
    for n, a, b in rows_proc:
        print(f"| {n:,} | {a * 1000:.0f} ms | {b * 1000:.0f} ms | {b / a:.1f}x |")
    if rows_base:
        print(f"\n`rolecall list --json` against the baseline ({args.baseline}):\n")
        print("| profiles | rolecall list --json | baseline | baseline / rolecall |")
        print("|---:|---:|---:|---:|")
        for n, a, b in rows_base:
            print(f"| {n:,} | {a * 1000:.0f} ms | {b * 1000:.0f} ms | {b / a:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
