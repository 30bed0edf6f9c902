"""Assuming a role chain hop by hop, through boto3, sharing the AWS CLI's cache.

The public API, re-exported from the modules that hold each job:

* ``engine``: :func:`assume` (cache hit, lock, MFA session, hops, cache writes)
  and :func:`whoami`; its docstring tells the flow of an assume;
* ``plan``: a chain as a plan, :func:`is_cache_hit` and :func:`mfa_needed`
  (never boto3);
* ``records``: :class:`ProgressEvent`, :class:`Credentials`, :class:`AssumeResult`;
* ``errors``: :class:`AssumeError` and its codes;
* ``clients``: boto3 and botocore, lazily (:class:`BotoClientFactory`);
* ``endpoints``: where STS is called; ``session_names``: RoleSessionName;
* ``federation``: :func:`federation_token` (GetFederationToken, for the console).

A cache hit loads only ``engine``, ``plan``, ``context``, ``endpoints``,
``records`` and ``errors``; ``clients`` and ``session_names`` load on first use
(a module ``__getattr__``), and ``chain``, ``root``, ``mfa``, ``calls``,
``classify`` (with ``classify_network``) and ``lock`` on a miss.  boto3 and botocore are
imported only inside functions, when STS is really called.  Tests that change
a constant patch the module that reads it (``sts.calls.RETRY_BASE_DELAY``).
"""

from __future__ import annotations

from rolecall.core.sts.endpoints import sts_endpoint_url
from rolecall.core.sts.engine import assume, whoami
from rolecall.core.sts.errors import AssumeError
from rolecall.core.sts.plan import is_cache_hit, mfa_needed
from rolecall.core.sts.records import (
    AssumeResult,
    ClientFactory,
    Credentials,
    ProgressCallback,
    ProgressEvent,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from rolecall.core.sts.clients import BotoClientFactory, default_client_factory, warm_up
    from rolecall.core.sts.federation import FederatedSession, federation_token
    from rolecall.core.sts.session_names import default_session_name, sanitize_session_name

#: Names loaded on first use: a cache hit needs neither module.
_LAZY = {
    "BotoClientFactory": "clients",
    "default_client_factory": "clients",
    "warm_up": "clients",
    "default_session_name": "session_names",
    "sanitize_session_name": "session_names",
    "FederatedSession": "federation",
    "federation_token": "federation",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(f"{__name__}.{module}", fromlist=[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "AssumeError",
    "AssumeResult",
    "BotoClientFactory",
    "ClientFactory",
    "Credentials",
    "FederatedSession",
    "ProgressCallback",
    "ProgressEvent",
    "assume",
    "default_client_factory",
    "default_session_name",
    "federation_token",
    "is_cache_hit",
    "mfa_needed",
    "sanitize_session_name",
    "sts_endpoint_url",
    "warm_up",
    "whoami",
]
