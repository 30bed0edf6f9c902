"""GetFederationToken: temporary credentials for an IAM user's long-term keys.

The console's federation endpoint takes only temporary credentials, so a
profile whose own credentials are an IAM user's keys (no role, no session
token) gets a federated session here first, as aws-vault's ``login`` does.

The call passes an allow-everything session policy.  A federated session's
permissions are the intersection of its session policy and the user's own
policies; with no session policy it could do nothing at all (AWS: "in most
cases if you do not pass a policy ... the resulting temporary security
credentials have no permissions"), so this one gets the user's permissions.
GetFederationToken takes no MFA code: the console session it opens is not
MFA-authenticated.  boto3 is imported only when the call is made.
"""

from __future__ import annotations

from rolecall.core.cache import timestamps as _timestamps
from rolecall.core.limits import FEDERATION_MAX_DURATION, MIN_DURATION
from rolecall.core.sts.calls import call, checked_credentials
from rolecall.core.sts.classify import CallInfo
from rolecall.core.sts.endpoints import FALLBACK_REGION, display_url, region_for, sts_endpoint_url
from rolecall.core.sts.errors import INVALID_DURATION, AssumeError
from rolecall.core.sts.records import Credentials

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from datetime import datetime

    from rolecall.core.profiles import ProfileSet
    from rolecall.core.sts.records import ClientFactory

__all__ = ["ALLOW_ALL_POLICY", "FederatedSession", "federated_user_name", "federation_token"]

#: The session policy of a federated console session: the user's own permissions.
ALLOW_ALL_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
)
#: The longest ``Name`` GetFederationToken accepts (of ``[\w+=,.@-]``, at least 2).
_NAME_MAX = 32


class FederatedSession:
    """What GetFederationToken gave: the credentials and the federated user's ARN."""

    __slots__ = ("credentials", "arn")

    def __init__(self, credentials: Credentials, arn: str | None) -> None:
        self.credentials = credentials
        self.arn = arn

    def __repr__(self) -> str:
        return f"FederatedSession(arn={self.arn!r}, credentials={self.credentials!r})"


def federated_user_name(raw: str) -> str:
    """A valid GetFederationToken ``Name`` (2 to 32 of ``[\\w+=,.@-]``) made from ``raw``.

    >>> federated_user_name("José Smith"), len(federated_user_name("x" * 40))
    ('Jose-Smith', 32)
    """
    from rolecall.core.sts.session_names import sanitize_session_name

    return sanitize_session_name(raw)[:_NAME_MAX]


def federation_token(
    profiles: ProfileSet,
    name: str,
    keys: Credentials,
    *,
    duration: int,
    user_name: str,
    client_factory: ClientFactory | None = None,
    now: Callable[[], datetime] | None = None,
) -> FederatedSession:
    """GetFederationToken signed with ``keys`` (the long-term keys of profile ``name``).

    ``duration`` is DurationSeconds (900..129600); STS is called in the profile's
    region and at its endpoint, as an assume would be.  Raises :class:`AssumeError`.
    """
    if not MIN_DURATION <= duration <= FEDERATION_MAX_DURATION:
        raise AssumeError(
            f"a federated console session of {duration} s is outside "
            f"{MIN_DURATION}..{FEDERATION_MAX_DURATION} seconds",
            f"use a value from {MIN_DURATION} (15 minutes) to {FEDERATION_MAX_DURATION} (36 hours)",
            INVALID_DURATION,
        )
    profile = profiles.get(name)
    region = region_for(profile) or FALLBACK_REGION
    endpoint = sts_endpoint_url(profiles, profile)
    if client_factory is None:
        from rolecall.core.sts.clients import BotoClientFactory

        client_factory = BotoClientFactory()
    client = client_factory(
        "sts",
        access_key_id=keys.access_key_id,
        secret_access_key=keys.secret_access_key,
        session_token=keys.session_token,
        region=region,
        endpoint_url=endpoint,
    )
    info = CallInfo(
        "GetFederationToken",
        name,
        f"the static keys of profile {name!r}",
        keys,
        duration=duration,
        endpoint=display_url(endpoint, region),
        region=region,
    )
    response = call(
        lambda: client.get_federation_token(
            Name=federated_user_name(user_name),
            DurationSeconds=duration,
            Policy=ALLOW_ALL_POLICY,
        ),
        info,
        None,
    )
    raw, expiration = checked_credentials(response, info, (now or _timestamps.now_utc)())
    user = response.get("FederatedUser") if isinstance(response, dict) else None
    arn = user.get("Arn") if isinstance(user, dict) else None
    creds = Credentials(raw["AccessKeyId"], raw["SecretAccessKey"], raw["SessionToken"], expiration)
    return FederatedSession(creds, arn if isinstance(arn, str) else None)
