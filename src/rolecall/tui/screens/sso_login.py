"""The SSO login modal: the device-code login of IAM Identity Center, from the table.

It runs the login (``rolecall.core.sso.login``, given as ``login``) in a thread
worker of its own and shows what the person logging in needs: the verification
URL, the user code in large type, and the device code's own countdown.  The
browser is opened by ``browser`` when the code arrives (it says whether it
could).  It returns ``"ok"``, ``"cancelled"`` (Esc) or the error line; the
app then assumes the profile (or says why not).  Esc sets the cancel event
the worker waits on, so the worker stops within a poll interval and writes
nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from rolecall.tui.model import clean, format_countdown
from rolecall.tui.screens.dialog import Dialog

__all__ = ["LOGIN_GROUP", "SsoLoginScreen"]

#: the worker group of the login
LOGIN_GROUP = "sso-login"

#: ``login(on_code, cancel)``: runs the whole login; raises when it fails
Login = Callable[[Callable[[Any], None], threading.Event], None]


def spaced(code: str) -> str:
    """The user code as it is read aloud: one space between characters.

    >>> spaced("WXYZ-ABCD")
    'W X Y Z - A B C D'
    """
    return " ".join(code)


class SsoLoginScreen(Dialog[str]):
    """Logs ``profile``'s SSO session in; shows the URL, the code and its countdown."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    class CodeShown(Message):
        """The service gave the device code (posted from the login's thread)."""

        def __init__(self, code: Any) -> None:
            super().__init__()
            self.code = code

    def __init__(
        self,
        profile: str,
        login: Login,
        browser: Callable[[str], bool],
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__()
        self.profile = profile
        self.login = login
        self.browser = browser
        self.clock = clock
        self.cancel = threading.Event()
        self.code: Any = None

    def compose(self) -> ComposeResult:
        with Vertical(id="sso-dialog", classes="dialog"):
            yield Static(Text("IAM Identity Center login", style="bold"), classes="dialog-title")
            yield Static(
                Text.assemble("Profile  ", (clean(self.profile), "bold")), id="sso-profile"
            )
            yield Static("Asking IAM Identity Center for a code…", id="sso-url")
            yield Static("", id="sso-code")
            yield Static("", id="sso-countdown")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="sso-cancel")
        yield self.footer()

    def on_mount(self) -> None:
        def on_code(code: Any) -> None:  # in the worker's thread
            self.post_message(self.CodeShown(code))

        self.run_worker(
            lambda: self.login(on_code, self.cancel),
            name=f"sso-login:{self.profile}",
            group=LOGIN_GROUP,
            description="sso login",
            thread=True,
            exit_on_error=False,
        )
        self.set_interval(1.0, self._tick, name="sso-countdown")

    @on(CodeShown)
    def _show_code(self, message: CodeShown) -> None:
        code = message.code
        self.code = code
        try:
            opened = self.browser(str(code.verification_uri_complete))
        except Exception:  # the URL is on screen: a browser that fails is not fatal
            opened = False
        url = clean(str(code.verification_uri_complete), 300)
        where = "Open this URL" + (" (a browser is opening it)" if opened else "")
        self.query_one("#sso-url", Static).update(
            Text.assemble(f"{where} and check the code:\n", (url, "bold underline"))
        )
        self.query_one("#sso-code", Static).update(
            Text(spaced(clean(str(code.user_code), 40)), style="bold reverse")
        )
        self._tick()

    def _tick(self) -> None:
        if self.code is None:
            return
        left = (self.code.expires_at - self.clock()).total_seconds()
        text = f"The code expires in {format_countdown(left)}; Esc cancels."
        self.query_one("#sso-countdown", Static).update(Text(text, style="dim"))

    def action_cancel(self) -> None:
        self.cancel.set()
        self.dismiss("cancelled")

    @on(Button.Pressed, "#sso-cancel")
    def _on_cancel(self) -> None:
        self.action_cancel()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The login's end: its one failure handler."""
        if event.worker.group != LOGIN_GROUP or self.cancel.is_set():
            return
        if event.state == WorkerState.SUCCESS:
            self.dismiss("ok")
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            self.dismiss(" ".join(str(error).split()) or type(error).__name__)
