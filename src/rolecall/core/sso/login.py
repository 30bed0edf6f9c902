"""Logging in to IAM Identity Center: the OIDC device authorization flow, and the refresh.

:func:`login` runs the flow the AWS CLI v2 runs for ``aws sso login``, through
boto3's ``sso-oidc`` client::

    RegisterClient            public client, the session's scopes; reused while valid
    StartDeviceAuthorization  a device code, a user code and a verification URL
    (the caller shows the URL and the code, and may open a browser)
    CreateToken, every ``interval`` seconds, until the user approves:
        AuthorizationPendingException  wait
        SlowDownException              wait 5 s longer from now on
        ExpiredTokenException          the device code expired: one clear line
        AccessDeniedException          the user said no

The token is written to the CLI v2's cache (:mod:`.token`), where botocore and
the AWS CLI find it.  A wait can be cancelled (``cancel`` event, Ctrl+C).

:func:`valid_token` is what every other command calls: the cached token if it
has 15 minutes left, else a silent ``refresh_token`` grant (as botocore's
``SSOTokenProvider`` does), else :data:`~.errors.LOGIN_REQUIRED`.  Refreshes
are serialised between rolecall processes by a lock on the token directory.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rolecall.core import fsutil
from rolecall.core.cache import timestamps
from rolecall.core.sso import clients
from rolecall.core.sso.errors import (
    CANCELLED,
    DENIED,
    DEVICE_EXPIRED,
    LOGIN_REQUIRED,
    NETWORK,
    SERVICE,
    SsoError,
)
from rolecall.core.sso.session import SsoSession
from rolecall.core.sso.token import (
    Registration,
    Token,
    read_registration,
    read_token,
    write_registration,
    write_token,
)

__all__ = [
    "DEVICE_GRANT",
    "SLOW_DOWN_DELAY",
    "DeviceCode",
    "browser_available",
    "login",
    "open_browser",
    "refresh",
    "valid_token",
]

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_GRANT = "refresh_token"
#: RFC 8628 §3.5: after ``slow_down`` the interval grows by 5 seconds, for good.
SLOW_DOWN_DELAY = 5
#: The interval when the service gives none (RFC 8628's default) ...
DEFAULT_INTERVAL = 5
#: ... and the shortest wait between two polls, whatever it says.
MIN_INTERVAL = 0.1
#: How long a refresh waits for another rolecall's refresh of the same token.
LOCK_TIMEOUT = 20.0

Clock = Callable[[], datetime]
#: ``wait(seconds)`` waits and returns True when the login was cancelled meanwhile.
Waiter = Callable[[float], bool]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DeviceCode:
    """What the person logging in needs: where to go, the code to check, until when."""

    verification_uri: str
    verification_uri_complete: str
    user_code: str
    expires_at: datetime
    interval: float


# ---------------------------------------------------------------------------
# the device authorization flow
# ---------------------------------------------------------------------------
def login(
    session: SsoSession,
    on_code: Callable[[DeviceCode], None],
    *,
    cancel: threading.Event | None = None,
    wait: Waiter | None = None,
    now: Clock = _utcnow,
) -> Token:
    """Log ``session`` in through the browser; returns the token written to the cache.

    ``on_code`` is called once, with the URL and the user code, before polling
    starts.  ``wait`` (default: ``cancel.wait``) sleeps between polls; ``cancel``
    set (or ``wait`` returning True) stops the login with :data:`CANCELLED`.
    """
    cancel = cancel or threading.Event()
    waiter = wait or cancel.wait
    oidc = clients.oidc_client(session.region)
    registration = _registration(session, oidc, now)
    try:
        code, device = _start(session, oidc, registration, now)
    except _RegistrationRefused:
        # the portal no longer knows the cached registration: register again, once
        registration = _registration(session, oidc, now, force=True)
        try:
            code, device = _start(session, oidc, registration, now)
        except _RegistrationRefused:
            raise SsoError(
                "StartDeviceAuthorization refused a new client registration"
                " (InvalidClientException)",
                None,
                SERVICE,
            ) from None
    on_code(code)
    answer = _poll(oidc, registration, device, code, waiter, cancel, now)
    expires_at = now() + timedelta(seconds=int(answer["expiresIn"]))
    previous = read_token(session)
    return write_token(
        session,
        access_token=answer["accessToken"],
        expires_at=expires_at,
        registration=registration,
        refresh_token=answer.get("refreshToken"),
        previous=previous.data if previous is not None else None,
    )


def _registration(session: SsoSession, oidc: Any, now: Clock, force: bool = False) -> Registration:
    """The cached client registration while it has 15 minutes left, else a new one."""
    if not force:
        cached = read_registration(session)
        if cached is not None and cached.valid(now()):
            return cached
    name = f"rolecall-{session.name}" if session.name else "rolecall-legacy"
    try:
        answer = oidc.register_client(
            clientName=name, clientType="public", scopes=list(session.scopes)
        )
    except Exception as exc:
        raise _error("RegisterClient", exc, session) from None
    expires = datetime.fromtimestamp(int(answer["clientSecretExpiresAt"]), UTC)
    registration = Registration(
        answer["clientId"], answer["clientSecret"], expires, tuple(session.scopes)
    )
    write_registration(session, registration)
    return registration


class _RegistrationRefused(Exception):
    """``StartDeviceAuthorization`` refused the cached client registration."""


def _start(
    session: SsoSession, oidc: Any, registration: Registration, now: Clock
) -> tuple[DeviceCode, str]:
    try:
        answer = oidc.start_device_authorization(
            clientId=registration.client_id,
            clientSecret=registration.client_secret,
            startUrl=session.start_url,
        )
    except Exception as exc:
        if clients.error_code(exc) == "InvalidClientException":
            raise _RegistrationRefused from None
        raise _error("StartDeviceAuthorization", exc, session) from None
    interval = answer.get("interval") or DEFAULT_INTERVAL
    code = DeviceCode(
        verification_uri=answer["verificationUri"],
        verification_uri_complete=answer.get("verificationUriComplete")
        or answer["verificationUri"],
        user_code=answer["userCode"],
        expires_at=now() + timedelta(seconds=int(answer["expiresIn"])),
        interval=max(float(interval), MIN_INTERVAL),
    )
    return code, answer["deviceCode"]


def _poll(
    oidc: Any,
    registration: Registration,
    device_code: str,
    code: DeviceCode,
    wait: Waiter,
    cancel: threading.Event,
    now: Clock,
) -> Mapping[str, Any]:
    """``CreateToken`` every ``interval`` seconds until approved, refused or expired."""
    interval = code.interval
    expired = SsoError(
        f"the login was not approved in time (the code {code.user_code} expired)",
        "run the login again",
        DEVICE_EXPIRED,
    )
    while True:
        if wait(interval) or cancel.is_set():
            raise SsoError("login cancelled", None, CANCELLED)
        if now() >= code.expires_at:
            raise expired
        try:
            answer: Mapping[str, Any] = oidc.create_token(
                grantType=DEVICE_GRANT,
                clientId=registration.client_id,
                clientSecret=registration.client_secret,
                deviceCode=device_code,
            )
            return answer
        except Exception as exc:
            reason = clients.error_code(exc)
            if reason == "AuthorizationPendingException":
                continue
            if reason == "SlowDownException":
                interval += SLOW_DOWN_DELAY
                continue
            if reason == "ExpiredTokenException":
                raise expired from None
            if reason == "AccessDeniedException":
                raise SsoError("the login was refused in the browser", None, DENIED) from None
            raise _error("CreateToken", exc, None) from None


# ---------------------------------------------------------------------------
# the refresh
# ---------------------------------------------------------------------------
def refresh(session: SsoSession, token: Token, now: Clock = _utcnow) -> Token:
    """Trade the refresh token for a new access token (``grantType=refresh_token``)
    and write it back, as botocore's ``SSOTokenProvider`` does."""
    registration = Registration.from_token(token)
    refresh_token = token.data.get("refreshToken")
    if registration is None or not isinstance(refresh_token, str):
        raise SsoError(
            f"the SSO token of {session.label} cannot be refreshed", None, LOGIN_REQUIRED
        )
    oidc = clients.oidc_client(session.region)
    try:
        answer = oidc.create_token(
            grantType=REFRESH_GRANT,
            clientId=registration.client_id,
            clientSecret=registration.client_secret,
            refreshToken=refresh_token,
        )
    except Exception as exc:
        raise _error("CreateToken", exc, session) from None
    return write_token(
        session,
        access_token=answer["accessToken"],
        expires_at=now() + timedelta(seconds=int(answer["expiresIn"])),
        registration=registration,
        refresh_token=answer.get("refreshToken") or refresh_token,
        previous=token.data,
    )


def valid_token(session: SsoSession, now: Clock = _utcnow) -> Token:
    """A token the portal will take: the cached one, refreshed silently when it has
    less than 15 minutes left; :data:`LOGIN_REQUIRED` when only a browser can help."""
    token = read_token(session)
    if token is None:
        raise SsoError(f"not logged in to {session.label}", session.login_hint(), LOGIN_REQUIRED)
    if not token.needs_refresh(now()):
        return token
    if token.refreshable(now()):
        try:
            return _refresh_locked(session, now)
        except SsoError as exc:
            if not token.expired(now()):
                return token  # still good for a few minutes: use it
            if exc.code == NETWORK:
                raise
            raise SsoError(
                f"the SSO token of {session.label} expired and could not be refreshed "
                f"({exc.message})",
                session.login_hint(),
                LOGIN_REQUIRED,
            ) from None
    if token.expired(now()):
        when = token.expires_at.strftime("%Y-%m-%d %H:%M UTC")
        raise SsoError(
            f"the SSO token of {session.label} expired at {when}",
            session.login_hint(),
            LOGIN_REQUIRED,
        )
    return token


def _refresh_locked(session: SsoSession, now: Clock) -> Token:
    """Refresh under a lock; a token another process refreshed meanwhile is used as is."""
    directory = os.path.dirname(session.token_path)
    try:
        purpose = f"refreshing the SSO token of {session.label}"
        with fsutil.locked_dir(directory, timeout=LOCK_TIMEOUT, purpose=purpose):
            current = read_token(session)
            if current is None:
                raise SsoError(f"not logged in to {session.label}", None, LOGIN_REQUIRED)
            if not current.needs_refresh(now()):
                return current
            return refresh(session, current, now)
    except fsutil.LockTimeout as exc:  # (the holder named when it said who it is)
        who = f" ({exc.holder})" if exc.holder else ""
        raise SsoError(
            f"another rolecall{who} is refreshing the SSO token", None, SERVICE
        ) from None


# ---------------------------------------------------------------------------
# errors and the browser
# ---------------------------------------------------------------------------
def _error(operation: str, exc: Exception, session: SsoSession | None) -> SsoError:
    if clients.is_network_error(exc):
        return SsoError(
            f"cannot reach IAM Identity Center ({operation}): {_first_line(exc)}",
            "check the network (and AWS_ENDPOINT_URL_SSO_OIDC)",
            NETWORK,
        )
    code = clients.error_code(exc)
    if code is None:
        return SsoError(f"{operation} failed: {_first_line(exc)}", None, SERVICE)
    message = f"{operation} failed: {code}: {clients.error_text(exc)}"
    if code in ("InvalidGrantException", "InvalidClientException", "UnauthorizedClientException"):
        hint = session.login_hint() if session is not None else None
        return SsoError(message, hint, LOGIN_REQUIRED)
    return SsoError(message, None, SERVICE)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def browser_available(env: Mapping[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether a browser can be opened here: macOS and Windows always; elsewhere only
    with a display or ``$BROWSER`` (never a text browser taking over the terminal).

    >>> browser_available({}, "linux"), browser_available({"DISPLAY": ":0"}, "linux")
    (False, True)
    """
    env = os.environ if env is None else env
    if platform == "darwin" or platform.startswith("win"):
        return True
    return any(env.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"))


def open_browser(url: str) -> None:
    """Open ``url`` with :mod:`webbrowser`, in the background (a ``$BROWSER`` command
    may run until it exits); failures are ignored: the URL is always printed too."""

    def run() -> None:
        import webbrowser

        try:
            webbrowser.open(url, new=2)
        except Exception:  # a browser that fails is not the login failing
            pass

    threading.Thread(target=run, name="rolecall-browser", daemon=True).start()


def token_remaining(session: SsoSession) -> timedelta | None:
    """How long the cached token has left (negative: expired); None when there is none."""
    token = read_token(session)
    return None if token is None else token.remaining()


def expiry_text(when: datetime) -> str:
    """``2026-11-28 05:33 UTC``."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def humanize_remaining(token: Token, now: datetime | None = None) -> str:
    """``7h59m left`` or ``expired 3m ago``."""
    text = timestamps.humanize(token.remaining(now))
    return text if text.startswith("expired") else f"{text} left"
