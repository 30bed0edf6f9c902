"""The detail panel: every setting of the highlighted profile, its chain and its problems.

Secrets are never shown: ``aws_secret_access_key`` and the session token are
masked, and so is the middle of an access key ID.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from rolecall.tui.lines import tilde
from rolecall.tui.model import ExpiryLike, clean, expiry_level, format_countdown

if TYPE_CHECKING:
    from rich.style import Style
    from textual.app import ComposeResult

    from rolecall.core.profiles import Profile, ProfileSet

__all__ = ["SECRET_KEYS", "DetailPanel", "describe", "mask"]

SECRET_KEYS = frozenset({"aws_secret_access_key", "aws_session_token", "aws_security_token"})
#: where a countdown comes from, by ``Expiry.kind``
SOURCES = {
    "role": "CLI cache",
    "sso": "SSO token",
    "mfa": "MFA session",
    "session": "assumed here",
}
#: keys are padded to this width at most
KEY_WIDTH = 40
#: a problem is shown up to this many characters
MAX_LINE = 1000
LEVEL_STYLES = {
    "live": "green",
    "warn": "yellow",
    "critical": "bold red",
    "expired": "italic red",
}


def mask(key: str, value: str) -> str:
    """What the panel shows for a setting's value.

    >>> mask("aws_secret_access_key", "abc")
    '•••••••• (hidden)'
    >>> mask("aws_access_key_id", "AKIAIOSFODNN7EXAMPLE")
    'AKIA••••••••••••MPLE'
    """
    if key.lower() in SECRET_KEYS:
        return "•••••••• (hidden)"
    if key.lower() == "aws_access_key_id" and len(value) > 8:
        return value[:4] + "•" * (len(value) - 8) + value[-4:]
    return value


def _expiry_text(
    exp: ExpiryLike | None, now: datetime, warn: int, critical: int, kind: str = ""
) -> Text:
    if exp is None:
        if kind == "static":
            return Text("long-term keys", style="dim")
        return Text("no cached credentials", style="dim")
    left = (exp.expires_at - now).total_seconds()
    level = expiry_level(left, warn, critical) or "live"
    label = format_countdown(left)
    if left > 0:
        label = f"{label} left"
    return Text.assemble(
        (label, LEVEL_STYLES[level]), (f"  ({SOURCES.get(exp.kind, exp.kind)})", "dim")
    )


def describe(
    profile: Profile,
    profiles: ProfileSet | None,
    expiry: Callable[[str], ExpiryLike | None],
    now: datetime,
    *,
    display_name: str | None = None,
    warn: int = 900,
    critical: int = 300,
) -> Text:
    """The panel's text for one profile (a Rich ``Text``: names are never read as markup)."""
    head: Style | str = "bold"
    out = Text()
    out.append(clean(profile.name), style=head)
    if display_name and display_name != profile.name:
        out.append(f"  “{clean(display_name)}”", style="italic")
    out.append("\n")
    where = f"{tilde(profile.file)}:{profile.line}" if profile.file else "(no file)"
    out.append(f"{profile.kind} · {clean(where)}\n", style="dim")

    out.append("\nChain\n", style=head)
    for depth, hop in enumerate(profile.chain):
        hop_profile = profiles.get(hop) if profiles is not None else None
        kind = hop_profile.kind if hop_profile is not None else "missing"
        prefix = "  " + ("   " * (depth - 1) + "└─ " if depth else "")
        out.append(f"{prefix}{clean(hop)}", style="bold" if depth == 0 else "")
        out.append(f"  {kind}  ", style="dim")
        out.append_text(_expiry_text(expiry(hop), now, warn, critical, kind))
        out.append("\n")
    if profile.credential_source:
        indent = "   " * max(0, len(profile.chain) - 1)
        out.append(f"  {indent}└─ credential_source {clean(profile.credential_source)}\n")

    out.append("\nSettings\n", style=head)
    if not profile.values:
        out.append("  (none)\n", style="dim")
    width = min(KEY_WIDTH, max((len(k) for k in profile.values), default=0))
    for key, value in profile.values.items():
        if isinstance(value, dict):
            out.append(f"  {clean(key)}\n", style="cyan")
            for sub, subval in value.items():
                out.append(f"    {clean(sub)} = {clean(mask(sub, subval))}\n")
            continue
        out.append(f"  {clean(key).ljust(width)}  ", style="cyan")
        shown = mask(key, value)
        out.append(clean(shown) + "\n", style="dim" if shown != value else "")

    out.append("\nProblems\n", style=head)
    if profile.problems:
        for problem in profile.problems:
            out.append(f"  ! {clean(str(problem), MAX_LINE)}\n", style="red")
    else:
        out.append("  none\n", style="dim")
    out.rstrip()
    return out


class DetailPanel(VerticalScroll):
    """A scrolling panel that holds the description of one profile."""

    DEFAULT_CSS = """
    DetailPanel { height: 1fr; overflow-x: hidden; }
    DetailPanel > Static { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shape: tuple[int, int] = (0, 0)
        self._text = Static(Text("No profile selected.", style="dim"), id="detail-text")

    def compose(self) -> ComposeResult:
        yield self._text

    def show(self, text: Text) -> None:
        """Show ``text``; a layout pass only when its size changed (not on every tick)."""
        lines = text.plain.split("\n")
        shape = (len(lines), max(map(len, lines)))
        self._text.update(text, layout=shape != self._shape)
        self._shape = shape
