"""What every modal of rolecall shares: it fits the terminal, and its footer shows its keys.

A dialog is centred over the main screen (``.modal`` and ``.dialog`` in
``app.tcss``), never taller than the screen above its footer: what does not fit
scrolls inside it (:meth:`Dialog.fit`), so its buttons stay on screen from 80x24
up.  Its footer lists the dialog's own keys (Esc, Ctrl+S...), not the main screen's.
"""

from __future__ import annotations

import contextlib
from typing import TypeVar

from textual._context import NoActiveAppError
from textual.events import Resize
from textual.screen import ModalScreen

from rolecall.tui.widgets.key_footer import KeyFooter

__all__ = ["SHORT", "Dialog"]

ResultType = TypeVar("ResultType")

#: below this many rows, dialogs drop their vertical padding
SHORT = 30


class Dialog(ModalScreen[ResultType]):
    """A modal that fits the terminal and shows its own keys in its footer."""

    def __init__(self) -> None:
        super().__init__(classes="modal")
        # (sized now, not at the first resize: a class set once mounted restyles every
        # widget of the dialog again, a fifth of the Switch role form's opening)
        with contextlib.suppress(NoActiveAppError):
            self.set_class(self.app.size.height < SHORT, "-short")

    @staticmethod
    def footer() -> KeyFooter:
        """The dialog's footer: its own keys (the palette is the main screen's)."""
        return KeyFooter(show_command_palette=False)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.height < SHORT, "-short")
        self.fit(event.size.height)

    def fit(self, height: int) -> None:
        """Size what scrolls inside the dialog for a screen ``height`` rows tall."""
