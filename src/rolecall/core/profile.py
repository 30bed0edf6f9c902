"""The profile record: its kind, its settings read from its values, and its chain.

A :class:`Profile` is made by :class:`rolecall.core.profiles.ProfileSet`, which
also finds its problems (:mod:`rolecall.core.diagnosis`) and links its chain; the
:class:`Chain` is a view of those links.  ``classify`` and ``has_static_keys`` are
the rules the diagnosis and the chain resolution share.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from rolecall.core.ini import RawSection, Value, Values, has_nested
from rolecall.core.setting_rules import RoleArn, _arn_account, _arn_role, parse_duration

TYPE_CHECKING = False  # (not typing.TYPE_CHECKING: importing typing costs a cache hit 2 ms)
if TYPE_CHECKING:
    from typing import overload

__all__ = ["KINDS", "Chain", "Profile", "classify", "has_static_keys"]

KINDS = ("static", "assume-role", "sso", "credential-process", "web-identity", "incomplete")


def has_static_keys(values: Mapping[str, Value]) -> bool:
    """Whether a profile holds static keys (either one: a lone one is a problem).

    botocore reads such a source profile's keys and goes no further, even when
    it also has ``role_arn``.
    """
    return "aws_access_key_id" in values or "aws_secret_access_key" in values


#: The problems of a profile that has none (internal: never handed out).
_NO_PROBLEMS: list[str] = []


#: A profile defined in both files: (config values, credentials values).
Sides = tuple[Values, Values]


def _gives_credentials(values: Mapping[str, Value]) -> bool:
    """Whether a profile without role_arn yields credentials of its own."""
    return (
        "sso_account_id" in values
        or "sso_role_name" in values
        or "credential_process" in values
        or bool(values.get("web_identity_token_file"))
        or has_static_keys(values)
    )


def _has_role(values: Mapping[str, Value]) -> bool:
    return "role_arn" in values and "web_identity_token_file" not in values


def classify(values: Mapping[str, Value]) -> str:
    """The kind of credentials a profile resolves to, in botocore's provider order."""
    if "role_arn" in values:
        if "web_identity_token_file" in values:
            return "web-identity"
        if "source_profile" in values or "credential_source" in values:
            return "assume-role"
        return "incomplete"
    if "sso_account_id" in values or "sso_role_name" in values or "sso_session" in values:
        return "sso"
    if "sso_start_url" in values:
        return "sso"
    if has_static_keys(values):
        return "static"
    if "credential_process" in values:
        return "credential-process"
    return "incomplete"


class Profile:
    """One profile, with its resolved chain and its problems.

    A profile holds little of its own: its settings are read from ``values``
    when asked (``region``, ``role_arn``...), its line from its section, and its
    chain is links shared with its sources.  120,000 profiles are held in about
    1 KB each, the values included.
    """

    __slots__ = (
        "name",
        "values",
        "kind",
        "file",
        "_line",
        "_problems",
        "_arn_ok",
        "root_kind",
        "nested",
        "depth",
        "_next",
        "_last",
        "_base",
    )

    def __init__(
        self,
        name: str,
        values: Values,
        file: str | None,
        line: int | RawSection | None,
        nested: bool | None = None,
    ) -> None:
        """``line`` is the 1-based line of the profile's section, or the section
        itself; ``nested`` says whether some value is a nested block (found when None)."""
        self.name = name
        self.values = values
        self.kind = classify(values)
        self.file = file
        self._line = line
        #: what botocore refuses (None: nothing; most profiles hold no list)
        self._problems: list[str] | None = None
        #: ``len(self.chain)``; the chain's links (None: this profile itself):
        #: the next profile, the last one and the one before the last
        self.depth = 1
        self._next: Profile | None = None
        self._last: Profile | None = None
        self._base: Profile | None = None
        #: whether ``role_arn`` is a valid role ARN (checked with the problems)
        self._arn_ok = False
        #: what the chain's root is: a kind, or ``credential_source:NAME``
        self.root_kind: str = self.kind
        #: whether some value is a nested block (``key =`` then indented lines)
        self.nested = has_nested(values) if nested is None else nested

    def get(self, key: str) -> str | None:
        """A plain string setting, or None when absent (or a nested block)."""
        value = self.values.get(key)
        return value if value.__class__ is str else None

    @property
    def problems(self) -> list[str]:
        """What botocore refuses, or would do wrong, with this profile (one line each)."""
        return self._problems or []

    @problems.setter
    def problems(self, problems: list[str]) -> None:
        self._problems = problems or None

    @property
    def line(self) -> int | None:
        """The 1-based line of the section that defines the profile."""
        line = self._line
        if line is None or line.__class__ is int:
            return line
        return line.start + 1  # type: ignore[union-attr]

    # the plain string settings (None when absent, or a nested block), read at
    # once: `rolecall list` asks them of every profile
    @property
    def region(self) -> str | None:
        value = self.values.get("region")
        return value if value.__class__ is str else None

    @property
    def role_arn(self) -> str | None:
        value = self.values.get("role_arn")
        return value if value.__class__ is str else None

    @property
    def source_profile(self) -> str | None:
        value = self.values.get("source_profile")
        return value if value.__class__ is str else None

    @property
    def credential_source(self) -> str | None:
        value = self.values.get("credential_source")
        return value if value.__class__ is str else None

    @property
    def mfa_serial(self) -> str | None:
        value = self.values.get("mfa_serial")
        return value if value.__class__ is str else None

    @property
    def external_id(self) -> str | None:
        value = self.values.get("external_id")
        return value if value.__class__ is str else None

    @property
    def role_session_name(self) -> str | None:
        value = self.values.get("role_session_name")
        return value if value.__class__ is str else None

    @property
    def arn(self) -> RoleArn | None:
        """``role_arn`` split into its parts; None when absent or malformed."""
        role_arn = self.get("role_arn")
        return None if role_arn is None else RoleArn.parse(role_arn)

    @property
    def duration_seconds(self) -> int | None:
        return parse_duration(self.get("duration_seconds"))

    @property
    def account_id(self) -> str | None:
        if self._arn_ok:
            return _arn_account(self.values["role_arn"])  # type: ignore[arg-type]
        return self.get("sso_account_id")

    @property
    def role_name(self) -> str | None:
        if self._arn_ok:
            return _arn_role(self.values["role_arn"])  # type: ignore[arg-type]
        return self.get("sso_role_name")

    @property
    def source(self) -> str | None:
        """The first hop: the source profile, or the credential source."""
        values = self.values
        value = values.get("source_profile")
        if value and value.__class__ is str:
            return value
        value = values.get("credential_source")
        return value if value.__class__ is str else None

    @property
    def chain(self) -> Chain:
        """Profile names from this one to the one that holds the root credentials."""
        return Chain(self)

    @property
    def hops(self) -> list[str]:
        """The profiles of the chain that assume a role, root-most last."""
        return list(self.chain)[:-1] if self.depth > 1 else []

    def _link(self, src: Profile) -> None:
        """This profile's chain goes on with ``src``'s whole chain."""
        self._next = src
        self.depth = src.depth + 1
        self._last = src._last or src
        self._base = (src._base or src) if src.depth > 1 else None

    def _link_root(self, src: Profile) -> None:
        """This profile's chain ends with ``src``, whatever ``src``'s own chain is."""
        self._next = self._last = None if src is self else src
        self.depth = 2
        self._base = None

    def _cycle_links(self, nxt: Profile, last: Profile, base: Profile, depth: int) -> None:
        """This profile's chain goes round a cycle: ``depth`` profiles, from itself."""
        self._next = nxt
        self._last = last
        self._base = None if base is self else base
        self.depth = depth

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "region": self.region,
            "role_arn": self.role_arn,
            "account_id": self.account_id,
            "role_name": self.role_name,
            "source_profile": self.source_profile,
            "credential_source": self.credential_source,
            "mfa_serial": self.mfa_serial,
            "external_id": self.external_id,
            "duration_seconds": self.duration_seconds,
            "role_session_name": self.role_session_name,
            "chain": list(self.chain),
            "problems": list(self.problems),
            "file": self.file,
            "line": self.line,
        }


class Chain(Sequence[str]):
    """A profile's chain: its name, then each source profile's, to the root.

    A view of links that the profiles share (a deep chain is not copied for
    each of its profiles): its length, first and last two names cost the same
    at any depth, and it compares equal to the list of the same names.
    """

    __slots__ = ("_top",)

    def __init__(self, top: Profile) -> None:
        self._top = top

    def __len__(self) -> int:
        return self._top.depth

    def profiles(self) -> Iterator[Profile]:
        """The profiles of the chain, in order."""
        return iter(self._walk())

    def _walk(self) -> list[Profile]:
        prof = self._top
        found = [prof]
        for _ in range(prof.depth - 1):
            nxt = prof._next
            if nxt is not None:  # (None: a profile that names itself)
                prof = nxt
            found.append(prof)
        return found

    def __iter__(self) -> Iterator[str]:
        top = self._top
        if top.depth == 1:
            return iter((top.name,))
        return iter([prof.name for prof in self._walk()])

    if TYPE_CHECKING:

        @overload
        def __getitem__(self, index: int) -> str: ...

        @overload
        def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return list(self)[index]
        top = self._top
        count = top.depth
        i = index + count if index < 0 else index
        if not 0 <= i < count:
            raise IndexError("chain index out of range")
        if i == 0:
            return top.name
        if i == count - 1:
            return (top._last or top).name
        if i == count - 2:
            return (top._base or top).name
        for j, name in enumerate(self):
            if j == i:
                return name
        raise AssertionError("unreachable")  # pragma: no cover

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Chain | list):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))
