"""The one exception of an assume, and the codes it carries.

Every failure of :func:`rolecall.core.sts.assume` is an :class:`AssumeError`:
``str(err)`` is one line (the message, then the hint), and ``err.code`` is one
of the constants below, or an error code STS gave that rolecall has no words of
its own for.  Code that decides what to do next (a retry, a modal to close)
compares codes, never the wording of a message.  This module imports nothing.
"""

from __future__ import annotations

__all__ = [
    "ACCESS_DENIED",
    "CHAINED_DURATION_TOO_LONG",
    "CONFIG_PROBLEM",
    "CREDENTIAL_PROCESS_FAILED",
    "DURATION_TOO_LONG",
    "ENDPOINT_TIMEOUT",
    "ENDPOINT_UNREACHABLE",
    "EXPIRED_CREDENTIALS",
    "EXPIRED_TOKEN",
    "INVALID_CLIENT_TOKEN_ID",
    "INVALID_DURATION",
    "MALFORMED_RESPONSE",
    "MFA_CANCELLED",
    "MFA_FAILED",
    "MFA_INVALID",
    "MFA_REQUIRED",
    "NO_CREDENTIALS",
    "NO_REGION",
    "SERVER_ERROR",
    "SIGNATURE_DOES_NOT_MATCH",
    "SSO_EXPIRED",
    "THROTTLING",
    "UNEXPECTED",
    "UNKNOWN_PROFILE",
    "VALIDATION",
    "AssumeError",
    "no_credentials",
]

# -- the profile and its settings ---------------------------------------------
#: The name is in neither file.
UNKNOWN_PROFILE = "UnknownProfile"
#: The profile (or its chain) has a problem ``rolecall list`` shows.
CONFIG_PROBLEM = "ConfigProblem"
#: A duration outside 900..43200 seconds (``--duration``, ``duration_seconds``, settings).
INVALID_DURATION = "InvalidDuration"
#: The root of the chain yields no credentials.
NO_CREDENTIALS = "NoCredentials"
#: The ``credential_process`` of the root failed.
CREDENTIAL_PROCESS_FAILED = "CredentialProcessFailed"
#: The SSO token is missing or expired (``rolecall sso login``).
SSO_EXPIRED = "SsoExpired"
#: botocore found no region to call STS in.
NO_REGION = "NoRegion"

# -- MFA ----------------------------------------------------------------------
#: A code is needed and there is no way to ask for one.
MFA_REQUIRED = "MfaRequired"
#: The person cancelled the MFA prompt.
MFA_CANCELLED = "MfaCancelled"
#: The code typed is not 6 digits (STS was not called).
MFA_INVALID = "MfaInvalid"
#: STS refused the code or the serial.
MFA_FAILED = "MfaFailed"

# -- what STS answered --------------------------------------------------------
THROTTLING = "Throttling"
INVALID_CLIENT_TOKEN_ID = "InvalidClientTokenId"
SIGNATURE_DOES_NOT_MATCH = "SignatureDoesNotMatch"
#: The signing credentials have expired.
EXPIRED_TOKEN = "ExpiredToken"
ACCESS_DENIED = "AccessDenied"
#: DurationSeconds is over the role's MaxSessionDuration.
DURATION_TOO_LONG = "DurationTooLong"
#: DurationSeconds is over the 1-hour limit of role chaining (the engine retries with 3600).
CHAINED_DURATION_TOO_LONG = "ChainedDurationTooLong"
#: STS refused the parameters (ValidationError with no more precise meaning).
VALIDATION = "Validation"
#: A 5xx (or a transient error code) after the retries.
SERVER_ERROR = "ServerError"
#: STS answered with something rolecall cannot use (nothing was cached).
MALFORMED_RESPONSE = "MalformedResponse"
#: STS gave credentials that had already expired by the local clock.
EXPIRED_CREDENTIALS = "ExpiredCredentials"

# -- the network --------------------------------------------------------------
ENDPOINT_UNREACHABLE = "EndpointUnreachable"
ENDPOINT_TIMEOUT = "EndpointTimeout"

#: A bug: an exception no branch expected (the message asks for a report).
UNEXPECTED = "Unexpected"


class AssumeError(Exception):
    """A failure a person can act on: ``str(e)`` is one line, the message and the hint.

    >>> str(AssumeError("MFA cancelled", None, MFA_CANCELLED))
    'MFA cancelled'
    >>> str(AssumeError("no region", "set  region\\nin the profile"))
    'no region; set region in the profile'
    """

    def __init__(self, message: str, hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code

    def __str__(self) -> str:
        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        return " ".join(text.split())

    def __repr__(self) -> str:
        return f"AssumeError({self.message!r}, hint={self.hint!r}, code={self.code!r})"


def no_credentials(message: str, hint: str | None = None) -> AssumeError:
    """The failure to raise when a profile yields no usable credentials."""
    return AssumeError(message, hint, NO_CREDENTIALS)
