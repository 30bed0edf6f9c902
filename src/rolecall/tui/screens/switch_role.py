"""Switch role: the AWS console's form, in the terminal; or a new IAM Identity Center session.

The fields are checked by :func:`~rolecall.tui.switch_role_form.validate` (pure,
in ``tui/switch_role_form.py``); each error shows
under its own field and nothing is written until every field is valid.  The
screen then calls the ``save`` function it was given, which writes the profile
with the lossless editor and returns an error message when that refuses.

Its first field picks what to add (:data:`~rolecall.tui.switch_role_form.KINDS`):
a role profile, or an ``[sso-session]`` (start URL, region, name; checked by
:func:`~rolecall.tui.switch_role_form.validate_sso`).  It opens on the SSO
choice when the config has no profile, since a role needs a source profile.
It returns what it wrote (the request), or None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from rolecall.tui.lines import one_line
from rolecall.tui.model import clean
from rolecall.tui.screens.dialog import Dialog
from rolecall.tui.switch_role_form import (
    FIELDS,
    KINDS,
    SSO_FIELDS,
    SsoSessionRequest,
    SwitchRoleRequest,
    validate,
    validate_sso,
)
from rolecall.tui.widgets.profile_table import color_style

__all__ = ["SAVE_GROUP", "SELECT_LIMIT", "SwitchRoleScreen"]

SAVE_GROUP = "switch-role-save"
#: up to this many profiles, the source profile is picked from a list
SELECT_LIMIT = 500


#: what the form writes, and returns once written
Saved = SwitchRoleRequest | SsoSessionRequest
#: the title, the line under it and the save button's label, by kind
_TEXTS = {
    "role": (
        "Switch role",
        "Adds a role profile to your AWS config, like the console's Switch role.",
        "Switch role",
    ),
    "sso": (
        "IAM Identity Center session",
        "Adds an [sso-session] to your AWS config, then logs in: its accounts and roles "
        "show in the table (Enter assumes one, a adds it as a profile).",
        "Add and log in",
    ),
}


#: the rows of the form that never scroll: borders, paddings, title, description,
#: the form's error and the buttons (a short screen drops the paddings)
CHROME, SHORT_CHROME = 14, 10


class SwitchRoleScreen(Dialog[Saved | None]):
    """The form; returns what it wrote (a role profile or an SSO session), or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
        Binding("tab", "app.focus_next", "Next field"),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False),
    ]

    def __init__(
        self,
        profiles: Sequence[str],
        save: Callable[[Saved], str | None],
        *,
        colors: Sequence[str] = (),
        source: str | None = None,
        sessions: Sequence[str] = (),
        kind: str | None = None,
    ) -> None:
        super().__init__()
        self.profiles = list(profiles)
        self.save = save
        self.color_options = list(colors)
        self.source = source if source in self.profiles else None
        #: the config's [sso-session] names
        self.sessions = list(sessions)
        #: what the form adds (KINDS): by default a role, or a session when no profile exists
        self.kind = kind or ("role" if self.profiles else "sso")
        #: the request being written (in a worker), or None
        self._saving: Saved | None = None

    def _field(self, key: str, label: str, widget: Input | Select[str], hint: str) -> Horizontal:
        """One row: the label on the left; the input, its hint and its error on the right."""
        return Horizontal(
            Static(Text(label, style="bold"), classes="field-label"),
            Vertical(
                widget,
                *([Static(Text(hint, style="dim"), classes="field-hint")] if hint else []),
                Label("", id=f"{key}-error", classes="field-error"),
                classes="field-input",
            ),
            classes="form-field",
        )

    def _text_field(
        self,
        key: str,
        label: str,
        placeholder: str,
        hint: str = "",
        *,
        restrict: str | None = None,
        max_length: int = 0,
    ) -> Horizontal:
        """A :meth:`_field` row holding a compact ``Input`` whose id is ``key``."""
        widget = Input(
            placeholder=placeholder,
            restrict=restrict,
            max_length=max_length,
            id=key,
            compact=True,
        )
        return self._field(key, label, widget, hint)

    def _source_field(self, sources: list[str]) -> Horizontal:
        """A list to pick from; past :data:`SELECT_LIMIT` profiles, a field that
        completes what is typed (a list of 10,000 took half a second to open)."""
        if len(sources) <= SELECT_LIMIT:
            picker: Select[str] | Input = Select(
                [(Text(clean(s)), s) for s in sources],
                prompt="Select a source profile",
                value=self.source if self.source else Select.NULL,
                id="source",
                compact=True,
            )
            hint = "the profile whose credentials assume the role"
        else:
            picker = Input(
                value=self.source or "",
                placeholder=f"one of {len(sources):,} profiles: type, then → to complete",
                suggester=SuggestFromList(sources),
                id="source",
                compact=True,
            )
            hint = "the profile whose credentials assume the role (its exact name)"
        return self._field("source", "Source profile", picker, hint)

    def compose(self) -> ComposeResult:
        # each swatch drawn as the table draws the colour
        colors: list[tuple[str | Text, str]] = [
            (Text.assemble(("●● ", color_style(name) or ""), name), name)
            for name in self.color_options
        ]
        sources = sorted(self.profiles, key=str.casefold)
        title, intro, button = _TEXTS[self.kind]
        with Vertical(id="switch-dialog", classes="dialog"):
            yield Static(Text(title, style="bold"), id="switch-title", classes="dialog-title")
            yield Static(Text(intro), id="switch-intro")
            yield self._field(
                "kind",
                "Add",
                Select(
                    [(Text(label), key) for key, label in KINDS],
                    value=self.kind,
                    allow_blank=False,
                    id="kind",
                    compact=True,
                ),
                "",
            )
            with VerticalScroll(id="switch-fields"):
                yield self._text_field(
                    "account",
                    "Account ID",
                    "123456789012",
                    "12 digits",
                    restrict=r"[0-9]*",
                    max_length=12,
                )
                yield self._text_field("role", "Role", "Admin", "a role name, or a full role ARN")
                yield self._text_field(
                    "display",
                    "Display name",
                    "[prod] admin (optional)",
                    "shown in the table instead of the profile name",
                )
                yield self._field(
                    "color",
                    "Colour",
                    Select(colors, prompt="none (optional)", id="color", compact=True),
                    "",
                )
                yield self._text_field(
                    "name",
                    "Profile name",
                    "(optional)",
                    "[profile NAME]; by default from the display name, or ROLE-ACCOUNT",
                )
                yield self._source_field(sources)
                yield self._text_field("region", "Region", "eu-west-1 (optional)")
                yield self._text_field(
                    "mfa", "MFA serial", "arn:aws:iam::123456789012:mfa/alice (optional)"
                )
            with VerticalScroll(id="sso-fields"):
                yield self._text_field(
                    "sso-url",
                    "Start URL",
                    "https://acme.awsapps.com/start",
                    "your AWS access portal (IAM Identity Center's start URL)",
                )
                yield self._text_field(
                    "sso-region", "Region", "eu-west-1", "the region of IAM Identity Center"
                )
                yield self._text_field(
                    "sso-name",
                    "Session name",
                    "(optional)",
                    "[sso-session NAME]; by default the start URL's first label (acme)",
                )
            yield Label("", id="form-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(button, variant="primary", id="switch-save", compact=True)
                yield Button("Cancel", id="switch-cancel", compact=True)
        yield self.footer()

    def fit(self, height: int) -> None:
        """The fields scroll in what the screen leaves: the buttons stay on screen."""
        chrome = SHORT_CHROME if self.has_class("-short") else CHROME
        for fields in self.query("#switch-fields").results(VerticalScroll):
            fields.styles.max_height = max(3, height - chrome)

    def on_mount(self) -> None:
        for field_input in self.query(Input):
            field_input.cursor_blink = not self.app.is_headless
        self._show_kind()

    def _show_kind(self) -> None:
        """Show the fields of :attr:`kind` (and its title), and focus its first field."""
        title, intro, button = _TEXTS[self.kind]
        # (not query_one: when the app exits while the form opens, it has no fields)
        for static in self.query("#switch-title").results(Static):
            static.update(Text(title, style="bold"))
        for static in self.query("#switch-intro").results(Static):
            static.update(Text(intro))
        for save in self.query("#switch-save").results(Button):
            save.label = button
        for scroll in self.query("#switch-fields").results(VerticalScroll):
            scroll.display = self.kind == "role"
        for scroll in self.query("#sso-fields").results(VerticalScroll):
            scroll.display = self.kind == "sso"
        first = "#account" if self.kind == "role" else "#sso-url"
        for widget in self.query(first).results(Input):
            widget.focus()

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.kind:
            self.kind = event.value
            self.show_errors({})
            self._show_kind()

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key in (*FIELDS, *SSO_FIELDS):
            widget = self.query_one(f"#{key}")
            if isinstance(widget, Input):
                out[key] = widget.value
            elif isinstance(widget, Select):
                value = widget.value
                out[key] = value if isinstance(value, str) else ""
        return out

    def show_errors(self, errors: dict[str, str], form_error: str = "") -> None:
        for key in (*FIELDS, *SSO_FIELDS):
            label = self.query_one(f"#{key}-error", Label)
            label.update(Text(errors.get(key, "")))
            label.set_class(key in errors, "-shown")
        label = self.query_one("#form-error", Label)
        label.update(Text(form_error))
        label.set_class(bool(form_error), "-shown")

    def action_save(self) -> None:
        if self._saving is not None:
            return
        request: Saved | None
        keys: tuple[str, ...]
        if self.kind == "sso":
            checked = validate_sso(self.values(), self.sessions)
            errors, request, keys = checked.errors, checked.request, SSO_FIELDS
        else:
            result = validate(self.values(), self.profiles)
            errors, request, keys = result.errors, result.request, FIELDS
        if request is None:
            self.show_errors(errors, "Fix the fields marked above; nothing was written.")
            first = next(k for k in keys if k in errors)
            self.query_one(f"#{first}").focus()
            return
        self.show_errors({})
        # In a thread: the editor waits for the lock of another writer (``rolecall
        # profile add``) and parses the whole config; the UI keeps ticking meanwhile.
        self._saving = request
        self.query_one("#switch-save", Button).disabled = True
        self.run_worker(
            partial(self.save, request),
            name="switch-role-save",
            group=SAVE_GROUP,
            thread=True,
            exit_on_error=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The save finished: close the form, or say why nothing was written."""
        worker, request = event.worker, self._saving
        if worker.group != SAVE_GROUP or request is None or not worker.is_finished:
            return
        self._saving = None
        self.query_one("#switch-save", Button).disabled = False
        if event.state == WorkerState.SUCCESS and worker.result is None:
            self.dismiss(request)
            return
        problem = worker.result if event.state == WorkerState.SUCCESS else None
        self.show_errors({}, str(problem or f"Not written: {one_line(worker.error)}"))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#switch-save")
    def _on_save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#switch-cancel")
    def _on_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _on_submitted(self) -> None:
        self.action_save()
