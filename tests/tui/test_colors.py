"""Every colour the settings accept, and the Switch role form offers, is drawn (issue 9 §3).

``bright_red`` (the demo's own ``[prod] admin``) was parsed with Textual's CSS colour
names, which do not know it: the style was dropped, silently. The table's cell is
checked as the terminal gets it, after the app's filters (ANSI colours become the
theme's RGB unless the theme keeps the terminal's own palette).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.color import Color as RichColor
from rich.segment import Segment
from tests.tui.helpers import started
from textual.widgets import Select

from rolecall.settings import COLOR_NAMES
from rolecall.tui.app import RolecallApp
from rolecall.tui.screens.switch_role import SwitchRoleScreen
from rolecall.tui.switch_role_form import color_choices

HEXES = ("#ff8800", "#0A0B0C")


def _expected(app: RolecallApp, color: str) -> tuple[int, int, int]:
    parsed = RichColor.parse(color)
    if parsed.triplet is None and parsed.number is not None and parsed.number < 16:
        theme = app.ansi_theme  # the first sixteen: the terminal's own, as the app maps them
        return tuple(parsed.get_truecolor(theme))  # type: ignore[return-value]
    return tuple(parsed.get_truecolor())  # type: ignore[return-value]


def _drawn_label(app: RolecallApp, name: str) -> Segment:
    """The label cell of ``name``'s row as the terminal gets it."""
    table = app.main.table
    index = [row.name for row in table.rows].index(name)
    strip = table.render_line(index + 1 - round(table.scroll_y))
    background = app.screen.styles.background  # (a Textual Color)
    for line_filter in app._filters:
        strip = strip.apply_filter(line_filter, background)
    label = table.rows[index].label
    return next(seg for seg in strip if seg.text.startswith(label[:6]))


async def test_every_colour_renders_in_the_table(make_app: Callable[..., RolecallApp]) -> None:
    app = make_app()
    async with started(app) as pilot:
        table = app.main.table
        row = next(r for r in table.rows if r.name == "loop-a")
        table.move_cursor_to("dev")  # loop-a is not under the cursor
        await pilot.pause()
        plain = _drawn_label(app, "loop-a").style
        assert plain is not None
        seen = {}
        for color in (*COLOR_NAMES, *HEXES):
            row.color = color.lower()
            table.refresh_row("loop-a")
            style = _drawn_label(app, "loop-a").style
            assert style is not None and style.color is not None, color
            assert style.color.triplet is not None, color
            assert tuple(style.color.triplet) == _expected(app, color.lower()), color
            seen[color] = tuple(style.color.triplet)
        # the demo's [prod] admin: bright_red is drawn, not the table's own foreground
        assert plain.color is None or seen["bright_red"] != tuple(plain.color.get_truecolor())


async def test_the_form_shows_each_colour_as_the_table_draws_it(
    make_app: Callable[..., RolecallApp],
) -> None:
    from rolecall.tui.widgets.profile_table import color_style

    app = make_app()
    async with started(app) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SwitchRoleScreen)
        offered = [value for _, value in screen.query_one("#color", Select)._options[1:]]
        assert offered == list(color_choices()) == list(COLOR_NAMES)
        for prompt, value in screen.query_one("#color", Select)._options[1:]:
            swatch = prompt.spans[0].style  # type: ignore[union-attr]
            assert swatch == color_style(str(value)), value


async def test_the_demo_red_is_drawn(make_app: Callable[..., RolecallApp]) -> None:
    """The sample settings give prod-admin ``bright_red`` (as the demo's do)."""
    app = make_app()
    async with started(app):
        style = _drawn_label(app, "prod-admin").style
        assert style is not None and style.color is not None
        assert tuple(style.color.get_truecolor()) == _expected(app, "bright_red")
