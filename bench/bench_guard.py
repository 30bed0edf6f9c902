"""Benchmark: what guarded profiles cost the cache hit of ``env`` and ``credential-process``.

Both commands now look for guard rules in rolecall's settings file before they
hand out credentials (issue 12 section 3).  A file that never says ``guard`` is
read but not parsed; one that does is parsed with ``tomllib``.  This runs, side
by side in the same rounds, the cache hit of a 3-hop profile:

* from a baseline source tree (``--baseline-src``, e.g. ``git archive main src``),
  with no settings file;
* from this tree with no settings file, with a settings file that has no guard
  (a theme, favourites, colours), and with one that guards other profiles.

Usage::

    git archive main src | tar -x -C /tmp/base
    python bench/bench_guard.py --baseline-src /tmp/base/src [--rounds 40] [--write]

Everything runs in a temporary HOME (moto on 127.0.0.1 fills the cache once).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.bench_sts import (  # noqa: E402
    CPU,
    PROGRAM,
    config_text,
    ms,
    once,
    p90,
    timed_runs,
)
from bench.rounds import interleave  # noqa: E402

HEADING = (
    "## Guarded profiles on the cache hit of `env` and `credential-process` (bench/bench_guard.py)"
)

NO_GUARD = """\
theme = "nord"
favorites = ["a", "c"]

[thresholds]
warn_seconds = 900

[profiles.c]
display_name = "[prod] c"
color = "bright_red"
"""
GUARD = 'guard = ["*prod*", "123456789012"]\nguard_credential_process = "allow"\n' + NO_GUARD


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-src", metavar="DIR", required=True)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    tmp = Path(tempfile.mkdtemp(prefix="rolecall-bench-guard-"))
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        import rolecall as rolecall_pkg

        src = str(Path(rolecall_pkg.__file__).resolve().parent.parent)
        for tree in (src, args.baseline_src):
            subprocess.run([sys.executable, "-m", "compileall", "-q", tree], env=env, check=True)
        home = tmp / "home"
        (home / ".aws").mkdir(parents=True)
        env.update(
            HOME=str(home),
            AWS_CONFIG_FILE=str(home / ".aws" / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
            AWS_ENDPOINT_URL_STS=f"http://{host}:{port}",
            AWS_EC2_METADATA_DISABLED="true",
            ROLECALL_CACHE_DIR=str(home / ".cache" / "rolecall"),
            ROLECALL_CONFIG_DIR=str(tmp / "no-settings"),
        )
        (home / ".aws" / "config").write_text(config_text(10))
        here = dict(env, PYTHONPATH=src)
        warm = subprocess.run(
            [sys.executable, "-c", PROGRAM, "assume", "c"], env=here, capture_output=True
        )
        if warm.returncode != 0:
            raise SystemExit(warm.stderr.decode())
        variants: dict[str, dict[str, str]] = {"no settings file": here}
        for label, text in (("settings, no guard", NO_GUARD), ("settings with guard", GUARD)):
            directory = tmp / label.replace(" ", "-").replace(",", "")
            directory.mkdir()
            (directory / "config.toml").write_text(text)
            variants[label] = dict(here, ROLECALL_CONFIG_DIR=str(directory))
        baseline = dict(env, PYTHONPATH=args.baseline_src)
        contenders = {}
        #: each contender's verb, to compare it with that verb's baseline
        verbs: dict[str, str] = {}
        load_before = os.getloadavg()
        for verb in ("env", "credential-process"):
            contenders[f"baseline: {verb} c"] = (
                [sys.executable, "-c", PROGRAM, verb, "c"],
                baseline,
            )
            verbs[f"baseline: {verb} c"] = verb
            for label, run_env in variants.items():
                contenders[f"{verb} c, {label}"] = (
                    [sys.executable, "-c", PROGRAM, verb, "c"],
                    run_env,
                )
                verbs[f"{verb} c, {label}"] = verb
        for argv, run_env in contenders.values():
            timed_runs(argv, run_env, 2)  # warm the OS caches, and check each works
        hits = interleave(
            {name: once(name, argv, run_env) for name, (argv, run_env) in contenders.items()},
            args.rounds,
        )
        load_after = os.getloadavg()
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    cpu = {name: statistics.median(values) for name, values in CPU.items()}
    med = {name: statistics.median(values) for name, values in hits.items()}
    lines = [
        HEADING,
        "",
        f"Run on {time.strftime('%Y-%m-%d')}: Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (the machine is shared: "
        "compare the figures of one run).",
        f"Command: `python bench/bench_guard.py {' '.join(sys.argv[1:])}` ({args.rounds} runs "
        "of each process, interleaved; every contender runs the console script's code with "
        "its tree on PYTHONPATH, byte-compiled).",
        "",
        "| command | median ms | p90 ms | median CPU ms | CPU / baseline |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, values in hits.items():
        base = cpu[f"baseline: {verbs[name]} c"]
        lines.append(
            f"| `{name}` | {ms(values)} | {p90(values)} | {cpu[name] * 1000:.1f} "
            f"| {cpu[name] / base:.2f}x |"
        )
    lines.append("")
    for verb in ("env", "credential-process"):
        base = med[f"baseline: {verb} c"]
        parts = [
            f"{label}: {(med[f'{verb} c, {label}'] - base) * 1000:+.1f} ms wall, "
            f"{(cpu[f'{verb} c, {label}'] - cpu[f'baseline: {verb} c']) * 1000:+.1f} ms CPU"
            for label in variants
        ]
        lines.append(f"- `{verb} c` against the baseline: " + "; ".join(parts))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        results = HERE / "RESULTS.md"
        current = results.read_text()
        if HEADING in current:
            start = current.index(HEADING)
            end = current.find("\n## ", start + 1)
            current = current[:start] + text + ("" if end < 0 else current[end:])
        else:
            current = current.rstrip("\n") + "\n\n" + text
        results.write_text(current)
    return 0


if __name__ == "__main__":
    sys.exit(main())
