"""Where each cache file is: the cache directories, and the key (file name) of each entry.

The CLI cache (``~/.aws/cli/cache``) is shared with the AWS CLI, with its exact
key, so that ``aws --profile X ...`` reuses what rolecall assumed and the other
way round::

    key  = sha1(json.dumps({"RoleArn": ..., ["RoleSessionName"], ["ExternalId"],
                            ["SerialNumber"], ["DurationSeconds"]}, sort_keys=True))
    file = ~/.aws/cli/cache/<key>.json   (the whole AssumeRole response)

``RoleSessionName`` and ``DurationSeconds`` are in the key only when the profile
sets ``role_session_name`` / ``duration_seconds``; ``TokenCode`` and the source
profile never are.  SSO tokens and SSO role credentials have botocore's keys.
Directories are computed when asked for, never at import (unlike botocore).
"""

from __future__ import annotations

import os

from rolecall.core.fast_json import dumps

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping
    from typing import Any

    from rolecall.core.profile import Profile

try:  # the builtin module: hashlib would load OpenSSL (a few ms) for one sha1
    from _sha1 import sha1 as _sha1  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    from hashlib import sha1 as _sha1


def _sha1_hex(data: bytes) -> str:
    return str(_sha1(data).hexdigest())


def sha1_hex(data: bytes) -> str:
    """The hex SHA-1 of ``data`` (cache file names; not a security boundary).

    >>> sha1_hex(b"demo-sso")[:12]
    '91fa4e98b9e8'
    """
    return _sha1_hex(data)


__all__ = [
    "cache_key",
    "cache_key_for",
    "cli_cache_dir",
    "json_key",
    "mfa_cache_dir",
    "rolecall_cache_dir",
    "sha1_hex",
    "sso_cache_dir",
    "sso_role_cache_key",
    "sso_start_url",
    "sso_token_path",
]


# ---------------------------------------------------------------------------
# locations
# ---------------------------------------------------------------------------
def _home() -> str:
    return os.path.expanduser("~")


def cli_cache_dir() -> str:
    """``$HOME/.aws/cli/cache``, computed when called (not at import, unlike botocore)."""
    return os.path.join(_home(), ".aws", "cli", "cache")


def sso_cache_dir() -> str:
    """``$HOME/.aws/sso/cache``, where ``aws sso login`` keeps its tokens."""
    return os.path.join(_home(), ".aws", "sso", "cache")


def rolecall_cache_dir() -> str:
    """``$ROLECALL_CACHE_DIR``, else ``platformdirs.user_cache_dir("rolecall")``."""
    explicit = os.environ.get("ROLECALL_CACHE_DIR")
    if explicit:
        return os.path.expanduser(explicit)
    import platformdirs

    return platformdirs.user_cache_dir("rolecall")


def mfa_cache_dir() -> str:
    """Where rolecall keeps its MFA sessions (``GetSessionToken`` results)."""
    return os.path.join(rolecall_cache_dir(), "mfa")


# ---------------------------------------------------------------------------
# keys
# ---------------------------------------------------------------------------
def cache_key(
    role_arn: str,
    role_session_name: str | None = None,
    external_id: str | None = None,
    mfa_serial: str | None = None,
    duration_seconds: int | None = None,
) -> str:
    """The AWS CLI's cache key for an AssumeRole (botocore's ``_create_cache_key``).

    >>> cache_key("arn:aws:iam::123456789012:role/Admin")
    '51e7b105b5040ce662656c8dc6ab4de70c4de7ad'
    """
    args: dict[str, Any] = {"RoleArn": role_arn}
    if role_session_name is not None:
        args["RoleSessionName"] = role_session_name
    if external_id is not None:
        args["ExternalId"] = external_id
    if mfa_serial is not None:
        args["SerialNumber"] = mfa_serial
    if duration_seconds is not None:
        args["DurationSeconds"] = duration_seconds
    # botocore's _make_file_safe: a hex digest never holds ':' or '/'
    return json_key(args)


def json_key(args: Mapping[str, object], compact: bool = False) -> str:
    """How botocore and the AWS CLI name a cache file: the hex sha1 of ``args`` as
    JSON, keys sorted (``compact``: without blanks, as ``SSOCredentialFetcher`` writes it).

    >>> json_key({"b": 1, "a": "x"}) == sha1_hex(b'{"a": "x", "b": 1}')
    True
    """
    if compact:
        import json

        text = json.dumps(args, sort_keys=True, separators=(",", ":"))
    else:  # (a cache hit's key: json.dumps's very text, without importing json and re)
        text = dumps(args, sort_keys=True)
    return _sha1_hex(text.encode("utf-8"))


def cache_key_for(profile: Profile) -> str | None:
    """The CLI's key for a role profile (``role_arn`` set), from its own settings.

    Returns None for a profile that assumes no role.  ``duration_seconds`` is
    in the key as botocore reads it (``int(value)``, dropped when not an int).
    """
    arn = profile.role_arn
    if arn is None:
        return None
    return cache_key(
        arn,
        profile.role_session_name,
        profile.external_id,
        profile.mfa_serial,
        profile.duration_seconds,
    )


def sso_role_cache_key(
    account_id: str, role_name: str, session_name: str | None, start_url: str | None = None
) -> str:
    """botocore's CLI-cache key for SSO role credentials (``SSOCredentialFetcher``).

    ``sha1`` of the compact JSON of ``accountId``, ``roleName`` and ``sessionName``
    (``startUrl`` for a legacy profile), keys sorted::

    >>> sso_role_cache_key("123456789012", "Admin", "corp")
    '8457bc68cf9d4aa8d629a61563948e8bd3159d49'
    """
    args: dict[str, str] = {"roleName": role_name, "accountId": account_id}
    if session_name:
        args["sessionName"] = session_name
    else:
        args["startUrl"] = start_url or ""
    return json_key(args, compact=True)


def sso_token_path(values: Mapping[str, Any]) -> str | None:
    """The SSO token file of an SSO profile: ``sha1(sso_session)``, else ``sha1(sso_start_url)``."""
    session = values.get("sso_session")
    ident = session if isinstance(session, str) else values.get("sso_start_url")
    if not isinstance(ident, str):
        return None
    digest = _sha1_hex(ident.encode("utf-8"))
    return os.path.join(sso_cache_dir(), digest + ".json")


def sso_start_url(values: Mapping[str, Any], sso_sessions: Mapping[str, Mapping[str, Any]]) -> str:
    """The portal an SSO profile's token must be of: its ``sso-session``'s
    ``sso_start_url``, else its own (legacy); "" when it names none."""
    session = values.get("sso_session")
    if isinstance(session, str):
        start = sso_sessions.get(session, {}).get("sso_start_url")
    else:
        start = values.get("sso_start_url")
    return start if isinstance(start, str) else ""
