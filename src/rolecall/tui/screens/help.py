"""The help screen (``?``): every key, and what the columns and colours mean."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from rolecall.tui.screens.dialog import Dialog

__all__ = ["KEYS", "HelpScreen"]

KEYS: tuple[tuple[str, str], ...] = (
    ("↑ ↓  j k", "move the cursor (PgUp/PgDn, Home/End, g/G too)"),
    ("Enter", "assume the highlighted profile (asks for an MFA code when needed)"),
    ("s", "open your shell with the profile's credentials (exit to come back)"),
    ("c", "open the AWS console as the profile, in your browser (assumes first)"),
    ("n", "add a role profile (the console's Switch role) or an SSO session"),
    ("a", "add a discovered SSO role (sso·new) to your config as a profile"),
    ("/", "filter as you type (fuzzy: name, account, role, region); the best match is chosen"),
    ("Esc", "clear the filter"),
    ("p", "panels: cycle what the bottom shows (details and status, one, none)"),
    ("i", "whoami: get-caller-identity into the status panel"),
    ("r", "re-assume, skipping the credential cache"),
    ("o", "sort by name or by time left"),
    ("f", "pin or unpin the profile as a favourite"),
    ("x", "log out: forget its cached credentials and MFA session (asks)"),
    ("e", "edit the profile in $VISUAL/$EDITOR, at its line; reloads after"),
    ("y", "copy its role ARN to the clipboard (OSC 52)"),
    ("Y", "copy its export block, secret included, to the clipboard (asks)"),
    ("Tab", "focus the next panel: the detail and status panels scroll with ↑ ↓ PgUp PgDn"),
    ("Ctrl+P", "command palette: every action, on any profile by name or display name"),
    ("?", "this help"),
    ("q", "quit (Ctrl+C and Ctrl+Q too)"),
)


def help_text() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for key, what in KEYS:
        table.add_row(Text(key), Text(what))
    return table


LEGEND = Text.assemble(
    ("\nExpires", "bold"),
    " counts down the credentials rolecall or the AWS CLI cached, SSO tokens and MFA sessions: ",
    ("green", "green"),
    " when live, ",
    ("yellow", "yellow"),
    " under the warning threshold, ",
    ("red", "bold red"),
    " under the critical one, then ",
    ("expired", "italic red"),
    ". The thresholds are in rolecall's settings file. ",
    ("login", "yellow"),
    " marks an SSO profile with no live token: Enter logs in (device code), then assumes. ",
    ("sso·new", "bold"),
    " rows are roles IAM Identity Center grants that no profile uses: Enter and s work on them "
    "as on a profile, a adds one to your config. The Account column names SSO accounts.\n\n",
    ("★", "yellow"),
    " marks a favourite, ",
    ("!", "bold red"),
    " a profile with problems (see the detail panel), ",
    ("…", "bold"),
    " an assume in progress.\n\nA ",
    ("guarded", "bold red"),
    " profile (rolecall's settings: guard) paints the header and the table's border in its "
    "colour while highlighted or assumed, and asks before a shell, the console or a re-assume.",
)


class HelpScreen(Dialog[None]):
    """Every key and what the table's marks and colours mean; it scrolls when it must."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss_help", "Close"),
        Binding("down,j", "scroll('down')", "Scroll", show=False),
        Binding("up,k", "scroll('up')", "Scroll", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog", classes="dialog"):
            yield Static(Text("rolecall keys", style="bold"), classes="dialog-title")
            yield Static(help_text())
            yield Static(LEGEND)
            yield Static(Text("\nPress Esc to close; ↑ ↓ scroll.", style="dim"))
        yield self.footer()

    def action_scroll(self, direction: str) -> None:
        dialog = self.query_one("#help-dialog", VerticalScroll)
        if direction == "down":
            dialog.scroll_down(animate=False)
        else:
            dialog.scroll_up(animate=False)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
