"""Where STS is called: the endpoint URL and the region, decided as botocore decides.

Read from the environment and the parsed profiles only: this module never
imports boto3 or botocore, so a cache hit and ``mfa_needed`` can use it.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from rolecall.core.profiles import Profile, ProfileSet

__all__ = ["FALLBACK_REGION", "display_url", "region_for", "sts_endpoint_url"]

#: The STS region when neither the profile nor AWS_REGION names one (botocore
#: would use the global endpoint, which is us-east-1; an endpoint URL needs a region).
FALLBACK_REGION = "us-east-1"


def sts_endpoint_url(profiles: ProfileSet | None, top: Profile | None) -> str | None:
    """The STS endpoint URL botocore would use when one is configured, else None.

    The order is botocore's: ``AWS_ENDPOINT_URL_STS``, ``AWS_ENDPOINT_URL``, the
    profile's ``services`` section (``sts = endpoint_url = ...``), the profile's
    ``endpoint_url``; none when ``ignore_configured_endpoint_urls`` is true.
    """
    env = os.environ
    ignore = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
    if ignore is None and top is not None:
        ignore = top.get("ignore_configured_endpoint_urls")
    if ignore is not None and ignore.strip().lower() == "true":
        return None
    candidates: list[str | None] = [env.get("AWS_ENDPOINT_URL_STS"), env.get("AWS_ENDPOINT_URL")]
    if top is not None:
        services = top.get("services")
        if services is not None and profiles is not None:
            section = profiles.config.services.get(services, {})
            sts = section.get("sts")
            if isinstance(sts, dict):
                candidates.append(sts.get("endpoint_url"))
        candidates.append(top.get("endpoint_url"))
    for url in candidates:
        if url:
            return url
    return None


def region_for(top: Profile | None) -> str | None:
    """The profile's region, else ``AWS_REGION``, else ``AWS_DEFAULT_REGION``, else None."""
    if top is not None and top.region:
        return top.region
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None


def display_url(endpoint_url: str | None, region: str | None) -> str:
    """The URL an error message names: the configured one, else the regional endpoint.

    >>> display_url(None, "eu-west-1"), display_url(None, None)
    ('https://sts.eu-west-1.amazonaws.com', 'https://sts.amazonaws.com')
    """
    if endpoint_url:
        return endpoint_url
    if region:
        return f"https://sts.{region}.amazonaws.com"
    return "https://sts.amazonaws.com"
