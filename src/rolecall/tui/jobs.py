"""The assume queue: which assumes run, and which wait for their turn (pure: no Textual).

At most :data:`MAX_ASSUMES` run at once; more would only fight over the GIL (and
stall the UI) for no gain in speed.  A profile is assumed once at a time: a second
request while it runs or waits is ignored.

>>> queue: AssumeQueue[str] = AssumeQueue(limit=1)
>>> dev = Job("dev", "assume", None)
>>> queue.add(dev)  # it may start: its worker is then registered
True
>>> queue.started("worker-1", dev)
>>> queue.add(Job("prod", "shell", None)), queue.busy("prod")  # it waits
(False, True)
>>> job, next_job = queue.finished("worker-1")
>>> job.name, next_job.name if next_job else None
('dev', 'prod')
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar, get_args

__all__ = [
    "MAX_ASSUMES",
    "MFA_CANCELLED",
    "MFA_REQUIRED",
    "SSO_EXPIRED",
    "PURPOSES",
    "AssumeQueue",
    "Job",
    "Purpose",
    "assume_group",
]

#: why a profile is assumed: ``reassume`` skips the cache, ``shell`` opens one after,
#: ``refresh`` re-assumes in the background what is about to expire (``keep_fresh``),
#: ``console`` opens the AWS console as it
Purpose = Literal["assume", "reassume", "whoami", "shell", "refresh", "console"]
PURPOSES: tuple[Purpose, ...] = get_args(Purpose)
#: assumes that run at once; more wait for their turn
MAX_ASSUMES = 4
#: the error code of an assume that needed an MFA code and had none (``rolecall.core.sts``)
MFA_CANCELLED = "MfaCancelled"
#: the error code of an assume that needed an MFA code and could not ask (a refresh)
MFA_REQUIRED = "MfaRequired"
#: the error code of an assume whose SSO token is missing or expired (``rolecall.core.sts``)
SSO_EXPIRED = "SsoExpired"

Key = TypeVar("Key", bound=Hashable)


def assume_group(name: str) -> str:
    """The worker group of the assumes of ``name`` (one at a time per profile)."""
    return f"assume-{name}"


@dataclass
class Job:
    """One assume: which profile, why, and the MFA code it was given."""

    name: str
    purpose: Purpose
    code: str | None
    #: the MFA serials the engine asked a code for
    asked: list[str] = field(default_factory=list)
    #: the keys typed after it wait for the shell it opens (``OrderedKeysApp.hold_keys``)
    holds_keys: bool = False


class AssumeQueue(Generic[Key]):
    """The jobs running (by their worker) and those waiting, first come first served."""

    def __init__(self, limit: int = MAX_ASSUMES) -> None:
        self.limit = limit
        self.running: dict[Key, Job] = {}
        self.waiting: deque[Job] = deque()

    def busy(self, name: str) -> bool:
        """Whether an assume of ``name`` runs or waits for its turn."""
        return any(job.name == name for job in self.jobs())

    def jobs(self) -> Iterator[Job]:
        yield from self.running.values()
        yield from self.waiting

    def add(self, job: Job) -> bool:
        """Whether ``job`` may start now; if not, it waits for its turn."""
        if len(self.running) < self.limit:
            return True
        self.waiting.append(job)
        return False

    def started(self, key: Key, job: Job) -> None:
        self.running[key] = job

    def finished(self, key: Key) -> tuple[Job | None, Job | None]:
        """The job of ``key`` (None if unknown), and the next to start, if any."""
        job = self.running.pop(key, None)
        if job is None:
            return None, None
        return job, self.waiting.popleft() if self.waiting else None

    def __bool__(self) -> bool:
        """Whether any job runs or waits."""
        return bool(self.running or self.waiting)
