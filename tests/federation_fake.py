"""A local fake of AWS's federation endpoint (``signin.aws.amazon.com/federation``).

It answers ``getSigninToken`` as AWS does (``{"SigninToken": "..."}``) and records
every request: its parameters and the ``Session`` JSON decoded, so tests check
what rolecall sent.  Queued answers make it refuse (a 400, a body that is not
JSON).  ``ROLECALL_FEDERATION_URL`` points rolecall at it; subprocesses see it
too.  A browser stand-in (:func:`fake_browser`) records the URL it is given to
a 0600 file instead of opening anything.
"""

from __future__ import annotations

import json
import os
import stat
import threading
import urllib.parse
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

__all__ = ["FederationFake", "SigninRequest", "fake_browser", "run_federation", "urls_opened"]


@dataclass
class SigninRequest:
    """One request to the endpoint: its query, and the ``Session`` JSON decoded (if any)."""

    params: dict[str, str]
    session: dict[str, Any] | None


@dataclass
class FederationFake:
    url: str = ""
    requests: list[SigninRequest] = field(default_factory=list)
    #: answers to give instead of a token: (HTTP status, body)
    answers: deque[tuple[int, bytes]] = field(default_factory=deque)
    #: the tokens handed out, in order
    tokens: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refuse(self, status: int = 400, body: bytes = b"Invalid credentials parameter") -> None:
        """Answer the next request with ``status`` and ``body``."""
        with self.lock:
            self.answers.append((status, body))

    def signin_requests(self) -> list[SigninRequest]:
        with self.lock:
            return [r for r in self.requests if r.params.get("Action") == "getSigninToken"]

    def _handle(self, query: str) -> tuple[int, bytes]:
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        try:
            session = json.loads(params["Session"]) if "Session" in params else None
        except ValueError:
            session = None
        with self.lock:
            self.requests.append(SigninRequest(params, session))
            if self.answers:
                return self.answers.popleft()
            token = f"SIGNIN-TOKEN-{len(self.tokens) + 1}-" + "x" * 40
            self.tokens.append(token)
        return 200, json.dumps({"SigninToken": token}).encode()


def _handler(fake: FederationFake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            status, body = fake._handle(urllib.parse.urlsplit(self.path).query)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def run_federation(monkeypatch: pytest.MonkeyPatch) -> Iterator[FederationFake]:
    """Start the fake, point ``ROLECALL_FEDERATION_URL`` at it; stop it afterwards.

    For a fixture: ``yield from run_federation(monkeypatch)``.
    """
    fake = FederationFake()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/federation"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ROLECALL_FEDERATION_URL", fake.url)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def fake_browser(directory: Path) -> tuple[Path, Path]:
    """A ``$BROWSER`` script that appends the URL it is given to a 0600 file.

    Returns ``(script, record)``; the record does not exist until a URL is opened.
    """
    record = directory / "browser-record"
    script = directory / "fake-browser"
    script.write_text(f"#!/bin/sh\numask 077\nprintf '%s\\n' \"$1\" >> '{record}'\n")
    script.chmod(0o700)
    return script, record


def urls_opened(record: Path) -> list[str]:
    """The URLs the fake browser was given (and checks its record is 0600)."""
    if not record.exists():
        return []
    assert stat.S_IMODE(os.stat(record).st_mode) == 0o600
    return record.read_text().splitlines()
