"""Command palette entries: every main-screen action, on any profile.

The provider reads the profiles of the screen the palette was opened on (a
:class:`~rolecall.tui.screens.main.MainScreen`) and acts through that screen's
``actions`` (or its own ``action_*`` methods), so it never imports the app.  Over
a modal it offers nothing.  A profile is found by its display name and by its
real name (``Assume [prod] admin (prod-admin)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from rolecall.tui.model import clean, compile_query
from rolecall.tui.screens.main import MainScreen

if TYPE_CHECKING:
    from rolecall.tui.jobs import Purpose

__all__ = ["ProfileCommands", "profile_commands", "screen_commands"]

#: the verbs that assume a profile first, with their purpose (the main screen's keys)
VERBS: tuple[tuple[str, Purpose], ...] = (
    ("Assume", "assume"),
    ("Shell in", "shell"),
    ("Re-assume (no cache)", "reassume"),
    ("Whoami", "whoami"),
    ("Open the console as", "console"),
)
#: the verbs that act on a profile without assuming it
OTHER_VERBS = (
    "Favourite: pin or unpin",
    "Log out of",
    "Edit in $EDITOR",
    "Copy the role ARN of",
    "Copy the export block of",
    "Add as a profile",
)
#: The palette shows at most this many profile commands for one query.
MAX_HITS = 100


def highlight(matcher: Matcher, candidate: str) -> Content:
    """The candidate as plain content (never markup: ``[prod] admin`` stays literal)."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if score:
        for offset in offsets:
            if not candidate[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def candidate_text(verb: str, name: str, label: str) -> str:
    """What the palette shows and matches: the display name, then the real one.

    >>> candidate_text("Assume", "prod-admin", "[prod] admin")
    'Assume [prod] admin (prod-admin)'
    >>> candidate_text("Assume", "dev", "dev")
    'Assume dev'
    """
    return f"{verb} {label}" if label == name else f"{verb} {label} ({name})"


def profile_commands(main: MainScreen, name: str) -> Iterator[tuple[str, Callable[[], None]]]:
    """(verb, callback) of every action on profile ``name``."""
    for verb, purpose in VERBS:
        yield verb, partial(main.actions.request, name, purpose)
    favourite, logout, edit, arn, exports, add = OTHER_VERBS
    yield favourite, partial(main.actions.toggle_favorite, name)
    yield logout, partial(main.actions.logout, name)
    if main.state.target(name) is not None:  # a discovered SSO role (sso·new): no file yet
        yield add, partial(main.actions.add_discovered, name)
        return
    yield edit, partial(main.actions.edit, name)
    yield arn, partial(main.actions.copy, name)
    yield exports, partial(main.actions.copy, name, export=True)


def screen_commands(main: MainScreen) -> list[tuple[str, Callable[[], None], str]]:
    """(title, callback, help) of the main screen's actions that take no profile."""
    return [
        (
            "Switch role: add a role profile",
            main.action_switch_role,
            "the AWS console's form, from the highlighted profile (n)",
        ),
        ("Sort: by name or by time left", main.action_sort, "o"),
        ("Filter the profiles", main.action_filter, "/"),
        ("Panels: cycle the detail and status panels", main.action_panels, "p"),
    ]


class ProfileCommands(Provider):
    """One command per profile and verb, and the screen's own; cheap at 10,000
    profiles (pre-filtered by regex, at most :data:`MAX_HITS`)."""

    def _main(self) -> MainScreen | None:
        """The screen the palette was opened on, if it is the main one."""
        screen = self.screen
        return screen if isinstance(screen, MainScreen) else None

    async def search(self, query: str) -> Hits:
        main = self._main()
        if main is None:
            return
        matcher = self.matcher(query)
        for title, callback, help_text in screen_commands(main):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlight(matcher, title), callback, text=title, help=help_text)
        patterns = compile_query(query)
        found = 0
        labels = main.profile_labels()
        for verb, _ in [*VERBS, *((v, None) for v in OTHER_VERBS)]:
            for name, label in labels:
                candidate = candidate_text(verb, name, label)
                lowered = candidate.lower()
                if not all(p.search(lowered) for p in patterns):
                    continue
                score = matcher.match(candidate)
                if score <= 0:
                    continue
                action = dict(profile_commands(main, name)).get(verb)
                if action is None:  # (not for this row: Edit on a discovered role)
                    continue
                yield Hit(
                    score,
                    highlight(matcher, candidate),
                    action,
                    text=candidate,
                    help=f"profile {clean(name)}" if label != name else None,
                )
                found += 1
                if found >= MAX_HITS:
                    return

    async def discover(self) -> Hits:
        main = self._main()
        if main is None:
            return
        for title, callback, help_text in screen_commands(main):
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)
        for name, label in main.profile_labels(favorites_first=True)[:10]:
            for verb, callback in list(profile_commands(main, name))[:2]:
                text = candidate_text(verb, name, label)
                yield DiscoveryHit(Content(text), callback, text=text)
