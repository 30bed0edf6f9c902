"""Roots from the instance and the container, and an STS that cannot be connected to.

Real parts only: ``rolecall`` runs as a whole process (``python -m rolecall``),
STS is moto behind the counting proxy (``tests/moto_fixtures.py``), and the
instance metadata service (IMDSv2) and the container credentials endpoint are
small ``http.server`` servers on 127.0.0.1 that count what they are asked.

* ``credential_source = Ec2InstanceMetadata``: the token PUT and the credentials
  GETs reach the fake IMDS, AssumeRole is signed with its keys, and ``assume
  --json`` / ``env`` give the assumed role's credentials (never the instance's).
* ``credential_source = EcsContainer``: the same through
  ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (with its Authorization token).
* No role attached to the instance (404): one ``rolecall:`` line, nothing cached.
* STS whose TCP connect hangs (a full accept queue: SYNs are dropped): one line
  about the connect timeout, within ``ROLECALL_STS_TIMEOUT`` plus start-up.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.hardening._util import (
    BASE_KEY,
    BASE_SECRET,
    CONFIG,
    Run,
    assert_clean_success,
    assert_one_line_failure,
    run,
    snapshot,
)
from tests.moto_fixtures import StsProxy

ROLE = "arn:aws:iam::111111111111:role/FromRoot"
IMDS_ROLE_NAME = "rolecall-instance-role"
IMDS_TOKEN = "imdsv2-session-token-rolecall"
IMDS_KEY = "ASIAIMDSROLECALL0001"
IMDS_SECRET = "imdsSECRETrolecall/000000000000000000000"
IMDS_SESSION = "imdsSESSIONTOKENrolecall0000000000"
ECS_KEY = "ASIAECSROLECALL00002"
ECS_SECRET = "ecsSECRETrolecall/0000000000000000000000"
ECS_SESSION = "ecsSESSIONTOKENrolecall00000000000"
ECS_AUTH = "ecs-auth-token-rolecall"

#: ROLECALL_STS_TIMEOUT for the connect-timeout test (its connect and read timeouts)
STS_TIMEOUT = 1.0
#: a process that imports boto3, on a busy machine, and slack
SLACK = 10.0


# ---------------------------------------------------------------------------
# a small fake metadata server
# ---------------------------------------------------------------------------
@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


#: a route answers (status, body, content type)
Route = Callable[[Seen], tuple[int, bytes, str]]


@dataclass
class FakeServer:
    """``http.server`` on 127.0.0.1 in a thread; every request is recorded."""

    routes: dict[tuple[str, str], Route]
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def count(self, method: str, path: str) -> int:
        with self.lock:
            return sum(1 for s in self.seen if s.method == method and s.path == path)

    def requests(self) -> list[Seen]:
        with self.lock:
            return list(self.seen)


def _handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            with fake.lock:
                fake.seen.append(seen)
            route = fake.routes.get((self.command, self.path))
            if route is None:
                status, body, ctype = 404, b"Not Found", "text/plain"
            else:
                status, body, ctype = route(seen)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _serve
        do_PUT = _serve

    return Handler


@pytest.fixture
def serve() -> Iterator[Callable[[dict[tuple[str, str], Route]], FakeServer]]:
    """Start fake servers with the given routes; all are stopped after the test."""
    servers: list[ThreadingHTTPServer] = []

    def start(routes: dict[tuple[str, str], Route]) -> FakeServer:
        fake = FakeServer(routes)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
        server.daemon_threads = True
        fake.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return fake

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _in_an_hour() -> str:
    return (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(status: int, data: object) -> tuple[int, bytes, str]:
    return status, json.dumps(data).encode(), "application/json"


def imds_routes(role_attached: bool = True, delay: float = 0.0) -> dict[tuple[str, str], Route]:
    """IMDSv2: a session token, then the role's name, then its credentials (both GETs
    only with that token; the credentials ``delay`` seconds late)."""

    def token(seen: Seen) -> tuple[int, bytes, str]:
        if "x-aws-ec2-metadata-token-ttl-seconds" not in seen.headers:
            return 400, b"missing TTL", "text/plain"
        return 200, IMDS_TOKEN.encode(), "text/plain"

    def authorized(seen: Seen) -> bool:
        return seen.headers.get("x-aws-ec2-metadata-token") == IMDS_TOKEN

    def role_list(seen: Seen) -> tuple[int, bytes, str]:
        if not authorized(seen):
            return 401, b"", "text/plain"
        if not role_attached:
            return 404, b"Not Found", "text/plain"
        return 200, IMDS_ROLE_NAME.encode(), "text/plain"

    def role_creds(seen: Seen) -> tuple[int, bytes, str]:
        time.sleep(delay)
        if not authorized(seen):
            return 401, b"", "text/plain"
        if not role_attached:
            return 404, b"Not Found", "text/plain"
        return _json(
            200,
            {
                "Code": "Success",
                "LastUpdated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "Type": "AWS-HMAC",
                "AccessKeyId": IMDS_KEY,
                "SecretAccessKey": IMDS_SECRET,
                "Token": IMDS_SESSION,
                "Expiration": _in_an_hour(),
            },
        )

    base = "/latest/meta-data/iam/security-credentials/"
    return {
        ("PUT", "/latest/api/token"): token,
        ("GET", base): role_list,
        ("GET", base + IMDS_ROLE_NAME): role_creds,
    }


def ecs_routes() -> dict[tuple[str, str], Route]:
    def creds(seen: Seen) -> tuple[int, bytes, str]:
        if seen.headers.get("authorization") != ECS_AUTH:
            return _json(401, {"message": "no authorization"})
        return _json(
            200,
            {
                "RoleArn": "arn:aws:iam::444444444444:role/task",
                "AccessKeyId": ECS_KEY,
                "SecretAccessKey": ECS_SECRET,
                "Token": ECS_SESSION,
                "Expiration": _in_an_hour(),
            },
        )

    return {("GET", "/creds"): creds}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _root_config(source: str) -> str:
    return f"""\
[profile fromroot]
role_arn = {ROLE}
credential_source = {source}
region = us-east-1
"""


def _env(home: Path, config: str, **extra: str) -> dict[str, str]:
    """The test's environment (from conftest and ``sts_endpoint``) with ``config``
    written, instance metadata allowed, and ``extra`` set."""
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    (aws / "config").write_text(config)
    env = dict(os.environ)
    env.pop("AWS_EC2_METADATA_DISABLED", None)
    env.update(extra)
    return env


def _caches(env: dict[str, str]) -> dict[str, bytes]:
    home = Path(env["HOME"])
    return snapshot(home / ".aws" / "cli", env["ROLECALL_CACHE_DIR"])


def _signing_key(proxy: StsProxy, action: str) -> str:
    calls = proxy.calls(action)
    assert calls, f"no {action} reached STS"
    match = re.search(r"Credential=([^/]+)/", calls[-1].authorization)
    assert match, calls[-1].authorization
    return match.group(1)


def _exports(stdout: str) -> dict[str, str]:
    """``export NAME=VALUE`` lines of ``rolecall env`` (sh), unquoted."""
    out: dict[str, str] = {}
    for line in stdout.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, value = words[1].split("=", 1)
            out[key] = value
    return out


def _assume_then_env(
    env: dict[str, str], moto_server: str, root_key: str, root_secrets: tuple[str, ...]
) -> tuple[Run, dict[str, str]]:
    """``assume fromroot --json``, then ``env fromroot``: the role's credentials,
    checked against moto (GetCallerIdentity) and against the root's."""
    res = run("assume", "fromroot", "--json", env=env, timeout=60)
    assert_clean_success(res)
    data = json.loads(res.stdout)
    assert data["profile"] == "fromroot"
    assert data["account_id"] == "111111111111"
    assert data["from_cache"] is False
    assert str(data["arn"]).startswith("arn:aws:sts::111111111111:assumed-role/FromRoot/")
    for secret in (root_key, *root_secrets):
        assert secret not in res.stdout + res.stderr

    shown = run("env", "fromroot", env=env, timeout=60)
    assert_clean_success(shown)
    exported = _exports(shown.stdout)
    key = exported.get("AWS_ACCESS_KEY_ID", "")
    assert key.startswith("ASIA") and key != root_key, shown.stdout
    assert exported.get("AWS_SECRET_ACCESS_KEY") not in ("", None, *root_secrets)
    assert exported.get("AWS_SESSION_TOKEN") not in ("", None, *root_secrets)
    for secret in (root_key, *root_secrets):
        assert secret not in shown.stdout + shown.stderr

    # these are the assumed role's own credentials, as STS (moto) knows them
    import boto3

    sts = boto3.client(
        "sts",
        region_name="us-east-1",
        endpoint_url=moto_server,
        aws_access_key_id=key,
        aws_secret_access_key=exported["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=exported["AWS_SESSION_TOKEN"],
    )
    arn = sts.get_caller_identity()["Arn"]
    assert arn.startswith("arn:aws:sts::111111111111:assumed-role/FromRoot/"), arn
    return res, exported


# ---------------------------------------------------------------------------
# 1. roots from the instance and the container
# ---------------------------------------------------------------------------
def test_ec2_instance_metadata_root_is_fetched_and_assumed(
    isolated_env: Path,
    sts_endpoint: str,
    sts_proxy: StsProxy,
    moto_server: str,
    serve: Callable[[dict[tuple[str, str], Route]], FakeServer],
) -> None:
    imds = serve(imds_routes())
    env = _env(
        isolated_env,
        _root_config("Ec2InstanceMetadata"),
        AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url + "/",
        # read as botocore reads them (the defaults are 1 s and 1 attempt)
        AWS_METADATA_SERVICE_TIMEOUT="2",
        AWS_METADATA_SERVICE_NUM_ATTEMPTS="2",
    )
    assert "AWS_EC2_METADATA_DISABLED" not in env
    _assume_then_env(env, moto_server, IMDS_KEY, (IMDS_SECRET, IMDS_SESSION))

    base = "/latest/meta-data/iam/security-credentials/"
    assert imds.count("PUT", "/latest/api/token") >= 1, imds.requests()
    assert imds.count("GET", base) >= 1, imds.requests()
    assert imds.count("GET", base + IMDS_ROLE_NAME) >= 1, imds.requests()
    # IMDSv2 only: every GET carried the session token
    gets = [s for s in imds.requests() if s.method == "GET"]
    assert all(s.headers.get("x-aws-ec2-metadata-token") == IMDS_TOKEN for s in gets), gets
    # STS saw the instance's keys sign AssumeRole for the profile's role
    assert _signing_key(sts_proxy, "AssumeRole") == IMDS_KEY
    assert sts_proxy.calls("AssumeRole")[0].params["RoleArn"] == ROLE


def test_ecs_container_root_is_fetched_and_assumed(
    isolated_env: Path,
    sts_endpoint: str,
    sts_proxy: StsProxy,
    moto_server: str,
    serve: Callable[[dict[tuple[str, str], Route]], FakeServer],
) -> None:
    ecs = serve(ecs_routes())
    env = _env(
        isolated_env,
        _root_config("EcsContainer"),
        AWS_CONTAINER_CREDENTIALS_FULL_URI=ecs.url + "/creds",
        AWS_CONTAINER_AUTHORIZATION_TOKEN=ECS_AUTH,
    )
    _assume_then_env(env, moto_server, ECS_KEY, (ECS_SECRET, ECS_SESSION))

    assert ecs.count("GET", "/creds") >= 1, ecs.requests()
    assert all(s.headers.get("authorization") == ECS_AUTH for s in ecs.requests())
    assert _signing_key(sts_proxy, "AssumeRole") == ECS_KEY
    assert sts_proxy.calls("AssumeRole")[0].params["RoleArn"] == ROLE


def test_instance_without_a_role_is_one_line_and_caches_nothing(
    isolated_env: Path,
    sts_endpoint: str,
    sts_proxy: StsProxy,
    serve: Callable[[dict[tuple[str, str], Route]], FakeServer],
) -> None:
    imds = serve(imds_routes(role_attached=False))
    env = _env(
        isolated_env,
        _root_config("Ec2InstanceMetadata"),
        AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url + "/",
    )
    before = _caches(env)
    for verb in ("assume", "env"):
        res = run(verb, "fromroot", env=env, timeout=60)
        line = assert_one_line_failure(res)
        assert "Ec2InstanceMetadata" in line, line
        assert res.stdout == "", res.stdout
        assert res.elapsed < SLACK + 5, f"{verb}: {res.elapsed:.1f} s"
    # the fake IMDS was asked (token, then the role list), and said "no role"
    assert imds.count("PUT", "/latest/api/token") >= 1, imds.requests()
    assert imds.count("GET", "/latest/meta-data/iam/security-credentials/") >= 1
    assert sts_proxy.count("AssumeRole") == 0
    assert _caches(env) == before
    assert not list(Path(env["ROLECALL_CACHE_DIR"]).rglob("*.json"))
    assert not list((isolated_env / ".aws").rglob("*.json"))
    print(f"\nno role: {line}")


def test_slow_instance_metadata_honours_the_metadata_timeout(
    isolated_env: Path,
    sts_endpoint: str,
    sts_proxy: StsProxy,
    serve: Callable[[dict[tuple[str, str], Route]], FakeServer],
) -> None:
    """Credentials 1.5 s late: past botocore's default 1 s timeout a clear line;
    with AWS_METADATA_SERVICE_TIMEOUT=4, as for the AWS CLI, they arrive."""
    imds = serve(imds_routes(delay=1.5))
    env = _env(
        isolated_env,
        _root_config("Ec2InstanceMetadata"),
        AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url + "/",
    )
    line = assert_one_line_failure(run("assume", "fromroot", "--no-cache", env=env, timeout=60))
    assert "Ec2InstanceMetadata" in line, line
    assert sts_proxy.count("AssumeRole") == 0
    env["AWS_METADATA_SERVICE_TIMEOUT"] = "4"
    res = run("assume", "fromroot", "--no-cache", env=env, timeout=60)
    assert_clean_success(res)
    assert _signing_key(sts_proxy, "AssumeRole") == IMDS_KEY


# ---------------------------------------------------------------------------
# 2. STS that cannot be connected to
# ---------------------------------------------------------------------------
@pytest.fixture
def blackhole() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` whose TCP connect hangs: a listening socket with
    ``listen(0)`` whose accept queue is full of connections nobody accepts, so the
    kernel drops new SYNs (neither refused nor answered)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            fillers.append(sock)
        try:
            probe = socket.create_connection(("127.0.0.1", port), timeout=0.5)
        except TimeoutError:
            pass  # the connect hangs: what we want
        except OSError as exc:
            pytest.skip(f"this kernel answers a full accept queue ({exc!r}), no hang")
        else:
            probe.close()
            pytest.skip("this kernel accepts connections beyond the listen backlog")
        yield f"http://127.0.0.1:{port}"
    finally:
        for sock in fillers:
            sock.close()
        listener.close()


def test_sts_connect_timeout_is_one_line_and_quick(isolated_env: Path, blackhole: str) -> None:
    """``assume a --no-cache``: base (static keys) -> role A, with STS unreachable."""
    env = _env(
        isolated_env,
        CONFIG,
        AWS_ENDPOINT_URL_STS=blackhole,
        ROLECALL_STS_TIMEOUT=f"{STS_TIMEOUT:g}",
    )
    before = _caches(env)
    res = run("assume", "a", "--no-cache", env=env, timeout=60)
    line = assert_one_line_failure(res)
    low = line.lower()
    assert "timed out" in low or "timeout" in low, line
    assert "connect" in low, line
    assert blackhole in line, line
    assert res.stdout == "", res.stdout
    for secret in (BASE_SECRET, BASE_KEY):
        assert secret not in res.stdout + res.stderr
    # connect timeout (1 s) per attempt: rolecall does not retry connection errors,
    # but allow a few attempts and the start of a process importing boto3
    assert res.elapsed < 3 * STS_TIMEOUT + SLACK, f"{res.elapsed:.1f} s"
    assert res.elapsed >= STS_TIMEOUT * 0.9, f"{res.elapsed:.1f} s: did it even wait?"
    assert _caches(env) == before
    print(f"\nconnect timeout: {res.elapsed:.2f} s; {line}")
