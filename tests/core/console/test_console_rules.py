"""The console's rules, without a network: partitions and their hosts, destinations,
the federation endpoint override, which credentials open the console and the
SessionDuration rules (``rolecall.core.console``)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from rolecall.core.console import ConsoleError, destinations, sessions
from rolecall.core.console.destinations import (
    destination_url,
    federation_endpoint,
    partition_for,
    partition_of_region,
)
from rolecall.core.console.sessions import duration_rule, own_kind, planned_kind
from rolecall.core.console.signin import login_url, session_json
from rolecall.core.profiles import load_profiles
from rolecall.core.sts import AssumeError, Credentials


# ---------------------------------------------------------------------------
# partitions and destinations
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("arn", "region", "partition", "signin", "console"),
    [
        ("arn:aws:iam::123456789012:role/A", "eu-west-1", "aws", "signin.aws.amazon.com",
         "console.aws.amazon.com"),
        ("arn:aws-us-gov:iam::123456789012:role/A", "us-gov-west-1", "aws-us-gov",
         "signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"),
        ("arn:aws-cn:iam::123456789012:role/A", "cn-north-1", "aws-cn", "signin.amazonaws.cn",
         "console.amazonaws.cn"),
        (None, "cn-northwest-1", "aws-cn", "signin.amazonaws.cn", "console.amazonaws.cn"),
        (None, "us-gov-east-1", "aws-us-gov", "signin.amazonaws-us-gov.com",
         "console.amazonaws-us-gov.com"),
        (None, None, "aws", "signin.aws.amazon.com", "console.aws.amazon.com"),
    ],
)  # fmt: skip
def test_each_partition_has_its_own_hosts(
    arn: str | None, region: str | None, partition: str, signin: str, console: str
) -> None:
    found = partition_for([arn], region)
    assert found == partition
    assert federation_endpoint(found, {}) == f"https://{signin}/federation"
    assert destination_url(None, found, region).startswith(f"https://{console}/console/home")
    assert destination_url("s3", found, region).startswith(f"https://{console}/s3/home")


def test_the_role_arn_decides_the_partition_before_the_region() -> None:
    # a role in China named with no region: the ARN says where it is
    assert partition_for(["arn:aws-cn:sts::123456789012:assumed-role/A/me"], None) == "aws-cn"
    assert partition_for([None, "arn:aws-us-gov:iam::123456789012:role/A"], None) == "aws-us-gov"


@pytest.mark.parametrize(
    ("destination", "region", "expected"),
    [
        ("s3", "eu-west-1", "https://console.aws.amazon.com/s3/home?region=eu-west-1"),
        ("ec2", "us-east-2", "https://console.aws.amazon.com/ec2/home?region=us-east-2"),
        ("cloudwatch", "ap-south-1",
         "https://console.aws.amazon.com/cloudwatch/home?region=ap-south-1"),
        ("EC2", None, "https://console.aws.amazon.com/ec2/home"),
        ("cfn", "eu-west-1", "https://console.aws.amazon.com/cloudformation/home?region=eu-west-1"),
        ("iam", "eu-west-1", "https://console.aws.amazon.com/iam/home"),  # global: no region
        ("route53", "eu-west-1", "https://console.aws.amazon.com/route53/home"),
        (None, "eu-west-1", "https://console.aws.amazon.com/console/home?region=eu-west-1"),
        (None, None, "https://console.aws.amazon.com/console/home"),
        ("https://console.aws.amazon.com/lambda/home#/functions",
         "eu-west-1", "https://console.aws.amazon.com/lambda/home#/functions"),
    ],
)  # fmt: skip
def test_destination_from_a_service_and_a_region(
    destination: str | None, region: str | None, expected: str
) -> None:
    assert destination_url(destination, "aws", region) == expected


@pytest.mark.parametrize(
    "destination",
    ["http://console.aws.amazon.com/", "ftp://x", "javascript:alert(1)", "s3 ec2", "../etc", "-x"],
)
def test_bad_destination_is_refused(destination: str) -> None:
    with pytest.raises(ConsoleError) as info:
        destination_url(destination, "aws", "eu-west-1")
    assert info.value.code == "BadDestination"
    assert "--destination must be an https:// URL or a service name" in str(info.value)


def test_a_region_of_another_partition_is_refused() -> None:
    with pytest.raises(ConsoleError) as info:
        destination_url("ec2", "aws-cn", "eu-west-1")
    assert info.value.code == "BadRegion"
    assert str(info.value) == (
        "region eu-west-1 is not in partition aws-cn (the role's); "
        "pick a region of that partition with --region"
    )


def test_federation_url_override_is_checked() -> None:
    local = "http://127.0.0.1:8080/federation"
    assert federation_endpoint("aws", {"ROLECALL_FEDERATION_URL": local}) == local
    private = "https://signin.example.internal/federation"
    # a private partition has no public endpoint: the override is how to reach it
    assert federation_endpoint("aws-iso", {"ROLECALL_FEDERATION_URL": private}) == private
    for bad in ("http://signin.example.com/federation", "https://x/federation?a=1", "not a url"):
        with pytest.raises(ConsoleError) as info:
            federation_endpoint("aws", {"ROLECALL_FEDERATION_URL": bad})
        assert info.value.code == "BadEndpoint"
    with pytest.raises(ConsoleError) as info:
        federation_endpoint("aws-iso", {})
    assert info.value.code == "UnknownPartition"
    assert "ROLECALL_FEDERATION_URL" in str(info.value)
    assert partition_of_region("us-iso-east-1") == "aws-iso"


def test_login_url_carries_issuer_destination_and_token() -> None:
    url = login_url(
        "https://signin.aws.amazon.com/federation",
        "TOKEN+/=",
        "https://console.aws.amazon.com/s3/home?region=eu-west-1",
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "signin.aws.amazon.com",
        "/federation",
    )
    assert parse_qs(parts.query) == {
        "Action": ["login"],
        "Issuer": ["rolecall"],
        "Destination": ["https://console.aws.amazon.com/s3/home?region=eu-west-1"],
        "SigninToken": ["TOKEN+/="],
    }


def test_session_json_is_exactly_the_three_parts() -> None:
    import json

    creds = Credentials("ASIAKEY", "secret/key", "token==")
    assert json.loads(session_json(creds)) == {
        "sessionId": "ASIAKEY",
        "sessionKey": "secret/key",
        "sessionToken": "token==",
    }


# ---------------------------------------------------------------------------
# which credentials, and SessionDuration
# ---------------------------------------------------------------------------
CONFIG = """\
[profile user]
aws_access_key_id = AKIAUSERUSERUSER0001
aws_secret_access_key = userSECRET

[profile user-mfa]
aws_access_key_id = AKIAUSERUSERUSER0002
aws_secret_access_key = userSECRET
mfa_serial = arn:aws:iam::000000000000:mfa/me

[profile temp]
aws_access_key_id = ASIATEMPTEMPTEMP0001
aws_secret_access_key = tempSECRET
aws_session_token = tempTOKEN

[profile role]
role_arn = arn:aws:iam::111111111111:role/Role
source_profile = user

[profile chained]
role_arn = arn:aws:iam::222222222222:role/Chained
source_profile = role

[profile via-mfa]
role_arn = arn:aws:iam::333333333333:role/ViaMfa
source_profile = user
mfa_serial = arn:aws:iam::000000000000:mfa/me

[profile via-mfa-root]
role_arn = arn:aws:iam::333333333333:role/ViaMfaRoot
source_profile = user-mfa

[profile from-temp]
role_arn = arn:aws:iam::444444444444:role/FromTemp
source_profile = temp

[profile from-env]
role_arn = arn:aws:iam::555555555555:role/FromEnv
credential_source = Environment

[profile from-instance]
role_arn = arn:aws:iam::555555555555:role/FromInstance
credential_source = Ec2InstanceMetadata

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Dev

[profile on-sso]
role_arn = arn:aws:iam::666666666666:role/OnSso
source_profile = sso

[profile web]
role_arn = arn:aws:iam::777777777777:role/Web
web_identity_token_file = /tmp/token

[profile proc]
credential_process = /bin/true

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
"""


@pytest.fixture
def aws_config() -> str:
    return CONFIG


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("role", sessions.ROLE),  # one hop from an IAM user's long-term keys
        ("chained", sessions.CHAINED),  # a role assumed with a role's credentials
        ("via-mfa", sessions.CHAINED),  # signed by an MFA session (GetSessionToken)
        ("via-mfa-root", sessions.CHAINED),
        ("from-temp", sessions.CHAINED),  # temporary keys in the credentials file
        ("from-env", sessions.CHAINED),  # environment keys: of unknown kind
        ("from-instance", sessions.CHAINED),  # an instance role
        ("on-sso", sessions.CHAINED),  # SSO role credentials sign it
        ("sso", sessions.SSO),
        ("web", sessions.WEB_IDENTITY),
        ("user", sessions.OWN),
        ("user-mfa", sessions.OWN),
        ("temp", sessions.OWN),
        ("proc", sessions.OWN),
    ],
)
def test_planned_kind(home: Path, name: str, kind: str) -> None:
    assert planned_kind(load_profiles(), name) == kind


def test_planned_kind_of_an_unknown_profile(home: Path) -> None:
    with pytest.raises(AssumeError) as info:
        planned_kind(load_profiles(), "nope")
    assert info.value.code == "UnknownProfile"


def test_own_credentials_are_federated_only_when_long_term() -> None:
    assert own_kind(None) == sessions.FEDERATION
    assert own_kind("") == sessions.FEDERATION
    assert own_kind("TOKEN") == sessions.TEMPORARY


@pytest.mark.parametrize(
    ("kind", "duration", "session", "federation", "warns"),
    [
        (sessions.ROLE, None, None, None, False),
        (sessions.ROLE, 900, 900, None, False),
        (sessions.ROLE, 43200, 43200, None, False),
        (sessions.SSO, 7200, 7200, None, False),
        (sessions.WEB_IDENTITY, 7200, 7200, None, False),
        (sessions.CHAINED, None, None, None, False),
        (sessions.CHAINED, 7200, None, None, True),  # AWS refuses SessionDuration
        (sessions.TEMPORARY, 7200, None, None, True),
        (sessions.FEDERATION, None, None, 3600, False),
        (sessions.FEDERATION, 129600, None, 129600, False),  # never a SessionDuration
        (sessions.OWN, 129600, None, None, False),  # checked only: the kind shows later
    ],
)
def test_duration_rules(
    kind: str, duration: int | None, session: int | None, federation: int | None, warns: bool
) -> None:
    rule = duration_rule(kind, duration)
    assert rule.session_duration == session
    assert rule.federation_duration == federation
    assert (rule.warning is not None) == warns


@pytest.mark.parametrize(
    ("kind", "duration"),
    [
        (sessions.ROLE, 899),
        (sessions.ROLE, 43201),
        (sessions.CHAINED, 43201),
        (sessions.SSO, 0),
        (sessions.FEDERATION, 129601),
        (sessions.OWN, 899),
    ],
)
def test_durations_out_of_range_are_refused(kind: str, duration: int) -> None:
    with pytest.raises(ConsoleError) as info:
        duration_rule(kind, duration)
    assert info.value.code == "BadDuration"
    assert f"--duration {duration} is outside 900.." in str(info.value)


def test_hosts_table_is_complete() -> None:
    assert set(destinations.HOSTS) == {"aws", "aws-us-gov", "aws-cn"}
    text = textwrap.dedent(destinations.__doc__ or "")
    for partition, (signin, console) in destinations.HOSTS.items():
        assert partition in text and signin in text and console in text
