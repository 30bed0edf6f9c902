"""Where the endpoint's credentials come from: the cache, or the whole chain assumed again.

:class:`ProfileRefresher` is the keeper's refresher for one profile:

* ``cached()`` reads, with no network call, the file an assume of that profile
  writes last: the CLI cache entry of its top role, or (for a profile that
  assumes no role) its MFA session.  This is how `rolecall assume X`, run in
  the shell after the endpoint asked for a new MFA code, reaches the endpoint:
  the shell's child and the serving parent share the cache files.
* ``assume()`` re-assumes the whole chain from its root (``use_cache=False``; a
  live MFA session is still reused), with no MFA prompt: when a code is
  needed, the :class:`~rolecall.core.serve.keeper.Refusal` says which command
  asks for it.

The config and credentials files are read again when they change (a stat of
each per refresh), so an edit made during the session is followed.
"""

from __future__ import annotations

import os
import shlex
import threading
from datetime import UTC, datetime

from rolecall.core.serve.keeper import Held, Refusal
from rolecall.core.sts import errors

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from rolecall.core.profiles import ProfileSet
    from rolecall.core.sts import AssumeError, AssumeResult

__all__ = ["ProfileRefresher", "held_from_result", "refusal_for"]

#: AssumeError codes that a person must act on with an MFA code.
_MFA_CODES = frozenset(
    {errors.MFA_REQUIRED, errors.MFA_CANCELLED, errors.MFA_INVALID, errors.MFA_FAILED}
)
#: AssumeError codes that may pass by themselves (network, throttling, STS trouble): 503.
_TRANSIENT_CODES = frozenset(
    {
        errors.ENDPOINT_UNREACHABLE,
        errors.ENDPOINT_TIMEOUT,
        errors.THROTTLING,
        errors.SERVER_ERROR,
        errors.MALFORMED_RESPONSE,
    }
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def refusal_for(err: AssumeError, profile: str, where: str) -> Refusal:
    """The endpoint's answer when assuming ``profile`` failed with ``err``.

    ``where`` completes "run `rolecall assume X` ..." (``"in this shell"``).

    >>> from rolecall.core.sts import AssumeError
    >>> r = refusal_for(AssumeError("an MFA code is needed for arn:m", "x", "MfaRequired"),
    ...                 "dev", "in this shell")
    >>> r.status, r.code
    (403, 'MfaRequired')
    >>> print(r.message.replace("; ", ";\\n"))
    rolecall cannot refresh profile dev: an MFA code is needed for arn:m;
    run `rolecall assume dev` in this shell to enter a new MFA code
    """
    code = err.code or "RefreshFailed"
    command = f"`rolecall assume {shlex.quote(profile)}`"
    if code in _MFA_CODES:
        text = f"{err.message}; run {command} {where} to enter a new MFA code"
    else:  # the error's own hint names what to do
        text = str(err)
    status = 503 if code in _TRANSIENT_CODES else 403
    return Refusal(status, code, f"rolecall cannot refresh profile {profile}: {text}")


def held_from_result(result: AssumeResult, issued: datetime) -> Held:
    """The keeper's record of an assume's result."""
    return Held(result.credentials, result.account_id, issued)


class ProfileRefresher:
    """Fresh credentials for one profile (see the module docstring)."""

    def __init__(
        self,
        profile: str,
        *,
        config: str | None = None,
        credentials: str | None = None,
        duration: int | None = None,
        default_duration: int | None = None,
        session_name: str | None = None,
        where: str = "in a terminal",
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.profile = profile
        self._config = config
        self._credentials = credentials
        self._duration = duration
        self._default_duration = default_duration
        self._session_name = session_name
        self._where = where
        self._clock = clock
        self._profiles: ProfileSet | None = None
        self._stamp: tuple[object, ...] | None = None
        self._lock = threading.Lock()  # requests and the keeper's thread both read them

    # -- the profiles, read again when the files change -----------------------
    def _files_stamp(self) -> tuple[object, ...]:
        from rolecall.core.config import config_path, credentials_path

        stamp: list[object] = []
        for path in (config_path(self._config), credentials_path(self._credentials)):
            try:
                st = os.stat(path)
                stamp.append((path, st.st_ino, st.st_size, st.st_mtime_ns))
            except OSError:
                stamp.append((path, None))
        return tuple(stamp)

    def profiles(self) -> ProfileSet:
        from rolecall.core.profiles import load_profiles

        with self._lock:
            stamp = self._files_stamp()
            if self._profiles is None or stamp != self._stamp:
                self._profiles = load_profiles(self._config, self._credentials)
                self._stamp = stamp
            return self._profiles

    # -- the refresher -------------------------------------------------------
    def cached(self) -> Held | None:
        from rolecall.core.cache import entries, keys, mfa_sessions

        profiles = self.profiles()
        prof = profiles.get(self.profile)
        if prof is None:
            return None
        key = keys.cache_key_for(prof)
        if key is not None and prof.role_arn is not None:
            entry = entries.read_role_entry(key, prof.role_arn)
        else:
            root = mfa_sessions.mfa_root(profiles, self.profile)
            entry = (
                mfa_sessions.read_mfa_session(mfa_sessions.mfa_session_key(*root), *root[:2])
                if root
                else None
            )
        if entry is None:
            return None
        return Held.from_entry(entry, entry.account_id)

    def assume(self) -> Held:
        from rolecall.core import sts
        from rolecall.core.config import ConfigError

        try:
            profiles = self.profiles()
        except ConfigError as exc:
            raise Refusal(
                403, errors.CONFIG_PROBLEM, f"rolecall cannot refresh profile {self.profile}: {exc}"
            ) from None
        try:
            result = sts.assume(
                profiles,
                self.profile,
                mfa=None,
                use_cache=False,
                duration=self._duration,
                default_duration=self._default_duration,
                session_name=self._session_name,
                now=self._clock,
            )
        except sts.AssumeError as err:
            raise refusal_for(err, self.profile, self._where) from None
        return held_from_result(result, self._clock())

    def initial(self, result: AssumeResult) -> Held:
        """The keeper's first credentials: the assume the command made before serving."""
        if result.from_cache:
            cached = self.cached()
            if cached is not None and cached.credentials.access_key_id == (
                result.credentials.access_key_id
            ):
                return cached
        return held_from_result(result, self._clock())
