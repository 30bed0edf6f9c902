"""AWS's limits on a role session's duration, decided once for the whole program.

The profile checks (``duration_seconds`` in a profile), rolecall's settings
(``[defaults] duration_seconds``), the STS engine (``--duration``, the cap on
a chained hop) and the console (``SessionDuration``, GetFederationToken) all
read them from here.  This module imports nothing: the
cache-hit path and ``rolecall list`` load it for free.
"""

from __future__ import annotations

__all__ = [
    "CHAINED_MAX_DURATION",
    "CONSOLE_MAX_DURATION",
    "DEFAULT_DURATION",
    "FEDERATION_MAX_DURATION",
    "MAX_DURATION",
    "MIN_DURATION",
    "duration_in_range",
]

#: The shortest role session STS grants (15 minutes).
MIN_DURATION = 900
#: The longest role session STS grants (12 hours; the role's MaxSessionDuration may be lower).
MAX_DURATION = 43200
#: The longest session of a role assumed with role credentials (role chaining: 1 hour).
CHAINED_MAX_DURATION = 3600
#: STS's DurationSeconds when the caller sets none (1 hour).
DEFAULT_DURATION = 3600
#: The longest console session the federation endpoint's ``SessionDuration`` grants (12 hours).
CONSOLE_MAX_DURATION = 43200
#: The longest GetFederationToken session of an IAM user's keys (36 hours).
FEDERATION_MAX_DURATION = 129600


def duration_in_range(seconds: int) -> bool:
    """Whether STS can grant a session of ``seconds`` at all (``MIN..MAX_DURATION``).

    >>> [duration_in_range(s) for s in (899, 900, 43200, 43201)]
    [False, True, True, False]
    """
    return MIN_DURATION <= seconds <= MAX_DURATION
