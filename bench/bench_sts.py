"""Benchmark of the STS engine (issue 3 section 6, issue 13 section 2), run side by side.

1. ``rolecall env X`` and ``rolecall credential-process X`` on a cache hit, as
   whole processes, against a boto3 one-liner that resolves the same role
   profile with the AWS CLI's file cache, and against ``python -c pass`` and
   ``python -S -c pass`` (the interpreter's own start, with and without
   ``site``).  Both commands also run under ``python -S`` (rolecall's directory
   on PYTHONPATH), which shows rolecall's own cost without whatever ``site``
   and ``.pth`` files cost on the machine.  Targets (issue 13): median <= 20 ms
   and >= 5x faster than the one-liner, for both commands; no boto3 import.
   ``--baseline-src DIR`` adds the same two commands run from another source
   tree (``git archive main src | tar -x -C /tmp/main``), in the same rounds.
2. A 3-hop assume against a local moto server, in a 10-profile and in a
   10,000-profile config.  Target: the 10,000 figure within 1.2x of the 10.

Usage::

    python bench/bench_sts.py            # print the results
    python bench/bench_sts.py --write    # and put them in bench/RESULTS.md

Everything runs in a temporary HOME; the machine's AWS files are not touched.
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
from collections.abc import Callable, Sequence
from pathlib import Path

HEADING = (
    "## STS engine: cache-hit `env` and `credential-process`, 3-hop assume (bench/bench_sts.py)"
)
OLD_HEADINGS = ("## STS engine: cache-hit `env` and 3-hop assume (bench/bench_sts.py)",)
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.rounds import children_cpu, interleave  # noqa: E402

BOTO = ("boto3", "botocore")

ONE_LINER = (
    "import os, boto3\n"
    "from botocore.utils import JSONFileCache\n"
    "s = boto3.Session(profile_name='c')\n"
    "p = s._session.get_component('credential_provider').get_provider('assume-role')\n"
    "p.cache = JSONFileCache(os.path.expanduser('~/.aws/cli/cache'))\n"
    "c = s.get_credentials().get_frozen_credentials()\n"
    "print('export AWS_ACCESS_KEY_ID=' + c.access_key)\n"
)
#: The console script's own code, for the runs that cannot use the script (-S, a baseline).
PROGRAM = "import sys; sys.argv[0] = 'rolecall'; from rolecall.cli import entry; entry()"
#: The console script imports re itself (pip's template), and a hit reads its JSON and
#: dates without json and datetime (core.fast_json, _datetime): the floor under a cache
#: hit, on this interpreter.  (``import re, json, datetime`` was the floor before.)
FLOOR = "import re"
#: The cache-hit commands, by name.
HIT_COMMANDS = {"env c": ["env", "c"], "credential-process c": ["credential-process", "c"]}


def config_text(total: int) -> str:
    parts = [
        "[profile base]\n"
        "aws_access_key_id = AKIABENCHMARK0000001\n"
        "aws_secret_access_key = benchSECRET/0000000000000000000000000000\n\n"
        "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = base\n\n"
        "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = a\n\n"
        "[profile c]\nrole_arn = arn:aws:iam::333333333333:role/C\nsource_profile = b\n"
        "region = eu-west-1\n\n"
    ]
    for i in range(total - 4):
        parts.append(
            f"[profile filler-{i:05d}]\n"
            f"role_arn = arn:aws:iam::{100000000000 + i}:role/Filler{i}\n"
            "source_profile = base\nregion = us-west-2\n\n"
        )
    return "".join(parts)


def timed_runs(argv: Sequence[str], env: dict[str, str], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, capture_output=True, stdin=subprocess.DEVNULL)
        out.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{argv} failed: {proc.stderr.decode()[-400:]}")
    return out


#: CPU seconds (user + system) of each run of :func:`once`, by contender: on a shared
#: machine, wall time includes waiting for a CPU; CPU time much less so.
CPU: dict[str, list[float]] = {}


def once(name: str, argv: Sequence[str], env: dict[str, str]) -> Callable[[], float]:
    """One timed run of ``argv``, as a contender of :func:`interleave`; its CPU time
    goes to :data:`CPU`."""

    def run() -> float:
        before = children_cpu()
        wall = timed_runs(argv, env, 1)[0]
        CPU.setdefault(name, []).append(children_cpu() - before)
        return wall

    return run


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f}"


def p90(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{ordered[int(0.9 * (len(ordered) - 1))] * 1000:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--rounds", type=int, default=30, help="runs of each process (30)")
    parser.add_argument("--assumes", type=int, default=20, help="3-hop assumes of each (20)")
    parser.add_argument(
        "--baseline-src",
        metavar="DIR",
        help="a src/ directory of another rolecall, run side by side on the cache hit",
    )
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    tmp = Path(tempfile.mkdtemp(prefix="rolecall-bench-"))
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
        # Measure rolecall as installed: with its bytecode compiled (pip does that),
        # not recompiled on every start because PYTHONDONTWRITEBYTECODE is set.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        import rolecall as rolecall_pkg

        load_before = os.getloadavg()
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(Path(rolecall_pkg.__file__).parent)],
            env=env,
            check=True,
        )
        home = tmp / "home"
        (home / ".aws").mkdir(parents=True)
        env.update(
            HOME=str(home),
            AWS_CONFIG_FILE=str(home / ".aws" / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
            AWS_ENDPOINT_URL_STS=f"http://{host}:{port}",
            AWS_EC2_METADATA_DISABLED="true",
            ROLECALL_CACHE_DIR=str(home / ".cache" / "rolecall"),
            ROLECALL_CONFIG_DIR=str(home / ".config" / "rolecall"),
        )
        os.environ.clear()
        os.environ.update(env)
        small = home / ".aws" / "config"
        small.write_text(config_text(10))
        large = tmp / "config-10000"
        large.write_text(config_text(10_000))

        # -- 1. env and credential-process on a cache hit -------------------
        script = Path(sys.executable).with_name("rolecall")
        rolecall = [str(script)] if script.exists() else [sys.executable, "-m", "rolecall"]
        warm = subprocess.run([*rolecall, "assume", "c"], env=env, capture_output=True)
        if warm.returncode != 0:
            raise SystemExit(warm.stderr.decode())
        boto_loaded: dict[str, list[str]] = {}
        for name, words in HIT_COMMANDS.items():
            check = subprocess.run(
                [sys.executable, "-X", "importtime", "-m", "rolecall", *words],
                env=env,
                capture_output=True,
                text=True,
            )
            modules = {line.split("|")[-1].strip() for line in check.stderr.splitlines()}
            boto_loaded[name] = sorted(m for m in modules if m.split(".")[0] in BOTO)
        src_dir = str(Path(rolecall_pkg.__file__).resolve().parent.parent)
        no_site = dict(env, PYTHONPATH=src_dir)
        contenders: dict[str, tuple[list[str], dict[str, str]]] = {}
        for name, words in HIT_COMMANDS.items():
            contenders[f"rolecall {name}"] = ([*rolecall, *words], env)
        for name, words in HIT_COMMANDS.items():
            contenders[f"python -S: rolecall {name}"] = (
                [sys.executable, "-S", "-c", PROGRAM, *words],
                no_site,
            )
        if args.baseline_src:
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", args.baseline_src], env=env, check=True
            )
            baseline = dict(env, PYTHONPATH=args.baseline_src)
            for name, words in HIT_COMMANDS.items():
                contenders[f"baseline: rolecall {name}"] = (
                    [sys.executable, "-c", PROGRAM, *words],
                    baseline,
                )
                # this tree run the same way, so that the ratio compares the trees only
                contenders[f"this tree: rolecall {name}"] = (
                    [sys.executable, "-c", PROGRAM, *words],
                    dict(env, PYTHONPATH=src_dir),
                )
        contenders["boto3 one-liner"] = ([sys.executable, "-c", ONE_LINER], env)
        contenders["python -c pass"] = ([sys.executable, "-c", "pass"], env)
        contenders[f"python -c '{FLOOR}'"] = ([sys.executable, "-c", FLOOR], env)
        contenders["python -S -c pass"] = ([sys.executable, "-S", "-c", "pass"], env)
        for argv, run_env in contenders.values():
            timed_runs(argv, run_env, 2)  # warm the OS caches (and check each one works)
        hits = interleave(
            {name: once(name, argv, run_env) for name, (argv, run_env) in contenders.items()},
            args.rounds,
        )
        load_after = os.getloadavg()

        # -- 2. a 3-hop assume, 10 vs 10,000 profiles ------------------------
        from rolecall.core import sts
        from rolecall.core.profiles import load_profiles

        small_set = load_profiles(str(small))
        large_set = load_profiles(str(large))

        def one(profiles: object) -> Callable[[], float]:
            def run() -> float:
                start = time.perf_counter()
                result = sts.assume(profiles, "c", use_cache=False)  # type: ignore[arg-type]
                elapsed = time.perf_counter() - start
                assert result.account_id == "333333333333"
                return elapsed

            return run

        for _ in range(3):  # warm boto3's model loading and the server
            one(small_set)()
            one(large_set)()
        assumes = interleave(
            {"10 profiles": one(small_set), "10,000 profiles": one(large_set)}, args.assumes
        )
        ratio = statistics.median(assumes["10,000 profiles"]) / statistics.median(
            assumes["10 profiles"]
        )

        # what botocore costs with the same 10,000-profile config, for reference
        import boto3

        def botocore_session() -> float:
            start = time.perf_counter()
            boto3.Session(profile_name="c")._session.full_config  # noqa: B018
            return time.perf_counter() - start

        parse_small = []
        parse_large = []
        for _ in range(5):
            os.environ["AWS_CONFIG_FILE"] = str(small)
            parse_small.append(botocore_session())
            os.environ["AWS_CONFIG_FILE"] = str(large)
            parse_large.append(botocore_session())
        os.environ["AWS_CONFIG_FILE"] = str(small)
        process = interleave(
            {
                "10 profiles": lambda: timed_runs([*rolecall, "assume", "c", "--no-cache"], env, 1)[
                    0
                ],
                "10,000 profiles": lambda: timed_runs(
                    [*rolecall, "--config", str(large), "assume", "c", "--no-cache"], env, 1
                )[0],
            },
            max(5, args.assumes // 2),
        )
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    med = {name: statistics.median(values) for name, values in hits.items()}
    lines = [
        HEADING,
        "",
        f"Run on {time.strftime('%Y-%m-%d')}: Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; moto on 127.0.0.1; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after the cache-hit "
        "rounds (the machine is shared: compare figures of one run).",
        f"Command: `{' '.join(['python bench/bench_sts.py', *sys.argv[1:]])}` "
        f"({args.rounds} runs of each process, "
        f"{args.assumes} assumes of each config, interleaved). "
        f"`rolecall` is `{' '.join(Path(a).name for a in rolecall)}` (the console script), "
        "run with its bytecode compiled, as pip installs it (the benchmark unsets "
        "PYTHONDONTWRITEBYTECODE and runs compileall first). `python -S: rolecall ...` runs "
        "the console script's code under `python -S` with rolecall's directory on PYTHONPATH: "
        "rolecall's own cost, without what `site` and the `.pth` files cost here.",
        "",
        "**`rolecall env c` and `rolecall credential-process c` on a cache hit "
        "(3-hop role profile), whole process**",
        "",
        "| command | median ms | p90 ms | the one-liner / this | median CPU ms "
        "| the one-liner / this, CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    one_liner = med["boto3 one-liner"]
    cpu = {name: statistics.median(values) for name, values in CPU.items()}
    for name, values in hits.items():
        lines.append(
            f"| `{name}` | {ms(values)} | {p90(values)} | {one_liner / med[name]:.1f}x "
            f"| {cpu[name] * 1000:.1f} | {cpu['boto3 one-liner'] / cpu[name]:.1f}x |"
        )
    lines.append("")
    for name in HIT_COMMANDS:
        value = med[f"rolecall {name}"]
        speedup = one_liner / value
        lines.append(
            f"- `rolecall {name}`: {value * 1000:.1f} ms (target <= 20 ms: "
            f"{'met' if value <= 0.020 else 'NOT met'}), **{speedup:.1f}x** the one-liner "
            f"(target >= 5x: {'met' if speedup >= 5 else 'NOT met'}); "
            f"{(value - med['python -c pass']) * 1000:.1f} ms more than `python -c pass`, "
            f"{(med[f'python -S: rolecall {name}'] - med['python -S -c pass']) * 1000:.1f} ms "
            "more than `python -S -c pass` under -S; in CPU time "
            f"{cpu[f'rolecall {name}'] * 1000:.1f} ms, "
            f"{(cpu[f'rolecall {name}'] - cpu['python -c pass']) * 1000:.1f} ms more than "
            "`python -c pass`; boto3/botocore imported: "
            f"{', '.join(boto_loaded[name][:3]) if boto_loaded[name] else 'none'}"
        )
        if f"baseline: rolecall {name}" in med:
            base, this = f"baseline: rolecall {name}", f"this tree: rolecall {name}"
            lines.append(
                f"  - against the baseline tree, both run as `python -c` with the tree on "
                f"PYTHONPATH: {med[base] / med[this]:.2f}x faster "
                f"({cpu[base] / cpu[this]:.2f}x in CPU time); over `python -c pass`: "
                f"{(med[this] - med['python -c pass']) * 1000:.1f} ms, against "
                f"{(med[base] - med['python -c pass']) * 1000:.1f} ms for the baseline"
            )
    floor = f"python -c '{FLOOR}'"
    lines += [
        f"- the floor, `{floor}` (the console script imports re; a hit reads its JSON and "
        f"dates without json and datetime): {ms(hits[floor])} ms ({cpu[floor] * 1000:.1f} ms CPU); "
        f"`rolecall env c` is {(med['rolecall env c'] - med[floor]) * 1000:.1f} ms above it",
        f"- the interpreter alone: `python -c pass` {ms(hits['python -c pass'])} ms "
        f"({cpu['python -c pass'] * 1000:.1f} ms CPU), `python -S -c pass` "
        f"{ms(hits['python -S -c pass'])} ms ({cpu['python -S -c pass'] * 1000:.1f} ms CPU)",
        "",
        "**A 3-hop assume (`sts.assume(profiles, 'c', use_cache=False)`, 3 AssumeRole calls)**",
        "",
        "| config | median ms | p90 ms |",
        "| --- | ---: | ---: |",
    ]
    for name, values in assumes.items():
        lines.append(f"| {name} | {ms(values)} | {p90(values)} |")
    lines += [
        "",
        f"- 10,000 / 10: **{ratio:.2f}x** (target <= 1.2x: {'met' if ratio <= 1.2 else 'NOT met'})",
        f"- for reference, one botocore Session reading the same config: "
        f"{ms(parse_small)} ms (10 profiles) vs {ms(parse_large)} ms (10,000); rolecall never "
        "lets botocore read it",
        f"- the whole `rolecall assume c --no-cache` process, which also parses the config "
        f"with rolecall's own parser and imports boto3: {ms(process['10 profiles'])} ms (10) "
        f"vs {ms(process['10,000 profiles'])} ms (10,000)",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(HERE / "RESULTS.md", text)
    return 0


def write_section(path: Path, section: str) -> None:
    """Replace this benchmark's section of RESULTS.md (or append it); keep the rest."""
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    start = -1
    for heading in (HEADING, *OLD_HEADINGS):
        start = old.find(heading)
        if start >= 0:
            break
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + section
    else:
        end = old.find("\n## ", start + 3)
        rest = "" if end < 0 else old[end + 1 :]
        new = old[:start] + section + ("\n" + rest if rest else "")
    path.write_text(new.rstrip("\n") + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
