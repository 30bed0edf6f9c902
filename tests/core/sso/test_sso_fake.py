"""The fake's answers as botocore's own parser reads them, and the layers of the SSO code."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from tests import sso_helpers as h

import rolecall.core.sso
from rolecall.core.sso import clients
from rolecall.fakes.sso import DEVICE_GRANT, FakeSso


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSso]:
    yield from h.running_fake(monkeypatch)


def client_error(call: Any, **kwargs: Any) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response: dict[str, Any] = info.value.response
    return response


def test_oidc_errors_have_the_aws_shape(fake: FakeSso) -> None:
    oidc = clients.oidc_client(h.REGION)
    reg = oidc.register_client(clientName="t", clientType="public")
    auth = oidc.start_device_authorization(
        clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=h.START_URL
    )
    response = client_error(
        oidc.create_token,
        grantType=DEVICE_GRANT,
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        deviceCode=auth["deviceCode"],
    )
    assert response["Error"]["Code"] == "AuthorizationPendingException"  # from the header
    assert response["error"] == "authorization_pending"  # the body's members, parsed
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    header = response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"]
    assert header.startswith("AuthorizationPendingException:http")
    bad = client_error(oidc.register_client, clientName="t", clientType="confidential")
    assert bad["Error"]["Code"] == "InvalidClientMetadataException"
    wrong = client_error(
        oidc.create_token, grantType="password", clientId=reg["clientId"], clientSecret="x"
    )
    assert wrong["Error"]["Code"] == "UnsupportedGrantTypeException"


def test_portal_answers_and_errors(fake: FakeSso) -> None:
    portal = clients.portal_client(h.REGION)
    token = fake.issue_session().access_token
    creds = portal.get_role_credentials(
        accessToken=token, accountId="100000000001", roleName="ReadOnly"
    )["roleCredentials"]
    assert set(creds) == {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}
    assert isinstance(creds["expiration"], int)  # milliseconds, as AWS sends
    denied = client_error(
        portal.get_role_credentials, accessToken=token, accountId="100000000001", roleName="Admin"
    )
    assert denied["Error"] == {"Code": "ForbiddenException", "Message": "No access"}
    unknown = client_error(portal.list_account_roles, accessToken=token, accountId="1")
    assert unknown["Error"]["Code"] == "ResourceNotFoundException"
    too_big = client_error(portal.list_accounts, accessToken=token, maxResults=101)
    assert too_big["Error"]["Code"] == "InvalidRequestException"
    unauthorized = client_error(portal.list_accounts, accessToken="nope")
    assert unauthorized["Error"]["Message"] == "Session token not found or invalid"
    assert unauthorized["ResponseMetadata"]["HTTPStatusCode"] == 401


def test_the_verification_page_approves(fake: FakeSso) -> None:
    oidc = clients.oidc_client(h.REGION)
    reg = oidc.register_client(clientName="t", clientType="public")
    auth = oidc.start_device_authorization(
        clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=h.START_URL
    )
    with urllib.request.urlopen(auth["verificationUriComplete"], timeout=5) as page:
        assert "Allow" in page.read().decode()
    approve = f"{fake.endpoint}/device/approve?user_code={auth['userCode']}"
    with urllib.request.urlopen(approve, timeout=5) as page:
        assert "approved" in page.read().decode()
    token = oidc.create_token(
        grantType=DEVICE_GRANT,
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        deviceCode=auth["deviceCode"],
    )
    assert fake.valid_token(token["accessToken"])
    used = client_error(
        oidc.create_token,
        grantType=DEVICE_GRANT,
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        deviceCode=auth["deviceCode"],
    )
    assert used["Error"]["Code"] == "InvalidGrantException"


def test_auto_approve_for_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeSso(interval=0, auto_approve_after=0.0) as fake:
        for key, value in fake.env().items():
            monkeypatch.setenv(key, value)
        oidc = clients.oidc_client(h.REGION)
        reg = oidc.register_client(clientName="t", clientType="public")
        auth = oidc.start_device_authorization(
            clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=h.START_URL
        )
        token = oidc.create_token(
            grantType=DEVICE_GRANT,
            clientId=reg["clientId"],
            clientSecret=reg["clientSecret"],
            deviceCode=auth["deviceCode"],
        )
        assert token["tokenType"] == "Bearer"


# ---------------------------------------------------------------------------
# layers: what importing the SSO code costs
# ---------------------------------------------------------------------------
SSO_MODULES = sorted(
    m.name for m in pkgutil.walk_packages(rolecall.core.sso.__path__, "rolecall.core.sso.")
)


def loaded_after(code: str) -> set[str]:
    probe = (
        code
        + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_every_sso_module_is_headless_and_lazy() -> None:
    assert "rolecall.core.sso.login" in SSO_MODULES
    loaded = loaded_after("\n".join(f"import {m}" for m in SSO_MODULES))
    assert not loaded & {"textual", "rich", "boto3", "botocore"}


def test_the_fake_needs_nothing_test_only() -> None:
    loaded = loaded_after("import rolecall.fakes.sso")
    assert not loaded & {"pytest", "moto", "boto3", "botocore", "textual", "rich"}
