"""The status panel: a log of what the workers did, one line per step.

Lines are Rich ``Text`` (never markup), and go through ``lines.redact`` first, so
a secret that slipped into an error message is still never shown.  It is a
small line-API widget (wrapped lines are rendered once, per width), lighter to
import and to draw than ``RichLog``.

It follows the newest line with Textual's anchor: the layout keeps an anchored
widget scrolled to its end whatever the new size, until the user scrolls up
(wheel, keys, scrollbar); scrolling back to the end (or ``End``/``G``) follows
again.  (It used to compare ``scroll_y`` with ``max_scroll_y`` before the new
size was laid out: the first line that overflowed left it behind for good.)
It takes the focus (Tab) and scrolls with the keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from rolecall.tui.lines import Level, redact
from rolecall.tui.model import clean

__all__ = ["StatusLog"]

#: the style of each level
LEVELS: dict[Level, str] = {
    "info": "",
    "step": "dim",
    "ok": "green",
    "warn": "yellow",
    "error": "bold red",
    "hint": "italic yellow",
}
MAX_LINES = 1000
#: characters of one message (an error quoting a 25 MB line stays short)
MAX_WIDTH = 1000


class StatusLog(ScrollView, can_focus=True):
    """Timestamped, per-profile lines; follows the end unless scrolled up."""

    DEFAULT_CSS = """
    StatusLog { height: 1fr; background: $surface; overflow-x: hidden; }
    """

    #: besides the arrows, PgUp/PgDn, Home and End (``ScrollView``'s own)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "scroll_up", "Up", show=False),
        Binding("j", "scroll_down", "Down", show=False),
        Binding("g", "scroll_home", "First line", show=False),
        Binding("G", "scroll_end", "Follow", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[Text] = []
        #: the plain text of every line (for tests)
        self.lines_text: list[str] = []
        self._strips: list[Strip] = []
        self._width = 0

    def add(self, now: datetime, profile: str | None, message: str, level: Level = "info") -> None:
        stamp = now.astimezone().strftime("%H:%M:%S") if now.tzinfo else now.strftime("%H:%M:%S")
        line = Text(no_wrap=False)
        line.append(stamp + " ", style="dim")
        if profile:
            line.append(clean(profile), style="bold")
            line.append(" ")
        # redact a prefix long enough that any secret starting in what is shown is whole
        shown = clean(redact(message[: MAX_WIDTH * 4]), MAX_WIDTH)
        line.append(shown, style=LEVELS.get(level, ""))
        self.lines.append(line)
        self.lines_text.append(line.plain)
        if len(self.lines) > MAX_LINES:
            del self.lines[: MAX_LINES // 2]
            del self.lines_text[: MAX_LINES // 2]
            self._width = 0  # rewrap all
        if self._width and self._width == self._wrap_width():
            self._strips.extend(self._wrap(line, self._width))
            self._resize()
        else:
            self._rewrap()
        self.refresh()

    @property
    def following(self) -> bool:
        """Whether the newest line is kept in view (the user has not scrolled up)."""
        return self.is_anchored and not self._anchor_released

    def on_mount(self) -> None:
        self.anchor()

    def _wrap_width(self) -> int:
        return max(10, self.scrollable_content_region.width)

    def _wrap(self, line: Text, width: int) -> list[Strip]:
        console = self.app.console
        style = self.rich_style
        out = []
        for part in line.wrap(console, width, no_wrap=False):
            part.stylize_before(style)
            out.append(Strip(part.render(console), part.cell_len))
        return out

    def _rewrap(self) -> None:
        if not self.is_mounted or not self.size.width:
            return
        width = self._wrap_width()
        self._width = width
        self._strips = [strip for line in self.lines for strip in self._wrap(line, width)]
        self._resize()

    def _resize(self) -> None:
        self.virtual_size = Size(self._width, len(self._strips))

    def on_resize(self) -> None:
        if self._wrap_width() != self._width:
            self._rewrap()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._width = 0
        self._rewrap()

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if index >= len(self._strips):
            return Strip.blank(width, self.rich_style)
        return self._strips[index].crop_extend(0, width, self.rich_style)
