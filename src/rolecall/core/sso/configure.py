"""A new ``[sso-session NAME]``: its fields checked, its default name, what is written.

``rolecall sso configure`` and the UI's ``n`` form (its SSO choice) both add a
session through here, so that they accept the same start URLs, regions and
names, and write the same settings::

    [sso-session acme]
    sso_start_url = https://acme.awsapps.com/start
    sso_region = eu-west-1
    sso_registration_scopes = sso:account:access

The edit itself is :func:`rolecall.core.edit.add_sso_session` (locked, checked
against how botocore reads it back, atomic).  No network here.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rolecall.core.sso.session import DEFAULT_SCOPES

__all__ = [
    "default_name",
    "name_problem",
    "region_problem",
    "session_settings",
    "start_url_problem",
]

_REGION_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


def start_url_problem(start_url: str) -> str | None:
    """Why ``start_url`` cannot be a portal's start URL, or None.

    ``https`` only; ``http`` for a portal on this machine (the tests' and the
    demo's fake).

    >>> start_url_problem("https://acme.awsapps.com/start") is None
    True
    >>> start_url_problem("http://acme.awsapps.com/start")
    "not an https URL: 'http://acme.awsapps.com/start'"
    """
    try:
        url = urlsplit(start_url)
        host = url.hostname
    except ValueError:
        host = None
    if host and (url.scheme == "https" or (url.scheme == "http" and host in _LOCAL)):
        return None
    return f"not an https URL: {start_url!r}"


_LOCAL = ("127.0.0.1", "localhost")


def region_problem(region: str) -> str | None:
    """Why ``region`` is not an AWS region name, or None.

    >>> region_problem("eu-west-1") is None, region_problem("europe")
    (True, "not an AWS region: 'europe' (e.g. eu-west-1)")
    """
    if _REGION_RE.fullmatch(region):
        return None
    return f"not an AWS region: {region!r} (e.g. eu-west-1)"


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a new session, or None (the editor refuses the rest:
    line breaks, ``]``, control characters).

    >>> name_problem("acme") is None, name_problem(" "), name_problem("default")
    (True, 'a session needs a name', "an sso-session cannot be called 'default'")
    """
    if not name.strip():
        return "a session needs a name"
    if name == "default":
        return "an sso-session cannot be called 'default'"
    return None


def default_name(start_url: str) -> str:
    """``acme`` for ``https://acme.awsapps.com/start``: the host's first label.

    >>> default_name("https://d-9067a1b2c3.awsapps.com/start"), default_name("nonsense")
    ('d-9067a1b2c3', 'sso')
    """
    try:
        host = urlsplit(start_url).hostname or ""
    except ValueError:
        host = ""
    label = host.split(".")[0] if host else ""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-") or "sso"


def session_settings(start_url: str, region: str, scopes: str | None = None) -> dict[str, str]:
    """The settings of the section, in the order they are written."""
    return {
        "sso_start_url": start_url,
        "sso_region": region,
        "sso_registration_scopes": scopes or ",".join(DEFAULT_SCOPES),
    }
