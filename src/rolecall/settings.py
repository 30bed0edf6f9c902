"""rolecall's own settings: display names, colours, favourites, thresholds, theme.

The file is ``config.toml`` in ``$ROLECALL_CONFIG_DIR`` when that is set, else in
``platformdirs.user_config_dir("rolecall")`` (``~/.config/rolecall`` on Linux).
It is read with :mod:`tomllib` and written with :mod:`tomlkit`, so that a change
made from the UI keeps the user's comments, key order and formatting: saving
re-reads the file, edits only the keys whose value changed, and writes it back
atomically (file 0600, directory 0700).

Every key is optional.  This is the whole layout; the theme, thresholds, sessions and
notifications shown are the defaults, while favourites, ``[defaults]`` and
``[profiles]`` are empty unless set.  The example layout::

    theme = "textual-dark"         # a Textual theme name
    favorites = ["dev"]            # profile names, pinned at the top of the table

    [defaults]
    session_name = "alice"         # RoleSessionName when a profile sets none (2..64 of [\\w+=,.@-])
    duration_seconds = 3600        # DurationSeconds when a profile sets none (900..43200)

    [thresholds]
    warn_seconds = 900             # a countdown under this turns to the warning colour
    critical_seconds = 300         # and under this to the critical colour (<= warn_seconds)

    [sessions]
    refresh_margin_seconds = 900   # what a shell's endpoint serves has this long left (60..3600)
    env_keys = false               # shell and exec export fixed keys instead (no refresh)
    keep_fresh = true              # the TUI re-assumes what it assumed before it expires

    [notifications]
    expiry = true                  # notify before a live session expires
    expiry_warning_seconds = 300   # how long before it expires
    assume = true                  # notify when an assume succeeds or fails

    [profiles."prod-admin"]        # one table per AWS profile name
    display_name = "[prod] admin"  # shown instead of the profile name
    color = "bright_red"           # a colour name from COLOR_NAMES, or "#rrggbb"

Reading never fails: a missing file gives the defaults; a file that is not valid
TOML gives the defaults and one error naming the file and the line; an invalid
value gives its default and one error naming the key, for example::

    ~/.config/rolecall/config.toml: thresholds.warn_seconds must be a positive integer,
    got 'abc'; using 900

Those messages are collected in :attr:`Settings.errors` for the UI to show.
Unknown keys are reported the same way (they may be typos) and left alone.

Writing refuses (:class:`SettingsError`) to replace a file that is not valid TOML,
so that a hand edit in progress is never lost.  This module imports neither
textual nor rich: colours are checked against a fixed list of names that Rich
accepts (:data:`COLOR_NAMES`, with their RGB in :data:`COLOR_HEX` for Textual CSS).
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import tomllib
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import platformdirs
import tomlkit

from rolecall.core.fsutil import FileChangedError, atomic_write, ensure_private_dir

__all__ = [
    "COLOR_HEX",
    "COLOR_NAMES",
    "DEFAULT_CRITICAL_SECONDS",
    "DEFAULT_EXPIRY_WARNING_SECONDS",
    "DEFAULT_REFRESH_MARGIN_SECONDS",
    "DEFAULT_THEME",
    "DEFAULT_WARN_SECONDS",
    "FILE_NAME",
    "Settings",
    "SettingsError",
    "color_error",
    "color_hex",
    "is_valid_color",
    "load_settings",
    "save_settings",
    "set_display",
    "set_theme",
    "settings_path",
    "toggle_favorite",
]

FILE_NAME = "config.toml"
DEFAULT_THEME = "textual-dark"
DEFAULT_WARN_SECONDS = 900
DEFAULT_CRITICAL_SECONDS = 300
DEFAULT_EXPIRY_WARNING_SECONDS = 300
#: What the credentials endpoint serves has at least this long left (botocore's window).
DEFAULT_REFRESH_MARGIN_SECONDS = 900
MIN_REFRESH_MARGIN = 60
MAX_REFRESH_MARGIN = 3600
MIN_DURATION = 900
MAX_DURATION = 43200

#: Colour names accepted for a profile, each with its RGB (Rich's palette; the
#: first sixteen are the terminal's own ANSI colours, shown here with Rich's
#: default terminal theme).  Every name parses with ``rich.color.Color.parse``;
#: Textual CSS should use :func:`color_hex`.
COLOR_HEX: dict[str, str] = {
    "black": "#000000",
    "red": "#800000",
    "green": "#008000",
    "yellow": "#808000",
    "blue": "#000080",
    "magenta": "#800080",
    "cyan": "#008080",
    "white": "#c0c0c0",
    "bright_black": "#808080",
    "bright_red": "#ff0000",
    "bright_green": "#00ff00",
    "bright_yellow": "#ffff00",
    "bright_blue": "#0000ff",
    "bright_magenta": "#ff00ff",
    "bright_cyan": "#00ffff",
    "bright_white": "#ffffff",
    "grey50": "#808080",
    "grey70": "#b2b2b2",
    "dark_red": "#870000",
    "indian_red": "#d75f5f",
    "light_coral": "#ff8787",
    "salmon1": "#ff875f",
    "orange_red1": "#ff5f00",
    "dark_orange": "#ff8700",
    "orange1": "#ffaf00",
    "sandy_brown": "#ffaf5f",
    "tan": "#d7af87",
    "gold1": "#ffd700",
    "khaki1": "#ffff87",
    "chartreuse1": "#87ff00",
    "spring_green2": "#00ff5f",
    "dark_green": "#005f00",
    "turquoise2": "#00d7ff",
    "sky_blue1": "#87d7ff",
    "deep_sky_blue1": "#00afff",
    "dodger_blue1": "#0087ff",
    "steel_blue": "#5f87af",
    "medium_purple": "#8787d7",
    "purple": "#af00ff",
    "violet": "#d787ff",
    "orchid": "#d75fd7",
    "plum1": "#ffafff",
    "hot_pink": "#ff5fd7",
    "pink1": "#ffafd7",
}
COLOR_NAMES: tuple[str, ...] = tuple(COLOR_HEX)

_HEX_RE = re.compile(r"#[0-9a-fA-F]{6}")
_SESSION_NAME_RE = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

# Scalar settings: attribute -> (TOML key path, default).
_SCALARS: dict[str, tuple[tuple[str, ...], object]] = {
    "theme": (("theme",), DEFAULT_THEME),
    "default_session_name": (("defaults", "session_name"), None),
    "default_duration": (("defaults", "duration_seconds"), None),
    "warn_seconds": (("thresholds", "warn_seconds"), DEFAULT_WARN_SECONDS),
    "critical_seconds": (("thresholds", "critical_seconds"), DEFAULT_CRITICAL_SECONDS),
    "notify_expiry": (("notifications", "expiry"), True),
    "expiry_warning_seconds": (
        ("notifications", "expiry_warning_seconds"),
        DEFAULT_EXPIRY_WARNING_SECONDS,
    ),
    "notify_assume": (("notifications", "assume"), True),
    "refresh_margin": (("sessions", "refresh_margin_seconds"), DEFAULT_REFRESH_MARGIN_SECONDS),
    "env_keys": (("sessions", "env_keys"), False),
    "keep_fresh": (("sessions", "keep_fresh"), True),
}
_TABLES = ("defaults", "thresholds", "notifications", "sessions")
_TOP_KEYS = frozenset({"theme", "favorites", "profiles", *_TABLES})
_PROFILE_KEYS = ("display_name", "color")


class SettingsError(Exception):
    """The settings file cannot be written (it is not valid TOML, or a value is invalid)."""


@dataclass
class Settings:
    """rolecall's settings, as read from (and written to) :attr:`path`.

    Change the fields and call :func:`save_settings`, or use the helpers
    (:func:`toggle_favorite`, :func:`set_display`, :func:`set_theme`) that do both.
    """

    path: str
    display_names: dict[str, str] = field(default_factory=dict)
    colors: dict[str, str] = field(default_factory=dict)
    favorites: list[str] = field(default_factory=list)
    default_session_name: str | None = None
    default_duration: int | None = None
    warn_seconds: int = DEFAULT_WARN_SECONDS
    critical_seconds: int = DEFAULT_CRITICAL_SECONDS
    expiry_warning_seconds: int = DEFAULT_EXPIRY_WARNING_SECONDS
    theme: str = DEFAULT_THEME
    notify_expiry: bool = True
    notify_assume: bool = True
    #: ``[sessions]``: the endpoint's margin (seconds), fixed keys instead, TUI refreshes
    refresh_margin: int = DEFAULT_REFRESH_MARGIN_SECONDS
    env_keys: bool = False
    keep_fresh: bool = True
    #: One message per problem found when reading the file (see the module docstring).
    errors: list[str] = field(default_factory=list)
    # The values as last read or saved: save_settings writes only what differs.
    _baseline: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self._baseline:
            self._baseline = _default_snapshot()

    def display_name(self, profile: str) -> str:
        """The name to show for ``profile``: its display name, else the profile name."""
        return self.display_names.get(profile) or profile

    def is_favorite(self, profile: str) -> bool:
        return profile in self.favorites


# ---------------------------------------------------------------------------
# paths and colours
# ---------------------------------------------------------------------------
def settings_path() -> str:
    """``$ROLECALL_CONFIG_DIR/config.toml``, else the platform's config dir for rolecall."""
    directory = os.environ.get("ROLECALL_CONFIG_DIR")
    if directory:
        directory = os.path.expanduser(directory)
    else:
        directory = platformdirs.user_config_dir("rolecall")
    return os.path.join(directory, FILE_NAME)


def is_valid_color(value: object) -> bool:
    """A name from :data:`COLOR_NAMES` (any case) or ``#rrggbb``."""
    if not isinstance(value, str):
        return False
    return value.lower() in COLOR_HEX or _HEX_RE.fullmatch(value) is not None


def color_error(value: object) -> str | None:
    """Why ``value`` is not a colour, or None when it is one (for forms)."""
    if is_valid_color(value):
        return None
    text = f"{value!r} is not a colour: use #rrggbb or a name such as red, bright_blue, orange1"
    if isinstance(value, str):
        close = difflib.get_close_matches(value.lower(), COLOR_NAMES, n=1, cutoff=0.6)
        if close:
            text += f" (did you mean {close[0]!r}?)"
    return text


def color_hex(value: str) -> str:
    """``#rrggbb`` for a valid colour (a name is looked up in :data:`COLOR_HEX`)."""
    if _HEX_RE.fullmatch(value):
        return value.lower()
    try:
        return COLOR_HEX[value.lower()]
    except KeyError:
        raise ValueError(color_error(value)) from None


def _normalize_color(value: str) -> str:
    return value.lower()


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------
def _shown(path: str) -> str:
    """The path as messages show it, with the home directory as ``~``."""
    home = os.path.expanduser("~")
    if home not in ("", "/", "~") and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def _key(*parts: str) -> str:
    """A dotted TOML key path, quoting the parts that are not bare keys."""
    out = []
    for part in parts:
        if _BARE_KEY_RE.fullmatch(part):
            out.append(part)
        else:
            out.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return ".".join(out)


class _Reader:
    def __init__(self, path: str, settings: Settings) -> None:
        self.prefix = _shown(path) + ": "
        self.settings = settings

    def error(self, message: str) -> None:
        self.settings.errors.append(self.prefix + message)

    def invalid(self, key: str, expected: str, value: object, default: object) -> None:
        using = "not set" if default is None else repr(default)
        if isinstance(default, bool):
            using = str(default).lower()
        elif isinstance(default, int):
            using = str(default)
        elif isinstance(default, list):
            using = "[]"
        prefix = "using" if default is not None else "leaving it"
        self.error(f"{key} must be {expected}, got {_describe(value)}; {prefix} {using}")

    def table(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            self.error(f"{name} must be a table, got {_describe(value)}; using the defaults")
            return {}
        return value

    def unknown(self, data: Mapping[str, Any], known: frozenset[str], *where: str) -> None:
        for key in data:
            if key not in known:
                self.error(f"unknown key {_key(*where, key)} (ignored)")


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def load_settings(path: str | None = None) -> Settings:
    """Read the settings; never raises.  Problems go to :attr:`Settings.errors`."""
    path = settings_path() if path is None else path
    settings = Settings(path=path)
    reader = _Reader(path, settings)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return settings
    except OSError as exc:
        reader.error(f"cannot be read ({exc.strerror or exc}); using the default settings")
        return settings
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        reader.error(
            f"is not UTF-8 (byte {exc.start}); using the default settings",
        )
        return settings
    except tomllib.TOMLDecodeError as exc:
        reader.error(f"is not valid TOML: {exc}; using the default settings")
        return settings
    _read_into(settings, data, reader)
    settings._baseline = _snapshot(settings)
    return settings


def _read_into(settings: Settings, data: Mapping[str, Any], reader: _Reader) -> None:
    reader.unknown(data, _TOP_KEYS)

    theme = data.get("theme", DEFAULT_THEME)
    if isinstance(theme, str) and theme.strip() and not _CONTROL_RE.search(theme):
        settings.theme = theme.strip()
    else:
        reader.invalid("theme", "a theme name (a non-empty string)", theme, DEFAULT_THEME)

    favorites = data.get("favorites", [])
    if isinstance(favorites, list):
        for i, item in enumerate(favorites):
            if isinstance(item, str) and item:
                if item not in settings.favorites:
                    settings.favorites.append(item)
            else:
                reader.error(
                    f"favorites[{i}] must be a profile name (a non-empty string), "
                    f"got {_describe(item)}; ignoring it"
                )
    else:
        reader.invalid("favorites", "an array of profile names", favorites, [])

    defaults = reader.table(data, "defaults")
    reader.unknown(defaults, frozenset({"session_name", "duration_seconds"}), "defaults")
    if "session_name" in defaults:
        value = defaults["session_name"]
        if isinstance(value, str) and _SESSION_NAME_RE.fullmatch(value):
            settings.default_session_name = value
        else:
            reader.invalid(
                "defaults.session_name",
                "2 to 64 characters of letters, digits and +=,.@_-",
                value,
                None,
            )
    if "duration_seconds" in defaults:
        value = defaults["duration_seconds"]
        if _is_int(value) and MIN_DURATION <= value <= MAX_DURATION:
            settings.default_duration = value
        else:
            reader.invalid(
                "defaults.duration_seconds",
                f"an integer from {MIN_DURATION} to {MAX_DURATION}",
                value,
                None,
            )

    thresholds = reader.table(data, "thresholds")
    reader.unknown(thresholds, frozenset({"warn_seconds", "critical_seconds"}), "thresholds")
    for attr, key, default in (
        ("warn_seconds", "warn_seconds", DEFAULT_WARN_SECONDS),
        ("critical_seconds", "critical_seconds", DEFAULT_CRITICAL_SECONDS),
    ):
        if key in thresholds:
            value = thresholds[key]
            if _is_int(value) and value > 0:
                setattr(settings, attr, value)
            else:
                reader.invalid(f"thresholds.{key}", "a positive integer", value, default)
    if settings.critical_seconds > settings.warn_seconds:
        reader.error(
            f"thresholds.critical_seconds ({settings.critical_seconds}) is larger than "
            f"thresholds.warn_seconds ({settings.warn_seconds}); using "
            f"{DEFAULT_WARN_SECONDS} and {DEFAULT_CRITICAL_SECONDS}"
        )
        settings.warn_seconds = DEFAULT_WARN_SECONDS
        settings.critical_seconds = DEFAULT_CRITICAL_SECONDS

    notifications = reader.table(data, "notifications")
    reader.unknown(
        notifications,
        frozenset({"expiry", "assume", "expiry_warning_seconds"}),
        "notifications",
    )
    for attr, key in (("notify_expiry", "expiry"), ("notify_assume", "assume")):
        if key in notifications:
            value = notifications[key]
            if isinstance(value, bool):
                setattr(settings, attr, value)
            else:
                reader.invalid(f"notifications.{key}", "true or false", value, True)
    if "expiry_warning_seconds" in notifications:
        value = notifications["expiry_warning_seconds"]
        if _is_int(value) and value > 0:
            settings.expiry_warning_seconds = value
        else:
            reader.invalid(
                "notifications.expiry_warning_seconds",
                "a positive integer",
                value,
                DEFAULT_EXPIRY_WARNING_SECONDS,
            )

    sessions = reader.table(data, "sessions")
    reader.unknown(
        sessions, frozenset({"refresh_margin_seconds", "env_keys", "keep_fresh"}), "sessions"
    )
    if "refresh_margin_seconds" in sessions:
        value = sessions["refresh_margin_seconds"]
        if _is_int(value) and MIN_REFRESH_MARGIN <= value <= MAX_REFRESH_MARGIN:
            settings.refresh_margin = value
        else:
            reader.invalid(
                "sessions.refresh_margin_seconds",
                f"an integer from {MIN_REFRESH_MARGIN} to {MAX_REFRESH_MARGIN}",
                value,
                DEFAULT_REFRESH_MARGIN_SECONDS,
            )
    for attr, key, default in (("env_keys", "env_keys", False), ("keep_fresh", "keep_fresh", True)):
        if key in sessions:
            value = sessions[key]
            if isinstance(value, bool):
                setattr(settings, attr, value)
            else:
                reader.invalid(f"sessions.{key}", "true or false", value, default)

    profiles = reader.table(data, "profiles")
    for name, table in profiles.items():
        if not isinstance(table, dict):
            reader.error(
                f"{_key('profiles', name)} must be a table (display_name, color), "
                f"got {_describe(table)}; ignoring it"
            )
            continue
        reader.unknown(table, frozenset(_PROFILE_KEYS), "profiles", name)
        if "display_name" in table:
            value = table["display_name"]
            if isinstance(value, str) and value.strip() and not _CONTROL_RE.search(value):
                settings.display_names[name] = value
            else:
                reader.error(
                    f"{_key('profiles', name, 'display_name')} must be a non-empty one-line "
                    f"string, got {_describe(value)}; showing the profile name"
                )
        if "color" in table:
            value = table["color"]
            if is_valid_color(value):
                settings.colors[name] = _normalize_color(value)
            else:
                message = color_error(value) or ""
                reader.error(f"{_key('profiles', name, 'color')}: {message}; using no colour")


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------
def _default_snapshot() -> dict[str, Any]:
    snap: dict[str, Any] = {attr: default for attr, (_, default) in _SCALARS.items()}
    snap["favorites"] = []
    snap["profiles"] = {}
    return snap


def _snapshot(settings: Settings) -> dict[str, Any]:
    """The savable values, as plain data (deep copies)."""
    snap: dict[str, Any] = {attr: getattr(settings, attr) for attr in _SCALARS}
    snap["favorites"] = list(settings.favorites)
    profiles: dict[str, dict[str, str]] = {}
    for name, value in settings.display_names.items():
        profiles.setdefault(name, {})["display_name"] = value
    for name, value in settings.colors.items():
        profiles.setdefault(name, {})["color"] = value
    snap["profiles"] = profiles
    return copy.deepcopy(snap)


def _check(settings: Settings, changed: set[str]) -> list[str]:
    """Problems with the values about to be written (only the changed ones)."""
    out: list[str] = []
    s = settings
    if "theme" in changed and (
        not isinstance(s.theme, str) or not s.theme.strip() or _CONTROL_RE.search(s.theme)
    ):
        out.append(f"theme must be a non-empty string, got {s.theme!r}")
    session = s.default_session_name
    if (
        "default_session_name" in changed
        and session is not None
        and not (isinstance(session, str) and _SESSION_NAME_RE.fullmatch(session))
    ):
        out.append(
            "defaults.session_name must be 2 to 64 characters of letters, digits and "
            f"+=,.@_-, got {session!r}"
        )
    duration = s.default_duration
    if (
        "default_duration" in changed
        and duration is not None
        and not (_is_int(duration) and MIN_DURATION <= duration <= MAX_DURATION)
    ):
        out.append(
            f"defaults.duration_seconds must be an integer from {MIN_DURATION} to "
            f"{MAX_DURATION}, got {s.default_duration!r}"
        )
    for attr in ("warn_seconds", "critical_seconds", "expiry_warning_seconds"):
        value = getattr(s, attr)
        if attr in changed and (not _is_int(value) or value <= 0):
            out.append(f"{'.'.join(_SCALARS[attr][0])} must be a positive integer, got {value!r}")
    if {"warn_seconds", "critical_seconds"} & changed and s.critical_seconds > s.warn_seconds:
        out.append(
            f"thresholds.critical_seconds ({s.critical_seconds}) must not be larger than "
            f"thresholds.warn_seconds ({s.warn_seconds})"
        )
    margin = s.refresh_margin
    if "refresh_margin" in changed and not (
        _is_int(margin) and MIN_REFRESH_MARGIN <= margin <= MAX_REFRESH_MARGIN
    ):
        out.append(
            f"sessions.refresh_margin_seconds must be an integer from {MIN_REFRESH_MARGIN} "
            f"to {MAX_REFRESH_MARGIN}, got {margin!r}"
        )
    for attr in ("notify_expiry", "notify_assume", "env_keys", "keep_fresh"):
        if attr in changed and not isinstance(getattr(s, attr), bool):
            out.append(f"{'.'.join(_SCALARS[attr][0])} must be true or false")
    if "favorites" in changed:
        for item in s.favorites:
            if not isinstance(item, str) or not item:
                out.append(f"favorites must hold profile names, got {item!r}")
    if "profiles" in changed:
        for name, value in s.display_names.items():
            if not isinstance(value, str) or not value.strip() or _CONTROL_RE.search(value):
                out.append(
                    f"{_key('profiles', name, 'display_name')} must be a non-empty one-line "
                    f"string, got {value!r}"
                )
        for name, value in s.colors.items():
            if not is_valid_color(value):
                out.append(f"{_key('profiles', name, 'color')}: {color_error(value)}")
    return out


def _is_table(item: object) -> bool:
    return isinstance(item, MutableMapping)


def _child(container: Any, key: str, top: bool, super_table: bool = False) -> Any:
    """``container[key]`` as a table, created (or replacing a non-table) when needed."""
    if key in container and _is_table(container[key]):
        return container[key]
    if key in container:
        del container[key]
    table: Any
    if isinstance(container, tomlkit.items.InlineTable):
        table = tomlkit.inline_table()
    else:
        table = tomlkit.table(is_super_table=super_table)
        if top and not super_table:
            # A new [table] goes at the end: leave a blank line before it.
            text = container.as_string()
            if text and not text.endswith("\n\n"):
                container.add(tomlkit.nl())
    container[key] = table
    return container[key]


def _set_path(doc: Any, path: tuple[str, ...], value: object) -> None:
    container = doc
    for i, key in enumerate(path[:-1]):
        container = _child(container, key, i == 0, super_table=(i == 0 and key == "profiles"))
    container[path[-1]] = value


def _delete_path(doc: Any, path: tuple[str, ...]) -> None:
    """Delete a key, then any table that the deletion left empty."""
    containers = [doc]
    for key in path[:-1]:
        current = containers[-1]
        if key not in current or not _is_table(current[key]):
            return
        containers.append(current[key])
    last = containers[-1]
    if path[-1] in last:
        del last[path[-1]]
    # Drop tables left empty, innermost first (never the document itself).
    for depth in range(len(path) - 1, 0, -1):
        parent, table = containers[depth - 1], containers[depth]
        if len(table) == 0:
            del parent[path[depth - 1]]
        else:
            break


def _apply_favorites(doc: Any, old: list[str], new: list[str]) -> None:
    if old == new:
        return
    current = doc.get("favorites")
    added = [f for f in new if f not in old]
    removed = [f for f in old if f not in new]
    if isinstance(current, list) and (added or removed):
        # Edit the array in place: keeps its layout and comments, and any entry
        # another process added since this one read the file.
        for name in removed:
            for i in range(len(current) - 1, -1, -1):
                if current[i] == name:
                    del current[i]
        present = [str(item) for item in current]
        for name in added:
            if name not in present:
                current.append(name)
                present.append(name)
        if len(current) == 0:
            del doc["favorites"]
        return
    # A reorder, a missing key, or a value that was not an array: write the list.
    if new:
        array = tomlkit.array()
        array.extend(new)
        doc["favorites"] = array
    elif "favorites" in doc:
        del doc["favorites"]


def _apply(doc: Any, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    """Update ``doc`` in place with what differs between ``old`` and ``new``."""
    for attr, (path, _default) in _SCALARS.items():
        if new[attr] == old[attr] and type(new[attr]) is type(old[attr]):
            continue
        value = new[attr]
        if value is None:
            _delete_path(doc, path)
        else:
            _set_path(doc, path, value)
    _apply_favorites(doc, old["favorites"], new["favorites"])
    old_p: Mapping[str, Mapping[str, str]] = old["profiles"]
    new_p: Mapping[str, Mapping[str, str]] = new["profiles"]
    for name in [*old_p, *(n for n in new_p if n not in old_p)]:
        changes = {
            key: new_p.get(name, {}).get(key)
            for key in _PROFILE_KEYS
            if old_p.get(name, {}).get(key) != new_p.get(name, {}).get(key)
        }
        if not changes:
            continue
        profiles = doc.get("profiles")
        exists = _is_table(profiles) and _is_table(profiles.get(name))
        if not exists and any(v is not None for v in changes.values()):
            # A new [profiles."name"] table, built whole so that it ends with a
            # blank line when tomlkit places it before another table.
            inline = isinstance(profiles, tomlkit.items.InlineTable)
            table: Any = tomlkit.inline_table() if inline else tomlkit.table()
            for key, value in changes.items():
                if value is not None:
                    table[key] = value
            if not inline:
                table.add(tomlkit.nl())
            _child(doc, "profiles", True, super_table=True)[name] = table
            continue
        for key, value in changes.items():
            if value is None:
                _delete_path(doc, ("profiles", name, key))
            else:
                _set_path(doc, ("profiles", name, key), value)


def _changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
    out = {attr for attr in _SCALARS if new[attr] != old[attr]}
    if new["favorites"] != old["favorites"]:
        out.add("favorites")
    if new["profiles"] != old["profiles"]:
        out.add("profiles")
    return out


def save_settings(settings: Settings) -> None:
    """Write what changed since the settings were read (or last saved).

    The file is read again and only the changed keys are edited in place, so
    the user's comments, order and formatting are kept, and so are changes that
    another process made to other keys in the meantime.  Nothing is written when
    nothing changed.  Raises :class:`SettingsError` when the file on disk is not
    valid TOML or a changed value is invalid, and ``OSError`` when it cannot be
    written; the in-memory settings are left as they are.
    """
    new = _snapshot(settings)
    old = settings._baseline
    changed = _changed(old, new)
    if not changed:
        return
    problems = _check(settings, changed)
    if problems:
        raise SettingsError(f"{_shown(settings.path)}: " + "; ".join(problems))
    path = settings.path
    for _attempt in range(5):
        try:
            with open(path, "rb") as fh:
                before: bytes = fh.read()
        except FileNotFoundError:
            before = b""
        try:
            doc = tomlkit.parse(before.decode("utf-8"))
        except (UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
            raise SettingsError(
                f"{_shown(path)} is not valid TOML ({exc}); fix it by hand, nothing was written"
            ) from None
        _apply(doc, old, new)
        text = tomlkit.dumps(doc)
        if text.endswith("\n\n") and not before.endswith(b"\n\n"):
            text = text.rstrip("\n") + "\n"
        after = text.encode("utf-8")
        ensure_private_dir(os.path.dirname(os.path.abspath(path)))
        try:
            atomic_write(path, after, 0o600, unchanged=before)
        except FileChangedError:
            continue  # someone wrote it between our read and our write: redo
        break
    else:
        raise SettingsError(f"{_shown(path)} keeps changing on disk; nothing was written")
    settings._baseline = new


# ---------------------------------------------------------------------------
# helpers for the UI: each updates the settings and saves them
# ---------------------------------------------------------------------------
def toggle_favorite(settings: Settings, name: str) -> bool:
    """Add or remove a favourite, save, and return whether it is now a favourite."""
    if name in settings.favorites:
        settings.favorites = [f for f in settings.favorites if f != name]
        state = False
    else:
        settings.favorites.append(name)
        state = True
    save_settings(settings)
    return state


def set_display(settings: Settings, name: str, display_name: str | None, color: str | None) -> None:
    """Set (or, with None or "", remove) a profile's display name and colour, and save.

    Raises ``ValueError`` for an invalid colour or display name, before changing anything.
    """
    display_name = (display_name or "").strip() or None
    if color:
        problem = color_error(color)
        if problem:
            raise ValueError(problem)
    if display_name and _CONTROL_RE.search(display_name):
        raise ValueError(f"display name {display_name!r} must be one line of text")
    if display_name:
        settings.display_names[name] = display_name
    else:
        settings.display_names.pop(name, None)
    if color:
        settings.colors[name] = _normalize_color(color)
    else:
        settings.colors.pop(name, None)
    save_settings(settings)


def set_theme(settings: Settings, theme: str) -> None:
    """Set the Textual theme name and save."""
    if not theme or not theme.strip() or _CONTROL_RE.search(theme):
        raise ValueError(f"theme {theme!r} must be a non-empty theme name")
    settings.theme = theme.strip()
    save_settings(settings)
