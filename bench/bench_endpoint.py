"""Benchmark of the credentials endpoint (issue 10, section 4), side by side in one run.

1. The latency of one request on a cache hit (the keeper holds fresh
   credentials), as a client sees it: a new connection, the GET, the JSON.
   Targets: p50 <= 5 ms, p99 <= 20 ms.  Baseline, interleaved with it: a bare
   ``http.server`` that answers the same JSON with no token, Host check or
   keeper (the floor of Python's HTTP stack here).  Also measured: botocore's
   own ``ContainerMetadataFetcher`` against both (what an SDK pays).
2. AssumeRole calls when 50 SDK clients (botocore sessions in threads) start at
   once on a cold endpoint serving a 3-hop chain, against moto: target one per
   hop (3).  Baseline: the same 50 clients resolving the role profile
   themselves, with botocore's assume-role provider and the CLI's file cache.

Usage::

    python bench/bench_endpoint.py            # print the results
    python bench/bench_endpoint.py --write    # and put them in bench/RESULTS.md

Everything runs in a temporary HOME; the machine's AWS files are not touched.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HEADING = "## Credentials endpoint: request latency and AssumeRole calls (bench/bench_endpoint.py)"
HERE = Path(__file__).resolve().parent

CONFIG = """\
[profile base]
aws_access_key_id = AKIABENCHENDPOINT001
aws_secret_access_key = benchSECRET/0000000000000000000000000000

[profile a]
role_arn = arn:aws:iam::111111111111:role/A
source_profile = base

[profile b]
role_arn = arn:aws:iam::222222222222:role/B
source_profile = a

[profile c]
role_arn = arn:aws:iam::333333333333:role/C
source_profile = b
region = eu-west-1
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def get(port: int, path: str, token: str) -> float:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers={"Authorization": token, "Accept": "application/json"})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    took = time.perf_counter() - start
    if resp.status != 200 or b"AccessKeyId" not in body:
        raise SystemExit(f"unexpected answer {resp.status}")
    return took


def bare_server(body: bytes) -> ThreadingHTTPServer:
    class Bare(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # as rolecall's (else kept-alive clients wait 40 ms)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response_only(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Bare)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def latency(rounds: int) -> dict[str, list[float]]:
    from rolecall.core.serve import Held
    from rolecall.core.serve.keeper import Keeper
    from rolecall.core.serve.server import PATH, CredentialServer
    from rolecall.core.sts import Credentials

    now = datetime.now(UTC)
    creds = Credentials("ASIABENCH", "s" * 40, "t" * 400, now + timedelta(hours=1))
    held = Held(creds, "123456789012", now)

    class Never:
        def cached(self) -> Held | None:
            return None

        def assume(self) -> Held:
            raise AssertionError("a cache hit must not refresh")

    keeper = Keeper(Never(), initial=held)
    keeper.start()
    ours = CredentialServer(keeper.answer)
    ours.start()
    bare = bare_server(json.dumps(held.document(now)).encode())
    bare_port = bare.server_address[1]
    from botocore.utils import ContainerMetadataFetcher

    fetcher = ContainerMetadataFetcher()

    def via_botocore(url: str, headers: dict[str, str]) -> float:
        start = time.perf_counter()
        fetcher.retrieve_full_uri(url, headers=headers)
        return time.perf_counter() - start

    runs: dict[str, Callable[[], float]] = {
        "rolecall endpoint": lambda: get(ours.port, PATH, ours.token),
        "bare http.server": lambda: get(bare_port, PATH, "x"),
        "rolecall endpoint, via botocore": lambda: via_botocore(
            ours.url, {"Authorization": ours.token}
        ),
        "bare http.server, via botocore": lambda: via_botocore(
            f"http://127.0.0.1:{bare_port}{PATH}", {}
        ),
    }
    got: dict[str, list[float]] = {k: [] for k in runs}
    for fn in runs.values():  # warm up
        for _ in range(20):
            fn()
    for _ in range(rounds):
        for name, fn in runs.items():
            got[name].append(fn())
    ours.stop()
    keeper.stop()
    bare.shutdown()
    bare.server_close()
    return got


class Counter:
    """A proxy in front of moto that counts the STS actions it forwards."""

    def __init__(self, upstream: str) -> None:
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        target = urllib.parse.urlsplit(upstream)
        counter = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                action = dict(urllib.parse.parse_qsl(body.decode())).get("Action", "")
                with counter.lock:
                    counter.counts[action] = counter.counts.get(action, 0) + 1
                conn = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
                conn.request("POST", self.path, body=body, headers=dict(self.headers.items()))
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                self.send_response(resp.status)
                for key, value in resp.getheaders():
                    if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self, action: str) -> int:
        with self.lock:
            return self.counts.pop(action, 0)


CLIENTS = """
import json, os, sys, threading, time, boto3
from botocore.utils import JSONFileCache
n, profile = int(sys.argv[1]), sys.argv[2] or None
barrier = threading.Barrier(n)
keys, errors, took = [], [], []
def client():
    session = boto3.Session(profile_name=profile)
    if profile:  # as the AWS CLI does: the assume-role provider with the file cache
        provider = session._session.get_component("credential_provider").get_provider(
            "assume-role")
        provider.cache = JSONFileCache(os.path.expanduser("~/.aws/cli/cache"))
    barrier.wait()
    start = time.perf_counter()
    try:
        keys.append(session.get_credentials().get_frozen_credentials().access_key)
        took.append(time.perf_counter() - start)
    except Exception as exc:
        errors.append(str(exc))
threads = [threading.Thread(target=client) for _ in range(n)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"keys": len(set(keys)), "ok": len(keys), "errors": errors, "took": took}))
"""


def concurrency(env: dict[str, str], clients: int, counter: Counter) -> dict[str, Any]:
    from rolecall.core.serve import Endpoint
    from rolecall.core.serve.source import ProfileRefresher

    def run(child_env: dict[str, str], profile: str) -> dict[str, Any]:
        out = subprocess.run(
            [sys.executable, "-c", CLIENTS, str(clients), profile],
            env=child_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if out.returncode != 0:
            raise SystemExit(out.stderr[-800:])
        result: dict[str, Any] = json.loads(out.stdout)
        return result

    cache = Path(env["HOME"]) / ".aws" / "cli" / "cache"
    results: dict[str, Any] = {}
    counter.take("AssumeRole")
    with Endpoint(ProfileRefresher("c"), environ=env) as ep:  # cold: nothing assumed yet
        results["endpoint"] = run(ep.child_env(env, "c"), "")
        results["endpoint"]["refreshes"] = ep.keeper.refreshes
    results["endpoint"]["assume_role"] = counter.take("AssumeRole")
    for f in cache.glob("*.json"):
        f.unlink()
    results["self"] = run(env, "c")
    results["self"]["assume_role"] = counter.take("AssumeRole")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--rounds", type=int, default=1000, help="requests of each kind (1000)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent SDK clients (50)")
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    tmp = Path(tempfile.mkdtemp(prefix="rolecall-bench-"))
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    counter = Counter(f"http://{host}:{port}")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
        home = tmp / "home"
        (home / ".aws").mkdir(parents=True)
        (home / ".aws" / "config").write_text(CONFIG)
        env.update(
            HOME=str(home),
            AWS_CONFIG_FILE=str(home / ".aws" / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
            AWS_ENDPOINT_URL_STS=counter.url,
            AWS_EC2_METADATA_DISABLED="true",
            ROLECALL_CACHE_DIR=str(home / ".cache" / "rolecall"),
            ROLECALL_CONFIG_DIR=str(home / ".config" / "rolecall"),
        )
        os.environ.clear()
        os.environ.update(env)
        load_before = os.getloadavg()
        lat = latency(args.rounds)
        conc = concurrency(env, args.clients, counter)
        load_after = os.getloadavg()
    finally:
        counter.server.shutdown()
        moto.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def row(name: str) -> str:
        values = [v * 1000 for v in lat[name]]
        return (
            f"| {name} | {statistics.median(values):.2f} | {pct(values, 0.9):.2f} | "
            f"{pct(values, 0.99):.2f} |"
        )

    ours = [v * 1000 for v in lat["rolecall endpoint"]]
    bare = [v * 1000 for v in lat["bare http.server"]]
    p50, p99 = statistics.median(ours), pct(ours, 0.99)
    ratio = p50 / statistics.median(bare)
    ep, own = conc["endpoint"], conc["self"]
    lines = [
        HEADING,
        "",
        f"Run on {time.strftime('%Y-%m-%d')}: Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; moto on 127.0.0.1; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
        "(other engineers share the machine).",
        f"Command: `python bench/bench_endpoint.py --write` ({args.rounds} requests of each "
        f"kind, interleaved; {args.clients} clients).",
        "",
        "**One request on a cache hit (new connection, GET, JSON), as the client sees it**",
        "",
        "| server | median ms | p90 ms | p99 ms |",
        "| --- | ---: | ---: | ---: |",
        row("rolecall endpoint"),
        row("bare http.server"),
        row("rolecall endpoint, via botocore"),
        row("bare http.server, via botocore"),
        "",
        f"- p50 {p50:.2f} ms (target <= 5 ms: {'met' if p50 <= 5 else 'NOT met'}), "
        f"p99 {p99:.2f} ms (target <= 20 ms: {'met' if p99 <= 20 else 'NOT met'})",
        f"- rolecall / bare http.server (median): **{ratio:.2f}x**: the token, the Host check "
        "and the keeper cost that much over Python's HTTP stack",
        "",
        f"**{args.clients} SDK clients (botocore sessions in threads) starting at once, "
        "3-hop chain `c -> b -> a -> base`, cold cache**",
        "",
        "| clients get credentials from | AssumeRole calls | distinct keys | "
        "median ms to credentials | errors |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| the rolecall endpoint (cold) | {ep['assume_role']} | {ep['keys']} | "
        f"{statistics.median(ep['took']) * 1000:.0f} | {len(ep['errors'])} |",
        f"| their own assume-role provider + the CLI file cache | {own['assume_role']} | "
        f"{own['keys']} | {statistics.median(own['took']) * 1000:.0f} | {len(own['errors'])} |",
        "",
        f"- the endpoint: **{ep['assume_role']} AssumeRole calls** for 3 hops (target: one per "
        f"hop, 3: {'met' if ep['assume_role'] == 3 else 'NOT met'}); the keeper made "
        f"{ep['refreshes']} refresh",
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
