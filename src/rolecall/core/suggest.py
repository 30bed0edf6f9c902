""" "Did you mean ...?": one rule for every name rolecall cannot find.

``assume dve``, ``env prod``, ``profile remove``, a ``source_profile`` that
does not exist and ``AWS_PROFILE`` in ``doctor`` all ask :func:`closest`, so
the same typo gets the same answer everywhere.  In order:

1. the same name in another case (``Dev`` for ``dev``);
2. the shortest name that starts with it (``prod`` finds ``prod-admin``);
3. the shortest name that holds it (``admin`` finds ``prod-admin``);
4. the closest spelling (``dve`` finds ``dev``; ``difflib``, cut-off 0.6).

Steps 1 to 3 are one pass over the names; the spelling step compares at most
:data:`SUGGEST_LIMIT` names (``difflib`` costs about 10 µs a name).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

__all__ = ["SUGGEST_LIMIT", "closest", "did_you_mean"]

#: At most this many names are compared by spelling (step 4).
SUGGEST_LIMIT = 5000


def closest(name: str, names: Iterable[str]) -> str | None:
    """The name ``name`` was most likely meant to be, or None.

    >>> names = ["dev", "prod-admin", "prod-readonly", "staging"]
    >>> closest("prod", names), closest("dve", names), closest("readonly", names)
    ('prod-admin', 'dev', 'prod-readonly')
    >>> closest("DEV", names), closest("zzz", names)
    ('dev', None)
    """
    wanted = name.casefold()
    if not wanted:
        return None
    pool = list(names)
    same: str | None = None
    starts: str | None = None
    holds: str | None = None
    for candidate in pool:
        folded = candidate.casefold()
        if folded == wanted:
            if candidate != name and same is None:
                same = candidate
        elif len(wanted) >= 2 and folded.startswith(wanted):
            starts = _shorter(starts, candidate)
        elif len(wanted) >= 3 and wanted in folded:
            holds = _shorter(holds, candidate)
    found = same or starts or holds
    if found is not None:
        return found
    import difflib

    if len(pool) > SUGGEST_LIMIT:
        # only names of a similar length that start with the same character
        first = wanted[:1]
        pool = [n for n in pool if abs(len(n) - len(name)) <= 2 and n[:1].casefold() == first][
            :SUGGEST_LIMIT
        ]
    close = difflib.get_close_matches(name, pool, n=1)
    return close[0] if close else None


def _shorter(best: str | None, candidate: str) -> str:
    """The shorter of the two names (the first in order, at the same length)."""
    if best is None or (len(candidate), candidate) < (len(best), best):
        return candidate
    return best


def did_you_mean(name: str, names: Iterable[str]) -> str | None:
    """``did you mean 'prod-admin'?`` for :func:`closest`, or None."""
    found = closest(name, names)
    return None if found is None else f"did you mean {found!r}?"
