"""Pieces of ``~/.aws/config`` shared by the tests that assume roles against moto
(``tests/moto_fixtures.py``): the three-hop chain, an MFA role, a source loop and
an SSO session.  Each piece ends with a newline; join pieces with ``"\\n"``.
Also an AssumeRole answer as the AWS CLI caches it, for tests that fill the cache.
"""

from __future__ import annotations

__all__ = [
    "A",
    "B",
    "C",
    "LOOP_PROFILES",
    "assumed_arn",
    "cached_response",
    "chain_profiles",
    "mfa_profile",
    "sso_profile",
]

A = "arn:aws:iam::111111111111:role/A"
B = "arn:aws:iam::222222222222:role/B"
C = "arn:aws:iam::333333333333:role/C"

#: two profiles that name each other as their source
LOOP_PROFILES = """\
[profile loop1]
role_arn = arn:aws:iam::111111111111:role/L1
source_profile = loop2

[profile loop2]
role_arn = arn:aws:iam::111111111111:role/L2
source_profile = loop1
"""


def chain_profiles(key_id: str, secret: str, c_settings: str = "") -> str:
    """``base`` (static keys ``key_id`` / ``secret``) -> ``a`` (role A) -> ``b`` (role B,
    eu-west-1) -> ``c`` (role C, then the ``c_settings`` lines)."""
    return f"""\
[profile base]
aws_access_key_id = {key_id}
aws_secret_access_key = {secret}

[profile a]
role_arn = {A}
source_profile = base

[profile b]
role_arn = {B}
source_profile = a
region = eu-west-1

[profile c]
role_arn = {C}
source_profile = b
{c_settings}"""


def mfa_profile(serial: str) -> str:
    """``mfa1``: role M1 from ``base``, with the MFA device ``serial``."""
    return f"""\
[profile mfa1]
role_arn = arn:aws:iam::111111111111:role/M1
source_profile = base
mfa_serial = {serial}
"""


def sso_profile(name: str) -> str:
    """``name``: the role Dev of account 123456789012 through the SSO session ``corp``."""
    return f"""\
[profile {name}]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Dev

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
"""


def cached_response(
    expiration: object,
    arn: str = "arn:aws:sts::123456789012:assumed-role/A/me",
    key_id: str = "ASIAEXAMPLEEXAMPLE01",
    secret: str = "s3cr3t/SECRET+secret",
    token: str = "TOKEN-token-TOKEN",
) -> dict[str, object]:
    """An AssumeRole answer as the AWS CLI writes it to its cache (``Expiration`` as given)."""
    return {
        "Credentials": {
            "AccessKeyId": key_id,
            "SecretAccessKey": secret,
            "SessionToken": token,
            "Expiration": expiration,
        },
        "AssumedRoleUser": {"AssumedRoleId": "AROA:me", "Arn": arn},
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }


def assumed_arn(role_arn: str, session: str = "me") -> str:
    """The ``AssumedRoleUser.Arn`` STS answers for ``role_arn``: what a cache entry for
    that role must name (rolecall does not use one that names another role).

    >>> assumed_arn("arn:aws:iam::123456789012:role/ops/Admin")
    'arn:aws:sts::123456789012:assumed-role/Admin/me'
    """
    _, partition, _, _, account, resource = role_arn.split(":", 5)
    return f"arn:{partition}:sts::{account}:assumed-role/{resource.rsplit('/', 1)[1]}/{session}"
