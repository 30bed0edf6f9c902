"""rolecall.settings: reading with tomllib, writing with tomlkit, keeping the user's file."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import platformdirs
import pytest

from rolecall import settings as st
from rolecall.settings import (
    COLOR_HEX,
    COLOR_NAMES,
    Settings,
    SettingsError,
    load_settings,
    save_settings,
    set_display,
    set_theme,
    settings_path,
    toggle_favorite,
)

COMMENTED = """\
# My rolecall settings.  Keep this comment.
theme = "nord"   # the theme I like

# pinned at the top
favorites = [
  "dev",      # every day
  "prod",     # careful
]

[defaults]
session_name = "alice"
duration_seconds = 3600   # one hour

[thresholds]
warn_seconds = 900   # yellow
# red below five minutes
critical_seconds = 300

[notifications]
expiry = true
expiry_warning_seconds = 300
assume = false   # too chatty

[profiles."prod-admin"]
display_name = "[prod] admin"   # brackets are literal
color = "bright_red"

[profiles.dev]
color = "#00aa55"
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


@pytest.fixture
def cfg() -> Path:
    """The settings file under the test's ROLECALL_CONFIG_DIR (not created)."""
    return Path(settings_path())


# ---------------------------------------------------------------------------
# where the file is
# ---------------------------------------------------------------------------
def test_rolecall_config_dir_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLECALL_CONFIG_DIR", str(tmp_path / "elsewhere"))
    assert settings_path() == str(tmp_path / "elsewhere" / "config.toml")
    write(tmp_path / "elsewhere" / "config.toml", 'theme = "dracula"\n')
    loaded = load_settings()
    assert loaded.theme == "dracula"
    assert loaded.path == str(tmp_path / "elsewhere" / "config.toml")


def test_platformdirs_without_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROLECALL_CONFIG_DIR")
    expected = os.path.join(platformdirs.user_config_dir("rolecall"), "config.toml")
    assert settings_path() == expected
    monkeypatch.setenv("ROLECALL_CONFIG_DIR", "")
    assert settings_path() == expected


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------
def test_missing_file_gives_the_defaults(cfg: Path) -> None:
    s = load_settings()
    assert not cfg.exists()
    assert s.errors == []
    assert (s.warn_seconds, s.critical_seconds, s.expiry_warning_seconds) == (900, 300, 300)
    assert s.theme == "textual-dark"
    assert s.notify_expiry is True and s.notify_assume is True
    assert s.favorites == [] and s.display_names == {} and s.colors == {}
    assert s.default_session_name is None and s.default_duration is None


def test_reads_every_key(cfg: Path) -> None:
    write(cfg, COMMENTED)
    s = load_settings()
    assert s.errors == []
    assert s.theme == "nord"
    assert s.favorites == ["dev", "prod"]
    assert s.default_session_name == "alice"
    assert s.default_duration == 3600
    assert (s.warn_seconds, s.critical_seconds) == (900, 300)
    assert s.expiry_warning_seconds == 300
    assert s.notify_expiry is True and s.notify_assume is False
    assert s.display_names == {"prod-admin": "[prod] admin"}
    assert s.colors == {"prod-admin": "bright_red", "dev": "#00aa55"}
    assert s.display_name("prod-admin") == "[prod] admin"
    assert s.display_name("dev") == "dev"
    assert s.is_favorite("prod") and not s.is_favorite("prod-admin")


def test_the_layout_in_the_module_docstring_is_valid(cfg: Path) -> None:
    doc = st.__doc__ or ""
    block = doc.split("The example layout::\n\n", 1)[1].split("\n\nReading never fails", 1)[0]
    text = "\n".join(line[4:] for line in block.splitlines())
    write(cfg, text.replace("\\\\", "\\"))
    s = load_settings()
    assert s.errors == []
    assert s.favorites == ["dev"]
    assert s.default_session_name == "alice" and s.default_duration == 3600
    assert s.display_names == {"prod-admin": "[prod] admin"}
    assert s.colors == {"prod-admin": "bright_red"}


def test_the_readme_documents_every_key_with_a_valid_example(cfg: Path) -> None:
    """The README's settings example is the docstring's layout: every key, read with no error."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("### Settings", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    write(cfg, block)
    s = load_settings()
    assert s.errors == []
    data = tomllib.loads(block)
    keys = {k for k in data if k not in st.model.TABLES and k != "profiles"}
    keys |= {f"{t}.{k}" for t in st.model.TABLES for k in data[t]}
    keys |= {f"profiles.{k}" for table in data["profiles"].values() for k in table}
    assert keys == {".".join(path) for path, _ in st.model.SCALARS.values()} | {
        "favorites",
        "profiles.display_name",
        "profiles.color",
    }
    assert "2 MiB" in readme.split("### Settings", 1)[1]


@pytest.mark.parametrize(
    ("text", "attr", "default", "message"),
    [
        (
            '[thresholds]\nwarn_seconds = "abc"\n',
            "warn_seconds",
            900,
            "thresholds.warn_seconds must be a positive integer, got 'abc'; using 900",
        ),
        ("[thresholds]\nwarn_seconds = 0\n", "warn_seconds", 900, "thresholds.warn_seconds"),
        ("[thresholds]\nwarn_seconds = true\n", "warn_seconds", 900, "got true; using 900"),
        (
            "[thresholds]\ncritical_seconds = -5\n",
            "critical_seconds",
            300,
            "thresholds.critical_seconds must be a positive integer, got -5; using 300",
        ),
        (
            "[notifications]\nexpiry_warning_seconds = 1.5\n",
            "expiry_warning_seconds",
            300,
            "notifications.expiry_warning_seconds must be a positive integer, got 1.5",
        ),
        (
            '[notifications]\nexpiry = "yes"\n',
            "notify_expiry",
            True,
            "notifications.expiry must be true or false, got 'yes'; using true",
        ),
        ("[notifications]\nassume = 1\n", "notify_assume", True, "notifications.assume"),
        ("theme = 42\n", "theme", "textual-dark", "theme must be a theme name"),
        ('theme = ""\n', "theme", "textual-dark", "using 'textual-dark'"),
        ("[defaults]\nduration_seconds = 60\n", "default_duration", None, "900 to 43200"),
        (
            "[defaults]\nduration_seconds = 50000\n",
            "default_duration",
            None,
            "defaults.duration_seconds must be an integer from 900 to 43200, got 50000",
        ),
        (
            '[defaults]\nsession_name = "has space"\n',
            "default_session_name",
            None,
            "defaults.session_name must be",
        ),
        ('favorites = "dev"\n', "favorites", [], "favorites must be an array"),
        ("thresholds = 5\n", "warn_seconds", 900, "thresholds must be a table"),
    ],
)
def test_an_invalid_value_names_its_key_and_uses_the_default(
    cfg: Path, text: str, attr: str, default: object, message: str
) -> None:
    write(cfg, text)
    s = load_settings()
    assert getattr(s, attr) == default
    assert len(s.errors) == 1, s.errors
    assert message in s.errors[0]
    assert s.errors[0].startswith("~/.config/rolecall/config.toml: ")


def test_the_example_message_of_the_api(cfg: Path) -> None:
    write(cfg, '[thresholds]\nwarn_seconds = "abc"\n')
    (error,) = load_settings().errors
    assert error.endswith(
        "config.toml: thresholds.warn_seconds must be a positive integer, got 'abc'; using 900"
    )


def test_invalid_entries_are_each_reported(cfg: Path) -> None:
    write(
        cfg,
        'favorites = ["dev", 3, "", "dev", "qa"]\n'
        "[profiles.x]\n"
        'color = "orange"\n'
        'display_name = "two\\nlines"\n'
        "colour = 1\n"
        "[profiles.y]\n"
        'color = "RED"\n'
        "[profiles]\n"
        "z = 5\n",
    )
    s = load_settings()
    assert s.favorites == ["dev", "qa"]
    assert s.colors == {"y": "red"}
    assert s.display_names == {}
    text = "\n".join(s.errors)
    assert "favorites[1] must be a profile name" in text
    assert "favorites[2]" in text
    assert "profiles.x.color: 'orange' is not a colour" in text
    assert "did you mean 'orange1'?" in text
    assert "profiles.x.display_name must be a non-empty one-line string" in text
    assert "unknown key profiles.x.colour (ignored)" in text
    assert "profiles.z must be a table" in text
    assert len(s.errors) == 6


def test_quoted_profile_names_are_quoted_in_messages(cfg: Path) -> None:
    write(cfg, '[profiles."my profile"]\ncolor = "nope"\n')
    (error,) = load_settings().errors
    assert 'profiles."my profile".color' in error


def test_unknown_keys_are_reported_and_ignored(cfg: Path) -> None:
    write(cfg, "thme = 'x'\n[thresold]\nwarn_seconds = 5\n[thresholds]\nwarn = 5\n")
    s = load_settings()
    assert s.warn_seconds == 900
    assert sorted(e.split(": ", 1)[1] for e in s.errors) == [
        "unknown key thme (ignored)",
        "unknown key thresholds.warn (ignored)",
        "unknown key thresold (ignored)",
    ]


def test_critical_above_warn_uses_both_defaults(cfg: Path) -> None:
    write(cfg, "[thresholds]\nwarn_seconds = 200\ncritical_seconds = 600\n")
    s = load_settings()
    assert (s.warn_seconds, s.critical_seconds) == (900, 300)
    (error,) = s.errors
    assert "thresholds.critical_seconds (600) is larger than thresholds.warn_seconds (200)" in error


def test_invalid_toml_names_the_file_and_the_line(cfg: Path) -> None:
    write(cfg, 'theme = "nord"\nfavorites = ["dev"\n\n[thresholds\n')
    s = load_settings()
    assert s.theme == "textual-dark" and s.favorites == []
    (error,) = s.errors
    assert error.startswith("~/.config/rolecall/config.toml: is not valid TOML")
    assert re.search(r"line \d+", error)
    assert error.endswith("using the default settings")


def test_not_utf8(cfg: Path) -> None:
    write(cfg, b'theme = "\xff"\n')
    (error,) = load_settings().errors
    assert "is not UTF-8" in error


def test_an_unreadable_file(cfg: Path) -> None:
    cfg.mkdir(parents=True)  # a directory where the file should be
    (error,) = load_settings().errors
    assert "cannot be read" in error


def test_a_path_outside_home_is_shown_in_full(tmp_path: Path) -> None:
    path = write(tmp_path / "outside.toml", "theme = 1\n")
    assert load_settings(str(path)).errors[0].startswith(f"{path}: theme")


# ---------------------------------------------------------------------------
# writing: the user's file survives
# ---------------------------------------------------------------------------
def test_a_changed_value_is_the_only_change(cfg: Path) -> None:
    write(cfg, COMMENTED)
    s = load_settings()
    s.warn_seconds = 1200
    save_settings(s)
    expected = COMMENTED.replace("warn_seconds = 900   # yellow", "warn_seconds = 1200   # yellow")
    assert cfg.read_text() == expected


def test_theme_change_keeps_everything_else(cfg: Path) -> None:
    write(cfg, COMMENTED)
    s = load_settings()
    set_theme(s, "dracula")
    assert cfg.read_text() == COMMENTED.replace('theme = "nord"', 'theme = "dracula"')
    assert load_settings().theme == "dracula"


def test_favourites_are_edited_in_place(cfg: Path) -> None:
    write(cfg, COMMENTED)
    s = load_settings()
    assert toggle_favorite(s, "prod") is False
    assert s.favorites == ["dev"]
    assert cfg.read_text() == COMMENTED.replace('  "prod",     # careful\n', "")
    assert toggle_favorite(s, "qa") is True
    assert s.favorites == ["dev", "qa"]
    assert load_settings().favorites == ["dev", "qa"]
    text = cfg.read_text()
    assert '"dev",      # every day' in text
    assert text.startswith("# My rolecall settings.  Keep this comment.\n")


def test_display_name_and_colour_of_a_new_profile(cfg: Path) -> None:
    write(cfg, COMMENTED)
    s = load_settings()
    set_display(s, "staging ro", "[staging] read-only", "Yellow")
    text = cfg.read_text()
    assert text.startswith(COMMENTED.rstrip("\n"))
    loaded = load_settings()
    assert loaded.errors == []
    assert loaded.display_names["staging ro"] == "[staging] read-only"
    assert loaded.colors["staging ro"] == "yellow"
    assert loaded.display_names["prod-admin"] == "[prod] admin"


def test_removing_a_display_drops_its_table(cfg: Path) -> None:
    write(cfg, COMMENTED)
    s = load_settings()
    set_display(s, "dev", None, None)
    assert cfg.read_text().rstrip("\n") == COMMENTED.split("\n[profiles.dev]")[0].rstrip("\n")
    set_display(s, "prod-admin", "", None)
    text = cfg.read_text()
    assert "profiles" not in text
    assert "assume = false   # too chatty" in text
    assert load_settings().errors == []


def test_changing_one_key_of_a_profile(cfg: Path) -> None:
    write(cfg, COMMENTED)
    s = load_settings()
    set_display(s, "prod-admin", "[prod] admin", "#FF0000")
    assert cfg.read_text() == COMMENTED.replace('color = "bright_red"', 'color = "#ff0000"')


def test_clearing_an_optional_default_deletes_the_key(cfg: Path) -> None:
    write(cfg, COMMENTED)
    s = load_settings()
    s.default_duration = None
    save_settings(s)
    assert cfg.read_text() == COMMENTED.replace("duration_seconds = 3600   # one hour\n", "")


def test_nothing_changed_writes_nothing(cfg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rolecall.core import fsutil

    writes: list[str] = []
    monkeypatch.setattr(
        fsutil, "write_hook", lambda step, path: writes.append(path) if step == "renamed" else None
    )
    write(cfg, COMMENTED)
    s = load_settings()
    save_settings(s)
    assert writes == []
    toggle_favorite(s, "x")
    toggle_favorite(s, "x")
    assert writes == [str(cfg), str(cfg)]
    assert cfg.read_text() == COMMENTED
    save_settings(s)
    save_settings(load_settings())
    assert len(writes) == 2


def test_an_invalid_value_left_in_the_file_is_not_rewritten(cfg: Path) -> None:
    text = '[thresholds]\nwarn_seconds = "abc"   # oops\n'
    write(cfg, text)
    s = load_settings()
    toggle_favorite(s, "dev")
    assert cfg.read_text().startswith('favorites = ["dev"]\n')
    assert 'warn_seconds = "abc"   # oops' in cfg.read_text()


def test_other_writers_changes_survive(cfg: Path) -> None:
    write(cfg, COMMENTED)
    s = load_settings()
    # Another rolecall (or an editor) changes the file after this one read it.
    other = load_settings()
    other.critical_seconds = 120
    toggle_favorite(other, "qa")
    toggle_favorite(s, "staging")
    loaded = load_settings()
    assert loaded.critical_seconds == 120
    assert loaded.favorites == ["dev", "prod", "qa", "staging"]


def test_a_new_file_is_0600_in_a_0700_directory(cfg: Path) -> None:
    assert not cfg.parent.exists()
    s = load_settings()
    toggle_favorite(s, "dev")
    assert stat.S_IMODE(os.stat(cfg).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cfg.parent).st_mode) == 0o700
    assert cfg.read_text() == 'favorites = ["dev"]\n'


def test_an_existing_file_becomes_0600(cfg: Path) -> None:
    write(cfg, COMMENTED)
    os.chmod(cfg, 0o644)
    s = load_settings()
    set_theme(s, "monokai")
    assert stat.S_IMODE(os.stat(cfg).st_mode) == 0o600
    assert not [p for p in os.listdir(cfg.parent) if p != "config.toml"]  # no temp file left


def test_tomllib_reads_what_tomlkit_wrote(cfg: Path) -> None:
    s = load_settings()
    s.theme = "catppuccin-mocha"
    s.favorites = ["dev", "prod admin", 'quote"s', "ünï"]
    s.default_session_name = "alice@example.com"
    s.default_duration = 43200
    s.warn_seconds, s.critical_seconds, s.expiry_warning_seconds = 1800, 600, 120
    s.notify_expiry, s.notify_assume = False, False
    s.display_names = {"prod-admin": "[prod] admin", "a b": 'say "hi" \\ ok', "ü": "ünï"}
    s.colors = {"prod-admin": "bright_red", "a b": "#abcdef", "x.y": "orchid"}
    save_settings(s)
    with open(cfg, "rb") as fh:
        data = tomllib.load(fh)
    assert data["profiles"]["a b"]["display_name"] == 'say "hi" \\ ok'
    assert data["profiles"]["x.y"] == {"color": "orchid"}
    loaded = load_settings()
    assert loaded.errors == []
    for attr in (
        "theme",
        "favorites",
        "default_session_name",
        "default_duration",
        "warn_seconds",
        "critical_seconds",
        "expiry_warning_seconds",
        "notify_expiry",
        "notify_assume",
        "display_names",
        "colors",
    ):
        assert getattr(loaded, attr) == getattr(s, attr), attr


def test_inline_tables_are_edited_as_inline_tables(cfg: Path) -> None:
    write(cfg, 'profiles = { dev = { color = "red" } }\n')
    s = load_settings()
    set_display(s, "qa", "QA", "green")
    loaded = load_settings()
    assert loaded.errors == []
    assert loaded.colors == {"dev": "red", "qa": "green"}
    assert cfg.read_text().count("\n") == 1


def test_save_refuses_to_replace_a_file_that_is_not_toml(cfg: Path) -> None:
    write(cfg, COMMENTED)
    s = load_settings()
    broken = COMMENTED + "\n[half a table\n"
    write(cfg, broken)
    with pytest.raises(SettingsError, match="is not valid TOML"):
        toggle_favorite(s, "qa")
    assert cfg.read_text() == broken
    assert "qa" in s.favorites  # in memory, the change stands


def test_save_refuses_invalid_values(cfg: Path) -> None:
    write(cfg, COMMENTED)
    s = load_settings()
    s.default_duration = 60
    s.critical_seconds = 2000
    with pytest.raises(SettingsError) as info:
        save_settings(s)
    assert "defaults.duration_seconds must be an integer from 900 to 43200" in str(info.value)
    assert "thresholds.critical_seconds (2000) must not be larger" in str(info.value)
    assert cfg.read_text() == COMMENTED


def test_set_display_rejects_a_bad_colour_before_changing_anything(cfg: Path) -> None:
    s = load_settings()
    with pytest.raises(ValueError, match="is not a colour"):
        set_display(s, "dev", "Dev", "orange")
    with pytest.raises(ValueError, match="one line"):
        set_display(s, "dev", "two\nlines", None)
    assert s.display_names == {} and s.colors == {}
    assert not cfg.exists()


def test_set_theme_rejects_an_empty_name() -> None:
    s = load_settings()
    with pytest.raises(ValueError):
        set_theme(s, " ")


def test_a_settings_object_made_by_hand_saves_only_what_differs(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "config.toml"
    s = Settings(path=str(path))
    s.notify_assume = False
    save_settings(s)
    assert path.read_text() == "[notifications]\nassume = false\n"


# ---------------------------------------------------------------------------
# colours
# ---------------------------------------------------------------------------
def test_colour_names_are_rich_colours_with_their_rgb() -> None:
    from rich.color import Color
    from rich.terminal_theme import DEFAULT_TERMINAL_THEME

    assert len(COLOR_NAMES) == len(set(COLOR_NAMES)) >= 16
    for name in COLOR_NAMES:
        assert Color.parse(name).get_truecolor(DEFAULT_TERMINAL_THEME).hex == COLOR_HEX[name]


def test_colour_hex_values_parse_in_textual() -> None:
    """Textual reads the ``#rrggbb`` we give it for a name as that same colour."""
    from textual.color import Color

    for name in COLOR_NAMES:
        value = st.color_hex(name)
        assert value == COLOR_HEX[name], name
        assert Color.parse(value).hex.lower() == value, name


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("red", True),
        ("Bright_Red", True),
        ("#a1B2c3", True),
        ("#abc", False),
        ("#abcdefa", False),
        ("a1b2c3", False),
        ("orange", False),
        ("", False),
        (3, False),
        (None, False),
    ],
)
def test_is_valid_color(value: object, ok: bool) -> None:
    assert st.is_valid_color(value) is ok
    assert (st.color_error(value) is None) is ok


def test_color_hex() -> None:
    assert st.color_hex("#ABCDEF") == "#abcdef"
    assert st.color_hex("Orchid") == "#d75fd7"
    with pytest.raises(ValueError):
        st.color_hex("nope")


# ---------------------------------------------------------------------------
# layering
# ---------------------------------------------------------------------------
def test_settings_imports_neither_textual_nor_rich() -> None:
    code = (
        "import sys, rolecall.settings as s; s.load_settings(); "
        "bad = [m for m in ('textual', 'rich', 'boto3', 'botocore') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------
# inputs that cost too much (issue 14, section 4): never raise, linear, capped
# ---------------------------------------------------------------------------
DEEP = 5000
DEEP_FILES = {
    "array": "favorites = " + "[" * DEEP + "]" * DEEP + "\n",
    "inline-table": "theme = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
    "dotted-keys": "profiles" + ".a" * DEEP + " = 1\n",
    "dotted-theme": "theme" + ".a" * DEEP + " = 1\n",
}


@pytest.mark.parametrize("shape", list(DEEP_FILES))
def test_a_file_nested_5000_deep_never_raises(cfg: Path, shape: str) -> None:
    write(cfg, DEEP_FILES[shape])
    loaded = load_settings()  # (it raised RecursionError, which stopped the TUI)
    assert loaded.errors, shape
    assert loaded.favorites == [] and loaded.theme == st.DEFAULT_THEME


@pytest.mark.parametrize("shape", ["array", "inline-table"])
def test_saving_over_a_file_nested_too_deeply_is_refused(cfg: Path, shape: str) -> None:
    write(cfg, DEEP_FILES[shape])
    before = cfg.read_bytes()
    loaded = load_settings()
    with pytest.raises(SettingsError, match="nothing was written"):  # (tomlkit: 100 deep)
        toggle_favorite(loaded, "dev")
    assert cfg.read_bytes() == before


class CountingName(str):
    """A profile name that counts how often it is compared."""

    comparisons = 0

    def __eq__(self, other: object) -> bool:
        CountingName.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_deduplicating_favourites_is_linear() -> None:
    """40,000 favourites took 6.6 s: each was compared with every one kept before it."""
    from rolecall.settings.reading import _read_top, _Reader

    count = 3000
    names = [CountingName(f"profile-{i}") for i in range(count)]
    names += [CountingName("profile-7"), CountingName("profile-2999")]  # two duplicates
    loaded = Settings(path="x")
    CountingName.comparisons = 0
    _read_top(loaded, {"favorites": names}, _Reader("x", loaded))
    assert loaded.favorites == [f"profile-{i}" for i in range(count)]
    assert CountingName.comparisons < 10 * count  # a list's `in` made 4.5 million


def test_a_file_over_the_size_cap_gives_the_defaults(cfg: Path) -> None:
    from rolecall.settings.reading import MAX_SETTINGS_BYTES

    line = b"# " + b"x" * 1022 + b"\n"
    write(cfg, b'theme = "nord"\n' + line * (MAX_SETTINGS_BYTES // len(line) + 1))
    loaded = load_settings()
    (error,) = loaded.errors
    assert "is larger than 2 MiB; using the default settings" in error
    assert loaded.theme == st.DEFAULT_THEME
    with pytest.raises(SettingsError, match="larger than 2 MiB"):
        set_theme(loaded, "dracula")
    # a file just under the cap is read
    write(cfg, b'theme = "nord"\n' + line * (MAX_SETTINGS_BYTES // len(line) - 1))
    assert load_settings().theme == "nord"


def test_a_fifo_where_the_file_should_be_does_not_hang(cfg: Path) -> None:
    import threading

    cfg.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(cfg)
    got: list[Settings] = []
    reader = threading.Thread(target=lambda: got.append(load_settings()), daemon=True)
    reader.start()
    reader.join(10)
    if not got:  # (unblock the reader before failing: open the FIFO for writing)
        os.close(os.open(cfg, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("load_settings blocked on a FIFO")
    (error,) = got[0].errors
    assert "cannot be read (not a regular file)" in error
