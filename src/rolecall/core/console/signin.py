"""The federation endpoint: ``getSigninToken`` for temporary credentials, then the login URL.

::

    GET {endpoint}?Action=getSigninToken&Session={"sessionId": AKID, "sessionKey": SECRET,
                                                   "sessionToken": TOKEN}[&SessionDuration=S]
        -> {"SigninToken": "..."}
    {endpoint}?Action=login&Issuer=rolecall&Destination=URL&SigninToken=...

Both the request and the URL are credentials: no message here quotes them
(an ``HTTPError`` carries the request URL in ``.filename``, so it is turned into
a :class:`ConsoleError` naming only the endpoint's host and path).  The login
URL is valid for 15 minutes.  Standard library only (``urllib``), with the STS
timeouts (``$ROLECALL_STS_TIMEOUT``) and the environment's proxy settings.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from rolecall.core.console.destinations import shown_endpoint
from rolecall.core.console.errors import (
    ENDPOINT_REFUSED,
    ENDPOINT_UNREACHABLE,
    MALFORMED_ANSWER,
    ConsoleError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from rolecall.core.sts.records import Credentials

__all__ = ["ISSUER", "LINK_LIFETIME", "login_url", "session_json", "signin_token"]

#: ``Issuer`` of the login URL: who sent the person to the console.
ISSUER = "rolecall"
#: How long a login URL can be used, in seconds (AWS: 15 minutes).
LINK_LIFETIME = 900
#: The most of an answer read (a SigninToken is a few hundred bytes).
_MAX_ANSWER = 65536


def session_json(creds: Credentials) -> str:
    """The ``Session`` parameter: exactly the three parts of temporary credentials."""
    return json.dumps(
        {
            "sessionId": creds.access_key_id,
            "sessionKey": creds.secret_access_key,
            "sessionToken": creds.session_token,
        }
    )


def signin_token(endpoint: str, creds: Credentials, session_duration: int | None = None) -> str:
    """Ask ``endpoint`` for a SigninToken for ``creds`` (temporary credentials).

    Raises :class:`ConsoleError` (one line, no secret) when it refuses, cannot be
    reached, or answers without a token.
    """
    import http.client
    import urllib.error
    import urllib.request

    from rolecall.core.sts.clients import timeouts

    if not creds.session_token:
        raise ValueError("the federation endpoint takes temporary credentials only")
    params = {"Action": "getSigninToken", "Session": session_json(creds)}
    if session_duration is not None:
        params["SessionDuration"] = str(session_duration)
    where = shown_endpoint(endpoint)
    request = urllib.request.Request(
        f"{endpoint}?{urlencode(params)}", headers={"User-Agent": "rolecall"}
    )
    _, read_timeout = timeouts()
    try:
        with urllib.request.urlopen(request, timeout=read_timeout) as answer:
            body = answer.read(_MAX_ANSWER)
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
        hint = (
            "the credentials may have expired (try --no-cache), or AWS refuses a "
            "SessionDuration for them"
            if status in (400, 401, 403)
            else "try again in a moment"
        )
        raise ConsoleError(
            f"the sign-in endpoint {where} refused getSigninToken (HTTP {status})",
            hint,
            ENDPOINT_REFUSED,
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        text = getattr(reason, "strerror", None) or str(reason)
        raise ConsoleError(
            f"cannot reach the sign-in endpoint {where}: {' '.join(str(text).split())}",
            "check the network (and HTTPS_PROXY)",
            ENDPOINT_UNREACHABLE,
        ) from None
    except (TimeoutError, OSError, http.client.HTTPException, ValueError) as exc:
        # (never str(exc): a ValueError about the URL would quote the Session)
        if isinstance(exc, TimeoutError):
            what = "timed out"
        elif isinstance(exc, OSError) and exc.strerror:
            what = f"failed: {exc.strerror}"
        else:
            what = f"failed ({type(exc).__name__})"
        raise ConsoleError(
            f"the sign-in endpoint {where} {what}",
            "try again; set ROLECALL_STS_TIMEOUT for a slow link",
            ENDPOINT_UNREACHABLE,
        ) from None
    try:
        token = json.loads(body.decode("utf-8")).get("SigninToken")
    except (UnicodeDecodeError, ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token:
        raise ConsoleError(
            f"the sign-in endpoint {where} answered without a SigninToken",
            f"check {where} (and any proxy before it)",
            MALFORMED_ANSWER,
        )
    return token


def login_url(endpoint: str, token: str, destination: str, issuer: str = ISSUER) -> str:
    """The URL that signs the browser in and lands on ``destination`` (a credential).

    >>> login_url("https://signin.aws.amazon.com/federation", "T0K", "https://console.aws.amazon.com/s3/home")
    'https://signin.aws.amazon.com/federation?Action=login&Issuer=rolecall&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fhome&SigninToken=T0K'
    """
    query = urlencode(
        {"Action": "login", "Issuer": issuer, "Destination": destination, "SigninToken": token}
    )
    return f"{endpoint}?{query}"
