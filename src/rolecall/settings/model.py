"""The :class:`Settings` record: its fields and defaults, the rules its values
follow, and where its file lives.

Both ``reading.py`` and ``writing.py`` apply the rules here, so a value the
reader accepts is one the writer writes back.  No TOML library is imported
here.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from typing import Any

from rolecall.core.guard import CREDENTIAL_PROCESS_KEY, GUARD_KEY, GuardRules
from rolecall.core.locations import SETTINGS_FILE_NAME

__all__ = [
    "CONTROL_RE",
    "DEFAULT_CRITICAL_SECONDS",
    "DEFAULT_EXPIRY_WARNING_SECONDS",
    "DEFAULT_REFRESH_MARGIN_SECONDS",
    "MAX_REFRESH_MARGIN",
    "MIN_REFRESH_MARGIN",
    "DEFAULT_THEME",
    "DEFAULT_WARN_SECONDS",
    "FILE_NAME",
    "PROFILE_KEYS",
    "SCALARS",
    "SESSION_NAME_RE",
    "TABLES",
    "TOP_KEYS",
    "Settings",
    "SettingsError",
    "default_snapshot",
    "is_int",
    "settings_path",
    "shown",
    "snapshot",
    "toml_key",
]

FILE_NAME = SETTINGS_FILE_NAME
DEFAULT_THEME = "textual-dark"
DEFAULT_WARN_SECONDS = 900
DEFAULT_CRITICAL_SECONDS = 300
DEFAULT_EXPIRY_WARNING_SECONDS = 300
#: What the credentials endpoint serves has at least this long left (botocore's window).
DEFAULT_REFRESH_MARGIN_SECONDS = 900
MIN_REFRESH_MARGIN = 60
MAX_REFRESH_MARGIN = 3600
#: How long ``rolecall sso roles`` serves a discovery from its cache (seconds).
DEFAULT_SSO_DISCOVERY_TTL = 3600

#: A RoleSessionName STS accepts.
SESSION_NAME_RE = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
#: What a one-line value (a theme, a display name) must not hold.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")

#: Scalar settings: attribute -> (TOML key path, default).
SCALARS: dict[str, tuple[tuple[str, ...], object]] = {
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
    "sso_discovery_ttl": (("sso", "discovery_ttl_seconds"), DEFAULT_SSO_DISCOVERY_TTL),
}
TABLES = ("defaults", "thresholds", "notifications", "sessions", "sso")
TOP_KEYS = frozenset({"theme", "favorites", "profiles", *TABLES, GUARD_KEY, CREDENTIAL_PROCESS_KEY})
PROFILE_KEYS = ("display_name", "color")


class SettingsError(Exception):
    """The settings file cannot be written (it is not valid TOML, or a value is invalid)."""


@dataclass
class Settings:
    """rolecall's settings, as read from (and written to) :attr:`path`.

    Change the fields and call :func:`~rolecall.settings.save_settings`, or use
    the helpers of :mod:`rolecall.settings.edits` that do both.
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
    sso_discovery_ttl: int = DEFAULT_SSO_DISCOVERY_TTL
    #: Guarded profiles (``guard``, ``[profiles."NAME"] guard``); read only, never written.
    guard_rules: GuardRules = field(default_factory=GuardRules)
    #: One message per problem found when reading the file (see the package docstring).
    errors: list[str] = field(default_factory=list)
    # The values as last read or saved: save_settings writes only what differs.
    _baseline: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self._baseline:
            self._baseline = default_snapshot()

    def display_name(self, profile: str) -> str:
        """The name to show for ``profile``: its display name, else the profile name."""
        return self.display_names.get(profile) or profile

    def is_favorite(self, profile: str) -> bool:
        return profile in self.favorites


def settings_path() -> str:
    """``$ROLECALL_CONFIG_DIR/config.toml``, else the platform's config dir for rolecall
    (``rolecall.core.locations``, shared with the command line's hot path)."""
    from rolecall.core.locations import settings_file

    return settings_file()


def shown(path: str) -> str:
    """The path as messages show it, with the home directory as ``~``."""
    home = os.path.expanduser("~")
    if home not in ("", "/", "~") and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def toml_key(*parts: str) -> str:
    """A dotted TOML key path, quoting the parts that are not bare keys.

    >>> toml_key("profiles", "prod-admin", "color"), toml_key("profiles", "a b")
    ('profiles.prod-admin.color', 'profiles."a b"')
    """
    out = []
    for part in parts:
        if _BARE_KEY_RE.fullmatch(part):
            out.append(part)
        else:
            out.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return ".".join(out)


def is_int(value: object) -> bool:
    """An int that is not a bool (TOML's ``true`` is not a number of seconds)."""
    return isinstance(value, int) and not isinstance(value, bool)


def default_snapshot() -> dict[str, Any]:
    """The savable values of settings left at their defaults."""
    snap: dict[str, Any] = {attr: default for attr, (_, default) in SCALARS.items()}
    snap["favorites"] = []
    snap["profiles"] = {}
    return snap


def snapshot(settings: Settings) -> dict[str, Any]:
    """The savable values, as plain data (deep copies)."""
    snap: dict[str, Any] = {attr: getattr(settings, attr) for attr in SCALARS}
    snap["favorites"] = list(settings.favorites)
    profiles: dict[str, dict[str, str]] = {}
    for name, value in settings.display_names.items():
        profiles.setdefault(name, {})["display_name"] = value
    for name, value in settings.colors.items():
        profiles.setdefault(name, {})["color"] = value
    snap["profiles"] = profiles
    return copy.deepcopy(snap)
