"""Reading and writing the cache's JSON files: the one trusted reader, the one writer.

Every cache rolecall uses or hands to botocore (the CLI cache, SSO tokens and
their registrations, MFA sessions, rolecall's SSO discovery) is read through
:func:`read_private_json` and written through :func:`write_private_json`; a
file only shown to the user is read with :func:`load_json`.
"""

from __future__ import annotations

import errno
import os
import stat

from rolecall.core.cache.timestamps import datetime, format_expiration
from rolecall.core.cache.trust import (
    MAX_CACHE_FILE,
    UntrustedCacheError,
    _untrusted_dir,
    _untrusted_file,
    _warn,
    directory_problem,
    file_problem,
)
from rolecall.core.fast_json import loads  # (json imports re: 3 ms and more)
from rolecall.core.regular_file import read_regular

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping
    from typing import Any

__all__ = [
    "load_json",
    "private_dir",
    "read_private_json",
    "remove_private_json",
    "write_private_json",
]


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
        data = loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _read_regular(path: str, trusted: bool) -> bytes | None:
    """The bytes of the regular file at ``path``, at most :data:`MAX_CACHE_FILE`.

    The file is opened without blocking and without following a symlink planted
    in place of an entry, then checked on its descriptor (``fstat``), so what is
    read is what was checked (:func:`~rolecall.core.regular_file.read_regular`).
    With ``trusted``, a symlink, a FIFO or other non-regular file, a file of
    another user or a file too large is warned about (:func:`file_problem`);
    otherwise it is only a miss.  Missing or unreadable: None, quietly.
    """

    def check(st: os.stat_result) -> None:
        if trusted:
            if _untrusted_file(path, st):
                raise OSError(errno.EPERM, "not used")
        elif not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CACHE_FILE:
            raise OSError(errno.EPERM, "not used")

    try:
        raw = read_regular(path, MAX_CACHE_FILE, follow_symlinks=False, check=check)
    except OSError as exc:
        if trusted and exc.errno == errno.ELOOP:  # a symlink
            try:
                _untrusted_file(path, os.lstat(path))
            except OSError:
                pass
        return None
    if raw is not None and len(raw) > MAX_CACHE_FILE:  # it grew past the cap while read
        if trusted:
            _warn(f"the cache file {path} is larger than {MAX_CACHE_FILE >> 20} MiB: not using it")
        return None
    return raw


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


def private_dir(directory: str) -> None:
    """Make ``directory`` (0700) when it is missing; raise :class:`UntrustedCacheError`
    (after a warning) when it is not the user's own, to write nothing in it."""
    from rolecall.core import fsutil

    fsutil.ensure_private_dir(directory)
    if _untrusted_dir(directory):
        raise UntrustedCacheError(f"{directory} {directory_problem(directory)}")


def write_private_json(path: str, document: Mapping[str, Any]) -> None:
    """Write ``document`` as the AWS CLI does: directory 0700, file 0600, atomically.

    Datetimes are written ``YYYY-MM-DDTHH:MM:SSZ`` (botocore's SSO token format).
    Raises :class:`UntrustedCacheError` (after a warning) when the directory, or
    a file already at ``path``, is not the user's own: it is then left alone.
    """
    from rolecall.core import fsutil

    private_dir(os.path.dirname(path))
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        pass
    else:  # the user's own file is replaced (even one too large to read); nothing else
        if not (stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid()):
            _untrusted_file(path, st)
            raise UntrustedCacheError(f"{path} {file_problem(st)}")
    import json

    data = json.dumps(document, default=_json_default).encode("utf-8")
    fsutil.atomic_write(path, data, 0o600, follow_symlinks=False)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return format_expiration(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def remove_private_json(path: str) -> bool:
    """Delete one such file; True when it was there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True
