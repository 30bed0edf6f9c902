"""Switch role: the AWS console's form, in the terminal.

The fields are checked by :func:`validate` (pure, no Textual); each error shows
under its own field and nothing is written until every field is valid.  The
screen then calls the ``save`` function it was given, which writes the profile
with the lossless editor and returns an error message when that refuses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from rolecall.core.profiles import RoleArn
from rolecall.tui.lines import one_line
from rolecall.tui.model import clean

if TYPE_CHECKING:
    from rolecall.settings import Settings

__all__ = ["SwitchRoleRequest", "SwitchRoleScreen", "color_choices", "save_request", "validate"]

_ACCOUNT_RE = re.compile(r"\d{12}")
_ROLE_NAME_RE = re.compile(r"(?:[!-.0-~]+/)*[\w+=,.@-]{1,64}", re.ASCII)
_REGION_RE = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
_SERIAL_RE = re.compile(r"[\w+=/:,.@-]{9,256}", re.ASCII)
_SLUG_RE = re.compile(r"[^A-Za-z0-9_.@-]+")

SAVE_GROUP = "switch-role-save"
#: up to this many profiles, the source profile is picked from a list
SELECT_LIMIT = 500
FIELDS = ("account", "role", "display", "color", "name", "source", "region", "mfa")


@dataclass
class SwitchRoleRequest:
    """A valid form: the profile to write, and its display name and colour."""

    name: str
    settings: dict[str, str]
    display_name: str | None = None
    color: str | None = None


@dataclass
class Validation:
    errors: dict[str, str] = field(default_factory=dict)
    request: SwitchRoleRequest | None = None


def default_name(role: str, account: str, display: str) -> str:
    """The profile name used when the form leaves it blank.

    >>> default_name("Admin", "123456789012", "[prod] admin")
    'prod-admin'
    >>> default_name("ops/Admin", "123456789012", "")
    'Admin-123456789012'
    """
    slug = _SLUG_RE.sub("-", display).strip("-.")
    if slug:
        return slug
    return f"{role.rsplit('/', 1)[-1]}-{account}"


def validate(values: dict[str, str], existing: Sequence[str]) -> Validation:
    """Check the form; on success ``request`` holds what to write."""
    errors: dict[str, str] = {}
    account = values.get("account", "").strip()
    role = values.get("role", "").strip()
    display = values.get("display", "").strip()
    color = values.get("color", "").strip()
    name = values.get("name", "").strip()
    source = values.get("source", "").strip()
    region = values.get("region", "").strip()
    mfa = values.get("mfa", "").strip()

    arn: str | None = None
    if role.startswith("arn:"):
        parsed = RoleArn.parse(role)
        if parsed is None:
            errors["role"] = "Not a role ARN: arn:aws:iam::123456789012:role/NAME"
        else:
            arn = role
            if account and account != parsed.account_id:
                errors["account"] = f"The ARN is in account {parsed.account_id}."
            account = account or parsed.account_id
            role_name = parsed.name
    else:
        role_name = role.rsplit("/", 1)[-1]
        if not role:
            errors["role"] = "Enter a role name or a role ARN."
        elif not _ROLE_NAME_RE.fullmatch(role):
            errors["role"] = "Role names use letters, digits and +=,.@_- (64 at most)."
    if "account" not in errors:
        if not account:
            errors["account"] = "Enter the 12-digit account ID."
        elif not _ACCOUNT_RE.fullmatch(account):
            errors["account"] = "An account ID is exactly 12 digits."
    if arn is None and "role" not in errors and "account" not in errors:
        arn = RoleArn.build(account, role.strip("/"))
        if RoleArn.parse(arn) is None:
            errors["role"] = "That role name does not make a valid ARN."

    if display and any(ord(c) < 32 for c in display):
        errors["display"] = "One line of text."
    if not source:
        errors["source"] = "Pick the profile whose credentials assume this role."
    elif source not in existing:
        errors["source"] = f"No profile named {source!r}."
    if region and not _REGION_RE.fullmatch(region):
        errors["region"] = "A region looks like eu-west-1."
    if mfa and not _SERIAL_RE.fullmatch(mfa):
        errors["mfa"] = "An MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) or serial."

    if not errors:
        name = name or default_name(role_name, account, display)
        if name in existing:
            errors["name"] = f"Profile {name!r} already exists; choose another name."
        elif not name or name != name.strip() or "]" in name:
            errors["name"] = "Profile names cannot contain ']' or start/end with spaces."
    if errors:
        return Validation(errors)
    assert arn is not None
    settings = {"role_arn": arn, "source_profile": source}
    if region:
        settings["region"] = region
    if mfa:
        settings["mfa_serial"] = mfa
    return Validation(
        request=SwitchRoleRequest(name, settings, display or None, color or None),
    )


def color_choices() -> list[tuple[str, str]]:
    """(name, #rrggbb) of every colour the settings accept."""
    from rolecall.settings import COLOR_HEX

    return list(COLOR_HEX.items())


def save_request(
    request: SwitchRoleRequest,
    settings: Settings,
    config: str | None,
    credentials: str | None,
    warn: Callable[[str], None],
) -> str | None:
    """Write the profile (lossless editor), then its display name and colour (settings).

    Returns why the profile was not written, or None.  A settings failure after
    the profile was written only warns: the profile is there.
    """
    from rolecall.core.edit import EditError, add_profile
    from rolecall.settings import SettingsError, set_display

    try:
        add_profile(request.name, request.settings, config=config, credentials=credentials)
    except (EditError, OSError) as exc:
        return f"Not written: {one_line(exc)}"
    if request.display_name or request.color:
        try:
            set_display(settings, request.name, request.display_name, request.color)
        except (SettingsError, ValueError, OSError) as exc:
            warn(
                f"Profile {request.name} added, but its display name was not saved: {one_line(exc)}"
            )
    return None


class SwitchRoleScreen(ModalScreen[str | None]):
    """The form; returns the new profile's name, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(
        self,
        profiles: Sequence[str],
        save: Callable[[SwitchRoleRequest], str | None],
        *,
        colors: Sequence[tuple[str, str]] = (),
        source: str | None = None,
    ) -> None:
        super().__init__(classes="modal")
        self.profiles = list(profiles)
        self.save = save
        self.color_options = list(colors)
        self.source = source if source in self.profiles else None
        #: the request being written (in a worker), or None
        self._saving: SwitchRoleRequest | None = None

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
        colors: list[tuple[str | Text, str]] = [
            (Text.assemble(("●● ", hexcode), name), name) for name, hexcode in self.color_options
        ]
        sources = sorted(self.profiles, key=str.casefold)
        with Vertical(id="switch-dialog", classes="dialog"):
            yield Static(Text("Switch role", style="bold"), classes="dialog-title")
            yield Static(
                Text("Adds a role profile to your AWS config, like the console's Switch role.")
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
            yield Label("", id="form-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Switch role", variant="primary", id="switch-save", compact=True)
                yield Button("Cancel", id="switch-cancel", compact=True)

    def on_mount(self) -> None:
        for field_input in self.query(Input):
            field_input.cursor_blink = not self.app.is_headless
        # (not query_one: when the app exits while the form opens, it has no fields)
        for account in self.query("#account").results(Input):
            account.focus()

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key in FIELDS:
            widget = self.query_one(f"#{key}")
            if isinstance(widget, Input):
                out[key] = widget.value
            elif isinstance(widget, Select):
                value = widget.value
                out[key] = value if isinstance(value, str) else ""
        return out

    def show_errors(self, errors: dict[str, str], form_error: str = "") -> None:
        for key in FIELDS:
            label = self.query_one(f"#{key}-error", Label)
            label.update(Text(errors.get(key, "")))
            label.set_class(key in errors, "-shown")
        label = self.query_one("#form-error", Label)
        label.update(Text(form_error))
        label.set_class(bool(form_error), "-shown")

    def action_save(self) -> None:
        if self._saving is not None:
            return
        result = validate(self.values(), self.profiles)
        if result.request is None:
            self.show_errors(result.errors, "Fix the fields marked above; nothing was written.")
            first = next(k for k in FIELDS if k in result.errors)
            self.query_one(f"#{first}").focus()
            return
        self.show_errors({})
        # In a thread: the editor waits for the lock of another writer (``rolecall
        # profile add``) and parses the whole config; the UI keeps ticking meanwhile.
        self._saving = request = result.request
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
            self.dismiss(request.name)
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
