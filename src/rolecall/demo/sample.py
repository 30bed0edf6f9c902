"""The demo's sample files: the AWS config and credentials, rolecall's settings,
cached role credentials (and, when asked, an SSO token), under a ``HOME`` of its own.

The demo's SSO session starts logged out: ``rolecall sso login sso-dev`` (or
Enter on it in the UI) runs the whole device-code login against the demo's
portal, which approves it a few seconds later.  The config, credentials and
settings come from ``rolecall/data``; the token and the cache entries are made
here, anchored at ``now`` so that countdowns show at once (and screenshots are
reproducible).  Files are 0600 in 0700 directories.  Nothing here starts a
server or imports boto3.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from importlib import resources
from typing import Any

from rolecall.core.cache.keys import json_key
from rolecall.core.fsutil import ensure_private_dir

__all__ = [
    "CACHED_ROLES",
    "DEMO_ACCESS_KEY_ID",
    "DEMO_PROFILES",
    "ROOT_PROFILE",
    "SSO_ACCESS_TOKEN",
    "SSO_ACCOUNTS",
    "SSO_APPROVE_AFTER",
    "SSO_REGION",
    "SSO_SESSION",
    "SSO_START_URL",
    "CachedRole",
    "cache_path",
    "cli_cache_key",
    "data",
    "prepare_demo",
    "private_dirs",
    "read_root_keys",
    "write_private",
]

#: The static keys of ``demo-root`` (fake; moto does not check them by default).
#: The secret is only ever read from the credentials file, never printed.
DEMO_ACCESS_KEY_ID = "AKIADEMOROLECALL0001"
ROOT_PROFILE = "demo-root"
SSO_SESSION = "demo-sso"
SSO_START_URL = "https://d-9067a1b2c3.awsapps.com/start"
SSO_REGION = "eu-west-1"
SSO_TOKEN_LIFETIME = dt.timedelta(hours=4)
SSO_ACCOUNT_ID = "143256789014"
SSO_ACCESS_TOKEN = "rolecall-demo-sso-access-token"
SSO_ROLE_NAME = "PowerUserAccess"
SSO_CREDENTIALS_SECONDS = 3600
#: The demo's portal approves a login this many seconds after it starts.
SSO_APPROVE_AFTER = 3.0
#: What the demo's SSO login grants: account ID -> (name, roles).  ``sso-dev``
#: has a profile; the other roles are found by discovery (``rolecall sso roles``).
SSO_ACCOUNTS: dict[str, tuple[str, tuple[str, ...]]] = {
    SSO_ACCOUNT_ID: ("workloads-dev", ("PowerUserAccess", "ReadOnlyAccess")),
    "580134298765": ("sandbox", ("AdministratorAccess",)),
    "736190452278": ("production", ("ReadOnlyAccess",)),
}
#: The role behind the SSO permission set, as AWS names it (used to issue keys).
SSO_ROLE_ARN = (
    f"arn:aws:iam::{SSO_ACCOUNT_ID}:role/aws-reserved/sso.amazonaws.com/"
    "AWSReservedSSO_PowerUserAccess_2f8e1c3b4a5d6e7f"
)

#: Profile name -> what it demonstrates (the README and the tests use it).
DEMO_PROFILES: dict[str, str] = {
    "demo-root": "static keys: the root of every chain",
    "dev": "one hop; cached credentials that expire about 10 minutes after the start",
    "staging-readonly": "one hop with duration_seconds; cached credentials live ~45 minutes",
    "prod-admin": 'MFA-protected admin (any 6 digits), shown as "[prod] admin" in red',
    "partner-readonly": "an external-ID role; its cached credentials have expired",
    "org-hub": "hop 1 of the 3-hop chain",
    "shared-services": "hop 2 of the 3-hop chain",
    "audit": "a 3-hop chain: demo-root -> org-hub -> shared-services -> audit",
    "sso-dev": "IAM Identity Center (SSO), logged out: its login is approved after 3 seconds",
    "cycle-a": "a source_profile cycle (with cycle-b)",
    "cycle-b": "a source_profile cycle (with cycle-a)",
    "broken-arn": "a role ARN with an 11-digit account ID",
}


@dataclass(frozen=True)
class CachedRole:
    """A role whose credentials the demo puts in the AWS CLI cache."""

    profile: str
    role_arn: str
    expires_in: dt.timedelta
    duration_seconds: int | None = None
    external_id: str | None = None
    role_session_name: str | None = None

    def cache_args(self) -> dict[str, object]:
        """The AssumeRole arguments that make up the CLI's cache key."""
        args: dict[str, object] = {"RoleArn": self.role_arn}
        if self.role_session_name is not None:
            args["RoleSessionName"] = self.role_session_name
        if self.external_id is not None:
            args["ExternalId"] = self.external_id
        if self.duration_seconds is not None:
            args["DurationSeconds"] = self.duration_seconds
        return args


CACHED_ROLES: tuple[CachedRole, ...] = (
    CachedRole(
        "staging-readonly",
        "arn:aws:iam::527364018843:role/ReadOnly",
        dt.timedelta(minutes=45),
        duration_seconds=3600,
    ),
    CachedRole(
        "dev",
        "arn:aws:iam::318457902611:role/Developer",
        dt.timedelta(minutes=10),
    ),
    CachedRole(
        "partner-readonly",
        "arn:aws:iam::962837415560:role/PartnerReadOnly",
        dt.timedelta(minutes=-20),
        external_id="rolecall-demo-7f3a9c2e",
    ),
)


def cli_cache_key(args: dict[str, object]) -> str:
    """The AWS CLI's cache file name (without ``.json``) for these AssumeRole arguments.

    >>> cli_cache_key({"RoleArn": "arn:aws:iam::123456789012:role/R"})[:8]
    'c03ce438'
    """
    return json_key(args)


def data(name: str) -> str:
    return (resources.files("rolecall") / "data" / name).read_text(encoding="utf-8")


def private_dirs(path: str) -> None:
    """Create ``path`` and each missing parent with mode 0700 (not only the last one)."""
    missing: list[str] = []
    while not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for directory in reversed(missing):
        ensure_private_dir(directory)


def write_private(path: str, text: str) -> None:
    """Create (or replace) a private file, 0600, in a 0700 directory."""
    private_dirs(os.path.dirname(path))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def _iso_z(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fake_keys(seed: str) -> dict[str, str]:
    digest = hashlib.sha1(seed.encode("utf-8")).hexdigest().upper()
    return {
        "AccessKeyId": "ASIA" + digest[:16],
        "SecretAccessKey": "demo/" + digest[:35],
        "SessionToken": "FQoGZXIvYXdzEDemoSessionToken" + digest,
    }


def _fake_role_response(role: CachedRole, expiration: dt.datetime) -> dict[str, Any]:
    """An AssumeRole response as the AWS CLI caches it, with made-up keys."""
    account = role.role_arn.split(":")[4]
    role_name = role.role_arn.rsplit("/", 1)[-1]
    digest = hashlib.sha1(role.role_arn.encode()).hexdigest().upper()
    issued = expiration - dt.timedelta(seconds=role.duration_seconds or 3600)
    session = role.role_session_name or f"botocore-session-{int(issued.timestamp())}"
    return {
        "Credentials": {
            **_fake_keys(role.role_arn),
            "Expiration": _iso_z(expiration),
            "AccountId": account,
        },
        "AssumedRoleUser": {
            "AssumedRoleId": f"AROA{digest[16:32]}:{session}",
            "Arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}",
        },
        "ResponseMetadata": {"HTTPStatusCode": 200, "RetryAttempts": 0},
    }


def cache_path(home: str, role: CachedRole) -> str:
    return os.path.join(home, ".aws", "cli", "cache", cli_cache_key(role.cache_args()) + ".json")


def prepare_demo(
    home: str,
    endpoint: str,
    *,
    sso_endpoint: str | None = None,
    now: dt.datetime | None = None,
    sso_logged_in: bool = False,
) -> dict[str, str]:
    """Write the demo's files under ``home`` and return the environment to use them.

    Written (files 0600, directories 0700):

    * ``~/.aws/config`` and ``~/.aws/credentials`` (from ``rolecall/data``);
    * with ``sso_logged_in`` only, ``~/.aws/sso/cache/<sha1("demo-sso")>.json``, a
      token valid for 4 hours (otherwise the SSO session starts logged out);
    * ``~/.aws/cli/cache/<key>.json`` for each of :data:`CACHED_ROLES`, with
      made-up keys (:func:`demo_environment` replaces them with keys issued by
      the local STS);
    * rolecall's ``config.toml`` (display names, colours, a favourite).

    ``endpoint`` is the local STS (``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_STS``);
    ``sso_endpoint``, when given, the local SSO portal (``AWS_ENDPOINT_URL_SSO`` and
    ``AWS_ENDPOINT_URL_SSO_OIDC``).
    ``now`` (default: the current time) anchors every expiry, for screenshots.
    The returned mapping holds no secret.
    """
    now = dt.datetime.now(dt.UTC) if now is None else now
    home = os.path.abspath(home)
    private_dirs(home)
    aws = os.path.join(home, ".aws")
    config_file = os.path.join(aws, "config")
    credentials_file = os.path.join(aws, "credentials")
    config_dir = os.path.join(home, ".config", "rolecall")
    cache_dir = os.path.join(home, ".cache", "rolecall")

    write_private(config_file, data("demo-config"))
    write_private(credentials_file, data("demo-credentials"))

    if sso_logged_in:
        _write_sso_token(aws, now)
    for role in CACHED_ROLES:
        response = _fake_role_response(role, now + role.expires_in)
        write_private(cache_path(home, role), json.dumps(response) + "\n")
    write_private(os.path.join(config_dir, "config.toml"), data("demo-settings.toml"))
    private_dirs(cache_dir)
    # zsh asks new users to configure it when ~/.zshrc is missing: not in a demo subshell.
    write_private(os.path.join(home, ".zshrc"), "# rolecall demo\n")

    env = {
        "HOME": home,
        "AWS_CONFIG_FILE": config_file,
        "AWS_SHARED_CREDENTIALS_FILE": credentials_file,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_STS": endpoint,
    }
    if sso_endpoint is not None:
        env["AWS_ENDPOINT_URL_SSO"] = sso_endpoint
        env["AWS_ENDPOINT_URL_SSO_OIDC"] = sso_endpoint
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["ROLECALL_CONFIG_DIR"] = config_dir
    env["ROLECALL_CACHE_DIR"] = cache_dir
    return env


def _write_sso_token(aws: str, now: dt.datetime) -> None:
    """The demo SSO session's token, valid :data:`SSO_TOKEN_LIFETIME` from ``now``."""
    token = {
        "startUrl": SSO_START_URL,
        "region": SSO_REGION,
        "accessToken": SSO_ACCESS_TOKEN,
        "expiresAt": _iso_z(now + SSO_TOKEN_LIFETIME),
    }
    sso_name = hashlib.sha1(SSO_SESSION.encode("utf-8")).hexdigest() + ".json"
    write_private(os.path.join(aws, "sso", "cache", sso_name), json.dumps(token, indent=2) + "\n")


def read_root_keys(credentials_file: str) -> tuple[str, str] | None:
    """The demo-root keys, read from the demo's own credentials file."""
    from rolecall.core.config import read_document

    doc = read_document(credentials_file)
    if doc is None:
        return None
    values = doc.raw_values().get(ROOT_PROFILE, {})
    key, secret = values.get("aws_access_key_id"), values.get("aws_secret_access_key")
    if isinstance(key, str) and isinstance(secret, str):
        return key, secret
    return None
