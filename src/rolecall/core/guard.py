"""Guarded profiles: which ones ask before their credentials are handed out, and the asking.

A profile is guarded by rolecall's settings file (``config.toml``), either way::

    guard = ["*prod*", "123456789012"]   # names and globs (any case), and account IDs
    guard_credential_process = "refuse"  # "allow" (the default) or "refuse"

    [profiles."prod-admin"]
    guard = true

A top-level ``guard = true`` guards every profile.  An entry matches the
profile's name or the account its role (or SSO role) is in, as a glob
(``fnmatch``, compared case-folded): ``"1234*"`` guards every account that
starts so.

The command line asks ``y/N`` on the terminal (:func:`ask`, ``/dev/tty``, so it
works with stdout captured by ``eval "$(...)"``); with no terminal the caller
refuses unless told ``--yes``.  ``credential-process`` never asks (SDKs run it),
but ``guard_credential_process = "refuse"`` makes it refuse guarded profiles.

This module decides; it reads the settings file itself only for the hot path
(:func:`read_rules`), and ``rolecall.settings`` hands its parsed document to
:func:`parse_rules`, so both read the keys the same way.  On the hot path a
file that never says ``guard`` costs one read and no TOML parser; one that does
is parsed once, and its rules kept beside it (``.guard-rules.json``, 0600, keyed
by the file's CRC-32 and length): ``tomllib`` imports ``typing``, which cost
the cache hit of ``credential-process`` 15 ms of CPU, a third of it
(``bench/bench_guard.py``).  No boto3, no UI.
"""

from __future__ import annotations

import os

from rolecall.core.regular_file import read_regular

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Mapping
    from typing import Any

    from rolecall.core.profiles import Profile

__all__ = [
    "CREDENTIAL_PROCESS_KEY",
    "EMPTY",
    "GUARD_KEY",
    "RULES_CACHE",
    "GuardRules",
    "ask",
    "describe_toml",
    "parse_rules",
    "read_rules",
    "target",
]

#: The top-level list (or ``true``), and the key of a ``[profiles."NAME"]`` table.
GUARD_KEY = "guard"
#: The parsed rules of the settings file, kept beside it for the hot path.
RULES_CACHE = ".guard-rules.json"
#: Bumped when the cached form (or what parse_rules makes of a document) changes.
_CACHE_VERSION = 1
#: What ``credential-process`` does with a guarded profile: "allow" or "refuse".
CREDENTIAL_PROCESS_KEY = "guard_credential_process"
_CP_VALUES = ("allow", "refuse")


class GuardRules:
    """The guard settings: patterns, profiles marked by name, and credential-process's choice."""

    __slots__ = ("patterns", "marked", "refuse_credential_process")

    def __init__(
        self,
        patterns: Iterable[str] = (),
        marked: Iterable[str] = (),
        refuse_credential_process: bool = False,
    ) -> None:
        #: names, globs and account IDs (the top-level ``guard`` list)
        self.patterns = tuple(patterns)
        #: profile names whose own table says ``guard = true``
        self.marked = frozenset(marked)
        self.refuse_credential_process = refuse_credential_process

    def __bool__(self) -> bool:
        """Whether anything is guarded at all."""
        return bool(self.patterns or self.marked)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GuardRules):
            return NotImplemented
        return (self.patterns, self.marked, self.refuse_credential_process) == (
            other.patterns,
            other.marked,
            other.refuse_credential_process,
        )

    def __hash__(self) -> int:
        return hash((self.patterns, self.marked, self.refuse_credential_process))

    def __repr__(self) -> str:
        return (
            f"GuardRules(patterns={self.patterns!r}, marked={sorted(self.marked)!r}, "
            f"refuse_credential_process={self.refuse_credential_process!r})"
        )

    def reason(self, name: str, account_id: str | None = None) -> str | None:
        """Why profile ``name`` (in ``account_id``) is guarded, or None when it is not.

        >>> rules = GuardRules(["*PROD*", "1234*"], ["ops"])
        >>> rules.reason("ops"), rules.reason("my-prod"), rules.reason("dev", "123456789012")
        ('guard = true in its settings', 'its name matches "*PROD*"', 'its account matches "1234*"')
        >>> rules.reason("dev", "999999999999") is None
        True
        """
        if name in self.marked:
            return "guard = true in its settings"
        if not self.patterns:
            return None
        from fnmatch import fnmatchcase

        folded = name.casefold()
        for pattern in self.patterns:
            if fnmatchcase(folded, pattern.casefold()):
                return f'its name matches "{pattern}"'
            if account_id and fnmatchcase(account_id, pattern):
                return f'its account matches "{pattern}"'
        return None

    def guards(self, profile: Profile) -> bool:
        """Whether ``profile`` is guarded."""
        return self.reason(profile.name, profile.account_id) is not None


#: No profile guarded.
EMPTY = GuardRules()


def parse_rules(data: Mapping[str, Any]) -> tuple[GuardRules, list[str]]:
    """The guard rules in a parsed settings document, and what was wrong with them.

    A value of the wrong type is reported, and errs on the side of guarding.

    >>> rules, errors = parse_rules({"guard": "*prod*", "profiles": {"x": {"guard": True}}})
    >>> rules.patterns, sorted(rules.marked), errors
    (('*prod*',), ['x'], [])
    >>> for error in parse_rules({"guard": [1], "profiles": {"y": {"guard": "yes"}}})[1]:
    ...     print(error)
    guard[0] must be a profile name, glob or account ID, got 1; ignoring it
    profiles.y.guard must be true or false, got 'yes'; guarding it
    """
    patterns: list[str] = []
    errors: list[str] = []
    raw = data.get(GUARD_KEY, [])
    if raw is True:
        patterns.append("*")
    elif isinstance(raw, str):
        raw = [raw]
    elif raw is not False and not isinstance(raw, list):
        errors.append(
            f"{GUARD_KEY} must be an array of profile names, globs and account IDs "
            f"(or true), got {describe_toml(raw)}; guarding every profile"
        )
        patterns.append("*")
    if isinstance(raw, list):
        for index, item in enumerate(raw):
            if isinstance(item, str) and item.strip():
                patterns.append(item.strip())
            else:
                errors.append(
                    f"{GUARD_KEY}[{index}] must be a profile name, glob or account ID, "
                    f"got {describe_toml(item)}; ignoring it"
                )
    marked: list[str] = []
    profiles = data.get("profiles", {})
    if isinstance(profiles, dict):
        for name, table in profiles.items():
            if not isinstance(table, dict) or GUARD_KEY not in table:
                continue
            value = table[GUARD_KEY]
            if value is True:
                marked.append(name)
            elif value is not False:
                errors.append(
                    f"profiles.{_key(name)}.{GUARD_KEY} must be true or false, "
                    f"got {describe_toml(value)}; guarding it"
                )
                marked.append(name)
    refuse = False
    if CREDENTIAL_PROCESS_KEY in data:
        choice = data[CREDENTIAL_PROCESS_KEY]
        if choice in _CP_VALUES:
            refuse = choice == "refuse"
        else:
            errors.append(
                f'{CREDENTIAL_PROCESS_KEY} must be "allow" or "refuse", '
                f'got {describe_toml(choice)}; using "allow"'
            )
    return GuardRules(patterns, marked, refuse), errors


def describe_toml(value: object) -> str:
    """A TOML value as messages show it (``rolecall.settings`` words its own the same way).

    >>> describe_toml(True), describe_toml({}), describe_toml([1]), describe_toml("abc")
    ('true', 'a table', 'an array', "'abc'")
    """
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def _key(name: str) -> str:
    return name if name.replace("-", "").replace("_", "").isalnum() else f'"{name}"'


def read_rules(path: str) -> tuple[GuardRules, list[str]]:
    """The guard rules of the settings file at ``path`` (none when it has none).

    The hot path of ``env`` and ``credential-process``: a file that does not
    contain the word ``guard`` is not parsed (no TOML parser is imported), and
    one that does is parsed only when its rules are not kept already
    (:data:`RULES_CACHE`).  A file that cannot be read or parsed gives no rules
    and one error.
    """
    try:
        raw = read_regular(path)  # (a FIFO in its place is an error, never waited for)
    except OSError as exc:
        return EMPTY, [f"cannot be read ({exc.strerror or exc}); no profile is guarded"]
    if raw is None:
        return EMPTY, []
    if b"guard" not in raw:
        return EMPTY, []
    import zlib

    stamp = [_CACHE_VERSION, zlib.crc32(raw), len(raw)]
    cache = os.path.join(os.path.dirname(path), RULES_CACHE)
    found = _cached_rules(cache, stamp)
    if found is not None:
        return found
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        rules, errors = EMPTY, [f"is not valid TOML ({exc}); no profile is guarded"]
    else:
        rules, errors = parse_rules(data)
    _keep_rules(cache, stamp, rules, errors)
    return rules, errors


def _cached_rules(cache: str, stamp: list[int]) -> tuple[GuardRules, list[str]] | None:
    """The rules kept for the settings file of ``stamp``, or None (none, stale, unreadable)."""
    from rolecall.core.fast_json import loads  # (json imports re: not on a cache hit)

    try:
        doc = loads(read_regular(cache) or b"")
        if doc["stamp"] != stamp:
            return None
        patterns, marked, refuse, errors = (
            doc["patterns"],
            doc["marked"],
            doc["refuse"],
            doc["errors"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    lists = (patterns, marked, errors)
    if not all(isinstance(v, list) and all(isinstance(i, str) for i in v) for v in lists):
        return None
    return GuardRules(patterns, marked, refuse is True), list(errors)


def _keep_rules(cache: str, stamp: list[int], rules: GuardRules, errors: list[str]) -> None:
    """Keep the parsed rules beside the settings file (best effort: it is only a cache)."""
    import json

    from rolecall.core.fsutil import atomic_write

    doc = {
        "stamp": stamp,
        "patterns": list(rules.patterns),
        "marked": sorted(rules.marked),
        "refuse": rules.refuse_credential_process,
        "errors": errors,
    }
    try:
        atomic_write(cache, json.dumps(doc).encode("utf-8"), 0o600, follow_symlinks=False)
    except (OSError, ValueError):
        pass


def target(profile: Profile) -> str:
    """What a guarded profile's credentials reach, for prompts and modals.

    ``account 736190452278, role Admin``; ``account unknown`` when the config
    does not say (a user's own keys).
    """
    account = profile.account_id or "unknown"
    role = profile.role_name
    return f"account {account}, role {role}" if role else f"account {account}"


def ask(question: str, tty: str = "/dev/tty") -> bool | None:
    """Ask ``question`` on the terminal and read the answer: True only for y or yes.

    None when there is no terminal to ask on (the caller refuses then).  Anything
    but y or yes, an empty line and end of input included, is No.
    """
    try:
        fd = os.open(tty, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None
    try:
        os.write(fd, question.encode("utf-8", "replace"))
        answer = os.read(fd, 1024)
    except OSError:
        return None
    finally:
        os.close(fd)
    return answer.decode("utf-8", "replace").strip().casefold() in ("y", "yes")
