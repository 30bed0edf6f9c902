"""The status panel follows the newest line unless the user scrolled up on purpose, and
is focusable and scrollable with the keys (issue 9 §2), at 80x24 and at the usual size.

It stopped following the first time it overflowed: after that the result of ``i`` or
``r`` stayed below, out of sight, and ``i`` seemed to do nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.tui.helpers import (
    SIZE,
    SMALL,
    goto,
    keys_done,
    started,
    status_lines,
    type_at_once,
)
from textual.pilot import Pilot

from rolecall.tui.app import RolecallApp
from rolecall.tui.widgets.status import StatusLog

SIZES = [SIZE, SMALL]


def shown(app: RolecallApp) -> list[str]:
    """The status panel's lines as drawn now."""
    panel = app.main.status
    return [
        panel.render_line(y).text.rstrip() for y in range(panel.scrollable_content_region.height)
    ]


def newest_is_shown(app: RolecallApp) -> bool:
    """Whether the end of the newest line is on the panel's last lines (it may wrap)."""
    newest = status_lines(app)[-1].replace(" ", "")
    drawn = [line for line in shown(app) if line]  # (a short log leaves blank lines below)
    return newest[-16:] in "".join(drawn[-4:]).replace(" ", "")


async def _whoami(pilot: Pilot[object], app: RolecallApp, times: int) -> None:
    for _ in range(times):
        type_at_once(app, "i")
        await keys_done(pilot, app)
    await drawn(pilot)


async def drawn(pilot: Pilot[object]) -> None:
    """Wait for the scrolling (animated) and the frame that lays out the new lines."""
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["140x40", "80x24"])
async def test_the_newest_line_stays_in_view(
    make_app: Callable[..., RolecallApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with started(app, size) as pilot:
        await goto(pilot, app, "dev")
        if not app.main.status.display:
            await pilot.press("p")  # (folded at 80x24: bring it back)
        for _ in range(8):  # well past the first overflow
            await _whoami(pilot, app, 1)
            assert newest_is_shown(app), (status_lines(app)[-1], shown(app))
        # a burst: several whoamis typed at once
        type_at_once(app, "i", "i", "i")
        await keys_done(pilot, app)
        await drawn(pilot)
        assert newest_is_shown(app), (status_lines(app)[-1], shown(app))


@pytest.mark.parametrize("size", SIZES, ids=["140x40", "80x24"])
async def test_scrolled_up_on_purpose_it_stays_put_until_the_end(
    make_app: Callable[..., RolecallApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with started(app, size) as pilot:
        await goto(pilot, app, "dev")
        if not app.main.status.display:
            await pilot.press("p")
        await _whoami(pilot, app, 6)
        panel = app.main.status
        for _ in range(4):  # Tab reaches the status panel
            if app.focused is panel:
                break
            await pilot.press("tab")
        assert app.focused is panel
        end = panel.scroll_y
        await pilot.press("k", "k", "pageup")
        await drawn(pilot)
        assert not panel.following
        top, where = shown(app), panel.scroll_y
        assert where < end  # (the lines may look alike: whoami repeats)
        await _whoami(pilot, app, 2)  # `i` works from the status panel too
        assert (panel.scroll_y, shown(app)) == (where, top)  # left where the user put it
        assert panel.scroll_y < panel.max_scroll_y
        await pilot.press("G")  # back to the end: it follows again
        await drawn(pilot)
        assert panel.following
        await _whoami(pilot, app, 2)
        assert newest_is_shown(app)


async def test_the_panel_is_a_status_log(make_app: Callable[..., RolecallApp]) -> None:
    app = make_app()
    async with started(app):
        assert isinstance(app.main.status, StatusLog)
        assert app.main.status.can_focus
