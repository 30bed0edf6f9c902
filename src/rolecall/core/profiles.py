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
from collections.abc import Callable, Iterator, Mapping

from rolecall.core.config import AwsConfig, FileProblem, load
from rolecall.core.ini import Value, Values, has_nested
from rolecall.core.limits import MAX_DURATION, MIN_DURATION

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
    "Profile",
    "ProfileSet",
    "RoleArn",
    "build",
    "load_profiles",
    "mfa_serial_problem",
    "profile_json_text",
    "region_problem",
    "role_arn_problem",
    "write_list_json",
]

KINDS = ("static", "assume-role", "sso", "credential-process", "web-identity", "incomplete")
CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")

#: partition, account, path, name (unnamed groups: ``groups()`` is faster then)
_ARN_RE = re.compile(
    r"arn:(aws[a-z-]*):iam::(\d{12}):role(/(?:[!-.0-~]+/)*)([\w+=,.@-]{1,64})", re.ASCII
)
SSO_REQUIRED = ("sso_start_url", "sso_region", "sso_account_id", "sso_role_name")
_SHLEX_SPECIAL = frozenset("'\"\\")
#: Role settings botocore reads as plain strings (a nested block breaks it).
_ROLE_KEYS = ("role_arn", "source_profile", "credential_source", "duration_seconds")
#: Settings that break botocore as a nested block, whatever the profile's kind.
_VALUE_KEYS = ("sso_session", "credential_process")


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


def _has_static(values: Mapping[str, Value]) -> bool:
    return "aws_access_key_id" in values or "aws_secret_access_key" in values


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
        or _has_static(values)
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
    if _has_static(values):
        return "static"
    if "credential_process" in values:
        return "credential-process"
    return "incomplete"


class Profile:
    """One profile, with its resolved chain and its problems."""

    __slots__ = (
        "name",
        "values",
        "kind",
        "file",
        "line",
        "problems",
        "chain",
        "arn",
        "root_kind",
        "region",
        "role_arn",
        "source_profile",
        "credential_source",
        "mfa_serial",
        "external_id",
        "role_session_name",
        "nested",
    )
    region: str | None
    role_arn: str | None
    source_profile: str | None
    credential_source: str | None
    mfa_serial: str | None
    external_id: str | None
    role_session_name: str | None

    def __init__(
        self,
        name: str,
        values: Values,
        file: str | None,
        line: int | None,
        nested: bool | None = None,
    ) -> None:
        """``nested`` says whether some value is a nested block (found when None)."""
        self.name = name
        self.values = values
        self.kind = classify(values)
        self.file = file
        self.line = line
        self.problems: list[str] = []
        #: profile names from this one to the one that holds the root credentials
        self.chain: list[str] = [name]
        self.arn: RoleArn | None = None
        #: what the chain's root is: a kind, or ``credential_source:NAME``
        self.root_kind: str = self.kind
        #: whether some value is a nested block (``key =`` then indented lines)
        self.nested = has_nested(values) if nested is None else nested
        # plain string settings (None when absent, or when a nested block)
        get: Callable[[str], str | None] = self.get if self.nested else values.get  # type: ignore[assignment]
        self.region = get("region")
        self.role_arn = get("role_arn")
        self.source_profile = get("source_profile")
        self.credential_source = get("credential_source")
        self.mfa_serial = get("mfa_serial")
        self.external_id = get("external_id")
        self.role_session_name = get("role_session_name")

    def get(self, key: str) -> str | None:
        """A plain string setting, or None when absent (or a nested block)."""
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    @property
    def duration_seconds(self) -> int | None:
        return parse_duration(self.get("duration_seconds"))

    @property
    def account_id(self) -> str | None:
        if self.arn is not None:
            return self.arn.account_id
        return self.get("sso_account_id")

    @property
    def role_name(self) -> str | None:
        if self.arn is not None:
            return self.arn.name
        return self.get("sso_role_name")

    @property
    def source(self) -> str | None:
        """The first hop: the source profile, or the credential source."""
        return self.source_profile or self.credential_source

    @property
    def hops(self) -> list[str]:
        """The profiles of the chain that assume a role, root-most last."""
        return self.chain[:-1] if len(self.chain) > 1 else []

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
    plain = _VALUE_KEYS if kind == "static" or kind == "sso" else _ROLE_KEYS + _VALUE_KEYS
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
        if profile.role_arn is not None:
            profile.arn = RoleArn.parse(profile.role_arn)
            if profile.arn is None:
                why = role_arn_problem(profile.role_arn)
                out.append(f"role_arn {profile.role_arn!r} is not a valid IAM role ARN: {why}")
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
    if not active and _has_static(values):
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
    if "source_profile" in values and "credential_source" in values:
        out.append("both source_profile and credential_source are set; use one")
    elif (
        profile.credential_source is not None
        and profile.credential_source not in CREDENTIAL_SOURCES
    ):
        out.append(
            f"credential_source {profile.credential_source!r} is not one of "
            + ", ".join(CREDENTIAL_SOURCES)
        )
    raw = profile.get("duration_seconds")
    if raw is not None:
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


_NOWHERE = (None, None)


class ProfileSet:
    """Every profile of an :class:`AwsConfig`, in botocore's order."""

    def __init__(self, config: AwsConfig) -> None:
        self.config = config
        self.profiles: dict[str, Profile] = {}
        #: source profile name -> what botocore refuses when it reads its credentials
        self._source_problems: dict[str, list[str]] = {}
        profiles = self.profiles
        # each profile's own problems (a profile that assumes no role has no others)
        own: dict[str, list[str]] = {}
        roles: list[Profile] = []
        locations = config.locations
        nested = config.nested
        split = config.split
        sso_sessions = config.sso_sessions
        for name, values in config.profiles.items():
            file, line = locations.get(name, _NOWHERE)
            prof = Profile(name, values, file, line, name in nested)
            profiles[name] = prof
            own[name] = prof.problems = _own_problems(prof, sso_sessions, split.get(name))
            if prof.kind == "assume-role":
                roles.append(prof)
        for prof in roles:
            self._resolve(prof, own)

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

    def _resolve(self, prof: Profile, own: Mapping[str, list[str]]) -> None:
        """Walk the chain from an assume-role profile to its root, as botocore would."""
        profiles = self.profiles
        problems = list(own[prof.name])
        chain = [prof.name]  # (also the profiles visited: a cycle comes back to one)
        cur = prof
        while True:
            if cur is not prof and own[cur.name]:
                problems += [f"{cur.name}: {p}" for p in own[cur.name]]
            if "source_profile" in cur.values and "credential_source" in cur.values:
                break
            if cur.credential_source is not None:
                prof.root_kind = f"credential_source:{cur.credential_source}"
                break
            src_name = cur.source_profile
            if src_name is None:  # a nested block; already a problem
                break
            src = profiles.get(src_name)
            if src is None:
                problems.append(f"source_profile {src_name!r} (in {cur.name}) does not exist")
                break
            if src_name in chain:
                if src_name != cur.name:
                    loop = " -> ".join([*chain, src_name])
                    problems.append(f"source_profile cycle: {loop}")
                    break
                if not _has_static(src.values):
                    problems.append(
                        f"{src_name} names itself as source_profile but has no static keys"
                    )
                    break
                chain.append(src_name)
                prof.root_kind = "static"
                problems += [f"{src_name}: {p}" for p in self.source_problems(src)]
                break
            chain.append(src_name)
            values = src.values
            if "aws_access_key_id" in values or "aws_secret_access_key" in values:
                # botocore reads its credentials with the profile providers
                prof.root_kind = "static"
                found = self.source_problems(src)
                if found:
                    problems += [f"{src_name}: {p}" for p in found]
                break
            if _has_role(values):
                cur = src
                continue
            prof.root_kind = src.kind
            if not _gives_credentials(src.values) or own[src_name]:
                problems.append(f"source profile {src_name!r} has no usable credentials")
                problems += [f"{src_name}: {p}" for p in own[src_name]]
            break
        prof.chain = chain
        prof.problems = problems


def profile_json_text(p: Profile, _enc: Callable[[str], str] = _encode_str) -> str:
    """``json.dumps(p.to_json())``, written out by hand: ``rolecall list --json``
    prints ten thousand of these, and this is three times faster."""
    values = p.values
    raw = values.get("duration_seconds")
    dur = parse_duration(raw) if raw.__class__ is str else None
    arn = p.arn
    if arn is not None:
        account: str | None = arn.account_id
        role: str | None = arn.name
    else:
        value = values.get("sso_account_id")
        account = value if isinstance(value, str) else None
        value = values.get("sso_role_name")
        role = value if isinstance(value, str) else None
    region = p.region
    role_arn = p.role_arn
    source = p.source_profile
    csource = p.credential_source
    mfa = p.mfa_serial
    ext = p.external_id
    rsn = p.role_session_name
    file = p.file
    problems = p.problems
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
        f'"chain": [{", ".join(map(_enc, p.chain))}], '
        f'"problems": [{", ".join(map(_enc, problems)) if problems else ""}], '
        f'"file": {"null" if file is None else _enc(file)}, '
        f'"line": {"null" if p.line is None else p.line}}}'
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
