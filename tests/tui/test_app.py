"""Pilot tests of the app with injected fakes (a frozen clock, a fake STS, a fake launcher)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.tui.fakes import FakeAssumeError, FakeClock, FakeLauncher, FakeSts
from tests.tui.helpers import goto, names, row_of, started, status, type_at_once
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select

from rolecall.tui.app import RolecallApp
from rolecall.tui.screens.help import HelpScreen
from rolecall.tui.screens.mfa import MfaScreen
from rolecall.tui.screens.switch_role import SwitchRoleScreen

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


async def settle(pilot: Pilot[Any], app: RolecallApp) -> None:
    await pilot.pause()  # a modal's callback (which starts the worker) runs first
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def act(pilot: Pilot[Any], app: RolecallApp, name: str, *keys: str) -> None:
    """Press ``keys`` on the row of ``name``, then wait for the work they start."""
    await goto(pilot, app, name)
    await pilot.press(*keys)
    await settle(pilot, app)


async def test_table_lists_every_profile(make_app: Callable[..., RolecallApp]) -> None:
    app = make_app()
    async with started(app):
        assert sorted(names(app)) == sorted(
            [
                "default",
                "dev",
                "prod-admin",
                "audit",
                "audit-deep",
                "sso-readonly",
                "broken-arn",
                "loop-a",
                "loop-b",
            ]
        )
        # favourites first, display names literal (never markup)
        assert names(app)[0] == "dev"
        assert "[prod] admin" in row_of(app, "prod-admin")
        assert row_of(app, "dev").startswith("★")
        assert row_of(app, "broken-arn").lstrip().startswith("!")
        assert "expired" in row_of(app, "audit-deep")
        assert row_of(app, "default").rstrip().endswith("eu-west-1")  # blank Expires


async def test_countdown_follows_the_clock(
    make_app: Callable[..., RolecallApp], clock: FakeClock
) -> None:
    app = make_app()
    async with started(app) as pilot:
        assert row_of(app, "dev").endswith("42:10")
        assert row_of(app, "sso-readonly").endswith("7:03:00")
        clock.advance(70)
        app.tick()
        await pilot.pause()
        assert row_of(app, "dev").endswith("41:00")
        assert row_of(app, "sso-readonly").endswith("7:01:50")
        clock.advance(41 * 60)
        app.tick()
        await pilot.pause()
        assert row_of(app, "dev").endswith("expired")
        # the drawn screen shows it too (not only the model)
        assert "6:20:50" in app.export_screenshot()


async def test_filter_keeps_the_cursor(make_app: Callable[..., RolecallApp]) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "audit")
        await pilot.press("slash", "a", "u", "d")
        await pilot.pause()
        assert names(app) == ["audit", "audit-deep"]
        assert app.main.highlighted == "audit"
        # fuzzy: letters in order within one field; account and region count too
        app.main.query_one("#filter", Input).value = "333"
        await pilot.pause()
        assert names(app) == ["audit", "audit-deep"]
        app.main.query_one("#filter", Input).value = "apse2"
        await pilot.pause()
        assert names(app) == ["audit-deep"]
        app.main.query_one("#filter", Input).value = "aud"
        await pilot.pause()
        await pilot.press("enter")  # back to the table, filter kept
        assert app.main.table.has_focus
        await pilot.press("down")
        assert app.main.highlighted == "audit-deep"
        await pilot.press("escape")  # clear
        await pilot.pause()
        assert len(names(app)) == 9
        assert app.main.highlighted == "audit-deep"


async def test_sort_by_time_left_keeps_the_cursor(make_app: Callable[..., RolecallApp]) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "audit")
        await pilot.press("o")
        await pilot.pause()
        # favourite first, then soonest expiry, then expired, then no credentials
        assert names(app)[:6] == [
            "dev",
            "prod-admin",
            "audit",
            "sso-readonly",
            "audit-deep",
            "broken-arn",
        ]
        assert app.main.highlighted == "audit"
        header = app.main.table.header_text()
        assert "▼ Expires" in header and "Name ▼" not in header, header
        await pilot.press("o")
        await pilot.pause()
        # by label: "[prod] admin" sorts before the letters
        assert names(app)[:3] == ["dev", "prod-admin", "audit"]
        assert app.main.highlighted == "audit"
        header = app.main.table.header_text()
        assert "Name ▼" in header and "▼ Expires" not in header, header


async def test_favourite_is_pinned_and_saved(
    make_app: Callable[..., RolecallApp], settings_file: str
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "loop-b")
        await pilot.press("f")
        await pilot.pause()
        assert names(app)[:2] == ["dev", "loop-b"]
        assert app.main.highlighted == "loop-b"
        assert '"loop-b"' in Path(settings_file).read_text()
        await pilot.press("f")
        await pilot.pause()
        assert names(app).index("loop-b") == names(app).index("loop-a") + 1
        assert "loop-b" not in Path(settings_file).read_text()


async def test_assume_fills_the_row_and_the_status_panel(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await act(pilot, app, "audit", "enter")
        assert [c["name"] for c in fake_sts.calls] == ["audit"]
        assert fake_sts.calls[0]["use_cache"] is True
        assert row_of(app, "audit").endswith("1:00:00")  # the countdown starts at once
        text = status(app)
        assert "root credentials: default" in text
        assert "assuming 1/2 arn:aws:iam::111111111111:role/Developer" in text
        assert "→ arn:aws:sts::333333333333:assumed-role/Auditor/rolecall" in text
        # a hop's expiry from a progress event lands on the hop's own row
        assert row_of(app, "dev").endswith("1:05:00")
        screen = app.export_screenshot()
        assert "S3CRET" not in screen and "T0KEN" not in screen and "S3CRET" not in text


async def test_second_enter_while_running_does_nothing(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts, clock: FakeClock
) -> None:
    fake_sts.gate = threading.Event()
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter", "r", "s")
        await pilot.pause()
        assert app.busy("dev")
        assert "…" in row_of(app, "dev")
        # the UI stays live: keys move the cursor and the clock still ticks
        await pilot.press("down")
        assert app.main.highlighted != "dev"
        clock.advance(10)
        app.tick()
        await pilot.pause()
        assert row_of(app, "dev").endswith("42:00")
        fake_sts.gate.set()
        await settle(pilot, app)
        assert len(fake_sts.calls) == 1
        assert not app.busy("dev")
        assert "…" not in row_of(app, "dev")


async def test_reassume_skips_the_cache(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await act(pilot, app, "dev", "r")
        assert fake_sts.calls[0]["use_cache"] is False


async def test_mfa_code_keeps_leading_zeros(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "prod-admin")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen)
        assert "arn:aws:iam::000000000000:mfa/alice" in app.export_screenshot()
        assert fake_sts.calls == []  # no worker waits for the modal
        await pilot.press("0", "1", "x", "2", "enter")  # digits only; 3 digits are refused
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen)
        code_input = app.screen.query_one("#mfa-code", Input)
        assert code_input.value == "012"
        assert "6 digits" in str(app.screen.query_one("#mfa-error", Label).render())
        await pilot.press("3", "4", "5", "6", "7")  # max 6
        assert code_input.value == "012345"
        await pilot.press("enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, MfaScreen)
        mfa = fake_sts.calls[0]["mfa"]
        assert mfa("arn:aws:iam::000000000000:mfa/alice") == "012345"
        assert row_of(app, "prod-admin").endswith("1:00:00")


async def test_mfa_escape_cancels_cleanly(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "prod-admin")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("1", "escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, MfaScreen)
        assert fake_sts.calls == []
        assert "MFA cancelled" in status(app)
        assert not app.busy("prod-admin")
        assert row_of(app, "prod-admin").endswith("4:30")  # unchanged
        # and it can be tried again
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen)


async def test_error_shows_its_hint(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    fake_sts.failures["dev"] = FakeAssumeError(
        "AccessDenied: default cannot assume Developer",
        hint="check the role's trust policy",
        code="AccessDenied",
    )
    app = make_app()
    async with started(app) as pilot:
        await act(pilot, app, "dev", "enter")
        text = status(app)
        assert "AccessDenied: default cannot assume Developer" in text
        assert "hint: check the role's trust policy" in text
        assert not app.busy("dev")
        assert row_of(app, "dev").endswith("42:10")  # consistent: the old countdown
        assert app.is_running


async def test_whoami_goes_to_the_status_panel(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await act(pilot, app, "dev", "i")
        assert "whoami Account: 111111111111" in status(app)
        # a second whoami reuses the session: no new assume
        await pilot.press("i")
        await settle(pilot, app)
        assert len(fake_sts.calls) == 1
        assert status(app).count("whoami Account") == 2


async def test_shell_gets_the_profile_environment(
    make_app: Callable[..., RolecallApp], launcher: FakeLauncher, fake_sts: FakeSts
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await act(pilot, app, "dev", "s")
        assert len(launcher.calls) == 1
        argv, env = launcher.calls[0]
        assert argv == ["/bin/fake-shell", "-i"]
        assert env["AWS_PROFILE"] == "dev"
        assert env["AWS_ACCESS_KEY_ID"] == "ASIAFAKEFAKEFAKE0001"
        assert env["PATH"] == "/usr/bin"
        assert "shell exited with code 0" in status(app)
        # timers run again after the shell
        assert app._tick_timer is not None and app._tick_timer._active.is_set()
        # a second shell reuses the live session
        await pilot.press("s")
        await settle(pilot, app)
        assert len(launcher.calls) == 2
        assert len(fake_sts.calls) == 1


async def test_help_screen(make_app: Callable[..., RolecallApp]) -> None:
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_assumes(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"assume sso-r")
        for _ in range(40):
            await pilot.pause(0.05)
            if "Assume sso-readonly" in app.export_screenshot():
                break
        await pilot.press("enter")
        await settle(pilot, app)
        assert [c["name"] for c in fake_sts.calls] == ["sso-readonly"]


async def test_palette_lists_literal_names(make_app: Callable[..., RolecallApp]) -> None:
    from rolecall.tui.commands import ProfileCommands

    app = make_app()
    async with started(app):
        provider = ProfileCommands(app.screen)
        hits = [hit async for hit in provider.search("prod")]
        texts = [hit.text for hit in hits]
        assert "Assume [prod] admin (prod-admin)" in texts
        assert "Shell in [prod] admin (prod-admin)" in texts


async def test_palette_finds_real_names_and_offers_every_action(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    """issue 9 §5: found by its real name as well as its display name, and every action
    of the main screen is offered (it had only Assume and Shell in)."""
    from rolecall.tui.commands import ProfileCommands

    app = make_app()
    async with started(app) as pilot:
        provider = ProfileCommands(app.screen)
        texts = [hit.text async for hit in provider.search("whoami prod-admin")]
        assert texts[:1] == ["Whoami [prod] admin (prod-admin)"]
        every = [hit.text async for hit in provider.search("dev")]
        for verb in ("Assume", "Shell in", "Re-assume (no cache)", "Whoami", "Log out of"):
            assert f"{verb} dev" in every, verb
        assert "Open the console as dev" in every
        assert "Favourite: pin or unpin dev" in every
        for verb in ("Edit in $EDITOR", "Copy the role ARN of", "Copy the export block of"):
            assert f"{verb} dev" in every, verb
        screen_wide = [hit.text async for hit in provider.search("sort")]
        assert "Sort: by name or by time left" in screen_wide
        hits = [hit async for hit in provider.search("whoami dev")]
        assert hits[0].text == "Whoami dev"
        hits[0].command()
        await settle(pilot, app)
        assert [c["name"] for c in fake_sts.calls] == ["dev"]
        assert "whoami" in status(app)
        before = app.main.state.sort
        [hit async for hit in provider.search("sort")][0].command()
        assert app.main.state.sort != before


async def test_detail_panel_masks_secrets(make_app: Callable[..., RolecallApp]) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "default")
        screen = app.export_screenshot()
        assert SECRET not in screen
        assert "(hidden)" in screen
        assert "AKIA" in screen and "AKIAIOSFODNN7EXAMPLE" not in screen


async def test_expiry_warning_once(make_app: Callable[..., RolecallApp], clock: FakeClock) -> None:
    app = make_app()
    async with started(app) as pilot:
        app.tick()
        await pilot.pause()
        warned = [n.message for n in app._notifications]
        assert any("prod-admin expires in 4:30" in m for m in warned)
        count = len(app._notifications)
        clock.advance(5)
        app.tick()
        await pilot.pause()
        assert len(app._notifications) == count
        # audit (12:05 left) enters the 5-minute window later, and is warned then
        clock.advance(7 * 60 + 10)
        app.tick()
        await pilot.pause()
        assert any("audit expires in 4:5" in n.message for n in app._notifications)


async def test_settings_problems_are_notified(
    make_app: Callable[..., RolecallApp], settings_file: str
) -> None:
    Path(settings_file).write_text('theme = 3\n[thresholds]\nwarn_seconds = "x"\n')
    app = make_app()
    async with started(app):
        messages = [n.message for n in app._notifications]
        assert any("theme" in m for m in messages)
        assert any("thresholds.warn_seconds" in m for m in messages)


async def test_theme_change_is_saved(
    make_app: Callable[..., RolecallApp], settings_file: str
) -> None:
    app = make_app()
    async with started(app) as pilot:
        app.theme = "nord"
        await pilot.pause()
        await pilot.pause()
        assert 'theme = "nord"' in Path(settings_file).read_text()


async def until_saved(pilot: Pilot[Any], app: RolecallApp) -> None:
    """Wait for a save (a worker), then for the reload it starts (another worker)."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def fill(pilot: Pilot[Any], screen: SwitchRoleScreen, **values: str) -> None:
    for key, value in values.items():
        widget = screen.query_one(f"#{key}")
        assert isinstance(widget, Input | Select)
        widget.value = value
    await pilot.pause()


async def test_switch_role_writes_the_config(
    make_app: Callable[..., RolecallApp], aws_files: tuple[str, str], settings_file: str
) -> None:
    before = Path(aws_files[0]).read_text()
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SwitchRoleScreen)
        assert screen.query_one("#source", Select).value == "default"
        await fill(
            pilot,
            screen,
            account="210987654321",
            role="ReadOnly",
            display="[stage] read",
            color="bright_blue",
            region="eu-north-1",
            mfa="arn:aws:iam::000000000000:mfa/alice",
        )
        await pilot.press("ctrl+s")
        await until_saved(pilot, app)
        assert not isinstance(app.screen, SwitchRoleScreen)
        after = Path(aws_files[0]).read_text()
        assert after.startswith(before)  # lossless: the old bytes are kept
        assert after[len(before) :] == (
            "\n[profile stage-read]\n"
            "role_arn = arn:aws:iam::210987654321:role/ReadOnly\n"
            "source_profile = default\n"
            "region = eu-north-1\n"
            "mfa_serial = arn:aws:iam::000000000000:mfa/alice\n"
        )
        # the row is there at once, under the cursor, with its display name
        assert app.main.highlighted == "stage-read"
        assert "[stage] read" in row_of(app, "stage-read")
        saved = Path(settings_file).read_text()
        assert "[stage] read" in saved and "bright_blue" in saved


async def test_switch_role_accepts_a_full_arn(
    make_app: Callable[..., RolecallApp], aws_files: tuple[str, str]
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SwitchRoleScreen)
        await fill(pilot, screen, role="arn:aws:iam::210987654321:role/ops/Deployer", source="dev")
        await pilot.press("ctrl+s")
        await until_saved(pilot, app)
        assert "Deployer-210987654321" in names(app)
        text = Path(aws_files[0]).read_text()
        arn = "arn:aws:iam::210987654321:role/ops/Deployer"
        assert f"role_arn = {arn}\nsource_profile = dev\n" in text


async def test_switch_role_refuses_bad_input(
    make_app: Callable[..., RolecallApp], aws_files: tuple[str, str], settings_file: str
) -> None:
    before = Path(aws_files[0]).read_bytes()
    settings_before = Path(settings_file).read_bytes()
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SwitchRoleScreen)
        await fill(pilot, screen, role="bad role!", display="x", region="Europe")
        screen.query_one("#account", Input).focus()
        await pilot.press(*"12a3")
        assert screen.query_one("#account", Input).value == "123"  # digits only
        await pilot.press("ctrl+s")
        await until_saved(pilot, app)
        assert isinstance(app.screen, SwitchRoleScreen)

        def error(key: str) -> str:
            return str(screen.query_one(f"#{key}-error", Label).render())

        assert "12 digits" in error("account")
        assert "Role names" in error("role")
        assert "eu-west-1" in error("region")
        assert error("display") == ""
        # a name that exists is refused too, before anything is written
        await fill(pilot, screen, role="", name="dev")
        screen.query_one("#account", Input).value = "123456789012"
        screen.query_one("#role", Input).value = "Admin"
        screen.query_one("#region", Input).value = ""
        await pilot.press("ctrl+s")
        await until_saved(pilot, app)
        assert "already exists" in error("name")
        assert Path(aws_files[0]).read_bytes() == before
        assert Path(settings_file).read_bytes() == settings_before
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SwitchRoleScreen)
        assert Path(aws_files[0]).read_bytes() == before


async def test_filter_keys_typed_fast_are_not_lost(make_app: Callable[..., RolecallApp]) -> None:
    app = make_app()
    async with started(app) as pilot:
        type_at_once(app, "slash", "s", "s", "o")
        await pilot.pause(0.2)
        assert app.main.query_one("#filter", Input).value == "sso"
        assert names(app) == ["sso-readonly"]
        assert app.services.launcher.calls == []  # type: ignore[attr-defined]


async def test_mfa_digits_typed_before_the_modal_shows_are_kept(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    """Enter then the code at once, faster than the modal appears: no digit is lost."""
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "prod-admin")
        type_at_once(app, "enter", *"042917")
        await settle(pilot, app)
        assert isinstance(app.screen, MfaScreen)
        assert app.screen.query_one("#mfa-code", Input).value == "042917"
        await pilot.press("enter")
        await settle(pilot, app)
        mfa = fake_sts.calls[0]["mfa"]
        assert mfa("arn:aws:iam::000000000000:mfa/alice") == "042917"


async def test_mfa_code_and_enter_typed_at_once_submit_once(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    """Enter, the code and Enter again, all queued at once: one assume, with the code."""
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "prod-admin")
        type_at_once(app, "enter", *"310577", "enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, MfaScreen)
        assert len(fake_sts.calls) == 1
        assert fake_sts.calls[0]["mfa"]("arn:aws:iam::000000000000:mfa/alice") == "310577"
        assert row_of(app, "prod-admin").endswith("1:00:00")


async def test_keys_queued_behind_quit_do_nothing(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    """`q` then more keys at once ("question_mark" typed as letters): once quitting,
    no shell starts, no assume, no form or dialog opens, and the app ends cleanly."""
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        type_at_once(app, "q", "s", "n", "enter", "r", "i", "question_mark")
        await pilot.pause(0.3)
        assert app.services.launcher.calls == []  # type: ignore[attr-defined]
        assert fake_sts.calls == []
        assert not any(isinstance(s, (SwitchRoleScreen, HelpScreen)) for s in app.screen_stack)
    assert app.return_code in (0, None)


async def test_switch_role_source_completes_in_a_large_config(
    make_app: Callable[..., RolecallApp],
    aws_files: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past SELECT_LIMIT profiles the source is a field that completes what is typed
    (a list of 10,000 is slow to open and to scroll), checked like the list."""
    from rolecall.tui.screens import switch_role

    monkeypatch.setattr(switch_role, "SELECT_LIMIT", 3)
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SwitchRoleScreen)
        source = screen.query_one("#source", Input)
        assert source.value == "default"
        await fill(pilot, screen, account="210987654321", role="Audit", source="nosuch")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SwitchRoleScreen)
        assert "No profile named 'nosuch'" in str(screen.query_one("#source-error", Label).render())
        source.value = ""
        source.focus()
        await pilot.press("a", "u", "d")
        await pilot.pause()
        await pilot.press("right")  # take the completion
        assert source.value == "audit"
        await pilot.press("ctrl+s")
        await until_saved(pilot, app)
        assert not isinstance(app.screen, SwitchRoleScreen)
        assert "source_profile = audit\n" in Path(aws_files[0]).read_text()


async def test_no_profiles_shows_how_to_start(
    make_app: Callable[..., RolecallApp], aws_files: tuple[str, str]
) -> None:
    """Empty AWS files: an empty table, and one hint on how to add a profile, once."""
    for path in aws_files:
        Path(path).write_text("")
    app = make_app()
    async with started(app) as pilot:
        assert names(app) == []
        hint = "this list reloads by itself, then n adds role profiles on top"
        assert status(app).count(hint) == 1, status(app)
        # (it named `n`, whose form then offered no source profile)
        assert "press n" not in status(app)
        assert "no profiles in" in status(app)
        Path(aws_files[0]).write_text("# nothing yet\n")
        app.loading.reload_soon()
        for _ in range(20):
            await pilot.pause(0.1)
            await app.workers.wait_for_complete()
            if "profiles reloaded" in status(app):
                break
        assert "profiles reloaded" in status(app)
        assert status(app).count(hint) == 1  # not again on a reload


async def test_a_new_filter_highlights_the_best_match(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    """issue 9 §5: from a lower row, `/au Enter` (typed at once) assumes the first match,
    as in fzf and k9s; it used to keep the cursor's index, on the last match."""
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "sso-readonly")  # the last row
        type_at_once(app, "slash", "a", "u", "enter", "enter")
        await settle(pilot, app)
        assert names(app) == ["audit", "audit-deep", "default"]
        assert [c["name"] for c in fake_sts.calls] == ["audit"]
        # each change of the filter goes back to its best match
        await pilot.press("down")
        assert app.main.highlighted == "audit-deep"
        await pilot.press("slash", "d")
        assert app.main.highlighted == names(app)[0] != "audit-deep"


def test_the_empty_state_names_commands_that_work() -> None:
    """issue 9 §5: each rolecall command the empty state names exists (and `aws`)."""
    import shutil
    import subprocess
    import sys

    from rolecall.tui.lines import FIRST_PROFILE

    for command in FIRST_PROFILE:
        argv = command.strip("`").split()
        if argv[0] == "aws":
            assert shutil.which("aws"), "the awscli is a test dependency"
            continue
        run = [sys.executable, "-m", "rolecall", *argv[1:], "--help"]
        done = subprocess.run(run, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (command, done.stderr)
