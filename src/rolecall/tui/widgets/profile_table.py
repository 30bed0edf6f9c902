"""A virtualised profile table: only the visible rows are ever rendered.

Textual's ``DataTable`` measures every cell of every row on its first paint
(about 0.45 s at 5,000 rows).  This widget is a line-API ``ScrollView``:
``render_line(y)`` draws one row on demand, column widths come from one pass
over the cell lengths, and a clock tick repaints only the Expires cells of the
rows on screen.

Line 0 is the header (it stays put when the rows scroll); line ``y`` shows row
``scroll_y + y - 1``.

Name and Expires are always on screen: when the columns are wider than the
table, the lower-priority ones shrink or hide first (:func:`fit_columns`), so
that an 80-column terminal never scrolls sideways to reach a countdown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.color import Color as RichColor
from rich.color import ColorParseError
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from rolecall.tui.discovered import SSO_KINDS
from rolecall.tui.model import Row, expiry_level, format_countdown

__all__ = ["COLUMNS", "ProfileTable"]

#: (key, header, minimum width, maximum width)
COLUMNS: tuple[tuple[str, str, int, int], ...] = (
    ("name", "Name", 8, 40),
    ("kind", "Kind", 4, 18),
    ("account", "Account", 7, 30),  # (an SSO row's shows the account's name beside its ID)
    ("role", "Role", 4, 32),
    ("region", "Region", 6, 16),
    ("source", "Source", 6, 32),
)
EXPIRES_WIDTH = 9
MARK_WIDTH = 3
GAP = 2
#: the columns given up first when the table is too narrow, lowest priority first,
#: each with the width it may shrink to before it hides (None: it hides whole; an
#: account ID or a region cut short is of no use)
GIVE_UP: tuple[tuple[int, int | None], ...] = (
    (5, 6),  # source
    (1, None),  # kind
    (4, None),  # region
    (3, 8),  # role
    (2, None),  # account
)
#: the name shrinks last, down to this
NAME_FLOOR = 8


def row_width(widths: Sequence[int]) -> int:
    """The cells a row takes with these column widths (0: hidden)."""
    return MARK_WIDTH + sum(w + GAP for w in widths if w) + EXPIRES_WIDTH + 1


def fit_columns(natural: Sequence[int], available: int) -> list[int]:
    """The widths to draw the columns with in ``available`` cells (0: hidden).

    Lower-priority columns shrink to their floor or hide first (:data:`GIVE_UP`),
    then the name shrinks; Name and Expires stay.

    >>> natural = [12, 11, 12, 10, 14, 8]  # name kind account role region source
    >>> row_width(natural), fit_columns(natural, 200)
    (92, [12, 11, 12, 10, 14, 8])
    >>> fit_columns(natural, 90)  # the source shrinks
    [12, 11, 12, 10, 14, 6]
    >>> fit_columns(natural, 77)  # ...then hides, and so does the kind
    [12, 0, 12, 10, 14, 0]
    >>> fit_columns(natural, 25), fit_columns(natural, 10)
    ([10, 0, 0, 0, 0, 0], [8, 0, 0, 0, 0, 0])
    """
    widths = list(natural)
    for index, floor in GIVE_UP:
        over = row_width(widths) - available
        if over <= 0:
            return widths
        if floor is not None and widths[index] - over >= floor:
            widths[index] -= over
            return widths
        widths[index] = 0
    over = row_width(widths) - available
    if over > 0:
        widths[0] = max(NAME_FLOOR, widths[0] - over)
    return widths


def _cell(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells, cut with ``…`` when it is longer."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


_style_cache: dict[str, Style] = {}


def color_style(color: str | None) -> Style | None:
    """A Rich style for a settings colour (``bright_red``, ``orange1``, ``#ff8800``), or None.

    The names are Rich's, as the settings check them (``settings/colors.py``): the
    first sixteen are the terminal's own colours, which the app maps through its
    theme's palette, as it does for every ANSI colour.  (Textual's CSS names are
    another set: ``bright_red`` is not one, and ``purple`` is another colour.)
    The settings refuse anything else, with its key and line; such a value, given
    by hand, draws in the table's own colour.
    """
    if not color:
        return None
    style = _style_cache.get(color)
    if style is None:
        try:
            style = Style(color=RichColor.parse(color))
        except ColorParseError:
            style = Style()
        _style_cache[color] = style
    return style


class ProfileTable(ScrollView, can_focus=True):
    """One line per profile, with a cursor; Expires counts down from ``clock()``."""

    class CursorMoved(Message):
        """The cursor is on another profile (or on none)."""

        def __init__(self, name: str | None) -> None:
            super().__init__()
            self.name = name

        def can_replace(self, message: Message) -> bool:
            """A burst of moves: the detail panel is updated for the last one only."""
            return isinstance(message, ProfileTable.CursorMoved)

    class RowActivated(Message):
        """A row was double-clicked."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    class HeaderClicked(Message):
        """A column header was clicked: ``name`` or ``expires``."""

        def __init__(self, column: str) -> None:
            super().__init__()
            self.column = column

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "profile-table--header",
        "profile-table--cursor",
        "profile-table--favorite",
        "profile-table--problem",
        "profile-table--busy",
        "profile-table--live",
        "profile-table--warn",
        "profile-table--critical",
        "profile-table--expired",
        "profile-table--dim",
    }

    DEFAULT_CSS = """
    ProfileTable {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;  /* the columns fit the same width, scrollbar or not */
        & > .profile-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .profile-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .profile-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .profile-table--favorite { color: $warning; }
        & > .profile-table--problem { color: $error; text-style: bold; }
        & > .profile-table--busy { color: $accent; text-style: bold; }
        & > .profile-table--live { color: $success; }
        & > .profile-table--warn { color: $warning; }
        & > .profile-table--critical { color: $error; text-style: bold; }
        & > .profile-table--expired { color: $error 70%; text-style: italic; }
        & > .profile-table--dim { color: $foreground-muted; }
    }
    """

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.clock = clock
        self.warn_seconds = 900
        self.critical_seconds = 300
        self._sort_column = "name"
        self.busy: set[str] = set()
        #: profiles whose background refresh waits for an MFA code ("needs MFA")
        self.mfa_needed: set[str] = set()
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self._cursor = 0
        #: the columns' widths from their content, and as drawn (0: hidden)
        self._natural = [lo for _, _, lo, _ in COLUMNS]
        self._widths = list(self._natural)
        self._expires_x = 0
        self._strips: dict[str, Strip] = {}
        self._header: Strip | None = None
        self._line_styles: dict[bool, Style] = {}
        self._last_name: str | None = None

    # -- data ---------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def rows(self) -> Sequence[Row]:
        return self._rows

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_name(self) -> str | None:
        if 0 <= self._cursor < len(self._rows):
            return self._rows[self._cursor].name
        return None

    def measure(self, rows: Sequence[Row]) -> None:
        """Column widths from every row (not only the filtered ones, so they never jump)."""
        widths = []
        for (_key, header, lo, hi), attr in zip(COLUMNS, _ATTRS, strict=True):
            cells = [getattr(r, attr) for r in rows]
            longest = max(map(len, cells), default=0)
            if longest < hi:  # wide characters take two cells: measure those properly
                wide = [cell_len(c) for c in cells if not c.isascii()]
                longest = max(longest, *wide) if wide else longest
            widths.append(max(lo, len(header) + 2, min(hi, longest)))
        self._natural = widths
        self._fit()

    def _fit(self) -> None:
        """Draw the columns in the table's width (:func:`fit_columns`)."""
        available = self.scrollable_content_region.width
        widths = fit_columns(self._natural, available) if available else list(self._natural)
        if widths != self._widths:
            self._widths = widths
            self._layout()
            self._invalidate()

    @property
    def shown_columns(self) -> list[str]:
        """The keys of the columns drawn (for tests)."""
        return [key for (key, *_), w in zip(COLUMNS, self._widths, strict=True) if w]

    @property
    def sort_column(self) -> str:
        """The column the rows are sorted by ("name" or "expires"), marked ▼ in the header."""
        return self._sort_column

    @sort_column.setter
    def sort_column(self, column: str) -> None:
        if column != self._sort_column:
            self._sort_column = column
            self._header = None  # the ▼ moves
            self.refresh()

    def header_text(self) -> str:
        """The header line as shown (for tests and screen readers)."""
        return self._header_strip().text

    def set_rows(self, rows: list[Row], keep: str | None = None) -> None:
        """Show ``rows``; the cursor stays on ``keep`` (default: the current profile)."""
        if keep is None:
            keep = self.cursor_name
        old_cursor = self._cursor
        self._rows = rows
        self._index = {row.name: i for i, row in enumerate(rows)}
        self._strips.clear()
        if keep is not None and keep in self._index:
            self._cursor = self._index[keep]
        else:
            self._cursor = max(0, min(old_cursor, len(rows) - 1))
        self._layout()
        self._scroll_to_cursor()
        self.refresh()
        self._announce()

    def _layout(self) -> None:
        self._expires_x = row_width(self._widths) - EXPIRES_WIDTH - 1
        self.virtual_size = Size(self._expires_x + EXPIRES_WIDTH + 1, len(self._rows) + 1)

    def move_cursor_to(self, name: str) -> bool:
        index = self._index.get(name)
        if index is None:
            return False
        self._move(index)
        return True

    def refresh_row(self, name: str) -> None:
        """Redraw one profile's row (its favourite mark, its busy mark or its expiry changed)."""
        self._strips.pop(name, None)
        index = self._index.get(name)
        if index is not None:
            self.refresh_line(index + 1)

    def refresh_countdowns(self) -> None:
        """Repaint the Expires cells of the rows on screen, and nothing else."""
        if not self._rows:
            return
        height = self.scrollable_content_region.height
        x = self._expires_x - round(self.scroll_x)
        self.refresh(Region(x, 1, EXPIRES_WIDTH + 1, max(0, height - 1)))

    def row_text(self, index: int) -> str:
        """The plain text of a row as drawn (for tests and screen readers)."""
        strip = self._row_strip(self._rows[index], self._rows[index].name == self.cursor_name)
        return strip.text.rstrip()

    # -- cursor -------------------------------------------------------------
    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _move(self, index: int) -> None:
        if not self._rows:
            return
        index = max(0, min(index, len(self._rows) - 1))
        if index == self._cursor:
            self._scroll_to_cursor()
            return
        old = self._cursor
        self._cursor = index
        self.refresh_line(old + 1)
        self.refresh_line(index + 1)
        self._scroll_to_cursor()
        self._announce()

    def _announce(self) -> None:
        name = self.cursor_name
        if name != self._last_name:
            self._last_name = name
            self.post_message(self.CursorMoved(name))

    def _scroll_to_cursor(self) -> None:
        page = self._page
        top = round(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self._move(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self._cursor + 1)

    def action_page_up(self) -> None:
        self._move(self._cursor - self._page)

    def action_page_down(self) -> None:
        self._move(self._cursor + self._page)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self._rows) - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = offset.x + round(self.scroll_x)
            self.post_message(self.HeaderClicked("expires" if x >= self._expires_x else "name"))
            return
        index = round(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self._rows):
            self._move(index)
            if event.chain == 2:
                self.post_message(self.RowActivated(self._rows[index].name))

    def on_resize(self) -> None:
        self._fit()
        self._scroll_to_cursor()

    def on_focus(self) -> None:
        self._invalidate()

    def on_blur(self) -> None:
        self._invalidate()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._invalidate()

    def _invalidate(self) -> None:
        self._strips.clear()
        self._line_styles.clear()
        self._header = None
        self.refresh()

    # -- drawing ------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"profile-table--{name}", partial=True)

    def _header_strip(self) -> Strip:
        if self._header is None:
            segments = [Segment(" " * MARK_WIDTH)]
            for (key, header, _, _), width in zip(COLUMNS, self._widths, strict=True):
                if width:
                    label = header + (" ▼" if key == self.sort_column else "")
                    segments.append(Segment(_cell(label, width) + " " * GAP))
            label = ("▼ " if self.sort_column == "expires" else "") + "Expires"
            segments.append(Segment(label.rjust(EXPIRES_WIDTH) + " "))
            base = self.rich_style + self.get_component_rich_style("profile-table--header")
            self._header = Strip(segments).apply_style(base)
        return self._header

    def _static_strip(self, row: Row) -> Strip:
        """Everything of a row but its countdown, cached until the row changes."""
        strip = self._strips.get(row.name)
        if strip is None:
            mark = (
                Segment("★", self._style("favorite")) if row.favorite else Segment(" "),
                Segment("…", self._style("busy"))
                if row.name in self.busy
                else Segment("!", self._style("problem"))
                if row.problems
                else Segment(" "),
                Segment(" "),
            )
            segments = list(mark)
            widths = self._widths
            segments.append(Segment(_cell(row.label, widths[0]), color_style(row.color)))
            segments.append(Segment(" " * GAP))
            for attr, width in zip(_ATTRS[1:], widths[1:], strict=True):
                if width:
                    segments.append(Segment(_cell(getattr(row, attr), width) + " " * GAP))
            strip = Strip(segments, self._expires_x)
            self._strips[row.name] = strip
        return strip

    def _expires_segment(self, row: Row, now: datetime) -> Segment:
        if row.name in self.mfa_needed:
            return Segment("needs MFA".rjust(EXPIRES_WIDTH) + " ", self._style("warn"))
        left = row.remaining(now)
        if row.kind in SSO_KINDS and (left is None or left <= 0):
            # no SSO token, or an expired one: Enter logs in (then assumes)
            return Segment("login".rjust(EXPIRES_WIDTH) + " ", self._style("warn"))
        if left is None:
            return Segment(" " * (EXPIRES_WIDTH + 1))
        level = expiry_level(left, self.warn_seconds, self.critical_seconds)
        text = format_countdown(left).rjust(EXPIRES_WIDTH) + " "
        return Segment(text, self._style(level or "dim"))

    def _line_style(self, cursor: bool) -> Style:
        """The style under a row (cached: ``rich_style`` walks the ancestors)."""
        style = self._line_styles.get(cursor)
        if style is None:
            style = self.rich_style
            if cursor:
                style = style + self.get_component_rich_style("profile-table--cursor")
            self._line_styles[cursor] = style
        return style

    def _row_strip(self, row: Row, cursor: bool) -> Strip:
        strip = self._static_strip(row)
        strip = Strip([*strip, self._expires_segment(row, self.clock())])
        return strip.apply_style(self._line_style(cursor))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if y == 0:
            strip = self._header_strip()
            fill = self._line_style(False) + self.get_component_rich_style("profile-table--header")
        else:
            index = scroll_y + y - 1
            if index >= len(self._rows):
                return Strip.blank(width, self._line_style(False))
            cursor = index == self._cursor
            strip = self._row_strip(self._rows[index], cursor)
            fill = self._line_style(cursor)
        return strip.crop_extend(scroll_x, scroll_x + width, fill)


_ATTRS = ("label", "kind", "account", "role", "region", "source")
