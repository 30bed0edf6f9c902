"""The SSO token cache, in the AWS CLI v2's exact format, shared both ways.

A token file (``~/.aws/sso/cache/<sha1(session name or start URL)>.json``) is what
``aws sso login`` writes and what botocore's ``SSOTokenProvider`` reads and
refreshes.  rolecall reads, writes and refreshes the same files, with the same
fields, so each tool uses what the other left::

    {"startUrl": "https://d-123.awsapps.com/start", "region": "eu-west-1",
     "accessToken": "...", "expiresAt": "2026-11-28T05:33:55Z",
     "clientId": "...", "clientSecret": "...",
     "registrationExpiresAt": "2027-02-26T05:33:55Z", "refreshToken": "..."}

Files are 0600 in a 0700 directory, written atomically; fields this module does
not know (``receivedAt``...) are kept on rewrite.  The client registration is
also kept where the CLI v2 keeps it (:meth:`SsoSession.registration_key`), so a
``RegisterClient`` is reused by both.

No network and no boto3 here: :mod:`.login` makes the calls.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from rolecall.core.cache import binding, json_files, keys, timestamps
from rolecall.core.sso.session import SsoSession

__all__ = [
    "REFRESH_WINDOW",
    "Registration",
    "Token",
    "delete_token",
    "read_registration",
    "read_token",
    "write_registration",
    "write_token",
]

#: botocore refreshes a token with less than this left (``SSOTokenProvider._REFRESH_WINDOW``).
REFRESH_WINDOW = timedelta(minutes=15)

_REFRESH_KEYS = ("refreshToken", "clientId", "clientSecret", "registrationExpiresAt")


def _now(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else now.astimezone(UTC)


@dataclass(frozen=True)
class Token:
    """A readable token file: the whole document, and what rolecall needs of it.

    ``repr`` never shows the access token, the refresh token or the client secret.
    """

    path: str
    data: Mapping[str, Any] = field(repr=False)
    access_token: str = field(repr=False)
    expires_at: datetime

    def remaining(self, now: datetime | None = None) -> timedelta:
        return self.expires_at - _now(now)

    def expired(self, now: datetime | None = None) -> bool:
        return self.remaining(now) <= timedelta(0)

    def needs_refresh(self, now: datetime | None = None) -> bool:
        """Less than :data:`REFRESH_WINDOW` left: botocore would refresh it now."""
        return self.remaining(now) < REFRESH_WINDOW

    @property
    def registration_expires_at(self) -> datetime | None:
        return timestamps.parse_expiration(self.data.get("registrationExpiresAt"))

    def refreshable(self, now: datetime | None = None) -> bool:
        """Whether the ``refresh_token`` grant can be tried, by botocore's own rule:
        a refresh token, a client id and secret, and a registration not yet expired."""
        if not all(isinstance(self.data.get(k), str) and self.data.get(k) for k in _REFRESH_KEYS):
            return False
        expires = self.registration_expires_at
        return expires is not None and expires > _now(now)


def read_token(session: SsoSession) -> Token | None:
    """The session's token, expired or not; None when missing, corrupt or untrusted.

    A file is read as botocore's ``SSOTokenLoader`` reads it: it must hold
    ``accessToken`` and ``expiresAt``; and it must be a token of the session's
    portal (its ``startUrl``): another portal's token renamed onto this key is
    a miss with one warning (:func:`rolecall.core.cache.read_bound_json`).
    """
    path = session.token_path
    start_url = session.start_url
    data = binding.read_bound_json(path, lambda doc: binding.sso_token_mismatch(doc, start_url))
    if data is None:
        return None
    access = data.get("accessToken")
    expires = timestamps.parse_expiration(data.get("expiresAt"))
    if not isinstance(access, str) or not access or expires is None:
        return None
    return Token(path, data, access, expires)


def write_token(
    session: SsoSession,
    *,
    access_token: str,
    expires_at: datetime,
    registration: Registration | None,
    refresh_token: str | None,
    previous: Mapping[str, Any] | None = None,
) -> Token:
    """Write the session's token file in the CLI v2 format; returns it as read back.

    ``previous`` (the file being replaced) keeps the fields this module does not
    set.  A refresh that returns no new refresh token keeps the old one.
    """
    data: dict[str, Any] = dict(previous or {})
    data.update(
        startUrl=session.start_url,
        region=session.region,
        accessToken=access_token,
        expiresAt=timestamps.format_expiration(expires_at),
    )
    if registration is not None:
        data.update(
            clientId=registration.client_id,
            clientSecret=registration.client_secret,
            registrationExpiresAt=timestamps.format_expiration(registration.expires_at),
        )
    if refresh_token:
        data["refreshToken"] = refresh_token
    json_files.write_private_json(session.token_path, data)
    return Token(
        session.token_path, data, access_token, expires_at.astimezone(UTC).replace(microsecond=0)
    )


def delete_token(session: SsoSession) -> bool:
    """Remove the session's token file; True when there was one."""
    return json_files.remove_private_json(session.token_path)


@dataclass(frozen=True)
class Registration:
    """An OIDC client registration (``RegisterClient``): reused until it expires."""

    client_id: str
    client_secret: str = field(repr=False)
    expires_at: datetime
    scopes: tuple[str, ...] = ()

    def valid(self, now: datetime | None = None, margin: timedelta = REFRESH_WINDOW) -> bool:
        """At least ``margin`` left (the CLI v2 re-registers inside 15 minutes too)."""
        return self.expires_at - _now(now) >= margin

    @classmethod
    def from_token(cls, token: Token) -> Registration | None:
        """The registration a token file carries (``clientId``, ``clientSecret``...)."""
        data = token.data
        cid, secret = data.get("clientId"), data.get("clientSecret")
        expires = token.registration_expires_at
        if isinstance(cid, str) and cid and isinstance(secret, str) and secret and expires:
            return cls(cid, secret, expires)
        return None


def _registration_path(session: SsoSession) -> str:
    return os.path.join(keys.sso_cache_dir(), session.registration_key() + ".json")


def read_registration(session: SsoSession) -> Registration | None:
    """The session's cached registration (the CLI v2's file), if readable."""
    data = json_files.read_private_json(_registration_path(session))
    if data is None:
        return None
    cid, secret = data.get("clientId"), data.get("clientSecret")
    expires = timestamps.parse_expiration(data.get("expiresAt"))
    if not (isinstance(cid, str) and cid and isinstance(secret, str) and secret and expires):
        return None
    scopes = data.get("scopes")
    got = tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else ()
    return Registration(cid, secret, expires, got)


def write_registration(session: SsoSession, registration: Registration) -> None:
    """Keep a registration where the CLI v2 keeps it (``clientId``, ``clientSecret``,
    ``expiresAt``, ``scopes``)."""
    data: dict[str, Any] = {
        "clientId": registration.client_id,
        "clientSecret": registration.client_secret,
        "expiresAt": timestamps.format_expiration(registration.expires_at),
    }
    if registration.scopes:
        data["scopes"] = list(registration.scopes)
    json_files.write_private_json(_registration_path(session), data)


def delete_registration(session: SsoSession) -> bool:
    """Remove the session's cached registration; True when there was one."""
    return json_files.remove_private_json(_registration_path(session))
