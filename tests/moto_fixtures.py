"""A real STS endpoint for the tests: moto's server, behind a small counting proxy.

* ``moto_server`` (session): ``ThreadedMotoServer`` on 127.0.0.1, a free port;
  yields its URL.
* ``sts_proxy`` (session): an HTTP proxy in front of it that records every STS
  request (``Action`` and parameters) and can answer the next requests of an
  action with an error of our choosing (``ExpiredToken``, ``Throttling`` ...).
  It works for subprocesses too (the real ``aws`` CLI, ``rolecall`` itself).
  It also injects network faults (see :class:`StsProxy`): added latency, a
  connection reset in the middle of a response, a raw body (malformed XML, an
  HTML 503 page), or moto's answer rewritten (an ``Expiration`` in the past);
  :func:`refused_url` gives a URL where nothing listens.
* ``sts_endpoint`` (function): resets moto (state and auth mode) and the proxy,
  sets ``AWS_ENDPOINT_URL_STS`` to the proxy and yields that URL.
"""

from __future__ import annotations

import http.client
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    "refused_url",
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
    """One injected fault, for the next ``times`` requests of ``action`` ("*": any)
    whose parameters include every item of ``match``.

    ``kind`` is ``error`` (an STS error document: ``code``, ``message``, ``status``),
    ``delay`` (wait ``delay`` seconds, then forward to moto), ``reset`` (send the
    start of a 200 response, then a TCP reset), ``body`` (answer ``status`` with
    ``body`` as it is) or ``rewrite`` (forward, then pass moto's body through
    ``rewrite``).
    """

    action: str
    code: str = ""
    message: str = ""
    status: int = 400
    times: int = 1
    kind: str = "error"
    delay: float = 0.0
    body: bytes = b""
    content_type: str = "text/xml"
    rewrite: Callable[[bytes], bytes] | None = None
    match: dict[str, str] = field(default_factory=dict)


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
        self,
        action: str,
        code: str,
        message: str = "",
        status: int = 400,
        times: int = 1,
        match: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with the STS error ``code``."""
        self.inject(Fault(action, code, message or code, status, times, match=dict(match or {})))

    def delay(self, action: str, seconds: float, times: int = 1) -> None:
        """Hold the next requests ``seconds`` before forwarding them (latency)."""
        self.inject(Fault(action, kind="delay", delay=seconds, times=times))

    def reset_mid_response(self, action: str, times: int = 1) -> None:
        """Send the headers and part of the body, then reset the connection (RST)."""
        self.inject(Fault(action, kind="reset", times=times))

    def respond(
        self,
        action: str,
        status: int,
        body: bytes,
        content_type: str = "text/xml",
        times: int = 1,
    ) -> None:
        """Answer with ``body`` as it is (malformed XML, an HTML error page ...)."""
        self.inject(
            Fault(
                action,
                kind="body",
                status=status,
                body=body,
                content_type=content_type,
                times=times,
            )
        )

    def rewrite(
        self,
        action: str,
        fn: Callable[[bytes], bytes],
        times: int = 1,
        match: Mapping[str, str] | None = None,
    ) -> None:
        """Forward to moto, then change its answer with ``fn`` before passing it on."""
        self.inject(Fault(action, kind="rewrite", rewrite=fn, times=times, match=dict(match or {})))

    def inject(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.faults.clear()

    def _take_fault(self, action: str, params: Mapping[str, str]) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.action not in (action, "*") or fault.times <= 0:
                    continue
                if any(params.get(k) != v for k, v in fault.match.items()):
                    continue
                fault.times -= 1
                return fault
        return None


def refused_url() -> str:
    """``http://127.0.0.1:PORT`` where nothing listens: a connection there is refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


#: The start of an AssumeRole answer, cut off by a connection reset.
_PARTIAL = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 4096\r\n\r\n"
    b'<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<AssumeRoleResult><Credentials><AccessKeyId>ASIA"
)


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
    host = upstream.hostname or "127.0.0.1"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
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
            fault = proxy._take_fault(action, params) if action else None
            try:
                self._answer(fault, body)
            except OSError:  # the client gave up (a delay beyond its timeout)
                self.close_connection = True

        def _answer(self, fault: Fault | None, body: bytes) -> None:
            if fault is not None and fault.kind == "error":
                self._send(fault.status, _error_xml(fault), "text/xml")
                return
            if fault is not None and fault.kind == "body":
                self._send(fault.status, fault.body, fault.content_type)
                return
            if fault is not None and fault.kind == "reset":
                self.wfile.write(_PARTIAL)
                self.wfile.flush()
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                self.close_connection = True
                return
            if fault is not None and fault.kind == "delay":
                time.sleep(fault.delay)
            conn = http.client.HTTPConnection(host, upstream.port, timeout=30)
            # keep Host as signed by the client: moto checks SigV4 signatures in auth mode
            headers = dict(self.headers.items())
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            if fault is not None and fault.kind == "rewrite" and fault.rewrite is not None:
                data = fault.rewrite(data)
            self.send_response(resp.status)
            for key, value in resp.getheaders():
                if key.lower() in ("content-length", "connection", "transfer-encoding"):
                    continue
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
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
    input: str | None = None,
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
