"""Benchmark of the STS engine (issue 3, section 6), run side by side in one run.

1. ``rolecall env X`` on a cache hit, as a whole process, against a boto3
   one-liner that resolves the same role profile with the AWS CLI's file cache.
   Targets: median <= 80 ms, no boto3 import, >= 3x faster than the one-liner.
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

HEADING = "## STS engine: cache-hit `env` and 3-hop assume (bench/bench_sts.py)"
HERE = Path(__file__).resolve().parent

ONE_LINER = (
    "import os, boto3\n"
    "from botocore.utils import JSONFileCache\n"
    "s = boto3.Session(profile_name='c')\n"
    "p = s._session.get_component('credential_provider').get_provider('assume-role')\n"
    "p.cache = JSONFileCache(os.path.expanduser('~/.aws/cli/cache'))\n"
    "c = s.get_credentials().get_frozen_credentials()\n"
    "print('export AWS_ACCESS_KEY_ID=' + c.access_key)\n"
)


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


def interleave(runs: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Alternate the contenders so that machine noise hits them alike."""
    got: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(rounds):
        for name, fn in runs.items():
            got[name].append(fn())
    return got


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
        import rolecall as package

        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(Path(package.__file__).parent)],
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

        # -- 1. env on a cache hit -------------------------------------------
        script = Path(sys.executable).with_name("rolecall")
        rolecall = [str(script)] if script.exists() else [sys.executable, "-m", "rolecall"]
        warm = subprocess.run([*rolecall, "assume", "c"], env=env, capture_output=True)
        if warm.returncode != 0:
            raise SystemExit(warm.stderr.decode())
        check = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "rolecall", "env", "c"],
            env=env,
            capture_output=True,
            text=True,
        )
        modules = {line.split("|")[-1].strip() for line in check.stderr.splitlines()}
        boto_loaded = sorted(m for m in modules if m.split(".")[0] in ("boto3", "botocore"))
        one_liner = [sys.executable, "-c", ONE_LINER]
        timed_runs(one_liner, env, 2)  # warm the OS caches
        timed_runs([*rolecall, "env", "c"], env, 2)
        hits = interleave(
            {
                "rolecall env c": lambda: timed_runs([*rolecall, "env", "c"], env, 1)[0],
                "boto3 one-liner": lambda: timed_runs(one_liner, env, 1)[0],
                "python -c pass": lambda: timed_runs([sys.executable, "-c", "pass"], env, 1)[0],
            },
            args.rounds,
        )
        speedup = statistics.median(hits["boto3 one-liner"]) / statistics.median(
            hits["rolecall env c"]
        )

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

    target_env = statistics.median(hits["rolecall env c"]) <= 0.080
    lines = [
        HEADING,
        "",
        f"Run on {time.strftime('%Y-%m-%d')}: Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; moto on 127.0.0.1.",
        f"Command: `python bench/bench_sts.py --write` ({args.rounds} runs of each process, "
        f"{args.assumes} assumes of each config, interleaved). "
        f"`rolecall` is `{' '.join(Path(a).name for a in rolecall)}` (the console script), "
        "run with its bytecode compiled, as pip installs it (the benchmark unsets "
        "PYTHONDONTWRITEBYTECODE and runs compileall first).",
        "",
        "**`rolecall env c` on a cache hit (3-hop role profile), whole process**",
        "",
        "| command | median ms | p90 ms |",
        "| --- | ---: | ---: |",
    ]
    for name, values in hits.items():
        lines.append(f"| `{name}` | {ms(values)} | {p90(values)} |")
    lines += [
        "",
        f"- speed-up over the boto3 one-liner: **{speedup:.1f}x** (target >= 3x: "
        f"{'met' if speedup >= 3 else 'NOT met'})",
        f"- median {ms(hits['rolecall env c'])} ms (target <= 80 ms: "
        f"{'met' if target_env else 'NOT met'}); `python -c pass` alone takes "
        f"{ms(hits['python -c pass'])} ms here",
        f"- boto3/botocore imported by the cache hit: "
        f"{', '.join(boto_loaded[:3]) if boto_loaded else 'none'}",
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
    start = old.find(HEADING)
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + section
    else:
        end = old.find("\n## ", start + len(HEADING))
        rest = "" if end < 0 else old[end + 1 :]
        new = old[:start] + section + ("\n" + rest if rest else "")
    path.write_text(new.rstrip("\n") + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
