"""The confirm modal of a guarded profile: what it is, where it reaches, and No by default.

It names the profile, the account ID and the role, says why the profile is
guarded and what is about to happen, and returns True only when Yes is
pressed.  No has the focus: Enter, Esc and ``n`` answer No.  There is no ``y``
key on purpose: keys typed ahead for a shell (``s`` then ``yarn test``) must
never confirm; Yes takes Tab (or →) then Enter, or a click.  (``confirm.py``'s
ConfirmScreen, a plain yes/no question with a ``y`` key, is for questions that
no typed-ahead key reaches, such as ``x``'s logout.)
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from rolecall.tui.model import clean

__all__ = ["GuardConfirmScreen"]


class GuardConfirmScreen(ModalScreen[bool]):
    """Asks before a guarded profile's credentials are used; dismissed with True or False."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer_no", "No"),
        Binding("left,right", "switch", "Switch", show=False),
    ]

    def __init__(
        self,
        profile: str,
        label: str,
        account: str | None,
        role: str | None,
        reason: str,
        question: str,
        color: str,
    ) -> None:
        super().__init__(classes="modal")
        self.profile = profile
        self.label = label
        self.account = account
        self.role = role
        self.reason = reason
        self.question = question
        self.color = color

    def compose(self) -> ComposeResult:
        with Vertical(id="guard-dialog", classes="dialog"):
            yield Static(
                Text("Guarded profile", style=f"bold {self.color}"),
                classes="dialog-title",
                id="guard-title",
            )
            name = clean(self.profile)
            label = clean(self.label)
            shown = label if label == name else f"{label} ({name})"
            yield Static(Text.assemble("Profile  ", (shown, "bold")), id="guard-profile")
            yield Static(
                Text.assemble("Account  ", (clean(self.account or "unknown"), "bold")),
                id="guard-account",
            )
            yield Static(
                Text.assemble("Role     ", (clean(self.role or "none (its own keys)"), "bold")),
                id="guard-role",
            )
            yield Static(Text.assemble("Why      ", clean(self.reason)), id="guard-reason")
            yield Static(Text(f"\n{self.question}", style="bold"), id="guard-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button("No", variant="primary", id="guard-no")
                yield Button("Yes", variant="error", id="guard-yes")

    def on_mount(self) -> None:
        self.query_one("#guard-dialog").styles.border = ("thick", self.color)
        self.query_one("#guard-no", Button).focus()

    @on(Button.Pressed, "#guard-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#guard-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer_no(self) -> None:
        self.dismiss(False)

    def action_switch(self) -> None:
        """← and → move between No and Yes."""
        no = self.query_one("#guard-no", Button)
        target = "#guard-yes" if no.has_focus else "#guard-no"
        self.query_one(target, Button).focus()
