"""``rolecall doctor`` is right about which cache files an assume uses (issue 14 §2):
an entry renamed onto another role's key, and an SSO cache others can write, are
reported as not used; an entry that names its own role is not reported."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.core.sts.helpers import CONFIG
from tests.moto_fixtures import write_aws_files
from tests.sts_helpers import A, C, assumed_arn, sso_profile

from rolecall.core.cache import keys
from rolecall.core.cache_permissions import binding_problems
from rolecall.core.doctor import PROBLEM, run_checks
from rolecall.core.profiles import load_profiles


def _entry(role_arn: str) -> dict[str, object]:
    return {
        "Credentials": {
            "AccessKeyId": "ASIADOCTORDOCTOR0001",
            "SecretAccessKey": "doctorSECRET",
            "SessionToken": "doctorTOKEN",
            "Expiration": "2099-01-01T00:00:00Z",
        },
        "AssumedRoleUser": {"Arn": assumed_arn(role_arn)},
    }


def _plant(role_key: str, role_arn: str) -> Path:
    directory = Path(keys.cli_cache_dir())
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    path = directory / f"{role_key}.json"
    path.write_text(json.dumps(_entry(role_arn)))
    path.chmod(0o600)
    return path


def test_doctor_reports_an_entry_renamed_onto_another_roles_key(isolated_env: Path) -> None:
    write_aws_files(isolated_env, CONFIG)
    own = _plant(keys.cache_key(C), C)
    renamed = _plant(keys.cache_key(A), C)  # prod's answer under a's key
    found = binding_problems(load_profiles())
    assert [path for path, _, _ in found] == [str(renamed)]
    [(_, problem, hint)] = found
    assert "profile a" in problem and "does not use it" in problem
    assert "rolecall assume a" in hint
    lines = [f.line() for f in run_checks() if f.level == PROBLEM]
    assert any(str(renamed) in line for line in lines), lines
    assert not any(str(own) in line for line in lines), lines


def test_doctor_reports_an_sso_cache_others_can_write(isolated_env: Path) -> None:
    write_aws_files(isolated_env, CONFIG)
    sso = Path(keys.sso_cache_dir())
    sso.mkdir(parents=True)
    os.chmod(sso, 0o777)
    lines = [f.line() for f in run_checks() if f.level == PROBLEM]
    assert any(str(sso) in line and "neither reads nor writes it" in line for line in lines), lines
    os.chmod(sso, 0o700)
    lines = [f.line() for f in run_checks() if f.level == PROBLEM]
    assert not any(str(sso) in line for line in lines), lines


def _sso_token(start_url: str) -> Path:
    path = Path(keys.sso_cache_dir()) / f"{keys.sha1_hex(b'corp')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    token = {"startUrl": start_url, "accessToken": "tok", "expiresAt": "2099-01-01T00:00:00Z"}
    path.write_text(json.dumps(token))
    path.chmod(0o600)
    return path


def test_doctor_says_an_sso_token_of_another_portal_is_not_used(isolated_env: Path) -> None:
    """The SSO provider refuses a token whose startUrl is another portal's (planted or
    renamed onto the session's key); doctor said the session was logged in."""
    write_aws_files(isolated_env, CONFIG + "\n" + sso_profile("dev"))
    path = _sso_token("https://other.awsapps.com/start")
    lines = [f.line() for f in run_checks() if f.level == PROBLEM]
    assert any(str(path) in line and "does not use it" in line for line in lines), lines
    _sso_token("https://corp.awsapps.com/start")
    lines = [f.line() for f in run_checks()]
    assert not any(str(path) in line for line in lines), lines
