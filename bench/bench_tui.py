#!/usr/bin/env python3
"""TUI benchmarks (issue 4, section 9): first frame, CPU while ticking, event-loop stalls.

    python bench/bench_tui.py first-frame [--profiles 1000,10000] [--runs 9]
    python bench/bench_tui.py discovered  [--profiles 1000,10000] [--accounts 500] [--roles-per 3]
    python bench/bench_tui.py tick-cpu    [--live 1000,10000] [--seconds 20]
    python bench/bench_tui.py stall       [--assumes 20] [--runs 5]
    python bench/bench_tui.py load        [--load-profiles 10000] [--load-live 1000] [--seconds 20]
    python bench/bench_tui.py keys        [--burst 200] [--keys-runs 9]
    python bench/bench_tui.py all

* **first-frame**: ``rolecall --config C --credentials K`` is spawned in a
  140x40 pseudo-terminal, with rolecall byte-compiled as pip installs it; the
  clock runs from just before the spawn until the table (its ``Expires``
  header and its first rows) reaches the terminal.  The
  child's CPU time at that moment (``/proc/PID/stat``) is reported too: it is
  what the wall time would be on an idle machine.  Configs come from
  bench/gen_config.py.
* **discovered** (issue 11): the first frame as above, on the same config, side by
  side (runs alternate) with and without a cached discovery of ``--accounts`` x
  ``--roles-per`` IAM Identity Center roles (500 x 3: 1,500 ``sso·new`` rows) for
  the config's first ``[sso-session]``.  Discovery runs in a worker after the
  first frame, so the two should not differ.  Then, headless in this process,
  the time from the app's start until those rows have joined the table.
* **tick-cpu**: the same, with a CLI cache (``~/.aws/cli/cache``) and SSO tokens
  holding live credentials for every role and SSO profile, so that N rows count
  down; after the first cache read and a few seconds of settling, the child's
  CPU time is sampled over ``--seconds`` while the pty output is drained.
* **stall**: the app runs headless in this process (``App.run_test``) against a
  moto server in another process (as a real STS is); 20 profiles are assumed at
  once, and a 5 ms ``call_later`` chain records how late the event loop runs it.
  Reported: the maximum and the 99th percentile lateness while the assumes run.
* **load** (issue 5, section 4): the TUI in a pty holding 10,000 profiles, 1,000
  of them with live credentials in the CLI cache (so 1,000 rows count down).
  Reported: start-up to the first countdown (wall and the child's CPU), RSS
  (``VmRSS``) once settled, CPU while it ticks for ``--seconds``, the CPU of an
  interaction (20 page-downs, the ends, a filter typed and cleared, two sorts),
  RSS after it and the peak (``VmHWM``); and the same for a 10-profile config,
  for comparison.
* **keys** (issue 9, section 1): the cost of handing keys out one at a time
  (``rolecall.tui.ordered_keys``), side by side with Textual's own dispatch (the
  same app with ``on_event`` left to Textual), headless, on 200 profiles.  A
  burst of ``--burst`` cursor keys is queued at once: the time and CPU until the
  last one has moved the cursor; then single keys: the time from a key to its
  move.  Runs alternate between the two, medians reported.
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
GEN = ROOT / "bench" / "gen_config.py"
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
# first frame with discovered SSO roles
# ---------------------------------------------------------------------------
def write_discovery(
    home: Path, config: Path, credentials: Path, accounts: int, per: int
) -> tuple[Any, int]:
    """A fresh discovery cache (``accounts`` x ``per`` roles) for the config's first
    ``[sso-session]``, under ``home``'s rolecall cache directory."""
    from rolecall.core.config import load as load_aws
    from rolecall.core.sso import discovery
    from rolecall.core.sso.session import sessions

    session = sessions(load_aws(str(config), str(credentials)))[0]
    roles = [
        discovery.Role(f"account-{a:04d}", str(200_000_000_000 + a), f"Role{r}")
        for a in range(accounts)
        for r in range(per)
    ]
    before = os.environ.get("ROLECALL_CACHE_DIR")
    os.environ["ROLECALL_CACHE_DIR"] = str(home / ".cache" / "rolecall")
    try:
        discovery.write_cache(session, discovery.Discovery(tuple(roles), datetime.now(UTC)), 3600)
    finally:
        if before is None:
            os.environ.pop("ROLECALL_CACHE_DIR", None)
        else:
            os.environ["ROLECALL_CACHE_DIR"] = before
    return session, len(roles)


async def _rows_landed(config: Path, credentials: Path, home: Path, expected: int) -> float:
    """Headless: seconds from the app's start until ``expected`` discovered rows show."""
    from rolecall.settings import Settings
    from rolecall.tui.app import RolecallApp
    from rolecall.tui.services import Services

    settings = Settings(path=str(home / "settings.toml"))
    app = RolecallApp(str(config), str(credentials), services=Services(), settings=settings)
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with app.run_test(size=(140, 40)):
        while len(app.main.state.discovered.rows) < expected:
            if loop.time() - start > 60:
                raise SystemExit("the discovered rows never showed")
            await asyncio.sleep(0.005)
        return loop.time() - start


def discovered_first_frame(
    sizes: list[int], runs: int, accounts: int, per: int, work: Path
) -> list[dict[str, Any]]:
    compile_bytecode()
    out = []
    for n in sizes:
        config, credentials = gen_config(n, work / f"aws-{n}")
        walls: dict[str, list[float]] = {"baseline": [], "discovered": []}
        cpus: dict[str, list[float]] = {"baseline": [], "discovered": []}
        for _ in range(runs):
            for case in ("baseline", "discovered"):
                home = Path(tempfile.mkdtemp(dir=work))
                if case == "discovered":
                    write_discovery(home, config, credentials, accounts, per)
                env = clean_env(home)
                start = time.perf_counter()
                child = spawn(config, credentials, env)
                child.expect("Expires")
                walls[case].append(time.perf_counter() - start)
                cpus[case].append(cpu_seconds(child.pid))
                quit_child(child)
                shutil.rmtree(home, ignore_errors=True)
        # the rows themselves: headless, this process, with the variables the child had
        landed: list[float] = []
        for _ in range(max(3, runs // 3)):
            home = Path(tempfile.mkdtemp(dir=work))
            _, count = write_discovery(home, config, credentials, accounts, per)
            saved = dict(os.environ)
            os.environ.clear()
            os.environ.update(clean_env(home))
            try:
                from rolecall.core.config import load as load_aws
                from rolecall.core.sso.discovery import discover_sessions
                from rolecall.core.sso.session import sessions
                from rolecall.tui.discovered import build

                loaded = load_aws(str(config), str(credentials))
                found = discover_sessions(sessions(loaded)[:1])
                expected = len(build(loaded, found).rows)
                landed.append(asyncio.run(_rows_landed(config, credentials, home, expected)))
            finally:
                os.environ.clear()
                os.environ.update(saved)
            shutil.rmtree(home, ignore_errors=True)
        base, disc = walls["baseline"], walls["discovered"]
        ratio = statistics.median(disc) / statistics.median(base)
        row = {
            "profiles": n,
            "discovered_roles": count,
            "discovered_rows": expected,
            "baseline_wall_median": statistics.median(base),
            "discovered_wall_median": statistics.median(disc),
            "ratio": ratio,
            "baseline_cpu_median": statistics.median(cpus["baseline"]),
            "discovered_cpu_median": statistics.median(cpus["discovered"]),
            "rows_landed_median": statistics.median(landed),
        }
        print(
            f"first frame, {n:>6} profiles: baseline wall {fmt(base)} (CPU "
            f"{fmt(cpus['baseline'])}); with {count} discovered roles ({expected} rows) wall "
            f"{fmt(disc)} (CPU {fmt(cpus['discovered'])}), ratio {ratio:.2f}; "
            f"rows in the table (headless) after {fmt(landed)}",
            flush=True,
        )
        out.append(row)
    return out


# ---------------------------------------------------------------------------
# CPU while ticking
# ---------------------------------------------------------------------------
def populate_cache(config: Path, credentials: Path, home: Path, limit: int | None = None) -> int:
    """Live credentials for every role and SSO profile; returns how many rows count down.

    With ``limit``, only that many role profiles get credentials (no SSO token: one
    token makes every profile of its SSO session count down), so that about
    ``limit`` rows count down.
    """
    os.environ["HOME"] = str(home)  # the cache module reads ~ when called
    os.environ["ROLECALL_CACHE_DIR"] = str(home / ".cache" / "rolecall")
    from rolecall.core import expiries
    from rolecall.core.cache import entries as cache_entries
    from rolecall.core.cache import keys as cache_keys
    from rolecall.core.profiles import load_profiles

    profiles = load_profiles(str(config), str(credentials))
    now = datetime.now(UTC)
    written = 0
    for i, prof in enumerate(profiles):
        if limit is not None and (written >= limit or prof.kind != "assume-role"):
            continue
        expires = now + timedelta(hours=1, seconds=37 * i % 36000)
        stamp = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        if prof.kind == "assume-role" and not prof.problems:
            key = cache_keys.cache_key_for(prof)
            if key is None:
                continue
            written += 1
            cache_entries.write_entry(
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
            path = cache_keys.sso_token_path(prof.values)
            if path is None:
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                json.dump({"accessToken": "x", "expiresAt": stamp}, fh)
    return len(expiries.expiries(profiles))


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
# memory and CPU with a large config and many live countdowns
# ---------------------------------------------------------------------------
def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MiB: its resident memory now, and at its peak."""
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out["VmRSS"], out["VmHWM"]


#: keys of the interaction phase: pages, the ends, a filter typed and cleared, two sorts
INTERACTION = ["\x1b[6~"] * 20 + ["G", "g", "/", "a", "l", "p", "h", "a", "\x1b", "o", "o"]


def load_once(config: Path, credentials: Path, live: int | None, seconds: float) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(dir=config.parent.parent))
    saved = dict(os.environ)
    try:
        rows = populate_cache(config, credentials, home, limit=live) if live else 0
    finally:
        os.environ.clear()
        os.environ.update(saved)
    start = time.perf_counter()
    child = spawn(config, credentials, clean_env(home))
    try:
        child.expect("Expires")
        if rows:
            child.expect(r"\d+:\d\d:\d\d", timeout=60)  # the first cache read is in
        startup_wall = time.perf_counter() - start
        startup_cpu = cpu_seconds(child.pid)
        drain(child, 3.0)
        settled_cpu = cpu_seconds(child.pid)
        rss_idle, _ = memory_mb(child.pid)
        before = cpu_seconds(child.pid)
        t0 = time.monotonic()
        drain(child, seconds)
        tick_cpu = 100 * (cpu_seconds(child.pid) - before) / (time.monotonic() - t0)
        before = cpu_seconds(child.pid)
        t0 = time.monotonic()
        for key in INTERACTION:
            child.send(key)
            drain(child, 0.5 if key == "\x1b" else 0.15)
        drain(child, 1.0)
        interaction_cpu = cpu_seconds(child.pid) - before
        interaction_wall = time.monotonic() - t0
        rss_after, peak = memory_mb(child.pid)
        alive = child.isalive()
    finally:
        quit_child(child)
        shutil.rmtree(home, ignore_errors=True)
    if not alive:
        raise SystemExit("rolecall exited during the load benchmark")
    return {
        "live_rows": rows,
        "startup_wall_s": startup_wall,
        "startup_cpu_s": startup_cpu,
        "settled_cpu_s": settled_cpu,
        "rss_idle_mb": rss_idle,
        "rss_after_interaction_mb": rss_after,
        "rss_peak_mb": peak,
        "tick_cpu_percent": tick_cpu,
        "interaction_cpu_s": interaction_cpu,
        "interaction_wall_s": interaction_wall,
        "interaction_keys": len(INTERACTION),
    }


def load(profiles: int, live: int, seconds: float, runs: int, work: Path) -> dict[str, Any]:
    """The TUI holding ``profiles`` profiles, ``live`` of them counting down: RSS and CPU.

    For comparison, the same measurements on a 10-profile config.
    """
    compile_bytecode()
    out: dict[str, Any] = {"profiles": profiles, "live": live, "runs": []}
    config, credentials = gen_config(profiles, work / f"aws-{profiles}")
    small, small_cred = gen_config(10, work / "aws-10")
    base = load_once(small, small_cred, None, min(seconds, 10.0))
    out["baseline_10_profiles"] = base
    print(
        f"load, 10 profiles: RSS {base['rss_idle_mb']:.1f} MiB (peak {base['rss_peak_mb']:.1f}), "
        f"tick CPU {base['tick_cpu_percent']:.2f}%",
        flush=True,
    )
    for _ in range(runs):
        res = load_once(config, credentials, live, seconds)
        out["runs"].append(res)
        print(
            f"load, {profiles:,} profiles, {res['live_rows']:,} live: "
            f"RSS {res['rss_idle_mb']:.1f} MiB idle, {res['rss_after_interaction_mb']:.1f} after "
            f"{res['interaction_keys']} keys, peak {res['rss_peak_mb']:.1f}; "
            f"start-up {res['startup_wall_s']:.2f} s wall / {res['startup_cpu_s']:.2f} s CPU "
            f"to the first countdown ({res['settled_cpu_s']:.2f} s CPU 3 s later); "
            f"tick CPU {res['tick_cpu_percent']:.2f}% of one core "
            f"over {seconds:.0f} s; the keys cost {res['interaction_cpu_s']:.2f} s CPU "
            f"in {res['interaction_wall_s']:.1f} s",
            flush=True,
        )
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
        while app.assumes:
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
# poll: the cache's fingerprint off the event loop (issue 14), against on it
# ---------------------------------------------------------------------------
def big_cache(home: Path, entries: int) -> None:
    """``entries`` small CLI cache files (the fingerprint stats each one)."""
    cache = home / ".aws" / "cli" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    os.chmod(home / ".aws", 0o700)
    body = '{"Credentials": {"Expiration": "2020-01-01T00:00:00Z"}}'
    for i in range(entries):
        (cache / f"{i:040x}.json").write_text(body)


async def _poll_once(on_loop: bool, config: Path, credentials: Path, seconds: float) -> float:
    """The event loop's worst lateness (ms) over ``seconds`` of polls every 0.1 s."""
    from rolecall.settings import Settings
    from rolecall.tui.app import RolecallApp
    from rolecall.tui.services import Services

    class OnLoopPoll(RolecallApp):
        """The baseline: the fingerprint taken on the event loop, as before issue 14."""

        CSS_PATH = str(Path(sys.modules[RolecallApp.__module__].__file__ or "").parent / "app.tcss")

        def poll(self) -> None:
            loading = self.loading
            if loading.reloading:
                return
            change = loading.file_watch.changes()
            if change is not None:
                stamp, reread = change
                loading._start_reload(lambda: stamp, reread)

    settings = Settings(path=str(config.parent / "settings.toml"))
    cls = OnLoopPoll if on_loop else RolecallApp
    app = cls(
        str(config),
        str(credentials),
        services=Services(launcher=lambda *a: 0),
        settings=settings,
        poll_interval=0.1,
    )
    loop = asyncio.get_running_loop()
    worst = 0.0
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await asyncio.sleep(0.5)
        end = loop.time() + seconds
        while loop.time() < end:
            before = loop.time()
            await asyncio.sleep(0.005)
            worst = max(worst, loop.time() - before - 0.005)
    return worst * 1000


def poll_bench(entries: int, runs: int, seconds: float, work: Path) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(dir=work))
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(clean_env(home))
        config, credentials = stall_config(home / "aws", 5)
        big_cache(home, entries)
        results: dict[str, list[float]] = {"on the loop (before)": [], "in a worker (now)": []}
        for _ in range(runs):  # side by side, alternating
            for label, on_loop in (("on the loop (before)", True), ("in a worker (now)", False)):
                worst = asyncio.run(_poll_once(on_loop, config, credentials, seconds))
                results[label].append(worst)
                print(f"poll, {entries:,} cache entries, {label}: worst {worst:.1f} ms", flush=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(home, ignore_errors=True)
    medians = {label: statistics.median(v) for label, v in results.items()}
    before, now = medians["on the loop (before)"], medians["in a worker (now)"]
    print(
        f"poll, {entries:,} entries: median worst stall {before:.1f} ms on the loop, "
        f"{now:.1f} ms in a worker (ratio {before / max(now, 0.001):.1f}x)",
        flush=True,
    )
    return {"entries": entries, "worst_ms": results, "median_worst_ms": medians}


# ---------------------------------------------------------------------------
# keys: the ordered dispatch against Textual's own
# ---------------------------------------------------------------------------
async def _keys_once(
    ordered: bool, burst: int, config: Path, credentials: Path
) -> dict[str, float]:
    from textual import events
    from textual.app import App

    from rolecall.settings import Settings
    from rolecall.tui.app import RolecallApp
    from rolecall.tui.services import Services

    class TextualOrder(RolecallApp):
        """The baseline: every key dispatched by Textual as it arrives."""

        CSS_PATH = str(Path(sys.modules[RolecallApp.__module__].__file__ or "").parent / "app.tcss")

        async def on_event(self, event: events.Event) -> None:
            await App.on_event(self, event)

    settings = Settings(path=str(config.parent / "settings.toml"))
    services = Services(launcher=lambda *a: 0, assume=lambda *a, **k: None)
    cls = RolecallApp if ordered else TextualOrder
    app = cls(str(config), str(credentials), services=services, settings=settings)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.main.table
        # a burst: j j j ... (burst - 1 of them), then G; done when the cursor is on the last row
        keys = ["j"] * (burst - 1) + ["G"]
        start, cpu = time.perf_counter(), time.process_time()
        for key in keys:
            app.post_message(events.Key(key, key))
        last = table.row_count - 1
        while table.cursor_row != last or (ordered and app.keys_pending):
            await asyncio.sleep(0.0005)
        burst_s, burst_cpu = time.perf_counter() - start, time.process_time() - cpu
        await pilot.pause()
        # single keys: from a key to its move
        singles = []
        for i in range(40):
            key, want = ("k", table.cursor_row - 1) if i % 2 == 0 else ("j", table.cursor_row + 1)
            await pilot.pause()
            start = time.perf_counter()
            app.post_message(events.Key(key, key))
            while table.cursor_row != want:
                await asyncio.sleep(0.0002)
            singles.append(time.perf_counter() - start)
    return {
        "burst_ms": burst_s * 1000,
        "burst_cpu_ms": burst_cpu * 1000,
        "key_ms": statistics.median(singles) * 1000,
    }


def keys_bench(burst: int, runs: int, work: Path) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(dir=work))
    saved = dict(os.environ)
    results: dict[str, list[dict[str, float]]] = {"ordered": [], "textual": []}
    try:
        os.environ.clear()
        os.environ.update(clean_env(home))
        config, credentials = stall_config(home / "aws", 200)
        for _ in range(runs):
            for name, ordered in (("ordered", True), ("textual", False)):
                results[name].append(asyncio.run(_keys_once(ordered, burst, config, credentials)))
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(home, ignore_errors=True)
    summary: dict[str, Any] = {"burst": burst, "runs": runs}
    for metric in ("burst_ms", "burst_cpu_ms", "key_ms"):
        a = statistics.median(r[metric] for r in results["ordered"])
        b = statistics.median(r[metric] for r in results["textual"])
        summary[metric] = {"ordered": a, "textual": b, "ratio": a / b}
        print(
            f"keys, {metric}: ordered {a:.2f} ms, Textual's dispatch {b:.2f} ms, "
            f"ratio {a / b:.2f} (medians of {runs})",
            flush=True,
        )
    return summary


# ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "what",
        choices=["first-frame", "discovered", "tick-cpu", "stall", "load", "keys", "poll", "all"],
    )
    parser.add_argument("--profiles", default="1000,10000")
    parser.add_argument("--live", default="1000,10000")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--assumes", type=int, default=20)
    parser.add_argument("--stall-runs", type=int, default=5)
    parser.add_argument("--load-profiles", type=int, default=10000)
    parser.add_argument("--load-live", type=int, default=1000)
    parser.add_argument("--load-runs", type=int, default=3)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--keys-runs", type=int, default=9)
    parser.add_argument("--cache-entries", type=int, default=100_000)
    parser.add_argument("--poll-runs", type=int, default=3)
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--roles-per", type=int, default=3)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="rolecall-bench-tui-"))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}", flush=True)
    results: dict[str, Any] = {}
    try:
        if args.what in ("first-frame", "all"):
            sizes = [int(x) for x in args.profiles.split(",")]
            results["first_frame"] = first_frame(sizes, args.runs, work)
        if args.what in ("discovered", "all"):
            sizes = [int(x) for x in args.profiles.split(",")]
            results["discovered"] = discovered_first_frame(
                sizes, args.runs, args.accounts, args.roles_per, work
            )
        if args.what in ("tick-cpu", "all"):
            lives = [int(x) for x in args.live.split(",")]
            results["tick_cpu"] = tick_cpu(lives, args.seconds, work)
        if args.what in ("stall", "all"):
            results["stall"] = stall(args.assumes, args.stall_runs, work)
        if args.what in ("load", "all"):
            results["load"] = load(
                args.load_profiles, args.load_live, args.seconds, args.load_runs, work
            )
        if args.what in ("keys", "all"):
            results["keys"] = keys_bench(args.burst, args.keys_runs, work)
        if args.what in ("poll", "all"):
            results["poll"] = poll_bench(args.cache_entries, args.poll_runs, args.seconds, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
