"""Atomic, private file writes shared by the config editor, the cache and the settings.

A write goes through a temporary file in the target's directory::

    .config.4242.1a2b3c4d.rolecall-tmp   written, fchmod, fsync, closed
    rename over config                   (a reader sees the old file or the new one)
    fsync the directory

The temporary name starts with a dot and ends in ``.rolecall-tmp`` (never
``.json``), so neither botocore nor rolecall ever reads one.  It holds the
writer's pid: a temporary file left by a writer that was killed is removed by
the next write in that directory.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator

__all__ = [
    "FileChangedError",
    "TEMP_SUFFIX",
    "atomic_write",
    "clean_stale_temps",
    "ensure_private_dir",
    "locked_dir",
    "write_hook",
]

TEMP_SUFFIX = ".rolecall-tmp"
# .NAME.PID.HEX.rolecall-tmp (and .NAME.HEX.rolecall-tmp, written before the pid was added)
_TEMP_RE = re.compile(r"\..+?(?:\.([0-9]+))?\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX))
#: A temporary file of a dead writer is removed once it is this old (seconds) ...
STALE_DEAD_WRITER = 2.0
#: ... and one of any writer once it is this old (a pid from another namespace).
STALE_ANY_WRITER = 3600.0

#: Test-only hook, called with the name of each step of a write and the path
#: written: "written" (data written, not yet fsynced), "fsynced" (fsynced and
#: closed), "before-rename" (just before the rename) and "renamed" (just after).
#: Tests use it to pause or kill a write.
write_hook: Callable[[str, str], None] | None = None

# The same hook for whole processes (tests kill a real ``rolecall`` mid-write),
# read once at import: at step ROLECALL_TEST_WRITE_PAUSE of a write whose path
# ends with ROLECALL_TEST_WRITE_MATCH (any path when unset), the writer writes
# "<step>\n<path>\n<temp>\n" to ROLECALL_TEST_WRITE_MARKER and waits until that
# file is removed (forever, until it is killed, if nobody removes it).
_PAUSE_STEP = os.environ.get("ROLECALL_TEST_WRITE_PAUSE") or None
_PAUSE_MARKER = os.environ.get("ROLECALL_TEST_WRITE_MARKER") or None
_PAUSE_MATCH = os.environ.get("ROLECALL_TEST_WRITE_MATCH") or ""


def _step(step: str, path: str, tmp: str) -> None:
    if write_hook is not None:
        write_hook(step, path)
    if step == _PAUSE_STEP and _PAUSE_MARKER and path.endswith(_PAUSE_MATCH):
        _pause(step, path, tmp, _PAUSE_MARKER)


def _pause(step: str, path: str, tmp: str, marker: str) -> None:
    with open(marker + ".part", "w", encoding="utf-8") as fh:
        fh.write(f"{step}\n{path}\n{tmp}\n")
    os.replace(marker + ".part", marker)
    while os.path.exists(marker):
        time.sleep(0.02)


def ensure_private_dir(path: str) -> None:
    """Create ``path`` with mode 0700 when missing, and every missing parent 0700 too.

    ``os.makedirs`` gives the parents it creates the umask's mode: under umask
    000, ``~/.aws`` and ``~/.aws/cli`` came out 0777, and another user could then
    replace ``~/.aws/config``.  Directories that already exist are left as they are.
    """
    path = os.path.abspath(path)
    missing: list[str] = []
    level = path
    while not os.path.isdir(level):
        missing.append(level)
        parent = os.path.dirname(level)
        if parent == level:
            break
        level = parent
    for level in reversed(missing):
        try:
            os.mkdir(level, 0o700)
        except FileExistsError:
            if os.path.isdir(level):
                continue  # another process made it meanwhile
            raise
        os.chmod(level, 0o700)  # (the umask can only have taken bits away)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, as another user
        return True
    return True


def clean_stale_temps(directory: str, now: float | None = None) -> list[str]:
    """Remove rolecall's temporary files left in ``directory`` by killed writers.

    A temporary file is stale when its writer (the pid in its name) is gone and
    it is a few seconds old, or when it is an hour old whoever wrote it.
    Returns the names removed.  Never raises.
    """
    removed: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    when = time.time() if now is None else now
    me = os.getpid()
    for name in names:
        if not name.endswith(TEMP_SUFFIX):
            continue
        match = _TEMP_RE.fullmatch(name)
        if match is None:
            continue
        pid = int(match.group(1)) if match.group(1) else None
        full = os.path.join(directory, name)
        try:
            age = when - os.lstat(full).st_mtime
        except OSError:
            continue
        dead = pid is not None and pid != me and not _pid_alive(pid)
        if (dead and age >= STALE_DEAD_WRITER) or age >= STALE_ANY_WRITER:
            with contextlib.suppress(OSError):
                os.unlink(full)
                removed.append(name)
    return removed


def atomic_write(
    path: str,
    data: bytes,
    mode: int = 0o600,
    *,
    unchanged: bytes | None = None,
    follow_symlinks: bool = True,
) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    The temporary file is written, fsynced, then renamed over ``path``; the
    directory is fsynced last.  A reader sees the whole old file or the whole
    new one.  When ``unchanged`` is given, the write is refused (``FileChangedError``)
    if the file on disk no longer holds those bytes.

    When ``path`` is a symlink (a config kept in a dotfiles repository), the file
    it points to is replaced and the link is kept; with ``follow_symlinks=False``
    the link itself is replaced.
    """
    target = os.path.realpath(path) if follow_symlinks else os.path.abspath(path)
    directory = os.path.dirname(target)
    base = os.path.basename(target)
    clean_stale_temps(directory)
    tmp = os.path.join(directory, f".{base}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, mode)
            _step("written", path, tmp)
            os.fsync(fd)
        finally:
            os.close(fd)
        _step("fsynced", path, tmp)
        if unchanged is not None:
            current = _read_or_empty(target)
            if current != unchanged:
                raise FileChangedError(f"{path} changed on disk since it was read; nothing written")
        _step("before-rename", path, tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _step("renamed", path, tmp)
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


class LockTimeout(OSError):
    """Another process held a lock for longer than the wait allowed."""


def flock_wait(fd: int, timeout: float) -> bool:
    """Take an exclusive ``flock`` on ``fd``, waiting at most ``timeout`` seconds.

    Returns whether the lock is held (False when the wait ran out); any other
    error of ``flock`` is raised.  It polls with a growing delay (10 ms to 100 ms).
    """
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


@contextlib.contextmanager
def locked_dir(directory: str, timeout: float | None = None) -> Iterator[None]:
    """An exclusive advisory lock on a directory (``flock`` on its descriptor).

    It serialises rolecall's own writers (two ``profile add`` runs, fifty
    ``credential-process`` calls) without leaving a lock file behind.  With a
    ``timeout``, :class:`LockTimeout` is raised when another process holds the
    lock for longer than that.
    """
    fd = os.open(directory, os.O_RDONLY)
    held = False
    try:
        if timeout is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        elif not flock_wait(fd, timeout):
            raise LockTimeout(errno.EWOULDBLOCK, f"{directory} stayed locked for {timeout:g} s")
        held = True
        yield
    finally:
        if held:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
