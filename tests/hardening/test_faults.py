"""Faults between rolecall and STS (issue 5, section 2), CLI side.

A fault-injecting proxy (``tests/moto_fixtures.StsProxy``) sits on 127.0.0.1
between rolecall and moto.  For each fault, ``rolecall assume``, ``env`` and
``credential-process`` run as real processes (each with its own HOME, so that
they do not queue on one cache lock) and must:

* exit non-zero within the timeout plus the retries (measured, generously);
* print exactly one ``rolecall: ...`` line on stderr, and no traceback;
* write nothing: not to the CLI cache, not to rolecall's cache, not to the config.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hardening._util import (
    CONFIG,
    MFA,
    Run,
    assert_clean_success,
    assert_one_line_failure,
    run,
    snapshot,
)
from tests.moto_fixtures import StsProxy, refused_url
from tests.sts_helpers import B

#: ROLECALL_STS_TIMEOUT for these tests: both the connect and the read timeout.
TIMEOUT = 1.5
#: rolecall retries throttling and 5xx: 3 attempts, sleeping about 0.2-0.4 s and 0.4-0.8 s.
RETRY_SLEEP = 1.2
#: Start-up of a process that imports boto3, on a busy two-core machine, and slack.
SLACK = 8.0
#: A hang would show as the injected latency (or the test's subprocess timeout).
LATENCY = 30.0
VERBS = (("assume", "b"), ("env", "b"), ("credential-process", "b"))


def _past(body: bytes) -> bytes:
    return re.sub(
        rb"<Expiration>[^<]*</Expiration>",
        b"<Expiration>2020-01-01T00:00:00Z</Expiration>",
        body,
    )


@dataclass
class Case:
    inject: Callable[[StsProxy], None]
    expect: str  # a piece of the one error line
    bound: float  # seconds: the timeout plus the retries, with slack
    refused: bool = False


# Each fault repeats (times=100): the three verbs, and each of their retries, meet it.
CASES: dict[str, Case] = {
    "latency-beyond-timeout": Case(
        lambda p: p.delay("AssumeRole", LATENCY, times=100),
        f"did not answer within {TIMEOUT:g} s",
        TIMEOUT + SLACK,
    ),
    "connection-refused": Case(lambda p: None, "connection refused", SLACK, refused=True),
    "connection-reset-mid-response": Case(
        lambda p: p.reset_mid_response("AssumeRole", times=100),
        "the connection was closed",
        SLACK,
    ),
    "http-500": Case(
        lambda p: p.fail("AssumeRole", "InternalFailure", "boom", status=500, times=100),
        "with InternalFailure after 3 attempts",
        RETRY_SLEEP + SLACK,
    ),
    "http-503-html": Case(
        lambda p: p.respond(
            "AssumeRole", 503, b"<html><body>Service Unavailable</body></html>", "text/html", 100
        ),
        "with 503 after 3 attempts",
        RETRY_SLEEP + SLACK,
    ),
    "throttling": Case(
        lambda p: p.fail("AssumeRole", "Throttling", "Rate exceeded", times=100),
        "STS throttled AssumeRole",
        RETRY_SLEEP + SLACK,
    ),
    "malformed-xml": Case(
        lambda p: p.respond(
            "AssumeRole",
            200,
            b"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA",
            times=100,
        ),
        "cannot use (its answer is not valid XML)",
        SLACK,
    ),
    "wrong-xml-shape": Case(
        lambda p: p.respond("AssumeRole", 200, b"<AssumeRoleResponse/>", times=100),
        "response rolecall cannot use",
        SLACK,
    ),
    "no-credentials-in-answer": Case(
        lambda p: p.rewrite(
            "AssumeRole", lambda b: re.sub(rb"<SessionToken>[^<]*</SessionToken>", b"", b), 100
        ),
        "cannot use (no SessionToken)",
        SLACK,
    ),
    "expiration-in-the-past": Case(
        lambda p: p.rewrite("AssumeRole", _past, times=100),
        "that expired at 2020-01-01T00:00:00Z",
        SLACK,
    ),
    "source-expires-mid-chain": Case(
        # the first hop (a) works; STS calls its credentials expired when they sign b
        lambda p: p.fail(
            "AssumeRole",
            "ExpiredToken",
            "The security token included in the request is expired",
            times=100,
            match={"RoleArn": B},
        ),
        "the role credentials of profile 'a' have expired (ExpiredToken)",
        SLACK,
    ),
}


@pytest.fixture
def homes(
    isolated_env: Path, sts_endpoint: str, tmp_path: Path
) -> Iterator[dict[str, dict[str, str]]]:
    """One HOME (config, caches, settings) per verb, and its environment."""
    out: dict[str, dict[str, str]] = {}
    for verb, _ in VERBS:
        home = tmp_path / verb
        (home / ".aws").mkdir(parents=True)
        (home / ".aws" / "config").write_text(CONFIG)
        env = dict(os.environ)
        env.update(
            HOME=str(home),
            AWS_CONFIG_FILE=str(home / ".aws" / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
            ROLECALL_CACHE_DIR=str(home / ".cache" / "rolecall"),
            ROLECALL_CONFIG_DIR=str(home / ".config" / "rolecall"),
            ROLECALL_STS_TIMEOUT=str(TIMEOUT),
        )
        out[verb] = env
    yield out


def _state(env: dict[str, str]) -> dict[str, bytes]:
    home = Path(env["HOME"])
    return snapshot(home / ".aws", home / ".cache", home / ".config")


def _run_verbs(homes: dict[str, dict[str, str]], refused: bool) -> list[Run]:
    def one(verb: tuple[str, str]) -> Run:
        env = dict(homes[verb[0]])
        if refused:
            env["AWS_ENDPOINT_URL_STS"] = refused_url()
        return run(*verb, env=env, timeout=LATENCY + 30)

    with ThreadPoolExecutor(len(VERBS)) as pool:
        return list(pool.map(one, VERBS))


@pytest.mark.parametrize("fault", list(CASES))
def test_fault_gives_one_line_quickly_and_writes_nothing(
    fault: str, homes: dict[str, dict[str, str]], sts_proxy: StsProxy
) -> None:
    case = CASES[fault]
    before = {verb: _state(env) for verb, env in homes.items()}
    case.inject(sts_proxy)
    results = _run_verbs(homes, case.refused)
    for res in results:
        line = assert_one_line_failure(res, 1)
        assert case.expect in line, line
        assert res.stdout == "", res.stdout  # no half-printed credentials
        assert res.elapsed < case.bound, f"{res.args}: {res.elapsed:.1f} s > {case.bound} s"
        assert _state(homes[res.args[0]]) == before[res.args[0]], "something was written"
    slowest = max(res.elapsed for res in results)
    print(f"\n{fault}: slowest of {len(results)} verbs {slowest:.2f} s (bound {case.bound:g} s)")
    attempts = sts_proxy.count("AssumeRole")
    assert attempts <= 3 * 2 * len(VERBS), attempts  # at most 3 attempts per hop
    sts_proxy.reset()
    # and once the fault is gone, the same command works
    assert_clean_success(run("assume", "b", env=homes["assume"]))


def test_expired_cached_source_is_forgotten(
    homes: dict[str, dict[str, str]], sts_proxy: StsProxy
) -> None:
    """A cached hop that STS calls expired (revoked, or a wrong clock) is removed, so
    that the next run starts again from the root instead of failing until it ages out."""
    env = homes["assume"]
    assert_clean_success(run("assume", "a", env=env))
    cli_cache = Path(env["HOME"]) / ".aws" / "cli" / "cache"
    cached = sorted(p.name for p in cli_cache.iterdir())
    assert len(cached) == 1
    sts_proxy.fail(
        "AssumeRole",
        "ExpiredToken",
        "The security token included in the request is expired",
        match={"RoleArn": B},
    )
    line = assert_one_line_failure(run("assume", "b", env=env), 1)
    assert "the cached role credentials of profile 'a' have expired" in line
    assert "removed from the cache" in line
    assert sorted(p.name for p in cli_cache.iterdir()) == []
    calls = sts_proxy.count("AssumeRole")
    res = run("assume", "b", env=env)
    assert_clean_success(res)
    assert sts_proxy.count("AssumeRole") == calls + 2  # from the root again: a, then b


def test_mfa_session_faults_write_nothing_to_rolecalls_cache(
    homes: dict[str, dict[str, str]], sts_proxy: StsProxy
) -> None:
    """GetSessionToken (the MFA session, cached in rolecall's own directory) under
    the same faults: an expired answer, a malformed one, throttling."""
    env = homes["assume"]
    rolecall_cache = Path(env["ROLECALL_CACHE_DIR"])
    faults: list[tuple[Callable[[], None], str]] = [
        (lambda: sts_proxy.rewrite("GetSessionToken", _past), "that expired at 2020"),
        (
            lambda: sts_proxy.respond("GetSessionToken", 200, b"<GetSessionTokenResponse><"),
            "not valid XML",
        ),
        (
            lambda: sts_proxy.fail("GetSessionToken", "Throttling", "Rate exceeded", times=3),
            "throttled GetSessionToken",
        ),
    ]
    for inject, expect in faults:
        sts_proxy.reset()
        inject()
        before = _state(env)
        line = assert_one_line_failure(run("assume", "mfa1", "--mfa-code", "123456", env=env), 1)
        assert expect in line, line
        assert _state(env) == before
        assert not list(rolecall_cache.rglob("*.json"))
    sts_proxy.reset()
    assert_clean_success(run("assume", "mfa1", "--mfa-code", "123456", env=env))
    assert len(list(rolecall_cache.rglob("*.json"))) == 1
    assert sts_proxy.calls("GetSessionToken")[-1].params["SerialNumber"] == MFA


def test_a_fault_on_one_call_is_retried_and_then_cached_once(
    homes: dict[str, dict[str, str]], sts_proxy: StsProxy
) -> None:
    """One transient 503 or throttle is absorbed by the retries, and the chain's
    entries are written once, whole."""
    env = homes["credential-process"]
    sts_proxy.fail("AssumeRole", "ServiceUnavailable", "later", status=503, times=1)
    sts_proxy.fail("AssumeRole", "Throttling", "Rate exceeded", times=1, match={"RoleArn": B})
    res = run("credential-process", "b", env=env)
    assert_clean_success(res)
    assert sts_proxy.count("AssumeRole") == 4  # a twice, b twice
    cli_cache = Path(env["HOME"]) / ".aws" / "cli" / "cache"
    assert len(list(cli_cache.glob("*.json"))) == 2
    for path in cli_cache.iterdir():
        assert path.name.endswith(".json"), path.name
