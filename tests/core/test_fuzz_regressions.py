"""Every input the config fuzzer ever failed on, checked again.

``tests/fuzz_regressions/`` holds one directory per failing input found by
``scripts/fuzz_config.py`` (``config``, ``credentials``, ``expect`` and a
``note`` with the seed, the index, the kind of failure and its detail), the
same layout as ``tests/core/corpus``.  Each case goes through the fuzzer's
oracle (``fuzz_check.check_pair``): no exception escapes rolecall, the files
render back to their bytes, the values equal botocore's (the emulated
``full_config`` is also checked against a real ``botocore.session.Session``),
and no profile that botocore's credential providers refuse is free of problems.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.core.fuzz_check import (
    REGRESSIONS,
    botocore_expect,
    botocore_refusal,
    check_pair,
    read_case,
)

from rolecall.core.profiles import load_profiles

CASES = sorted(p for p in REGRESSIONS.iterdir() if p.is_dir()) if REGRESSIONS.is_dir() else []


def test_regression_corpus_exists() -> None:
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_fuzz_regression(case: Path, tmp_path: Path) -> None:
    config, credentials = read_case(case)
    expect = (case / "expect").read_text().strip()
    assert expect == botocore_expect(config, credentials, tmp_path), "botocore changed its mind"
    verdict = check_pair(config, credentials, tmp_path, session=True)
    assert verdict.refused == (expect == "refused")


# -- the bugs behind them, one small case each ------------------------------------

ARN = "arn:aws:iam::123456789012:role/Admin"
KEYS = "aws_access_key_id = AKIAX\naws_secret_access_key = secret\n"

BUGS = [
    # (id, config, credentials, profile, what rolecall now says)
    ("empty-credential-process", "[profile p]\ncredential_process =\n", None, "p", "is empty"),
    (
        "unclosed-quote-in-credential-process",
        "[profile p]\ncredential_process = tool 'x\n",
        None,
        "p",
        "not a valid command line: No closing quotation",
    ),
    (
        "nested-credential-process",
        "[profile p]\ncredential_process =\n  a = b\n",
        None,
        "p",
        "credential_process is a nested block",
    ),
    (
        "nested-sso-session",
        "[profile p]\nsso_session =\n  a = b\nsso_account_id = 1\nsso_role_name = r\n"
        "sso_start_url = u\nsso_region = eu-west-1\n",
        None,
        "p",
        "sso_session is a nested block",
    ),
    (
        "web-identity-without-role-arn",
        "[profile p]\nweb_identity_token_file = /tmp/token\n",
        None,
        "p",
        "web_identity_token_file is set without role_arn",
    ),
    (
        "web-identity-source-with-empty-role-arn",
        f"[profile p]\nrole_arn = {ARN}\nsource_profile = s\n"
        "[profile s]\nrole_arn =\nweb_identity_token_file = /t\n" + KEYS,
        None,
        "p",
        "s: role_arn is empty, and web_identity_token_file needs it",
    ),
    (
        "self-source-with-only-a-secret",
        f"[profile p]\nrole_arn = {ARN}\nsource_profile = p\naws_secret_access_key = s\n",
        None,
        "p",
        "p: aws_secret_access_key is set without aws_access_key_id",
    ),
    (
        "partial-keys-beside-an-sso-session",
        "[profile p]\nsso_session = corp\naws_access_key_id = AKIAX\n"
        "[sso-session corp]\nsso_start_url = u\nsso_region = eu-west-1\n",
        None,
        "p",
        "aws_access_key_id is set without aws_secret_access_key",
    ),
    (
        "keys-split-across-files",
        "[profile p]\naws_access_key_id = AKIAX\n",
        "[p]\naws_secret_access_key = secret\n",
        "p",
        "aws_access_key_id is in the config file without aws_secret_access_key",
    ),
    (
        "keys-split-across-files-credentials-side",
        "[profile p]\n" + KEYS,
        "[p]\naws_access_key_id = AKIAY\n",
        "p",
        "aws_access_key_id is in the credentials file without aws_secret_access_key",
    ),
    (
        "empty-web-identity-falls-through-to-keys",
        f"[profile p]\nrole_arn = {ARN}\nweb_identity_token_file =\naws_access_key_id = AKIAX\n",
        None,
        "p",
        "aws_access_key_id is set without aws_secret_access_key",
    ),
    (
        "incomplete-sso-in-a-static-source",
        f"[profile p]\nrole_arn = {ARN}\nsource_profile = s\n"
        "[profile s]\nsso_account_id = 1\n" + KEYS,
        None,
        "p",
        "s: SSO profile is missing sso_start_url, sso_region, sso_role_name",
    ),
    (
        "sso-value-differs-from-its-session",
        "[profile p]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n"
        "sso_region = us-east-1\n"
        "[sso-session corp]\nsso_start_url = u\nsso_region = eu-west-1\n",
        None,
        "p",
        "sso_region is 'us-east-1' in the profile but 'eu-west-1' in sso-session 'corp'",
    ),
]


@pytest.mark.parametrize(
    ("config", "credentials", "name", "fragment"),
    [bug[1:] for bug in BUGS],
    ids=[bug[0] for bug in BUGS],
)
def test_bug_found_by_fuzzing(
    config: str, credentials: str | None, name: str, fragment: str, tmp_path: Path
) -> None:
    cfg = config.encode()
    cred = None if credentials is None else credentials.encode()
    # botocore refuses this profile's credentials (without a network call or a process)...
    assert botocore_refusal(cfg, cred, tmp_path, name) is not None
    # ...and rolecall says why, without crashing
    check_pair(cfg, cred, tmp_path, session=True)
    ps = load_profiles(str(tmp_path / "config"), str(tmp_path / "credentials"))
    assert any(fragment in p for p in ps[name].problems), ps[name].problems
