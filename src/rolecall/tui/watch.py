"""Change detection for the reload: cheap stats, polled once a second (no Textual).

``Watch.changes()`` says whether the AWS files or the credential caches changed
since what was last loaded (:meth:`Watch.seen`).  The files are two ``os.stat``
calls; the caches are the cache module's fingerprint (a stat per entry), taken
every poll while it is cheap, and otherwise every 10th poll or at once when a
cache directory's own mtime moves (a new entry, or one renamed into place).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Stamp", "Watch", "file_stamp"]

#: (files, cache): what a reload loaded
Stamp = tuple[tuple[Any, ...], tuple[Any, ...]]
#: the full fingerprint is "slow" above this many seconds
SLOW = 0.003
#: a slow fingerprint is taken every this many polls
SLOW_EVERY = 10


def file_stamp(path: str) -> tuple[int, int, int] | None:
    """(mtime_ns, size, inode) of a file, or None when it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class Watch:
    def __init__(
        self,
        paths: Callable[[], tuple[str, str]],
        fingerprint: Callable[[], tuple[Any, ...]],
        dirs_stamp: Callable[[], tuple[Any, ...]],
    ) -> None:
        self.paths = paths
        self.fingerprint = fingerprint
        self.dirs_stamp = dirs_stamp
        self.files_seen: tuple[Any, ...] = ()
        self.cache_seen: tuple[Any, ...] = ()
        self._dirs_seen: tuple[Any, ...] = ()
        self._cost = 0.0
        self._polls = 0

    @property
    def slow(self) -> bool:
        """Whether the last full fingerprint took more than :data:`SLOW` seconds."""
        return self._cost > SLOW

    def files(self) -> tuple[Any, ...]:
        return tuple(file_stamp(path) for path in self.paths())

    def cache(self, force: bool = False) -> tuple[Any, ...]:
        self._polls += 1
        dirs = self.dirs_stamp()
        moved = dirs != self._dirs_seen
        self._dirs_seen = dirs
        if not force and not moved and self._cost > SLOW and self._polls % SLOW_EVERY:
            return self.cache_seen
        start = time.perf_counter()
        stamp = self.fingerprint()
        self._cost = time.perf_counter() - start
        return stamp

    def now(self, force: bool = False) -> Stamp:
        return self.files(), self.cache(force)

    def changes(self) -> tuple[Stamp, bool] | None:
        """(the new stamp, whether the files changed), or None when nothing did."""
        files, cache = self.now()
        if files == self.files_seen and cache == self.cache_seen:
            return None
        return (files, cache), files != self.files_seen

    def seen(self, stamp: Stamp) -> None:
        self.files_seen, self.cache_seen = stamp
