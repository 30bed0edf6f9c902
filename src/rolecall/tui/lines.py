"""The words of the status panel and the notifications (pure functions, no Textual).

None of them ever reads a secret: results and events are read through their
ARN, account, expiry and message attributes only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from rolecall.core.plural import plural
from rolecall.tui.model import clean, format_countdown

__all__ = [
    "Level",
    "empty_hint",
    "error_lines",
    "expiry_warning",
    "identity_lines",
    "one_line",
    "problem_lines",
    "progress_line",
    "redact",
    "result_line",
    "safe_text",
    "tilde",
    "usable",
]

#: An in-memory session is reused for the shell and whoami while it has this much left.
MIN_LEFT = 60.0

#: how a status line reads: a step, a result, a warning, an error, a hint
Level = Literal["info", "step", "ok", "warn", "error", "hint"]

# Secret access keys are 40 characters of base64; session tokens are much longer.
_SECRET_RE = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40,}(?![A-Za-z0-9/+=])")


#: a notification shows at most this many lines, of this many characters
MAX_LINES, MAX_LINE = 12, 1000


def safe_text(message: str) -> str:
    r"""A notification as drawn: a few lines, each short, with no control character and
    nothing shaped like a secret key.

    >>> safe_text("bell\x07ring")
    'bell?ring'
    >>> len(safe_text("line\n" * 20).splitlines())
    12
    """
    shown = message.split("\n")[:MAX_LINES]
    return "\n".join(clean(redact(line[: MAX_LINE * 4]), MAX_LINE) for line in shown)


def redact(text: str) -> str:
    """Hide anything shaped like a secret key or a session token.

    >>> redact("key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked")
    'key •••••••• leaked'
    """
    return _SECRET_RE.sub("••••••••", text)


def tilde(path: str) -> str:
    """``path`` with the home directory shown as ``~``.

    >>> import os; tilde(os.path.expanduser("~/.aws/config"))
    '~/.aws/config'
    """
    home = os.path.expanduser("~")
    if home not in ("", "/") and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def empty_hint(paths: Sequence[str]) -> str:
    """The status line when the AWS files hold no profile: commands that create the
    first one (``n`` adds a role profile, which needs a source profile first), as
    aws-vault (``add``) and granted (``sso populate``) users expect; the table reloads
    by itself when the files change.

    >>> empty_hint(["/x/config", "/x/credentials"])[:50]
    'no profiles in /x/config or /x/credentials yet: in'
    """
    files = " or ".join(tilde(path) for path in paths)
    return (
        f"no profiles in {clean(files)} yet: in another terminal, run {FIRST_PROFILE[0]} "
        f"(access keys) or {FIRST_PROFILE[1]} then {FIRST_PROFILE[2]} (IAM Identity "
        "Center); this list reloads by itself, then n adds role profiles on top"
    )


#: the commands the empty state names (a test runs each with --help)
FIRST_PROFILE = ("`aws configure`", "`rolecall sso configure`", "`rolecall sso populate`")


def one_line(exc: BaseException | None) -> str:
    """An exception as one line: its message, else its type.

    >>> one_line(ValueError("a\\n  b"))
    'a b'
    """
    if exc is None:
        return "unknown error"
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) and message else str(exc)
    return " ".join(text.split()) or type(exc).__name__


def problem_lines(problems: Sequence[str], limit: int = 5) -> list[str]:
    """The status lines for the problems of the AWS files: the first few, then a count.

    >>> problem_lines(["a", "b", "c"], limit=2)
    ['a', 'b', 'and 1 more problem: `rolecall list --json` shows them all']
    """
    out = list(problems[:limit])
    if len(problems) > limit:
        more = len(problems) - limit
        out.append(f"and {plural(more, 'more problem')}: `rolecall list --json` shows them all")
    return out


def error_lines(exc: BaseException | None) -> tuple[str, str | None]:
    """(message, hint) of a failed assume: an ``AssumeError`` has both."""
    hint = getattr(exc, "hint", None)
    return one_line(exc), (" ".join(hint.split()) if isinstance(hint, str) and hint else None)


def usable(session: Any, now: datetime) -> bool:
    """Whether an AssumeResult from this session can still be used as is."""
    expiration = getattr(session, "expiration", None)
    if session is None:
        return False
    if not isinstance(expiration, datetime):
        return True
    return (expiration - now).total_seconds() > MIN_LEFT


def _when(expiration: Any, now: datetime | None) -> str:
    if not isinstance(expiration, datetime):
        return ""
    if now is None:
        return f"expires {expiration:%H:%M:%S}"
    return f"expires in {format_countdown((expiration - now).total_seconds())}"


def progress_line(
    event: Any, chain: Sequence[str]
) -> tuple[str, Level, tuple[str, str, datetime] | None]:
    """The status line of a ``ProgressEvent``, its level, and a hop's new expiry if any.

    Events name the requested profile; ``step`` of ``total`` counts the chain's
    hops from the root, so step ``s`` is ``chain[total - s]``.
    """
    kind = getattr(event, "kind", "")
    message = " ".join(str(getattr(event, "message", "") or "").split())
    step, total = getattr(event, "step", 0) or 0, getattr(event, "total", 0) or 0
    arn = getattr(event, "arn", None)
    expiration = getattr(event, "expiration", None)
    if arn and arn not in message:
        message = f"{message} {arn}".strip()
    levels: dict[str, Level] = {
        "root": "step",
        "assume": "step",
        "cache-hit": "step",
        "warning": "warn",
        "done": "ok",
        "failed": "error",
    }
    level = levels.get(kind, "info")
    if kind in ("done", "failed"):
        # the app logs the result (AssumeDone) and the error (the worker's state) itself
        return "", level, None
    hop: tuple[str, str, datetime] | None = None
    index = total - step
    if kind in ("assume", "cache-hit") and isinstance(expiration, datetime):
        hop = (chain[index], "role", expiration) if total and 0 <= index < len(chain) else None
    hint = getattr(event, "hint", None)
    line = str(message or kind)
    if hint:
        line += f" (hint: {hint})"
    return line, level, hop


def result_line(result: Any, now: datetime) -> str:
    """``→ arn:...  account 123…  expires in 0:59:59  (from cache)``"""
    parts = []
    arn = getattr(result, "arn", None)
    if arn:
        parts.append(f"→ {arn}")
    account = getattr(result, "account_id", None)
    if account:
        parts.append(f"account {account}")
    when = _when(getattr(result, "expiration", None), now)
    if when:
        parts.append(when)
    if getattr(result, "from_cache", False):
        parts.append("(from cache)")
    return "  ".join(parts) or "credentials ready"


def identity_lines(identity: Mapping[str, Any]) -> list[str]:
    """``get-caller-identity`` as status lines (Account, Arn, UserId)."""
    lines = []
    for key in ("Account", "Arn", "UserId"):
        if identity.get(key):
            lines.append(f"whoami {key}: {identity[key]}")
    return lines or ["whoami: no identity returned"]


def expiry_warning(due: Sequence[tuple[str, datetime]], now: datetime) -> str:
    """One notification for every session that entered the warning window."""
    shown = [
        f"{name} expires in {format_countdown((at - now).total_seconds())}" for name, at in due[:5]
    ]
    if len(due) > 5:
        shown.append(f"and {len(due) - 5} more")
    return "\n".join(shown)
