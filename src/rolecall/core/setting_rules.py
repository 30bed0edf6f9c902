"""What a valid setting looks like: role ARNs (split into their parts), regions,
MFA devices and ``duration_seconds``, each with the one-line reason when it is not.

Pure string rules, no profile: the profile model (:mod:`rolecall.core.profile`),
the diagnosis (:mod:`rolecall.core.diagnosis`), the edits and the TUI's Switch role
form all ask them here.  A cache hit imports this module: only ``re`` and
:mod:`rolecall.core.limits`.
"""

from __future__ import annotations

import re

from rolecall.core.limits import MAX_DURATION, MIN_DURATION

__all__ = [
    "RoleArn",
    "duration_problem",
    "mfa_serial_problem",
    "parse_duration",
    "region_problem",
    "role_arn_problem",
    "valid_role_arn",
]

#: partition, account, path, name (unnamed groups: ``groups()`` is faster then)
_ARN_RE = re.compile(
    r"arn:(aws[a-z-]*):iam::(\d{12}):role(/(?:[!-.0-~]+/)*)([\w+=,.@-]{1,64})", re.ASCII
)
#: The usual role ARN, without a path: one ``_ARN_RE`` matches too (and faster).
_PLAIN_ARN_RE = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@-]{1,64}", re.ASCII)


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
