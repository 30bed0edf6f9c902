"""The help screen (``?``): every key, and what the columns and colours mean."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["KEYS", "HelpScreen"]

KEYS: tuple[tuple[str, str], ...] = (
    ("↑ ↓  j k", "move the cursor (PgUp/PgDn, Home/End too)"),
    ("Enter", "assume the highlighted profile (asks for an MFA code when needed)"),
    ("r", "re-assume, skipping the credential cache"),
    ("i", "whoami: get-caller-identity into the status panel"),
    ("s", "open your shell with the profile's credentials (exit to come back)"),
    ("c", "open the AWS console as the profile, in your browser (assumes first)"),
    ("n", "Switch role: add a role profile, like the AWS console's form"),
    ("/", "filter as you type (fuzzy: name, account, role, region)"),
    ("Esc", "clear the filter"),
    ("o", "sort by name or by time left"),
    ("f", "pin or unpin the profile as a favourite"),
    ("x", "log out: forget its cached credentials and MFA session (asks)"),
    ("Ctrl+P", "command palette: Assume X, Shell in X, themes"),
    ("?", "this help"),
    ("q", "quit"),
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
    " marks an SSO profile with no live token: Enter logs in (device code), then assumes.\n\n",
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


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss_help", "Close"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="modal")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog", classes="dialog"):
            yield Static(Text("rolecall keys", style="bold"), classes="dialog-title")
            yield Static(help_text())
            yield Static(LEGEND)
            yield Static(Text("\nPress Esc to close.", style="dim"))

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
