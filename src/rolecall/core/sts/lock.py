"""The lock that makes concurrent rolecall processes assume a chain once.

Taken only on a cache miss, around the hops: the first process assumes (and
maybe asks for an MFA code); the others wait, then find its fresh entry.  The
lock is rolecall's own (:func:`rolecall.core.fsutil.locked_dir`: a 0600 file in
a 0700 directory), so no other user can hold it.  A file system without locks,
or a lock held too long, never blocks an assume: it goes ahead unlocked.  A
wait of more than a moment is one line that names the holder.
"""

from __future__ import annotations

import contextlib
import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterator

__all__ = ["LOCK_TIMEOUT", "NO_LOCK_ENV", "cache_lock"]

#: How long to wait for another rolecall process that is assuming (and maybe
#: prompting for MFA) before going ahead without the lock.
LOCK_TIMEOUT = 60.0
#: Set in the environment of a credential_process child so that a nested
#: ``rolecall credential-process`` does not wait for the lock its parent holds.
NO_LOCK_ENV = "ROLECALL_NO_LOCK"


@contextlib.contextmanager
def cache_lock(
    directory: str,
    timeout: float = LOCK_TIMEOUT,
    *,
    purpose: str = "assuming a role",
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[bool]:
    """The lock of the CLI cache ``directory``, waited for at most ``timeout``.

    Yields whether the lock is held.  Concurrent rolecall processes that miss
    the cache queue here, and all but the first then find the fresh entry.
    ``on_wait`` gets one line when the wait lasts (who holds the lock), and
    one more when it runs out and the assume goes ahead without it.
    """
    if os.environ.get(NO_LOCK_ENV):
        yield False
        return
    from rolecall.core import fsutil

    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(
                fsutil.locked_dir(directory, timeout, purpose=purpose, on_wait=on_wait)
            )
        except fsutil.LockTimeout as exc:
            if on_wait is not None:
                on_wait(f"{exc}; going ahead without it")
            held = False
        except OSError:
            held = False  # a file system without locks, or no lock directory: unlocked
        else:
            held = True
        yield held
