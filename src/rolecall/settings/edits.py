"""The UI's one-call changes: each updates the settings and saves them.

A refused value (a colour that is not one, a display name of two lines) raises
``ValueError`` before anything changes; a file that cannot be written raises
:class:`~rolecall.settings.SettingsError` or ``OSError`` (see ``writing.py``).
"""

from __future__ import annotations

from rolecall.settings.colors import color_error, normalize_color
from rolecall.settings.model import CONTROL_RE, Settings
from rolecall.settings.writing import save_settings

__all__ = ["set_display", "set_theme", "toggle_favorite"]


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
    if display_name and CONTROL_RE.search(display_name):
        raise ValueError(f"display name {display_name!r} must be one line of text")
    if display_name:
        settings.display_names[name] = display_name
    else:
        settings.display_names.pop(name, None)
    if color:
        settings.colors[name] = normalize_color(color)
    else:
        settings.colors.pop(name, None)
    save_settings(settings)


def set_theme(settings: Settings, theme: str) -> None:
    """Set the Textual theme name and save."""
    if not theme or not theme.strip() or CONTROL_RE.search(theme):
        raise ValueError(f"theme {theme!r} must be a non-empty theme name")
    settings.theme = theme.strip()
    save_settings(settings)
