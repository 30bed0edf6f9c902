"""Benchmark of SSO discovery (issue 11, section 3): ``rolecall sso roles``, cold and cached.

The local fake (``python -m rolecall.fakes.sso``, in its own process, as the
portal is) assigns 500 accounts x 3 roles and adds 20 ms to every call.  The
contenders run interleaved, in one run, beside their baselines:

1. **cold**: ``rolecall sso roles --refresh`` (the whole process: 5 pages of
   ``ListAccounts`` and 500 ``ListAccountRoles``, at most 8 in flight), beside
   the same fetch one request at a time (``max_in_flight=1``, what a plain
   boto3 paginator loop does).  Target: <= 3 s.
2. **cached**: ``rolecall sso roles`` served from the discovery cache (the whole
   process), beside ``rolecall list`` on the same config and ``python -c pass``.
   Target: <= 100 ms.

Usage::

    python bench/bench_sso.py            # print the results
    python bench/bench_sso.py --write    # and put them in bench/RESULTS.md

Everything runs in a temporary HOME; the machine's AWS files are not touched.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

HEADING = "## SSO discovery: `rolecall sso roles`, cold and cached (bench/bench_sso.py)"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.rounds import interleave  # noqa: E402

ACCOUNTS, ROLES, LATENCY = 500, 3, 0.020
SERIAL = "the same fetch, one request at a time (in process, boto3 loaded)"


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: contender -> the CPU time (user + system) of each of its processes
CPU: dict[str, list[float]] = {}


def timed(argv: Sequence[str], env: dict[str, str], name: str = "") -> float:
    """Wall time of one whole process; its CPU time goes to :data:`CPU` under ``name``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(name or " ".join(argv), []).append(cpu)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed: {proc.stderr.decode()[-400:]}")
    return elapsed


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f}"


def p90(values: list[float]) -> str:
    """The 90th percentile (nearest rank): the largest of fewer than ten values."""
    ordered = sorted(values)
    return f"{ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)] * 1000:.1f}"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--cold", type=int, default=7, help="cold runs of each (7)")
    parser.add_argument("--serial", type=int, default=2, help="one-at-a-time fetches (2)")
    parser.add_argument("--cached", type=int, default=21, help="cached runs of each (21)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="rolecall-bench-sso-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure rolecall as pip installs it
    fake = subprocess.Popen(
        [sys.executable, "-m", "rolecall.fakes.sso", "--accounts", str(ACCOUNTS)]
        + ["--roles", str(ROLES), "--latency", str(LATENCY)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    load_before = load_average()
    try:
        assert fake.stdout is not None
        info = json.loads(fake.stdout.readline())
        import rolecall as package

        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(Path(package.__file__).parent)],
            env=env,
            check=True,
        )
        home = tmp / "home"
        aws = home / ".aws"
        (aws / "sso" / "cache").mkdir(parents=True, mode=0o700)
        (aws / "config").write_text(
            "[sso-session bench]\n"
            "sso_start_url = https://d-bench.awsapps.com/start\n"
            "sso_region = eu-west-1\n\n"
            "[profile one]\nsso_session = bench\nsso_account_id = 100000000000\n"
            "sso_role_name = Role1\n"
        )
        from rolecall.core.cache import keys

        token = {
            "startUrl": "https://d-bench.awsapps.com/start",
            "region": "eu-west-1",
            "accessToken": info["accessToken"],
            "expiresAt": iso(info["expires"]),
            "clientId": info["clientId"],
            "clientSecret": info["clientSecret"],
            "registrationExpiresAt": iso(info["registrationExpires"]),
            "refreshToken": info["refreshToken"],
        }
        token_file = aws / "sso" / "cache" / (keys.sha1_hex(b"bench") + ".json")
        token_file.write_text(json.dumps(token))
        token_file.chmod(0o600)
        env.update(
            HOME=str(home),
            AWS_CONFIG_FILE=str(aws / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(aws / "credentials"),
            AWS_ENDPOINT_URL_SSO=info["endpoint"],
            AWS_ENDPOINT_URL_SSO_OIDC=info["endpoint"],
            AWS_EC2_METADATA_DISABLED="true",
            ROLECALL_CACHE_DIR=str(home / ".cache" / "rolecall"),
            ROLECALL_CONFIG_DIR=str(home / ".config" / "rolecall"),
        )
        os.environ.clear()
        os.environ.update(env)
        script = Path(sys.executable).with_name("rolecall")
        rolecall = [str(script)] if script.exists() else [sys.executable, "-m", "rolecall"]
        roles = [*rolecall, "sso", "roles"]

        # -- 1. cold -----------------------------------------------------------
        check = subprocess.run(
            [*roles, "--refresh", "--json"], env=env, capture_output=True, text=True, check=True
        )
        found = len(json.loads(check.stdout))
        assert found == ACCOUNTS * ROLES, found
        from rolecall.core.sso.discovery import fetch
        from rolecall.core.sso.session import SsoSession

        session = SsoSession("bench", "https://d-bench.awsapps.com/start", "eu-west-1")

        def serial() -> float:
            cpu = time.process_time()
            start = time.perf_counter()
            got = fetch(session, info["accessToken"], max_in_flight=1)
            elapsed = time.perf_counter() - start
            CPU.setdefault(SERIAL, []).append(time.process_time() - cpu)
            assert len(got) == ACCOUNTS * ROLES
            return elapsed

        cold = interleave(
            {
                "rolecall sso roles --refresh": lambda: timed(
                    [*roles, "--refresh"], env, "rolecall sso roles --refresh"
                )
            },
            args.cold,
        )
        cold.update(interleave({SERIAL: serial}, args.serial))

        # -- 2. cached ---------------------------------------------------------
        timed(roles, env)  # (the cache is there; warm the OS caches)
        check = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "rolecall", "sso", "roles"],
            env=env,
            capture_output=True,
            text=True,
        )
        modules = {line.split("|")[-1].strip() for line in check.stderr.splitlines()}
        boto_loaded = sorted(m for m in modules if m.split(".")[0] in ("boto3", "botocore"))
        cached = interleave(
            {
                "rolecall sso roles (cached)": lambda: timed(
                    roles, env, "rolecall sso roles (cached)"
                ),
                "rolecall list": lambda: timed([*rolecall, "list"], env, "rolecall list"),
                "python -c pass": lambda: timed(
                    [sys.executable, "-c", "pass"], env, "python -c pass"
                ),
            },
            args.cached,
        )
    finally:
        if fake.stdin is not None:
            fake.stdin.close()
        fake.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = load_average()

    cold_ms = statistics.median(cold["rolecall sso roles --refresh"])
    serial_ms = statistics.median(cold[SERIAL])
    hit = statistics.median(cached["rolecall sso roles (cached)"])
    lines = [
        HEADING,
        "",
        f"Run on {time.strftime('%Y-%m-%d')}: Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{load_before} before and {load_after} after (the machine is shared). The fake "
        f"portal runs in its own process: {ACCOUNTS} accounts x {ROLES} roles, "
        f"{LATENCY * 1000:.0f} ms added to every call.",
        f"Command: `python bench/bench_sso.py --write` ({args.cold} cold runs, "
        f"{args.serial} one-at-a-time fetches, {args.cached} cached runs of each, interleaved); "
        "rolecall byte-compiled as pip installs it.",
        "",
        "**Cold: every page fetched (`--refresh`)**",
        "",
        "| contender | median ms | p90 ms | median CPU ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, values in cold.items():
        cpu = ms(CPU[name])
        lines.append(f"| {name} | {ms(values)} | {p90(values)} | {cpu} |")
    lines += [
        "",
        f"- {serial_ms / cold_ms:.1f}x faster than one request at a time "
        f"(the 505 calls alone wait {505 * LATENCY:.1f} s in series)",
        f"- median {cold_ms * 1000:.0f} ms (target <= 3 s: {'met' if cold_ms <= 3 else 'NOT met'})",
        "",
        "**Cached: the discovery cache (1,500 roles) read by a whole process**",
        "",
        "| contender | median ms | p90 ms | median CPU ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, values in cached.items():
        lines.append(f"| `{name}` | {ms(values)} | {p90(values)} | {ms(CPU[name])} |")
    floor = statistics.median(cached["python -c pass"])
    lines += [
        "",
        f"- median {hit * 1000:.1f} ms (target <= 100 ms: {'met' if hit <= 0.1 else 'NOT met'}); "
        f"{(hit - floor) * 1000:.1f} ms above `python -c pass`, "
        f"{hit / statistics.median(cached['rolecall list']):.2f}x `rolecall list`",
        f"- boto3/botocore imported on a cache hit: {', '.join(boto_loaded[:3]) or 'none'}",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        results = HERE / "RESULTS.md"
        old = results.read_text()
        pattern = re.compile(re.escape(HEADING) + r".*?(?=\n## |\Z)", re.S)
        new = (
            pattern.sub(text.rstrip("\n") + "\n", old)
            if HEADING in old
            else old.rstrip("\n") + "\n\n" + text
        )
        results.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
