"""The UI fits any terminal from 80x24 up (issue 9 §4): at least eight profile rows, Name
and Expires always on screen, the panels folded with a key to bring them back, every
modal fits (or scrolls) and shows its own keys, and toasts cover nothing that changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.tui.helpers import SIZE, SMALL, goto, names, row_of, started, status_lines, until
from textual.geometry import Region
from textual.widgets import Button
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast

from rolecall.tui.app import RolecallApp
from rolecall.tui.screens.confirm import ConfirmScreen
from rolecall.tui.screens.help import HelpScreen
from rolecall.tui.screens.mfa import MfaScreen
from rolecall.tui.screens.switch_role import SwitchRoleScreen
from rolecall.tui.widgets.key_footer import KeyFooter

SIZES = {"80x24": SMALL, "120x30": (120, 30), "140x40": SIZE}


@pytest.fixture
def many_profiles(aws_files: tuple[str, str]) -> tuple[str, str]:
    """The sample, plus 30 profiles with long names, roles and regions."""
    extra = "".join(
        f"\n[profile team-{i:02d}-very-long-profile-name]\n"
        f"role_arn = arn:aws:iam::{100000000000 + i}:role/a-rather-long-role-name-{i}\n"
        "source_profile = default\nregion = ap-southeast-2\n"
        for i in range(30)
    )
    with open(aws_files[0], "a") as fh:
        fh.write(extra)
    return aws_files


def footer_keys(app: RolecallApp) -> list[FooterKey]:
    return list(app.screen.query_one(KeyFooter).query(FooterKey))


def footer_text(app: RolecallApp) -> list[str]:
    return [f"{k.key_display} {k.description}".strip() for k in footer_keys(app)]


def visible(widget_region: Region, app: RolecallApp) -> bool:
    """Whether a region is wholly on screen, above the footer."""
    screen = Region(0, 0, app.size.width, app.size.height - 1)
    return screen.contains_region(widget_region) and widget_region.area > 0


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
async def test_the_table_keeps_eight_rows_and_its_name_and_expires(
    make_app: Callable[..., RolecallApp], many_profiles: tuple[str, str], size: tuple[int, int]
) -> None:
    app = make_app()
    async with started(app, size) as pilot:
        table = app.main.table
        assert table.scrollable_content_region.height - 1 >= 8  # (line 0: the header)
        # nothing to scroll sideways: the countdown is on screen
        assert table.virtual_size.width <= table.scrollable_content_region.width
        header = table.header_text()
        assert "Name" in header and "Expires" in header
        assert "42:10" in row_of(app, "dev") and "dev" in row_of(app, "dev")
        shot = app.export_screenshot()
        assert "42:10" in shot and "Expires" in shot
        # the lower-priority columns give way first: source, then kind
        if size == SMALL:
            assert "source" not in table.shown_columns and "kind" not in table.shown_columns
            assert table.shown_columns[0] == "name"
        else:
            assert table.shown_columns[:3] == ["name", "kind", "account"]
        await goto(pilot, app, names(app)[-1])  # the cursor's row is on screen
        assert table.cursor_row - round(table.scroll_y) < table.scrollable_content_region.height


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
async def test_the_footer_always_shows_help_and_quit(
    make_app: Callable[..., RolecallApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with started(app, size) as pilot:
        await pilot.pause()
        keys = footer_text(app)
        assert "? Help" in keys and "q Quit" in keys and "⏎ Assume" in keys, keys
        assert all(visible(k.region, app) or k.region.y == size[1] - 1 for k in footer_keys(app))
        assert max(k.region.right for k in footer_keys(app)) <= size[0]


async def test_the_footer_composes_its_keys_again_only_when_they_change(
    make_app: Callable[..., RolecallApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual asks the footer to compose again at every change of focus and bindings;
    each time restyles every key.  It does so only when the keys would change: once at
    the start, once more for a wider terminal (more keys fit)."""
    from textual.widgets import Footer

    composed: list[int] = []
    recompose = Footer.recompose

    async def counted(footer: Footer) -> None:
        composed.append(footer.size.width)
        await recompose(footer)

    monkeypatch.setattr(Footer, "recompose", counted)
    app = make_app()
    async with started(app, SMALL) as pilot:
        await pilot.press("j", "k", "j")
        await pilot.pause()
        at_start = len(composed)
        assert at_start <= 2, composed
        narrow = footer_text(app)
        await pilot.resize_terminal(*SIZE)
        await until(pilot, lambda: len(footer_text(app)) > len(narrow))
        assert len(composed) == at_start + 1, composed
        await pilot.press("j", "k")
        await pilot.pause()
        assert len(composed) == at_start + 1, composed


async def test_the_panels_fold_at_80x24_and_p_brings_them_back(
    make_app: Callable[..., RolecallApp],
) -> None:
    app = make_app()
    async with started(app, SMALL) as pilot:
        main = app.main
        assert main.status.display and not main.detail.display  # the status panel first
        assert main.query_one("#table-box").border_subtitle == "p shows the details"
        await pilot.press("p")
        await pilot.pause()
        assert main.detail.display and not main.status.display
        assert "dev" in str(main.detail._text.render())
        await pilot.press("p")
        await pilot.pause()
        assert not main.query_one("#bottom").display  # all rows for the table
        assert main.table.scrollable_content_region.height - 1 >= 17
        await pilot.press("p")
        await pilot.pause()
        assert main.status.display and not main.detail.display


async def test_the_panels_cycle_side_by_side_when_wide(
    make_app: Callable[..., RolecallApp],
) -> None:
    app = make_app()
    async with started(app) as pilot:
        main = app.main
        seen = []
        for _ in range(4):
            seen.append((main.detail.display, main.status.display))
            await pilot.press("p")
            await pilot.pause()
        assert seen == [(True, True), (False, True), (True, False), (False, False)]
        assert (main.detail.display, main.status.display) == (True, True)


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
async def test_the_switch_role_form_fits_and_shows_its_keys(
    make_app: Callable[..., RolecallApp], aws_files: tuple[str, str], size: tuple[int, int]
) -> None:
    app = make_app()
    async with started(app, size) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SwitchRoleScreen)
        await pilot.pause()
        for button in screen.query(Button):
            assert visible(button.region, app), (button.id, button.region)
        dialog = screen.query_one("#switch-dialog")
        assert visible(dialog.region, app), dialog.region
        keys = footer_text(app)
        assert "^s Save" in keys and "esc Cancel" in keys, keys
        assert "q Quit" not in keys  # (q types a q in the form)
        # every field is reachable: Tab scrolls it into view
        for _ in range(10):
            focused = app.focused
            assert focused is not None and visible(focused.region, app), focused
            await pilot.press("tab")
            await pilot.pause()
        # ...and the save button works from the keyboard
        screen.query_one("#account").value = "210987654321"  # type: ignore[attr-defined]
        screen.query_one("#role").value = "Reader"  # type: ignore[attr-defined]
        screen.query_one("#switch-save", Button).focus()
        await pilot.press("enter")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert not isinstance(app.screen, SwitchRoleScreen)
        assert "Reader-210987654321" in Path(aws_files[0]).read_text()


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
async def test_the_mfa_and_help_dialogs_fit_and_show_their_keys(
    make_app: Callable[..., RolecallApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with started(app, size) as pilot:
        await goto(pilot, app, "prod-admin")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen)
        for button in app.screen.query(Button):
            assert visible(button.region, app), button.region
        assert footer_text(app) == ["⏎ Assume", "esc Cancel"]
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        dialog = app.screen.query_one("#help-dialog")
        assert visible(dialog.region, app), dialog.region
        assert footer_text(app) == ["esc Close"]
        await pilot.press("escape", "x")  # log out: asks first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        for button in app.screen.query(Button):
            assert visible(button.region, app), button.region
        assert footer_text(app) == ["y Yes", "n No"]
        await pilot.press("n")


@pytest.mark.parametrize("size", [SMALL, SIZE], ids=["80x24", "140x40"])
async def test_toasts_cover_neither_the_table_nor_the_newest_status_lines(
    make_app: Callable[..., RolecallApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with started(app, size, notifications=True) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("enter")  # "Assumed dev", and the expiry warning of prod-admin
        await app.workers.wait_for_complete()
        await until(pilot, lambda: len(app.screen.query(Toast)) >= 2)

        def covered() -> list[tuple[Region, Region]]:
            table_box = app.main.query_one("#table-box").region
            lines = app.main.status.scrollable_content_region
            return [
                (toast.region, area)
                for toast in app.screen.query(Toast)
                for area in (table_box, lines)
                if toast.region.overlaps(area)
            ]

        # room is made within a frame or two of a toast showing (checked every 0.1 s)
        await until(pilot, lambda: not covered(), timeout=2)
        for _ in range(5):  # ...and it stays so
            await pilot.pause(0.1)
            assert not covered()
        assert "expires in 1:00:00" in status_lines(app)[-1]
        assert app.main.table.scrollable_content_region.height - 1 >= 8


@pytest.mark.parametrize("where", ["table", "filter", "status"])
async def test_ctrl_c_quits_from_the_main_screen(
    make_app: Callable[..., RolecallApp], where: str
) -> None:
    """As in k9s and lazygit (Textual binds Ctrl+C to copy, and to a "press Ctrl+Q" hint)."""
    app = make_app()
    async with started(app, SMALL) as pilot:
        if where == "filter":
            await pilot.press("slash", "d")
        elif where == "status":
            app.main.status.focus()
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.closing
    assert app.return_code in (0, None)
