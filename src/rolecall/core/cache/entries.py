"""The CLI cache's entries: :class:`CacheEntry`, read (checked and bound to the role
it is for), written, forgotten.

This is what a cache hit reads, so it imports no more than that path needs.
"""

from __future__ import annotations

import os

from rolecall.core._record import FrozenRecord
from rolecall.core.cache.binding import _bound, role_mismatch
from rolecall.core.cache.json_files import read_private_json, write_private_json
from rolecall.core.cache.keys import cli_cache_dir
from rolecall.core.cache.timestamps import _now, parse_expiration, timedelta
from rolecall.core.cache.trust import _warn

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping
    from datetime import datetime
    from typing import Any

__all__ = [
    "EXPIRY_WINDOW",
    "CacheEntry",
    "credentials_problem",
    "credentials_problem_of",
    "read_entry",
    "read_role_entry",
    "remove_entry",
    "write_entry",
]

#: An entry with less than this left is not reused (the AWS CLI's own rule).
EXPIRY_WINDOW = timedelta(minutes=15)
_HEX = "0123456789abcdef"


def _is_key(key: str) -> bool:
    """A CLI cache key: 40 lower-case hex digits (what ``sha1().hexdigest()`` gives).

    >>> _is_key("51e7b105b5040ce662656c8dc6ab4de70c4de7ad"), _is_key("../" + "0" * 37)
    (True, False)
    """
    return len(key) == 40 and not key.strip(_HEX)


#: The alphabets of what AWS issues: key ids of upper-case letters and digits,
#: secret keys and session tokens in base64 (or its URL-safe form).  Nothing
#: in them means anything to a shell, a dotenv reader or a terminal.  (Checked
#: with ``str.strip``: no pattern to compile on the cache hit's path.)
_KEY_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_BASE64_CHARS = _KEY_ID_CHARS + "abcdefghijklmnopqrstuvwxyz+/=_-"


def credentials_problem(
    access_key_id: str, secret_access_key: str, session_token: str | None
) -> str | None:
    """Why these are not credentials AWS could have issued (never showing them), or None.

    >>> credentials_problem("ASIAEXAMPLE0000001", "abc/DEF+ghi=", "Zm9v")
    >>> credentials_problem("ASIAEXAMPLE0000001", "abc", "$(touch pwned)")
    'the SessionToken holds characters outside base64'
    """
    # (a text made only of the allowed characters strips to nothing)
    if not access_key_id or access_key_id.strip(_KEY_ID_CHARS):
        return "the AccessKeyId holds characters other than A-Z and 0-9"
    if not secret_access_key or secret_access_key.strip(_BASE64_CHARS):
        return "the SecretAccessKey holds characters outside base64"
    if session_token and session_token.strip(_BASE64_CHARS):
        return "the SessionToken holds characters outside base64"
    return None


class CacheEntry(FrozenRecord):
    """A readable cache file: the whole JSON document, and what rolecall needs of it."""

    __slots__ = (
        "path",
        "data",
        "access_key_id",
        "secret_access_key",
        "session_token",
        "expiration",
    )
    _fields = __slots__

    path: str
    data: dict[str, Any]
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime

    def __init__(
        self,
        path: str,
        data: dict[str, Any],
        access_key_id: str,
        secret_access_key: str,
        session_token: str,
        expiration: datetime,
    ) -> None:
        self._set("path", path)
        self._set("data", data)
        self._set("access_key_id", access_key_id)
        self._set("secret_access_key", secret_access_key)
        self._set("session_token", session_token)
        self._set("expiration", expiration)

    def __hash__(self) -> int:  # type: ignore[override]  # ``data`` is a dict
        return hash((self.path, self.access_key_id, self.expiration))

    @property
    def arn(self) -> str | None:
        user = self.data.get("AssumedRoleUser")
        if isinstance(user, dict):
            arn = user.get("Arn")
            if isinstance(arn, str):
                return arn
        return None

    @property
    def account_id(self) -> str | None:
        creds = self.data.get("Credentials")
        if isinstance(creds, dict) and isinstance(creds.get("AccountId"), str):
            return str(creds["AccountId"])
        arn = self.arn
        if arn is not None:
            parts = arn.split(":")
            if len(parts) > 4 and parts[4].isdigit():
                return parts[4]
        return None

    def fresh(self, now: datetime | None = None, window: timedelta = EXPIRY_WINDOW) -> bool:
        """True when at least ``window`` is left (15 minutes, as the CLI requires)."""
        return self.expiration - _now(now) >= window

    def __repr__(self) -> str:  # never the secret or the token
        return f"CacheEntry(path={self.path!r}, expiration={self.expiration.isoformat()})"


def credentials_problem_of(data: Mapping[str, Any]) -> str | None:
    """Why ``data`` holds no credentials a cache hit could use (the shape and an
    ``Expiration`` it can read), or None.

    >>> credentials_problem_of({"Credentials": {"AccessKeyId": "ASIA1"}})
    'holds no usable credentials'
    """
    entry, problem = _parse_entry("", dict(data))
    if problem is not None:
        return f"is not usable: {problem}"
    return "holds no usable credentials" if entry is None else None


def _entry_from(path: str, data: dict[str, Any]) -> CacheEntry | None:
    entry, problem = _parse_entry(path, data)
    if problem is not None:
        _warn(f"the cache file {path} is not usable: {problem} (fix: remove it)")
    return entry


def _parse_entry(path: str, data: dict[str, Any]) -> tuple[CacheEntry | None, str | None]:
    """The entry in ``data``, or ``(None, None)`` for a shape a hit cannot use, or
    ``(None, why)`` for credentials outside the alphabets AWS issues."""
    creds = data.get("Credentials")
    if not isinstance(creds, dict):
        return None, None
    akid = creds.get("AccessKeyId")
    secret = creds.get("SecretAccessKey")
    token = creds.get("SessionToken")
    if not (isinstance(akid, str) and akid and isinstance(secret, str) and secret):
        return None, None
    if not isinstance(token, str):
        return None, None
    expiration = parse_expiration(creds.get("Expiration"))
    if expiration is None:
        return None, None
    problem = credentials_problem(akid, secret, token)
    if problem is not None:
        return None, problem
    return CacheEntry(path, data, akid, secret, token, expiration), None


def read_entry(key: str, directory: str | None = None) -> CacheEntry | None:
    """The CLI cache entry for ``key``; None when missing, unreadable, corrupt or untrusted.

    Expired entries are returned too: callers decide with :meth:`CacheEntry.fresh`.
    This does not say whose credentials they are: before using them, read them
    with :func:`read_role_entry` (or :func:`read_mfa_session`), which check that.
    """
    if not _is_key(key):
        return None
    path = os.path.join(directory or cli_cache_dir(), key + ".json")
    data = read_private_json(path)
    return None if data is None else _entry_from(path, data)


def read_role_entry(key: str, role_arn: str, directory: str | None = None) -> CacheEntry | None:
    """The CLI cache entry of an AssumeRole of ``role_arn`` under ``key``, only if its
    answer names that role (:func:`role_mismatch`); another role's entry (renamed
    onto this key) is a miss, with one warning, and the next assume replaces it."""
    entry = read_entry(key, directory)
    return None if entry is None else _bound(entry, role_mismatch(entry.data, role_arn))


def write_entry(key: str, response: Mapping[str, Any], directory: str | None = None) -> str:
    """Write a whole AssumeRole response as the CLI does: dir 0700, file 0600, atomically.

    Datetimes (``Credentials.Expiration``) are written as ``YYYY-MM-DDTHH:MM:SSZ``.
    Returns the path written.  Raises :class:`UntrustedCacheError` (after a
    warning) when the directory, or a file already at that path, is not the
    user's own: it is then left alone.
    """
    if not _is_key(key):
        raise ValueError("not a cache key")
    path = os.path.join(directory or cli_cache_dir(), key + ".json")
    write_private_json(path, response)
    return path


def remove_entry(path: str) -> None:
    """Forget one cache file (credentials that STS refused)."""
    try:
        os.unlink(path)
    except OSError:
        pass
