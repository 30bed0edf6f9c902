"""Network failures as one line each: connect and read timeouts, a proxy, TLS, DNS,
a refused or closed connection.  Pure, like ``classify.py``, which calls it.

The wording names the URL and the timeout that applied, and the hint names the
settings that choose the endpoint (``AWS_ENDPOINT_URL_STS``, the profile's
region and ``endpoint_url``), because a wrong endpoint is the usual cause.
"""

from __future__ import annotations

from rolecall.core.sts import errors
from rolecall.core.sts.clients import timeouts
from rolecall.core.sts.errors import AssumeError

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

__all__ = ["network_error"]


def network_error(
    exc: Any, service: str, endpoint: str, kwargs: dict[str, Any]
) -> AssumeError | None:
    """The AssumeError when ``service`` (or the proxy before it) could not be reached, else None.

    ``endpoint`` is named when the exception carries no URL; ``kwargs`` are the
    exception's (botocore keeps the URL, the proxy and the socket error there).
    """
    from botocore import exceptions as bx

    url = kwargs.get("endpoint_url")
    url = str(url).rstrip("/") if url else endpoint
    if isinstance(exc, bx.ConnectTimeoutError):
        return AssumeError(
            f"cannot reach {service} at {url}: connect timed out after {timeouts()[0]:g} s",
            _endpoint_hint(),
            errors.ENDPOINT_UNREACHABLE,
        )
    if isinstance(exc, bx.ReadTimeoutError):
        return AssumeError(
            f"{service} at {url} did not answer within {timeouts()[1]:g} s",
            "try again; " + _endpoint_hint(),
            errors.ENDPOINT_TIMEOUT,
        )
    if isinstance(exc, bx.ProxyConnectionError):
        return AssumeError(
            f"cannot reach the HTTPS proxy {kwargs.get('proxy_url', '')} for {service}",
            "check HTTPS_PROXY / HTTP_PROXY",
            errors.ENDPOINT_UNREACHABLE,
        )
    if isinstance(exc, bx.SSLError):
        return AssumeError(
            f"TLS with {service} at {url} failed",
            "check AWS_CA_BUNDLE and the system clock",
            errors.ENDPOINT_UNREACHABLE,
        )
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectionClosedError, bx.ConnectionError)):
        reason = _connection_reason(str(kwargs.get("error", "") or ""))
        if reason is None:
            closed = isinstance(exc, bx.ConnectionClosedError)
            reason = "the connection was closed" if closed else "connection failed"
        return AssumeError(
            f"cannot reach {service} at {url}: {reason}",
            _endpoint_hint(),
            errors.ENDPOINT_UNREACHABLE,
        )
    return None


def _connection_reason(detail: str) -> str | None:
    """Why a connection failed, from the socket error's text (None when it says nothing).

    >>> _connection_reason("[Errno 111] Connection refused")
    'connection refused'
    >>> _connection_reason("[Errno -2] Name or service not known")
    'DNS lookup failed'
    """
    low = detail.lower()
    if "refused" in low:
        return "connection refused"
    dns = ("name or service not known", "nodename nor servname", "getaddrinfo", "name resolution")
    if any(s in low for s in dns):
        return "DNS lookup failed"
    if "timed out" in low:
        return "timed out"
    return None


def _endpoint_hint() -> str:
    return (
        "check the network, and AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL or the profile's "
        "region and endpoint_url"
    )
