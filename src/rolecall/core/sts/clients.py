"""boto3 and botocore, lazily: timeouts, a session that never reads the config
files, the default client factory, and the warm-up.

Nothing here imports boto3 or botocore at module level: they load on the first
client (about 0.15 s of CPU), never on a cache hit.  Every botocore Session
rolecall builds is given the few profiles it needs as its ``full_config``,
because botocore re-parses the whole config for each new Session (0.5 s at
10,000 profiles).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping
    from typing import Any

__all__ = [
    "CONNECT_TIMEOUT",
    "READ_TIMEOUT",
    "TIMEOUT_ENV",
    "BotoClientFactory",
    "botocore_session",
    "client_config",
    "default_client_factory",
    "timeouts",
    "warm_up",
]

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
#: Seconds; overrides both timeouts above (a slow link, or tests of a hung endpoint).
TIMEOUT_ENV = "ROLECALL_STS_TIMEOUT"
#: The keys of the client :func:`warm_up` builds: explicit, so that botocore
#: resolves no credentials (no file read, no instance metadata request).  The
#: client is never used to call anything.
_WARM_KEYS = {"access_key_id": "ROLECALLWARMUP", "secret_access_key": "rolecall-warm-up"}


def timeouts() -> tuple[float, float]:
    """``(connect, read)`` timeouts: ``$ROLECALL_STS_TIMEOUT`` for both when it is a
    positive number of seconds, else 5 s and 10 s."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if raw:
        try:
            value = float(raw)
        except ValueError:
            value = 0.0
        if 0 < value <= 3600:
            return value, value
    return CONNECT_TIMEOUT, READ_TIMEOUT


def client_config(**extra: Any) -> Any:
    """A botocore ``Config``: the timeouts above, and one attempt (rolecall retries itself)."""
    from botocore.config import Config

    connect, read = timeouts()
    return Config(
        connect_timeout=connect,
        read_timeout=read,
        retries={"total_max_attempts": 1, "mode": "standard"},
        **extra,
    )


def botocore_session(config: Mapping[str, Any] | None = None, profile: str | None = None) -> Any:
    """A botocore Session that never reads the config files: ``config`` is its full_config.

    botocore re-parses the whole config for each new Session (0.5 s at 10,000
    profiles); this one holds only the few profiles an assume needs.
    """
    import botocore.session

    name = profile or "rolecall"
    full: dict[str, Any] = {"profiles": {name: {}}, "sso_sessions": {}, "services": {}}
    if config:
        for k, v in config.items():
            full[k] = v
        full.setdefault("profiles", {}).setdefault(name, {})
    session = botocore.session.Session(profile=name)
    session._config = full  # full_config is read from here, never from the files
    return session


class BotoClientFactory:
    """The default ``client_factory``: boto3 clients with short timeouts and no retries.

    Throttling is retried by :func:`rolecall.core.sts.calls.call` (a small bounded
    loop), connection errors are not: they fail fast with the URL.
    """

    def __init__(self, botocore_session: Any | None = None) -> None:
        import threading

        self._botocore_session = botocore_session
        self._boto3_session: Any = None
        self._lock = threading.Lock()

    def _session(self) -> Any:
        with self._lock:
            if self._boto3_session is None:
                import boto3.session

                bs = self._botocore_session or botocore_session()
                self._boto3_session = boto3.session.Session(botocore_session=bs)
            return self._boto3_session

    def __call__(
        self,
        service: str,
        *,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session_token: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
    ) -> Any:
        return self._session().client(
            service,
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            aws_session_token=session_token,
            config=client_config(),
        )


def default_client_factory(
    service: str,
    *,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> Any:
    """A boto3 client built without reading the AWS config files (:class:`BotoClientFactory`)."""
    return BotoClientFactory()(
        service,
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        session_token=session_token,
        region=region,
        endpoint_url=endpoint_url,
    )


def warm_up(factory: Any) -> None:
    """Build (and drop) one STS client with ``factory``, so that the next one is quick.

    The first client of a boto3 session loads boto3, botocore, the endpoint data
    and the STS model (~0.15 s of CPU).  This one is given explicit keys, so
    botocore resolves no credentials: it reads neither AWS file and asks no
    instance metadata service.  It calls nothing.
    """
    factory("sts", region="us-east-1", **_WARM_KEYS)
