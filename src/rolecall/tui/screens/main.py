"""The main screen: the profile table, the filter, the detail panel and the status log.

It owns what is shown (a :class:`~rolecall.tui.state.TableState`) and the keys
that act on the highlighted profile; the app owns the workers and the timers,
and calls :meth:`MainScreen.tick` once a second.  The screen reaches the app only
through the :class:`ProfileActions` it is given (it never imports the app).

It fits any terminal from 80x24 up: the detail and status panels sit side by
side from :data:`SIDE_BY_SIDE` columns, one at a time below that (the status
panel first), and get fewer lines on a short terminal, so that the table keeps
at least eight rows; ``p`` cycles what the bottom shows (:data:`VIEWS`).  Toasts
are placed over the top of the status panel, where its oldest lines are, never
over the table or the newest lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Input
from textual.widgets._toast import Toast, ToastRack

from rolecall.tui import guard_view
from rolecall.tui.discovered import describe as describe_target
from rolecall.tui.model import SORTS, clean
from rolecall.tui.state import PreparedRows, TableState
from rolecall.tui.widgets.detail import DetailPanel, describe
from rolecall.tui.widgets.key_footer import KeyFooter
from rolecall.tui.widgets.profile_table import ProfileTable
from rolecall.tui.widgets.status import StatusLog

if TYPE_CHECKING:
    from rich.text import Text

    from rolecall.core.profiles import ProfileSet
    from rolecall.core.sso.discovery import SessionRoles
    from rolecall.settings import Settings
    from rolecall.tui.jobs import Purpose
    from rolecall.tui.lines import Level
    from rolecall.tui.model import ExpiryLike

__all__ = ["SIDE_BY_SIDE", "VIEWS", "MainScreen", "ProfileActions"]

#: what the bottom of the screen shows, in the order ``p`` cycles through
VIEWS = ("both", "status", "detail", "none")
#: the columns from which the detail and status panels sit side by side
SIDE_BY_SIDE = 100
#: the panels' height (with their borders) below SHORT rows, below MID, and from MID
SHORT, MID = 30, 38
PANEL_HEIGHTS = (7, 10, 16)
#: the profile rows the table keeps, whatever else needs room (toasts)
MIN_ROWS = 8
#: how often the room made for toasts is checked (a toast goes away by itself)
TOAST_CHECK = 0.1


class ProfileActions(Protocol):
    """What the main screen (and the palette opened on it) asks of the app.

    The calls run at once, not as messages: Enter must open the MFA modal before
    the digits typed behind it are handed out.
    """

    def start(self) -> None:
        """The screen is mounted: load the profiles, start the timers."""

    def request(self, name: str, purpose: Purpose) -> None:
        """Assume ``name`` for ``purpose`` (asking for an MFA code first if needed)."""

    def open_switch_role(self, highlighted: str | None) -> None:
        """Open the Switch role form."""

    def toggle_favorite(self, name: str) -> None:
        """Pin or unpin ``name``, and save it."""

    def logout(self, name: str) -> None:
        """Forget ``name``'s cached credentials and MFA session, after a confirm."""

    def edit(self, name: str) -> None:
        """Open ``name`` in $VISUAL/$EDITOR at its line, then reload."""

    def copy(self, name: str, export: bool = False) -> None:
        """Copy the role ARN (or, after a confirm, the export block) with OSC 52."""

    def add_discovered(self, name: str) -> None:
        """Write a discovered SSO role's row (``sso·new``) into the config as a profile."""


class MainScreen(Screen[None]):
    """The profile table, the filter, the detail panel and the status log."""

    #: in order of priority: a narrow footer leaves out the last ones (never Help, Quit)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "assume", "Assume"),
        Binding("s", "shell", "Shell"),
        Binding("c", "console", "Console", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("p", "panels", "Panels"),
        Binding("i", "whoami", "Whoami"),
        Binding("r", "reassume", "Re-assume"),
        Binding("n", "switch_role", "Switch role"),
        Binding("o", "sort", "Sort"),
        Binding("f", "favorite", "Fav"),
        Binding("x", "logout", "Log out", show=False),
        Binding("e", "edit", "Edit", show=False),
        Binding("y", "copy", "Copy ARN", show=False),
        Binding("Y", "copy_export", "Copy exports", show=False),
        Binding("a", "add_discovered", "Add profile", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
        # as in k9s and lazygit (Ctrl+Q, Textual's, stays); before the filter's copy
        Binding("ctrl+c", "app.quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, clock: Callable[[], datetime], actions: ProfileActions) -> None:
        super().__init__()
        self.clock = clock
        #: what the screen asks of the app
        self.actions = actions
        #: the settings of the last load (display names, colours, thresholds)
        self.settings: Settings | None = None
        self.state = TableState()
        self._detail_live = False
        self._detail_for: str | None = None
        #: what the bottom shows (one of VIEWS); "both" shows the status panel alone
        #: when the screen is narrower than SIDE_BY_SIDE
        self.panels = "both"
        #: rows the status panel gives to toasts over its top
        self._toast_room = 0
        #: the guarded profile whose colour the header and the table's border show
        self._guard_bar: str | None = None
        self.table: ProfileTable
        self.status: StatusLog
        self.detail: DetailPanel

    def compose(self) -> ComposeResult:
        yield Header(icon="⇄")
        with Vertical(id="table-box"):
            yield Input(
                placeholder="filter: name, account, role, region (Enter: keep, Esc: clear)",
                id="filter",
                compact=True,
            )
            yield ProfileTable(self.clock, id="profiles")
        with Horizontal(id="bottom"):
            yield DetailPanel(id="detail")
            yield StatusLog(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.table = self.query_one("#profiles", ProfileTable)
        self.status = self.query_one("#status", StatusLog)
        self.detail = self.query_one("#detail", DetailPanel)
        self.detail.border_title = "Profile"
        self.status.border_title = "Status"
        filt = self.query_one("#filter", Input)
        filt.display = False
        filt.cursor_blink = not self.app.is_headless
        self.table.focus()
        self._lay_out()
        self.set_interval(TOAST_CHECK, self.fit_toasts, name="toasts")
        self.actions.start()

    # -- layout -------------------------------------------------------------
    @property
    def view(self) -> str:
        """What the bottom shows now: :attr:`panels`, as the width allows."""
        if self.panels == "both" and self.size.width < SIDE_BY_SIDE:
            return "status"
        return self.panels

    def on_resize(self) -> None:
        self._lay_out()

    def _base_height(self) -> int:
        """The bottom panels' height for the screen's, toasts aside."""
        height = self.size.height
        return PANEL_HEIGHTS[0 if height < SHORT else 1 if height < MID else 2]

    def _lay_out(self) -> None:
        """The panels' height for the screen's, which panels show, where toasts go."""
        view = self.view
        bottom = self.query_one("#bottom")
        bottom.display = view != "none"
        bottom.styles.height = self._base_height() + self._toast_room
        self.status.styles.padding = (self._toast_room, 1, 0, 1)
        self.detail.display = view in ("both", "detail")
        self.status.display = view in ("both", "status")
        folded = {"status": "details", "detail": "status", "none": "panels"}.get(view)
        hint = f"p shows the {folded}" if folded else ""
        self.query_one("#table-box").border_subtitle = hint
        self.call_after_refresh(self._place_toasts)

    def _place_toasts(self) -> None:
        """Toasts over the top of the status panel, in the room it leaves them, else
        where Textual puts them (bottom right, above the footer)."""
        racks = self.query_children(ToastRack)
        if not racks:
            return
        styles = racks.first().styles
        status = self.status
        if status.display and status.region.height:
            styles.dock = "top"
            styles.align_vertical = "top"
            styles.margin = (status.region.y + 1, 2, 0, 0)
            styles.max_height = max(1, status.region.height - 2)
        else:
            styles.dock = "bottom"
            styles.align_vertical = "bottom"
            styles.margin = (0, 0, 1, 0)
            styles.max_height = None

    def fit_toasts(self) -> None:
        """Make room for the toasts above the status panel's lines, so that they never
        cover the newest ones: the panel grows by their height, as far as the table
        can keep :data:`MIN_ROWS` rows (past that, they cover its oldest lines)."""
        toasts = [toast for toast in self.query(Toast) if toast.region.height]
        need = 0
        if toasts and self.status.display:
            need = max(t.region.bottom for t in toasts) - min(t.region.y for t in toasts)
        # header and footer, the table's borders and its header row, the filter
        chrome = 2 + 2 + 1 + (1 if self.query_one("#filter").display else 0)
        spare = self.size.height - chrome - self._base_height() - MIN_ROWS
        room = max(0, min(need, spare))
        if room != self._toast_room:
            self._toast_room = room
            self._lay_out()

    def action_panels(self) -> None:
        """Cycle what the bottom shows: both panels (or the status panel alone when
        narrow), the status panel, the profile's details, nothing."""
        views = VIEWS if self.size.width >= SIDE_BY_SIDE else VIEWS[1:]
        current = self.view
        self.panels = views[(views.index(current) + 1) % len(views)]
        self._lay_out()

    # -- handles ------------------------------------------------------------
    @property
    def highlighted(self) -> str | None:
        return self.table.cursor_name

    # -- data in ------------------------------------------------------------
    def load(
        self,
        profiles: ProfileSet,
        settings: Settings,
        keep: str | None = None,
        prepared: PreparedRows | None = None,
    ) -> None:
        """New profiles (first load, reload, a profile added), and their rows if built."""
        self.settings = settings
        self.state.set_profiles(
            profiles, settings.display_names, settings.colors, settings.favorites, prepared
        )
        table = self.table
        table.warn_seconds = settings.warn_seconds
        table.critical_seconds = settings.critical_seconds
        table.measure(self.state.all_rows())
        self._show(keep)

    def set_expiries(self, expiries: dict[str, Any], sessions: dict[str, Any]) -> None:
        """Each profile's cached expiry, and the MFA session each chain uses."""
        self.state.set_cache_expiries(expiries, sessions)
        if self.state.sort == "expires":
            self._show()
        else:
            self.table.refresh()
        self._update_detail(force=True)

    def set_discovered(
        self, found: Sequence[SessionRoles], tokens: Mapping[str, ExpiryLike]
    ) -> None:
        """A new discovery of the SSO sessions' roles: their rows join the table."""
        self.state.set_discovered(found)
        self.state.set_token_expiries(tokens)
        self.table.measure(self.state.all_rows())
        self._show()

    def set_token_expiries(self, tokens: Mapping[str, ExpiryLike]) -> None:
        """The SSO tokens changed (a login, a refresh): the discovered rows' countdowns."""
        self.state.set_token_expiries(tokens)
        self.table.refresh()
        self._update_detail(force=True)

    def session_expiry(self, name: str, kind: str, expires_at: datetime) -> None:
        self.state.set_session_expiry(name, kind, expires_at)
        self.table.refresh_row(name)
        self._update_detail(force=True)

    def set_busy(self, name: str, busy: bool) -> None:
        table = self.table
        if busy:
            table.busy.add(name)
        else:
            table.busy.discard(name)
        table.refresh_row(name)

    def set_mfa_needed(self, name: str, needed: bool) -> None:
        """Mark (or unmark) the row of a profile whose refresh waits for an MFA code."""
        table = self.table
        if needed:
            table.mfa_needed.add(name)
        else:
            table.mfa_needed.discard(name)
        table.refresh_row(name)

    def note(self, profile: str | None, message: str, level: Level = "info") -> None:
        self.status.add(self.clock(), profile, message, level)

    def tick(self) -> None:
        self.table.refresh_countdowns()
        if self._detail_live:
            self._update_detail(force=True)
        self._update_guard_bar()

    # -- showing ------------------------------------------------------------
    def _show(self, keep: str | None = None) -> None:
        table = self.table
        rows = self.state.visible(self.clock())
        table.sort_column = self.state.sort
        table.set_rows(rows, keep=keep)
        self._update_title()
        self._update_detail(force=True)

    def _update_title(self) -> None:
        total = len(self.state.rows)
        shown = self.table.row_count
        parts = [f"Profiles {shown:,}" if shown == total else f"Profiles {shown:,} of {total:,}"]
        found = len(self.state.discovered.rows)
        if found:  # (the rows of roles and sessions with no profile: sso·new, sso·login)
            parts.append(f"{found:,} of them discovered (SSO)")
        parts.append(f"sorted by {'time left' if self.state.sort == 'expires' else 'name'}")
        if self.state.query:
            parts.append(f"filter “{self.state.query}”")
        self.query_one("#table-box").border_title = " · ".join(parts)

    def _update_detail(self, force: bool = False) -> None:
        name = self.highlighted
        if not force and name == self._detail_for:
            return
        self._update_guard_bar()
        self._detail_for = name
        panel = self.detail
        profile = self.state.profile(name) if name else None
        settings = self.settings
        if profile is None or settings is None:
            self._detail_live = False
            from rich.text import Text

            target = self.state.target(name) if name else None
            if name and target is not None:
                panel.show(_discovered_detail(describe_target(name, target)))
            else:
                panel.show(Text("No profile selected.", style="dim"))
            return
        expiry = self.state.hop_expiry
        self._detail_live = any(expiry(profile.name, hop) is not None for hop in profile.chain)
        panel.show(
            describe(
                profile,
                self.state.profiles,
                lambda hop: expiry(profile.name, hop),
                self.clock(),
                display_name=settings.display_names.get(profile.name),
                warn=settings.warn_seconds,
                critical=settings.critical_seconds,
            )
        )

    def _update_guard_bar(self) -> None:
        """The header and the table's border in the colour of the guarded profile that is
        highlighted, or assumed here and live (``guard_view.bar_profile``); else as styled."""
        settings = self.settings
        name: str | None = None
        if settings is not None and settings.guard_rules:
            rules, profiles = settings.guard_rules, self.state.profiles
            name = guard_view.bar_profile(
                self.highlighted,
                [(n, e.expires_at) for n, e in self.state.session_expiries.items()],
                lambda n: guard_view.is_guarded(rules, profiles, n),
                self.clock(),
            )
        if name == self._guard_bar:
            return
        self._guard_bar = name
        from textual.color import Color
        from textual.content import Content
        from textual.widgets import Header

        from rolecall.tui.model import clean

        header = self.query_one(Header)
        # (the header's parts each get it too: their text keeps the style it was drawn with)
        parts = [header, *header.walk_children()]
        box = self.query_one("#table-box")
        if name is None or settings is None:
            for part in [*parts, box]:
                for rule in ("background", "color", "border"):
                    part.styles.clear_rule(rule)
                part.refresh()  # (clearing a rule redraws nothing by itself)
            box.border_subtitle = None
            return
        color = Color.parse(guard_view.guard_color(name, settings.colors))
        for part in parts:
            part.styles.background = color
            part.styles.color = color.get_contrast_text()
        box.styles.border = ("heavy", color)
        box.border_subtitle = Content(f"guarded: {clean(settings.display_name(name))}")

    # -- events -------------------------------------------------------------
    def on_profile_table_cursor_moved(self, message: ProfileTable.CursorMoved) -> None:
        self._update_detail()

    def on_profile_table_row_activated(self, message: ProfileTable.RowActivated) -> None:
        self.actions.request(message.name, "assume")

    def on_profile_table_header_clicked(self, message: ProfileTable.HeaderClicked) -> None:
        self.set_sort(message.column)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        """A new filter: the best (first) match is highlighted, as in fzf and k9s (the
        cursor used to keep its index: ``/prd Enter`` from a lower row assumed the last
        match).  Emptied, the filter leaves the cursor where it is."""
        self.state.query = event.value
        first = None
        if event.value:
            rows = self.state.visible(self.clock())
            first = rows[0].name if rows else None
        self._show(keep=first)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.display = False
        self.set_focus(self.table)

    # -- actions ------------------------------------------------------------
    def _request(self, purpose: Purpose) -> None:
        if self.highlighted:
            self.actions.request(self.highlighted, purpose)

    def action_assume(self) -> None:
        self._request("assume")

    def action_reassume(self) -> None:
        self._request("reassume")

    def action_whoami(self) -> None:
        self._request("whoami")

    def action_shell(self) -> None:
        self._request("shell")

    def action_console(self) -> None:
        self._request("console")

    def action_switch_role(self) -> None:
        self.actions.open_switch_role(self.highlighted)

    def action_logout(self) -> None:
        if self.highlighted:
            self.actions.logout(self.highlighted)

    def action_edit(self) -> None:
        if self.highlighted:
            self.actions.edit(self.highlighted)

    def action_copy(self) -> None:
        if self.highlighted:
            self.actions.copy(self.highlighted)

    def action_copy_export(self) -> None:
        if self.highlighted:
            self.actions.copy(self.highlighted, export=True)

    def action_add_discovered(self) -> None:
        if self.highlighted:
            self.actions.add_discovered(self.highlighted)

    def action_filter(self) -> None:
        filt = self.query_one("#filter", Input)
        filt.display = True
        self.set_focus(filt)

    def action_clear_filter(self) -> None:
        filt = self.query_one("#filter", Input)
        if filt.value:
            filt.value = ""
            self.state.query = ""
            self._show()
        filt.display = False
        self.set_focus(self.table)

    def action_sort(self) -> None:
        index = SORTS.index(self.state.sort)
        self.set_sort(SORTS[(index + 1) % len(SORTS)])

    def set_sort(self, sort: str) -> None:
        self.state.sort = sort
        self._show()

    def action_favorite(self) -> None:
        name = self.highlighted
        if name:
            self.actions.toggle_favorite(name)

    def favorites_changed(self, favorites: list[str]) -> None:
        self.state.set_favorites(favorites)
        self._show()

    def profile_labels(self, favorites_first: bool = False) -> list[tuple[str, str]]:
        """(name, label) of every profile, by name (favourites first if asked)."""
        rows = list(self.state.rows.values())
        if favorites_first:
            rows.sort(key=lambda r: (not r.favorite, r.label.casefold()))
        return [(row.name, row.label) for row in rows]


def _discovered_detail(lines: Sequence[tuple[str, str]]) -> Text:
    """The detail panel for a discovered row (``discovered.describe``'s lines)."""
    from rich.text import Text

    text = Text()
    for i, (label, value) in enumerate(lines):
        if i:
            text.append("\n")
        if label:
            text.append(f"{label:<9}", style="bold")
            text.append(clean(value))
        else:
            text.append(clean(value), style="dim")
    return text
