"""The credentials endpoint over real HTTP: who it answers, what it says, and botocore reading it.

Plain ``http.client`` requests for the refusals (token, Host, path, method,
garbage), and botocore's own ``ContainerProvider`` in a subprocess for the
answers an SDK sees.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from rolecall.core.serve.keeper import Held, Refusal
from rolecall.core.serve.server import PATH, CredentialServer
from rolecall.core.sts import Credentials

SECRET = "endpointSECRETkey/000000000000000000000000"
TOKEN = "endpointSESSIONtoken000000000000000000"
EXPIRES = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


class Source:
    def __init__(self) -> None:
        self.answer: Held | Refusal = Held(
            Credentials("ASIAENDPOINT0001", SECRET, TOKEN, EXPIRES),
            "123456789012",
            EXPIRES - timedelta(hours=1),
        )
        self.calls = 0

    def __call__(self) -> Held | Refusal:
        self.calls += 1
        return self.answer


@pytest.fixture
def source() -> Source:
    return Source()


@pytest.fixture
def server(source: Source) -> Iterator[CredentialServer]:
    with CredentialServer(source) as srv:
        yield srv


def request(
    srv: CredentialServer,
    *,
    token: str | None = None,
    host: str | None = None,
    path: str = PATH,
    method: str = "GET",
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host if host is not None else f"127.0.0.1:{srv.port}")
    if token is not None:
        conn.putheader("Authorization", token)
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


def test_the_right_token_gets_the_credentials(server: CredentialServer) -> None:
    status, body = request(server, token=server.token)
    assert status == 200
    assert json.loads(body) == {
        "AccessKeyId": "ASIAENDPOINT0001",
        "SecretAccessKey": SECRET,
        "Token": TOKEN,
        "Expiration": "2030-01-02T03:04:05Z",
        "AccountId": "123456789012",
    }


@pytest.mark.parametrize(
    "token",
    [None, "", "wrong", "Bearer {token}", "{token}x", "{token_prefix}"],
    ids=["missing", "empty", "wrong", "bearer", "longer", "prefix"],
)
def test_a_wrong_or_missing_token_gets_401_and_no_body(
    server: CredentialServer, source: Source, token: str | None
) -> None:
    if token is not None:
        token = token.format(token=server.token, token_prefix=server.token[:-1])
    status, body = request(server, token=token)
    assert (status, body) == (401, b"")
    assert source.calls == 0


@pytest.mark.parametrize(
    "host",
    ["localhost:{port}", "127.0.0.1", "evil.example:{port}", "127.0.0.1:1", ""],
)
def test_another_host_header_is_refused(
    server: CredentialServer, source: Source, host: str
) -> None:
    status, body = request(server, token=server.token, host=host.format(port=server.port))
    assert (status, body) == (421, b"")
    assert source.calls == 0


def test_other_paths_and_methods_get_no_body(server: CredentialServer, source: Source) -> None:
    assert request(server, token=server.token, path="/") == (404, b"")
    assert request(server, token=server.token, path=PATH + "/x") == (404, b"")
    assert request(server, token=server.token, method="POST") == (405, b"")
    assert request(server, token=server.token, method="DELETE") == (405, b"")
    assert source.calls == 0


def test_garbage_gets_400_and_no_echo(server: CredentialServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01 <script>alert(1)</script> HTTP/9\r\n\r\n")
        data = sock.recv(4096)
    assert data.startswith(b"HTTP/1.1 400")
    assert b"script" not in data
    assert data.endswith(b"\r\n\r\n")  # headers only


def test_a_refusal_is_its_status_and_json(server: CredentialServer, source: Source) -> None:
    source.answer = Refusal(403, "MfaRequired", "run `rolecall assume dev` in this shell")
    status, body = request(server, token=server.token)
    assert status == 403
    assert json.loads(body) == {
        "code": "MfaRequired",
        "message": "run `rolecall assume dev` in this shell",
    }


def test_it_listens_on_127_0_0_1_only(server: CredentialServer) -> None:
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", server.port), timeout=2).close()
    with pytest.raises(OSError):
        socket.create_connection(("::1", server.port), timeout=2).close()


def test_stop_is_prompt_and_final(source: Source) -> None:
    srv = CredentialServer(source)
    srv.start()
    assert request(srv, token=srv.token)[0] == 200
    t0 = time.perf_counter()
    srv.stop()
    assert time.perf_counter() - t0 < 0.5
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()


def test_each_server_has_its_own_token(source: Source) -> None:
    with CredentialServer(source) as one, CredentialServer(source) as two:
        assert one.token != two.token and len(one.token) >= 40
        assert request(one, token=two.token)[0] == 401


def test_nothing_is_logged(server: CredentialServer, capfd: pytest.CaptureFixture[str]) -> None:
    request(server, token=server.token)
    request(server, token="wrong")
    request(server, token=server.token, host="evil:1")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


BOTOCORE_PROBE = """
import json
from botocore.credentials import ContainerProvider
from botocore.exceptions import CredentialRetrievalError
try:
    creds = ContainerProvider().load().get_frozen_credentials()
    print(json.dumps({"key": creds.access_key, "token": creds.token}))
except CredentialRetrievalError as exc:
    print(json.dumps({"error": str(exc)}))
"""


def botocore_reads(srv: CredentialServer, token: str) -> dict[str, str]:
    env = dict(os.environ)
    env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = srv.url
    env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token
    out = subprocess.run(
        [sys.executable, "-c", BOTOCORE_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, str] = json.loads(out.stdout)
    return result


def test_botocore_reads_the_credentials(server: CredentialServer) -> None:
    assert botocore_reads(server, server.token) == {"key": "ASIAENDPOINT0001", "token": TOKEN}


def test_botocore_shows_a_refusal_as_one_line(server: CredentialServer, source: Source) -> None:
    source.answer = Refusal(
        403,
        "MfaRequired",
        "rolecall cannot refresh profile dev: an MFA code is needed; "
        "run `rolecall assume dev` in this shell to enter a new MFA code",
    )
    error = botocore_reads(server, server.token)["error"]
    assert "Received non 200 response 403 from container metadata" in error
    assert "run `rolecall assume dev` in this shell to enter a new MFA code" in error
    assert "\n" not in error
    assert source.calls == 3  # botocore's three attempts


def test_botocore_with_a_wrong_token_is_refused(server: CredentialServer) -> None:
    error = botocore_reads(server, "not-the-token")["error"]
    assert "Received non 200 response 401" in error
