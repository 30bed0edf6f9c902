"""The demo's IAM Identity Center: the local fake (:mod:`rolecall.fakes.sso`), set up.

It assigns the demo's SSO accounts and roles (:data:`~.sample.SSO_ACCOUNTS`),
approves every login :data:`~.sample.SSO_APPROVE_AFTER` seconds after it starts
(so a newcomer sees the whole device-code flow without a browser), and answers
``GetRoleCredentials`` with keys the local STS really issued, for the role
``AWSReservedSSO_<role>_...`` in the requested account, as AWS does: ``whoami``
and a subshell then show the assumed role.  The token a logged-in demo starts
with (:data:`~.sample.SSO_ACCESS_TOKEN`) is accepted too.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

from rolecall.demo.sample import (
    DEMO_ACCESS_KEY_ID,
    SSO_ACCESS_TOKEN,
    SSO_ACCOUNTS,
    SSO_APPROVE_AFTER,
    SSO_CREDENTIALS_SECONDS,
    SSO_START_URL,
    read_root_keys,
)
from rolecall.fakes.sso import FakeSso

__all__ = ["SsoPortal"]


class SsoPortal:
    """The demo's ``sso`` and ``sso-oidc`` endpoint, on 127.0.0.1 (:attr:`endpoint`)."""

    def __init__(
        self,
        sts_endpoint: str,
        credentials_file: str,
        *,
        approve_after: float = SSO_APPROVE_AFTER,
    ) -> None:
        self._sts_endpoint = sts_endpoint
        self._credentials_file = credentials_file
        self._client: Any = None
        self._lock = threading.Lock()
        self.fake = FakeSso(
            start_url=SSO_START_URL,
            interval=1,
            auto_approve_after=approve_after,
            issue_credentials=self._issue,
        )
        for account_id, (name, roles) in SSO_ACCOUNTS.items():
            self.fake.add_account(account_id, name, list(roles), email=f"{name}@example.com")
        self.fake.add_token(SSO_ACCESS_TOKEN, time.time() + 365 * 86400)

    @property
    def endpoint(self) -> str:
        return self.fake.endpoint

    def start(self) -> None:
        self.fake.start()

    def stop(self) -> None:
        self.fake.stop()

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

    def _issue(self, account_id: str, role: str) -> dict[str, Any]:
        """``roleCredentials`` for ``role`` in ``account_id``, issued by the local STS."""
        arn = (
            f"arn:aws:iam::{account_id}:role/aws-reserved/sso.amazonaws.com/"
            f"AWSReservedSSO_{role}_2f8e1c3b4a5d6e7f"
        )
        response = self._sts().assume_role(
            RoleArn=arn, RoleSessionName="demo-user", DurationSeconds=SSO_CREDENTIALS_SECONDS
        )
        creds = response["Credentials"]
        expiration: dt.datetime = creds["Expiration"]
        return {
            "accessKeyId": creds["AccessKeyId"],
            "secretAccessKey": creds["SecretAccessKey"],
            "sessionToken": creds["SessionToken"],
            "expiration": int(expiration.timestamp() * 1000),
        }
