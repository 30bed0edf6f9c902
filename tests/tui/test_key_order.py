"""Keys act in the order typed, each on the state the keys before it left (issue 9 §1).

Every burst is queued before the app handles any of it (``type_at_once``), as a
paste, a key macro, ``tmux send-keys`` or a fast typist over SSH deliver it.
For every action key after every movement key, the action must act on the row
the movement left (a fake STS and a fake launcher say which profile was used).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.tui.fakes import FakeClock, FakeLauncher, FakeSts, sample_services
from tests.tui.helpers import (
    SIZE,
    SMALL,
    build_app,
    goto,
    keys_done,
    names,
    started,
    status,
    type_at_once,
)
from textual import events
from textual.app import ComposeResult
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Select

from rolecall.tui.app import RolecallApp
from rolecall.tui.ordered_keys import KeyBarrier, OrderedKeysApp
from rolecall.tui.screens.help import HelpScreen
from rolecall.tui.screens.mfa import MfaScreen
from rolecall.tui.screens.switch_role import SwitchRoleScreen

#: 41 rows (base, p00..p39): every movement from p20 lands on a different row
PROFILES = [f"p{i:02d}" for i in range(40)]
START = "p20"


def _move(key: str) -> Callable[[int, int, int], int]:
    """Where ``key`` takes the cursor from row ``i`` of ``n``, with pages of ``page``."""
    moves: dict[str, Callable[[int, int, int], int]] = {
        "j": lambda i, n, page: i + 1,
        "down": lambda i, n, page: i + 1,
        "k": lambda i, n, page: i - 1,
        "up": lambda i, n, page: i - 1,
        "pagedown": lambda i, n, page: min(n - 1, i + page),
        "ctrl+f": lambda i, n, page: min(n - 1, i + page),
        "pageup": lambda i, n, page: max(0, i - page),
        "ctrl+b": lambda i, n, page: max(0, i - page),
        "home": lambda i, n, page: 0,
        "g": lambda i, n, page: 0,
        "end": lambda i, n, page: n - 1,
        "G": lambda i, n, page: n - 1,
    }
    return moves[key]


MOVES = ["j", "k", "down", "up", "pagedown", "pageup", "ctrl+f", "ctrl+b", "home", "end", "g", "G"]


@pytest.fixture
def many_files(tmp_path: Path) -> tuple[str, str]:
    config = tmp_path / "config"
    credentials = tmp_path / "credentials"
    config.write_text(
        "[profile base]\nregion = eu-west-1\n\n"
        + "".join(
            f"[profile {name}]\nrole_arn = arn:aws:iam::{100000000000 + i}:role/R{i}\n"
            "source_profile = base\n\n"
            for i, name in enumerate(PROFILES)
        )
    )
    credentials.write_text(
        "[base]\naws_access_key_id = AKIAEXAMPLEBASE00001\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    return str(config), str(credentials)


@pytest.fixture
def many_app(
    many_files: tuple[str, str],
    settings_file: str,
    clock: FakeClock,
    fake_sts: FakeSts,
    launcher: FakeLauncher,
) -> Callable[[], RolecallApp]:
    def make() -> RolecallApp:
        return build_app(many_files, settings_file, sample_services(clock, fake_sts, launcher))

    return make


def expected(app: RolecallApp, move: str) -> str:
    """The profile ``move`` leaves the cursor on, from START, worked out independently."""
    rows = names(app)
    page = max(1, app.main.table.scrollable_content_region.height - 1)
    return rows[_move(move)(rows.index(START), len(rows), page)]


def shells(launcher: FakeLauncher) -> list[str]:
    return [env["AWS_PROFILE"] for _, env in launcher.calls]


# What each action key is followed by in the burst, and what must hold after it:
# ``check(app, sts, launcher, target, favourites)`` with ``target`` the row the
# movement left and ``favourites`` those before the burst.
Check = Callable[[RolecallApp, FakeSts, FakeLauncher, str, frozenset[str]], None]


def _assumed(use_cache: bool) -> Check:
    def check(
        app: RolecallApp, sts: FakeSts, launcher: FakeLauncher, target: str, _: frozenset[str]
    ) -> None:
        assert [(c["name"], c["use_cache"]) for c in sts.calls] == [(target, use_cache)]

    return check


def _whoami(
    app: RolecallApp, sts: FakeSts, launcher: FakeLauncher, target: str, _: frozenset[str]
) -> None:
    assert [c["name"] for c in sts.calls] == [target]
    assert f"{target} whoami Arn" in status(app)


def _shell(
    app: RolecallApp, sts: FakeSts, launcher: FakeLauncher, target: str, _: frozenset[str]
) -> None:
    assert shells(launcher)[-1:] == [target], (shells(launcher), target)
    assert app.main.highlighted == target


def _favourite(
    app: RolecallApp, sts: FakeSts, launcher: FakeLauncher, target: str, was: frozenset[str]
) -> None:
    assert set(app.settings.favorites) ^ was == {target}  # pinned, or unpinned
    _shell(app, sts, launcher, target, was)


def _form(
    app: RolecallApp, sts: FakeSts, launcher: FakeLauncher, target: str, was: frozenset[str]
) -> None:
    assert not isinstance(app.screen, SwitchRoleScreen)
    _shell(app, sts, launcher, target, was)


ACTIONS: dict[str, tuple[tuple[str, ...], Check]] = {
    "enter": ((), _assumed(use_cache=True)),
    "r": ((), _assumed(use_cache=False)),
    "i": (("slash", "escape"), _whoami),
    "s": ((), _shell),
    "f": (("s",), _favourite),  # (un)pinned: the row moves, the cursor with it
    "o": (("s",), _shell),  # sorted: the cursor stays on its profile
    "slash": (("escape", "s"), _shell),  # the filter opens and closes on the same row
    "n": (("escape", "s"), _form),  # the form opens and closes
    "question_mark": (("escape", "s"), _shell),  # help
    "p": (("s",), _shell),  # the panels fold: the cursor stays
    "ctrl+p": (("escape", "s"), _shell),  # the command palette
}


async def _reset(pilot: Pilot[Any], app: RolecallApp, sts: FakeSts, launcher: FakeLauncher) -> None:
    await goto(pilot, app, START)
    sts.calls.clear()
    launcher.calls.clear()
    app.sessions.clear()  # `s` and `i` assume again (a session would be reused)


#: The terminal's size changes only what a page is: at 140x40 the page movements, at
#: 80x24 (where the panels fold and the page is shortest) every movement.
PAGE_MOVES = ["pagedown", "pageup", "ctrl+f", "ctrl+b"]
MOVES_AT = {SIZE: PAGE_MOVES, SMALL: MOVES}

#: The actions, in groups that share one app (an app's start costs as much as a dozen
#: bursts, and every burst starts again from START on a fresh STS, launcher and
#: sessions): those that open no screen, those that open one, and the Switch role
#: form (the dearest to open). `p` comes last in its group: the panels it folds change
#: the page size (``expected`` reads it from the table, so the rows stay right anyway).
ACTION_GROUPS = {
    "table": ["enter", "r", "s", "f", "o", "p"],
    "screens": ["i", "slash", "question_mark", "ctrl+p"],
    "form": ["n"],
}


def test_the_groups_hold_every_action_once() -> None:
    assert sorted(a for group in ACTION_GROUPS.values() for a in group) == sorted(ACTIONS)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["140x40", "80x24"])
@pytest.mark.parametrize("group", list(ACTION_GROUPS))
async def test_every_action_after_every_movement_acts_on_the_row_it_left(
    group: str,
    size: tuple[int, int],
    many_app: Callable[[], RolecallApp],
    fake_sts: FakeSts,
    launcher: FakeLauncher,
) -> None:
    app = many_app()
    async with started(app, size) as pilot:
        for action in ACTION_GROUPS[group]:
            follow, check = ACTIONS[action]
            for move in MOVES_AT[size]:
                await _reset(pilot, app, fake_sts, launcher)
                target = expected(app, move)
                assert target != START
                favourites = frozenset(app.settings.favorites)
                type_at_once(app, move, action, *follow)
                await keys_done(pilot, app)
                try:
                    check(app, fake_sts, launcher, target, favourites)
                except AssertionError as exc:
                    raise AssertionError(f"{move} {action} {' '.join(follow)}: {exc}") from None
        assert app.keys_stalled == 0  # every key went on its barrier, none on the fallback


@pytest.mark.parametrize("move", MOVES)
async def test_quit_after_a_movement_quits_and_nothing_after_it_runs(
    move: str, many_app: Callable[[], RolecallApp], fake_sts: FakeSts, launcher: FakeLauncher
) -> None:
    app = many_app()
    async with started(app) as pilot:
        await goto(pilot, app, START)
        target = expected(app, move)
        type_at_once(app, move, "q", "s", "enter", "n", "question_mark")
        await pilot.pause(0.2)
        assert app.main.highlighted == target  # the movement ran before the quit
        assert launcher.calls == [] and fake_sts.calls == []
        assert not any(isinstance(s, SwitchRoleScreen | HelpScreen) for s in app.screen_stack)
    assert app.return_code in (0, None)


async def test_the_keys_typed_after_s_go_to_the_shell(
    many_app: Callable[[], RolecallApp], fake_sts: FakeSts, launcher: FakeLauncher
) -> None:
    """`s` then a command in one burst: the command is the shell's type-ahead, handed to
    it (the TUI does not act on "echo", whose `o` would sort and Enter assume)."""
    app = many_app()
    async with started(app) as pilot:
        await goto(pilot, app, START)
        type_at_once(app, "j", "s", *"echo hi", "enter", *"exit", "enter")
        await keys_done(pilot, app)
        assert shells(launcher) == ["p21"]
        assert launcher.typed == ["echo hi\rexit\r"]
        assert [c["name"] for c in fake_sts.calls] == ["p21"]  # no assume from the Enter
        assert app.main.state.sort == "name"  # no sort from the `o`
        # with a live session the shell opens at once: the same hand-over
        type_at_once(app, "s", *"pwd", "enter", "j")
        await keys_done(pilot, app)
        assert shells(launcher) == ["p21", "p21"]
        assert launcher.typed[1] == "pwd\rj"
        assert app.main.highlighted == "p21"


async def test_keys_typed_for_a_shell_that_never_opens_are_dropped(
    many_app: Callable[[], RolecallApp], fake_sts: FakeSts, launcher: FakeLauncher
) -> None:
    from tests.tui.fakes import FakeAssumeError

    fake_sts.failures["p21"] = FakeAssumeError("AccessDenied: no", code="AccessDenied")
    app = many_app()
    async with started(app) as pilot:
        await goto(pilot, app, START)
        type_at_once(app, "j", "s", *"echo", "enter")
        await keys_done(pilot, app)
        assert launcher.calls == []
        assert [c["name"] for c in fake_sts.calls] == ["p21"]  # the Enter assumed nothing
        assert app.main.state.sort == "name"
        assert "5 keys typed for the shell dropped" in status(app)
        # and the keys typed after that act on the table again
        type_at_once(app, "j", "enter")
        await keys_done(pilot, app)
        assert [c["name"] for c in fake_sts.calls] == ["p21", "p22"]


async def test_text_typed_after_tab_lands_in_the_next_field(
    make_app: Callable[..., RolecallApp],
) -> None:
    app = make_app()
    async with started(app) as pilot:
        type_at_once(app, "n", *"2109", "tab", *"Admin", "tab", *"[x]", "shift+tab", "end", *"!")
        await keys_done(pilot, app)
        screen = app.screen
        assert isinstance(screen, SwitchRoleScreen)

        def value(key: str) -> str:
            return screen.query_one(f"#{key}", Input).value

        assert (value("account"), value("role"), value("display")) == ("2109", "Admin!", "[x]")
        # (a field selects its text when focused: End, then type)
        # backwards across a Select (the colour) and on: Shift+Tab then text
        type_at_once(app, "tab", "tab", "tab", *"stage", "shift+tab", "shift+tab", "end", *"y")
        await keys_done(pilot, app)
        assert value("name") == "stage"
        assert value("display") == "[x]y"
        assert isinstance(screen.query_one("#color"), Select)


async def test_down_enter_on_an_mfa_row_then_the_code(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    """`Down Enter` then the code and Enter, all at once: the MFA modal of the row below
    gets every digit, and the assume runs once with them."""
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        assert names(app)[1] == "prod-admin"
        type_at_once(app, "down", "enter", *"042917", "enter", "j", "s")
        await keys_done(pilot, app)
        assert sorted(c["name"] for c in fake_sts.calls) == ["audit", "prod-admin"]
        prod = next(c for c in fake_sts.calls if c["name"] == "prod-admin")
        assert prod["mfa"]("arn:aws:iam::000000000000:mfa/alice") == "042917"
        assert app.services.launcher.calls[0][1]["AWS_PROFILE"] == "audit"  # type: ignore[attr-defined]
        assert not isinstance(app.screen, MfaScreen)


async def test_palette_takes_what_is_typed_after_ctrl_p(
    make_app: Callable[..., RolecallApp],
) -> None:
    app = make_app()
    async with started(app) as pilot:
        type_at_once(app, "ctrl+p", *"shell in sso")
        await keys_done(pilot, app)
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(Input).value == "shell in sso"


async def test_a_paste_after_slash_lands_in_the_filter(
    make_app: Callable[..., RolecallApp],
) -> None:
    app = make_app()
    async with started(app) as pilot:
        type_at_once(app, "slash")
        app.post_message(events.Paste("sso"))
        type_at_once(app, "enter", "s")
        await keys_done(pilot, app)
        assert names(app) == ["sso-readonly"]
        assert app.services.launcher.calls[0][1]["AWS_PROFILE"] == "sso-readonly"  # type: ignore[attr-defined]


# -- the mechanism itself, on a small app ----------------------------------------
class Swallower(Widget, can_focus=True):
    """Handles every key (they stop here) and stops the barriers that follow them: the
    app never learns that a key is done."""

    def on_key_barrier(self, barrier: KeyBarrier) -> None:
        barrier.stop()

    def on_key(self, event: events.Key) -> None:
        event.stop()
        self.app.seen.append(event.key)  # type: ignore[attr-defined]


class Tiny(OrderedKeysApp[None]):
    KEY_FALLBACK = 0.3

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def compose(self) -> ComposeResult:
        yield Swallower()

    def on_mount(self) -> None:
        self.query_one(Swallower).focus()


async def test_a_lost_barrier_makes_the_next_key_late_never_stuck() -> None:
    """When a key's barrier never reaches the app, the next key waits KEY_FALLBACK
    seconds, then the keys go on, still in order (and the loss is counted)."""
    import time

    app = Tiny()
    async with app.run_test() as pilot:
        await pilot.pause()
        start = time.monotonic()
        type_at_once(app, "a", "b", "c")  # type: ignore[arg-type]
        await pilot.pause()
        while app.keys_pending and time.monotonic() - start < 5:
            await pilot.pause(0.02)
        took = time.monotonic() - start
        assert app.seen == ["a", "b", "c"]
        assert app.keys_stalled == 3
        assert took >= 3 * Tiny.KEY_FALLBACK * 0.9, took
