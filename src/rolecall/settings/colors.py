"""The colours a profile may be shown in: Rich's names (and ``#rrggbb``), with their RGB.

Checked against a fixed list rather than Rich itself, so that the settings never
import Rich (the command line reads them too).  Every name here is drawn by the
UI (``tests/tui/test_colors.py`` renders each one); a value that is not one is a
settings problem naming its key and its line (:func:`color_line`), never a
colour dropped in silence.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from typing import Any

__all__ = [
    "COLOR_HEX",
    "COLOR_NAMES",
    "color_error",
    "color_hex",
    "color_line",
    "color_sgr",
    "is_valid_color",
    "normalize_color",
]

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


def normalize_color(value: str) -> str:
    return value.lower()


#: a TOML key: bare, "basic" or 'literal'
_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER_RE = re.compile(rf"\s*\[\s*(?P<key>{_DOTTED})\s*\]\s*(?:#.*)?")
_KEY_RE = re.compile(rf"\s*(?P<key>{_DOTTED})\s*=")
_INLINE_COLOR_RE = re.compile(r"""[{,]\s*(?:color|"color"|'color')\s*=""")


def _path(dotted: str) -> list[str] | None:
    """The parts of a dotted TOML key, as TOML reads them (quotes, escapes), or None.

    >>> _path('profiles."a b".color'), _path("x y")
    (['profiles', 'a b', 'color'], None)
    """
    try:
        node: Any = tomllib.loads(f"{dotted} = 0")
    except tomllib.TOMLDecodeError:
        return None
    parts = []
    while isinstance(node, dict) and len(node) == 1:
        key, node = next(iter(node.items()))
        parts.append(key)
    return parts


def color_line(text: str, profile: str) -> int | None:
    """The line (from 1) that sets ``profiles.PROFILE.color`` in a settings file, or None.

    It finds the key under a ``[profiles.PROFILE]`` header, as a dotted key under
    ``[profiles]`` or at the top, and in an inline table on the profile's line.

    >>> color_line('[profiles."a b"]\\ncolor = "nope"\\n', "a b")
    2
    >>> color_line('[profiles]\\ndev = { color = "x" }\\n', "dev")
    2
    >>> color_line('profiles.dev.color = "x"\\n', "dev"), color_line("", "dev")
    (1, None)
    """
    want = ["profiles", profile, "color"]
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER_RE.fullmatch(line)
        if header:
            table = _path(header.group("key")) or ["\0"]
            continue
        key = _KEY_RE.match(line)
        parts = _path(key.group("key")) if key else None
        if parts is None:
            continue
        full = table + parts
        if full == want or (full == want[:2] and _INLINE_COLOR_RE.search(line)):
            return number
    return None


#: The terminal's own colour numbers for the first sixteen names (SGR 30-37, 90-97).
_ANSI_SGR = {name: str(30 + i if i < 8 else 82 + i) for i, name in enumerate(COLOR_NAMES[:16])}


def color_sgr(value: str) -> str:
    """The SGR parameters (the part of ``ESC [ ... m``) that draw in a valid colour:
    the terminal's own colour for the sixteen ANSI names, 24-bit RGB for the rest.

    >>> color_sgr("red"), color_sgr("bright_blue"), color_sgr("#FF8700")
    ('31', '94', '38;2;255;135;0')
    """
    name = value.lower()
    if name in _ANSI_SGR:
        return _ANSI_SGR[name]
    rgb = color_hex(value)
    return "38;2;" + ";".join(str(int(rgb[i : i + 2], 16)) for i in (1, 3, 5))
