"""rolecall's MFA sessions (``GetSessionToken`` results): which root and device can
use one, its key, and reading and writing it in rolecall's own cache directory.
"""

from __future__ import annotations

from datetime import timedelta

from rolecall.core.cache.binding import _bound, mfa_session_mismatch
from rolecall.core.cache.entries import read_entry, write_entry
from rolecall.core.cache.json_files import private_dir
from rolecall.core.cache.keys import json_key, mfa_cache_dir, rolecall_cache_dir
from rolecall.core.cache.trust import _untrusted_dir

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping
    from typing import Any

    from rolecall.core.cache.entries import CacheEntry
    from rolecall.core.profiles import ProfileSet

__all__ = [
    "MFA_EXPIRY_WINDOW",
    "mfa_root",
    "mfa_session_key",
    "read_mfa_session",
    "write_mfa_session",
]

#: An MFA session only needs to outlive the AssumeRole call it signs.
MFA_EXPIRY_WINDOW = timedelta(minutes=1)


def mfa_session_key(profile: str, mfa_serial: str, access_key_id: str) -> str:
    """The file name (no suffix) of an MFA session of ``profile``'s long-term keys."""
    args = {"AccessKeyId": access_key_id, "Profile": profile, "SerialNumber": mfa_serial}
    return json_key(args)


def read_mfa_session(key: str, profile: str, serial: str) -> CacheEntry | None:
    """rolecall's cached MFA session (``GetSessionToken``) for ``key``, if readable and
    the session of ``profile``'s keys and device ``serial`` (:func:`mfa_session_mismatch`)."""
    if _untrusted_dir(rolecall_cache_dir()):
        return None
    entry = read_entry(key, mfa_cache_dir())
    if entry is None:
        return None
    return _bound(entry, mfa_session_mismatch(entry.data, profile, serial))


def write_mfa_session(key: str, document: Mapping[str, Any]) -> str:
    """Store an MFA session 0600 in rolecall's own cache directory (0700)."""
    private_dir(rolecall_cache_dir())
    return write_entry(key, document, mfa_cache_dir())


def mfa_root(profiles: ProfileSet, name: str) -> tuple[str, str, str] | None:
    """``(root profile, mfa_serial, access key id)`` when an assume of ``name`` can use
    an MFA session: its first hop (or its root) has ``mfa_serial`` and the root holds
    long-term static keys (no ``aws_session_token``).  The root itself qualifies too.
    """
    prof = profiles.get(name)
    if prof is None:
        return None
    chain = prof.chain
    root = profiles.get(chain[-1])
    if root is None:
        return None
    values = root.values
    akid = values.get("aws_access_key_id")
    if not isinstance(akid, str) or "aws_session_token" in values:
        return None
    if "aws_secret_access_key" not in values:
        return None
    if len(chain) == 1:
        if prof.kind != "static":
            return None  # a credential_source role: its root is not these keys
        serial = root.mfa_serial
    else:
        first_hop = profiles.get(chain[-2])
        serial = (first_hop.mfa_serial if first_hop is not None else None) or root.mfa_serial
    if serial is None:
        return None
    return root.name, serial, akid
