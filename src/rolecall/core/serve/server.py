"""The credentials endpoint: the container credentials protocol, on 127.0.0.1 only.

Every AWS SDK and both AWS CLIs read credentials from
``AWS_CONTAINER_CREDENTIALS_FULL_URI`` with ``AWS_CONTAINER_AUTHORIZATION_TOKEN``
as the whole ``Authorization`` header (botocore's ``ContainerProvider``: a GET,
2 s timeout, 3 attempts a second apart).  This server answers that GET:

* ``200`` and ``{"AccessKeyId", "SecretAccessKey", "Token", "Expiration",
  "AccountId"}`` from the :class:`~rolecall.core.serve.keeper.Keeper`;
* ``4xx``/``5xx`` and ``{"code", "message"}`` when the keeper cannot serve
  (botocore shows it: ``Received non 200 response (403) from container
  metadata: {...}``);
* ``401`` with no body for a missing or wrong token (compared in constant
  time), ``421`` with no body for a ``Host`` other than ``127.0.0.1:PORT``
  (a DNS-rebinding page in a browser), ``404``/``405`` with no body for another
  path or method, and ``400`` with no body for what is not HTTP.

It binds 127.0.0.1 only, logs nothing (a request line holds no secret, but
nothing is written anyway), and closes idle connections after a few seconds.
A thread serves each connection, so a slow client never holds up another.
"""

from __future__ import annotations

import hmac
import secrets
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from typing import Any

    from rolecall.core.serve.keeper import Held, Refusal

__all__ = ["CredentialServer", "new_token"]

#: The path of the one resource (any other is 404).
PATH = "/rolecall/credentials"
#: Seconds an idle or slow connection is kept.
IDLE_TIMEOUT = 5.0


def new_token() -> str:
    """A fresh random token: 256 bits, URL-safe (no CR or LF, as botocore requires)."""
    return secrets.token_urlsafe(32)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    #: headers and body go out in two writes: no Nagle wait between them (delayed ACKs
    #: cost a kept-alive client 40 ms a request)
    disable_nagle_algorithm = True
    server_version = "rolecall"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # nothing is logged

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's error page echoes the request; ours has no body at all
        self._empty(code)

    def _empty(self, status: int) -> None:
        self.close_connection = True
        self.request_version = "HTTP/1.1"  # (an unparsable request left 0.9: no status line)
        try:
            self.send_response_only(status)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
        except OSError:
            pass

    def _json(self, status: int, body: bytes) -> None:
        self.send_response_only(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _allowed(self) -> int | None:
        """None when the request may be answered, else the status that refuses it."""
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0] != self.server.host_header:
            return 421
        tokens = self.headers.get_all("Authorization") or []
        given = tokens[0].encode("utf-8", "surrogateescape") if len(tokens) == 1 else b""
        if not hmac.compare_digest(given, self.server.token):
            return 401
        if self.path.split("?", 1)[0] != PATH:
            return 404
        if self.command != "GET":
            return 405
        return None

    def _serve(self) -> None:
        refused = self._allowed()
        if refused is not None:
            self._empty(refused)
            return
        from rolecall.core.serve.keeper import Refusal

        answer = self.server.source()
        if isinstance(answer, Refusal):
            self._json(answer.status, answer.body())
            return
        self._json(200, self.server.encode(answer))

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    host_header: str
    token: bytes
    source: Callable[[], Held | Refusal]
    encode: Callable[[Held], bytes]


class CredentialServer:
    """The endpoint of one child: ``start()``, give the child :attr:`url` and
    :attr:`token`, ``stop()`` when it exits."""

    def __init__(self, source: Callable[[], Held | Refusal], token: str | None = None) -> None:
        import json
        from datetime import UTC, datetime

        self.token = token or new_token()
        if "\r" in self.token or "\n" in self.token:
            raise ValueError("the token may not hold CR or LF")
        self._server = _Server(("127.0.0.1", 0), _Handler, bind_and_activate=True)
        port = self._server.server_address[1]
        self.port: int = port
        self._server.host_header = f"127.0.0.1:{port}"
        self._server.token = self.token.encode("utf-8")
        self._server.source = source

        def encode(held: Held) -> bytes:
            return json.dumps(held.document(datetime.now(UTC))).encode("utf-8")

        self._server.encode = encode
        self._stopping = False
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="rolecall-endpoint", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        self._server.timeout = None  # handle_request blocks until a connection comes
        while not self._stopping:
            self._server.handle_request()

    def stop(self) -> None:
        """Stop accepting at once (a connection wakes the loop), then close the socket."""
        self._stopping = True
        if self._thread is not None:
            while self._thread.is_alive():
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                except OSError:
                    break
                self._thread.join(timeout=0.2)
        self._server.server_close()

    def __enter__(self) -> CredentialServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
