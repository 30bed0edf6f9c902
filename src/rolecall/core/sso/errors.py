"""SsoError: why an SSO command failed, as one line with a hint, and its code.

Callers decide by :attr:`SsoError.code` (the constants below), never by the
wording.  Nothing here imports boto3.
"""

from __future__ import annotations

__all__ = [
    "CANCELLED",
    "CONFIG",
    "DENIED",
    "DEVICE_EXPIRED",
    "LOGIN_REQUIRED",
    "NETWORK",
    "SERVICE",
    "THROTTLED",
    "UNAUTHORIZED",
    "SsoError",
]

#: The config names no usable SSO session (missing section, start URL or region).
CONFIG = "SsoConfig"
#: There is no token, or it expired and cannot be refreshed: a browser login is needed.
LOGIN_REQUIRED = "SsoLoginRequired"
#: The device code expired before anyone approved the login.
DEVICE_EXPIRED = "SsoDeviceExpired"
#: The user (or the portal) refused the login.
DENIED = "SsoDenied"
#: The login was cancelled here (Ctrl+C, Esc).
CANCELLED = "SsoCancelled"
#: The portal refused the token (``UnauthorizedException``): log in again.
UNAUTHORIZED = "SsoUnauthorized"
#: The portal kept answering ``TooManyRequestsException`` after the backoff.
THROTTLED = "SsoThrottled"
#: The endpoint could not be reached, or timed out.
NETWORK = "SsoNetwork"
#: Any other error the service answered.
SERVICE = "SsoService"


class SsoError(Exception):
    """A failure a person can act on: ``str(e)`` is one line, the message and the hint."""

    def __init__(self, message: str, hint: str | None = None, code: str = SERVICE) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code

    def __str__(self) -> str:
        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        return " ".join(text.split())

    def __repr__(self) -> str:
        return f"SsoError({self.message!r}, hint={self.hint!r}, code={self.code!r})"
