"""boto3's ``sso-oidc`` and ``sso`` clients, made lazily: unsigned, short timeouts.

Both services take no AWS signature (the portal takes the access token in a
header), so the clients are ``UNSIGNED`` and need no credentials.  They are
made from a botocore session that never reads the config files (botocore would
parse the whole config for each new session), and honour
``AWS_ENDPOINT_URL_SSO_OIDC`` and ``AWS_ENDPOINT_URL_SSO`` as botocore does:
that is how the tests and the demo point them at the local fake
(:mod:`rolecall.fakes.sso`).

botocore's retries are off: :mod:`.discovery` backs off on
``TooManyRequestsException`` itself, and a login polls at its own pace.  This
is the only module of the package that imports boto3 or botocore at the top of
a function; the others catch its errors through :func:`error_code`.
"""

from __future__ import annotations

import os
import threading
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    from rolecall.core.sso.errors import SsoError
    from rolecall.core.sso.session import SsoSession

__all__ = [
    "CONNECT_TIMEOUT",
    "MAX_POOL",
    "READ_TIMEOUT",
    "TIMEOUT_ENV",
    "error_code",
    "is_network_error",
    "oidc_client",
    "portal_client",
    "portal_error",
]

#: Seconds to connect, and to wait for an answer (``$ROLECALL_SSO_TIMEOUT`` sets both).
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
TIMEOUT_ENV = "ROLECALL_SSO_TIMEOUT"
#: Connections kept open per client: discovery keeps up to 8 requests in flight.
MAX_POOL = 10

_lock = threading.Lock()
_sessions: dict[str, Any] = {}


def _timeouts() -> tuple[float, float]:
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    try:
        value = float(raw) if raw else 0.0
    except ValueError:
        value = 0.0
    if 0 < value <= 3600:
        return value, value
    return CONNECT_TIMEOUT, READ_TIMEOUT


def _boto3_session() -> Any:
    """One boto3 session per process, over a botocore session with an empty config."""
    with _lock:
        session = _sessions.get("boto3")
        if session is None:
            import boto3.session
            import botocore.session

            core = botocore.session.Session(profile="rolecall-sso")
            # full_config is read from here, never from ~/.aws/config
            core._config = {"profiles": {"rolecall-sso": {}}, "sso_sessions": {}, "services": {}}
            session = boto3.session.Session(botocore_session=core)
            _sessions["boto3"] = session
        return session


def _client(service: str, region: str) -> Any:
    from botocore import UNSIGNED
    from botocore.config import Config

    connect, read = _timeouts()
    config = Config(
        signature_version=UNSIGNED,
        connect_timeout=connect,
        read_timeout=read,
        retries={"total_max_attempts": 1, "mode": "standard"},
        max_pool_connections=MAX_POOL,
        # every parameter is built here, not typed by a person: checking them
        # again costs 7% of a 500-account discovery
        parameter_validation=False,
    )
    session = _boto3_session()
    with _lock:  # creating clients from one session is not thread-safe
        return session.client(service, region_name=region, config=config)


def oidc_client(region: str) -> Any:
    """An ``sso-oidc`` client (RegisterClient, StartDeviceAuthorization, CreateToken)."""
    return _client("sso-oidc", region)


def portal_client(region: str) -> Any:
    """An ``sso`` (portal) client (ListAccounts, ListAccountRoles, GetRoleCredentials,
    Logout)."""
    return _client("sso", region)


def error_code(exc: BaseException) -> str | None:
    """The service's error code of a botocore ``ClientError``; None for anything else."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    error = response.get("Error")
    code = error.get("Code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


def error_text(exc: BaseException) -> str:
    """The service's message of a ``ClientError`` (``error_description`` for OIDC)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        desc = response.get("error_description")
        error = response.get("Error")
        msg = error.get("Message") if isinstance(error, dict) else None
        for text in (desc, msg):
            if isinstance(text, str) and text.strip():
                return " ".join(text.split())[:200]
    return type(exc).__name__


def is_network_error(exc: BaseException) -> bool:
    """A connection refused or reset, a timeout, a bad endpoint: not the service's answer."""
    from botocore import exceptions as bx

    network = (
        bx.EndpointConnectionError,
        bx.ConnectionClosedError,
        bx.ReadTimeoutError,
        bx.ConnectTimeoutError,
        bx.HTTPClientError,
    )
    return isinstance(exc, network)


def portal_error(
    operation: str, exc: Exception, session: SsoSession, role: tuple[str, str] | None = None
) -> SsoError:
    """What a failed portal call (``ListAccounts``, ``GetRoleCredentials``...) tells the user.

    ``role`` is the ``(account ID, role name)`` a ``GetRoleCredentials`` asked for.
    """
    from rolecall.core.sso.errors import NETWORK, SERVICE, THROTTLED, UNAUTHORIZED, SsoError

    if is_network_error(exc):
        return SsoError(
            f"cannot reach the SSO portal ({operation}): {str(exc).splitlines()[0][:200]}",
            "check the network (and AWS_ENDPOINT_URL_SSO)",
            NETWORK,
        )
    code = error_code(exc)
    if code == "UnauthorizedException":
        return SsoError(
            f"the SSO portal refused the token of {session.label}",
            session.login_hint(),
            UNAUTHORIZED,
        )
    if code == "TooManyRequestsException":
        return SsoError(
            f"the SSO portal kept throttling {operation}",
            "try again in a minute",
            THROTTLED,
        )
    if code == "ForbiddenException" and role is not None:
        return SsoError(
            f"no access to role {role[1]} in account {role[0]} through {session.label}",
            "`rolecall sso roles --refresh` lists what the token grants now",
            SERVICE,
        )
    text = error_text(exc)
    return SsoError(f"{operation} failed: {code or type(exc).__name__}: {text}", None, SERVICE)
