"""A real STS endpoint for the tests: moto's server, behind a small counting proxy.

* ``moto_server`` (session): ``ThreadedMotoServer`` on 127.0.0.1, a free port;
  yields its URL.
* ``sts_proxy`` (session): an HTTP proxy in front of it that records every STS
  request (``Action`` and parameters) and can answer the next requests of an
  action with an error of our choosing (``ExpiredToken``, ``Throttling`` ...).
  It works for subprocesses too (the real ``aws`` CLI, ``rolecall`` itself).
* ``sts_endpoint`` (function): resets moto (state and auth mode) and the proxy,
  sets ``AWS_ENDPOINT_URL_STS`` to the proxy and yields that URL.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "Fault",
    "StsProxy",
    "moto_auth",
    "moto_server",
    "run_rolecall",
    "sts_endpoint",
    "sts_proxy",
    "write_aws_files",
]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@dataclass
class Fault:
    action: str
    code: str
    message: str
    status: int = 400
    times: int = 1


@dataclass
class Request:
    action: str
    params: dict[str, str]
    authorization: str = ""


@dataclass
class StsProxy:
    """Forwards to moto; records requests; injects queued faults."""

    upstream: str
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    def calls(self, action: str | None = None) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if action is None or r.action == action]

    def count(self, action: str) -> int:
        return len(self.calls(action))

    def fail(
        self, action: str, code: str, message: str = "", status: int = 400, times: int = 1
    ) -> None:
        with self.lock:
            self.faults.append(Fault(action, code, message or code, status, times))

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.faults.clear()

    def _take_fault(self, action: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.action in (action, "*") and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None


def _error_xml(fault: Fault) -> bytes:
    kind = "Sender" if fault.status < 500 else "Receiver"
    return (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>{kind}</Type><Code>{fault.code}</Code>"
        f"<Message>{fault.message}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    ).encode()


def _make_handler(proxy: StsProxy) -> type[BaseHTTPRequestHandler]:
    upstream = urllib.parse.urlsplit(proxy.upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            params = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            params = {**query, **params}
            action = params.get("Action", "")
            with proxy.lock:
                proxy.requests.append(
                    Request(action, params, self.headers.get("Authorization", ""))
                )
            fault = proxy._take_fault(action) if action else None
            if fault is not None:
                data = _error_xml(fault)
                self.send_response(fault.status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
            # keep Host as signed by the client: moto checks SigV4 signatures in auth mode
            headers = dict(self.headers.items())
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            self.send_response(resp.status)
            for key, value in resp.getheaders():
                if key.lower() in ("content-length", "connection", "transfer-encoding"):
                    continue
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = _forward
        do_GET = _forward

    return Handler


@pytest.fixture(scope="session")
def sts_proxy(moto_server: str) -> Iterator[StsProxy]:
    proxy = StsProxy(moto_server)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(proxy))
    server.daemon_threads = True
    proxy.server = server
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()


def _post(url: str, body: bytes = b"") -> None:
    req = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()


def moto_auth(moto_url: str, enabled: bool) -> None:
    """Turn moto's IAM authentication on (real AccessDenied, InvalidClientTokenId) or off."""
    _post(f"{moto_url}/moto-api/reset-auth", b"0" if enabled else b"inf")


@pytest.fixture
def sts_endpoint(
    moto_server: str, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    _post(f"{moto_server}/moto-api/reset")
    moto_auth(moto_server, False)
    sts_proxy.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts_proxy.url)
    try:
        yield sts_proxy.url
    finally:
        moto_auth(moto_server, False)
        sts_proxy.reset()


# ---------------------------------------------------------------------------
# helpers for tests
# ---------------------------------------------------------------------------
def write_aws_files(home: Path, config: str, credentials: str | None = None) -> Path:
    """Write ``~/.aws/config`` (and credentials) under the test's HOME; returns the config."""
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    path = aws / "config"
    path.write_text(config)
    if credentials is not None:
        cred = aws / "credentials"
        cred.write_text(credentials)
        cred.chmod(0o600)
    return path


def run_rolecall(
    *args: str,
    env: Mapping[str, str] | None = None,
    input: str | None = None,  # noqa: A002
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """``python -m rolecall ARGS`` as a whole process, with the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "rolecall", *args],
        env=dict(os.environ if env is None else env),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=None if input is not None else subprocess.DEVNULL,
    )


def run_aws(
    args: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The real ``aws`` CLI as a subprocess (never imported into this process)."""
    return subprocess.run(
        ["aws", *args],
        env=dict(os.environ if env is None else env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
