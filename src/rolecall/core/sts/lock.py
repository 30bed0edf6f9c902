"""The lock that makes concurrent rolecall processes assume a chain once.

Taken only on a cache miss, around the hops: the first process assumes (and
maybe asks for an MFA code); the others wait, then find its fresh entry.  A
file system without locks, or a lock held too long, never blocks an assume:
it goes ahead unlocked.
"""

from __future__ import annotations

import contextlib
import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterator

__all__ = ["LOCK_TIMEOUT", "NO_LOCK_ENV", "cache_lock"]

#: How long to wait for another rolecall process that is assuming (and maybe
#: prompting for MFA) before going ahead without the lock.
LOCK_TIMEOUT = 60.0
#: Set in the environment of a credential_process child so that a nested
#: ``rolecall credential-process`` does not wait for the lock its parent holds.
NO_LOCK_ENV = "ROLECALL_NO_LOCK"


@contextlib.contextmanager
def cache_lock(directory: str, timeout: float = LOCK_TIMEOUT) -> Iterator[bool]:
    """An exclusive ``flock`` on the cache directory, waited for at most ``timeout``.

    Yields whether the lock is held.  Concurrent rolecall processes that miss
    the cache queue here, and all but the first then find the fresh entry.
    """
    if os.environ.get(NO_LOCK_ENV):
        yield False
        return
    import fcntl

    from rolecall.core import fsutil

    try:
        fsutil.ensure_private_dir(directory)
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        yield False
        return
    held = False
    try:
        try:
            held = fsutil.flock_wait(fd, timeout)
        except OSError:
            pass  # a file system without locks: go on unlocked
        yield held
    finally:
        if held:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
