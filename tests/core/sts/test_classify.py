"""Error classification, as a table: what STS or botocore raised -> what rolecall says.

No server: the exceptions are botocore's own classes, built as botocore raises
them.  Classification is pure, so each row also checks that nothing was
deleted (a real file stands where the cache file to forget would be) and
that the caller's ARN is asked for only where the message needs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore import exceptions as bx

from rolecall.core.sts import errors
from rolecall.core.sts.classify import (
    CallInfo,
    classify_botocore_error,
    classify_client_error,
    classify_root_error,
    is_retryable,
)
from rolecall.core.sts.plan import Root
from rolecall.core.sts.records import Credentials

ROLE = "arn:aws:iam::111111111111:role/A"
CALLER = "arn:aws:iam::123456789012:user/alice"
KEYS = Credentials("AKIAROLECALLTEST0001", "secret", None)
TEMP_KEYS = Credentials("ASIAROLECALLTEMP0001", "secret", None)


def client_error(code: str, message: str = "", status: int = 400, op: str = "AssumeRole") -> Any:
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return bx.ClientError(response, op)


def info(**kw: Any) -> CallInfo:
    base: dict[str, Any] = {
        "operation": "AssumeRole",
        "profile": "a",
        "source": "the static keys of profile 'base'",
        "creds": KEYS,
        "role_arn": ROLE,
        "endpoint": "https://sts.eu-west-1.amazonaws.com",
        "region": "eu-west-1",
    }
    base.update(kw)
    return CallInfo(**base)


#: (id, exception, CallInfo changes, code, words in the message, words in the hint, forget)
CLIENT_CASES: list[tuple[str, Any, dict[str, Any], str, str, str, str | None]] = [
    (
        "throttled",
        client_error("Throttling", "Rate exceeded"),
        {},
        errors.THROTTLING,
        f"STS throttled AssumeRole {ROLE} (Throttling) after 3 attempts",
        "wait a minute",
        None,
    ),
    (
        "unknown key",
        client_error("InvalidClientTokenId", "The security token is invalid", 403),
        {},
        errors.INVALID_CLIENT_TOKEN_ID,
        "AWS does not know the access key of the static keys of profile 'base'",
        "check the access key id",
        None,
    ),
    (
        "unknown key, said in words",
        client_error(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            403,
        ),
        {},
        errors.INVALID_CLIENT_TOKEN_ID,
        "does not know the access key",
        "create a new key",
        None,
    ),
    (
        "temporary key without its token",
        client_error("InvalidClientTokenId", "", 403),
        {"creds": TEMP_KEYS, "source_cache": "CACHE"},
        errors.INVALID_CLIENT_TOKEN_ID,
        "hold a temporary key (ASIA…0001) but no session token was sent",
        "need their session token",
        None,
    ),
    (
        "unknown key from an MFA session",
        client_error("InvalidClientTokenId", "", 403),
        {"via_mfa_session": "MFA", "source_cache": "CACHE"},
        errors.INVALID_CLIENT_TOKEN_ID,
        "does not know the access key",
        "the MFA session was refused and is forgotten",
        "MFA",
    ),
    (
        "unknown key from the cache",
        client_error("InvalidClientTokenId", "", 403),
        {"source_cache": "CACHE"},
        errors.INVALID_CLIENT_TOKEN_ID,
        "does not know the access key",
        "removed from the cache",
        "CACHE",
    ),
    (
        "wrong secret",
        client_error("SignatureDoesNotMatch", "The request signature we calculated...", 403),
        {},
        errors.SIGNATURE_DOES_NOT_MATCH,
        "the secret key of the static keys of profile 'base' does not match its access key",
        "check aws_secret_access_key",
        None,
    ),
    (
        "expired MFA session",
        client_error("ExpiredToken", "The security token included in the request is expired"),
        {"via_mfa_session": "MFA"},
        errors.EXPIRED_TOKEN,
        "the static keys of profile 'base' have expired (ExpiredToken)",
        "the MFA session is forgotten",
        "MFA",
    ),
    (
        "expired cached hop",
        client_error("ExpiredTokenException", "expired"),
        {"source": "the cached role credentials of profile 'a'", "source_cache": "CACHE"},
        errors.EXPIRED_TOKEN,
        "the cached role credentials of profile 'a' have expired (ExpiredTokenException)",
        "removed from the cache",
        "CACHE",
    ),
    (
        "expired moments ago",
        client_error("RequestExpired", "expired"),
        {"source": "the role credentials of profile 'a'"},
        errors.EXPIRED_TOKEN,
        "have expired (RequestExpired)",
        "check the system clock",
        None,
    ),
    (
        "expired environment",
        client_error("ExpiredToken", "expired"),
        {"source": "the environment credentials (credential_source of 'e')"},
        errors.EXPIRED_TOKEN,
        "have expired",
        "export fresh AWS_ACCESS_KEY_ID",
        None,
    ),
    (
        "expired static keys",
        client_error("TokenRefreshRequired", "expired"),
        {},
        errors.EXPIRED_TOKEN,
        "have expired",
        "replace aws_session_token",
        None,
    ),
    (
        "expired SSO",
        client_error("ExpiredToken", "expired"),
        {"source": "the SSO credentials of profile 'sso'", "profile": "on-sso"},
        errors.EXPIRED_TOKEN,
        "have expired",
        "run `rolecall sso login on-sso`",
        None,
    ),
    (
        "MFA code refused",
        client_error("AccessDenied", "MultiFactorAuthentication failed", 403, "GetSessionToken"),
        {"operation": "GetSessionToken", "role_arn": None, "mfa_serial": "arn:mfa"},
        errors.MFA_FAILED,
        "the MFA code for arn:mfa was refused",
        "wait for the next code",
        None,
    ),
    (
        "trust policy",
        client_error("AccessDenied", "User is not authorized to perform sts:AssumeRole", 403),
        {"external_id": "x"},
        errors.ACCESS_DENIED,
        f"AccessDenied: {CALLER} may not assume {ROLE}",
        f"must allow {CALLER} to sts:AssumeRole; and expect this external_id; if the role "
        "requires MFA, set mfa_serial in profile 'a'",
        None,
    ),
    (
        "denied elsewhere",
        client_error("AccessDeniedException", "", 403, "GetCallerIdentity"),
        {"operation": "GetCallerIdentity", "role_arn": None},
        errors.ACCESS_DENIED,
        "GetCallerIdentity was denied: AccessDeniedException",
        "",
        None,
    ),
    (
        "over MaxSessionDuration",
        client_error(
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ),
        {"duration": 7200},
        errors.DURATION_TOO_LONG,
        f"DurationSeconds 7200 exceeds the maximum session duration of {ROLE}",
        "raise the role's MaxSessionDuration",
        None,
    ),
    (
        "over the chaining limit",
        client_error(
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles "
            "assumed by role chaining.",
        ),
        {"duration": 7200},
        errors.CHAINED_DURATION_TOO_LONG,
        "DurationSeconds 7200 is over the 1-hour limit for role chaining",
        "set duration_seconds = 3600 or less in profile 'a'",
        None,
    ),
    (
        "bad token code",
        client_error("ValidationError", "Invalid length for parameter TokenCode"),
        {},
        errors.MFA_FAILED,
        "STS refused the MFA code or serial: Invalid length for parameter TokenCode",
        "6-digit code",
        None,
    ),
    (
        "other validation",
        client_error("ValidationError", "RoleSessionName is too long"),
        {},
        "ValidationError",
        f"AssumeRole {ROLE} failed: RoleSessionName is too long",
        "",
        None,
    ),
    (
        "region disabled",
        client_error("RegionDisabledException", "STS is not activated", 403),
        {},
        "RegionDisabledException",
        "STS is not activated in region eu-west-1",
        "activate it in IAM",
        None,
    ),
    (
        "server error",
        client_error("ServiceUnavailable", "try later", 503),
        {},
        "ServiceUnavailable",
        f"STS failed AssumeRole {ROLE} with ServiceUnavailable after 3 attempts",
        "try again in a moment",
        None,
    ),
    (
        "a 500 without a code",
        client_error("", "", 500),
        {},
        errors.SERVER_ERROR,
        "with 500 after 3 attempts",
        "AWS had a problem",
        None,
    ),
    (
        "anything else",
        client_error("PackedPolicyTooLarge", "the policy is too large"),
        {},
        "PackedPolicyTooLarge",
        f"AssumeRole {ROLE} failed: PackedPolicyTooLarge: the policy is too large",
        "",
        None,
    ),
]


@pytest.mark.parametrize(
    ("exc", "changes", "code", "message", "hint", "forget"),
    [case[1:] for case in CLIENT_CASES],
    ids=[case[0] for case in CLIENT_CASES],
)
def test_client_errors(
    tmp_path: Path,
    exc: Any,
    changes: dict[str, Any],
    code: str,
    message: str,
    hint: str,
    forget: str | None,
) -> None:
    # the files named as "to forget" exist: classification must leave them alone
    files = {"MFA": tmp_path / "mfa.json", "CACHE": tmp_path / "cache.json"}
    for path in files.values():
        path.write_text("{}")
    for key in ("via_mfa_session", "source_cache"):
        if key in changes:
            changes = {**changes, key: str(files[changes[key]])}
    asked: list[bool] = []

    def caller_arn() -> str | None:
        asked.append(True)
        return CALLER

    error, forgotten = classify_client_error(exc, info(**changes), 3, caller_arn)
    assert error.code == code
    assert message in error.message
    assert hint in (error.hint or "")
    assert "\n" not in str(error)
    assert forgotten == (str(files[forget]) if forget else None)
    assert all(path.exists() for path in files.values())
    # the caller's ARN is asked for only to name who a trust policy refused
    assert bool(asked) == (code == errors.ACCESS_DENIED and "may not assume" in message)


def test_the_caller_falls_back_to_the_source() -> None:
    exc = client_error("AccessDenied", "not authorized", 403)
    error, _ = classify_client_error(exc, info(via_mfa_session="x"), 1, lambda: None)
    assert error.message == f"AccessDenied: the static keys of profile 'base' may not assume {ROLE}"
    assert "mfa_serial" not in (error.hint or "")  # the MFA session already proved MFA


def test_no_retry_decides_by_wording() -> None:
    """The chaining refusal has a code of its own: a message that merely mentions
    chaining, under another code, is not that refusal."""
    chaining = client_error("ValidationError", "exceeds the limit for role chaining")
    other = client_error("AccessDenied", "role chaining is not allowed here", 403)
    first, _ = classify_client_error(chaining, info(duration=7200), 1, lambda: None)
    second, _ = classify_client_error(other, info(duration=7200), 1, lambda: None)
    assert first.code == errors.CHAINED_DURATION_TOO_LONG
    assert second.code == errors.ACCESS_DENIED


@pytest.mark.parametrize(
    ("exc", "retry"),
    [
        (client_error("Throttling"), True),
        (client_error("SlowDown", status=503), True),
        (client_error("InternalError", status=200), True),
        (client_error("", status=502), True),
        (client_error("AccessDenied", status=403), False),
        (client_error("ValidationError"), False),
    ],
)
def test_what_is_retried(exc: Any, retry: bool) -> None:
    assert is_retryable(exc) is retry


URL = "http://127.0.0.1:9"
#: (id, exception, code, words in the message, words in the hint)
BOTOCORE_CASES: list[tuple[str, Exception, str, str, str]] = [
    (
        "refused",
        bx.EndpointConnectionError(endpoint_url=URL, error="[Errno 111] Connection refused"),
        errors.ENDPOINT_UNREACHABLE,
        f"cannot reach STS at {URL}: connection refused",
        "AWS_ENDPOINT_URL_STS",
    ),
    (
        "DNS",
        bx.EndpointConnectionError(endpoint_url=URL + "/", error="Name or service not known"),
        errors.ENDPOINT_UNREACHABLE,
        f"cannot reach STS at {URL}: DNS lookup failed",
        "check the network",
    ),
    (
        "socket timeout",
        bx.EndpointConnectionError(endpoint_url=URL, error="timed out"),
        errors.ENDPOINT_UNREACHABLE,
        ": timed out",
        "",
    ),
    (
        "closed",
        bx.ConnectionClosedError(endpoint_url=URL),
        errors.ENDPOINT_UNREACHABLE,
        ": the connection was closed",
        "",
    ),
    (
        "connect timeout",
        bx.ConnectTimeoutError(endpoint_url=URL),
        errors.ENDPOINT_UNREACHABLE,
        "connect timed out after 5 s",
        "",
    ),
    (
        "read timeout",
        bx.ReadTimeoutError(endpoint_url=URL),
        errors.ENDPOINT_TIMEOUT,
        f"STS at {URL} did not answer within 10 s",
        "try again",
    ),
    (
        "proxy",
        bx.ProxyConnectionError(proxy_url="http://proxy:3128"),
        errors.ENDPOINT_UNREACHABLE,
        "cannot reach the HTTPS proxy http://proxy:3128 for STS",
        "HTTPS_PROXY",
    ),
    (
        "TLS",
        bx.SSLError(endpoint_url=URL, error="certificate verify failed"),
        errors.ENDPOINT_UNREACHABLE,
        f"TLS with STS at {URL} failed",
        "AWS_CA_BUNDLE",
    ),
    ("no region", bx.NoRegionError(), errors.NO_REGION, "no region is configured", "AWS_REGION"),
    (
        "bad parameters",
        bx.ParamValidationError(report="Invalid length for parameter RoleArn"),
        errors.VALIDATION,
        "AssumeRole parameters are invalid: Invalid length for parameter RoleArn",
        "",
    ),
    (
        "no credentials",
        bx.NoCredentialsError(),
        errors.NO_CREDENTIALS,
        "no credentials for the static keys of profile 'base'",
        "",
    ),
    (
        "anything else",
        bx.UnknownServiceError(service_name="x", known_service_names="sts"),
        "UnknownServiceError",
        "AssumeRole failed: UnknownServiceError: Unknown service: 'x'",
        "",
    ),
]


@pytest.mark.parametrize(
    ("exc", "code", "message", "hint"),
    [case[1:] for case in BOTOCORE_CASES],
    ids=[case[0] for case in BOTOCORE_CASES],
)
def test_botocore_errors(exc: Exception, code: str, message: str, hint: str) -> None:
    error = classify_botocore_error(exc, info(endpoint="https://sts.example"))
    assert error.code == code
    assert message in error.message
    assert hint in (error.hint or "")
    assert "\n" not in str(error)


def test_timeouts_in_messages_follow_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLECALL_STS_TIMEOUT", "1.5")
    error = classify_botocore_error(bx.ConnectTimeoutError(endpoint_url=URL), info())
    assert "connect timed out after 1.5 s" in error.message
    # no URL in the exception: the endpoint the call was made to
    error = classify_botocore_error(bx.ConnectionClosedError(endpoint_url=""), info())
    assert "https://sts.eu-west-1.amazonaws.com" in error.message


#: (id, exception, root kind, code, words in the message)
ROOT_CASES: list[tuple[str, Exception, str, str, str]] = [
    (
        "SSO token",
        bx.TokenRetrievalError(provider="sso", error_msg="expired"),
        "sso",
        errors.SSO_EXPIRED,
        "SSO session expired: run `rolecall sso login r`",
    ),
    (
        "SSO refused",
        client_error("UnauthorizedException", "Session token not found", 401, "GetRoleCredentials"),
        "sso",
        errors.SSO_EXPIRED,
        "rolecall sso login r",
    ),
    (
        "process failed",
        bx.CredentialRetrievalError(provider="process", error_msg="token expired\nlog in"),
        "credential-process",
        errors.CREDENTIAL_PROCESS_FAILED,
        "the credential_process of profile 'r' failed: token expired",
    ),
    (
        "provider failed",
        bx.CredentialRetrievalError(provider="x", error_msg="bad file"),
        "web-identity",
        errors.NO_CREDENTIALS,
        "the web identity credentials of profile 'r' could not be loaded: bad file",
    ),
    (
        "web identity refused",
        client_error("InvalidIdentityToken", "bad jwt", 400, "AssumeRoleWithWebIdentity"),
        "web-identity",
        "InvalidIdentityToken",
        "AssumeRoleWithWebIdentity failed: InvalidIdentityToken: bad jwt",
    ),
    (
        "partial keys",
        bx.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
        "credential_source",
        errors.CONFIG_PROBLEM,
        "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY",
    ),
    (
        "SSO portal unreachable",
        bx.EndpointConnectionError(endpoint_url="https://portal", error="refused"),
        "sso",
        errors.ENDPOINT_UNREACHABLE,
        "cannot reach the SSO portal at https://portal: connection refused",
    ),
    (
        "an unreadable file",
        FileNotFoundError(2, "No such file or directory"),
        "web-identity",
        errors.NO_CREDENTIALS,
        "could not be loaded: [Errno 2] No such file or directory",
    ),
    (
        "a bug",
        RuntimeError("boom"),
        "credential-process",
        errors.NO_CREDENTIALS,
        "the credential_process of profile 'r' could not be loaded: RuntimeError",
    ),
]


@pytest.mark.parametrize(
    ("exc", "kind", "code", "message"),
    [case[1:] for case in ROOT_CASES],
    ids=[case[0] for case in ROOT_CASES],
)
def test_root_errors(exc: Exception, kind: str, code: str, message: str) -> None:
    error = classify_root_error(exc, Root(kind, "r", "Environment"), "https://sts.example")
    assert error.code == code
    assert message in error.message
    assert "\n" not in str(error)
