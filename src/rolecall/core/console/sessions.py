"""Which credentials open a profile's console, and how long its session may last.

The federation endpoint takes only temporary credentials.  How they were made
decides what ``SessionDuration`` (the console session's length) may be, per
AWS's "Enable custom identity broker access to the AWS console" page:

* a role session (``AssumeRole*``) may ask for ``SessionDuration`` from 900 to
  43200 s, but only when the role was assumed with an IAM user's *long-term*
  keys: "if you use the AssumeRole* API operations, you must call them as an
  IAM user with long-term credentials. Otherwise, the call to the federation
  endpoint ... fails" (role chaining; aws-sso-cli and teleport hit the same
  400).  A role assumed with role credentials, or with an MFA session's
  (GetSessionToken) credentials, is chained: no ``SessionDuration``, and its
  console session lasts as long as its credentials (at most 1 hour);
* SSO role credentials and web identity roles are role sessions that were not
  chained: ``SessionDuration`` is allowed;
* an IAM user's long-term keys get GetFederationToken first; its
  DurationSeconds (900 to 129600 s) is the console session's length, and
  "do not use the SessionDuration HTTP parameter if you got the temporary
  credentials with GetFederationToken. Doing so will cause the operation to fail";
* a profile's own temporary credentials (a session token in the credentials
  file, a ``credential_process``) are of unknown origin: they are sent as they
  are, with no ``SessionDuration``.

Without ``--duration`` no ``SessionDuration`` is sent: the console session then
lasts as long as the credentials (AWS's default), and a federated one an hour.
What is unknown is treated as chained: a shorter session, never a refusal.
Pure: the parsed profiles only, no boto3, no network.
"""

from __future__ import annotations

from rolecall.core.console.errors import BAD_DURATION, ConsoleError
from rolecall.core.limits import (
    CONSOLE_MAX_DURATION,
    DEFAULT_DURATION,
    FEDERATION_MAX_DURATION,
    MIN_DURATION,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from rolecall.core.profiles import ProfileSet

__all__ = [
    "CHAINED",
    "FEDERATION",
    "OWN",
    "ROLE",
    "SSO",
    "TEMPORARY",
    "WEB_IDENTITY",
    "DurationRule",
    "duration_rule",
    "own_kind",
    "planned_kind",
]

#: AssumeRole signed by an IAM user's long-term keys.
ROLE = "role"
#: AssumeRole signed by temporary credentials (role chaining, an MFA session, an instance role).
CHAINED = "chained"
#: IAM Identity Center role credentials.
SSO = "sso"
#: AssumeRoleWithWebIdentity.
WEB_IDENTITY = "web-identity"
#: The profile's own credentials, whose kind shows once they are read (:func:`own_kind`).
OWN = "own"
#: GetFederationToken with an IAM user's long-term keys.
FEDERATION = "federation"
#: The profile's own temporary credentials, sent as they are.
TEMPORARY = "temporary"
#: Kinds whose sign-in may ask for a SessionDuration.
_SESSION_DURATION_OK = frozenset({ROLE, SSO, WEB_IDENTITY})


def planned_kind(profiles: ProfileSet, name: str) -> str:
    """How the console credentials of ``name`` are made, from the config alone.

    Raises ``AssumeError`` when the profile cannot be assumed as configured.
    A profile that assumes no role gives :data:`OWN` (see :func:`own_kind`).
    """
    from rolecall.core.sts.plan import make_plan, mfa_session_for

    plan = make_plan(profiles, name)
    root = plan.root
    if not plan.hops:
        if root.kind == "sso":
            return SSO
        if root.kind == "web-identity":
            return WEB_IDENTITY
        return OWN
    if len(plan.hops) > 1 or root.kind != "static":
        return CHAINED
    keys = profiles[root.profile].values
    if keys.get("aws_session_token") or mfa_session_for(profiles, plan) is not None:
        return CHAINED  # temporary keys, or an MFA session (GetSessionToken) signs the hop
    return ROLE


def own_kind(session_token: str | None) -> str:
    """The kind of a profile's own credentials: long-term keys are federated first.

    >>> own_kind(None), own_kind("IQoJ...")
    ('federation', 'temporary')
    """
    return FEDERATION if not session_token else TEMPORARY


class DurationRule:
    """What ``--duration`` becomes: a SessionDuration, a GetFederationToken duration, a warning."""

    __slots__ = ("session_duration", "federation_duration", "warning")

    def __init__(
        self,
        session_duration: int | None = None,
        federation_duration: int | None = None,
        warning: str | None = None,
    ) -> None:
        #: the ``SessionDuration`` sent with getSigninToken (None: not sent)
        self.session_duration = session_duration
        #: the DurationSeconds of GetFederationToken (only for :data:`FEDERATION`)
        self.federation_duration = federation_duration
        #: why ``--duration`` was not used, when it was not
        self.warning = warning

    def __repr__(self) -> str:
        return (
            f"DurationRule(session_duration={self.session_duration!r}, "
            f"federation_duration={self.federation_duration!r}, warning={self.warning!r})"
        )


def duration_rule(kind: str, duration: int | None) -> DurationRule:
    """What ``duration`` (``--duration``, or None) means for credentials of ``kind``.

    Raises :class:`ConsoleError` for a duration the console can never grant.

    >>> duration_rule("role", 7200).session_duration, duration_rule("federation", None)
    (7200, DurationRule(session_duration=None, federation_duration=3600, warning=None))
    >>> duration_rule("chained", 7200).warning is not None
    True
    """
    top = FEDERATION_MAX_DURATION if kind in (OWN, FEDERATION) else CONSOLE_MAX_DURATION
    if duration is not None and not MIN_DURATION <= duration <= top:
        federated = top == FEDERATION_MAX_DURATION
        what = "a federated console session" if federated else "a console session"
        raise ConsoleError(
            f"--duration {duration} is outside {MIN_DURATION}..{top} seconds for {what}",
            f"use a value from {MIN_DURATION} (15 minutes) to {top} ({top // 3600} hours)",
            BAD_DURATION,
        )
    if kind == FEDERATION:
        return DurationRule(federation_duration=duration or DEFAULT_DURATION)
    if duration is None or kind == OWN:
        return DurationRule()
    if kind in _SESSION_DURATION_OK:
        return DurationRule(session_duration=duration)
    why = (
        "its credentials are temporary keys of unknown origin"
        if kind == TEMPORARY
        else "its role is assumed with temporary credentials (role chaining)"
    )
    return DurationRule(
        warning=f"--duration is ignored: {why}, so AWS allows no SessionDuration; "
        "the console session lasts as long as the credentials (at most 1 hour when chained)"
    )
