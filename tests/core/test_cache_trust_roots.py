"""The caches botocore's providers read for a chain's root (SSO, web identity) go
through rolecall's trusted reader and writer (issue 14 §2).

botocore's own ``JSONFileCache`` reads with a plain ``open()``: a planted token or
entry (a symlink to someone else's file, a FIFO, another role's entry renamed onto
the key) was used with no warning.  rolecall now hands the providers a cache of its
own: the same directory checks, the same file checks, and the entry must be bound
to what the profile asks for (the portal of an SSO token, the account of SSO role
credentials, the role of a web-identity entry).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.core.sts.helpers import CONFIG, add_config, fail, run, signing_key
from tests.moto_fixtures import StsProxy, refused_url, write_aws_files
from tests.sts_helpers import assumed_arn, sso_profile

from rolecall.core.cache import binding, keys, trust

START_URL = "https://corp.awsapps.com/start"
ON_SSO = """
[profile on-sso]
role_arn = arn:aws:iam::666666666666:role/OnSso
source_profile = sso
"""
WEB_ROLE = "arn:aws:iam::888888888888:role/WebId"


@pytest.fixture
def chain_home(isolated_env: Path, sts_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The STS engine tests' config, with an SSO profile; the SSO portal is a closed port
    (a call there fails at once: only what the caches hold can succeed)."""
    write_aws_files(isolated_env, CONFIG)
    add_config(isolated_env, sso_profile("sso") + ON_SSO)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", refused_url())
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", refused_url())
    return isolated_env


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    saved = list(trust.warnings_seen)
    trust.warnings_seen.clear()
    yield
    trust.warnings_seen[:] = saved


def _later(hours: float = 2) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _token_path() -> Path:
    return Path(keys.sso_cache_dir()) / f"{hashlib.sha1(b'corp').hexdigest()}.json"


def _token(start_url: str = START_URL) -> dict[str, Any]:
    return {
        "startUrl": start_url,
        "region": "eu-west-1",
        "accessToken": "token",
        "expiresAt": _later(),
    }


def _role_creds_path() -> Path:
    args = json.dumps(
        {"accountId": "123456789012", "roleName": "Dev", "sessionName": "corp"},
        sort_keys=True,
        separators=(",", ":"),
    )
    key = hashlib.sha1(args.encode()).hexdigest()
    return Path(keys.cli_cache_dir()) / f"{key}.json"


def _role_creds(
    account: str | None = "123456789012", key_id: str = "ASIASSOROLECALL00001"
) -> dict[str, Any]:
    creds: dict[str, Any] = {
        "AccessKeyId": key_id,
        "SecretAccessKey": "ssoSECRET",
        "SessionToken": "ssoTOKEN",
        "Expiration": _later(),
    }
    if account is not None:
        creds["AccountId"] = account
    return {"ProviderType": "sso", "Credentials": creds}


def _write(path: Path, document: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


# ---------------------------------------------------------------------------
# SSO
# ---------------------------------------------------------------------------
def test_sso_root_from_trusted_caches(chain_home: Path, sts_proxy: StsProxy) -> None:
    """The good case still works: the token and the role credentials the CLI cached."""
    _write(_token_path(), _token())
    _write(_role_creds_path(), _role_creds())
    run("on-sso")
    assert signing_key(sts_proxy, "AssumeRole") == "ASIASSOROLECALL00001"
    assert trust.warnings_seen == []


def test_a_symlinked_sso_token_is_not_used(chain_home: Path, sts_proxy: StsProxy) -> None:
    """The attack: the token file is a link to a file someone else controls."""
    elsewhere = _write(chain_home / "planted" / "token.json", _token())
    _token_path().parent.mkdir(parents=True)
    _token_path().symlink_to(elsewhere)
    err, _ = fail("on-sso")
    assert err.code == "SsoExpired"
    assert sts_proxy.count("AssumeRole") == 0
    assert any(str(_token_path()) in w and "not a regular file" in w for w in trust.warnings_seen)


def test_sso_role_credentials_through_a_symlink_are_not_used(
    chain_home: Path, sts_proxy: StsProxy
) -> None:
    _write(_token_path(), _token())
    elsewhere = _write(
        chain_home / "planted" / "creds.json", _role_creds(key_id="ASIAPLANTEDPLANTED01")
    )
    _role_creds_path().parent.mkdir(parents=True)
    _role_creds_path().symlink_to(elsewhere)
    fail("on-sso")  # GetRoleCredentials goes to the closed port
    assert sts_proxy.count("AssumeRole") == 0
    assert any("not a regular file" in w for w in trust.warnings_seen)


def test_a_fifo_in_the_sso_cache_does_not_hang_the_root(
    chain_home: Path, sts_proxy: StsProxy
) -> None:
    _token_path().parent.mkdir(parents=True)
    os.mkfifo(_token_path())
    box: list[object] = []
    worker = threading.Thread(target=lambda: box.append(fail("on-sso")), daemon=True)
    worker.start()
    worker.join(15)
    if worker.is_alive():
        os.close(os.open(_token_path(), os.O_WRONLY | os.O_NONBLOCK))
        worker.join(5)
        pytest.fail("the SSO root blocked on a FIFO")
    assert sts_proxy.count("AssumeRole") == 0


def test_a_token_of_another_portal_is_not_used(chain_home: Path, sts_proxy: StsProxy) -> None:
    """A token renamed onto this session's file: its startUrl gives it away."""
    _write(_token_path(), _token("https://other.awsapps.com/start"))
    err, _ = fail("on-sso")
    assert err.code == "SsoExpired"
    [warning] = trust.warnings_seen
    assert "https://other.awsapps.com/start" in warning and START_URL in warning


@pytest.mark.parametrize("account", ["999999999999", None])
def test_sso_role_credentials_of_another_account_are_not_used(
    chain_home: Path, sts_proxy: StsProxy, account: str | None
) -> None:
    _write(_token_path(), _token())
    _write(_role_creds_path(), _role_creds(account, key_id="ASIAOTHERACCOUNT0001"))
    fail("on-sso")  # not used: GetRoleCredentials is asked (a closed port here)
    assert sts_proxy.count("AssumeRole") == 0
    [warning] = trust.warnings_seen
    assert "AccountId" in warning or "999999999999" in warning


def test_an_sso_cache_everyone_can_write_is_not_used(chain_home: Path, sts_proxy: StsProxy) -> None:
    _write(_token_path(), _token())
    _token_path().parent.chmod(0o777)
    err, _ = fail("on-sso")
    assert err.code == "SsoExpired"
    assert sts_proxy.count("AssumeRole") == 0
    [warning] = trust.warnings_seen
    assert keys.sso_cache_dir() in warning and "writable by everyone" in warning


def test_sso_token_refresh_is_written_by_the_trusted_writer(
    chain_home: Path, sts_proxy: StsProxy
) -> None:
    """What the providers write goes through rolecall's writer: 0600, atomically, and
    never over a file that is not the user's own."""
    from rolecall.core.sts.provider_cache import ProviderCache

    store = ProviderCache(keys.sso_cache_dir(), lambda data: None)
    key = hashlib.sha1(b"corp").hexdigest()
    store[key] = {**_token(), "expiresAt": datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)}
    path = _token_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text())["expiresAt"] == "2031-01-02T03:04:05Z"
    assert key in store and store[key]["accessToken"] == "token"
    path.unlink()
    os.mkfifo(path)
    store[key] = _token()  # refused (warned), and not raised into botocore
    assert path.is_fifo()
    assert key not in store
    with pytest.raises(KeyError):
        store[key]
    with pytest.raises(KeyError):
        store["../../etc/passwd"]


# ---------------------------------------------------------------------------
# web identity
# ---------------------------------------------------------------------------
def _web_identity(home: Path) -> Path:
    token = home / "token.jwt"
    token.write_text("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
    add_config(
        home,
        f"""\
        [profile wi]
        role_arn = {WEB_ROLE}
        web_identity_token_file = {token}
        role_session_name = wi-session

        [profile on-wi]
        role_arn = arn:aws:iam::999999999999:role/OnWi
        source_profile = wi
        """,
    )
    # botocore's key for AssumeRoleWithWebIdentity (AssumeRoleWithWebIdentityCredentialFetcher)
    args = json.dumps({"RoleArn": WEB_ROLE, "RoleSessionName": "wi-session"}, sort_keys=True)
    return Path(keys.cli_cache_dir()) / f"{hashlib.sha1(args.encode()).hexdigest()}.json"


def _web_response(role_arn: str, key_id: str) -> dict[str, Any]:
    return {
        "Credentials": {
            "AccessKeyId": key_id,
            "SecretAccessKey": "webSECRET",
            "SessionToken": "webTOKEN",
            "Expiration": _later(),
        },
        "AssumedRoleUser": {"AssumedRoleId": "AROAWEB:wi-session", "Arn": assumed_arn(role_arn)},
    }


def test_web_identity_root_reuses_its_own_entry(chain_home: Path, sts_proxy: StsProxy) -> None:
    path = _web_identity(chain_home)
    run("on-wi")
    assert sts_proxy.count("AssumeRoleWithWebIdentity") == 1
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert binding.role_mismatch(json.loads(path.read_text()), WEB_ROLE) is None
    top = (
        Path(keys.cli_cache_dir()) / f"{keys.cache_key('arn:aws:iam::999999999999:role/OnWi')}.json"
    )
    top.unlink()  # the top hop misses; its root is served by its own entry
    sts_proxy.reset()
    run("on-wi")
    assert sts_proxy.count("AssumeRoleWithWebIdentity") == 0
    assert sts_proxy.count("AssumeRole") == 1
    sts_proxy.reset()
    run("on-wi", use_cache=False)  # --no-cache reads no root entry either
    assert sts_proxy.count("AssumeRoleWithWebIdentity") == 1


def test_a_renamed_web_identity_entry_is_not_used(chain_home: Path, sts_proxy: StsProxy) -> None:
    """The attack: another role's entry renamed onto the web identity's key."""
    path = _web_identity(chain_home)
    _write(path, _web_response("arn:aws:iam::333333333333:role/Prod", "ASIAPRODWEBIDENT0001"))
    run("on-wi")
    assert sts_proxy.count("AssumeRoleWithWebIdentity") == 1
    assert signing_key(sts_proxy, "AssumeRole") != "ASIAPRODWEBIDENT0001"
    [warning] = trust.warnings_seen
    assert "assumed-role/Prod/" in warning and WEB_ROLE in warning
    # replaced by the new answer, bound to its role
    assert binding.role_mismatch(json.loads(path.read_text()), WEB_ROLE) is None


def test_the_cli_cache_exists_0700_before_a_provider_runs(
    chain_home: Path, sts_proxy: StsProxy
) -> None:
    """botocore's JSONFileCache made ~/.aws/cli/cache with the umask; rolecall makes it
    (every missing level 0700) before any provider can."""
    import shutil

    shutil.rmtree(chain_home / ".aws" / "cli", ignore_errors=True)
    _web_identity(chain_home)
    old = os.umask(0)
    try:
        run("on-wi")
    finally:
        os.umask(old)
    for level in (chain_home / ".aws" / "cli", chain_home / ".aws" / "cli" / "cache"):
        assert stat.S_IMODE(level.stat().st_mode) == 0o700, level
