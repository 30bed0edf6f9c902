"""STS whose sessions really expire: a proxy in front of moto (through ``sts_proxy``).

moto never checks an expiry.  :class:`ExpiryProxy` makes expiry bite, as AWS does:

* it rewrites ``Expiration`` in the answers of ``AssumeRole``, ``GetSessionToken``
  (and the other calls that issue sessions) to ``lifetime`` seconds ahead, and
  remembers each issued access key id with that expiry;
* it answers a request signed with an issued key that has expired with
  ``ExpiredToken`` (HTTP 400), before moto sees it.

Requests go on to ``sts_proxy``, which still counts them (``sts_proxy.count(...)``).

* ``expiring_sts`` (function): the proxy, with ``AWS_ENDPOINT_URL_STS`` pointing
  at it; set ``expiring_sts.lifetimes`` (seconds, per action) before use.
"""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.moto_fixtures import StsProxy

__all__ = ["ExpiryProxy", "expiring_sts"]

#: The calls whose answers hold a session with an ``Expiration``.
ISSUING = ("AssumeRole", "GetSessionToken", "AssumeRoleWithWebIdentity", "GetFederationToken")
_CREDENTIAL_RE = re.compile(r"Credential=([A-Z0-9]+)/")
_EXPIRATION_RE = re.compile(rb"<Expiration>[^<]*</Expiration>")
_AKID_RE = re.compile(rb"<AccessKeyId>([^<]+)</AccessKeyId>")

_EXPIRED = (
    b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<Error><Type>Sender</Type><Code>ExpiredToken</Code>"
    b"<Message>The security token included in the request is expired</Message></Error>"
    b"<RequestId>11111111-1111-1111-1111-111111111111</RequestId></ErrorResponse>"
)


@dataclass
class ExpiryProxy:
    """Forwards to ``upstream``; shortens issued sessions; refuses expired keys."""

    upstream: str
    #: seconds each action's sessions last (actions not listed keep moto's expiry)
    lifetimes: dict[str, float] = field(default_factory=lambda: {action: 6.0 for action in ISSUING})
    url: str = ""
    #: issued access key id -> its (shortened) expiry
    issued: dict[str, datetime] = field(default_factory=dict)
    #: the access key ids refused as expired, in order
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expired(self, akid: str, now: datetime) -> bool:
        with self.lock:
            when = self.issued.get(akid)
        return when is not None and when <= now

    def shorten(self, action: str, body: bytes, now: datetime) -> bytes:
        seconds = self.lifetimes.get(action)
        if seconds is None:
            return body
        when = (now + timedelta(seconds=seconds)).replace(microsecond=0)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        body = _EXPIRATION_RE.sub(b"<Expiration>" + stamp + b"</Expiration>", body)
        match = _AKID_RE.search(body)
        if match:
            with self.lock:
                self.issued[match.group(1).decode()] = when
        return body


def _handler(proxy: ExpiryProxy) -> type[BaseHTTPRequestHandler]:
    upstream = urllib.parse.urlsplit(proxy.upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, status: int, data: bytes, headers: list[tuple[str, str]]) -> None:
            self.send_response(status)
            for key, value in headers:
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            params = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            action = {**query, **params}.get("Action", "")
            signed = _CREDENTIAL_RE.search(self.headers.get("Authorization", ""))
            now = datetime.now(UTC)
            if signed and proxy.expired(signed.group(1), now):
                with proxy.lock:
                    proxy.refused.append(signed.group(1))
                self._reply(400, _EXPIRED, [("Content-Type", "text/xml")])
                return
            conn = http.client.HTTPConnection(upstream.hostname or "", upstream.port, timeout=30)
            conn.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            if resp.status == 200 and action in ISSUING:
                data = proxy.shorten(action, data, datetime.now(UTC))
            self._reply(resp.status, data, resp.getheaders())

        do_GET = do_POST = _forward

    return Handler


@pytest.fixture
def expiring_sts(
    sts_endpoint: str, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ExpiryProxy]:
    proxy = ExpiryProxy(sts_proxy.url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", proxy.url)
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
