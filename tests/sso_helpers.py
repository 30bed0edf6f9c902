"""Helpers for the SSO tests: the local fake, a sample config, token files in the CLI v2 format.

Each test module makes its own ``fake`` fixture from :func:`running_fake` (the
fake is started per test: its state, calls and clock are the test's own).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from rolecall.core.cache import keys
from rolecall.fakes.sso import FakeSso, IssuedSession

START_URL = "https://d-9067a1b2c3.awsapps.com/start"
REGION = "eu-west-1"
SESSION = "corp"

#: A config with one sso-session, one profile of it, a legacy profile and a static one.
CONFIG = f"""\
# my config, as I like it
[profile base]
region = us-east-1

[sso-session {SESSION}]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = {SESSION}
sso_account_id = 100000000000
sso_role_name = Admin
region = eu-central-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-2
sso_account_id = 100000000001
sso_role_name = ReadOnly
"""


def running_fake(monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Iterator[FakeSso]:
    """A started :class:`FakeSso` with two accounts, and the endpoint variables set."""
    kwargs.setdefault("interval", 0)
    fake = FakeSso(**kwargs)
    fake.add_account("100000000000", "Development", ["Admin", "ReadOnly"])
    fake.add_account("100000000001", "Production", ["ReadOnly"])
    fake.start()
    for key, value in fake.env().items():
        monkeypatch.setenv(key, value)
    try:
        yield fake
    finally:
        fake.stop()


def iso(epoch: float) -> str:
    """``2026-11-28T05:33:55Z`` for a time since the epoch."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def token_document(
    issued: IssuedSession, start_url: str = START_URL, region: str = REGION
) -> dict[str, Any]:
    """A token file as the AWS CLI v2 writes it after ``aws sso login`` (every field)."""
    return {
        "startUrl": start_url,
        "region": region,
        "accessToken": issued.access_token,
        "expiresAt": iso(issued.expires),
        "clientId": issued.client_id,
        "clientSecret": issued.client_secret,
        "registrationExpiresAt": iso(issued.registration_expires),
        "refreshToken": issued.refresh_token,
        "receivedAt": iso(issued.expires - 8 * 3600),
    }


def token_path(ident: str = SESSION) -> Path:
    """``~/.aws/sso/cache/<sha1(ident)>.json`` (ident: a session name or a start URL)."""
    return Path(keys.sso_cache_dir()) / (keys.sha1_hex(ident.encode()) + ".json")


def write_token(document: dict[str, Any], ident: str = SESSION) -> Path:
    """Write a token file as the CLI v2 does (its JSONFileCache: dir 0700, file 0600)."""
    path = token_path(ident)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(json.dumps(document))
    os.chmod(path, 0o600)
    return path


def read_token(ident: str = SESSION) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(token_path(ident).read_text())
    return data
