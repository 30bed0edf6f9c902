"""A faithful local fake of IAM Identity Center: the ``sso-oidc`` and ``sso`` (portal) APIs.

moto has neither service.  :class:`FakeSso` answers both on one port of
127.0.0.1, in rest-json as AWS does, so that botocore's own clients (pointed at
it with ``AWS_ENDPOINT_URL_SSO_OIDC`` and ``AWS_ENDPOINT_URL_SSO``) parse every
answer, error shapes included::

    POST /client/register         RegisterClient
    POST /device_authorization    StartDeviceAuthorization
    POST /token                   CreateToken (device_code and refresh_token grants)
    GET  /assignment/accounts     ListAccounts        (x-amz-sso_bearer_token)
    GET  /assignment/roles        ListAccountRoles    (x-amz-sso_bearer_token)
    GET  /federation/credentials  GetRoleCredentials  (x-amz-sso_bearer_token)
    POST /logout                  Logout              (x-amz-sso_bearer_token)
    GET  /device?user_code=...    the verification page; /device/approve approves

An error is what AWS sends: the status, an ``x-amzn-ErrorType`` header
(``Code:http://internal.amazon.com/coral/...``, which botocore splits at the
colon) and a JSON body: ``{"error": "authorization_pending",
"error_description": ...}`` for OIDC, ``{"message": ...}`` for the portal.

Tests (and the demo) steer it: :meth:`approve` or :meth:`deny` a device code,
``auto_approve_after`` seconds, :meth:`expire_tokens`, :meth:`throttle` the
portal, :meth:`slow_down` the polling, ``latency`` added to every call; and
read what happened: :attr:`calls`, :meth:`count`, :attr:`max_in_flight`.

Only the standard library: the demo ships this module.
"""

from __future__ import annotations

import contextlib
import html
import http.server
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Account", "Call", "DeviceAuthorization", "FakeSso", "IssuedSession"]

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_GRANT = "refresh_token"
_ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"
#: OIDC error codes and the ``error`` field AWS sends with them.
_OIDC_ERRORS = {
    "AccessDeniedException": "access_denied",
    "AuthorizationPendingException": "authorization_pending",
    "ExpiredTokenException": "expired_token",
    "InternalServerException": "server_error",
    "InvalidClientException": "invalid_client",
    "InvalidClientMetadataException": "invalid_client_metadata",
    "InvalidGrantException": "invalid_grant",
    "InvalidRequestException": "invalid_request",
    "InvalidScopeException": "invalid_scope",
    "SlowDownException": "slow_down",
    "UnsupportedGrantTypeException": "unsupported_grant_type",
}
_OIDC_ROUTES = {
    ("POST", "/client/register"): "RegisterClient",
    ("POST", "/device_authorization"): "StartDeviceAuthorization",
    ("POST", "/token"): "CreateToken",
}
_PORTAL_ROUTES = {
    ("GET", "/assignment/accounts"): "ListAccounts",
    ("GET", "/assignment/roles"): "ListAccountRoles",
    ("GET", "/federation/credentials"): "GetRoleCredentials",
    ("POST", "/logout"): "Logout",
}
_PAGE_DEFAULT = 20
_PAGE_MAX = 100

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Account:
    """An account assigned to the signed-in user, with the roles (permission sets) it grants."""

    account_id: str
    name: str
    email: str
    roles: list[str]


@dataclass
class DeviceAuthorization:
    """One ``StartDeviceAuthorization``: pending until approved, denied or expired."""

    device_code: str
    user_code: str
    client_id: str
    start_url: str
    created: float
    expires: float
    state: str = "pending"  # pending | approved | denied | used
    last_poll: float | None = None


@dataclass
class Call:
    """One request the fake answered: the operation, its status and its parameters."""

    operation: str
    status: int
    params: dict[str, str]


@dataclass(frozen=True)
class IssuedSession:
    """A registration and a token minted directly (for tests that write a token file)."""

    client_id: str
    client_secret: str = field(repr=False)
    registration_expires: float
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires: float


@dataclass
class _Client:
    client_id: str
    secret: str
    expires: float
    scopes: list[str]


@dataclass
class _Token:
    client_id: str
    expires: float
    refresh_token: str | None


def _credentials(account_id: str, role: str) -> dict[str, Any]:
    del account_id, role
    return {
        "accessKeyId": "ASIA" + secrets.token_hex(8).upper(),
        "secretAccessKey": secrets.token_urlsafe(30),
        "sessionToken": secrets.token_urlsafe(60),
        "expiration": int((time.time() + 3600) * 1000),
    }


class FakeSso:
    """Both SSO APIs on ``http://127.0.0.1:PORT`` (:attr:`endpoint`); a context manager.

    ``start_url``: the portal's start URL (``StartDeviceAuthorization`` refuses
    another; None accepts any).  ``interval`` and ``device_expires_in``: what a
    device authorization tells the client.  ``token_expires_in``: the access
    token's life.  ``issue_credentials(account_id, role)``: the
    ``roleCredentials`` of ``GetRoleCredentials`` (default: made-up keys valid
    an hour).  ``clock``: seconds since the epoch (tests move time).
    """

    def __init__(
        self,
        *,
        start_url: str | None = None,
        interval: int = 1,
        device_expires_in: int = 600,
        token_expires_in: int = 8 * 3600,
        registration_expires_in: int = 90 * 86400,
        latency: float = 0.0,
        auto_approve_after: float | None = None,
        issue_credentials: Callable[[str, str], dict[str, Any]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.start_url = start_url
        self.interval = interval
        self.device_expires_in = device_expires_in
        self.token_expires_in = token_expires_in
        self.registration_expires_in = registration_expires_in
        #: Seconds each call waits before it is answered (all routes).
        self.latency = latency
        #: Approve each device authorization this many seconds after it starts (the demo).
        self.auto_approve_after = auto_approve_after
        #: Answer refresh_token grants with a new refresh token (AWS does).
        self.rotate_refresh_tokens = True
        self.clock = clock
        self._issue = issue_credentials or _credentials
        self.accounts: dict[str, Account] = {}
        self.calls: list[Call] = []
        self.authorizations: list[DeviceAuthorization] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._clients: dict[str, _Client] = {}
        self._tokens: dict[str, _Token] = {}
        self._refresh: dict[str, str] = {}  # refresh token -> client id
        self._throttle: dict[str, int] = {}
        self._slow_down = 0
        self._lock = threading.RLock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ life
    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def env(self) -> dict[str, str]:
        """The variables that point botocore (and the AWS CLI) at this fake."""
        return {"AWS_ENDPOINT_URL_SSO": self.endpoint, "AWS_ENDPOINT_URL_SSO_OIDC": self.endpoint}

    def start(self) -> FakeSso:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="rolecall-fake-sso",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeSso:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -------------------------------------------------------------- setting up
    def add_account(
        self, account_id: str, name: str, roles: list[str], email: str | None = None
    ) -> Account:
        """Assign an account and its roles to the user (order kept, as AWS lists them)."""
        account = Account(account_id, name, email or f"aws+{account_id}@example.com", list(roles))
        with self._lock:
            self.accounts[account_id] = account
        return account

    def add_accounts(self, count: int, roles: list[str], first_id: int = 100000000000) -> None:
        """``count`` accounts named ``account-0001``..., each granting ``roles``."""
        for i in range(count):
            self.add_account(str(first_id + i), f"account-{i + 1:04d}", roles)

    def issue_session(
        self, *, expires_in: float | None = None, registration_expires_in: float | None = None
    ) -> IssuedSession:
        """Register a client and mint a token for it, as a finished login would."""
        now = self.clock()
        reg = registration_expires_in
        client = self._new_client([], now + (self.registration_expires_in if reg is None else reg))
        life = self.token_expires_in if expires_in is None else expires_in
        access, refresh = self._mint(client.client_id, now + life)
        assert refresh is not None
        return IssuedSession(
            client.client_id, client.secret, client.expires, access, refresh, now + life
        )

    def add_token(self, access_token: str, expires: float) -> None:
        """Accept a token the caller chose (one a demo writes before the fake runs)."""
        with self._lock:
            self._tokens[access_token] = _Token("", expires, None)

    # -------------------------------------------------------------- steering
    def approve(self, user_code: str | None = None) -> int:
        """Approve the pending device authorization(s) (of ``user_code``); how many."""
        return self._settle(user_code, "approved")

    def deny(self, user_code: str | None = None) -> int:
        """The user refuses: the next ``CreateToken`` answers ``AccessDeniedException``."""
        return self._settle(user_code, "denied")

    def expire_device_codes(self) -> None:
        """Every pending device code expires now (``ExpiredTokenException``)."""
        with self._lock:
            for auth in self.authorizations:
                auth.expires = min(auth.expires, self.clock() - 1)

    def expire_tokens(self) -> None:
        """Every access token expires now (the portal answers ``UnauthorizedException``);
        refresh tokens stay valid."""
        with self._lock:
            for token in self._tokens.values():
                token.expires = min(token.expires, self.clock() - 1)

    def forget_clients(self) -> None:
        """Every client registration becomes unknown (``InvalidClientException``)."""
        with self._lock:
            self._clients.clear()

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token stops working (``InvalidGrantException``)."""
        with self._lock:
            self._refresh.clear()

    def throttle(self, times: int, operation: str = "*") -> None:
        """The next ``times`` portal calls (of ``operation``, or any) answer 429
        ``TooManyRequestsException``."""
        with self._lock:
            self._throttle[operation] = self._throttle.get(operation, 0) + times

    def slow_down(self, times: int = 1) -> None:
        """The next ``times`` device-code polls answer ``SlowDownException``."""
        with self._lock:
            self._slow_down += times

    def valid_token(self, access_token: str) -> bool:
        """Whether the portal would accept ``access_token`` now."""
        with self._lock:
            token = self._tokens.get(access_token)
            return token is not None and token.expires > self.clock()

    def count(self, operation: str, status: int | None = None) -> int:
        """How many calls of ``operation`` were answered (with ``status``)."""
        with self._lock:
            return sum(
                1
                for c in self.calls
                if c.operation == operation and (status is None or c.status == status)
            )

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()
            self.max_in_flight = 0

    def pending(self) -> list[DeviceAuthorization]:
        with self._lock:
            return [a for a in self.authorizations if a.state == "pending"]

    @contextlib.contextmanager
    def added_latency(self, seconds: float) -> Iterator[None]:
        old = self.latency
        self.latency = seconds
        try:
            yield
        finally:
            self.latency = old

    # -------------------------------------------------------------- internals
    def _settle(self, user_code: str | None, state: str) -> int:
        with self._lock:
            done = 0
            for auth in self.authorizations:
                if auth.state == "pending" and user_code in (None, auth.user_code):
                    auth.state = state
                    done += 1
            return done

    def _new_client(self, scopes: list[str], expires: float) -> _Client:
        client = _Client(
            "fake-client-" + secrets.token_hex(8), secrets.token_urlsafe(32), expires, scopes
        )
        with self._lock:
            self._clients[client.client_id] = client
        return client

    def _mint(self, client_id: str, expires: float) -> tuple[str, str | None]:
        access = "fake-access-" + secrets.token_urlsafe(24)
        refresh = "fake-refresh-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access] = _Token(client_id, expires, refresh)
            self._refresh[refresh] = client_id
        return access, refresh

    def _handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as botocore's pool expects
            # headers and body go out in two writes: without TCP_NODELAY the second
            # waits for the client's delayed ACK (40 ms a call on Linux)
            disable_nagle_algorithm = True

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, data = fake.handle(method, self.path, headers, body)
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass  # never draw over a terminal UI

        return Handler

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Answer one request (``headers`` lowercased): status, headers, body."""
        url = urllib.parse.urlsplit(target)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        key = (method, url.path)
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if self.latency > 0:
                time.sleep(self.latency)
            if key in _OIDC_ROUTES:
                operation = _OIDC_ROUTES[key]
                status, extra, data = self._oidc(operation, body)
            elif key in _PORTAL_ROUTES:
                operation = _PORTAL_ROUTES[key]
                status, extra, data = self._portal(operation, query, headers)
            elif method == "GET" and url.path in ("/device", "/device/approve"):
                operation = "Device"
                status, extra, data = self._device_page(url.path, query)
            else:
                operation = "Unknown"
                status, extra, data = _portal_error(
                    404, "ResourceNotFoundException", "no such route"
                )
        finally:
            with self._lock:
                self._in_flight -= 1
        params = dict(query)
        with self._lock:
            self.calls.append(Call(operation, status, params))
        return status, extra, data

    # ------------------------------------------------------------------ OIDC
    def _oidc(self, operation: str, body: bytes) -> Reply:
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            return _oidc_error(400, "InvalidRequestException", "the body is not JSON")
        if not isinstance(doc, dict):
            return _oidc_error(400, "InvalidRequestException", "the body is not an object")
        if operation == "RegisterClient":
            return self._register(doc)
        if operation == "StartDeviceAuthorization":
            return self._start_device(doc)
        return self._create_token(doc)

    def _register(self, doc: dict[str, Any]) -> Reply:
        if not doc.get("clientName"):
            return _oidc_error(400, "InvalidRequestException", "clientName is required")
        if doc.get("clientType") != "public":
            return _oidc_error(400, "InvalidClientMetadataException", "clientType must be public")
        scopes = doc.get("scopes") or []
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            return _oidc_error(400, "InvalidScopeException", "scopes must be strings")
        now = self.clock()
        client = self._new_client(scopes, now + self.registration_expires_in)
        return _ok(
            {
                "clientId": client.client_id,
                "clientSecret": client.secret,
                "clientIdIssuedAt": int(now),
                "clientSecretExpiresAt": int(client.expires),
            }
        )

    def _client_problem(self, doc: Mapping[str, Any]) -> Reply | None:
        with self._lock:
            client = self._clients.get(str(doc.get("clientId")))
        if client is None or client.secret != doc.get("clientSecret"):
            return _oidc_error(401, "InvalidClientException", "invalid client credentials")
        if client.expires <= self.clock():
            return _oidc_error(401, "InvalidClientException", "the client registration expired")
        return None

    def _start_device(self, doc: dict[str, Any]) -> Reply:
        problem = self._client_problem(doc)
        if problem is not None:
            return problem
        start = doc.get("startUrl")
        if not isinstance(start, str) or (self.start_url is not None and start != self.start_url):
            return _oidc_error(400, "InvalidRequestException", "unknown start URL")
        now = self.clock()
        letters = "BCDFGHJKLMNPQRSTVWXZ"
        code = "".join(secrets.choice(letters) for _ in range(8))
        auth = DeviceAuthorization(
            device_code="fake-device-" + secrets.token_urlsafe(24),
            user_code=f"{code[:4]}-{code[4:]}",
            client_id=str(doc["clientId"]),
            start_url=start,
            created=now,
            expires=now + self.device_expires_in,
        )
        with self._lock:
            self.authorizations.append(auth)
        verify = f"{self.endpoint}/device"
        return _ok(
            {
                "deviceCode": auth.device_code,
                "userCode": auth.user_code,
                "verificationUri": verify,
                "verificationUriComplete": f"{verify}?user_code={auth.user_code}",
                "expiresIn": self.device_expires_in,
                "interval": self.interval,
            }
        )

    def _create_token(self, doc: dict[str, Any]) -> Reply:
        grant = doc.get("grantType")
        if grant not in (DEVICE_GRANT, REFRESH_GRANT):
            return _oidc_error(400, "UnsupportedGrantTypeException", f"unsupported grant {grant}")
        problem = self._client_problem(doc)
        if problem is not None:
            return problem
        client_id = str(doc["clientId"])
        if grant == REFRESH_GRANT:
            return self._refresh_grant(client_id, doc.get("refreshToken"))
        return self._device_grant(client_id, doc.get("deviceCode"))

    def _device_grant(self, client_id: str, device_code: object) -> Reply:
        now = self.clock()
        with self._lock:
            auth = next((a for a in self.authorizations if a.device_code == device_code), None)
            if auth is None or auth.client_id != client_id or auth.state == "used":
                return _oidc_error(400, "InvalidGrantException", "invalid device code")
            if auth.expires <= now:
                return _oidc_error(400, "ExpiredTokenException", "the device code expired")
            if self._slow_down > 0:
                self._slow_down -= 1
                return _oidc_error(400, "SlowDownException", "polling too fast")
            auto = self.auto_approve_after
            if auth.state == "pending" and auto is not None and now - auth.created >= auto:
                auth.state = "approved"
            if auth.state == "denied":
                return _oidc_error(400, "AccessDeniedException", "the user denied the request")
            if auth.state == "pending":
                auth.last_poll = now
                return _oidc_error(400, "AuthorizationPendingException", "not yet approved")
            auth.state = "used"
        access, refresh = self._mint(client_id, now + self.token_expires_in)
        return _ok(
            {
                "accessToken": access,
                "tokenType": "Bearer",
                "expiresIn": self.token_expires_in,
                "refreshToken": refresh,
            }
        )

    def _refresh_grant(self, client_id: str, refresh_token: object) -> Reply:
        with self._lock:
            owner = self._refresh.get(str(refresh_token))
            if owner is None or owner != client_id:
                return _oidc_error(400, "InvalidGrantException", "invalid refresh token")
            if self.rotate_refresh_tokens:
                del self._refresh[str(refresh_token)]
        now = self.clock()
        access, new_refresh = self._mint(client_id, now + self.token_expires_in)
        answer: dict[str, Any] = {
            "accessToken": access,
            "tokenType": "Bearer",
            "expiresIn": self.token_expires_in,
        }
        if self.rotate_refresh_tokens:
            answer["refreshToken"] = new_refresh
        else:
            with self._lock:  # the old refresh token stays the only one
                self._refresh.pop(str(new_refresh), None)
                token = self._tokens[access]
                token.refresh_token = str(refresh_token)
        return _ok(answer)

    # ---------------------------------------------------------------- portal
    def _portal(
        self, operation: str, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> Reply:
        with self._lock:
            for name in (operation, "*"):
                if self._throttle.get(name, 0) > 0:
                    self._throttle[name] -= 1
                    return _portal_error(429, "TooManyRequestsException", "Too many requests")
        bearer = headers.get("x-amz-sso_bearer_token", "")
        if not self.valid_token(bearer):
            return _portal_error(401, "UnauthorizedException", "Session token not found or invalid")
        if operation == "Logout":
            with self._lock:
                token = self._tokens.pop(bearer, None)
                if token is not None and token.refresh_token:
                    self._refresh.pop(token.refresh_token, None)
            return 200, {"Content-Type": "application/json"}, b""
        if operation == "ListAccounts":
            with self._lock:
                items = [
                    {"accountId": a.account_id, "accountName": a.name, "emailAddress": a.email}
                    for a in self.accounts.values()
                ]
            return _page(items, "accountList", query)
        account = self.accounts.get(query.get("account_id", ""))
        if operation == "ListAccountRoles":
            if account is None:
                return _portal_error(404, "ResourceNotFoundException", "account not assigned")
            items = [{"roleName": r, "accountId": account.account_id} for r in account.roles]
            return _page(items, "roleList", query)
        role = query.get("role_name", "")
        if account is None or role not in account.roles:
            return _portal_error(403, "ForbiddenException", "No access")
        try:
            issued = self._issue(account.account_id, role)
        except Exception as exc:  # answered as AWS would: an error, never a crash
            return _portal_error(500, "InternalServerException", type(exc).__name__)
        return _ok({"roleCredentials": issued})

    # ---------------------------------------------------------- device page
    def _device_page(self, path: str, query: Mapping[str, str]) -> Reply:
        code = query.get("user_code", "")
        if path == "/device/approve":
            done = self.approve(code) if code else 0
            text = "Request approved: you can close this window." if done else "Nothing to approve."
        else:
            link = f"/device/approve?user_code={urllib.parse.quote(code)}"
            text = f'Code {html.escape(code)}: <a href="{html.escape(link)}">Allow</a>'
        page = f"<!doctype html><title>rolecall fake SSO</title><p>{text}</p>".encode()
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page


def _ok(doc: Mapping[str, Any]) -> Reply:
    return 200, {"Content-Type": "application/json"}, json.dumps(doc).encode("utf-8")


def _oidc_error(status: int, code: str, description: str) -> Reply:
    doc = {"error": _OIDC_ERRORS.get(code, "invalid_request"), "error_description": description}
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code + _ERROR_TYPE_SUFFIX}
    return status, headers, json.dumps(doc).encode("utf-8")


def _portal_error(status: int, code: str, message: str) -> Reply:
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code + _ERROR_TYPE_SUFFIX}
    return status, headers, json.dumps({"message": message}).encode("utf-8")


def _page(items: list[dict[str, str]], key: str, query: Mapping[str, str]) -> Reply:
    """One page of ``items``: ``max_result`` (1..100, default 20), ``next_token`` an offset."""
    raw_max = query.get("max_result")
    try:
        size = int(raw_max) if raw_max is not None else _PAGE_DEFAULT
    except ValueError:
        return _portal_error(400, "InvalidRequestException", "max_result is not a number")
    if not 1 <= size <= _PAGE_MAX:
        return _portal_error(400, "InvalidRequestException", "max_result must be 1 to 100")
    token = query.get("next_token")
    start = 0
    if token is not None:
        if not token.startswith("page-") or not token[5:].isdigit():
            return _portal_error(400, "InvalidRequestException", "invalid next_token")
        start = int(token[5:])
    doc: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        doc["nextToken"] = f"page-{start + size}"
    return _ok(doc)


def main(argv: list[str] | None = None) -> int:
    """``python -m rolecall.fakes.sso``: run the fake until stdin closes (benchmarks, trying it).

    Prints one JSON line: the endpoint, and a session already logged in
    (``accessToken``, ``refreshToken``, ``clientId``... as :class:`IssuedSession`).
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m rolecall.fakes.sso")
    parser.add_argument("--accounts", type=int, default=3, help="accounts assigned (3)")
    parser.add_argument("--roles", type=int, default=2, help="roles in each account (2)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each call")
    parser.add_argument("--interval", type=int, default=1, help="device-code polling interval")
    parser.add_argument(
        "--approve-after", type=float, default=None, help="approve logins after N seconds"
    )
    args = parser.parse_args(argv)
    fake = FakeSso(
        latency=args.latency, interval=args.interval, auto_approve_after=args.approve_after
    )
    fake.add_accounts(args.accounts, [f"Role{i + 1}" for i in range(args.roles)])
    with fake:
        issued = fake.issue_session()
        line = {
            "endpoint": fake.endpoint,
            "accessToken": issued.access_token,
            "refreshToken": issued.refresh_token,
            "clientId": issued.client_id,
            "clientSecret": issued.client_secret,
            "expires": issued.expires,
            "registrationExpires": issued.registration_expires,
        }
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
        sys.stdin.read()  # until the parent closes it (or exits)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
