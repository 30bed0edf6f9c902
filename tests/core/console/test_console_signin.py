"""``console_link`` end to end, in-process: moto's STS (through the counting proxy) and
a local fake of the federation endpoint.  The fake records the ``Session`` JSON, so
the tests check it is exactly the session's credentials, which credentials those
are (a role, GetFederationToken, SSO, a profile's own temporary keys), and when
SessionDuration is sent."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.federation_fake import FederationFake, run_federation
from tests.moto_fixtures import StsProxy, refused_url, write_aws_files
from tests.sts_helpers import sso_profile

from rolecall.core import sts
from rolecall.core.cache import entries
from rolecall.core.cache import keys as cache_keys
from rolecall.core.console import ConsoleError, ConsoleLink, console_link
from rolecall.core.profiles import load_profiles
from rolecall.core.sts.federation import ALLOW_ALL_POLICY

USER_KEY = "AKIAROLECALLCONSOLE1"
USER_SECRET = "rolecallCONSOLEsecret/000000000000000000"
TEMP_KEY = "ASIAROLECALLTEMPKEY1"
TEMP_SECRET = "rolecallTEMPsecret/0000000000000000000000"
TEMP_TOKEN = "rolecallTEMPtoken" * 8
MFA = "arn:aws:iam::000000000000:mfa/me"

CONFIG = f"""\
[profile user]
aws_access_key_id = {USER_KEY}
aws_secret_access_key = {USER_SECRET}
region = eu-west-1

[profile user-mfa]
aws_access_key_id = {USER_KEY}
aws_secret_access_key = {USER_SECRET}
mfa_serial = {MFA}

[profile temp]
aws_access_key_id = {TEMP_KEY}
aws_secret_access_key = {TEMP_SECRET}
aws_session_token = {TEMP_TOKEN}

[profile role]
role_arn = arn:aws:iam::111111111111:role/Role
source_profile = user
region = eu-west-1

[profile chained]
role_arn = arn:aws:iam::222222222222:role/Chained
source_profile = role

[profile cn]
role_arn = arn:aws-cn:iam::333333333333:role/InChina
source_profile = user
region = cn-north-1

{sso_profile("sso")}"""


@pytest.fixture
def federation(monkeypatch: pytest.MonkeyPatch) -> Iterator[FederationFake]:
    yield from run_federation(monkeypatch)


@pytest.fixture
def console_home(isolated_env: Path, sts_endpoint: str) -> Path:
    write_aws_files(isolated_env, CONFIG)
    return isolated_env


def no_mfa(serial: str) -> str | None:
    raise AssertionError(f"an MFA code was asked for {serial}")


def link_for(name: str, **kw: Any) -> tuple[ConsoleLink, list[str]]:
    warnings: list[str] = []
    link = console_link(
        load_profiles(),
        name,
        assume=lambda profiles, name, **more: sts.assume(profiles, name, mfa=no_mfa, **more),
        warn=warnings.append,
        **kw,
    )
    return link, warnings


def identity(proxy: StsProxy, session: dict[str, Any]) -> str:
    """Who moto says the Session's credentials are (get-caller-identity with them)."""
    import boto3

    client = boto3.session.Session().client(
        "sts",
        region_name="us-east-1",
        endpoint_url=proxy.url,
        aws_access_key_id=session["sessionId"],
        aws_secret_access_key=session["sessionKey"],
        aws_session_token=session["sessionToken"],
    )
    arn: str = client.get_caller_identity()["Arn"]
    return arn


def login_params(link: ConsoleLink) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link.url).query).items()}


def test_role_session_json_is_the_role_credentials(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake
) -> None:
    link, warnings = link_for("role", duration=7200, destination="s3")
    assert warnings == []
    (request,) = federation.signin_requests()
    # the Session is exactly the role's credentials, as the assume cached them
    entry = entries.read_entry(cache_keys.cache_key_for(load_profiles()["role"]) or "")
    assert entry is not None
    assert request.session == {
        "sessionId": entry.access_key_id,
        "sessionKey": entry.secret_access_key,
        "sessionToken": entry.session_token,
    }
    assert set(json.loads(request.params["Session"])) == {"sessionId", "sessionKey", "sessionToken"}
    assert identity(sts_proxy, request.session).startswith(
        "arn:aws:sts::111111111111:assumed-role/Role/"
    )
    # a role assumed with an IAM user's long-term keys may ask for a long console session
    assert request.params["SessionDuration"] == "7200"
    # the role was assumed as usual (the console's duration is not the role's)
    assert sts_proxy.calls("AssumeRole")[0].params["DurationSeconds"] == "3600"
    assert login_params(link) == {
        "Action": "login",
        "Issuer": "rolecall",
        "Destination": "https://console.aws.amazon.com/s3/home?region=eu-west-1",
        "SigninToken": federation.tokens[0],
    }
    assert link.url.startswith(federation.url + "?")
    assert (link.account_id, link.kind, link.partition) == ("111111111111", "role", "aws")
    assert link.url not in repr(link) and federation.tokens[0] not in repr(link)


def test_a_cached_role_is_not_assumed_again(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake
) -> None:
    link_for("role")
    link_for("role")
    assert sts_proxy.count("AssumeRole") == 1
    first, second = federation.signin_requests()
    assert first.session == second.session
    assert "SessionDuration" not in first.params  # none asked: as long as the credentials


def test_chained_role_sends_no_session_duration(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake
) -> None:
    link, warnings = link_for("chained", duration=7200)
    (request,) = federation.signin_requests()
    assert "SessionDuration" not in request.params
    assert len(warnings) == 1 and "role chaining" in warnings[0]
    assert identity(sts_proxy, request.session or {}).startswith(
        "arn:aws:sts::222222222222:assumed-role/Chained/"
    )
    assert link.kind == "chained"


def test_long_term_keys_get_a_federation_token_first(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake
) -> None:
    link, warnings = link_for("user", duration=129600)
    (call,) = sts_proxy.calls("GetFederationToken")
    assert call.authorization.split("Credential=")[1].startswith(USER_KEY + "/")
    assert call.params["DurationSeconds"] == "129600"
    assert json.loads(call.params["Policy"]) == json.loads(ALLOW_ALL_POLICY)
    assert 2 <= len(call.params["Name"]) <= 32
    (request,) = federation.signin_requests()
    session = request.session or {}
    # temporary credentials, never the user's own keys
    assert session["sessionId"] != USER_KEY and session["sessionKey"] != USER_SECRET
    assert session["sessionToken"]
    # GetFederationToken's duration is the session's: a SessionDuration would fail
    assert "SessionDuration" not in request.params
    assert warnings == []
    assert link.kind == "federation" and link.arn and ":federated-user/" in link.arn


def test_long_term_keys_with_mfa_need_no_code(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake
) -> None:
    # GetFederationToken takes no MFA code; no MFA session is started for it
    link, _ = link_for("user-mfa")
    assert sts_proxy.count("GetSessionToken") == 0
    assert sts_proxy.calls("GetFederationToken")[0].params["DurationSeconds"] == "3600"
    assert link.kind == "federation"


def test_own_temporary_keys_are_sent_as_they_are(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake
) -> None:
    link, warnings = link_for("temp", duration=7200)
    assert sts_proxy.count("GetFederationToken") == 0 and sts_proxy.count("AssumeRole") == 0
    (request,) = federation.signin_requests()
    assert request.session == {
        "sessionId": TEMP_KEY,
        "sessionKey": TEMP_SECRET,
        "sessionToken": TEMP_TOKEN,
    }
    assert "SessionDuration" not in request.params
    assert len(warnings) == 1 and "--duration is ignored" in warnings[0]
    assert link.kind == "temporary"


def test_sso_profile_uses_its_role_credentials(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake
) -> None:
    later = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sso_dir = Path(cache_keys.sso_cache_dir())
    sso_dir.mkdir(parents=True)
    (sso_dir / f"{hashlib.sha1(b'corp').hexdigest()}.json").write_text(
        json.dumps(
            {
                "startUrl": "https://corp.awsapps.com/start",
                "region": "eu-west-1",
                "accessToken": "token",
                "expiresAt": later,
            }
        )
    )
    args = json.dumps(
        {"accountId": "123456789012", "roleName": "Dev", "sessionName": "corp"},
        sort_keys=True,
        separators=(",", ":"),
    )
    cli_dir = Path(cache_keys.cli_cache_dir())
    cli_dir.mkdir(parents=True)
    (cli_dir / f"{hashlib.sha1(args.encode()).hexdigest()}.json").write_text(
        json.dumps(
            {
                "ProviderType": "sso",
                "Credentials": {
                    "AccessKeyId": "ASIASSOROLECALL00001",
                    "SecretAccessKey": "ssoSECRET",
                    "SessionToken": "ssoTOKEN",
                    "Expiration": later,
                    "AccountId": "123456789012",  # (botocore writes it)
                },
            }
        )
    )
    link, warnings = link_for("sso", duration=3600, region="eu-central-1")
    (request,) = federation.signin_requests()
    assert request.session == {
        "sessionId": "ASIASSOROLECALL00001",
        "sessionKey": "ssoSECRET",
        "sessionToken": "ssoTOKEN",
    }
    assert request.params["SessionDuration"] == "3600"  # SSO role sessions are not chained
    assert sts_proxy.count("GetFederationToken") == 0
    assert warnings == [] and link.kind == "sso" and link.account_id == "123456789012"
    assert login_params(link)["Destination"] == (
        "https://console.aws.amazon.com/console/home?region=eu-central-1"
    )


def test_partition_comes_from_the_role(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake, monkeypatch: Any
) -> None:
    link, _ = link_for("cn", destination="ec2")
    assert link.partition == "aws-cn"
    assert login_params(link)["Destination"] == (
        "https://console.amazonaws.cn/ec2/home?region=cn-north-1"
    )
    # with no override, the China sign-in host is the endpoint (the URL is built,
    # then the call fails offline: only the host it went to matters here)
    monkeypatch.delenv("ROLECALL_FEDERATION_URL")
    monkeypatch.setenv("ROLECALL_STS_TIMEOUT", "0.5")
    monkeypatch.setenv("HTTPS_PROXY", refused_url())
    with pytest.raises(ConsoleError) as info:
        link_for("cn")
    assert "https://signin.amazonaws.cn/federation" in str(info.value)


SECRET_PARTS = ("sessionKey", "sessionToken", "Session=", "SIGNIN-TOKEN")


def assert_no_secret(text: str, federation: FederationFake) -> None:
    for part in SECRET_PARTS:
        assert part not in text
    for request in federation.requests:
        for value in (request.session or {}).values():
            assert value not in text


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (400, b"Invalid credentials parameter", "EndpointRefused"),
        (503, b"<html>down</html>", "EndpointRefused"),
        (200, b"<html>not json</html>", "MalformedAnswer"),
        (200, b'{"Token": "x"}', "MalformedAnswer"),
    ],
)
def test_endpoint_failures_are_one_line_without_secrets(
    console_home: Path,
    sts_proxy: StsProxy,
    federation: FederationFake,
    status: int,
    body: bytes,
    code: str,
) -> None:
    federation.refuse(status, body)
    with pytest.raises(ConsoleError) as info:
        link_for("role")
    err = info.value
    assert err.code == code
    assert "\n" not in str(err) and federation.url.split("?")[0] in str(err)
    assert_no_secret(str(err) + repr(err), federation)


def test_unreachable_endpoint(
    console_home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLECALL_FEDERATION_URL", refused_url() + "/federation")
    with pytest.raises(ConsoleError) as info:
        link_for("role")
    assert info.value.code == "EndpointUnreachable"
    assert str(info.value).startswith("cannot reach the sign-in endpoint http://127.0.0.1:")
    assert "session" not in str(info.value).lower()


def test_bad_input_is_refused_before_any_call(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake
) -> None:
    for kw in (
        {"destination": "ftp://x"},
        {"duration": 50000},
        {"region": "cn-north-1"},  # not the role's partition
    ):
        with pytest.raises(ConsoleError):
            link_for("role", **kw)
    assert sts_proxy.calls() == [] and federation.requests == []
