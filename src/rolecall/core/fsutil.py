"""Atomic, private file writes shared by the config editor, the cache and the settings;
private directories; and rolecall's locks (a 0600 file in a 0700 directory of its own).

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
import stat
import time
from collections.abc import Callable, Iterator

__all__ = [
    "FileChangedError",
    "TEMP_SUFFIX",
    "atomic_write",
    "clean_stale_temps",
    "ensure_private_dir",
    "LockTimeout",
    "lock_path",
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

    def __init__(self, path: str, waited: float, holder: str | None) -> None:
        who = holder or "another process"
        super().__init__(errno.EWOULDBLOCK, f"{who} held the lock {path} for {waited:g} s")
        #: the lock file
        self.path = path
        #: how long the wait was (seconds)
        self.waited = waited
        #: ``pid 4242 (editing ~/.aws/config)``, when the holder said who it is
        self.holder = holder


#: :func:`locked_dir` says who holds the lock once one holder has kept it this long
#: (seconds): fifty processes queueing for a moment each say nothing.
LOCK_NOTICE_AFTER = 2.0


def flock_wait(
    fd: int,
    timeout: float | None,
    on_wait: Callable[[str], None] | None = None,
    notice_after: float = LOCK_NOTICE_AFTER,
) -> bool:
    """Take an exclusive ``flock`` on ``fd``, waiting at most ``timeout`` seconds (None:
    for ever).  ``on_wait`` is called once with the holder's line in the lock
    file (:func:`locked_dir`) when the same holder has kept the lock for
    ``notice_after`` seconds.

    Returns whether the lock is held (False when the wait ran out); any other
    error of ``flock`` is raised.  It polls with a growing delay (10 ms to 100 ms).
    """
    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    delay = 0.01
    holder, since = "", start
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            now = time.monotonic()
            if on_wait is not None:
                current = _holder_line(fd)
                if current != holder:
                    holder, since = current, now
                elif now - since >= notice_after:
                    on_wait(holder)
                    on_wait = None
            if deadline is not None and now >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


def lock_directory() -> str:
    """Where rolecall's lock files are: ``locks`` in its own cache directory (0700)."""
    from rolecall.core.cache.keys import rolecall_cache_dir

    return os.path.join(rolecall_cache_dir(), "locks")


def lock_path(directory: str) -> str:
    """The lock file that stands for ``directory`` (through any symlink).

    >>> os.path.basename(lock_path("/home/me/.aws"))
    '.aws-b7476a09772058d3.lock'
    """
    import hashlib

    real = os.path.realpath(directory)
    digest = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(real))[:40] or "root"
    return os.path.join(lock_directory(), f"{base}-{digest}.lock")


def _open_lock(path: str) -> int:
    """Open (create) the lock file ``path``: 0600, the user's own, in a 0700 directory
    of the user's own.  Nobody else can open it, so nobody else can hold it."""
    directory = os.path.dirname(path)
    ensure_private_dir(directory)
    st = os.lstat(directory)
    if not os.path.isdir(directory) or st.st_uid != os.getuid() or os.path.islink(directory):
        raise PermissionError(errno.EPERM, f"{directory} is not a directory of your own")
    if st.st_mode & 0o077:
        os.chmod(directory, 0o700)
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    fd = os.open(path, flags, 0o600)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
            raise PermissionError(errno.EPERM, f"{path} is not a file of your own")
        if st.st_mode & 0o077:
            os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _holder_line(fd: int) -> str:
    """What the holder wrote in the lock file (``PID PURPOSE``), or ""."""
    try:
        return os.pread(fd, 512, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _holder(line: str) -> str | None:
    """Who holds the lock, from its line (``pid 4242 (editing ...)``), if it is alive."""
    pid_text, _, purpose = line.partition(" ")
    if not pid_text.isdigit() or not _pid_alive(int(pid_text)):
        return None
    return f"pid {pid_text} ({purpose})" if purpose else f"pid {pid_text}"


@contextlib.contextmanager
def locked_dir(
    directory: str,
    timeout: float | None = None,
    *,
    purpose: str = "",
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """An exclusive lock for ``directory``, held while the block runs.

    It serialises rolecall's own writers (two ``profile add`` runs, fifty
    ``credential-process`` calls).  The lock is an ``flock`` on a 0600 file in
    rolecall's own 0700 lock directory (:func:`lock_path`), never on
    ``directory`` itself: another user could open that one (``~/.aws`` and the
    CLI's 0755 cache) and hold the lock for ever.  The holder writes
    ``PID PURPOSE`` in the file, so a waiter can say who it waits for:
    ``on_wait`` gets that line once, when one holder has kept the lock for
    :data:`LOCK_NOTICE_AFTER` seconds.
    With a ``timeout``, :class:`LockTimeout` (naming the holder) is raised when
    the lock is not had in that time.
    """
    path = lock_path(directory)
    fd = _open_lock(path)
    held = False
    try:

        def notice(line: str) -> None:
            if on_wait is not None:
                who = _holder(line) or "another process"
                on_wait(f"waiting for {who}, which holds the lock {path}")

        start = time.monotonic()
        if not flock_wait(fd, timeout, notice if on_wait is not None else None):
            waited = round(time.monotonic() - start, 1)
            raise LockTimeout(path, waited, _holder(_holder_line(fd)))
        held = True
        os.ftruncate(fd, 0)
        text = f"{os.getpid()} {purpose}".strip() + "\n"
        os.pwrite(fd, text.encode("utf-8", "replace"), 0)
        yield
    finally:
        if held:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
