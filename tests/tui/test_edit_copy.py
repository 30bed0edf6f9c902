"""`e` opens the profile in the user's editor at its line, then reloads; `y` copies
the role ARN and `Y` the export block (after a confirm) with OSC 52 (issue 9 §5)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tests.tui.fakes import FakeSts
from tests.tui.helpers import goto, names, started, status
from textual.app import App

from rolecall.tui.app import RolecallApp
from rolecall.tui.screens.confirm import ConfirmScreen

#: an editor that notes its arguments and adds a profile at the end of the file
EDITOR = """
import sys
where, path = sys.argv[1], sys.argv[2]
open(sys.argv[3], "w").write(where)
with open(path, "a") as f:
    f.write("\\n[profile edited]\\nregion = eu-west-3\\n")
"""


def _run_here(app: App[Any], argv: Sequence[str]) -> int:
    """The editor, run without suspending (a headless app cannot)."""
    return subprocess.run(list(argv), check=False, timeout=60).returncode


async def test_e_opens_the_editor_at_the_profile_line_and_reloads(
    make_app: Callable[..., RolecallApp], aws_files: tuple[str, str], tmp_path: Path
) -> None:
    script, seen = tmp_path / "ed.py", tmp_path / "seen"
    script.write_text(EDITOR)
    environ = {"PATH": "/usr/bin", "HOME": str(tmp_path), "EDITOR": "vi"}
    environ["VISUAL"] = f"{sys.executable} {script}"  # (VISUAL wins over EDITOR)
    app = make_app(services={"environ": environ, "editor": _with_note(seen)})
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("e")
        for _ in range(100):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if "edited" in names(app):
                break
        assert "edited" in names(app)
        assert app.profiles is not None
        assert seen.read_text() == f"+{app.profiles['dev'].line}"
        assert app.main.highlighted == "dev"  # the cursor stays on the edited profile
        assert f"config:{app.profiles['dev'].line} (" in status(app)


def _with_note(seen: Path) -> Callable[[App[Any], Sequence[str]], int]:
    def run(app: App[Any], argv: Sequence[str]) -> int:
        return _run_here(app, [*argv, str(seen)])

    return run


async def test_e_without_an_editor_says_how(make_app: Callable[..., RolecallApp]) -> None:
    app = make_app(services={"environ": {"PATH": "/usr/bin"}})
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("e")
        await pilot.pause()
        assert "set $VISUAL or $EDITOR" in status(app)


async def test_y_copies_the_role_arn_and_shift_y_the_exports_after_a_confirm(
    make_app: Callable[..., RolecallApp], fake_sts: FakeSts
) -> None:
    app = make_app()
    async with started(app) as pilot:
        await goto(pilot, app, "dev")
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "arn:aws:iam::111111111111:role/Developer"
        await pilot.press("Y")  # nothing assumed yet: nothing to copy
        await pilot.pause()
        assert "assume it (Enter), then Y" in status(app)
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if "dev" in app.sessions:
                break
        await pilot.press("Y")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.clipboard.startswith("arn:")  # refused: nothing copied
        await pilot.press("Y", "y")
        await pilot.pause()
        secret = app.sessions["dev"].credentials.secret_access_key
        assert "export AWS_SECRET_ACCESS_KEY=" in app.clipboard and secret in app.clipboard
        assert secret not in app.export_screenshot()
