"""The cache objects rolecall hands to botocore's credential and token providers.

botocore's own ``JSONFileCache`` reads ``~/.aws/sso/cache`` and ``~/.aws/cli/cache``
with a plain ``open()``: it follows symlinks, waits for a FIFO's writer, reads any
size, and uses whatever another user planted there.  :class:`ProviderCache` has
the same dict-like protocol (``in``, ``[key]``, ``[key] = value``, ``del``) over
rolecall's one trusted reader and writer (:func:`rolecall.core.cache.read_private_json`
and :func:`~rolecall.core.cache.write_private_json`): the same directory and file
checks as the CLI cache, and a ``check`` that binds each entry to what the
profile asks for (an SSO token to its portal, SSO role credentials to their
account, a web-identity answer to its role).  An entry that fails is a miss
(with one warning), so the provider fetches a new one and replaces it.

Nothing here imports botocore: root.py builds the providers.
"""

from __future__ import annotations

import os
import re

from rolecall.core.cache import binding as _binding
from rolecall.core.cache import entries as _entries
from rolecall.core.cache import json_files as _json_files
from rolecall.core.cache import timestamps as _timestamps

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Mapping
    from typing import Any

__all__ = ["ProviderCache", "credentials_check", "sso_token_check"]

#: botocore's cache keys are sha1 hex digests (``_make_file_safe`` of one, for roles)
_KEY_RE = re.compile(r"[0-9a-f]{40}")


class ProviderCache:
    """A botocore provider cache over one directory, read and written as rolecall does.

    ``check(data)`` says why a well-formed entry is not the one this provider
    asked for (None when it is).  Writes that cannot be made (an untrusted
    directory, a FIFO in the way) are warned about and dropped: the provider's
    credentials are still used, as with the CLI cache.
    """

    def __init__(self, directory: str, check: Callable[[Mapping[str, Any]], str | None]) -> None:
        self.directory = directory
        self._check = check
        #: the last entry read: botocore asks ``key in cache`` then ``cache[key]``
        self._last: tuple[str, dict[str, Any]] | None = None

    def _path(self, key: str) -> str | None:
        return os.path.join(self.directory, key + ".json") if _KEY_RE.fullmatch(key) else None

    def _load(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        return None if path is None else _binding.read_bound_json(path, self._check)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        data = self._load(key)
        self._last = None if data is None else (key, data)
        return data is not None

    def __getitem__(self, key: str) -> dict[str, Any]:
        last, self._last = self._last, None
        if last is not None and last[0] == key:
            return last[1]
        data = self._load(key)
        if data is None:
            raise KeyError(key)
        return data

    def __setitem__(self, key: str, value: Mapping[str, Any]) -> None:
        self._last = None
        path = self._path(key)
        if path is None:
            return
        try:
            _json_files.write_private_json(path, value)
        except (OSError, ValueError, TypeError):
            pass  # (warned about when untrusted): the credentials are still used

    def __delitem__(self, key: str) -> None:
        self._last = None
        path = self._path(key)
        if path is None:
            raise KeyError(key)
        try:
            os.unlink(path)
        except FileNotFoundError:
            raise KeyError(key) from None


def credentials_check(
    binding: Callable[[Mapping[str, Any]], str | None],
) -> Callable[[Mapping[str, Any]], str | None]:
    """A check for cached credentials: usable credentials (the shape and the
    ``Expiration`` a cache hit needs), then ``binding`` (whose they are)."""

    def check(data: Mapping[str, Any]) -> str | None:
        return _entries.credentials_problem_of(data) or binding(data)

    return check


def sso_token_check(start_url: str) -> Callable[[Mapping[str, Any]], str | None]:
    """A check for SSO tokens: an ``accessToken``, a readable ``expiresAt``, and the
    ``startUrl`` of the profile's portal."""

    def check(data: Mapping[str, Any]) -> str | None:
        token = data.get("accessToken")
        if not isinstance(token, str) or not token:
            return "holds no accessToken"
        if _timestamps.parse_expiration(data.get("expiresAt")) is None:
            return "holds no readable expiresAt"
        return _binding.sso_token_mismatch(data, start_url)

    return check
