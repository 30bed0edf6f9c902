"""``rolecall console`` as a whole process: moto's STS, a local fake federation endpoint
(``ROLECALL_FEDERATION_URL``) and a fake browser (``$BROWSER``, a script that records
the URL to a 0600 file).  The link is a credential: only ``--print`` writes it, and
nothing else on any output holds it or the session's keys."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.cli.no_terminal import rolecall
from tests.federation_fake import FederationFake, fake_browser, run_federation, urls_opened
from tests.moto_fixtures import StsProxy, write_aws_files

from rolecall.core.cache import entries
from rolecall.core.cache import keys as cache_keys
from rolecall.core.profiles import load_profiles

USER_KEY = "AKIAROLECALLCONSOLE2"
USER_SECRET = "rolecallCLIconsoleSECRET/0000000000000000"
CONFIG = f"""\
[profile user]
aws_access_key_id = {USER_KEY}
aws_secret_access_key = {USER_SECRET}

[profile dev]
role_arn = arn:aws:iam::318457902611:role/Developer
source_profile = user
region = eu-west-1

[profile prod-admin]
role_arn = arn:aws:iam::736190452278:role/Admin
source_profile = user
region = us-east-1
"""


@pytest.fixture
def federation(monkeypatch: pytest.MonkeyPatch) -> Iterator[FederationFake]:
    yield from run_federation(monkeypatch)


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The record file of a fake ``$BROWSER`` (it does not exist until a URL is opened)."""
    script, record = fake_browser(tmp_path)
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return record


@pytest.fixture
def console_home(isolated_env: Path, sts_endpoint: str) -> Path:
    write_aws_files(isolated_env, CONFIG)
    settings = Path(os.environ["ROLECALL_CONFIG_DIR"]) / "config.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text('guard = ["*prod*"]\n')
    return isolated_env


def secrets_of(name: str) -> list[str]:
    """The cached role credentials of ``name`` (what the link signs in with)."""
    entry = entries.read_entry(cache_keys.cache_key_for(load_profiles()[name]) or "")
    assert entry is not None
    return [entry.secret_access_key, entry.session_token or "", USER_SECRET]


def test_print_writes_only_the_link(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake, browser: Path
) -> None:
    proc = rolecall("console", "dev", "--print", "--destination", "cloudwatch")
    assert proc.returncode == 0, proc.stderr
    url = proc.stdout.strip()
    assert proc.stdout == url + "\n"
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query == {
        "Action": "login",
        "Issuer": "rolecall",
        "Destination": "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1",
        "SigninToken": federation.tokens[0],
    }
    assert urls_opened(browser) == []  # --print opens no browser
    # stderr says who the link signs in as, never the link, the token or the keys
    assert "318457902611" in proc.stderr and "keep it secret" in proc.stderr
    for secret in [*secrets_of("dev"), federation.tokens[0], url]:
        assert secret not in proc.stderr
    # the Session sent was the role's
    (request,) = federation.signin_requests()
    assert request.session is not None
    assert request.session["sessionKey"] == secrets_of("dev")[0]


def test_the_browser_gets_the_link_and_nothing_prints_it(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake, browser: Path
) -> None:
    proc = rolecall("console", "dev", "--duration", "7200")
    assert proc.returncode == 0, proc.stderr
    (url,) = urls_opened(browser)
    assert url.startswith(federation.url + "?Action=login&Issuer=rolecall&")
    assert federation.tokens[0] in url
    assert proc.stdout == ""
    assert proc.stderr.startswith("rolecall: opened the AWS console in your browser")
    for secret in [*secrets_of("dev"), federation.tokens[0]]:
        assert secret not in proc.stderr
    assert federation.signin_requests()[0].params["SessionDuration"] == "7200"


def test_no_browser_is_one_line_and_no_link(
    console_home: Path,
    sts_proxy: StsProxy,
    federation: FederationFake,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BROWSER", "/bin/false")
    monkeypatch.delenv("DISPLAY", raising=False)
    # (webbrowser tries the usual browsers after $BROWSER: a PATH with none)
    empty = console_home / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    proc = rolecall("console", "dev")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == NO_BROWSER


NO_BROWSER = (
    "rolecall: no browser could be opened here (no display, or $BROWSER failed); "
    "pass --print to write the link out, or set $BROWSER\n"
)


def test_no_display_tries_no_browser(
    console_home: Path,
    sts_proxy: StsProxy,
    federation: FederationFake,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # with no display and no $BROWSER, no text browser is started in the terminal
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    proc = rolecall("console", "dev")
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", NO_BROWSER)


def test_long_term_keys_open_a_federated_console(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake, browser: Path
) -> None:
    proc = rolecall("console", "user", "--print", "--duration", "129600")
    assert proc.returncode == 0, proc.stderr
    assert sts_proxy.calls("GetFederationToken")[0].params["DurationSeconds"] == "129600"
    assert "federated-user/" in proc.stderr
    assert "SessionDuration" not in federation.signin_requests()[0].params
    assert USER_SECRET not in proc.stdout + proc.stderr


def test_guarded_profile_is_refused_without_a_terminal(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake, browser: Path
) -> None:
    proc = rolecall("console", "prod-admin")
    assert proc.returncode == 1
    assert proc.stderr == (
        "rolecall: prod-admin is a guarded profile (account 736190452278, role Admin; "
        'its name matches "*prod*"): no terminal to confirm on; pass --yes to go ahead\n'
    )
    assert sts_proxy.calls() == [] and federation.requests == [] and urls_opened(browser) == []
    proc = rolecall("console", "prod-admin", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert len(urls_opened(browser)) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--destination", "ftp://x"], "--destination must be an https:// URL or a service name"),
        (["--duration", "99999"], "--duration 99999 is outside 900..43200 seconds"),
        (["--region", "cn-north-1"], "region cn-north-1 is not in partition aws"),
    ],
)
def test_bad_input_is_exit_2_before_any_call(
    console_home: Path,
    sts_proxy: StsProxy,
    federation: FederationFake,
    browser: Path,
    args: list[str],
    message: str,
) -> None:
    proc = rolecall("console", "dev", *args)
    assert proc.returncode == 2
    assert proc.stderr.startswith("rolecall: " + message) and proc.stderr.count("\n") == 1
    assert sts_proxy.calls() == [] and federation.requests == []


def test_endpoint_refusal_is_one_line_without_secrets(
    console_home: Path, sts_proxy: StsProxy, federation: FederationFake, browser: Path
) -> None:
    federation.refuse(400)
    proc = rolecall("console", "dev", "--print")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith(
        f"rolecall: the sign-in endpoint {federation.url} refused getSigninToken (HTTP 400)"
    )
    assert proc.stderr.count("\n") == 1
    for secret in secrets_of("dev"):
        assert secret not in proc.stderr
    assert "Session=" not in proc.stderr and urls_opened(browser) == []


def test_unknown_profile(console_home: Path, federation: FederationFake) -> None:
    proc = rolecall("console", "nope", "--print")
    assert proc.returncode == 1
    assert proc.stderr.startswith("rolecall: unknown profile 'nope'")
