"""What an assume reports and returns: progress events, credentials and the result.

These are the types a cache hit touches, so they are :class:`~rolecall.core._record.Record`
subclasses, not dataclasses (``import dataclasses`` costs a cache hit about
10 ms).  No secret ever reaches a ``repr``, ``str`` or :meth:`AssumeResult.to_json`.
This module must not import boto3 or botocore.
"""

from __future__ import annotations

from rolecall.core._record import Record
from rolecall.core.cache import entries as _entries
from rolecall.core.cache import timestamps as _timestamps

TYPE_CHECKING = False  # (not typing.TYPE_CHECKING: importing typing costs a cache hit)
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from datetime import datetime
    from typing import Any

    #: ``progress(event)``: called for every step of an assume
    ProgressCallback = Callable[["ProgressEvent"], None]
    #: ``factory(service, *, access_key_id, secret_access_key, session_token, region,
    #: endpoint_url)`` -> a boto3 client
    ClientFactory = Callable[..., Any]
else:  # the same names at run time, without importing typing
    ProgressCallback = "Callable[[ProgressEvent], None]"
    ClientFactory = "Callable[..., Any]"

__all__ = [
    "AssumeResult",
    "ClientFactory",
    "Credentials",
    "ProgressCallback",
    "ProgressEvent",
    "expiry_utc",
]


class ProgressEvent(Record):
    """One step of an assume.

    ``kind`` is ``root``, ``assume``, ``cache-hit``, ``warning``, ``done`` or ``failed``.
    """

    __slots__ = ("kind", "profile", "message", "step", "total", "arn", "expiration", "hint")
    _fields = __slots__

    def __init__(
        self,
        kind: str,
        profile: str,
        message: str,
        step: int = 0,
        total: int = 0,
        arn: str | None = None,
        expiration: datetime | None = None,
        hint: str | None = None,
    ) -> None:
        self.kind = kind
        self.profile = profile
        self.message = message
        self.step = step
        self.total = total
        self.arn = arn
        self.expiration = expiration
        self.hint = hint


class Credentials(Record):
    """AWS credentials.  ``repr()`` shows the key id and expiry, never the secret or token."""

    __slots__ = ("access_key_id", "secret_access_key", "session_token", "expiration")
    _fields = __slots__

    def __init__(
        self,
        access_key_id: str,
        secret_access_key: str,
        session_token: str | None,
        expiration: datetime | None = None,
    ) -> None:
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.session_token = session_token
        self.expiration = expiration

    @classmethod
    def from_entry(cls, entry: _entries.CacheEntry) -> Credentials:
        """The credentials of a cache entry (the CLI cache, or an MFA session)."""
        return cls(
            entry.access_key_id, entry.secret_access_key, entry.session_token, entry.expiration
        )

    def __repr__(self) -> str:
        exp = self.expiration.isoformat() if self.expiration else None
        token = "set" if self.session_token else None
        return (
            f"Credentials(access_key_id={self.access_key_id!r}, secret_access_key='***', "
            f"session_token={token!r}, expiration={exp!r})"
        )

    __str__ = __repr__


class AssumeResult(Record):
    """What an assume gave: credentials, the assumed ARN, and where they came from.

    ``origin`` is set for a profile that assumes no role: where its credentials
    come from (``the static keys of profile 'x'``).
    """

    __slots__ = (
        "profile",
        "credentials",
        "arn",
        "account_id",
        "expiration",
        "from_cache",
        "region",
        "origin",
    )
    _fields = __slots__

    def __init__(
        self,
        profile: str,
        credentials: Credentials,
        arn: str | None,
        account_id: str | None,
        expiration: datetime | None,
        from_cache: bool,
        region: str | None,
        origin: str | None = None,
    ) -> None:
        self.profile = profile
        self.credentials = credentials
        self.arn = arn
        self.account_id = account_id
        self.expiration = expiration
        self.from_cache = from_cache
        self.region = region
        self.origin = origin

    def to_json(self) -> dict[str, object]:
        """Everything but the secrets (no key id, secret or token)."""
        return {
            "profile": self.profile,
            "arn": self.arn,
            "account_id": self.account_id,
            "expiration": _timestamps.format_expiration(self.expiration)
            if self.expiration
            else None,
            "from_cache": self.from_cache,
            "region": self.region,
        }


def expiry_utc(value: object) -> datetime | None:
    """An expiry (a datetime, or text in one of the cache's shapes) as UTC, to the second.

    >>> expiry_utc("2026-11-28T05:33:55.123Z").isoformat()
    '2026-11-28T05:33:55+00:00'
    >>> expiry_utc("never") is None
    True
    """
    when = _timestamps.parse_expiration(value)
    return None if when is None else when.replace(microsecond=0)
