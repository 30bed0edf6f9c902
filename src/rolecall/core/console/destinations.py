"""Where a console sign-in goes: the partition, its sign-in and console hosts, and the page.

Every partition has its own hosts (checked against aws-vault and granted, and
AWS's "custom identity broker" page)::

    aws          signin.aws.amazon.com         console.aws.amazon.com
    aws-us-gov   signin.amazonaws-us-gov.com   console.amazonaws-us-gov.com
    aws-cn       signin.amazonaws.cn           console.amazonaws.cn

The partition is the role ARN's (``arn:aws-cn:...``), else the region's
(``cn-north-1``, ``us-gov-west-1``).  ``$ROLECALL_FEDERATION_URL`` replaces the
federation endpoint: it is the hook for tests (a local fake) and for partitions
with no public endpoint.  Pure: no network, no boto3.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlencode, urlsplit

from rolecall.core.console.errors import (
    BAD_DESTINATION,
    BAD_ENDPOINT,
    BAD_REGION,
    UNKNOWN_PARTITION,
    ConsoleError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Mapping

__all__ = [
    "FEDERATION_URL_ENV",
    "GLOBAL_SERVICES",
    "HOSTS",
    "SERVICES",
    "destination_url",
    "federation_endpoint",
    "partition_for",
    "partition_of_arn",
    "partition_of_region",
    "shown_endpoint",
]

#: Replaces the federation endpoint (tests, private partitions); documented in the README.
FEDERATION_URL_ENV = "ROLECALL_FEDERATION_URL"
#: partition -> (sign-in host, console host)
HOSTS: dict[str, tuple[str, str]] = {
    "aws": ("signin.aws.amazon.com", "console.aws.amazon.com"),
    "aws-us-gov": ("signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"),
    "aws-cn": ("signin.amazonaws.cn", "console.amazonaws.cn"),
}
#: Service shortcuts whose console path is not their own name.
SERVICES: dict[str, str] = {
    "cfn": "cloudformation",
    "ddb": "dynamodbv2",
    "dynamodb": "dynamodbv2",
    "r53": "route53",
    "sm": "secretsmanager",
    "ssm": "systems-manager",
    "sso": "singlesignon",
    "org": "organizations",
    "cw": "cloudwatch",
}
#: Console pages that belong to no region (the URL carries none).
GLOBAL_SERVICES = frozenset(
    {"iam", "route53", "cloudfront", "organizations", "billing", "singlesignon", "support"}
)
_SERVICE_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}", re.ASCII)
_ARN_PARTITION_RE = re.compile(r"arn:(aws[a-z-]*):", re.ASCII)
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def partition_of_arn(arn: str | None) -> str | None:
    """The partition an ARN names, or None.

    >>> partition_of_arn("arn:aws-cn:iam::123456789012:role/A"), partition_of_arn("x")
    ('aws-cn', None)
    """
    if not arn:
        return None
    match = _ARN_PARTITION_RE.match(arn)
    return match.group(1) if match else None


def partition_of_region(region: str | None) -> str:
    """The partition a region belongs to (``aws`` for none or an unknown one).

    >>> [partition_of_region(r) for r in ("cn-north-1", "us-gov-west-1", "eu-west-1", None)]
    ['aws-cn', 'aws-us-gov', 'aws', 'aws']
    """
    if not region:
        return "aws"
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    if region.startswith("us-iso-"):
        return "aws-iso"
    return "aws"


def partition_for(arns: Iterable[str | None], region: str | None) -> str:
    """The first ARN's partition, else the region's.

    >>> partition_for([None, "arn:aws-us-gov:sts::123456789012:assumed-role/A/s"], None)
    'aws-us-gov'
    """
    for arn in arns:
        found = partition_of_arn(arn)
        if found:
            return found
    return partition_of_region(region)


def federation_endpoint(partition: str, env: Mapping[str, str] | None = None) -> str:
    """The federation endpoint: ``$ROLECALL_FEDERATION_URL``, else the partition's.

    The override must be an ``https`` URL, or ``http`` on the loopback (a local
    fake): it is sent the credentials.

    >>> federation_endpoint("aws-cn", {})
    'https://signin.amazonaws.cn/federation'
    """
    environ = os.environ if env is None else env
    override = environ.get(FEDERATION_URL_ENV, "").strip()
    if override:
        parts = urlsplit(override)
        host = parts.hostname or ""
        secure = parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK)
        if not host or not secure or parts.query or parts.fragment:
            raise ConsoleError(
                f"{FEDERATION_URL_ENV} must be an https URL (http only on 127.0.0.1) with no query",
                "it is sent your credentials; unset it to use AWS's sign-in endpoint",
                BAD_ENDPOINT,
            )
        return override
    hosts = HOSTS.get(partition)
    if hosts is None:
        raise ConsoleError(
            f"partition {partition!r} has no public AWS sign-in endpoint that rolecall knows",
            f"set {FEDERATION_URL_ENV} to its federation URL",
            UNKNOWN_PARTITION,
        )
    return f"https://{hosts[0]}/federation"


def shown_endpoint(endpoint: str) -> str:
    """The endpoint as messages name it: scheme, host and path only.

    >>> shown_endpoint("https://user:pw@signin.aws.amazon.com/federation")
    'https://signin.aws.amazon.com/federation'
    """
    parts = urlsplit(endpoint)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def destination_url(destination: str | None, partition: str, region: str | None) -> str:
    """The console page to land on: a URL as given, else a service's page in ``region``.

    ``destination`` is an ``https://`` URL (used as it is), a service shortcut
    (``s3``, ``ec2``, ``cloudwatch``, ``cfn`` ...), or None for the console's home.

    >>> destination_url("ec2", "aws", "eu-west-1")
    'https://console.aws.amazon.com/ec2/home?region=eu-west-1'
    >>> destination_url(None, "aws-cn", "cn-north-1")
    'https://console.amazonaws.cn/console/home?region=cn-north-1'
    >>> destination_url("iam", "aws-us-gov", "us-gov-west-1")
    'https://console.amazonaws-us-gov.com/iam/home'
    """
    if region and partition_of_region(region) != partition:
        raise ConsoleError(
            f"region {region} is not in partition {partition} (the role's)",
            "pick a region of that partition with --region",
            BAD_REGION,
        )
    if destination and "://" in destination:
        parts = urlsplit(destination)
        if parts.scheme != "https" or not parts.hostname:
            raise ConsoleError(
                f"--destination must be an https:// URL or a service name such as s3, "
                f"got {destination[:80]!r}",
                None,
                BAD_DESTINATION,
            )
        return destination
    hosts = HOSTS.get(partition)
    if hosts is None:
        raise ConsoleError(
            f"partition {partition!r} has no public AWS console that rolecall knows",
            "pass the console page as --destination https://...",
            UNKNOWN_PARTITION,
        )
    if destination:
        service = destination.strip().lower()
        if not _SERVICE_RE.fullmatch(service):
            raise ConsoleError(
                f"--destination must be an https:// URL or a service name such as s3, "
                f"got {destination[:80]!r}",
                None,
                BAD_DESTINATION,
            )
        path = SERVICES.get(service, service)
    else:
        path = "console"
    url = f"https://{hosts[1]}/{path}/home"
    if region and path not in GLOBAL_SERVICES:
        url += "?" + urlencode({"region": region})
    return url
