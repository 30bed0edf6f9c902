"""The profile model: kinds, role ARNs, chains and the problems botocore would refuse.

Everything here works on the merged maps of :mod:`rolecall.core.config`, with
no network call.  The chain rules follow ``botocore.credentials.AssumeRoleProvider``:

* a profile with ``role_arn`` (and no ``web_identity_token_file``) assumes a role,
  sourcing credentials from ``source_profile`` or ``credential_source``, never both;
* a source profile with static keys is a root, even if it also has ``role_arn``;
* a source profile with ``role_arn`` and no keys is one more hop;
* any other source must hold credentials of its own (SSO, process, web identity);
* a profile may name itself as ``source_profile`` only when it has static keys;
* static keys are read from one file at a time: ``aws_access_key_id`` in a file
  needs ``aws_secret_access_key`` in the same file.
"""

from __future__ import annotations

import gc
import re
import shlex
from collections.abc import Callable, Iterator, Mapping, Sequence

from rolecall.core.config import AwsConfig, FileProblem, load
from rolecall.core.ini import RawSection, Value, Values, has_nested
from rolecall.core.limits import MAX_DURATION, MIN_DURATION

TYPE_CHECKING = False  # (not typing.TYPE_CHECKING: importing typing costs a cache hit 2 ms)
if TYPE_CHECKING:
    from typing import overload

# ASCII, as json.dumps writes by default: a U+202E or a C1 control in a profile
# name reaches the terminal of `rolecall list --json` as an escape, never raw
try:
    from _json import encode_basestring_ascii as _encode_str
except ImportError:  # pragma: no cover - CPython always has _json
    from json.encoder import py_encode_basestring_ascii as _encode_str

__all__ = [
    "CREDENTIAL_SOURCES",
    "KINDS",
    "MAX_DURATION",
    "MIN_DURATION",
    "Chain",
    "Profile",
    "ProfileSet",
    "RoleArn",
    "Root",
    "Route",
    "build",
    "has_static_keys",
    "load_profiles",
    "mfa_serial_problem",
    "profile_json_text",
    "region_problem",
    "role_arn_problem",
    "write_list_json",
    "write_list_text",
]

KINDS = ("static", "assume-role", "sso", "credential-process", "web-identity", "incomplete")
CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")

#: partition, account, path, name (unnamed groups: ``groups()`` is faster then)
_ARN_RE = re.compile(
    r"arn:(aws[a-z-]*):iam::(\d{12}):role(/(?:[!-.0-~]+/)*)([\w+=,.@-]{1,64})", re.ASCII
)
#: The usual role ARN, without a path: one ``_ARN_RE`` matches too (and faster).
_PLAIN_ARN_RE = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@-]{1,64}", re.ASCII)
SSO_REQUIRED = ("sso_start_url", "sso_region", "sso_account_id", "sso_role_name")
_SHLEX_SPECIAL = frozenset("'\"\\")
#: Role settings botocore reads as plain strings (a nested block breaks it).
_ROLE_KEYS = ("role_arn", "source_profile", "credential_source", "duration_seconds")
#: Settings that break botocore as a nested block, whatever the profile's kind.
_VALUE_KEYS = ("sso_session", "credential_process")
_ROLE_AND_VALUE_KEYS = _ROLE_KEYS + _VALUE_KEYS


class RoleArn:
    """``arn:PARTITION:iam::ACCOUNT:role/PATH/NAME``, split into its parts.

    >>> RoleArn.parse("arn:aws:iam::123456789012:role/ops/Admin").path
    '/ops/'
    """

    __slots__ = ("arn", "partition", "account_id", "path", "name")

    def __init__(self, arn: str, partition: str, account_id: str, path: str, name: str) -> None:
        self.arn = arn
        self.partition = partition
        self.account_id = account_id
        self.path = path
        self.name = name

    @classmethod
    def parse(cls, arn: str) -> RoleArn | None:
        m = _ARN_RE.fullmatch(arn)
        if m is None:
            return None
        partition, account, path, name = m.groups()
        if len(path) > 512:
            return None
        return cls(arn, partition, account, path, name)

    @classmethod
    def build(cls, account_id: str, name: str, partition: str = "aws") -> str:
        return f"arn:{partition}:iam::{account_id}:role/{name}"


def role_arn_problem(arn: str) -> str | None:
    """Which part of ``arn`` keeps it from being an IAM role ARN, or None when it is one.

    >>> role_arn_problem("arn:aws:iam::12345678901:role/Admin")
    "the account ID '12345678901' has 11 digits, not 12"
    >>> role_arn_problem("arn:aws:iam:123456789012:role/Admin")
    "'::' is missing after 'iam' (IAM ARNs have no region: arn:aws:iam::ACCOUNT:role/NAME)"
    """
    if RoleArn.parse(arn) is not None:
        return None
    parts = arn.split(":", 5)
    if parts[0] != "arn":
        return "it does not start with 'arn:'"
    if len(parts) == 5 and parts[2] == "iam" and parts[3] != "":
        return (
            "'::' is missing after 'iam' (IAM ARNs have no region: arn:aws:iam::ACCOUNT:role/NAME)"
        )
    if len(parts) < 6:
        return f"it has {len(parts)} ':'-separated parts, not 6 (arn:aws:iam::ACCOUNT:role/NAME)"
    _, partition, service, region, account, resource = parts
    if not re.fullmatch(r"aws[a-z-]*", partition, re.ASCII):
        return f"the partition {partition!r} is not aws, aws-cn, aws-us-gov or another aws-*"
    if service != "iam":
        return f"the service is {service!r}, not 'iam'"
    if region:
        return f"IAM ARNs have no region, and this one has {region!r} (arn:aws:iam::ACCOUNT:...)"
    if not re.fullmatch(r"\d{12}", account, re.ASCII):
        if account.isdigit() and account.isascii():
            return f"the account ID {account!r} has {len(account)} digits, not 12"
        return f"the account ID {account!r} is not 12 digits"
    if not resource.startswith("role/"):
        return f"the resource {resource[:40]!r} is not role/NAME"
    name = resource.rsplit("/", 1)[-1]
    if not re.fullmatch(r"[\w+=,.@-]{1,64}", name, re.ASCII):
        return f"the role name {name[:70]!r} is not 1 to 64 of letters, digits and +=,.@_-"
    return "the role path is not /PATH/ of printable ASCII, up to 512 characters"


#: A region as AWS names them (``eu-west-1``, ``us-gov-east-1``): nothing that
#: a shell, a dotenv reader or a terminal would take for something else.
_REGION_RE = re.compile(r"[a-z0-9-]+", re.ASCII)
#: An MFA device: its ARN (virtual, U2F), or a hardware token's serial number.
_MFA_SERIAL_RE = re.compile(
    r"arn:aws[a-z-]*:iam::\d{12}:(?:mfa|u2f|sms-mfa)/[\w+=,.@/-]{1,512}|[A-Z0-9]{9,256}",
    re.ASCII,
)


def region_problem(region: str) -> str | None:
    """Why ``region`` is not a region name (lower-case letters, digits and ``-``), or None.

    >>> region_problem("eu-west-1"), region_problem("EU West 1")
    (None, "region 'EU West 1' is not a region name (a-z, 0-9 and '-')")
    """
    if _REGION_RE.fullmatch(region):
        return None
    return f"region {region!r} is not a region name (a-z, 0-9 and '-')"


def mfa_serial_problem(serial: str) -> str | None:
    """Why ``serial`` is not an MFA device (an ARN, or a hardware token's serial), or None.

    >>> mfa_serial_problem("arn:aws:iam::123456789012:mfa/me"), mfa_serial_problem("GAHT12345678")
    (None, None)
    >>> mfa_serial_problem("me")
    "mfa_serial 'me' is not an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME)"
    """
    if _MFA_SERIAL_RE.fullmatch(serial):
        return None
    return (
        f"mfa_serial {serial[:100]!r} is not an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME)"
    )


def _shown_setting_problems(profile: Profile, out: list[str]) -> None:
    """A ``region`` or ``mfa_serial`` that is not one: rolecall prints and exports
    them (a hostile value would drive the terminal or a shell), so they are
    problems, and ``env``, ``exec`` and ``shell`` refuse the profile."""
    if profile.region is not None:
        problem = region_problem(profile.region)
        if problem:
            out.append(problem)
    if profile.mfa_serial is not None:
        problem = mfa_serial_problem(profile.mfa_serial)
        if problem:
            out.append(problem)


def valid_role_arn(arn: str) -> bool:
    """Whether ``arn`` is a role ARN (:meth:`RoleArn.parse` would not return None)."""
    if _PLAIN_ARN_RE.fullmatch(arn):
        return True
    m = _ARN_RE.fullmatch(arn)
    if m is None:
        return False
    start, end = m.span(3)
    return end - start <= 512


def _arn_account(arn: str) -> str:
    """The account of a valid role ARN: the 12 digits after ``:iam::``.

    >>> _arn_account("arn:aws-cn:iam::123456789012:role/a:b/R")
    '123456789012'
    """
    start = arn.find(":iam::") + 6
    return arn[start : start + 12]


def _arn_role(arn: str) -> str:
    """The role name of a valid role ARN (a name holds no ``/``)."""
    return arn[arn.rfind("/") + 1 :]


def parse_duration(raw: str | None) -> int | None:
    """The int botocore would use for ``duration_seconds`` (``int(value)``), else None."""
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return None


def duration_problem(raw: str) -> str | None:
    value = parse_duration(raw)
    if value is None:
        return f"duration_seconds {raw!r} is not an integer"
    if not MIN_DURATION <= value <= MAX_DURATION:
        return f"duration_seconds {value} is outside {MIN_DURATION}..{MAX_DURATION}"
    return None


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


def _static_problem(values: Mapping[str, Value], sides: Sides | None = None) -> str | None:
    """What is wrong with a profile's static keys, if anything.

    ``sides`` are the profile's values in each file, when it is in both:
    botocore takes the keys from the credentials file when it has
    ``aws_access_key_id``, else from the config file, and each needs
    ``aws_secret_access_key`` in the same file.
    """
    if "aws_access_key_id" not in values:
        return "aws_secret_access_key is set without aws_access_key_id"
    if "aws_secret_access_key" not in values:
        return "aws_access_key_id is set without aws_secret_access_key"
    if sides is not None:
        config_side, credentials_side = sides
        for side, label in ((credentials_side, "credentials"), (config_side, "config")):
            if "aws_access_key_id" in side:
                if "aws_secret_access_key" in side:
                    return None
                return (
                    f"aws_access_key_id is in the {label} file without aws_secret_access_key; "
                    "botocore reads both keys from the same file"
                )
    return None


def _process_problem(command: Value) -> str | None:
    """Why botocore cannot run a ``credential_process`` (it splits it with ``shlex``)."""
    if command.__class__ is not str:
        return None  # a nested block: reported as such
    if not command:
        return "credential_process is empty"
    if _SHLEX_SPECIAL.isdisjoint(command):
        return None  # shlex fails only on an unclosed quote or a trailing backslash
    try:
        shlex.split(command)
    except ValueError as exc:
        return f"credential_process is not a valid command line: {exc}"
    return None


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


def _own_problems(
    profile: Profile, sso_sessions: Mapping[str, Values], sides: Sides | None = None
) -> list[str]:
    """Problems of a profile taken alone (not following its source).

    The checks follow botocore's providers in their order: the first one that
    takes the profile is the one whose settings matter.  ``sides`` are the
    profile's values in each file, when it is in both.
    """
    values = profile.values
    out: list[str] = []
    kind = profile.kind
    if kind == "assume-role" and not profile.nested:
        # the most common kind, checked at once: the same checks, in the same
        # order, as below (_shown_setting_problems, valid_role_arn and
        # _role_problems written out; every value is a string)
        if "credential_process" in values:
            problem = _process_problem(values["credential_process"])
            if problem:
                out.append(problem)
        region: str | None = values.get("region")  # type: ignore[assignment]
        if region is not None and _REGION_RE.fullmatch(region) is None:
            problem = region_problem(region)
            if problem:
                out.append(problem)
        if "mfa_serial" in values:
            problem = mfa_serial_problem(values["mfa_serial"])  # type: ignore[arg-type]
            if problem:
                out.append(problem)
        arn: str = values["role_arn"]  # type: ignore[assignment]
        if _PLAIN_ARN_RE.fullmatch(arn) is not None or valid_role_arn(arn):
            profile._arn_ok = True
        else:
            out.append(f"role_arn {arn!r} is not a valid IAM role ARN: {role_arn_problem(arn)}")
        if "credential_source" in values or "duration_seconds" in values:
            _role_problems(profile, out)
        return out
    plain = _VALUE_KEYS if kind == "static" or kind == "sso" else _ROLE_AND_VALUE_KEYS
    _value_problems(profile, plain, out)
    _shown_setting_problems(profile, out)
    if kind == "static":
        # (no role_arn and no SSO setting, or it would be another kind)
        if "web_identity_token_file" not in values or not _web_identity(values, out):
            partial = _static_problem(values, sides)
            if partial:
                out.append(partial)
        return out
    if kind == "assume-role" or kind == "web-identity" or kind == "incomplete":
        role_arn = profile.role_arn
        if role_arn is not None:
            profile._arn_ok = valid_role_arn(role_arn)
            if not profile._arn_ok:
                why = role_arn_problem(role_arn)
                out.append(f"role_arn {role_arn!r} is not a valid IAM role ARN: {why}")
        if kind == "assume-role":
            _role_problems(profile, out)
            return out  # the assume-role provider takes it
        if kind == "incomplete" and "role_arn" in values:
            out.append("role_arn is set without source_profile or credential_source")
            return out  # the assume-role provider takes it, and refuses
    _provider_problems(profile, sso_sessions, sides, out)
    return out


def _value_problems(profile: Profile, plain: tuple[str, ...], out: list[str]) -> None:
    """Settings botocore cannot use as written: a nested block among the ``plain``
    keys, and a ``credential_process`` it cannot split."""
    values = profile.values
    if profile.nested:
        for key in plain:
            if values.get(key).__class__ is dict:
                out.append(f"{key} is a nested block, not a value")
    if "credential_process" in values:
        problem = _process_problem(values["credential_process"])
        if problem:
            out.append(problem)


def _provider_problems(
    profile: Profile, sso_sessions: Mapping[str, Values], sides: Sides | None, out: list[str]
) -> None:
    """What botocore's profile providers refuse, in their order: web identity,
    SSO, the credentials file, ``credential_process``, the config file.

    They read a profile that the assume-role provider does not take, and a
    source profile that holds credentials of its own.
    """
    values = profile.values
    if "web_identity_token_file" in values and _web_identity(values, out):
        return
    active = "sso_account_id" in values or "sso_role_name" in values
    if active or profile.kind == "sso":
        _sso_problems(profile, active, sso_sessions, out)
    if not active and has_static_keys(values):
        partial = _static_problem(values, sides)
        if partial:
            out.append(partial)


def _web_identity(values: Values, out: list[str]) -> bool:
    """Whether botocore's web identity provider takes the profile (and what it refuses)."""
    if not values["web_identity_token_file"]:
        return False  # an empty path: botocore goes on to the next provider
    if "role_arn" not in values:
        out.append("web_identity_token_file is set without role_arn")
    elif not values["role_arn"]:
        out.append("role_arn is empty, and web_identity_token_file needs it")
    return True


def _role_problems(profile: Profile, out: list[str]) -> None:
    values = profile.values
    if "credential_source" in values:
        source = values["credential_source"]
        if "source_profile" in values:
            out.append("both source_profile and credential_source are set; use one")
        elif source.__class__ is str and source not in CREDENTIAL_SOURCES:
            out.append(
                f"credential_source {source!r} is not one of " + ", ".join(CREDENTIAL_SOURCES)
            )
    raw = values.get("duration_seconds")
    if raw is not None and raw.__class__ is str:
        problem = duration_problem(raw)
        if problem:
            out.append(problem)


def _sso_problems(
    profile: Profile, active: bool, sso_sessions: Mapping[str, Values], out: list[str]
) -> None:
    """What botocore's SSO provider refuses (it runs when ``active``)."""
    values = profile.values
    session = profile.get("sso_session")
    if session is not None and session not in sso_sessions:
        out.append(f"sso_session {session!r} does not exist")
    elif active:
        shared: Mapping[str, Value] = {}
        if session is not None:
            shared = sso_sessions[session]
            if not values.keys().isdisjoint(shared):
                for key, value in shared.items():
                    mine = values.get(key, value)
                    if mine != value:
                        out.append(
                            f"{key} is {_short(mine)} in the profile but {_short(value)} "
                            f"in sso-session {session!r}"
                        )
        missing = ""
        for key in SSO_REQUIRED:
            if key not in values and key not in shared:
                missing = f"{missing}, {key}" if missing else key
        if missing:
            out.append("SSO profile is missing " + missing)


def _short(value: Value) -> str:
    return "a nested block" if isinstance(value, dict) else repr(value)


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


class ProfileSet:
    """Every profile of an :class:`AwsConfig`, in botocore's order, each with its
    chain resolved.

    Every chain is resolved once, in time linear in the number of profiles:
    a role profile's chain is itself and then its source's chain, so each
    source is walked once and remembered (see :meth:`_resolve`).  Ask a
    profile's chain with :attr:`Profile.chain`, and how an assume goes (the
    hops and the root) with :meth:`route`.
    """

    def __init__(self, config: AwsConfig) -> None:
        self.config = config
        self.profiles: dict[str, Profile] = {}
        #: source profile name -> what botocore refuses when it reads its credentials
        self._source_problems: dict[str, list[str]] = {}
        profiles = self.profiles
        tops: list[Profile] = []
        in_config = config.config_sections
        in_credentials = config.credentials_sections
        config_file = config.config_file
        nested = config.nested
        split = config.split
        sso_sessions = config.sso_sessions
        for name, values in config.profiles.items():
            section = in_config.get(name)
            if section is not None:
                prof = Profile(name, values, config_file, section, name in nested)
            else:
                section = in_credentials.get(name)
                file = None if section is None else config.credentials_file
                prof = Profile(name, values, file, section, name in nested)
            profiles[name] = prof
            # each profile's own problems (a profile that assumes no role has no others)
            prof._problems = _own_problems(prof, sso_sessions, split.get(name)) or None
            if prof.kind == "assume-role":
                tops.append(prof)
        if tops:
            self._resolve(tops)

    # mapping-ish API
    def __getitem__(self, name: str) -> Profile:
        return self.profiles[name]

    def __contains__(self, name: object) -> bool:
        return name in self.profiles

    def __iter__(self) -> Iterator[Profile]:
        return iter(self.profiles.values())

    def __len__(self) -> int:
        return len(self.profiles)

    def get(self, name: str) -> Profile | None:
        return self.profiles.get(name)

    @property
    def problems(self) -> list[FileProblem]:
        return self.config.problems

    def route(self, name: str) -> Route:
        """The hops and the root of an assume of profile ``name`` (KeyError when
        there is no such profile).

        The one place that says where a chain starts: a chain that ends at a
        profile with static keys (or at a profile that names itself) starts
        from those keys; one that ends at a role with ``credential_source``
        starts from that source, and that role is a hop too; any other ends at
        a profile with credentials of its own (SSO, process, web identity).
        """
        prof = self.profiles[name]
        hops = list(prof.chain.profiles())
        last = hops[-1]
        if len(hops) == 1:
            if prof.kind == "assume-role":
                return Route(prof, hops, Root("credential_source", name, prof.credential_source))
            return Route(prof, [], Root(prof.kind, name))
        hops.pop()
        if last is hops[-1] or has_static_keys(last.values):
            return Route(prof, hops, Root("static", last.name))
        if last.kind == "assume-role" and last.credential_source is not None:
            hops.append(last)
            return Route(prof, hops, Root("credential_source", last.name, last.credential_source))
        return Route(prof, hops, Root(last.kind, last.name))

    def source_problems(self, src: Profile) -> list[str]:
        """What botocore refuses when it resolves ``src``'s own credentials as a
        source profile (with its profile providers, not the assume-role one)."""
        found = self._source_problems.get(src.name)
        if found is None:
            found = []
            _value_problems(src, _VALUE_KEYS, found)
            if src.mfa_serial is not None:  # (a root's mfa_serial starts its MFA session)
                problem = mfa_serial_problem(src.mfa_serial)
                if problem:
                    found.append(problem)
            config = self.config
            _provider_problems(src, config.sso_sessions, config.split.get(src.name), found)
            self._source_problems[src.name] = found
        return found

    def _resolve(self, tops: list[Profile]) -> None:
        """Resolve the chain of every assume-role profile, as botocore's
        ``AssumeRoleProvider`` walks it, in one pass over the profiles.

        A *role node* is a profile botocore goes through as one more hop: it
        has ``role_arn`` (without ``web_identity_token_file``) and no static
        keys.  Each role node has at most one next role node (its source), so
        the walk from a node depends on the node only: it is done once and
        remembered.  A profile's chain is then itself and its source's chain
        (linked, not copied: :class:`Chain`), its problems are its own and then
        each hop's, prefixed with the hop's name.  A walk that comes back to a
        node it is on is a cycle, found in the same pass.
        """
        profiles = self.profiles
        #: role node -> the problems met past it (only when there are some)
        past: dict[str, list[str]] = {}
        #: role nodes walked, and those whose walk stops before a root
        done: set[str] = set()
        unrooted: set[str] = set()

        def end(node: Profile, problems: list[str], root: str | None) -> None:
            """The walk from ``node`` stops (its chain links are already set)."""
            done.add(node.name)
            if problems:
                past[node.name] = problems
            if root is None:
                unrooted.add(node.name)
            else:
                node.root_kind = root

        def follow(node: Profile, src: Profile) -> None:
            """``node``'s walk goes on through ``src``, a role node already walked."""
            # node._link(src), written out: this runs once for every role profile
            node._next = src
            depth = node.depth = src.depth + 1
            node._last = src._last or src
            node._base = (src._base or src) if depth > 2 else None
            done.add(node.name)
            problems = past.get(src.name, _NO_PROBLEMS)
            own = src._problems
            if own:
                problems = [f"{src.name}: {p}" for p in own] + problems
            if problems:
                past[node.name] = problems
            if src.name in unrooted:
                unrooted.add(node.name)
            else:
                node.root_kind = src.root_kind

        def step(node: Profile) -> Profile | None:
            """One hop from role node ``node``: the next role node, or None when
            the walk stops here (then :func:`end` has been called)."""
            values = node.values
            if "credential_source" in values:
                source = values["credential_source"]
                if "source_profile" in values or source.__class__ is not str:
                    end(node, _NO_PROBLEMS, None)  # (one of its own problems)
                else:
                    end(node, _NO_PROBLEMS, f"credential_source:{source}")
                return None
            src_name = values.get("source_profile")
            if src_name.__class__ is not str:  # absent, or a nested block (a problem)
                end(node, _NO_PROBLEMS, None)
                return None
            src = profiles.get(src_name)
            if src is None:
                end(node, [f"source_profile {src_name!r} (in {node.name}) does not exist"], None)
                return None
            if src is node:  # (a role node has no static keys)
                why = f"{src_name} names itself as source_profile but has no static keys"
                end(node, [why], None)
                return None
            src_values = src.values
            if "aws_access_key_id" in src_values or "aws_secret_access_key" in src_values:
                # (has_static_keys) botocore reads its credentials with the profile providers
                node._link_root(src)
                end(node, self._prefixed(src, self.source_problems(src)), "static")
                return None
            if _has_role(src_values):
                return src
            node._link_root(src)
            end(node, self._own_source_problems(src), src.kind)
            return None

        def walk(start: Profile) -> None:
            """Walk from ``start`` until a root, a node already walked or a cycle;
            then resolve every node of the path, the last one first."""
            src = step(start)
            if src is None:
                return
            if src.name in done:  # the usual case: its source was walked before
                follow(start, src)
                return
            walk_on(start, src)

        def walk_on(start: Profile, first_src: Profile) -> None:
            """:func:`walk` from ``start``, whose next role node ``first_src`` is
            not walked yet."""
            path = [start]
            sources = [first_src]
            on_path = {start.name: 0}
            node = first_src
            while True:
                on_path[node.name] = len(path)
                src = step(node)
                if src is None:
                    break
                path.append(node)
                sources.append(src)
                if src.name in done:
                    break
                if src.name in on_path:
                    first = on_path[src.name]
                    self._cycle(path[first:], end)
                    del path[first:], sources[first:]
                    break
                node = src
            for node, src in zip(reversed(path), reversed(sources), strict=True):
                follow(node, src)

        for top in tops:
            if top.name in done:
                continue
            values = top.values
            if "aws_access_key_id" in values or "aws_secret_access_key" in values:
                self._static_top(top, step, walk, done, past, unrooted)
                continue
            # walk(top), written out: this runs once for every role profile
            src = step(top)
            if src is None:
                continue
            if src.name in done:
                follow(top, src)
            else:
                walk_on(top, src)
        for top in tops:
            problems = past.get(top.name)
            if problems:
                top._problems = (top._problems or []) + problems
            if top.name in unrooted:
                top.root_kind = top.kind

    @staticmethod
    def _prefixed(src: Profile, problems: list[str] | None) -> list[str]:
        return [f"{src.name}: {p}" for p in problems] if problems else _NO_PROBLEMS

    def _own_source_problems(self, src: Profile) -> list[str]:
        """The problems of a source that is no role hop and has no static keys:
        it must hold credentials of its own (SSO, process, web identity).

        "No usable credentials" only when it has none; a source that has some
        but is wrong otherwise (a malformed ``role_arn`` beside its
        ``web_identity_token_file``...) gets its own problems, prefixed.
        """
        found = self._prefixed(src, src._problems)
        if not _gives_credentials(src.values):
            return [f"source profile {src.name!r} has no usable credentials", *found]
        return found

    @staticmethod
    def _cycle(
        members: list[Profile],
        end: Callable[[Profile, list[str], str | None], None],
    ) -> None:
        """Resolve role nodes that name each other in a cycle, each one's
        source the next (the last one's, the first).

        Each member's chain is the cycle from itself, and its problems the
        other members' own ones, then the cycle.
        """
        count = len(members)
        names = [m.name for m in members]
        own = [[f"{m.name}: {p}" for p in m.problems] for m in members]
        for i, node in enumerate(members):
            node._cycle_links(members[(i + 1) % count], members[i - 1], members[i - 2], count)
            problems: list[str] = []
            if any(own):
                for j in range(1, count):
                    problems += own[(i + j) % count]
            problems.append(_cycle_text(names, i))
            end(node, problems, None)

    def _static_top(
        self,
        top: Profile,
        step: Callable[[Profile], Profile | None],
        walk: Callable[[Profile], None],
        done: set[str],
        past: dict[str, list[str]],
        unrooted: set[str],
    ) -> None:
        """Resolve an assume-role profile that also has static keys.

        Its own walk is like any role node's, but botocore reads it as a root
        when it is the source of another profile: a chain that comes back to it
        from its own source is a cycle for it alone, and a self reference is
        allowed (its own keys).
        """
        src_name = top.source_profile
        values = top.values
        if src_name == top.name and "credential_source" not in values:
            top._link_root(top)
            top.root_kind = "static"
            done.add(top.name)
            found = self._prefixed(top, self.source_problems(top))
            if found:
                past[top.name] = found
            return
        src = self.profiles.get(src_name) if src_name is not None else None
        if (
            src is None
            or "credential_source" in values
            or not _has_role(src.values)
            or has_static_keys(src.values)
        ):
            step(top)  # a root, or an end: as for any role node
            return
        if src.name not in done:
            walk(src)
        if src.chain[-1] != top.name:
            # the chain goes on through src, as any role node's would
            top._link(src)
            done.add(top.name)
            problems = past.get(src.name, _NO_PROBLEMS)
            own = src._problems
            if own:
                problems = [f"{src.name}: {p}" for p in own] + problems
            if problems:
                past[top.name] = problems
            if src.name in unrooted:
                unrooted.add(top.name)
            else:
                top.root_kind = src.root_kind
            return
        # src's chain comes back to top: a cycle for top (walked once: no other
        # chain goes this way, since top is a root for every other profile)
        hops = list(src.chain.profiles())[:-1]
        top._cycle_links(src, hops[-1], hops[-2] if len(hops) > 1 else top, len(hops) + 1)
        problems = []
        for hop in hops:
            problems += [f"{hop.name}: {p}" for p in hop.problems]
        problems.append(_cycle_text([top.name, *(h.name for h in hops)]))
        done.add(top.name)
        past[top.name] = problems
        unrooted.add(top.name)


def profile_json_text(p: Profile, _enc: Callable[[str], str] = _encode_str) -> str:
    """``json.dumps(p.to_json())``, written out by hand: ``rolecall list --json``
    prints ten thousand of these, and this is three times faster."""
    values = p.values
    # plain strings (a nested block reads as None)
    get: Callable[[str], str | None] = p.get if p.nested else values.get  # type: ignore[assignment]
    raw = get("duration_seconds")
    dur = None if raw is None else parse_duration(raw)
    role_arn = get("role_arn")
    if p._arn_ok:  # (_arn_account and _arn_role, written out)
        at = role_arn.find(":iam::") + 6  # type: ignore[union-attr]
        account: str | None = role_arn[at : at + 12]  # type: ignore[index]
        role: str | None = role_arn[role_arn.rfind("/") + 1 :]  # type: ignore[union-attr,index]
    else:
        account = get("sso_account_id")
        role = get("sso_role_name")
    region = get("region")
    source = get("source_profile")
    csource = get("credential_source")
    mfa = get("mfa_serial")
    ext = get("external_id")
    rsn = get("role_session_name")
    file = p.file
    problems = p._problems
    where = p._line  # (p.line and p.chain, written out)
    line = where if where is None or where.__class__ is int else where.start + 1  # type: ignore[union-attr]
    depth = p.depth
    if depth == 1:
        chain = _enc(p.name)
    elif depth == 2:  # (the usual role: its source holds the credentials)
        chain = f"{_enc(p.name)}, {_enc((p._last or p).name)}"
    else:
        chain = ", ".join(map(_enc, Chain(p)))
    return (
        f'{{"name": {_enc(p.name)}, "kind": "{p.kind}", '
        f'"region": {"null" if region is None else _enc(region)}, '
        f'"role_arn": {"null" if role_arn is None else _enc(role_arn)}, '
        f'"account_id": {"null" if account is None else _enc(account)}, '
        f'"role_name": {"null" if role is None else _enc(role)}, '
        f'"source_profile": {"null" if source is None else _enc(source)}, '
        f'"credential_source": {"null" if csource is None else _enc(csource)}, '
        f'"mfa_serial": {"null" if mfa is None else _enc(mfa)}, '
        f'"external_id": {"null" if ext is None else _enc(ext)}, '
        f'"duration_seconds": {"null" if dur is None else dur}, '
        f'"role_session_name": {"null" if rsn is None else _enc(rsn)}, '
        f'"chain": [{chain}], '
        f'"problems": [{", ".join(map(_enc, problems)) if problems else ""}], '
        f'"file": {"null" if file is None else _enc(file)}, '
        f'"line": {"null" if line is None else line}}}'
    )


def write_list_json(profiles: ProfileSet, write: Callable[[str], object]) -> None:
    """``rolecall list --json``: one object with both files, every profile and
    every file problem, as ``json.dumps`` writes it (ASCII: nothing drives the terminal;
    a new line after each profile).

    The profiles are written 256 at a time: the text of 10,000 is 4 MB, and
    memory reused slice after slice is faster to fill than that much new memory.
    """
    enc = _encode_str
    cfg = profiles.config
    write(
        f'{{"config_file": {enc(cfg.config_file)}, '
        f'"credentials_file": {enc(cfg.credentials_file)}, "profiles": ['
    )
    everything = list(profiles)
    for start in range(0, len(everything), 256):
        if start:
            write(",\n")
        write(",\n".join(map(profile_json_text, everything[start : start + 256])))
    problems = ", ".join(
        f'{{"file": {enc(p.file)}, "line": {p.line}, "message": {enc(p.message)}}}'
        for p in cfg.problems
    )
    write(f'], "problems": [{problems}]}}\n')


#: The columns of ``rolecall list``; the last one is not padded.
LIST_HEADER = ("NAME", "KIND", "ACCOUNT", "ROLE", "REGION", "SOURCE", "PROBLEMS")


def _list_row(p: Profile) -> tuple[str, str, str, str, str, str, str]:
    """The cells of ``rolecall list`` for one profile (``name``, ``kind``,
    ``account_id``, ``role_name``, ``region``, ``source``, the problems), as
    they are (not escaped), read as :func:`profile_json_text` reads them."""
    values = p.values
    get: Callable[[str], str | None] = p.get if p.nested else values.get  # type: ignore[assignment]
    if p._arn_ok:
        arn: str = values["role_arn"]  # type: ignore[assignment]
        account = _arn_account(arn)
        role = _arn_role(arn)
    else:
        account = get("sso_account_id") or ""
        role = get("sso_role_name") or ""
    problems = p._problems
    return (
        p.name,
        p.kind,
        account,
        role,
        get("region") or "",
        get("source_profile") or get("credential_source") or "",
        "; ".join(problems) if problems else "",
    )


def _list_widths(
    chunks: list[list[Profile]], needs_escape: Callable[[str], object]
) -> list[int] | None:
    """The widths of the padded columns of ``rolecall list``, or None when some
    cell needs escaping or holds a line break (then :func:`_write_escaped`
    writes the table).

    The cells are measured, not built: a valid role ARN is printable ASCII,
    its account 12 characters and its role name what follows its last ``/``;
    every other cell is checked, a slice of profiles at a time, with one call
    of ``needs_escape``.
    """
    w_name, w_kind, w_account, w_role, w_region, w_source = (len(h) for h in LIST_HEADER[:-1])
    for chunk in chunks:
        texts: list[str] = []
        add = texts.append
        for p in chunk:
            if p.nested:
                row = _list_row(p)
                texts += row
                w_name = max(w_name, len(row[0]))
                w_kind = max(w_kind, len(row[1]))
                w_account = max(w_account, len(row[2]))
                w_role = max(w_role, len(row[3]))
                w_region = max(w_region, len(row[4]))
                w_source = max(w_source, len(row[5]))
                continue
            values: Mapping[str, str] = p.values  # type: ignore[assignment]
            name = p.name
            add(name)
            if len(name) > w_name:
                w_name = len(name)
            if len(p.kind) > w_kind:
                w_kind = len(p.kind)
            if p._arn_ok:  # (printable ASCII: _ARN_RE)
                arn = values["role_arn"]
                width = len(arn) - arn.rfind("/") - 1
                if width > w_role:
                    w_role = width
                if w_account < 12:
                    w_account = 12
            else:
                account = values.get("sso_account_id")
                if account:
                    add(account)
                    if len(account) > w_account:
                        w_account = len(account)
                role = values.get("sso_role_name")
                if role:
                    add(role)
                    if len(role) > w_role:
                        w_role = len(role)
            region = values.get("region")
            if region:
                add(region)
                if len(region) > w_region:
                    w_region = len(region)
            source = values.get("source_profile") or values.get("credential_source")
            if source:
                add(source)
                if len(source) > w_source:
                    w_source = len(source)
            if p._problems:
                texts += p._problems
        text = "".join(texts)
        if needs_escape(text) or "\n" in text:
            return None
    return [w_name, w_kind, w_account, w_role, w_region, w_source]


def _list_lines(chunk: list[Profile], line: str) -> str:
    """The lines of ``rolecall list`` for some profiles whose cells need no
    escaping and hold no line break; ``line`` is the ``%``-format of a row.

    The cells of every row (:func:`_list_row`, written out for the usual
    profile) go into one list, formatted with one ``%`` and right-stripped
    line by line: the same text as a ``%`` and an ``rstrip()`` a row, at half
    the cost.
    """
    cells: list[str] = []
    for p in chunk:
        if p.nested:
            cells += _list_row(p)
            continue
        values: Mapping[str, str] = p.values  # type: ignore[assignment]
        if p._arn_ok:  # (_arn_account and _arn_role, written out)
            arn = values["role_arn"]
            at = arn.find(":iam::") + 6
            account = arn[at : at + 12]
            role = arn[arn.rfind("/") + 1 :]
        else:
            account = values.get("sso_account_id") or ""
            role = values.get("sso_role_name") or ""
        problems = p._problems
        cells += (
            p.name,
            p.kind,
            account,
            role,
            values.get("region") or "",
            values.get("source_profile") or values.get("credential_source") or "",
            "; ".join(problems) if problems else "",
        )
    text = (line + "\n") * len(chunk) % tuple(cells)
    return "\n".join(map(str.rstrip, text.split("\n")))


def write_list_text(
    profiles: ProfileSet,
    write: Callable[[str], object],
    escape: Callable[[str], str],
    needs_escape: Callable[[str], object],
) -> None:
    """``rolecall list``: a table of every profile (name, kind, account, role,
    region, source, problems), columns padded to their widest cell.

    ``escape`` makes a cell safe for the terminal and ``needs_escape`` says
    whether a text holds something it would change (escaping a safe cell
    changes nothing).  The profiles are read twice, 256 at a time, once for the
    widths (measured, not built: :func:`_list_widths`) and once to write the
    lines: the table of 120,000 profiles is never held whole (its rows, lines
    and text would cost 500 bytes a profile).
    """
    everything = list(profiles)
    chunks = [everything[start : start + 256] for start in range(0, len(everything), 256)]
    widths = _list_widths(chunks, needs_escape)
    if widths is None:  # some cell needs escaping: every row is built and escaped
        _write_escaped(chunks, write, escape)
        return
    # each cell left-aligned in its width (``str.ljust``), then the problems
    line = "  ".join(f"%-{width}s" for width in widths) + "  %s"
    write((line % LIST_HEADER).rstrip() + "\n")
    for chunk in chunks:
        write(_list_lines(chunk, line))


def _write_escaped(
    chunks: list[list[Profile]], write: Callable[[str], object], escape: Callable[[str], str]
) -> None:
    """:func:`write_list_text` where some cell needs escaping: the rows are built
    twice, escaped, once for the widths and once to write them."""
    widths = [len(h) for h in LIST_HEADER[:-1]]
    for chunk in chunks:
        rows = [tuple(map(escape, _list_row(p))) for p in chunk]
        for i, column in enumerate(list(zip(*rows, strict=True))[:-1]):
            widest = max(map(len, column))
            if widest > widths[i]:
                widths[i] = widest
    line = "  ".join(f"%-{width}s" for width in widths) + "  %s"
    write((line % LIST_HEADER).rstrip() + "\n")
    for chunk in chunks:
        rows = [tuple(map(escape, _list_row(p))) for p in chunk]
        write("".join([(line % row).rstrip() + "\n" for row in rows]))


def build(config: AwsConfig) -> ProfileSet:
    return ProfileSet(config)


def load_profiles(
    config: str | None = None,
    credentials: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ProfileSet:
    """Read both files and build every profile.

    The cyclic garbage collector is paused meanwhile: the build allocates a few
    objects per line and per profile, none of them in cycles, and in a process
    that already holds many objects (the TUI, a benchmark) the collector's
    full passes would otherwise cost more than the build itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return ProfileSet(load(config, credentials, env))
    finally:
        if was_enabled:
            gc.enable()
