"""What STS or botocore answered, turned into what rolecall tells the person.

Pure: each function maps an exception (and what the call was, a :class:`CallInfo`)
to an :class:`AssumeError` whose ``str()`` is one line with a hint.  Nothing
here deletes a file or makes a call: :func:`classify_client_error` returns the
cache file to forget, and is given the way to ask for the caller's ARN, so the
caller (``calls.py``) does both.  That is what lets one table test cover every
branch without a server (``tests/core/sts/test_classify.py``).

Network failures (timeouts, proxy, TLS, DNS) are worded in ``classify_network.py``.
botocore's exception classes are imported inside the functions: they only run
once botocore has raised something, so it is loaded already.
"""

from __future__ import annotations

from rolecall.core.sts import errors
from rolecall.core.sts.classify_network import network_error
from rolecall.core.sts.errors import AssumeError, no_credentials

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from typing import Any

    from rolecall.core.sts.plan import Root
    from rolecall.core.sts.records import Credentials

__all__ = [
    "THROTTLE_CODES",
    "TRANSIENT_CODES",
    "CallInfo",
    "classify_botocore_error",
    "classify_client_error",
    "classify_root_error",
    "error_code",
    "first_line",
    "is_retryable",
    "malformed",
]

THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "PriorRequestNotComplete",
    }
)
TRANSIENT_CODES = frozenset(
    {"InternalFailure", "InternalError", "ServiceUnavailable", "ServiceUnavailableException"}
)
_EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
)


class CallInfo:
    """What a call was (and with which credentials), for its error message."""

    def __init__(
        self,
        operation: str,  # AssumeRole | GetSessionToken | GetCallerIdentity | root
        profile: str,  # the profile being assumed (or whose root is resolved)
        source: str,  # a description of the credentials that sign the call
        creds: Credentials | None,
        role_arn: str | None = None,
        mfa_serial: str | None = None,
        external_id: str | None = None,
        duration: int | None = None,
        endpoint: str = "",
        via_mfa_session: str | None = None,  # path of the MFA session file used
        service: str = "STS",
        source_cache: str | None = None,  # the CLI cache file the signing credentials came from
        region: str | None = None,  # the region STS was called in
    ) -> None:
        self.operation = operation
        self.profile = profile
        self.source = source
        self.creds = creds
        self.role_arn = role_arn
        self.mfa_serial = mfa_serial
        self.external_id = external_id
        self.duration = duration
        self.endpoint = endpoint
        self.via_mfa_session = via_mfa_session
        self.service = service
        self.source_cache = source_cache
        self.region = region


def error_code(exc: Any) -> tuple[str, str, int]:
    """``(code, message, HTTP status)`` of a botocore ClientError (blanks when absent).

    >>> class Fake:
    ...     response = {"Error": {"Code": "Throttling", "Message": "Rate  exceeded"},
    ...                 "ResponseMetadata": {"HTTPStatusCode": 400}}
    >>> error_code(Fake())
    ('Throttling', 'Rate exceeded', 400)
    """
    resp = getattr(exc, "response", None) or {}
    err = resp.get("Error", {}) if isinstance(resp, dict) else {}
    code = str(err.get("Code", "") or "")
    message = " ".join(str(err.get("Message", "") or "").split())
    status = 0
    meta = resp.get("ResponseMetadata", {}) if isinstance(resp, dict) else {}
    if isinstance(meta, dict):
        status = int(meta.get("HTTPStatusCode", 0) or 0)
    return code, message, status


def is_retryable(exc: Any) -> bool:
    """Whether a ClientError is worth another attempt: throttling, or a server error."""
    code, _, status = error_code(exc)
    return code in THROTTLE_CODES or code in TRANSIENT_CODES or status >= 500


def _mask(key: str) -> str:
    return f"{key[:4]}…{key[-4:]}" if len(key) > 12 else key[:4] + "…"


def first_line(text: str, limit: int = 200) -> str:
    """The first line of ``text``, its blanks squeezed, at most ``limit`` characters.

    >>> first_line("  boom\\n  at line 2")
    'boom'
    """
    line = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    return line[:limit]


def malformed(info: CallInfo, what: str) -> AssumeError:
    """STS answered, but with nothing rolecall can use (``what`` says why)."""
    return AssumeError(
        f"{info.service} at {info.endpoint or 'its endpoint'} answered {info.operation} with a "
        f"response rolecall cannot use ({what}); nothing was cached",
        "try again; if it persists, check AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL and any "
        "proxy between you and AWS",
        errors.MALFORMED_RESPONSE,
    )


# ---------------------------------------------------------------------------
# what STS answered (a ClientError)
# ---------------------------------------------------------------------------
def classify_client_error(
    exc: Any, info: CallInfo, attempts: int, caller_arn: Callable[[], str | None]
) -> tuple[AssumeError, str | None]:
    """The AssumeError for what STS answered, and the cache file to forget (or None).

    ``caller_arn()`` is asked only for an AccessDenied on AssumeRole, to name
    who was refused; ``attempts`` is how many calls were made.
    """
    code, message, status = error_code(exc)
    low = message.lower()
    if code in THROTTLE_CODES:
        target = f" {info.role_arn}" if info.role_arn else ""
        return AssumeError(
            f"STS throttled {info.operation}{target} ({code}) after {attempts} attempts",
            "wait a minute and try again; many tools calling STS at once cause this",
            errors.THROTTLING,
        ), None
    if code == "InvalidClientTokenId" or "security token included in the request is invalid" in low:
        return _unknown_key(info)
    if code == "SignatureDoesNotMatch":
        return AssumeError(
            f"the secret key of {info.source} does not match its access key "
            "(SignatureDoesNotMatch)",
            "check aws_secret_access_key (copy it again, without spaces)",
            errors.SIGNATURE_DOES_NOT_MATCH,
        ), None
    if code in _EXPIRED_CODES:
        return _expired(info, code)
    if code in ("AccessDenied", "AccessDeniedException"):
        return _access_denied(info, code, message, caller_arn), None
    if code in ("ValidationError", "ValidationException"):
        return _validation(info, code, message), None
    if code == "RegionDisabledException":
        return AssumeError(
            f"STS is not activated in region {info.region or '?'}",
            "activate it in IAM (Account settings) or set another region in the profile",
            code,
        ), None
    target = f" {info.role_arn}" if info.role_arn else ""
    if status >= 500 or code in TRANSIENT_CODES:
        return AssumeError(
            f"STS failed {info.operation}{target} with {code or status} after {attempts} attempts",
            "AWS had a problem; try again in a moment",
            code or errors.SERVER_ERROR,
        ), None
    text = f"{code}: {message}" if message else code or f"HTTP {status}"
    return AssumeError(f"{info.operation}{target} failed: {text}", None, code or None), None


def _forget(info: CallInfo) -> str | None:
    """The cache file whose credentials STS refused: the MFA session, else the cached hop."""
    return info.via_mfa_session or info.source_cache or None


def _unknown_key(info: CallInfo) -> tuple[AssumeError, str | None]:
    creds = info.creds
    if creds and creds.access_key_id.startswith("ASIA") and not creds.session_token:
        return AssumeError(
            f"{info.source} hold a temporary key ({_mask(creds.access_key_id)}) "
            "but no session token was sent",
            "temporary (ASIA) keys need their session token: set aws_session_token "
            "(or AWS_SESSION_TOKEN) next to them",
            errors.INVALID_CLIENT_TOKEN_ID,
        ), None
    hint = "check the access key id, or create a new key: it may be deleted or deactivated"
    if info.via_mfa_session:
        hint = "the MFA session was refused and is forgotten: run the command again"
    elif info.source_cache:
        hint = "they are removed from the cache: run the command again"
    return AssumeError(
        f"AWS does not know the access key of {info.source} (InvalidClientTokenId)",
        hint,
        errors.INVALID_CLIENT_TOKEN_ID,
    ), _forget(info)


def _expired(info: CallInfo, code: str) -> tuple[AssumeError, str | None]:
    hint = "get fresh source credentials and try again"
    if info.via_mfa_session:
        hint = "the MFA session is forgotten: run the command again to enter a new code"
    elif info.source_cache:
        hint = "they are removed from the cache: run the command again"
    elif info.source.startswith("the role credentials of profile"):
        hint = "STS gave them moments ago: try again, and check the system clock if it persists"
    elif "environment" in info.source:
        hint = "export fresh AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN"
    elif "static keys" in info.source:
        hint = "replace aws_session_token (and the keys) of that profile with fresh ones"
    elif "SSO" in info.source:
        hint = f"run `rolecall sso login {info.profile}`"
    return AssumeError(f"{info.source} have expired ({code})", hint, errors.EXPIRED_TOKEN), _forget(
        info
    )


def _access_denied(
    info: CallInfo, code: str, message: str, caller_arn: Callable[[], str | None]
) -> AssumeError:
    low = message.lower()
    op = info.operation
    if ("multifactor" in low or "mfa" in low) and (op == "GetSessionToken" or info.mfa_serial):
        return AssumeError(
            f"the MFA code for {info.mfa_serial or 'the MFA device'} was refused",
            "it was wrong or expired (each code works once): wait for the next code "
            "and check mfa_serial names your device",
            errors.MFA_FAILED,
        )
    if op != "AssumeRole":
        return AssumeError(f"{op} was denied: {message or code}", None, errors.ACCESS_DENIED)
    who = caller_arn() or info.source
    hints = [f"the trust policy of {info.role_arn} must allow {who} to sts:AssumeRole"]
    if info.external_id is not None:
        hints.append("and expect this external_id")
    if info.mfa_serial is None and not info.via_mfa_session:
        hints.append(f"if the role requires MFA, set mfa_serial in profile {info.profile!r}")
    return AssumeError(
        f"AccessDenied: {who} may not assume {info.role_arn}",
        "; ".join(hints),
        errors.ACCESS_DENIED,
    )


def _validation(info: CallInfo, code: str, message: str) -> AssumeError:
    low = message.lower()
    if "maxsessionduration" in low.replace(" ", "") or "exceeds the maxsession" in low:
        return AssumeError(
            f"DurationSeconds {info.duration} exceeds the maximum session duration of "
            f"{info.role_arn}",
            f"lower duration_seconds in profile {info.profile!r} (or --duration), "
            "or raise the role's MaxSessionDuration in IAM",
            errors.DURATION_TOO_LONG,
        )
    if "chaining" in low:
        return AssumeError(
            f"DurationSeconds {info.duration} is over the 1-hour limit for role chaining "
            f"({info.profile!r} is assumed with role credentials)",
            f"set duration_seconds = 3600 or less in profile {info.profile!r}",
            errors.CHAINED_DURATION_TOO_LONG,
        )
    if "tokencode" in low or "serialnumber" in low:
        return AssumeError(
            f"STS refused the MFA code or serial: {message}",
            "check mfa_serial and type the 6-digit code your device shows",
            errors.MFA_FAILED,
        )
    target = f" {info.role_arn}" if info.role_arn else ""
    return AssumeError(f"{info.operation}{target} failed: {message or code}", None, code)


# ---------------------------------------------------------------------------
# what botocore raised before (or instead of) an answer
# ---------------------------------------------------------------------------
def classify_botocore_error(exc: Any, info: CallInfo) -> AssumeError:
    """The AssumeError for a botocore error: the network, the parameters, no credentials."""
    from botocore import exceptions as bx

    kwargs = getattr(exc, "kwargs", {}) or {}
    if not isinstance(kwargs, dict):
        kwargs = {}
    network = network_error(exc, info.service, info.endpoint, kwargs)
    if network is not None:
        return network
    if isinstance(exc, bx.NoRegionError):
        return AssumeError(
            "no region is configured for STS",
            "set region in the profile, or AWS_REGION",
            errors.NO_REGION,
        )
    if isinstance(exc, bx.ParamValidationError):
        report = " ".join(str(kwargs.get("report", "")).split())
        return AssumeError(
            f"{info.operation} parameters are invalid: {report}", None, errors.VALIDATION
        )
    if isinstance(exc, bx.NoCredentialsError):
        return no_credentials(f"no credentials for {info.source}")
    return AssumeError(
        f"{info.operation} failed: {type(exc).__name__}: {first_line(str(exc))}",
        None,
        type(exc).__name__,
    )


# ---------------------------------------------------------------------------
# the root's providers (SSO, credential_process, web identity, credential_source)
# ---------------------------------------------------------------------------
def classify_root_error(exc: Exception, root: Root, endpoint: str) -> AssumeError:
    """The AssumeError for a failure of botocore's provider of the root credentials.

    ``endpoint`` is the STS URL messages name (web identity calls STS itself).
    """
    from botocore import exceptions as bx

    sso_errors: tuple[type[Exception], ...] = (bx.SSOError, bx.TokenRetrievalError)
    if isinstance(exc, sso_errors) or (
        root.kind == "sso" and isinstance(exc, bx.ClientError) and "Unauthorized" in str(exc)
    ):
        return AssumeError(
            f"SSO session expired: run `rolecall sso login {root.profile}`",
            None,
            errors.SSO_EXPIRED,
        )
    if isinstance(exc, bx.CredentialRetrievalError):
        msg = getattr(exc, "kwargs", {}).get("error_msg", "") or str(exc)
        if root.kind == "credential-process":
            return AssumeError(
                f"the credential_process of profile {root.profile!r} failed: {first_line(msg)}",
                "run that command by hand to see why",
                errors.CREDENTIAL_PROCESS_FAILED,
            )
        return no_credentials(f"{root.describe()} could not be loaded: {first_line(msg)}")
    if isinstance(exc, bx.ClientError):
        web = root.kind == "web-identity"
        info = CallInfo(
            "AssumeRoleWithWebIdentity" if web else "root",
            root.profile,
            root.describe(),
            None,
            endpoint=endpoint,
        )
        error, _ = classify_client_error(exc, info, 1, lambda: None)
        return error  # (no cache file signed this call: nothing to forget)
    if isinstance(exc, bx.BotoCoreError):
        if isinstance(exc, (bx.InvalidConfigError, bx.PartialCredentialsError)):
            return AssumeError(
                f"{root.describe()}: {first_line(str(exc))}", None, errors.CONFIG_PROBLEM
            )
        info = CallInfo(
            "root",
            root.profile,
            root.describe(),
            None,
            endpoint=endpoint if root.kind == "web-identity" else "",
            service="the SSO portal" if root.kind == "sso" else "STS",
        )
        return classify_botocore_error(exc, info)
    if isinstance(exc, (OSError, ValueError)):
        return no_credentials(f"{root.describe()} could not be loaded: {first_line(str(exc))}")
    return no_credentials(f"{root.describe()} could not be loaded: {type(exc).__name__}")
