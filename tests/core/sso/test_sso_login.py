"""The device authorization login, against the local fake through botocore's own client."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests import sso_helpers as h
from tests.moto_fixtures import refused_url

from rolecall.core.cache import keys
from rolecall.core.sso import login as sso_login
from rolecall.core.sso.errors import CANCELLED, DENIED, DEVICE_EXPIRED, NETWORK, SsoError
from rolecall.core.sso.login import DeviceCode, login
from rolecall.core.sso.session import SsoSession
from rolecall.fakes.sso import FakeSso

CORP = SsoSession(h.SESSION, h.START_URL, h.REGION)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSso]:
    yield from h.running_fake(monkeypatch, interval=2)


class Waits:
    """A ``wait`` that does not sleep: it records each interval and runs ``then``."""

    def __init__(self, then: list[object] | None = None) -> None:
        self.seen: list[float] = []
        self.then = list(then or [])

    def __call__(self, seconds: float) -> bool:
        self.seen.append(seconds)
        action = self.then.pop(0) if self.then else None
        if action == "cancel":
            return True
        if callable(action):
            action()
        return False


def test_login_writes_the_token_botocore_reads(fake: FakeSso) -> None:
    codes: list[DeviceCode] = []
    waits = Waits([None, None, fake.approve])
    token = login(CORP, codes.append, wait=waits)
    assert len(codes) == 1
    code = codes[0]
    assert code.user_code in code.verification_uri_complete
    assert code.verification_uri.startswith(fake.endpoint)
    assert waits.seen == [2, 2, 2]  # pending, pending, approved on the third poll
    assert fake.count("CreateToken", 400) == 2 and fake.count("CreateToken", 200) == 1
    data = h.read_token()
    assert set(data) == {
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    }
    assert data["accessToken"] == token.access_token
    assert fake.valid_token(data["accessToken"])
    from botocore.utils import JSONFileCache, SSOTokenLoader

    loader = SSOTokenLoader(cache=JSONFileCache(keys.sso_cache_dir()))
    assert loader(h.START_URL, session_name=h.SESSION)["accessToken"] == token.access_token


def test_the_registration_is_reused_while_valid(fake: FakeSso) -> None:
    login(CORP, lambda c: None, wait=Waits([fake.approve]))
    login(CORP, lambda c: None, wait=Waits([fake.approve]))
    assert fake.count("RegisterClient") == 1
    assert fake.count("StartDeviceAuthorization") == 2


def test_a_registration_the_portal_forgot_is_replaced_once(fake: FakeSso) -> None:
    login(CORP, lambda c: None, wait=Waits([fake.approve]))
    fake.forget_clients()
    login(CORP, lambda c: None, wait=Waits([fake.approve]))
    assert fake.count("RegisterClient") == 2
    assert fake.count("StartDeviceAuthorization", 401) == 1


def test_an_expired_registration_is_replaced(fake: FakeSso) -> None:
    fake.registration_expires_in = 600  # less than the 15 minutes the CLI keeps
    login(CORP, lambda c: None, wait=Waits([fake.approve]))
    login(CORP, lambda c: None, wait=Waits([fake.approve]))
    assert fake.count("RegisterClient") == 2


def test_slow_down_adds_five_seconds_for_good(fake: FakeSso) -> None:
    fake.slow_down(1)
    waits = Waits([None, None, fake.approve])
    login(CORP, lambda c: None, wait=waits)
    assert waits.seen == [2, 7, 7]


def test_an_expired_device_code_is_one_line_and_writes_nothing(fake: FakeSso) -> None:
    waits = Waits([None, fake.expire_device_codes])
    with pytest.raises(SsoError) as info:
        login(CORP, lambda c: None, wait=waits)
    assert info.value.code == DEVICE_EXPIRED
    assert "expired" in str(info.value) and "\n" not in str(info.value)
    assert fake.count("CreateToken", 400) == 2
    assert not h.token_path().exists()


def test_the_device_code_deadline_is_kept_here_too(fake: FakeSso) -> None:
    """Even when the service keeps saying "pending", the wait ends at expiresIn."""
    fake.device_expires_in = 10
    clock = [datetime(2026, 11, 28, tzinfo=UTC)]

    def tick() -> None:
        clock[0] += timedelta(seconds=4)

    with pytest.raises(SsoError) as info:
        login(CORP, lambda c: None, wait=Waits([tick] * 10), now=lambda: clock[0])
    assert info.value.code == DEVICE_EXPIRED
    assert fake.count("CreateToken") == 2  # at 4 s and 8 s; at 12 s the code has expired


def test_a_denied_login(fake: FakeSso) -> None:
    with pytest.raises(SsoError) as info:
        login(CORP, lambda c: None, wait=Waits([fake.deny]))
    assert info.value.code == DENIED
    assert not h.token_path().exists()


def test_cancel_stops_polling_and_keeps_the_old_token(fake: FakeSso) -> None:
    h.write_token({"accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z"})
    with pytest.raises(SsoError) as info:
        login(CORP, lambda c: None, wait=Waits([None, "cancel"]))
    assert info.value.code == CANCELLED
    assert fake.count("CreateToken") == 1
    assert h.read_token()["accessToken"] == "old"


def test_cancel_from_another_thread_during_a_real_wait(fake: FakeSso) -> None:
    fake.interval = 30
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with pytest.raises(SsoError) as info:
        login(CORP, lambda c: None, cancel=cancel)
    assert info.value.code == CANCELLED


def test_an_unreachable_service_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", refused_url())
    with pytest.raises(SsoError) as info:
        login(CORP, lambda c: None, wait=Waits())
    assert info.value.code == NETWORK
    assert "cannot reach IAM Identity Center (RegisterClient)" in str(info.value)


def test_a_legacy_profile_logs_in_under_its_start_url(fake: FakeSso) -> None:
    legacy = SsoSession(None, "https://legacy.awsapps.com/start", "us-east-2", profile="legacy")
    login(legacy, lambda c: None, wait=Waits([fake.approve]))
    data = h.read_token("https://legacy.awsapps.com/start")
    assert data["startUrl"] == "https://legacy.awsapps.com/start"
    assert data["region"] == "us-east-2"
    assert not h.token_path().exists()


def test_the_fake_checks_the_start_url(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeSso(start_url="https://other/start") as fake:
        for key, value in fake.env().items():
            monkeypatch.setenv(key, value)
        with pytest.raises(SsoError, match="InvalidRequestException"):
            login(CORP, lambda c: None, wait=Waits())


def test_scopes_are_registered(fake: FakeSso) -> None:
    session = SsoSession("corp", h.START_URL, h.REGION, ("sso:account:access", "extra:scope"))
    login(session, lambda c: None, wait=Waits([fake.approve]))
    registration = Path(keys.sso_cache_dir()) / (session.registration_key() + ".json")
    assert json.loads(registration.read_text())["scopes"] == ["sso:account:access", "extra:scope"]


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({}, "linux", False),
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({"BROWSER": "firefox"}, "linux", True),
        ({}, "darwin", True),
        ({}, "win32", True),
    ],
)
def test_browser_only_where_one_can_open(
    env: dict[str, str], platform: str, expected: bool
) -> None:
    assert sso_login.browser_available(env, platform) is expected
