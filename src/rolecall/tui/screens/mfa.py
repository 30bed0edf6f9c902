"""The MFA modal: shows the device ARN and asks for a 6-digit code.

It returns the code (a string, so ``012345`` keeps its leading zero) or None
when cancelled.  It is opened from the UI side, before any worker starts: no
worker ever waits for it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.validation import Regex
from textual.widgets import Button, Input, Label, Static

from rolecall.tui.model import clean
from rolecall.tui.screens.dialog import Dialog

__all__ = ["MfaScreen"]

CODE_RE = r"^[0-9]{6}$"


class MfaScreen(Dialog[str | None]):
    """Asks for the code of ``serial`` to assume ``profile``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # before the code field's own Enter, so that the footer shows it
        Binding("enter", "submit", "Assume", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, profile: str, serial: str) -> None:
        super().__init__()
        self.profile = profile
        self.serial = serial

    def compose(self) -> ComposeResult:
        with Vertical(id="mfa-dialog", classes="dialog"):
            yield Static(Text("MFA code required", style="bold"), classes="dialog-title")
            profile, serial = clean(self.profile), clean(self.serial)
            yield Static(Text.assemble("Profile  ", (profile, "bold")), id="mfa-profile")
            yield Static(Text.assemble("Device   ", (serial, "bold cyan")), id="mfa-serial")
            yield Input(
                placeholder="6-digit code",
                restrict=r"[0-9]*",
                max_length=6,
                validators=[Regex(CODE_RE, failure_description="The code is 6 digits.")],
                validate_on=["submitted"],
                id="mfa-code",
            )
            yield Label("", id="mfa-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Assume", variant="primary", id="mfa-ok")
                yield Button("Cancel", id="mfa-cancel")
        yield self.footer()

    def action_submit(self) -> None:
        """Enter: submit the code, or press the button that has the focus."""
        focused = self.focused
        if isinstance(focused, Button):
            focused.press()
        else:
            self._submit()

    def on_mount(self) -> None:
        field = self.query_one("#mfa-code", Input)
        field.cursor_blink = not self.app.is_headless
        field.focus()

    def _submit(self) -> None:
        field = self.query_one("#mfa-code", Input)
        result = field.validate(field.value)
        if result is not None and not result.is_valid:
            error = self.query_one("#mfa-error", Label)
            error.update("The code is 6 digits.")
            error.add_class("-shown")
            field.focus()
            return
        self.dismiss(field.value)

    @on(Input.Submitted, "#mfa-code")
    def _on_submitted(self) -> None:
        self._submit()

    @on(Input.Changed, "#mfa-code")
    def _on_changed(self) -> None:
        error = self.query_one("#mfa-error", Label)
        error.update("")
        error.remove_class("-shown")

    @on(Button.Pressed, "#mfa-ok")
    def _on_ok(self) -> None:
        self._submit()

    @on(Button.Pressed, "#mfa-cancel")
    def _on_cancel(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
