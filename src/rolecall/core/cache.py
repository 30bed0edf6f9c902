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
    "MAX_CACHE_FILE",
    "CacheEntry",
    "UntrustedCacheError",
    "cache_key",
    "cache_key_for",
    "cli_cache_dir",
    "credentials_problem",
    "credentials_problem_of",
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
    "sso_token_mismatch",
    "sso_role_mismatch",
    "sso_start_url",
    "mfa_session_mismatch",
    "role_mismatch",
    "write_private_json",
    "read_bound_json",
    "read_private_json",
    "read_role_entry",
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
#: The largest cache file rolecall reads (an AssumeRole answer is about 2 KB, an
#: SSO token 3 KB): a bigger one is not read, and a read never allocates more.
MAX_CACHE_FILE = 1 << 20

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


def sso_start_url(values: Mapping[str, Any], sso_sessions: Mapping[str, Mapping[str, Any]]) -> str:
    """The portal an SSO profile's token must be of: its ``sso-session``'s
    ``sso_start_url``, else its own (legacy); "" when it names none."""
    session = values.get("sso_session")
    if isinstance(session, str):
        start = sso_sessions.get(session, {}).get("sso_start_url")
    else:
        start = values.get("sso_start_url")
    return start if isinstance(start, str) else ""


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

    A time without a zone is taken as UTC.  A time that is out of range once
    in UTC (``9999-12-31T23:59:59-01:00``) is unreadable too:

    >>> parse_expiration("9999-12-31T23:59:59-01:00") is None
    True
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
    try:  # 9999-12-31T23:59:59-01:00 is past the last datetime once in UTC
        return dt.astimezone(_UTC)
    except OverflowError:
        return None


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
    """A JSON object from the regular file at ``path``, for display only (no owner check).

    Never blocks (a FIFO is not opened for a writer to come), never follows a
    symlink, never reads more than :data:`MAX_CACHE_FILE`.  Credentials that
    rolecall uses go through :func:`read_private_json` or :func:`read_entry`.
    """
    raw = _read_regular(path, trusted=False)
    return None if raw is None else _json_object(raw)


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
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
    the common default, and every entry read from it is checked against the
    role it is for, see :func:`role_mismatch`.)
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
    """Why a cache file (its ``lstat``/``fstat``) is not one to read: not a regular
    file (a symlink, a FIFO, a device), another owner, or larger than :data:`MAX_CACHE_FILE`."""
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    if st.st_uid != os.getuid():
        return f"is owned by uid {st.st_uid}, not you"
    if st.st_size > MAX_CACHE_FILE:
        return f"is larger than {MAX_CACHE_FILE >> 20} MiB"
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


#: ``open`` flags of every cache read: never wait for a FIFO's writer (or a
#: device), never follow a symlink planted in place of an entry.
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC


def _read_regular(path: str, trusted: bool) -> bytes | None:
    """The bytes of the regular file at ``path``, at most :data:`MAX_CACHE_FILE`.

    The file is opened without blocking, then checked on its descriptor
    (``fstat``), so what is read is what was checked.  With ``trusted``, a
    symlink, a FIFO or other non-regular file, a file of another user or a
    file too large is warned about (:func:`file_problem`); otherwise it is
    only a miss.  Missing or unreadable: None, quietly.
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        if trusted and exc.errno == errno.ELOOP:  # a symlink
            try:
                _untrusted_file(path, os.lstat(path))
            except OSError:
                pass
        return None
    try:
        st = os.fstat(fd)
        if trusted:
            if _untrusted_file(path, st):
                return None
        elif not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CACHE_FILE:
            return None
        chunks: list[bytes] = []
        left = MAX_CACHE_FILE + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    if left <= 0:  # it grew past the cap while being read
        if trusted:
            _warn(f"the cache file {path} is larger than {MAX_CACHE_FILE >> 20} MiB: not using it")
        return None
    return b"".join(chunks)


def _load_trusted_json(path: str) -> dict[str, Any] | None:
    """A JSON object from ``path``, a file of the user's own (see :func:`_read_regular`)."""
    raw = _read_regular(path, trusted=True)
    return None if raw is None else _json_object(raw)


def read_private_json(path: str) -> dict[str, Any] | None:
    """A JSON object from a file of the user's own, in a directory of the user's own.

    This is the one trusted reader of every cache rolecall uses or hands to
    botocore: the CLI cache, SSO tokens and their registrations, MFA sessions.
    None when the file is missing, unreadable, corrupt or not trusted: a
    symlink, a FIFO or other non-regular file (never waited for), another
    owner, larger than :data:`MAX_CACHE_FILE`, in a directory others can
    write to (each warned about once).
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
    else:  # the user's own file is replaced (even one too large to read); nothing else
        if not (stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid()):
            _untrusted_file(path, st)
            raise UntrustedCacheError(f"{path} {file_problem(st)}")
    data = json.dumps(document, default=_json_default).encode("utf-8")
    fsutil.atomic_write(path, data, 0o600, follow_symlinks=False)


# ---------------------------------------------------------------------------
# binding: an entry is only used for what it says it is
# ---------------------------------------------------------------------------
def _shown(value: object, limit: int = 120) -> str:
    """A value read from a file, cut short for a warning (the CLI escapes it)."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _role_parts(role_arn: str) -> tuple[str, str, str] | None:
    """``(partition, account, name)`` of ``arn:P:iam::ACCOUNT:role/PATH/NAME``.

    >>> _role_parts("arn:aws-cn:iam::123456789012:role/ops/Admin")
    ('aws-cn', '123456789012', 'Admin')
    """
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or parts[3]:
        return None
    if not parts[5].startswith("role/"):
        return None
    return parts[1], parts[4], parts[5].rsplit("/", 1)[1]


def _assumed_parts(arn: str) -> tuple[str, str, str] | None:
    """``(partition, account, role name)`` of ``arn:P:sts::ACCOUNT:assumed-role/NAME/SESSION``.

    >>> _assumed_parts("arn:aws:sts::123456789012:assumed-role/Admin/me@example.com")
    ('aws', '123456789012', 'Admin')
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sts" or parts[3]:
        return None
    resource = parts[5].split("/")
    if len(resource) != 3 or resource[0] != "assumed-role" or not resource[1] or not resource[2]:
        return None
    return parts[1], parts[4], resource[1]


def role_mismatch(data: Mapping[str, Any], role_arn: str) -> str | None:
    """Why a cached AssumeRole answer is not one for ``role_arn``, or None when it is.

    Its ``AssumedRoleUser.Arn`` must name the role's partition, account and
    name: ``arn:P:sts::ACCOUNT:assumed-role/NAME/SESSION`` for
    ``arn:P:iam::ACCOUNT:role/PATH/NAME`` (the path is not in it, and names are
    compared ignoring case, as IAM keeps them unique).  ``Credentials.AccountId``,
    when present, must be that account.  An answer that does not say is no match.

    >>> doc = {"AssumedRoleUser": {"Arn": "arn:aws:sts::111111111111:assumed-role/Admin/me"}}
    >>> role_mismatch(doc, "arn:aws:iam::111111111111:role/ops/Admin") is None
    True
    >>> role_mismatch(doc, "arn:aws:iam::222222222222:role/Admin")
    'holds credentials of arn:aws:sts::111111111111:assumed-role/Admin/me, not of arn:aws:iam::222222222222:role/Admin'
    """  # noqa: E501
    user = data.get("AssumedRoleUser")
    arn = user.get("Arn") if isinstance(user, dict) else None
    if not isinstance(arn, str) or not arn:
        return "does not say which role it holds (no AssumedRoleUser.Arn)"
    want = _role_parts(role_arn)
    got = _assumed_parts(arn)
    if want is None or got is None or got[:2] != want[:2] or got[2].lower() != want[2].lower():
        return f"holds credentials of {_shown(arn)}, not of {role_arn}"
    creds = data.get("Credentials")
    account = creds.get("AccountId") if isinstance(creds, dict) else None
    if account is not None and account != want[1]:
        return f"holds credentials of account {_shown(account)}, not of {want[1]}"
    return None


def mfa_session_mismatch(data: Mapping[str, Any], profile: str, serial: str) -> str | None:
    """Why a cached MFA session is not the one of ``profile``'s keys and device ``serial``.

    >>> mfa_session_mismatch({"Profile": "base", "SerialNumber": "arn:m"}, "base", "arn:m")
    >>> mfa_session_mismatch({"Profile": "prod", "SerialNumber": "arn:m"}, "base", "arn:m")
    "is an MFA session whose Profile is 'prod', not 'base'"
    """
    if data.get("Profile") != profile:
        return (
            f"is an MFA session whose Profile is {_shown(data.get('Profile'))!r}, not {profile!r}"
        )
    if data.get("SerialNumber") != serial:
        return (
            f"is an MFA session whose SerialNumber is {_shown(data.get('SerialNumber'))!r}, "
            f"not {serial!r}"
        )
    return None


def sso_role_mismatch(data: Mapping[str, Any], account_id: str) -> str | None:
    """Why cached SSO role credentials (botocore's ``SSOCredentialFetcher``) are not of
    ``account_id``: their ``Credentials.AccountId`` must say so.

    >>> sso_role_mismatch({"Credentials": {"AccountId": "123456789012"}}, "123456789012")
    """
    creds = data.get("Credentials")
    account = creds.get("AccountId") if isinstance(creds, dict) else None
    if account is None:
        return "does not say which account it is for (no Credentials.AccountId)"
    if account != account_id:
        return f"holds credentials of account {_shown(account)}, not of {account_id}"
    return None


def sso_token_mismatch(data: Mapping[str, Any], start_url: str) -> str | None:
    """Why a cached SSO token is not one of the portal ``start_url``: its ``startUrl``.

    >>> sso_token_mismatch({"startUrl": "https://x.awsapps.com/start"}, "https://y/start")
    "is a token of 'https://x.awsapps.com/start', not of 'https://y/start'"
    """
    url = data.get("startUrl")
    if url is None:
        return "does not say which portal it is for (no startUrl)"
    if url != start_url:
        return f"is a token of {_shown(url)!r}, not of {start_url!r}"
    return None


def read_bound_json(
    path: str, check: Callable[[Mapping[str, Any]], str | None]
) -> dict[str, Any] | None:
    """:func:`read_private_json`, then ``check(data)``: why the entry is not the one
    it was read for (None when it is).  One that is not is a miss, with one warning."""
    data = read_private_json(path)
    if data is None:
        return None
    problem = check(data)
    if problem is not None:
        _warn(f"the cache file {path} {problem}: not using it (a new one replaces it)")
        return None
    return data


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


def _bound(entry: CacheEntry | None, problem: str | None) -> CacheEntry | None:
    """``entry`` when it is what it was read for; else None, with one warning."""
    if entry is None or problem is None:
        return entry
    _warn(f"the cache file {entry.path} {problem}: not using it (the next assume replaces it)")
    return None


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
    if not _KEY_RE.fullmatch(key):
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


def read_mfa_session(key: str, profile: str, serial: str) -> CacheEntry | None:
    """rolecall's cached MFA session (``GetSessionToken``) for ``key``, if readable and
    the session of ``profile``'s keys and device ``serial`` (:func:`mfa_session_mismatch`)."""
    if _untrusted_dir(rolecall_cache_dir()):
        return None
    entry = read_entry(key, mfa_cache_dir())
    if entry is None:
        return None
    return _bound(entry, mfa_session_mismatch(entry.data, profile, serial))


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
# (read and written by read_private_json / write_private_json above)
# ---------------------------------------------------------------------------
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
