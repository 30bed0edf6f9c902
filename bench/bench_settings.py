#!/usr/bin/env python3
"""Settings benchmark: ``load_settings`` on large and hostile files, against a baseline tree.

    python bench/bench_settings.py [--runs 5] [--baseline-src DIR]

Each run is a fresh process that times one ``load_settings(path)`` (the TUI
reads the settings on its event loop at start-up).  With ``--baseline-src``
(a ``src`` directory of another checkout, e.g. from ``git archive main src``)
the same runs are made with that tree on PYTHONPATH, interleaved with this
tree's, so both see the same machine load.  Prints a Markdown table of medians
and ratios; a run that raises shows the exception's name.

The files:

* 40,000 favourites (10,000 distinct names, each four times);
* 10,000 ``[profiles."NAME"]`` tables with a display name and a colour (0.9 MB);
* an array nested 5,000 deep.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """\
import sys, time
from rolecall.settings import load_settings
start = time.perf_counter()
try:
    loaded = load_settings(sys.argv[1])
except BaseException as exc:
    print("raised", type(exc).__name__)
else:
    print(time.perf_counter() - start, len(loaded.favorites), len(loaded.errors))
"""


def files(directory: Path) -> dict[str, Path]:
    favorites = [f'"profile-{i % 10000:05d}"' for i in range(40000)]
    tables = "".join(
        f'[profiles."profile-{i:05d}"]\ndisplay_name = "[prod] profile {i}"\ncolor = "red"\n\n'
        for i in range(10000)
    )
    texts = {
        "40,000 favourites (10,000 distinct)": "favorites = [" + ", ".join(favorites) + "]\n",
        "10,000 display names and colours": tables,
        "an array nested 5,000 deep": "favorites = " + "[" * 5000 + "]" * 5000 + "\n",
    }
    out = {}
    for i, (name, text) in enumerate(texts.items()):
        path = directory / f"settings-{i}.toml"
        path.write_text(text)
        out[name] = path
    return out


def run(src: Path, path: Path) -> tuple[float | None, str]:
    env = dict(os.environ, PYTHONPATH=str(src))
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    words = proc.stdout.split()
    if words[0] == "raised":
        return None, words[1]
    return float(words[0]), ""


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline-src", help="the src directory of the tree to compare with")
    args = ap.parse_args()
    trees = {"this tree": ROOT / "src"}
    if args.baseline_src:
        trees["baseline"] = Path(args.baseline_src)
    with tempfile.TemporaryDirectory(prefix="rolecall-bench-settings-") as tmp:
        cases = files(Path(tmp))
        times: dict[tuple[str, str], list[float]] = {}
        raised: dict[tuple[str, str], str] = {}
        for _ in range(args.runs):
            for case, path in cases.items():
                for tree, src in trees.items():  # interleaved: the same load for both
                    took, exc = run(src, path)
                    if took is None:
                        raised[(case, tree)] = exc
                    else:
                        times.setdefault((case, tree), []).append(took)
    head = "| file | " + " | ".join(f"{t} median s" for t in trees)
    print(head + (" | baseline / this tree |" if len(trees) > 1 else " |"))
    print("| --- |" + " ---: |" * (len(trees) + (len(trees) > 1)))
    for case in cases:
        cells = []
        medians = {}
        for tree in trees:
            if (case, tree) in raised:
                cells.append(f"raised {raised[(case, tree)]}")
            else:
                medians[tree] = statistics.median(times[(case, tree)])
                cells.append(f"{medians[tree]:.3f}")
        ratio = ""
        if len(trees) > 1:
            both = "this tree" in medians and "baseline" in medians
            ratio = f" {medians['baseline'] / medians['this tree']:.1f}x |" if both else " - |"
        print(f"| {case} | " + " | ".join(cells) + " |" + ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
