"""A local stand-in for the IAM Identity Center portal: moto has none.

The demo's SSO profile gets its role credentials from here (``AWS_ENDPOINT_URL_SSO``),
and they are keys the local STS really issued, so ``whoami`` and a subshell
show the assumed role as they would against AWS.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import re
import threading
import urllib.parse
from collections.abc import Mapping
from typing import Any

from rolecall.demo.sample import (
    DEMO_ACCESS_KEY_ID,
    SSO_ACCESS_TOKEN,
    SSO_CREDENTIALS_SECONDS,
    read_root_keys,
)

__all__ = ["SsoPortal"]


class SsoPortal:
    """A local stand-in for the IAM Identity Center portal (moto has none).

    It answers ``GetRoleCredentials`` (``GET /federation/credentials``) for the
    demo's SSO token with keys that the local STS issues, for the role
    ``AWSReservedSSO_<role_name>_...`` in the requested account, as AWS does.
    Any other token gets ``UnauthorizedException``; any other call, a 404.
    """

    def __init__(self, sts_endpoint: str, credentials_file: str) -> None:
        self._sts_endpoint = sts_endpoint
        self._credentials_file = credentials_file
        self._client: Any = None
        self._lock = threading.Lock()
        portal = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                headers_in = {k.lower(): v for k, v in self.headers.items()}
                status, headers, body = portal.handle(self.path, headers_in)
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # never draw over the UI

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="rolecall-demo-sso",
            daemon=True,
        )

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _sts(self) -> Any:
        with self._lock:
            if self._client is None:
                import boto3

                keys = read_root_keys(self._credentials_file) or (DEMO_ACCESS_KEY_ID, "x")
                self._client = boto3.session.Session().client(
                    "sts",
                    endpoint_url=self._sts_endpoint,
                    region_name="us-east-1",
                    aws_access_key_id=keys[0],
                    aws_secret_access_key=keys[1],
                )
            return self._client

    def handle(self, path: str, headers: Mapping[str, str]) -> _Reply:
        """The status, extra headers and JSON body for one GET (``headers`` lowercased)."""
        url = urllib.parse.urlsplit(path)
        if url.path != "/federation/credentials":
            return _sso_error(404, "ResourceNotFoundException", "not supported by the demo")
        if headers.get("x-amz-sso_bearer_token") != SSO_ACCESS_TOKEN:
            return _sso_error(401, "UnauthorizedException", "Session token not found or invalid")
        query = urllib.parse.parse_qs(url.query)
        role = (query.get("role_name") or [""])[0]
        account = (query.get("account_id") or [""])[0]
        if not re.fullmatch(r"\d{12}", account) or not re.fullmatch(r"[\w+=,.@-]{1,32}", role):
            return _sso_error(400, "InvalidRequestException", "bad role_name or account_id")
        arn = (
            f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/"
            f"AWSReservedSSO_{role}_2f8e1c3b4a5d6e7f"
        )
        try:
            response = self._sts().assume_role(
                RoleArn=arn, RoleSessionName="demo-user", DurationSeconds=SSO_CREDENTIALS_SECONDS
            )
        except Exception as exc:  # answered as AWS would: an error, never a crash
            return _sso_error(500, "InternalServerException", type(exc).__name__)
        creds = response["Credentials"]
        expiration: dt.datetime = creds["Expiration"]
        body = {
            "roleCredentials": {
                "accessKeyId": creds["AccessKeyId"],
                "secretAccessKey": creds["SecretAccessKey"],
                "sessionToken": creds["SessionToken"],
                "expiration": int(expiration.timestamp() * 1000),
            }
        }
        return 200, {}, body


_Reply = tuple[int, dict[str, str], dict[str, Any]]


def _sso_error(status: int, code: str, message: str) -> _Reply:
    return status, {"x-amzn-ErrorType": code}, {"message": message}
