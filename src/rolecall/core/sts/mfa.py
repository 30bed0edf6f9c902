"""The MFA session of a root's long-term keys: one code serves every role of that root.

When the first hop (or a user profile itself) names an ``mfa_serial`` and the
root holds static keys, rolecall calls GetSessionToken once and keeps the
session, 0600, in its own cache directory (not the CLI's: the CLI has no such
entry), as aws-vault and awsume do.  Which roots qualify is decided in
``plan.py`` (:func:`~rolecall.core.sts.plan.mfa_session_for`), without boto3.
"""

from __future__ import annotations

import contextlib

from rolecall.core.cache import mfa_sessions as _mfa_sessions
from rolecall.core.cache import timestamps as _timestamps
from rolecall.core.sts.calls import call, checked_credentials
from rolecall.core.sts.classify import CallInfo
from rolecall.core.sts.records import Credentials

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from rolecall.core.sts.context import Context

__all__ = ["MFA_SESSION_DURATION", "mfa_session"]

#: GetSessionToken duration for an MFA session (12 hours, the IAM user maximum is 36).
MFA_SESSION_DURATION = 43200


def mfa_session(
    ctx: Context, root_creds: Credentials, session: tuple[str, str, str]
) -> tuple[Credentials, str]:
    """Reuse or start the MFA session of the root's keys; returns its creds and file.

    ``session`` is ``(root profile, serial, key id)``.  The file is ``""`` when
    a new session could not be cached (it is still used).
    """
    root_name, serial, _ = session
    key = _mfa_sessions.mfa_session_key(*session)
    entry = _mfa_sessions.read_mfa_session(key, root_name, serial)
    if entry is not None and entry.fresh(ctx.now(), _mfa_sessions.MFA_EXPIRY_WINDOW):
        ctx.emit(
            "root",
            f"reusing the MFA session of {root_name!r} "
            f"(expires {_timestamps.format_expiration(entry.expiration)})",
            expiration=entry.expiration,
        )
        return Credentials.from_entry(entry), entry.path
    code = ctx.mfa_code(serial)
    ctx.emit("root", f"starting an MFA session for {root_name!r} ({serial})")
    info = CallInfo(
        "GetSessionToken",
        root_name,
        ctx.plan.root.describe(),
        root_creds,
        mfa_serial=serial,
        endpoint=ctx.display_url,
        region=ctx.call_region,
    )
    client = ctx.client("sts", root_creds)
    response = call(
        lambda: client.get_session_token(
            DurationSeconds=MFA_SESSION_DURATION, SerialNumber=serial, TokenCode=code
        ),
        info,
        ctx,
    )
    raw, expiration = checked_credentials(response, info, ctx.now())
    doc = {
        "Version": 1,
        "Profile": root_name,
        "SerialNumber": serial,
        "Credentials": {
            "AccessKeyId": raw["AccessKeyId"],
            "SecretAccessKey": raw["SecretAccessKey"],
            "SessionToken": raw["SessionToken"],
            "Expiration": expiration,
        },
    }
    path = ""
    with contextlib.suppress(OSError):
        path = _mfa_sessions.write_mfa_session(key, doc)
    creds = Credentials(raw["AccessKeyId"], raw["SecretAccessKey"], raw["SessionToken"], expiration)
    return creds, path
