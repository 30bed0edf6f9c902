#!/usr/bin/env python3
"""TUI benchmarks (issue 4, section 9): first frame, CPU while ticking, event-loop stalls.

    python bench/bench_tui.py first-frame [--profiles 1000,10000] [--runs 9]
    python bench/bench_tui.py tick-cpu    [--live 1000,10000] [--seconds 20]
    python bench/bench_tui.py stall       [--assumes 20] [--runs 5]
    python bench/bench_tui.py all

* **first-frame**: ``rolecall --config C --credentials K`` is spawned in a
  140x40 pseudo-terminal, with rolecall byte-compiled as pip installs it; the
  clock runs from just before the spawn until the table (its ``Expires``
  header and its first rows) reaches the terminal.  The
  child's CPU time at that moment (``/proc/PID/stat``) is reported too: it is
  what the wall time would be on an idle machine.  Configs come from
  ../shared/tools/gen_config.py.
* **tick-cpu**: the same, with a CLI cache (``~/.aws/cli/cache``) and SSO tokens
  holding live credentials for every role and SSO profile, so that N rows count
  down; after the first cache read and a few seconds of settling, the child's
  CPU time is sampled over ``--seconds`` while the pty output is drained.
* **stall**: the app runs headless in this process (``App.run_test``) against a
  moto server in another process (as a real STS is); 20 profiles are assumed at
  once, and a 5 ms ``call_later`` chain records how late the event loop runs it.
  Reported: the maximum and the 99th percentile lateness while the assumes run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GEN = ROOT.parent / "shared" / "tools" / "gen_config.py"
SIZE = (40, 140)  # rows, columns
TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def gen_config(n: int, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "config").exists():
        subprocess.run(
            [sys.executable, str(GEN), "--profiles", str(n), "--out", str(out)],
            check=True,
            capture_output=True,
        )
    return out / "config", out / "credentials"


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as pip installs it: with bytecode
    env.update(
        HOME=str(home),
        ROLECALL_CONFIG_DIR=str(home / ".config" / "rolecall"),
        ROLECALL_CACHE_DIR=str(home / ".cache" / "rolecall"),
        TERM="xterm-256color",
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def spawn(config: Path, credentials: Path, env: dict[str, str]) -> Any:
    import pexpect

    return pexpect.spawn(
        sys.executable,
        ["-m", "rolecall", "--config", str(config), "--credentials", str(credentials)],
        env=env,
        dimensions=SIZE,
        encoding="utf-8",
        codec_errors="replace",
        timeout=30,
    )


def quit_child(child: Any) -> None:
    import pexpect

    child.send("q")
    try:
        child.expect(pexpect.EOF, timeout=10)
    except pexpect.TIMEOUT:
        child.terminate(force=True)


def fmt(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    return f"{statistics.median(values) * scale:.3f} {unit}"


# ---------------------------------------------------------------------------
# first frame
# ---------------------------------------------------------------------------
def compile_bytecode() -> None:
    """Byte-compile rolecall, as ``pip install`` does (the editable tree may have none)."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "rolecall")],
        check=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )


def first_frame(sizes: list[int], runs: int, work: Path) -> list[dict[str, Any]]:
    compile_bytecode()
    out = []
    for n in sizes:
        config, credentials = gen_config(n, work / f"aws-{n}")
        walls: list[float] = []
        cpus: list[float] = []
        for _ in range(runs):
            home = Path(tempfile.mkdtemp(dir=work))
            env = clean_env(home)
            start = time.perf_counter()
            child = spawn(config, credentials, env)
            child.expect("Expires")
            walls.append(time.perf_counter() - start)
            cpus.append(cpu_seconds(child.pid))
            quit_child(child)
            shutil.rmtree(home, ignore_errors=True)
        row = {
            "profiles": n,
            "wall_median": statistics.median(walls),
            "cpu_median": statistics.median(cpus),
            "walls": walls,
        }
        print(
            f"first frame, {n:>6} profiles: wall {fmt(walls)} (min {min(walls):.3f}), "
            f"child CPU {fmt(cpus)}",
            flush=True,
        )
        out.append(row)
    return out


# ---------------------------------------------------------------------------
# CPU while ticking
# ---------------------------------------------------------------------------
def populate_cache(config: Path, credentials: Path, home: Path) -> int:
    """Live credentials for every role and SSO profile; returns how many rows count down."""
    os.environ["HOME"] = str(home)  # the cache module reads ~ when called
    os.environ["ROLECALL_CACHE_DIR"] = str(home / ".cache" / "rolecall")
    from rolecall.core import cache
    from rolecall.core.profiles import load_profiles

    profiles = load_profiles(str(config), str(credentials))
    now = datetime.now(UTC)
    for i, prof in enumerate(profiles):
        expires = now + timedelta(hours=1, seconds=37 * i % 36000)
        stamp = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        if prof.kind == "assume-role" and not prof.problems:
            key = cache.cache_key_for(prof)
            if key is None:
                continue
            cache.write_entry(
                key,
                {
                    "Credentials": {
                        "AccessKeyId": f"ASIABENCH{i:011d}",
                        "SecretAccessKey": "s" * 40,
                        "SessionToken": "t" * 200,
                        "Expiration": stamp,
                    },
                    "AssumedRoleUser": {
                        "Arn": f"arn:aws:sts::{prof.account_id}:assumed-role/{prof.role_name}/b"
                    },
                },
            )
        elif prof.kind == "sso":
            path = cache.sso_token_path(prof.values)
            if path is None:
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                json.dump({"accessToken": "x", "expiresAt": stamp}, fh)
    return len(cache.expiries(profiles))


def live_fraction(work: Path) -> float:
    config, credentials = gen_config(1000, work / "aws-1000")
    home = Path(tempfile.mkdtemp(dir=work))
    try:
        return populate_cache(config, credentials, home) / 1000
    finally:
        shutil.rmtree(home, ignore_errors=True)


def drain(child: Any, seconds: float) -> None:
    import pexpect

    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            child.read_nonblocking(65536, timeout=min(0.5, left))
        except pexpect.TIMEOUT:
            pass


def tick_cpu(lives: list[int], seconds: float, work: Path) -> list[dict[str, Any]]:
    fraction = live_fraction(work)
    out = []
    for live in lives:
        n = int(live / fraction) + 10
        config, credentials = gen_config(n, work / f"aws-{n}")
        home = Path(tempfile.mkdtemp(dir=work))
        saved = dict(os.environ)
        try:
            rows = populate_cache(config, credentials, home)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        child = spawn(config, credentials, clean_env(home))
        child.expect("Expires")
        child.expect(r"\d+:\d\d:\d\d", timeout=60)  # the first cache read is in
        drain(child, 3.0)
        before = cpu_seconds(child.pid)
        start = time.monotonic()
        drain(child, seconds)
        used = cpu_seconds(child.pid) - before
        elapsed = time.monotonic() - start
        percent = 100 * used / elapsed
        alive = child.isalive()
        quit_child(child)
        shutil.rmtree(home, ignore_errors=True)
        if not alive:
            raise SystemExit(f"rolecall exited during the tick benchmark ({n} profiles)")
        print(
            f"tick CPU, {n:>6} profiles ({rows} live rows): {percent:.2f}% of one core "
            f"over {elapsed:.0f} s",
            flush=True,
        )
        out.append({"profiles": n, "live_rows": rows, "cpu_percent": percent})
    return out


# ---------------------------------------------------------------------------
# event-loop stalls during 20 assumes
# ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    code = (
        "from moto.server import ThreadedMotoServer\n"
        f"s = ThreadedMotoServer(ip_address='127.0.0.1', port={port}, verbose=False)\n"
        "s.start()\nimport time\nwhile True: time.sleep(3600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto server did not start")


def stall_config(directory: Path, count: int) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["[default]", "region = us-east-1", ""]
    for i in range(count):
        lines += [
            f"[profile role-{i:02d}]",
            f"role_arn = arn:aws:iam::{100000000000 + i}:role/Bench{i:02d}",
            "source_profile = default",
            "",
        ]
    (directory / "config").write_text("\n".join(lines))
    (directory / "credentials").write_text(
        "[default]\naws_access_key_id = AKIABENCH0000000000\n"
        "aws_secret_access_key = " + "k" * 40 + "\n"
    )
    return directory / "config", directory / "credentials"


async def _stall_once(config: Path, credentials: Path, count: int) -> dict[str, float]:
    from rolecall.settings import Settings
    from rolecall.tui.app import RolecallApp
    from rolecall.tui.services import Services

    settings = Settings(path=str(config.parent / "settings.toml"))
    settings.notify_assume = False
    gc.disable()  # as rolecall.tui.run() does; the app re-enables it after the first frame
    app = RolecallApp(
        str(config),
        str(credentials),
        services=Services(launcher=lambda *a: 0),
        settings=settings,
        tune_gc=True,
    )
    loop = asyncio.get_running_loop()
    samples: list[float] = []
    interval = 0.005
    running = True

    def probe(expected: float) -> None:
        now = loop.time()
        samples.append(now - expected)
        if running:
            loop.call_at(now + interval, probe, now + interval)

    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        # start-up: the first cache read and the boto3 warm-up (both workers)
        deadline = loop.time() + 30
        while loop.time() < deadline and not any(w.group == "warm" for w in app.workers):
            await asyncio.sleep(0.02)
        await app.workers.wait_for_complete()
        await asyncio.sleep(0.2)
        names = [f"role-{i:02d}" for i in range(count)]
        start = loop.time()
        loop.call_at(start + interval, probe, start + interval)
        for name in names:
            app.request(name, "reassume")
        while app._jobs:
            await asyncio.sleep(0.01)
        elapsed = loop.time() - start
        running = False
        await pilot.pause()
        failures = [line for line in app.main.status.lines_text if "failed" in line.lower()]
    if failures:
        raise SystemExit("assumes failed: " + "; ".join(failures[:3]))
    samples.sort()
    return {
        "max_ms": samples[-1] * 1000,
        "p99_ms": samples[int(len(samples) * 0.99)] * 1000,
        "elapsed_s": elapsed,
    }


def stall(count: int, runs: int, work: Path) -> dict[str, Any]:
    proc, url = start_moto()
    home = Path(tempfile.mkdtemp(dir=work))
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(clean_env(home))
        os.environ["AWS_ENDPOINT_URL_STS"] = url
        config, credentials = stall_config(home / "aws", count)
        results = []
        for _ in range(runs):
            result = asyncio.run(_stall_once(config, credentials, count))
            results.append(result)
            print(
                f"stall, {count} assumes at once: max lateness {result['max_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms, all done in {result['elapsed_s']:.2f} s",
                flush=True,
            )
    finally:
        os.environ.clear()
        os.environ.update(saved)
        proc.kill()
        proc.wait()
        shutil.rmtree(home, ignore_errors=True)
    maxes = [r["max_ms"] for r in results]
    print(
        f"stall, {count} assumes: median of max lateness {statistics.median(maxes):.1f} ms "
        f"(worst {max(maxes):.1f} ms)",
        flush=True,
    )
    return {"assumes": count, "max_ms": maxes, "median_max_ms": statistics.median(maxes)}


# ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["first-frame", "tick-cpu", "stall", "all"])
    parser.add_argument("--profiles", default="1000,10000")
    parser.add_argument("--live", default="1000,10000")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--assumes", type=int, default=20)
    parser.add_argument("--stall-runs", type=int, default=5)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="rolecall-bench-tui-"))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}", flush=True)
    results: dict[str, Any] = {}
    try:
        if args.what in ("first-frame", "all"):
            sizes = [int(x) for x in args.profiles.split(",")]
            results["first_frame"] = first_frame(sizes, args.runs, work)
        if args.what in ("tick-cpu", "all"):
            lives = [int(x) for x in args.live.split(",")]
            results["tick_cpu"] = tick_cpu(lives, args.seconds, work)
        if args.what in ("stall", "all"):
            results["stall"] = stall(args.assumes, args.stall_runs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
