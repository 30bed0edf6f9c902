"""The roots of a chain other than static keys, through botocore's providers: SSO,
credential_process, web identity, ECS and EC2 credential sources; and a root with none."""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.core.sts.helpers import add_config, fail, run, signing_key
from tests.moto_fixtures import StsProxy
from tests.sts_helpers import A, B, sso_profile

from rolecall.core.cache import keys as cache_keys

SSO_CONFIG = (
    sso_profile("sso")
    + """
[profile on-sso]
role_arn = arn:aws:iam::666666666666:role/OnSso
source_profile = sso
duration_seconds = 7200
"""
)


def test_sso_root_expired_or_missing(chain_home: Path, sts_proxy: StsProxy) -> None:
    add_config(chain_home, SSO_CONFIG)
    err, _ = fail("on-sso")
    assert str(err) == "SSO session expired: run `rolecall sso login sso`"
    sso_dir = Path(cache_keys.sso_cache_dir())
    sso_dir.mkdir(parents=True)
    import hashlib

    token = sso_dir / f"{hashlib.sha1(b'corp').hexdigest()}.json"
    token.write_text(
        json.dumps(
            {
                "startUrl": "https://corp.awsapps.com/start",
                "region": "eu-west-1",
                "accessToken": "old",
                "expiresAt": "2020-01-01T00:00:00Z",
            }
        )
    )
    err, _ = fail("on-sso")
    assert err.code == "SsoExpired" and "rolecall sso login sso" in err.message
    assert sts_proxy.count("AssumeRole") == 0


def test_sso_root_from_the_cli_caches(chain_home: Path, sts_proxy: StsProxy) -> None:
    """The SSO role credentials the CLI cached serve as the root; the hop is chained."""
    import hashlib

    add_config(chain_home, SSO_CONFIG)
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
    key = hashlib.sha1(args.encode()).hexdigest()
    cli_dir = Path(cache_keys.cli_cache_dir())
    cli_dir.mkdir(parents=True)
    (cli_dir / f"{key}.json").write_text(
        json.dumps(
            {
                "ProviderType": "sso",
                "Credentials": {
                    "AccessKeyId": "ASIASSOROLECALL00001",
                    "SecretAccessKey": "ssoSECRET",
                    "SessionToken": "ssoTOKEN",
                    "Expiration": later,
                    # (botocore writes the account: rolecall uses no entry without it)
                    "AccountId": "123456789012",
                },
            }
        )
    )
    result, events = run("on-sso")
    assert signing_key(sts_proxy, "AssumeRole") == "ASIASSOROLECALL00001"
    assert sts_proxy.calls("AssumeRole")[0].params["DurationSeconds"] == "3600"
    assert any(e.kind == "warning" for e in events)  # SSO credentials are role credentials
    assert result.account_id == "666666666666"


def test_credential_process_root(chain_home: Path, sts_proxy: StsProxy) -> None:
    script = chain_home / "creds.py"
    script.write_text(
        "import json\n"
        "print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAPROCESSROLECALL1',"
        " 'SecretAccessKey': 'processSECRET'}))\n"
    )
    failing = chain_home / "fail.py"
    failing.write_text(
        "import sys\nsys.stderr.write('token expired, log in again\\n')\nsys.exit(3)\n"
    )
    add_config(
        chain_home,
        f"""\
        [profile proc]
        credential_process = {sys.executable} {script}

        [profile on-proc]
        role_arn = arn:aws:iam::777777777777:role/OnProc
        source_profile = proc

        [profile badproc]
        credential_process = {sys.executable} {failing}

        [profile on-badproc]
        role_arn = arn:aws:iam::777777777777:role/OnProc2
        source_profile = badproc
        """,
    )
    result, _ = run("on-proc")
    assert signing_key(sts_proxy, "AssumeRole") == "AKIAPROCESSROLECALL1"
    assert result.account_id == "777777777777"
    err, _ = fail("on-badproc")
    assert err.code == "CredentialProcessFailed"
    assert "token expired, log in again" in err.message and "'badproc'" in err.message


def test_web_identity_root(chain_home: Path, sts_proxy: StsProxy) -> None:
    token = chain_home / "token.jwt"
    token.write_text("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
    add_config(
        chain_home,
        f"""\
        [profile wi]
        role_arn = arn:aws:iam::888888888888:role/WebId
        web_identity_token_file = {token}
        role_session_name = wi-session

        [profile on-wi]
        role_arn = arn:aws:iam::999999999999:role/OnWi
        source_profile = wi
        """,
    )
    result, events = run("on-wi")
    assert sts_proxy.count("AssumeRoleWithWebIdentity") == 1
    [call] = sts_proxy.calls("AssumeRole")
    assert call.params["RoleArn"] == "arn:aws:iam::999999999999:role/OnWi"
    assert result.account_id == "999999999999"
    assert "web identity" in events[0].message


def test_credential_source_ecs_container(
    chain_home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EcsContainer credentials (role credentials) from a local endpoint; the hop is capped."""
    from http.server import BaseHTTPRequestHandler, HTTPServer

    later = (datetime.now(UTC) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps(
        {
            "AccessKeyId": "ASIAECSROLECALL00001",
            "SecretAccessKey": "ecsSECRET",
            "Token": "ecsTOKEN",
            "Expiration": later,
        }
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            f"http://127.0.0.1:{server.server_address[1]}/creds",
        )
        add_config(
            chain_home,
            f"""\
            [profile ecsrole]
            role_arn = {B}
            credential_source = EcsContainer
            duration_seconds = 7200
            """,
        )
        result, events = run("ecsrole")
    finally:
        server.shutdown()
        server.server_close()
    assert signing_key(sts_proxy, "AssumeRole") == "ASIAECSROLECALL00001"
    assert sts_proxy.calls("AssumeRole")[0].params["DurationSeconds"] == "3600"
    assert [e.kind for e in events][:2] == ["root", "warning"]
    assert result.account_id == "222222222222"


def test_credential_source_ec2_metadata_unavailable(chain_home: Path, sts_proxy: StsProxy) -> None:
    add_config(
        chain_home,
        f"""\
        [profile ec2role]
        role_arn = {A}
        credential_source = Ec2InstanceMetadata
        """,
    )
    err, _ = fail("ec2role")  # AWS_EC2_METADATA_DISABLED=true in the tests
    assert err.code == "NoCredentials" and "Ec2InstanceMetadata" in err.message
    assert sts_proxy.count("AssumeRole") == 0


def test_no_credentials_for_the_root(chain_home: Path, sts_proxy: StsProxy) -> None:
    add_config(
        chain_home,
        """\
        [profile empty]
        region = eu-west-1

        [profile on-empty]
        role_arn = arn:aws:iam::111111111111:role/X
        source_profile = empty
        """,
    )
    err, _ = fail("on-empty")
    assert err.code == "ConfigProblem" and "no usable credentials" in err.message
