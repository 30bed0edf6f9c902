"""The endpoint's keeper: the margin, refresh ahead, one refresh for many requests, failures.

The refresher is a fake (the real one is tested against moto in test_endpoint_sdk.py):
these tests count its calls and control how long they take.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from rolecall.core.serve.keeper import Held, Keeper, Refusal
from rolecall.core.sts import Credentials

MARGIN = timedelta(minutes=15)


def held(left: timedelta, lifetime: timedelta = timedelta(hours=1), key: str = "ASIA1") -> Held:
    now = datetime.now(UTC)
    expiration = now + left
    return Held(
        Credentials(key, "secret-" + key, "token-" + key, expiration),
        "123456789012",
        expiration - lifetime,
    )


class FakeRefresher:
    """Counts calls; ``assume`` sleeps ``delay`` then returns ``next`` (or raises ``fail``)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.assumes = 0
        self.cache: Held | None = None
        self.fail: Exception | None = None
        self.lock = threading.Lock()
        self.started = threading.Event()

    def cached(self) -> Held | None:
        return self.cache

    def assume(self) -> Held:
        with self.lock:
            self.assumes += 1
            n = self.assumes
        self.started.set()
        time.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return held(timedelta(hours=1), key=f"ASIANEW{n}")


@pytest.fixture
def stop_all() -> Iterator[list[Keeper]]:
    keepers: list[Keeper] = []
    yield keepers
    for k in keepers:
        k.stop()


def make(refresher: FakeRefresher, keepers: list[Keeper], **kw: object) -> Keeper:
    keeper = Keeper(refresher, **kw)  # type: ignore[arg-type]
    keeper.start()
    keepers.append(keeper)
    return keeper


def test_fresh_credentials_are_served_from_memory(stop_all: list[Keeper]) -> None:
    ref = FakeRefresher()
    keeper = make(ref, stop_all, initial=held(timedelta(minutes=50)))
    answer = keeper.answer()
    assert isinstance(answer, Held) and answer.credentials.access_key_id == "ASIA1"
    time.sleep(0.1)
    assert ref.assumes == 0


def test_fifty_requests_on_a_cold_keeper_share_one_refresh(stop_all: list[Keeper]) -> None:
    ref = FakeRefresher(delay=0.3)
    keeper = make(ref, stop_all)
    answers: list[Held | Refusal] = []
    barrier = threading.Barrier(50)

    def client() -> None:
        barrier.wait()
        answers.append(keeper.answer())

    threads = [threading.Thread(target=client) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ref.assumes == 1
    assert keeper.refreshes == 1
    keys = {a.credentials.access_key_id for a in answers if isinstance(a, Held)}
    assert keys == {"ASIANEW1"} and len(answers) == 50


def test_less_than_the_margin_left_is_refreshed_before_answering(stop_all: list[Keeper]) -> None:
    ref = FakeRefresher()
    keeper = make(ref, stop_all, initial=held(timedelta(minutes=14)))
    answer = keeper.answer()
    assert isinstance(answer, Held)
    assert answer.credentials.access_key_id == "ASIANEW1"
    assert answer.expiration is not None
    assert answer.expiration - datetime.now(UTC) >= MARGIN


def test_refresh_ahead_never_makes_a_request_wait(stop_all: list[Keeper]) -> None:
    # 19 minutes left: above the margin (15), inside the refresh-ahead window (15 + 5)
    ref = FakeRefresher(delay=0.5)
    keeper = make(ref, stop_all, initial=held(timedelta(minutes=19)))
    assert ref.started.wait(2), "the background refresh did not start"
    t0 = time.perf_counter()
    answer = keeper.answer()
    waited = time.perf_counter() - t0
    assert isinstance(answer, Held) and answer.credentials.access_key_id == "ASIA1"
    assert waited < 0.25, f"a request waited {waited:.3f} s on a refresh in flight (0.5 s)"
    deadline = time.monotonic() + 3
    while keeper.refreshes == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    new = keeper.answer()
    assert isinstance(new, Held) and new.credentials.access_key_id == "ASIANEW1"
    assert ref.assumes == 1


def test_outside_the_refresh_window_nothing_is_refreshed(stop_all: list[Keeper]) -> None:
    ref = FakeRefresher()
    make(ref, stop_all, initial=held(timedelta(minutes=21)))
    time.sleep(0.3)
    assert ref.assumes == 0


def test_a_failed_refresh_is_the_answer_and_is_not_retried_at_once(
    stop_all: list[Keeper],
) -> None:
    ref = FakeRefresher()
    ref.fail = Refusal(403, "MfaRequired", "run `rolecall assume dev` in this shell")
    keeper = make(ref, stop_all, initial=held(timedelta(minutes=5)), retry_gap=30.0)
    first = keeper.answer()
    assert isinstance(first, Refusal) and first.code == "MfaRequired" and first.status == 403
    second = keeper.answer()
    assert second is first
    assert ref.assumes == 1
    assert first.body() == (
        b'{"code": "MfaRequired", "message": "run `rolecall assume dev` in this shell"}'
    )


def test_credentials_another_rolecall_cached_are_picked_up(stop_all: list[Keeper]) -> None:
    ref = FakeRefresher()
    ref.fail = Refusal(403, "MfaRequired", "needs a code")
    keeper = make(ref, stop_all, initial=held(timedelta(minutes=5)), retry_gap=30.0)
    assert isinstance(keeper.answer(), Refusal)
    # `rolecall assume X` in the shell wrote the cache: the next request serves it
    ref.cache = held(timedelta(minutes=55), key="ASIACACHED")
    answer = keeper.answer()
    assert isinstance(answer, Held) and answer.credentials.access_key_id == "ASIACACHED"
    assert ref.assumes == 1


def test_an_older_cache_entry_is_not_taken(stop_all: list[Keeper]) -> None:
    ref = FakeRefresher()
    keeper = make(ref, stop_all, initial=held(timedelta(minutes=10)))
    ref.cache = held(timedelta(minutes=9), key="ASIAOLD")
    answer = keeper.answer()
    assert isinstance(answer, Held) and answer.credentials.access_key_id == "ASIANEW1"


def test_a_slow_refresh_answers_before_botocore_gives_up(stop_all: list[Keeper]) -> None:
    ref = FakeRefresher(delay=1.5)
    keeper = make(ref, stop_all, wait=0.3)
    t0 = time.perf_counter()
    answer = keeper.answer()
    assert time.perf_counter() - t0 < 1.0
    assert isinstance(answer, Refusal)
    assert (answer.status, answer.code) == (503, "RefreshInProgress")


def test_an_unexpected_error_is_a_500_and_the_keeper_lives_on(stop_all: list[Keeper]) -> None:
    ref = FakeRefresher()
    ref.fail = RuntimeError("boom")
    keeper = make(ref, stop_all, retry_gap=0.0)
    answer = keeper.answer()
    assert isinstance(answer, Refusal) and answer.status == 500
    assert "boom" not in answer.message  # (no detail that could hold a secret)
    ref.fail = None
    answer = keeper.answer()
    # (fresh credentials from a later attempt: the keeper's own retries, retry_gap 0, may
    # have failed once more before `fail` was cleared, so the attempt's number varies)
    assert isinstance(answer, Held) and answer.credentials.access_key_id.startswith("ASIANEW")
    assert answer.credentials.access_key_id != "ASIANEW1"  # (the attempt that failed)


def test_a_short_role_keeps_half_its_lifetime() -> None:
    now = datetime.now(UTC)
    short = held(timedelta(minutes=10), lifetime=timedelta(minutes=15))
    assert short.margin(MARGIN) == timedelta(minutes=7, seconds=30)
    assert short.usable(now, MARGIN)
    assert not held(timedelta(minutes=7), lifetime=timedelta(minutes=15)).usable(now, MARGIN)
    assert not held(timedelta(minutes=14)).usable(now, MARGIN)


def test_long_term_keys_never_need_a_refresh(stop_all: list[Keeper]) -> None:
    ref = FakeRefresher()
    static = Held(Credentials("AKIASTATIC", "s", None, None), None, datetime.now(UTC))
    keeper = make(ref, stop_all, initial=static)
    answer = keeper.answer()
    assert answer is static
    doc = static.document(datetime(2026, 1, 1, tzinfo=UTC))
    assert doc == {
        "AccessKeyId": "AKIASTATIC",
        "SecretAccessKey": "s",
        "Token": "",
        "Expiration": "2026-01-01T01:00:00Z",
    }
    time.sleep(0.1)
    assert ref.assumes == 0


def test_repr_shows_no_secret() -> None:
    text = repr(held(timedelta(minutes=30)))
    assert "secret-ASIA1" not in text and "token-ASIA1" not in text
