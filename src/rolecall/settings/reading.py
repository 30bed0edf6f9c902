"""Reading the settings file: never fails, and says what it could not use.

A missing file gives the defaults; a file that is not valid TOML (or not
UTF-8) gives the defaults and one error; an invalid value gives its default
and one error naming the key; an unknown key is reported and left alone.
Read with :mod:`tomllib` (tomlkit, which keeps comments, is only for writing).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from typing import Any

from rolecall.core.guard import GUARD_KEY, describe_toml, parse_rules
from rolecall.core.limits import MAX_DURATION, MIN_DURATION, duration_in_range
from rolecall.core.regular_file import read_regular
from rolecall.settings.colors import color_error, color_line, is_valid_color, normalize_color
from rolecall.settings.model import (
    CONTROL_RE,
    DEFAULT_CRITICAL_SECONDS,
    DEFAULT_EXPIRY_WARNING_SECONDS,
    DEFAULT_REFRESH_MARGIN_SECONDS,
    DEFAULT_SSO_DISCOVERY_TTL,
    DEFAULT_THEME,
    DEFAULT_WARN_SECONDS,
    MAX_REFRESH_MARGIN,
    MIN_REFRESH_MARGIN,
    PROFILE_KEYS,
    SESSION_NAME_RE,
    TOP_KEYS,
    Settings,
    is_int,
    settings_path,
    shown,
    snapshot,
    toml_key,
)

__all__ = ["MAX_SETTINGS_BYTES", "describe", "load_settings"]


class _Reader:
    """Collects the problems of one file into :attr:`Settings.errors`."""

    def __init__(self, path: str, settings: Settings) -> None:
        self.where = shown(path)
        self.settings = settings
        #: the file's text (for the line of a problem)
        self.text = ""

    def error(self, message: str, line: int | None = None) -> None:
        at = f":{line}" if line else ""
        self.settings.errors.append(f"{self.where}{at}: {message}")

    def invalid(self, key: str, expected: str, value: object, default: object) -> None:
        using = "not set" if default is None else repr(default)
        if isinstance(default, bool):
            using = str(default).lower()
        elif isinstance(default, int):
            using = str(default)
        elif isinstance(default, list):
            using = "[]"
        prefix = "using" if default is not None else "leaving it"
        self.error(f"{key} must be {expected}, got {describe(value)}; {prefix} {using}")

    def table(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            self.error(f"{name} must be a table, got {describe(value)}; using the defaults")
            return {}
        return value

    def unknown(self, data: Mapping[str, Any], known: frozenset[str], *where: str) -> None:
        for key in data:
            if key not in known:
                self.error(f"unknown key {toml_key(*where, key)} (ignored)")


#: A TOML value as messages show it (decided in ``rolecall.core.guard``, which words
#: the guard keys' problems too).
describe = describe_toml


def load_settings(path: str | None = None) -> Settings:
    """Read the settings; never raises.  Problems go to :attr:`Settings.errors`.

    The file is read in time linear in its size, and only up to
    :data:`MAX_SETTINGS_BYTES`; a file nested too deeply for Python
    (``a = [[[[...]]]]`` 5,000 deep) gives the defaults and one error.
    """
    path = settings_path() if path is None else path
    settings = Settings(path=path)
    reader = _Reader(path, settings)
    data = _parse(path, reader)
    if data is None:
        return settings
    try:
        _read_all(settings, data, reader)
    except RecursionError:
        settings = Settings(path=path)
        _Reader(path, settings).error(_TOO_DEEP)
        return settings
    settings._baseline = snapshot(settings)
    return settings


#: The largest settings file rolecall reads.  10,000 display names and colours
#: take 0.9 MB, which tomllib reads in about a second.
MAX_SETTINGS_BYTES = 2 * 1024 * 1024
_TOO_DEEP = "is nested too deeply to read; using the default settings"


def _parse(path: str, reader: _Reader) -> dict[str, Any] | None:
    """The file's TOML, or None (missing, unreadable, too large, not TOML: one error)."""
    try:
        raw = read_regular(path, MAX_SETTINGS_BYTES)  # (never waits on a FIFO)
    except OSError as exc:
        reader.error(f"cannot be read ({exc.strerror or exc}); using the default settings")
        return None
    if raw is None:
        return None
    if len(raw) > MAX_SETTINGS_BYTES:
        reader.error(
            f"is larger than {MAX_SETTINGS_BYTES // (1024 * 1024)} MiB; using the default settings"
        )
        return None
    try:
        reader.text = raw.decode("utf-8")
        return tomllib.loads(reader.text)
    except UnicodeDecodeError as exc:
        reader.error(f"is not UTF-8 (byte {exc.start}); using the default settings")
    except tomllib.TOMLDecodeError as exc:
        reader.error(f"is not valid TOML: {exc}; using the default settings")
    except RecursionError:
        reader.error(_TOO_DEEP)
    return None


def _read_all(settings: Settings, data: Mapping[str, Any], reader: _Reader) -> None:
    reader.unknown(data, TOP_KEYS)
    _read_top(settings, data, reader)
    _read_defaults(settings, reader.table(data, "defaults"), reader)
    _read_thresholds(settings, reader.table(data, "thresholds"), reader)
    _read_notifications(settings, reader.table(data, "notifications"), reader)
    _read_sessions(settings, reader.table(data, "sessions"), reader)
    _read_sso(settings, reader.table(data, "sso"), reader)
    _read_shell(settings, reader.table(data, "shell"), reader)
    _read_profiles(settings, reader.table(data, "profiles"), reader)
    settings.guard_rules, guard_errors = parse_rules(data)
    for message in guard_errors:
        reader.error(message)


def _read_top(settings: Settings, data: Mapping[str, Any], reader: _Reader) -> None:
    """``theme`` and ``favorites``."""
    theme = data.get("theme", DEFAULT_THEME)
    if isinstance(theme, str) and theme.strip() and not CONTROL_RE.search(theme):
        settings.theme = theme.strip()
    else:
        reader.invalid("theme", "a theme name (a non-empty string)", theme, DEFAULT_THEME)

    favorites = data.get("favorites", [])
    if not isinstance(favorites, list):
        reader.invalid("favorites", "an array of profile names", favorites, [])
        return
    seen: set[str] = set()  # (a set: 40,000 favourites took 6.6 s with `in` on the list)
    for i, item in enumerate(favorites):
        if isinstance(item, str) and item:
            if item not in seen:
                seen.add(item)
                settings.favorites.append(item)
        else:
            reader.error(
                f"favorites[{i}] must be a profile name (a non-empty string), "
                f"got {describe(item)}; ignoring it"
            )


def _read_defaults(settings: Settings, defaults: Mapping[str, Any], reader: _Reader) -> None:
    """``[defaults]``: the RoleSessionName and DurationSeconds of profiles that set none."""
    reader.unknown(defaults, frozenset({"session_name", "duration_seconds"}), "defaults")
    if "session_name" in defaults:
        value = defaults["session_name"]
        if isinstance(value, str) and SESSION_NAME_RE.fullmatch(value):
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
        if is_int(value) and duration_in_range(value):
            settings.default_duration = value
        else:
            reader.invalid(
                "defaults.duration_seconds",
                f"an integer from {MIN_DURATION} to {MAX_DURATION}",
                value,
                None,
            )


def _read_thresholds(settings: Settings, thresholds: Mapping[str, Any], reader: _Reader) -> None:
    """``[thresholds]``: when a countdown turns to the warning, then the critical colour."""
    reader.unknown(thresholds, frozenset({"warn_seconds", "critical_seconds"}), "thresholds")
    for attr, key, default in (
        ("warn_seconds", "warn_seconds", DEFAULT_WARN_SECONDS),
        ("critical_seconds", "critical_seconds", DEFAULT_CRITICAL_SECONDS),
    ):
        if key in thresholds:
            value = thresholds[key]
            if is_int(value) and value > 0:
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


def _read_notifications(
    settings: Settings, notifications: Mapping[str, Any], reader: _Reader
) -> None:
    """``[notifications]``: which notifications show, and how early before an expiry."""
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
        if is_int(value) and value > 0:
            settings.expiry_warning_seconds = value
        else:
            reader.invalid(
                "notifications.expiry_warning_seconds",
                "a positive integer",
                value,
                DEFAULT_EXPIRY_WARNING_SECONDS,
            )


def _read_sessions(settings: Settings, sessions: Mapping[str, Any], reader: _Reader) -> None:
    """``[sessions]``: the credentials endpoint's margin, fixed keys instead, TUI refreshes."""
    reader.unknown(
        sessions, frozenset({"refresh_margin_seconds", "env_keys", "keep_fresh"}), "sessions"
    )
    if "refresh_margin_seconds" in sessions:
        value = sessions["refresh_margin_seconds"]
        if is_int(value) and MIN_REFRESH_MARGIN <= value <= MAX_REFRESH_MARGIN:
            settings.refresh_margin = value
        else:
            reader.invalid(
                "sessions.refresh_margin_seconds",
                f"an integer from {MIN_REFRESH_MARGIN} to {MAX_REFRESH_MARGIN}",
                value,
                DEFAULT_REFRESH_MARGIN_SECONDS,
            )
    for attr, default in (("env_keys", False), ("keep_fresh", True)):
        if attr in sessions:
            value = sessions[attr]
            if isinstance(value, bool):
                setattr(settings, attr, value)
            else:
                reader.invalid(f"sessions.{attr}", "true or false", value, default)


def _read_sso(settings: Settings, sso: Mapping[str, Any], reader: _Reader) -> None:
    """``[sso]``: how long a discovery of accounts and roles is served from its cache."""
    reader.unknown(sso, frozenset({"discovery_ttl_seconds"}), "sso")
    if "discovery_ttl_seconds" in sso:
        value = sso["discovery_ttl_seconds"]
        if is_int(value) and value >= 0:
            settings.sso_discovery_ttl = value
        else:
            reader.invalid(
                "sso.discovery_ttl_seconds",
                "an integer >= 0 (0: always ask the portal)",
                value,
                DEFAULT_SSO_DISCOVERY_TTL,
            )


def _read_shell(settings: Settings, shell: Mapping[str, Any], reader: _Reader) -> None:
    """``[shell]``: whether the shells rolecall starts show the profile in their prompt."""
    reader.unknown(shell, frozenset({"prompt_marker"}), "shell")
    if "prompt_marker" in shell:
        value = shell["prompt_marker"]
        if isinstance(value, bool):
            settings.prompt_marker = value
        else:
            reader.invalid("shell.prompt_marker", "true or false", value, True)


def _read_profiles(settings: Settings, profiles: Mapping[str, Any], reader: _Reader) -> None:
    """``[profiles."NAME"]``: display names and colours (``guard`` is read by ``parse_rules``)."""
    for name, table in profiles.items():
        if not isinstance(table, dict):
            reader.error(
                f"{toml_key('profiles', name)} must be a table (display_name, color), "
                f"got {describe(table)}; ignoring it"
            )
            continue
        reader.unknown(table, frozenset((*PROFILE_KEYS, GUARD_KEY)), "profiles", name)
        if "display_name" in table:
            value = table["display_name"]
            if isinstance(value, str) and value.strip() and not CONTROL_RE.search(value):
                settings.display_names[name] = value
            else:
                reader.error(
                    f"{toml_key('profiles', name, 'display_name')} must be a non-empty one-line "
                    f"string, got {describe(value)}; showing the profile name"
                )
        if "color" in table:
            value = table["color"]
            if is_valid_color(value):
                settings.colors[name] = normalize_color(value)
            else:
                message = color_error(value) or ""
                reader.error(
                    f"{toml_key('profiles', name, 'color')}: {message}; using no colour",
                    color_line(reader.text, name),
                )
