"""Atomic, private file writes shared by the config editor, the cache and the settings."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Callable, Iterator

__all__ = ["atomic_write", "ensure_private_dir", "locked_dir", "write_hook"]

#: Test-only hook, called with the name of each step of a write
#: ("written", "fsynced", "renamed").  Tests use it to pause or kill a write.
write_hook: Callable[[str, str], None] | None = None


def _step(step: str, path: str) -> None:
    if write_hook is not None:
        write_hook(step, path)


def ensure_private_dir(path: str) -> None:
    """Create ``path`` (and parents) with mode 0700 when missing."""
    if not os.path.isdir(path):
        os.makedirs(path, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)


def atomic_write(
    path: str,
    data: bytes,
    mode: int = 0o600,
    *,
    unchanged: bytes | None = None,
) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    The temporary file is written, fsynced, then renamed over ``path``; the
    directory is fsynced last.  A reader sees the whole old file or the whole
    new one.  When ``unchanged`` is given, the write is refused (``FileChangedError``)
    if the file on disk no longer holds those bytes.
    """
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    tmp = os.path.join(directory, f".{base}.{secrets.token_hex(4)}.rolecall-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, mode)
            _step("written", path)
            os.fsync(fd)
        finally:
            os.close(fd)
        _step("fsynced", path)
        if unchanged is not None:
            current = _read_or_empty(path)
            if current != unchanged:
                raise FileChangedError(f"{path} changed on disk since it was read; nothing written")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _step("renamed", path)
    _fsync_dir(directory)


class FileChangedError(Exception):
    """The file changed between reading it and writing it back."""


def _read_or_empty(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return b""


def _fsync_dir(directory: str) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


@contextlib.contextmanager
def locked_dir(directory: str) -> Iterator[None]:
    """An exclusive advisory lock on a directory (``flock`` on its descriptor).

    It serialises rolecall's own writers (two ``profile add`` runs, fifty
    ``credential-process`` calls) without leaving a lock file behind.
    """
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
