"""Where STS is called (botocore's order of endpoint settings) and what the session
is called."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tests.core.sts.helpers import add_config, run
from tests.moto_fixtures import StsProxy
from tests.sts_helpers import A

from rolecall.core import sts
from rolecall.core.profiles import load_profiles


def test_endpoint_precedence(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = isolated_env / ".aws" / "config"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(
        textwrap.dedent(
            """\
            [profile p]
            endpoint_url = http://profile
            services = local

            [services local]
            sts =
              endpoint_url = http://services

            [profile q]
            endpoint_url = http://profile-q
            ignore_configured_endpoint_urls = true
            """
        )
    )
    profiles = load_profiles()
    p, q = profiles["p"], profiles["q"]
    assert sts.sts_endpoint_url(profiles, p) == "http://services"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://env-global")
    assert sts.sts_endpoint_url(profiles, p) == "http://env-global"
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://env-sts")
    assert sts.sts_endpoint_url(profiles, p) == "http://env-sts"
    assert sts.sts_endpoint_url(profiles, q) is None
    monkeypatch.delenv("AWS_ENDPOINT_URL_STS")
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")
    assert sts.sts_endpoint_url(profiles, q) == "http://profile-q"


def test_profile_endpoint_url_reaches_moto(
    chain_home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL_STS")
    add_config(
        chain_home,
        f"""\
        [profile via-profile]
        role_arn = {A}
        source_profile = base
        endpoint_url = {sts_proxy.url}
        region = ap-southeast-2
        """,
    )
    result, _ = run("via-profile")
    assert sts_proxy.count("AssumeRole") == 1
    assert "ap-southeast-2" in sts_proxy.calls("AssumeRole")[0].authorization
    assert result.region == "ap-southeast-2"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice", "alice"),
        ("José Smith", "Jose-Smith"),
        ("a", "rolecall-a"),
        ("", "rolecall"),
        ("DOMAIN\\user", "DOMAIN-user"),
        ("x" * 80, "x" * 64),
        ("ok+=,.@-_", "ok+=,.@-_"),
    ],
)
def test_sanitize_session_name(raw: str, expected: str) -> None:
    assert sts.sanitize_session_name(raw) == expected
