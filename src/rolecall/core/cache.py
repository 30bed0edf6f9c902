"""The AWS CLI's role-credential cache, the SSO token cache, and rolecall's MFA sessions.

Nothing here imports boto3 or botocore, and nothing makes a network call: a
command served from the cache, and the TUI's countdown column, read these
files only.

The CLI cache (``~/.aws/cli/cache``) is shared with the AWS CLI, with its exact
key and file format, so that ``aws --profile X ...`` reuses what rolecall
assumed and the other way round::

    key  = sha1(json.dumps({"RoleArn": ..., ["RoleSessionName"], ["ExternalId"],
                            ["SerialNumber"], ["DurationSeconds"]}, sort_keys=True))
    file = ~/.aws/cli/cache/<key>.json   (the whole AssumeRole response)

``RoleSessionName`` and ``DurationSeconds`` are in the key only when the profile
sets ``role_session_name`` / ``duration_seconds``; ``TokenCode`` and the source
profile never are.

This module is what a cache hit reads and writes (locations, keys, timestamps,
entries, trust), so it imports no more than that path needs (json, datetime,
the builtin sha1).  The UI's countdowns and change detection are in
:mod:`rolecall.core.expiries`, ``rolecall doctor``'s permission check in
:mod:`rolecall.core.cache_permissions`.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from datetime import UTC, datetime, timedelta

from rolecall.core._record import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Mapping
    from typing import Any

    from rolecall.core.cache_permissions import entries_mode_ok as entries_mode_ok
    from rolecall.core.cache_permissions import permission_problems as permission_problems
    from rolecall.core.expiries import Expiry as Expiry
    from rolecall.core.expiries import cache_fingerprint as cache_fingerprint
    from rolecall.core.expiries import expiries as expiries
    from rolecall.core.expiries import sso_token_expiry as sso_token_expiry
    from rolecall.core.profiles import Profile, ProfileSet

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
    "EXPIRY_WINDOW",
    "MFA_EXPIRY_WINDOW",
    "CacheEntry",
    "UntrustedCacheError",
    "cache_key",
    "cache_key_for",
    "cli_cache_dir",
    "credentials_problem",
    "directory_problem",
    "file_problem",
    "format_expiration",
    "humanize",
    "load_json",
    "mfa_root",
    "now_utc",
    "mfa_cache_dir",
    "mfa_session_key",
    "on_warning",
    "parse_expiration",
    "read_entry",
    "read_mfa_session",
    "read_private_json",
    "remove_private_json",
    "rolecall_cache_dir",
    "sha1_hex",
    "sso_role_cache_key",
    "sso_cache_dir",
    "sso_token_path",
    "trusted_dir",
    "write_entry",
    "write_mfa_session",
    "write_private_json",
]

#: An entry with less than this left is not reused (the AWS CLI's own rule).
EXPIRY_WINDOW = timedelta(minutes=15)
#: An MFA session only needs to outlive the AssumeRole call it signs.
MFA_EXPIRY_WINDOW = timedelta(minutes=1)

_UTC = UTC
_KEY_RE = re.compile(r"[0-9a-f]{40}")
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
    digest = _sha1_hex(json.dumps(args, sort_keys=True).encode("utf-8"))
    # botocore's _make_file_safe: a hex digest never holds ':' or '/'
    return digest


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


def mfa_session_key(profile: str, mfa_serial: str, access_key_id: str) -> str:
    """The file name (no suffix) of an MFA session of ``profile``'s long-term keys."""
    args = {"AccessKeyId": access_key_id, "Profile": profile, "SerialNumber": mfa_serial}
    return _sha1_hex(json.dumps(args, sort_keys=True).encode("utf-8"))


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
    text = json.dumps(args, sort_keys=True, separators=(",", ":"))
    return _sha1_hex(text.encode("utf-8"))


def sso_token_path(values: Mapping[str, Any]) -> str | None:
    """The SSO token file of an SSO profile: ``sha1(sso_session)``, else ``sha1(sso_start_url)``."""
    session = values.get("sso_session")
    ident = session if isinstance(session, str) else values.get("sso_start_url")
    if not isinstance(ident, str):
        return None
    digest = _sha1_hex(ident.encode("utf-8"))
    return os.path.join(sso_cache_dir(), digest + ".json")


# ---------------------------------------------------------------------------
# expiration timestamps
# ---------------------------------------------------------------------------
_TRAILING_TZ_RE = re.compile(r"(?:\s*(?:UTC|GMT|Z))$", re.IGNORECASE)


def parse_expiration(value: object) -> datetime | None:
    """A cache ``Expiration`` as a tz-aware UTC datetime, or None when unreadable.

    The three shapes seen in the wild are accepted::

        2026-11-28T05:33:55Z          (also with microseconds)
        2026-11-28T05:33:55+00:00     (any offset)
        2026-11-28T04:48:57UTC        (the AWS CLI v1's strftime('%Z'))

    A time without a zone is taken as UTC.
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 64:
            return None
        text = _TRAILING_TZ_RE.sub("+00:00", text)
        text = text.replace(" ", "T", 1) if "T" not in text else text
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=_UTC)
    return dt.astimezone(_UTC)


def format_expiration(value: datetime) -> str:
    """``2026-11-28T05:33:55Z``: the shape the CLI v2 and the SDKs write and read."""
    return value.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now(now: datetime | None) -> datetime:
    return datetime.now(_UTC) if now is None else now.astimezone(_UTC)


# ---------------------------------------------------------------------------
# reading and writing entries
# ---------------------------------------------------------------------------
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


def load_json(path: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(1 << 20)
        data = json.loads(raw)
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


# ---------------------------------------------------------------------------
# trust: who else could have written a cache file
# ---------------------------------------------------------------------------
class UntrustedCacheError(PermissionError):
    """A cache directory or file that someone else could have written: not used."""


#: Called once per distinct warning (an untrusted cache directory or file).
#: The CLI prints it on stderr; when None, warnings are only kept in
#: :data:`warnings_seen` (the TUI can show them).
on_warning: Callable[[str], None] | None = None
#: Every warning given so far, in order (each once).
warnings_seen: list[str] = []


def _warn(message: str) -> None:
    if message in warnings_seen:
        return
    warnings_seen.append(message)
    if on_warning is not None:
        on_warning(message)


def directory_problem(directory: str) -> str | None:
    """Why credentials in ``directory`` cannot be trusted, or None (also when it is missing).

    A directory owned by another user, or one that everyone can write to, lets
    someone else plant credentials for you to use.  (A group-writable one is
    reported by ``rolecall doctor`` but still used: with per-user groups it is
    the common default.)
    """
    try:
        st = os.stat(directory)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a directory"
    if st.st_uid != os.getuid():
        return f"is owned by uid {st.st_uid}, not you"
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o002:
        return f"is writable by everyone (mode {mode:04o})"
    return None


def file_problem(st: os.stat_result) -> str | None:
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    if st.st_uid != os.getuid():
        return f"is owned by uid {st.st_uid}, not you"
    return None


def _untrusted_dir(directory: str) -> bool:
    problem = directory_problem(directory)
    if problem is None:
        return False
    if problem.startswith("is owned by"):
        fix = f"chown -R $USER {directory}, or remove it"
    elif problem.startswith("is writable"):
        fix = f"chmod 700 {directory}, and check what is in it"
    else:
        fix = "remove it"
    _warn(f"the credential cache {directory} {problem}: not using it (fix: {fix})")
    return True


def trusted_dir(directory: str) -> bool:
    """True when ``directory`` may be read and written (see :func:`directory_problem`);
    otherwise a warning is given once and False is returned."""
    return not _untrusted_dir(directory)


def _untrusted_file(path: str, st: os.stat_result) -> bool:
    problem = file_problem(st)
    if problem is None:
        return False
    _warn(f"the cache file {path} {problem}: not using it (fix: remove it)")
    return True


def _load_trusted_json(path: str) -> dict[str, Any] | None:
    """Like :func:`_load_json`, for a file in a trusted directory: a symlink or a file
    owned by someone else is a miss, with a warning."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symlink
            try:
                _untrusted_file(path, os.lstat(path))
            except OSError:
                pass
        return None
    try:
        st = os.fstat(fd)
        if _untrusted_file(path, st):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(1 << 20)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _entry_from(path: str, data: dict[str, Any]) -> CacheEntry | None:
    creds = data.get("Credentials")
    if not isinstance(creds, dict):
        return None
    akid = creds.get("AccessKeyId")
    secret = creds.get("SecretAccessKey")
    token = creds.get("SessionToken")
    if not (isinstance(akid, str) and akid and isinstance(secret, str) and secret):
        return None
    if not isinstance(token, str):
        return None
    expiration = parse_expiration(creds.get("Expiration"))
    if expiration is None:
        return None
    problem = credentials_problem(akid, secret, token)
    if problem is not None:
        _warn(f"the cache file {path} is not usable: {problem} (fix: remove it)")
        return None
    return CacheEntry(path, data, akid, secret, token, expiration)


def read_entry(key: str, directory: str | None = None) -> CacheEntry | None:
    """The CLI cache entry for ``key``; None when missing, unreadable or corrupt.

    Expired entries are returned too: callers decide with :meth:`CacheEntry.fresh`.
    """
    if not _KEY_RE.fullmatch(key):
        return None
    directory = directory or cli_cache_dir()
    if _untrusted_dir(directory):
        return None
    path = os.path.join(directory, key + ".json")
    data = _load_trusted_json(path)
    return None if data is None else _entry_from(path, data)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return format_expiration(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def write_entry(key: str, response: Mapping[str, Any], directory: str | None = None) -> str:
    """Write a whole AssumeRole response as the CLI does: dir 0700, file 0600, atomically.

    Datetimes (``Credentials.Expiration``) are written as ``YYYY-MM-DDTHH:MM:SSZ``.
    Returns the path written.  Raises :class:`UntrustedCacheError` (after a
    warning) when the directory, or a file already at that path, is not the
    user's own: it is then left alone.
    """
    if not _KEY_RE.fullmatch(key):
        raise ValueError("not a cache key")
    path = os.path.join(directory or cli_cache_dir(), key + ".json")
    write_private_json(path, response)
    return path


def read_mfa_session(key: str) -> CacheEntry | None:
    """rolecall's cached MFA session (``GetSessionToken``) for ``key``, if readable."""
    if _untrusted_dir(rolecall_cache_dir()):
        return None
    return read_entry(key, mfa_cache_dir())


def write_mfa_session(key: str, document: Mapping[str, Any]) -> str:
    """Store an MFA session 0600 in rolecall's own cache directory (0700)."""
    from rolecall.core import fsutil

    parent = rolecall_cache_dir()
    fsutil.ensure_private_dir(parent)
    if _untrusted_dir(parent):
        raise UntrustedCacheError(f"{parent} {directory_problem(parent)}")
    return write_entry(key, document, mfa_cache_dir())


def remove_entry(path: str) -> None:
    """Forget one cache file (credentials that STS refused)."""
    try:
        os.unlink(path)
    except OSError:
        pass


def mfa_root(profiles: ProfileSet, name: str) -> tuple[str, str, str] | None:
    """``(root profile, mfa_serial, access key id)`` when an assume of ``name`` can use
    an MFA session: its first hop (or its root) has ``mfa_serial`` and the root holds
    long-term static keys (no ``aws_session_token``).  The root itself qualifies too.
    """
    prof = profiles.get(name)
    if prof is None:
        return None
    chain = prof.chain
    root = profiles.get(chain[-1])
    if root is None:
        return None
    values = root.values
    akid = values.get("aws_access_key_id")
    if not isinstance(akid, str) or "aws_session_token" in values:
        return None
    if "aws_secret_access_key" not in values:
        return None
    if len(chain) == 1:
        if prof.kind != "static":
            return None  # a credential_source role: its root is not these keys
        serial = root.mfa_serial
    else:
        first_hop = profiles.get(chain[-2])
        serial = (first_hop.mfa_serial if first_hop is not None else None) or root.mfa_serial
    if serial is None:
        return None
    return root.name, serial, akid


# ---------------------------------------------------------------------------
# private JSON files: SSO tokens, client registrations, rolecall's SSO discovery
# ---------------------------------------------------------------------------
def read_private_json(path: str) -> dict[str, Any] | None:
    """A JSON object from a file of the user's own, in a directory of the user's own.

    None when the file is missing, unreadable, corrupt or not trusted (a symlink,
    another owner, a directory others can write to: warned about once).
    """
    if _untrusted_dir(os.path.dirname(path)):
        return None
    return _load_trusted_json(path)


def write_private_json(path: str, document: Mapping[str, Any]) -> None:
    """Write ``document`` as the AWS CLI does: directory 0700, file 0600, atomically.

    Datetimes are written ``YYYY-MM-DDTHH:MM:SSZ`` (botocore's SSO token format).
    Raises :class:`UntrustedCacheError` (after a warning) when the directory, or
    a file already at ``path``, is not the user's own: it is then left alone.
    """
    from rolecall.core import fsutil

    directory = os.path.dirname(path)
    fsutil.ensure_private_dir(directory)
    if _untrusted_dir(directory):
        raise UntrustedCacheError(f"{directory} {directory_problem(directory)}")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        pass
    else:
        if _untrusted_file(path, st):
            raise UntrustedCacheError(f"{path} {file_problem(st)}")
    data = json.dumps(document, default=_json_default).encode("utf-8")
    fsutil.atomic_write(path, data, 0o600, follow_symlinks=False)


def remove_private_json(path: str) -> bool:
    """Delete one such file; True when it was there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def now_utc() -> datetime:
    return datetime.now(_UTC)


def humanize(delta: timedelta) -> str:
    """``59m``, ``1h02m``, ``45s``; negative deltas as ``expired 3m ago``."""
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return f"expired {humanize(timedelta(seconds=-seconds))} ago"
    if seconds < 60:
        return f"{seconds}s"
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m"


#: What moved out of this module, to the module whose job it is; still reachable
#: here (``cache.expiries``), for the callers written before the move.  A cache
#: hit imports neither module.
_MOVED = {
    "Expiry": "expiries",
    "expiries": "expiries",
    "sso_token_expiry": "expiries",
    "cache_fingerprint": "expiries",
    "permission_problems": "cache_permissions",
    "entries_mode_ok": "cache_permissions",
}


def __getattr__(name: str) -> object:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(__import__(f"rolecall.core.{module}", fromlist=[name]), name)
