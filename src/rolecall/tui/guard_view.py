"""Guarded profiles in the UI: what asks first, what it asks, and the colour bar (pure).

Like the console's "Switch role" colour bar, a guarded profile paints the
header and the table's border in its colour while it is highlighted, or while
credentials assumed for it in this session are live.  Shell, console, export
and re-assume on a guarded profile first ask in a confirm modal
(``screens/guard_confirm.py``), whose default is No.  The rules themselves are
:class:`rolecall.core.guard.GuardRules`, read with the settings.  No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from rolecall.core.guard import GuardRules
from rolecall.settings.colors import color_hex, is_valid_color

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from rolecall.core.profiles import ProfileSet

__all__ = [
    "CONFIRMED",
    "DEFAULT_GUARD_COLOR",
    "QUESTIONS",
    "bar_profile",
    "guard_color",
    "is_guarded",
]

#: What each purpose is about to do, as the confirm modal asks it.  A purpose
#: listed here asks first on a guarded profile (an ``export`` purpose, when the
#: UI has one, belongs here too).
QUESTIONS: dict[str, str] = {
    "shell": "Open a shell with its credentials?",
    "console": "Open the AWS console as this role?",
    "reassume": "Assume it again, skipping the cache?",
    "export": "Export its credentials?",
}
#: The purposes that ask first.
CONFIRMED = frozenset(QUESTIONS)
#: A guarded profile's bar when it has no colour of its own (bright red).
DEFAULT_GUARD_COLOR = "#ff0000"


def guard_color(name: str, colors: Mapping[str, str]) -> str:
    """The bar's colour for ``name``: its settings colour, else :data:`DEFAULT_GUARD_COLOR`.

    >>> guard_color("prod", {"prod": "orange1"}), guard_color("x", {})
    ('#ffaf00', '#ff0000')
    """
    color = colors.get(name)
    return color_hex(color) if color and is_valid_color(color) else DEFAULT_GUARD_COLOR


def bar_profile(
    highlighted: str | None,
    sessions: Iterable[tuple[str, datetime]],
    guarded: Callable[[str], bool],
    now: datetime,
) -> str | None:
    """The guarded profile whose colour the bar shows, or None.

    The highlighted one when it is guarded; else, of the guarded profiles
    assumed in this session whose credentials are still live (``sessions``:
    name and expiry), the one that lasts longest.

    >>> from datetime import UTC, datetime, timedelta
    >>> now = datetime(2030, 1, 1, tzinfo=UTC)
    >>> live = [("prod", now + timedelta(minutes=5)), ("dev", now + timedelta(hours=1))]
    >>> is_prod = lambda name: name == "prod"
    >>> bar_profile("prod", [], is_prod, now), bar_profile("dev", live, is_prod, now)
    ('prod', 'prod')
    >>> bar_profile("dev", [("prod", now - timedelta(seconds=1))], is_prod, now) is None
    True
    """
    if highlighted is not None and guarded(highlighted):
        return highlighted
    best: tuple[datetime, str] | None = None
    for name, expires_at in sessions:
        if expires_at > now and guarded(name) and (best is None or expires_at > best[0]):
            best = (expires_at, name)
    return best[1] if best else None


def is_guarded(rules: GuardRules, profiles: ProfileSet | None, name: str) -> bool:
    """Whether profile ``name`` is guarded (False when it is not in ``profiles``)."""
    profile = profiles.get(name) if profiles is not None else None
    return profile is not None and rules.guards(profile)
