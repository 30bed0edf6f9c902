"""Discovery of every account and role: paging, the in-flight limit, backoff, the cache."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests import sso_helpers as h

from rolecall.core.sso import discovery
from rolecall.core.sso.discovery import Role, discover, discovery_path, fetch, read_cached
from rolecall.core.sso.errors import THROTTLED, UNAUTHORIZED, SsoError
from rolecall.core.sso.session import SsoSession
from rolecall.fakes.sso import FakeSso

CORP = SsoSession(h.SESSION, h.START_URL, h.REGION)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSso]:
    yield from h.running_fake(monkeypatch)


@pytest.fixture
def token(fake: FakeSso) -> str:
    return fake.issue_session().access_token


def test_every_account_and_role_sorted(fake: FakeSso, token: str) -> None:
    fake.add_account("100000000002", "audit", ["SecurityAudit"], email="audit@example.com")
    roles = fetch(CORP, token)
    assert roles == (
        Role("audit", "100000000002", "SecurityAudit", "audit@example.com"),
        Role("Development", "100000000000", "Admin", "aws+100000000000@example.com"),
        Role("Development", "100000000000", "ReadOnly", "aws+100000000000@example.com"),
        Role("Production", "100000000001", "ReadOnly", "aws+100000000001@example.com"),
    )


def test_pages_through_accounts_and_roles(
    fake: FakeSso, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discovery, "PAGE_SIZE", 3)
    fake.accounts.clear()
    fake.add_accounts(10, ["A", "B", "C", "D", "E"])
    roles = fetch(CORP, token)
    assert len(roles) == 50
    assert fake.count("ListAccounts") == 4  # 3 + 3 + 3 + 1
    assert fake.count("ListAccountRoles") == 20  # 3 + 2 per account
    assert {c.params.get("max_result") for c in fake.calls} == {"3"}


def test_at_most_eight_requests_in_flight(fake: FakeSso, token: str) -> None:
    fake.accounts.clear()
    fake.add_accounts(40, ["Admin"])
    fake.latency = 0.05
    roles = fetch(CORP, token)
    assert len(roles) == 40
    assert 2 <= fake.max_in_flight <= 8


def test_a_smaller_limit_is_kept_too(fake: FakeSso, token: str) -> None:
    fake.accounts.clear()
    fake.add_accounts(12, ["Admin"])
    fake.latency = 0.03
    fetch(CORP, token, max_in_flight=2)
    assert fake.max_in_flight == 2


def test_backs_off_on_too_many_requests(fake: FakeSso, token: str) -> None:
    fake.throttle(3, "ListAccountRoles")
    fake.throttle(1, "ListAccounts")
    slept: list[float] = []
    roles = fetch(CORP, token, sleep=slept.append)
    assert len(roles) == 3
    assert fake.count("ListAccountRoles", 429) == 3
    assert fake.count("ListAccounts", 429) == 1
    assert len(slept) == 4
    assert all(0 < s <= discovery.BACKOFF_CAP for s in slept)


def test_backoff_grows_then_gives_up_in_one_line(fake: FakeSso, token: str) -> None:
    fake.throttle(1000, "ListAccounts")
    slept: list[float] = []
    with pytest.raises(SsoError) as info:
        fetch(CORP, token, sleep=slept.append)
    assert info.value.code == THROTTLED
    assert fake.count("ListAccounts") == discovery.MAX_ATTEMPTS
    assert len(slept) == discovery.MAX_ATTEMPTS - 1
    ceilings = [min(discovery.BACKOFF_CAP, discovery.BACKOFF_BASE * 2**i) for i in range(7)]
    assert all(c / 2 <= s <= c for s, c in zip(slept, ceilings, strict=True))


def test_a_refused_token_says_log_in(fake: FakeSso, token: str) -> None:
    fake.expire_tokens()
    with pytest.raises(SsoError) as info:
        fetch(CORP, token)
    assert info.value.code == UNAUTHORIZED
    assert "rolecall sso login --sso-session corp" in str(info.value)


def test_a_failure_in_a_worker_is_raised_and_stops_the_rest(fake: FakeSso, token: str) -> None:
    fake.accounts.clear()
    fake.add_accounts(30, ["Admin"])
    fake.throttle(1000, "ListAccountRoles")
    with pytest.raises(SsoError) as info:
        fetch(CORP, token, sleep=lambda s: None)
    assert info.value.code == THROTTLED
    # the first worker to give up stops the others: far fewer than 30 x 8 calls
    assert fake.count("ListAccountRoles") < 30 * discovery.MAX_ATTEMPTS


# ---------------------------------------------------------------------------
# the discovery cache
# ---------------------------------------------------------------------------
def test_cached_for_the_ttl_in_a_private_file(fake: FakeSso, token: str) -> None:
    first = discover(CORP, lambda: token)
    assert not first.from_cache and len(first.roles) == 3
    path = Path(discovery_path(CORP))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert token not in path.read_text()
    fake.reset_calls()

    def no_token() -> str:
        raise AssertionError("a cache hit needs no token")

    second = discover(CORP, no_token)
    assert second.from_cache and second.roles == first.roles
    assert fake.calls == []
    third = discover(CORP, lambda: token, refresh=True, ttl=0)
    assert not third.from_cache and fake.count("ListAccounts") == 1
    discover(CORP, lambda: token)  # written with ttl 0: expired at once
    assert fake.count("ListAccounts") == 2


def test_the_ttl_is_read_only_when_fetching(fake: FakeSso, token: str) -> None:
    asked: list[int] = []

    def ttl() -> float:
        asked.append(1)
        return 120

    discover(CORP, lambda: token, ttl=ttl)
    data = json.loads(Path(discovery_path(CORP)).read_text())
    fetched = datetime.fromisoformat(data["fetchedAt"].replace("Z", "+00:00"))
    expires = datetime.fromisoformat(data["expiresAt"].replace("Z", "+00:00"))
    assert expires - fetched == timedelta(seconds=120)
    assert discover(CORP, lambda: token, ttl=ttl).from_cache
    assert asked == [1]


def test_an_expired_cache_is_fetched_again(fake: FakeSso, token: str) -> None:
    discover(CORP, lambda: token)
    path = Path(discovery_path(CORP))
    data = json.loads(path.read_text())
    data["expiresAt"] = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))
    assert read_cached(CORP) is None
    assert read_cached(CORP, any_age=True) is not None
    fake.reset_calls()
    assert not discover(CORP, lambda: token).from_cache
    assert fake.count("ListAccounts") == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(startUrl="https://other/start"),
        lambda d: d.update(version=99),
        lambda d: d.update(accounts="nope"),
        lambda d: d.update(fetchedAt=(datetime.now(UTC) + timedelta(hours=2)).isoformat()),
    ],
    ids=["other-start-url", "other-version", "corrupt", "from-the-future"],
)
def test_a_cache_that_does_not_fit_is_not_used(fake: FakeSso, token: str, change: object) -> None:
    discover(CORP, lambda: token)
    path = Path(discovery_path(CORP))
    data = json.loads(path.read_text())
    change(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))
    assert read_cached(CORP) is None


def test_forget(fake: FakeSso, token: str) -> None:
    discover(CORP, lambda: token)
    assert discovery.forget(CORP)
    assert not os.path.exists(discovery_path(CORP))
    assert not discovery.forget(CORP)


def test_reading_the_cache_loads_no_boto3(fake: FakeSso, token: str) -> None:
    discover(CORP, lambda: token)
    probe = (
        "import sys\n"
        "from rolecall.core.sso.discovery import read_cached\n"
        "from rolecall.core.sso.session import SsoSession\n"
        f"d = read_cached(SsoSession({h.SESSION!r}, {h.START_URL!r}, {h.REGION!r}))\n"
        "print(len(d.roles), 'botocore' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["3", "False"]
