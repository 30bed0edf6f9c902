"""Bad input through the TUI (issue 5, section 6).

* Files that can never be read (a directory, a symlink loop, a dangling link,
  permission denied, ``--config DIR``): ``rolecall`` in a pseudo-terminal exits
  with code 2 and one ``rolecall: ...`` line before the UI starts (it never
  switches the terminal to its alternate screen).
* Files the UI can show (binary junk, a parse problem, 50 MB, a 25 MB name or
  value, names with shell metacharacters, quotes, brackets, non-ASCII, control,
  bidi and undecodable characters, junk settings): the app starts, says what is
  wrong (status panel and notification), stays usable (keys, filter, detail,
  Switch role, help, an assume), and never sends a character of the files to
  the terminal that could move the cursor or reorder the screen.
* The config turned into a directory while the app runs: the table is kept and
  the status panel says why.
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pytest
from textual.pilot import Pilot

from rolecall.core.edit import section_header
from rolecall.tui.app import RolecallApp
from rolecall.tui.screens.mfa import MfaScreen
from rolecall.tui.screens.switch_role import SwitchRoleScreen
from tests.hardening._tui import (
    SIZE,
    Notes,
    idle_jobs,
    make_app,
    ready,
    run_async,
    status_lines,
    table_names,
    until,
)
from tests.hardening._util import CONFIG, without_dac_override
from tests.hardening.test_bad_input import _many_profiles
from tests.moto_fixtures import refused_url

#: names the config may hold: shell, quotes, brackets, non-ASCII, control characters,
#: bidi and zero-width format characters, an undecodable byte, markup look-alikes
NAMES = {
    "shell": "$(touch PWNED)`touch PWNED`;x|y&z>w",
    "quotes": 'it\'s "quoted"',
    "markup": "[prod] admin",
    "open-bracket": "[bold red]loud",
    "non-ascii": "prød-ünïcode-名前-🚀",
    "escape": "esc\x1b[2Jwipe",
    "bell": "bell\x07ring",
    "tab": "tab\there",
    "bidi": "evil\u202etxt.exe",
    "zero-width": "zero\u200bwidth",
    "undecodable": "caf\udce9",
}
#: what must never reach the terminal from those names (an undecodable byte of the
#: output would read as "\udcXX"; the app's own output is UTF-8)
RAW = ("esc\x1b", "bell\x07", "tab\t", "\u202e", "\u200b", "\x1b]0;owned")
BOUND = 60.0  # seconds: 50 MB files, as for the CLI


def names_config() -> bytes:
    lines = [CONFIG]
    for i, name in enumerate(NAMES.values()):
        header = section_header(name)  # quoted as botocore reads it back
        lines.append(f"\n[{header}]\nrole_arn = arn:aws:iam::11111111111{i}:role/R\n")
        lines.append("source_profile = base\n")
        if name.startswith("esc"):
            lines.append("mfa_serial = arn:aws:iam::000000000000:mfa/evil\x1b]0;owned\x07\n")
    return "".join(lines).encode("utf-8", "surrogateescape")


def junk(size: int = 65536) -> bytes:
    rng = random.Random(5)
    return bytes(rng.randrange(256) for _ in range(size))


def printable(text: str) -> bool:
    return all(ch.isprintable() or ch in "\n " for ch in text)


def assert_clean_screen(app: RolecallApp, notes: Notes) -> None:
    """What the app draws holds no raw character of the names."""
    texts = [*status_lines(app), *(n.message + n.title for n in notes)]
    texts += [app.main.table.row_text(i) for i in range(app.main.table.row_count)]
    texts.append(str(app.main.detail._text.render()))
    texts.append(app.sub_title)
    for text in texts:
        assert printable(text), repr(text)


@pytest.fixture
def home(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (isolated_env / ".aws").mkdir()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", refused_url())
    monkeypatch.setenv("ROLECALL_STS_TIMEOUT", "2")
    monkeypatch.chdir(isolated_env)
    return isolated_env


# ---------------------------------------------------------------------------
# whole processes in a pseudo-terminal
# ---------------------------------------------------------------------------
def spawn(*args: str, prefix: tuple[str, ...] = ()) -> Any:
    argv = [*prefix, sys.executable, "-m", "rolecall", *args]
    return pexpect.spawn(
        argv[0],
        argv[1:],
        # the pty's size, whatever COLUMNS/LINES the test runner left in the environment
        env=dict(os.environ, TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1])),
        dimensions=(SIZE[1], SIZE[0]),
        encoding="utf-8",
        codec_errors="surrogateescape",
        timeout=30,
    )


def drain(child: Any, seconds: float) -> None:
    """Read what the app draws for ``seconds``, as a terminal does (a full pty blocks it)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            child.read_nonblocking(65536, timeout=min(0.1, left))
        except pexpect.TIMEOUT:
            pass


def _dir(home: Path) -> tuple[dict[str, str], tuple[str, ...], str]:
    (home / "a-directory").mkdir()
    return {"AWS_CONFIG_FILE": str(home / "a-directory")}, (), "is a directory, not a file"


def _cred_dir(home: Path) -> tuple[dict[str, str], tuple[str, ...], str]:
    (home / "a-directory").mkdir()
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(home / "a-directory")}
    return env, (), "credentials file"


def _flag_dir(home: Path) -> tuple[dict[str, str], tuple[str, ...], str]:
    return {}, ("--config", str(home / ".aws")), "is a directory, not a file"


def _loop(home: Path) -> tuple[dict[str, str], tuple[str, ...], str]:
    (home / "loop1").symlink_to(home / "loop2")
    (home / "loop2").symlink_to(home / "loop1")
    return {"AWS_CONFIG_FILE": str(home / "loop1")}, (), "symlink loop"


def _dangling(home: Path) -> tuple[dict[str, str], tuple[str, ...], str]:
    (home / "link").symlink_to(home / "dotfiles" / "aws-config")
    return {"AWS_CONFIG_FILE": str(home / "link")}, (), "which does not exist"


def _denied(what: str) -> Callable[[Path], tuple[dict[str, str], tuple[str, ...], str]]:
    def setup(home: Path) -> tuple[dict[str, str], tuple[str, ...], str]:
        path = home / ".aws" / what
        path.write_text(CONFIG if what == "config" else "[x]\naws_access_key_id = AKIAX\n")
        path.chmod(0o000)
        return {}, (), f"cannot read {what} file {path}: Permission denied"

    return setup


NO_DAC = without_dac_override()
UNUSABLE = {
    "config-is-a-directory": _dir,
    "credentials-is-a-directory": _cred_dir,
    "config-flag-is-a-directory": _flag_dir,
    "symlink-loop": _loop,
    "dangling-symlink": _dangling,
    "config-permission-denied": _denied("config"),
    "credentials-permission-denied": _denied("credentials"),
}


@pytest.mark.parametrize("case", list(UNUSABLE))
def test_unusable_file_stops_before_the_ui(
    home: Path, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if case.endswith("denied") and NO_DAC is None:
        pytest.skip("cannot drop CAP_DAC_OVERRIDE here")
    env, args, expect = UNUSABLE[case](home)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    prefix = tuple(NO_DAC or ()) if case.endswith("denied") else ()
    child = spawn(*args, prefix=prefix)
    child.expect(pexpect.EOF)
    child.close()
    output = child.before
    lines = [line for line in output.splitlines() if line.strip()]
    assert child.exitstatus == 2, output
    assert len(lines) == 1 and lines[0].startswith("rolecall: "), output
    assert expect in lines[0], output
    assert "\x1b" not in output  # the UI never started: no alternate screen, no drawing


def test_names_and_junk_through_the_real_terminal(home: Path) -> None:
    """``rolecall`` in a pty on a config of bad names and a credentials file of junk:
    it starts, shows the rows and the problem, survives an assume, Switch role and
    help, quits with 0, and no raw character of the names reaches the terminal."""
    (home / ".aws" / "config").write_bytes(names_config())
    (home / ".aws" / "credentials").write_bytes(junk())
    child = spawn()
    child.logfile_read = seen = io.StringIO()
    child.expect("Expires")
    child.expect("problem")
    for keys in ("j", "j", "\r", "n", "\x1b", "?", "\x1b", "/", "caf", "\x1b"):
        child.send(keys)
        # a lone ESC is a key only once nothing follows it for a moment (else: alt+KEY)
        drain(child, 0.3 if keys == "\x1b" else 0.1)
    drain(child, 0.3)
    child.send("q")
    child.expect(pexpect.EOF, timeout=20)
    child.close()
    output = seen.getvalue()
    assert child.exitstatus == 0, output[-2000:]
    assert "Traceback" not in output
    for raw in RAW:
        assert raw not in output, repr(raw)
    assert not [ch for ch in output if "\udc80" <= ch <= "\udcff"]  # no raw byte of the files
    assert "evil?txt.exe" in output and "esc?[2Jwipe" in output
    assert "[prod] admin" in output  # markup look-alikes are shown as they are
    assert not list(home.rglob("PWNED*"))


# ---------------------------------------------------------------------------
# in process: what the app shows, and that it stays usable
# ---------------------------------------------------------------------------
async def use_it(pilot: Pilot[Any], app: RolecallApp) -> None:
    """Keys a user would press: move, detail, filter, Switch role, help, an assume."""
    await pilot.press("down", "down", "end", "home")
    await pilot.press("slash", *"a", "escape")
    await pilot.press("n")
    await until(pilot, lambda: isinstance(app.screen, SwitchRoleScreen))
    await pilot.press("escape")
    await pilot.press("question_mark")
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is app.main
    if app.main.highlighted:
        await pilot.press("enter")
        await pilot.pause()
        if isinstance(app.screen, MfaScreen):
            await pilot.press("escape")
        await idle_jobs(pilot, app)
    app.export_screenshot()


def run_app(
    check: Callable[[Pilot[Any], RolecallApp, Notes], Any], use: bool = False, **kwargs: Any
) -> float:
    """Start the app on the HOME files, wait for it, run ``check`` (then :func:`use_it`);
    returns the start-up time."""
    app = make_app(**kwargs)
    notes = Notes(app)
    took = 0.0

    async def main() -> None:
        nonlocal took
        start = time.monotonic()
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot, app, timeout=BOUND)
            took = time.monotonic() - start
            await check(pilot, app, notes)
            if use:
                await use_it(pilot, app)
            assert_clean_screen(app, notes)

    run_async(main)
    return took


def test_binary_junk_config(home: Path) -> None:
    (home / ".aws" / "config").write_bytes(junk())

    async def check(pilot: Pilot[Any], app: RolecallApp, notes: Notes) -> None:
        lines = status_lines(app)
        assert 2 <= len(lines) <= 6, lines  # the first five problems, then how many more
        assert "invalid UTF-8" in lines[0]
        assert "more problems: `rolecall list --json` shows them all" in lines[-1]
        assert any("problems in your AWS files" in n.message for n in notes)

    run_app(check, use=True)


PARSE_PROBLEMS = {
    "bom": "\ufeff[default]\nregion = eu-west-1\n[profile a]\nregion = x\n",
    "no-equals": "[default]\nregion = x\nnokey\n[profile a]\nregion = y\n",
    "duplicate-section": "[profile a]\nregion = x\n[profile a]\nregion = y\n",
}


@pytest.mark.parametrize("case", list(PARSE_PROBLEMS))
def test_config_with_a_parse_problem(home: Path, case: str) -> None:
    (home / ".aws" / "config").write_text(PARSE_PROBLEMS[case])

    async def check(pilot: Pilot[Any], app: RolecallApp, notes: Notes) -> None:
        assert any("(the AWS CLI will refuse this file)" in line for line in status_lines(app))
        assert any(n.severity == "warning" for n in notes)

    run_app(check, use=case == "no-equals")


def test_bad_names(home: Path) -> None:
    (home / ".aws" / "config").write_bytes(names_config())

    async def check(pilot: Pilot[Any], app: RolecallApp, notes: Notes) -> None:
        assert set(NAMES.values()) <= set(table_names(app))
        rows = [app.main.table.row_text(i) for i in range(app.main.table.row_count)]
        assert any("[prod] admin" in row for row in rows)  # literal, never markup
        assert any("evil?txt.exe" in row for row in rows)
        for name in NAMES.values():  # each one highlighted and shown in the detail panel
            assert app.main.table.move_cursor_to(name)
            await pilot.pause()
            assert_clean_screen(app, notes)
        # the one with an escape sequence in its mfa_serial: a profile problem (issue 14
        # §1), so no MFA prompt opens; the refusal is shown clean
        assert app.main.table.move_cursor_to(NAMES["escape"])
        await pilot.press("enter")
        await until(pilot, lambda: any("is not an MFA device" in n.message for n in notes))
        assert not isinstance(app.screen, MfaScreen)
        assert_clean_screen(app, notes)
        # assume all of them at once (STS refuses the connection): every error is clean
        for name in NAMES.values():
            if name != NAMES["escape"]:
                app.request(name, "assume")
        await idle_jobs(pilot, app)
        failed = [n for n in notes if n.severity == "error"]
        assert len(failed) == len(NAMES), failed
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, SwitchRoleScreen))
        await pilot.press("escape")

    run_app(check)
    assert not list(home.rglob("PWNED*"))


def _huge_name_and_value(path: Path) -> None:
    """50 MB: a profile with a 25 MB name (and a line the parser refuses), and a
    profile with a 25 MB value."""
    name = "n" * (25 << 20)
    with path.open("w") as fh:
        fh.write(CONFIG + f"\n[profile {name}]\nregion = eu-west-1\nnokey\n")
        fh.write("\n[profile wide]\nregion = eu-west-1\ndescription = " + "y" * (25 << 20) + "\n")


@pytest.mark.parametrize("shape", ["50mb-many-profiles", "50mb-huge-name-and-value"])
def test_50mb_config(home: Path, shape: str) -> None:
    cfg = home / ".aws" / "config"
    if shape == "50mb-many-profiles":
        _many_profiles(cfg)
        targets = ["p49999"]
    else:
        _huge_name_and_value(cfg)
        targets = ["n" * (25 << 20), "wide"]  # 112 s and 46 s to show before the fix
    assert cfg.stat().st_size >= 50 << 20

    async def check(pilot: Pilot[Any], app: RolecallApp, notes: Notes) -> None:
        for target in targets:
            start = time.monotonic()
            assert app.main.table.move_cursor_to(target)
            await pilot.pause()
            took = time.monotonic() - start
            detail = str(app.main.detail._text.render())
            print(f"\n{shape}: detail panel of {target[:8]} in {took:.2f} s ({len(detail)} chars)")
            assert took < 2.0, took
            assert len(detail) < 10_000
        start = time.monotonic()
        await pilot.press("slash", "9", "escape")
        print(f"{shape}: a filter keystroke and its Esc in {time.monotonic() - start:.2f} s")

    took = run_app(check)
    print(f"{shape}: started in {took:.2f} s")
    assert took < BOUND


@pytest.mark.parametrize("kind", ["binary", "invalid-toml", "directory"])
def test_bad_settings_file(home: Path, kind: str) -> None:
    (home / ".aws" / "config").write_text(CONFIG)
    path = Path(os.environ["ROLECALL_CONFIG_DIR"]) / "config.toml"
    path.parent.mkdir(parents=True)
    if kind == "binary":
        path.write_bytes(junk(4096))
    elif kind == "invalid-toml":
        path.write_text('theme = "nord\nfavorites = [1, {]\n')
    else:
        path.mkdir()

    async def check(pilot: Pilot[Any], app: RolecallApp, notes: Notes) -> None:
        assert any(n.title == "Settings" for n in notes), notes
        assert "base" in table_names(app)

    run_app(check)


def test_config_turned_into_a_directory_while_running(home: Path) -> None:
    cfg = home / ".aws" / "config"
    cfg.write_text(CONFIG)

    async def check(pilot: Pilot[Any], app: RolecallApp, notes: Notes) -> None:
        before = table_names(app)
        cfg.rename(home / "config.saved")
        cfg.mkdir()
        await until(pilot, lambda: any("is a directory" in line for line in status_lines(app)))
        assert table_names(app) == before  # kept, not emptied
        cfg.rmdir()
        (home / "config.saved").rename(cfg)
        await until(pilot, lambda: "reloaded" in status_lines(app)[-1])
        assert table_names(app) == before

    run_app(check, poll_interval=0.1)
