"""The lines a subshell starts and ends with, the same from ``rolecall shell`` and
from ``s`` in the UI (issue 9 §5): which shell, which profile, how long its
credentials last; then, on exit, what they had left.

Pure wording: it prints nothing and reads no file.  :func:`from_env` reads what
the shell's environment says (``ROLECALL_PROFILE``, ``AWS_CREDENTIAL_EXPIRATION``,
or the endpoint that keeps them fresh), so a launcher that only has the argv and
the environment writes the same lines as the command line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from rolecall.core.cache.timestamps import format_expiration, humanize, parse_expiration

__all__ = ["ShellLines", "expiry_text", "from_env"]

#: the variable that says the credentials come from rolecall's endpoint
ENDPOINT_VARIABLE = "AWS_CONTAINER_CREDENTIALS_FULL_URI"


def expiry_text(expiration: datetime | None, now: datetime) -> str:
    """When credentials expire, and how long that is from ``now``.

    >>> from datetime import UTC
    >>> at = datetime(2026, 1, 1, 1, tzinfo=UTC)
    >>> expiry_text(at, datetime(2026, 1, 1, tzinfo=UTC))
    '2026-01-01T01:00:00Z (1h00m left)'
    >>> expiry_text(None, at)
    'never (long-term keys)'
    """
    if expiration is None:
        return "never (long-term keys)"
    left = expiration - now
    when = format_expiration(expiration)
    if left.total_seconds() <= 0:
        return f"{when} ({humanize(left)})"
    return f"{when} ({humanize(left)} left)"


@dataclass(frozen=True)
class ShellLines:
    """What a subshell for ``profile`` says before its prompt and after its exit."""

    shell: str
    profile: str
    expiration: datetime | None
    #: the credentials come from an endpoint that renews them (not fixed keys)
    kept_fresh: bool

    def start(self, now: datetime) -> str:
        """The banner before the prompt.

        >>> ShellLines("/bin/bash", "dev", None, True).start(datetime.now())[:56]
        'rolecall: starting /bin/bash for dev (credentials kept f'
        """
        if self.kept_fresh:
            what = "credentials kept fresh while it runs"
        else:
            what = f"credentials expire {expiry_text(self.expiration, now)}"
        return f"rolecall: starting {self.shell} for {self.profile} ({what}); type `exit` to leave"

    def end(self, now: datetime) -> str:
        """The line after the shell exits.

        >>> ShellLines("/bin/sh", "dev", None, False).end(datetime.now())
        'rolecall: left the dev shell'
        """
        if self.expiration is None or self.kept_fresh:
            return f"rolecall: left the {self.profile} shell"
        left = self.expiration - now
        status = f"had {humanize(left)} left" if left.total_seconds() > 0 else humanize(left)
        return f"rolecall: left the {self.profile} shell; its credentials {status}"


def from_env(argv: Sequence[str], env: Mapping[str, str]) -> ShellLines | None:
    """The lines for a shell started with ``argv`` and ``env`` (None: no profile).

    >>> from_env(["zsh"], {"ROLECALL_PROFILE": "dev", ENDPOINT_VARIABLE: "http://x"})
    ShellLines(shell='zsh', profile='dev', expiration=None, kept_fresh=True)
    """
    profile = env.get("ROLECALL_PROFILE")
    if not profile or not argv:
        return None
    expiration = parse_expiration(env.get("AWS_CREDENTIAL_EXPIRATION"))
    return ShellLines(argv[0], profile, expiration, ENDPOINT_VARIABLE in env)
