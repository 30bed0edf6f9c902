"""The command line's smaller things (issue 9, section 6), as whole processes.

* a config file named by ``--config`` or ``AWS_CONFIG_FILE`` that does not exist
  is reported by every command (a missing ``~/.aws/config`` stays quiet);
* ``assume SSO --no-cache`` fetches new SSO role credentials, and an SSO
  profile's account is the one ``list`` shows; ``doctor`` reports an expired
  SSO token;
* ``env --format zsh``; a help text for every option; one "did you mean" rule;
  "replaced"; plurals; ARN errors that say which part is wrong.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.moto_fixtures import StsProxy, run_rolecall
from tests.sts_helpers import chain_profiles

from rolecall.cli.parser import build_parser
from rolecall.core.cache import keys as cache_keys

BASE_KEY = "AKIACLIDETAILS000001"
BASE_SECRET = "cliDETAILSsecret/00000000000000000000000"
SSO_ACCOUNT = "143256789014"

CONFIG = (
    chain_profiles(BASE_KEY, BASE_SECRET)
    + f"""
[profile dev]
role_arn = arn:aws:iam::111111111111:role/Dev
source_profile = base

[profile prod-admin]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = base

[profile prod-readonly]
role_arn = arn:aws:iam::222222222222:role/ReadOnly
source_profile = base

[profile sso]
sso_session = corp
sso_account_id = {SSO_ACCOUNT}
sso_role_name = PowerUserAccess
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
"""
)


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    return CONFIG


def one_line(proc: object, code: int) -> str:
    rc, out, err = proc.returncode, proc.stdout, proc.stderr  # type: ignore[attr-defined]
    assert rc == code, (rc, out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("rolecall: "), err
    assert "Traceback" not in err
    return str(lines[0])


# ---------------------------------------------------------------------------
# a config file named explicitly that does not exist
# ---------------------------------------------------------------------------
READING = [
    ["list"],
    ["list", "--json"],
    ["assume", "a"],
    ["env", "a"],
    ["exec", "a", "--", "true"],
    ["shell", "a"],
    ["credential-process", "a"],
    ["profile", "remove", "a"],
    [],  # the terminal UI: refused before it starts
]


@pytest.mark.parametrize("how", ["flag", "variable"])
@pytest.mark.parametrize("argv", READING, ids=lambda a: " ".join(a) or "tui")
def test_a_named_config_that_does_not_exist_is_refused(
    home: Path, how: str, argv: list[str], tmp_path: Path
) -> None:
    missing = tmp_path / "no" / "such" / "config"
    env = dict(os.environ)
    words = list(argv)
    if how == "flag":
        words = ["--config", str(missing), *words]
    else:
        env["AWS_CONFIG_FILE"] = str(missing)
    line = one_line(run_rolecall(*words, env=env), 2)
    who = "--config" if how == "flag" else "AWS_CONFIG_FILE"
    assert line == f"rolecall: config file {missing} (named by {who}) does not exist"
    assert not missing.exists()


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_doctor_reports_a_named_config_that_does_not_exist(
    home: Path, how: str, tmp_path: Path
) -> None:
    missing = tmp_path / "typo"
    env = dict(os.environ)
    words = ["doctor"]
    if how == "flag":
        words += ["--config", str(missing)]
    else:
        env["AWS_CONFIG_FILE"] = str(missing)
    proc = run_rolecall(*words, env=env)
    assert proc.returncode == 1, proc.stdout
    assert f"problem  the config file {missing} (named by " in proc.stdout
    assert "no problems in the config" not in proc.stdout


def test_profile_add_creates_a_named_config_and_says_so(home: Path, tmp_path: Path) -> None:
    new = tmp_path / "new-config"
    argv = ["profile", "add", "x", "--role-arn", "arn:aws:iam::123456789012:role/X"]
    proc = run_rolecall(*argv, "--credential-source", "Environment", "--config", str(new))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"added profile x to {new} (a new file)\n"
    assert new.is_file()


def test_a_missing_default_config_stays_quiet(isolated_env: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AWS_CONFIG_FILE"}
    assert not (isolated_env / ".aws" / "config").exists()
    proc = run_rolecall("list", "--json", env=env)
    assert proc.returncode == 0 and "does not exist" not in proc.stderr
    # AWS_CONFIG_FILE naming the default path is the default path
    env["AWS_CONFIG_FILE"] = str(isolated_env / ".aws" / "config")
    assert run_rolecall("list", "--json", env=env).returncode == 0
    # and an empty AWS_CONFIG_FILE is botocore's "no config file"
    env["AWS_CONFIG_FILE"] = ""
    assert run_rolecall("list", "--json", env=env).returncode == 0
    doctor = run_rolecall("doctor", env=env)
    assert "does not exist" not in doctor.stdout


# ---------------------------------------------------------------------------
# the options
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["zsh", "bash"])
@pytest.mark.parametrize("extra", [[], ["--no-cache"]], ids=["quick", "argparse"])
def test_env_accepts_the_shells_the_help_names(
    home: Path, sts_proxy: StsProxy, fmt: str, extra: list[str]
) -> None:
    proc = run_rolecall("env", "a", "--format", fmt, *extra)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("export AWS_ACCESS_KEY_ID='ASIA")
    helptext = run_rolecall("env", "--help").stdout
    assert "zsh" in helptext and "bash" in helptext


def _actions(parser: argparse.ArgumentParser, path: str = "") -> Iterator[tuple[str, object]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _actions(sub, f"{path} {name}".strip())
        elif not isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            yield f"{path} {action.option_strings or action.dest}", action.help


def test_every_option_of_every_command_has_a_help_text() -> None:
    missing = [where for where, text in _actions(build_parser()) if not text]
    assert missing == []
    options = {where for where, _ in _actions(build_parser())}
    for flag in ("--role-arn", "--region", "--mfa-serial", "--external-id", "--duration-seconds"):
        assert f"profile add ['{flag}']" in options


# ---------------------------------------------------------------------------
# one suggestion rule
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "meant"),
    [
        (["env", "prod"], "prod-admin"),
        (["assume", "prod"], "prod-admin"),
        (["exec", "prod", "--", "true"], "prod-admin"),
        (["credential-process", "prod"], "prod-admin"),
        (["assume", "dve"], "dev"),
        (["env", "dve"], "dev"),
        (["env", "readonly"], "prod-readonly"),
        (["env", "DEV"], "dev"),
        (["profile", "remove", "prod"], "prod-admin"),
        (
            [
                "profile",
                "add",
                "x",
                "--role-arn",
                "arn:aws:iam::123456789012:role/X",
                "--source-profile",
                "prd-admin",
            ],
            "prod-admin",
        ),
    ],
)
def test_one_suggestion_rule_everywhere(home: Path, argv: list[str], meant: str) -> None:
    assert f"did you mean {meant!r}?" in one_line(run_rolecall(*argv), 1)


def test_doctor_suggests_for_aws_profile(home: Path) -> None:
    proc = run_rolecall("doctor", env=dict(os.environ, AWS_PROFILE="prod"))
    assert "AWS_PROFILE=prod names a profile that does not exist" in proc.stdout
    assert "did you mean 'prod-admin'?" in proc.stdout


# ---------------------------------------------------------------------------
# wording
# ---------------------------------------------------------------------------
def test_profile_add_force_says_replaced(home: Path) -> None:
    argv = ["profile", "add", "dev", "--role-arn", "arn:aws:iam::111111111111:role/Dev2"]
    refused = run_rolecall(*argv, "--source-profile", "base")
    assert "already exists" in one_line(refused, 1)
    proc = run_rolecall(*argv, "--source-profile", "base", "--force")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"replaced profile dev in {home / '.aws' / 'config'}\n"
    added = run_rolecall(*argv[:2], "new", *argv[3:], "--source-profile", "base")
    assert added.stdout == f"added profile new to {home / '.aws' / 'config'}\n"


def test_doctor_counts_in_words(isolated_env: Path, tmp_path: Path) -> None:
    config = tmp_path / "one"
    config.write_text("[profile only]\nregion = eu-west-1\n")
    config.chmod(0o600)
    proc = run_rolecall("doctor", "--config", str(config))
    assert "ok       1 profile, no problems in the config" in proc.stdout, proc.stdout
    config.write_text("[profile only]\nregion = EU\n")
    proc = run_rolecall("doctor", "--config", str(config))
    assert proc.returncode == 1
    assert proc.stderr == "rolecall: doctor found 1 problem\n"


def test_list_counts_the_other_problems_in_words(isolated_env: Path, tmp_path: Path) -> None:
    config = tmp_path / "dups"
    config.write_text("[a]\nx = 1\n[a]\nx = 2\n[b]\ny = 1\n[b]\ny = 2\n")
    proc = run_rolecall("list", "--config", str(config))
    assert "; and 1 more problem: `rolecall list --json`" in proc.stderr


# ---------------------------------------------------------------------------
# ARN errors say which part is wrong
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("arn", "why"),
    [
        (
            "arn:aws:iam::12345678901:role/Admin",
            "the account ID '12345678901' has 11 digits, not 12",
        ),
        ("arn:aws:iam:123456789012:role/Admin", "'::' is missing after 'iam'"),
        ("arn:aws:iam::123456789012:user/Admin", "the resource 'user/Admin' is not role/NAME"),
        ("arn:aws:sts::123456789012:role/Admin", "the service is 'sts', not 'iam'"),
    ],
)
def test_arn_errors_name_the_wrong_part(home: Path, arn: str, why: str) -> None:
    argv = ["profile", "add", "x", "--role-arn", arn, "--source-profile", "base"]
    assert why in one_line(run_rolecall(*argv), 1)
    config = home / ".aws" / "config"
    config.write_text(
        config.read_text() + f"\n[profile bad]\nrole_arn = {arn}\nsource_profile = base\n"
    )
    listed = json.loads(run_rolecall("list", "--json").stdout)
    problems = {p["name"]: p["problems"] for p in listed["profiles"]}["bad"]
    assert any(why in p for p in problems), problems


# ---------------------------------------------------------------------------
# SSO: --no-cache, the account, an expired token
# ---------------------------------------------------------------------------
def _sso_token(home: Path, expires: datetime, **extra: str) -> Path:
    from rolecall.demo.sample import SSO_ACCESS_TOKEN

    sso = home / ".aws" / "sso" / "cache"
    sso.mkdir(parents=True, exist_ok=True)
    path = sso / f"{hashlib.sha1(b'corp').hexdigest()}.json"
    path.write_text(
        json.dumps(
            {
                "startUrl": "https://corp.awsapps.com/start",
                "region": "eu-west-1",
                "accessToken": SSO_ACCESS_TOKEN,
                "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                **extra,
            }
        )
    )
    return path


@pytest.fixture
def sso_portal(home: Path, sts_endpoint: str) -> Iterator[dict[str, str]]:
    """The demo's IAM Identity Center stand-in, issuing keys from moto's STS."""
    from rolecall.demo.sso_portal import SsoPortal

    portal = SsoPortal(sts_endpoint, str(home / ".aws" / "credentials"))
    portal.start()
    try:
        yield dict(os.environ, AWS_ENDPOINT_URL_SSO=portal.endpoint)
    finally:
        portal.stop()


def _plant_sso_role_credentials() -> None:
    """What the AWS CLI caches for the SSO profile (botocore's SSO cache key)."""
    args = json.dumps(
        {"accountId": SSO_ACCOUNT, "roleName": "PowerUserAccess", "sessionName": "corp"},
        sort_keys=True,
        separators=(",", ":"),
    )
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    directory = Path(cache_keys.cli_cache_dir())
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{hashlib.sha1(args.encode()).hexdigest()}.json").write_text(
        json.dumps(
            {
                "ProviderType": "sso",
                "Credentials": {
                    "AccessKeyId": "ASIAPLANTEDSSO000001",
                    "SecretAccessKey": "plantedSECRET",
                    "SessionToken": "plantedTOKEN",
                    "Expiration": later,
                    "AccountId": SSO_ACCOUNT,  # (botocore writes it; an entry without is a miss)
                },
            }
        )
    )


def test_assume_sso_no_cache_fetches_new_role_credentials(
    home: Path, sso_portal: dict[str, str]
) -> None:
    _sso_token(home, datetime.now(UTC) + timedelta(hours=4))
    _plant_sso_role_credentials()
    cached = json.loads(run_rolecall("env", "sso", "--format", "json", env=sso_portal).stdout)
    assert cached["AWS_ACCESS_KEY_ID"] == "ASIAPLANTEDSSO000001"
    proc = run_rolecall("env", "sso", "--format", "json", "--no-cache", env=sso_portal)
    assert proc.returncode == 0, proc.stderr
    fresh = json.loads(proc.stdout)["AWS_ACCESS_KEY_ID"]
    assert fresh.startswith("ASIA") and fresh != "ASIAPLANTEDSSO000001"
    # the new credentials were cached for the next time, as with a role
    again = json.loads(run_rolecall("env", "sso", "--format", "json", env=sso_portal).stdout)
    assert again["AWS_ACCESS_KEY_ID"] == fresh


def test_an_sso_profiles_account_is_the_one_list_shows(
    home: Path, sso_portal: dict[str, str]
) -> None:
    _sso_token(home, datetime.now(UTC) + timedelta(hours=4))
    listed = json.loads(run_rolecall("list", "--json").stdout)
    account = {p["name"]: p["account_id"] for p in listed["profiles"]}["sso"]
    assert account == SSO_ACCOUNT
    assumed = json.loads(run_rolecall("assume", "sso", "--json", env=sso_portal).stdout)
    assert assumed["account_id"] == SSO_ACCOUNT
    text = run_rolecall("assume", "sso", env=sso_portal).stdout
    assert f"account  {SSO_ACCOUNT}\n" in text


def test_doctor_reports_an_expired_sso_token(home: Path) -> None:
    proc = run_rolecall("doctor")
    assert "warn     no SSO token for sso-session corp; run `aws sso login" in proc.stdout
    _sso_token(home, datetime.now(UTC) - timedelta(hours=2))
    proc = run_rolecall("doctor")
    line = next(x for x in proc.stdout.splitlines() if "SSO token" in x)
    assert line.startswith("warn     the SSO token for sso-session corp expired at ")
    assert line.endswith("; run `aws sso login --sso-session corp`")
    # a token botocore refreshes by itself is not reported
    later = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    _sso_token(
        home,
        datetime.now(UTC) - timedelta(hours=2),
        refreshToken="r",
        clientId="c",
        clientSecret="s",
        registrationExpiresAt=later,
    )
    assert "SSO token" not in run_rolecall("doctor").stdout
    _sso_token(home, datetime.now(UTC) + timedelta(hours=4))
    assert "SSO token" not in run_rolecall("doctor").stdout
