"""The AWS console, signed in as a profile: the federation endpoint's sign-in link.

One module a job:

* ``sessions``: which credentials open the console, and the ``SessionDuration``
  rules (role sessions, chained roles, GetFederationToken, SSO), with the AWS
  documentation they come from;
* ``destinations``: partitions, their sign-in and console hosts, the page to
  land on (a URL, or a service shortcut and a region), ``$ROLECALL_FEDERATION_URL``;
* ``signin``: ``getSigninToken`` and the login URL (``urllib``, no boto3);
* ``link``: :func:`console_link`, the whole flow;
* ``errors``: :class:`ConsoleError` and its codes.

The login URL is a credential for 15 minutes: nothing here logs or prints it,
and ``ConsoleLink``'s ``repr`` hides it.  Opening a browser is the caller's job.
Importing this package loads no boto3 (the STS calls import it when made).
"""

from __future__ import annotations

from rolecall.core.console.destinations import (
    FEDERATION_URL_ENV,
    destination_url,
    federation_endpoint,
    partition_for,
)
from rolecall.core.console.errors import ConsoleError
from rolecall.core.console.link import ConsoleLink, console_link
from rolecall.core.console.sessions import duration_rule, planned_kind
from rolecall.core.console.signin import LINK_LIFETIME

__all__ = [
    "FEDERATION_URL_ENV",
    "LINK_LIFETIME",
    "ConsoleError",
    "ConsoleLink",
    "console_link",
    "destination_url",
    "duration_rule",
    "federation_endpoint",
    "partition_for",
    "planned_kind",
]
