"""Reading a file that another program could have replaced, without waiting on it.

A FIFO or a device planted where rolecall expects its settings, or the AWS
files, would make a plain ``open()`` wait for a writer that never comes:
``rolecall env`` or the UI would hang.  :func:`read_regular` opens without
blocking and reads only a regular file.  It imports only what the interpreter
has loaded already, so the cache-hit path pays nothing for it.
"""

from __future__ import annotations

import errno
import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

__all__ = ["read_regular"]


def read_regular(
    path: str,
    limit: int | None = None,
    *,
    follow_symlinks: bool = True,
    check: Callable[[os.stat_result], None] | None = None,
) -> bytes | None:
    """The bytes of the regular file at ``path`` (with ``limit``, at most ``limit + 1``
    of them, so that a larger file shows), or None when there is no file.

    Raises ``OSError`` when it cannot be read, or is not a regular file (a
    directory, a FIFO, a device): the check is made on the open descriptor, so
    what is read is what was checked.  ``follow_symlinks=False`` refuses a
    symlink at ``path`` (``ELOOP``); ``check``, given the descriptor's ``fstat``
    first, may raise ``OSError`` to read nothing (the credential caches check
    the owner and the size there).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    try:
        st = os.fstat(fd)
        if check is not None:
            check(st)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks: list[bytes] = []
        left = -1 if limit is None else limit + 1
        while left:
            chunk = os.read(fd, 1 << 20 if left < 0 else min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left = -1 if left < 0 else left - len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
