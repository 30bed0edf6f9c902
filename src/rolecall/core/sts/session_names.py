"""The RoleSessionName of a hop whose profile sets no ``role_session_name``.

STS accepts 2 to 64 characters of ``[\\w+=,.@-]``; rolecall uses the local user
name (or the settings' ``[defaults] session_name``), made valid.  Imported only
when a role is really assumed (``unicodedata`` and ``getpass`` inside functions).
"""

from __future__ import annotations

import re

__all__ = ["default_session_name", "sanitize_session_name"]


def sanitize_session_name(raw: str) -> str:
    """A valid RoleSessionName (``[\\w+=,.@-]``, 2 to 64 characters) made from ``raw``.

    >>> sanitize_session_name("José Smith"), sanitize_session_name("a")
    ('Jose-Smith', 'rolecall-a')
    """
    import unicodedata

    text = unicodedata.normalize("NFKD", raw)
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w+=,.@-]", "-", text, flags=re.ASCII)
    text = text[:64]
    if len(text) < 2:
        text = f"rolecall-{text}" if text else "rolecall"
    return text


def default_session_name() -> str:
    """The local user name, sanitised (see :func:`sanitize_session_name`)."""
    import getpass

    try:
        user = getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry
        user = ""
    return sanitize_session_name(user)
