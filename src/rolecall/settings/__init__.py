"""rolecall's own settings: display names, colours, favourites, thresholds, theme.

The file is ``config.toml`` in ``$ROLECALL_CONFIG_DIR`` when that is set, else in
``platformdirs.user_config_dir("rolecall")`` (``~/.config/rolecall`` on Linux).
It is read with :mod:`tomllib` and written with :mod:`tomlkit`, so that a change
made from the UI keeps the user's comments, key order and formatting: saving
re-reads the file, edits only the keys whose value changed, and writes it back
atomically (file 0600, directory 0700).

Every key is optional.  This is the whole layout; the theme, thresholds, sessions and
notifications shown are the defaults, while favourites, ``[defaults]`` and
``[profiles]`` are empty unless set, and no profile is guarded unless ``guard``
says so (see :mod:`rolecall.core.guard`).  The example layout::

    theme = "textual-dark"         # a Textual theme name
    favorites = ["dev"]            # profile names, pinned at the top of the table
    guard = ["*prod*"]             # guarded profiles: names, globs, account IDs (or true)
    guard_credential_process = "allow"  # or "refuse": credential-process refuses guarded ones

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

    [sso]
    discovery_ttl_seconds = 3600   # `sso roles` answers from its cache this long (0: never)

    [profiles."prod-admin"]        # one table per AWS profile name
    display_name = "[prod] admin"  # shown instead of the profile name
    color = "bright_red"           # a colour name from COLOR_NAMES, or "#rrggbb"
    guard = true                   # ask before handing out its credentials

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

One module a job: ``model`` (the :class:`Settings` record, its defaults, the
value rules and the file's path), ``colors``, ``reading`` (tomllib), ``writing``
(tomlkit: edits in place) and ``edits`` (the UI's one-call changes).
"""

from __future__ import annotations

from rolecall.settings.colors import COLOR_HEX, COLOR_NAMES, color_error, color_hex, is_valid_color
from rolecall.settings.edits import set_display, set_theme, toggle_favorite
from rolecall.settings.model import (
    DEFAULT_CRITICAL_SECONDS,
    DEFAULT_EXPIRY_WARNING_SECONDS,
    DEFAULT_REFRESH_MARGIN_SECONDS,
    DEFAULT_THEME,
    DEFAULT_WARN_SECONDS,
    FILE_NAME,
    Settings,
    SettingsError,
    settings_path,
)
from rolecall.settings.reading import load_settings
from rolecall.settings.writing import save_settings

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
