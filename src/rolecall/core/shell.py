"""Environments built from assumed credentials: export formats, exec and subshells.

``format_env`` prints what ``eval "$(rolecall env X)"`` (or the fish,
PowerShell, dotenv and JSON equivalents) needs::

    export AWS_ACCESS_KEY_ID='ASIA...'
    export AWS_SECRET_ACCESS_KEY='...'
    export AWS_SESSION_TOKEN='...'
    export AWS_CREDENTIAL_EXPIRATION='2026-11-28T05:33:55Z'
    export AWS_REGION='eu-west-1'
    export AWS_DEFAULT_REGION='eu-west-1'
    export ROLECALL_PROFILE='dev'
    unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN

``run_subshell`` runs a child with that environment, forwards signals to it
and returns its exit status (128 + N when a signal N ended it).

``run_served`` runs a child served by a credentials endpoint instead
(:mod:`rolecall.core.serve`): the endpoint starts before the child, its
credentials are kept fresh while the child lives, and it stops when the child
exits.  Signals go to the child as with ``run_subshell``: Ctrl+C in the child
never stops the endpoint (rolecall's handler forwards, it does not quit).
"""

from __future__ import annotations

import os
import sys

from rolecall.core.cache.timestamps import format_expiration

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping, Sequence
    from types import FrameType
    from typing import Any

    from rolecall.core.serve import Endpoint
    from rolecall.core.sts import AssumeResult

__all__ = [
    "FORMATS",
    "FORMAT_ALIASES",
    "REMOVED",
    "RunError",
    "UnsafeValueError",
    "build_env",
    "env_vars",
    "format_env",
    "run_served",
    "run_subshell",
    "user_shell",
]

FORMATS = ("sh", "bash", "zsh", "fish", "powershell", "dotenv", "json")
#: Formats that are another format under the name of a shell that reads it.
FORMAT_ALIASES = {"bash": "sh", "zsh": "sh"}
#: Variables that would override or confuse the exported keys.
REMOVED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN")
#: Set by ``rolecall shell`` so that a nested one can refuse to start.
SHELL_MARKER = "ROLECALL_SHELL"


class RunError(Exception):
    """A command could not be started (not found, not executable)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def env_vars(result: AssumeResult) -> tuple[dict[str, str], list[str]]:
    """``(variables to set, variables to unset)`` for these credentials.

    The three key variables are always handled: keys without a session token
    (a static profile) unset ``AWS_SESSION_TOKEN`` so no stale token remains;
    likewise ``AWS_CREDENTIAL_EXPIRATION`` when they never expire.
    """
    creds = result.credentials
    to_set: dict[str, str] = {
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
    }
    to_unset: list[str] = []
    if creds.session_token:
        to_set["AWS_SESSION_TOKEN"] = creds.session_token
    else:
        to_unset.append("AWS_SESSION_TOKEN")
    expiration = result.expiration or creds.expiration
    if expiration is not None:
        to_set["AWS_CREDENTIAL_EXPIRATION"] = format_expiration(expiration)
    else:
        to_unset.append("AWS_CREDENTIAL_EXPIRATION")
    if result.region:
        to_set["AWS_REGION"] = result.region
        to_set["AWS_DEFAULT_REGION"] = result.region
    to_set["ROLECALL_PROFILE"] = result.profile  # (for prompts: `rolecall prompt`)
    to_unset.extend(REMOVED)
    return to_set, to_unset


def build_env(result: AssumeResult, base: Mapping[str, str], profile: str) -> dict[str, str]:
    """``base`` with these credentials set, the overriding variables removed, and
    ``ROLECALL_PROFILE`` naming the profile."""
    to_set, to_unset = env_vars(result)
    env = dict(base)
    for key in to_unset:
        env.pop(key, None)
    env.update(to_set)
    env["ROLECALL_PROFILE"] = profile
    return env


class UnsafeValueError(ValueError):
    """A value no export format can carry safely (it is never printed)."""


def _sh_quote(value: str) -> str:
    """POSIX single quotes, always (``'it'"'"'s'``).

    Not ``shlex.quote``, which leaves "safe" words bare: zsh expands a bare word
    that starts with ``=`` (``=ls`` is the path of ls), so
    ``export K==x`` fails there.  Inside single quotes nothing is expanded in
    sh, bash or zsh.
    """
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _fish_quote(value: str) -> str:
    """fish's single quotes, where only ``\\`` and ``\'`` are escapes."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ps_quote(value: str) -> str:
    """PowerShell's single quotes (verbatim), where ``''`` is one quote."""
    return "'" + value.replace("'", "''") + "'"


def _dotenv_quote(key: str, value: str) -> str:
    """Single quotes: bash (``set -a; source .env``) reads them verbatim, and
    python-dotenv runs nothing (no ``$(...)``, no backticks).

    python-dotenv still expands ``${VAR}`` inside single quotes (1.2, the
    default ``interpolate=True``), and neither reader has an escape that both
    understand there, so a value holding ``$``, ``'`` or ``\\`` is refused (no
    AWS credential, region or expiry holds one).
    """
    if "'" in value or "\\" in value or "$" in value:
        raise UnsafeValueError(
            f"{key} holds a $, a quote or a backslash, which a dotenv file cannot carry"
        )
    return f"'{value}'"


def _check_values(values: Mapping[str, str]) -> None:
    """Refuse a value that would drive the terminal the lines are printed on
    (a control, bidi or format character, a line break: the rule of
    :mod:`rolecall.core.printable`).  Quoting makes any other value safe."""
    for key, value in values.items():
        if not value.isprintable():
            raise UnsafeValueError(
                f"{key} holds a character that cannot be printed (a control, format or "
                "line-break character); nothing exported"
            )


def format_env(result: AssumeResult, fmt: str) -> str:
    """The lines that set (and unset) the variables, for ``fmt`` in :data:`FORMATS`.

    Ends with a newline.  ``dotenv`` and ``json`` can only list what to set.
    Every value is quoted so that the reader takes it byte for byte and runs
    nothing (a test sources each format in bash, fish and python-dotenv with
    hostile values); a value that would drive the terminal is refused with
    :class:`UnsafeValueError`, which never shows the value.
    """
    to_set, to_unset = env_vars(result)
    _check_values(to_set)
    fmt = FORMAT_ALIASES.get(fmt, fmt)
    lines: list[str]
    if fmt == "sh":
        lines = [f"export {k}={_sh_quote(v)}" for k, v in to_set.items()]
        lines.append("unset " + " ".join(to_unset))
    elif fmt == "fish":
        lines = [f"set -gx {k} {_fish_quote(v)};" for k, v in to_set.items()]
        lines += [f"set -e {k};" for k in to_unset]
    elif fmt == "powershell":
        lines = [f"$Env:{k} = {_ps_quote(v)}" for k, v in to_set.items()]
        lines += [f"Remove-Item Env:{k} -ErrorAction SilentlyContinue" for k in to_unset]
    elif fmt == "dotenv":
        lines = [f"{k}={_dotenv_quote(k, v)}" for k, v in to_set.items()]
    elif fmt == "json":
        import json

        return json.dumps(to_set, indent=2) + "\n"  # (ensure_ascii: printable)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return "\n".join(lines) + "\n"


def user_shell(env: Mapping[str, str]) -> list[str]:
    """``[$SHELL]``, else ``["/bin/sh"]``."""
    shell = env.get("SHELL", "").strip()
    return [shell] if shell else ["/bin/sh"]


#: Signals passed on to the child as they arrive.
_FORWARDED = ("SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH")
#: Signals a terminal sends to its whole foreground process group: when we are
#: in that group the child already has them, so they are only forwarded when we
#: are not (no terminal, or a background job, or a child in its own group).
_TERMINAL = ("SIGINT", "SIGQUIT")


def _signals(names: Sequence[str]) -> tuple[int, ...]:
    import signal

    return tuple(int(getattr(signal, n)) for n in names if hasattr(signal, n))


def _terminal_fd() -> int | None:
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            fd = stream.fileno()
        except (AttributeError, ValueError, OSError):
            continue
        if os.isatty(fd):
            return fd
    return None


def _shares_foreground(child_pid: int) -> bool:
    """True when a terminal signal reaches the child without our help."""
    fd = _terminal_fd()
    if fd is None:
        return False
    try:
        foreground = os.tcgetpgrp(fd)
        return foreground in (os.getpgrp(), os.getpgid(child_pid))
    except OSError:
        return False


def run_subshell(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Run ``argv`` with ``env``; forward signals; return its exit status.

    A child ended by signal N gives ``128 + N``, as shells report it.  Raises
    :class:`RunError` (exit code 127 or 126) when the command cannot start.
    While the child runs, SIGINT and SIGQUIT get a Python handler (not
    SIG_IGN, which the child would inherit) that forwards them only when the
    terminal did not already deliver them to the child.
    """
    import signal
    import subprocess
    import threading

    if not argv:
        raise RunError("no command given", 2)
    try:
        proc = subprocess.Popen(list(argv), env=dict(env))
    except FileNotFoundError:
        raise RunError(f"command not found: {argv[0]}", 127) from None
    except PermissionError:
        raise RunError(f"permission denied: {argv[0]}", 126) from None
    except OSError as exc:
        raise RunError(f"cannot run {argv[0]}: {exc.strerror or exc}", 126) from None

    previous: dict[int, Any] = {}
    terminal = _signals(_TERMINAL)
    forwarded = _signals(_FORWARDED)

    def forward(signum: int, frame: FrameType | None) -> None:
        del frame
        if signum in terminal and _shares_foreground(proc.pid):
            return
        try:
            proc.send_signal(signum)
        except (ProcessLookupError, OSError):
            pass

    if threading.current_thread() is threading.main_thread():
        for sig in (*forwarded, *terminal):
            try:
                previous[sig] = signal.signal(sig, forward)
            except (OSError, ValueError):
                continue
    try:
        while True:
            try:
                code = proc.wait()
                break
            except KeyboardInterrupt:  # pragma: no cover - only without our handler
                continue
    finally:
        for sig, handler in previous.items():
            try:
                signal.signal(sig, handler)
            except (OSError, ValueError, TypeError):
                pass
    return 128 - code if code < 0 else code


def run_served(
    argv: Sequence[str],
    base: Mapping[str, str],
    endpoint: Endpoint,
    profile: str,
    extra: Mapping[str, str] | None = None,
) -> int:
    """Run ``argv`` served by ``endpoint`` (see :func:`run_subshell`); returns its status.

    The endpoint (its server, keeper and config copy) lives exactly as long as
    the child: it starts first and is stopped, and its copy removed, however
    the child ends.  ``extra`` variables are added to the child's environment.
    """
    with endpoint:
        env = endpoint.child_env(base, profile)
        if extra:
            env.update(extra)
        return run_subshell(argv, env)
