"""Writing the settings file: only what changed, edited in place with tomlkit.

Saving re-reads the file and edits only the keys whose value changed since the
settings were read, so the user's comments, key order and formatting are kept,
and so are changes another process made to other keys meanwhile.  The write is
atomic (file 0600, directory 0700) and is redone when the file changed between
the read and the write.  A file that is not valid TOML is never replaced.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from typing import Any

import tomlkit

from rolecall.core.fsutil import FileChangedError, atomic_write, ensure_private_dir
from rolecall.core.limits import MAX_DURATION, MIN_DURATION, duration_in_range
from rolecall.core.regular_file import read_regular
from rolecall.settings.colors import color_error, is_valid_color
from rolecall.settings.model import (
    CONTROL_RE,
    MAX_REFRESH_MARGIN,
    MIN_REFRESH_MARGIN,
    PROFILE_KEYS,
    SCALARS,
    SESSION_NAME_RE,
    Settings,
    SettingsError,
    is_int,
    shown,
    snapshot,
    toml_key,
)
from rolecall.settings.reading import MAX_SETTINGS_BYTES

__all__ = ["save_settings"]


def _check(settings: Settings, changed: set[str]) -> list[str]:
    """Problems with the values about to be written (only the changed ones)."""
    out: list[str] = []
    s = settings
    if "theme" in changed and (
        not isinstance(s.theme, str) or not s.theme.strip() or CONTROL_RE.search(s.theme)
    ):
        out.append(f"theme must be a non-empty string, got {s.theme!r}")
    session = s.default_session_name
    if (
        "default_session_name" in changed
        and session is not None
        and not (isinstance(session, str) and SESSION_NAME_RE.fullmatch(session))
    ):
        out.append(
            "defaults.session_name must be 2 to 64 characters of letters, digits and "
            f"+=,.@_-, got {session!r}"
        )
    duration = s.default_duration
    if (
        "default_duration" in changed
        and duration is not None
        and not (is_int(duration) and duration_in_range(duration))
    ):
        out.append(
            f"defaults.duration_seconds must be an integer from {MIN_DURATION} to "
            f"{MAX_DURATION}, got {s.default_duration!r}"
        )
    for attr in ("warn_seconds", "critical_seconds", "expiry_warning_seconds"):
        value = getattr(s, attr)
        if attr in changed and (not is_int(value) or value <= 0):
            out.append(f"{'.'.join(SCALARS[attr][0])} must be a positive integer, got {value!r}")
    ttl = s.sso_discovery_ttl
    if "sso_discovery_ttl" in changed and (not is_int(ttl) or ttl < 0):
        out.append(f"sso.discovery_ttl_seconds must be an integer >= 0, got {ttl!r}")
    if {"warn_seconds", "critical_seconds"} & changed and s.critical_seconds > s.warn_seconds:
        out.append(
            f"thresholds.critical_seconds ({s.critical_seconds}) must not be larger than "
            f"thresholds.warn_seconds ({s.warn_seconds})"
        )
    margin = s.refresh_margin
    if "refresh_margin" in changed and not (
        is_int(margin) and MIN_REFRESH_MARGIN <= margin <= MAX_REFRESH_MARGIN
    ):
        out.append(
            f"sessions.refresh_margin_seconds must be an integer from {MIN_REFRESH_MARGIN} "
            f"to {MAX_REFRESH_MARGIN}, got {margin!r}"
        )
    for attr in ("notify_expiry", "notify_assume", "env_keys", "keep_fresh", "prompt_marker"):
        if attr in changed and not isinstance(getattr(s, attr), bool):
            out.append(f"{'.'.join(SCALARS[attr][0])} must be true or false")
    if "favorites" in changed:
        for item in s.favorites:
            if not isinstance(item, str) or not item:
                out.append(f"favorites must hold profile names, got {item!r}")
    if "profiles" in changed:
        for name, value in s.display_names.items():
            if not isinstance(value, str) or not value.strip() or CONTROL_RE.search(value):
                out.append(
                    f"{toml_key('profiles', name, 'display_name')} must be a non-empty one-line "
                    f"string, got {value!r}"
                )
        for name, value in s.colors.items():
            if not is_valid_color(value):
                out.append(f"{toml_key('profiles', name, 'color')}: {color_error(value)}")
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
    old_set, new_set = set(old), set(new)  # (sets: linear in 40,000 favourites)
    added = [f for f in new if f not in old_set]
    removed = {f for f in old if f not in new_set}
    if isinstance(current, list) and (added or removed):
        # Edit the array in place: keeps its layout and comments, and any entry
        # another process added since this one read the file.
        if removed:
            for i in range(len(current) - 1, -1, -1):
                if current[i] in removed:
                    del current[i]
        present = {str(item) for item in current}
        for name in added:
            if name not in present:
                current.append(name)
                present.add(name)
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
    for attr, (path, _default) in SCALARS.items():
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
            for key in PROFILE_KEYS
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
    out = {attr for attr in SCALARS if new[attr] != old[attr]}
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
    new = snapshot(settings)
    old = settings._baseline
    changed = _changed(old, new)
    if not changed:
        return
    problems = _check(settings, changed)
    if problems:
        raise SettingsError(f"{shown(settings.path)}: " + "; ".join(problems))
    path = settings.path
    for _attempt in range(5):
        before = read_regular(path, MAX_SETTINGS_BYTES) or b""
        if len(before) > MAX_SETTINGS_BYTES:
            raise SettingsError(
                f"{shown(path)} is larger than {MAX_SETTINGS_BYTES // (1024 * 1024)} MiB; "
                "nothing was written"
            )
        try:
            doc = tomlkit.parse(before.decode("utf-8"))
        except (UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
            raise SettingsError(
                f"{shown(path)} is not valid TOML ({exc}); fix it by hand, nothing was written"
            ) from None
        except RecursionError:
            raise SettingsError(
                f"{shown(path)} is nested too deeply to edit; fix it by hand, nothing was written"
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
        raise SettingsError(f"{shown(path)} keeps changing on disk; nothing was written")
    settings._baseline = new
