"""Where an assume starts and which hops it takes: :class:`Root`, :class:`Route`,
and the wording of a ``source_profile`` cycle."""

from __future__ import annotations

from collections.abc import Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from rolecall.core.profile import Profile

__all__ = ["Root", "Route"]


class Root:
    """Where a chain's first credentials come from.

    ``kind`` is ``static`` (the keys of ``profile``), ``credential_source``
    (``profile`` is the role hop that names ``source``: Environment...), or the
    kind of the profile that holds credentials of its own (``sso``,
    ``credential-process``, ``web-identity``).  Meaningful for a profile without
    problems; for a broken one it names where its chain stops.
    """

    __slots__ = ("kind", "profile", "source")

    def __init__(self, kind: str, profile: str, source: str | None = None) -> None:
        self.kind = kind
        self.profile = profile
        self.source = source

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Root):
            return NotImplemented
        return (self.kind, self.profile, self.source) == (other.kind, other.profile, other.source)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Root({self.kind!r}, {self.profile!r}, {self.source!r})"

    def describe(self) -> str:
        """The root as messages name it.

        >>> Root("credential_source", "ci", "Environment").describe()
        "the environment credentials (credential_source of 'ci')"
        """
        if self.kind == "static":
            return f"the static keys of profile {self.profile!r}"
        if self.kind == "credential_source":
            if self.source == "Environment":
                return f"the environment credentials (credential_source of {self.profile!r})"
            return f"the {self.source} credentials (credential_source of {self.profile!r})"
        if self.kind == "sso":
            return f"the SSO credentials of profile {self.profile!r}"
        if self.kind == "credential-process":
            return f"the credential_process of profile {self.profile!r}"
        return f"the web identity credentials of profile {self.profile!r}"


class Route:
    """How an assume of ``profile`` goes: the ``hops`` that assume a role (the
    requested profile first, the one nearest the root last), from ``root``'s
    credentials.  :meth:`ProfileSet.route` gives it."""

    __slots__ = ("profile", "hops", "root")

    def __init__(self, profile: Profile, hops: list[Profile], root: Root) -> None:
        self.profile = profile
        self.hops = hops
        self.root = root


#: A cycle longer than this is named by its first and last profiles only.
_CYCLE_NAMES = 8


def _cycle_text(names: Sequence[str], start: int = 0) -> str:
    """``source_profile cycle: a -> b -> a``, from ``names[start]``; a long one
    is cut in the middle (every member of a cycle names it).

    >>> _cycle_text(["a", "b", "c"], 1)
    'source_profile cycle: b -> c -> a -> b'
    >>> _cycle_text([f"p{i}" for i in range(100)])
    'source_profile cycle of 100 profiles: p0 -> p1 -> p2 -> ... -> p98 -> p99 -> p0'
    """
    count = len(names)
    if count <= _CYCLE_NAMES:
        shown = [names[(start + k) % count] for k in range(count + 1)]
        return "source_profile cycle: " + " -> ".join(shown)
    shown = [names[(start + k) % count] for k in (0, 1, 2, -2, -1, 0)]
    shown.insert(3, "...")
    return f"source_profile cycle of {count} profiles: " + " -> ".join(shown)
