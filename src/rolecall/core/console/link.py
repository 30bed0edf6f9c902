"""A profile's console sign-in link, from its credentials to the login URL.

:func:`console_link` does, in order (nothing reaches the network before the
checks are done):

1. decide how the credentials are made (``sessions.planned_kind``) and check
   ``--duration`` against it, and the destination against the partition;
2. assume the profile with the ``assume`` it is given (the CLI's or the UI's,
   so the cache, the MFA prompt and the progress are theirs); a profile that
   assumes no role gets its own credentials, without an MFA session;
3. for an IAM user's long-term keys, GetFederationToken
   (:func:`rolecall.core.sts.federation_token`);
4. ``getSigninToken`` with those temporary credentials, and the login URL.

The result, a :class:`ConsoleLink`, holds the URL (a credential for 15
minutes); its ``repr`` never shows it.
"""

from __future__ import annotations

from rolecall.core.console import sessions
from rolecall.core.console.destinations import destination_url, federation_endpoint, partition_for
from rolecall.core.console.signin import LINK_LIFETIME, login_url, signin_token

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from datetime import datetime
    from typing import Any

    from rolecall.core.profiles import ProfileSet
    from rolecall.core.sts.records import Credentials

__all__ = ["ConsoleLink", "console_link"]


class ConsoleLink:
    """A console sign-in: the URL (secret) and what it signs in as."""

    __slots__ = (
        "url",
        "profile",
        "arn",
        "account_id",
        "partition",
        "destination",
        "kind",
        "session_duration",
        "expires_at",
    )

    def __init__(
        self,
        url: str,
        profile: str,
        arn: str | None,
        account_id: str | None,
        partition: str,
        destination: str,
        kind: str,
        session_duration: int | None,
        expires_at: datetime | None,
    ) -> None:
        #: the login URL: a credential, valid for 15 minutes
        self.url = url
        self.profile = profile
        #: the ARN the console session is (an assumed role, a federated user)
        self.arn = arn
        self.account_id = account_id
        self.partition = partition
        #: the console page it lands on
        self.destination = destination
        #: how its credentials were made (``sessions.ROLE`` ...)
        self.kind = kind
        #: the SessionDuration asked for (None: as long as the credentials)
        self.session_duration = session_duration
        #: when the login URL stops working
        self.expires_at = expires_at

    def __repr__(self) -> str:
        return (
            f"ConsoleLink(profile={self.profile!r}, arn={self.arn!r}, kind={self.kind!r}, "
            f"destination={self.destination!r}, url='***')"
        )

    __str__ = __repr__


def console_link(
    profiles: ProfileSet,
    name: str,
    *,
    assume: Callable[..., Any],
    federate: Callable[..., Any] | None = None,
    destination: str | None = None,
    region: str | None = None,
    duration: int | None = None,
    user_name: str | None = None,
    warn: Callable[[str], None] | None = None,
    now: Callable[[], datetime] | None = None,
) -> ConsoleLink:
    """The console sign-in link of profile ``name``.

    * ``assume(profiles, name, mfa_session=...)`` returns an ``AssumeResult``
      (``rolecall.core.sts.assume`` with the caller's options bound);
    * ``federate(profiles, name, keys, duration=..., user_name=...)`` returns a
      ``FederatedSession`` (default: ``rolecall.core.sts.federation_token``);
    * ``destination``: an https URL or a service shortcut; ``region``: the
      console's region (default: the profile's);
    * ``duration``: ``--duration``, applied as :func:`sessions.duration_rule` says;
      ``warn(text)`` is told when it is not used.

    Raises ``AssumeError`` (the STS calls) or ``ConsoleError`` (the rest).
    """
    kind = sessions.planned_kind(profiles, name)
    sessions.duration_rule(kind, duration)  # refuse a bad --duration before any call
    from rolecall.core.sts.endpoints import region_for

    profile = profiles[name]
    planned_region = region or region_for(profile)
    partition = partition_for([profile.role_arn], planned_region)
    federation_endpoint(partition)  # a bad override or an unknown partition: before any call
    destination_url(destination, partition, planned_region)
    result = assume(profiles, name, mfa_session=kind != sessions.OWN)
    creds: Credentials = result.credentials
    arn: str | None = result.arn
    expiration = result.expiration
    if kind == sessions.OWN:
        kind = sessions.own_kind(creds.session_token)
    rule = sessions.duration_rule(kind, duration)
    if rule.warning and warn is not None:
        warn(rule.warning)
    if kind == sessions.FEDERATION:
        from rolecall.core.sts import default_session_name, federation_token

        assert rule.federation_duration is not None  # (duration_rule sets it for FEDERATION)
        session = (federate or federation_token)(
            profiles,
            name,
            creds,
            duration=rule.federation_duration,
            user_name=user_name or default_session_name(),
        )
        creds, arn = session.credentials, session.arn
        expiration = creds.expiration
    region = region or result.region
    partition = partition_for([arn, profile.role_arn], region)
    endpoint = federation_endpoint(partition)
    landing = destination_url(destination, partition, region)
    token = signin_token(endpoint, creds, rule.session_duration)
    account = result.account_id or profile.account_id
    if account is None:
        from rolecall.core.sts.chain import account_of

        account = account_of(arn)
    from datetime import timedelta

    from rolecall.core.cache.timestamps import now_utc

    made = (now or now_utc)()
    expires_at = made + timedelta(seconds=LINK_LIFETIME)
    if expiration is not None and expiration < expires_at:
        expires_at = expiration
    return ConsoleLink(
        login_url(endpoint, token, landing),
        name,
        arn,
        account,
        partition,
        landing,
        kind,
        rule.session_duration,
        expires_at,
    )
