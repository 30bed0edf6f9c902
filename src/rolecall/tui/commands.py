"""Command palette entries: "Assume X" and "Shell in X" for every profile.

The provider reads the profiles of the screen the palette was opened on (a
:class:`~rolecall.tui.screens.main.MainScreen`) and acts through that screen's
``actions``, so it never imports the app.  Over a modal it offers nothing.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from rolecall.tui.model import clean, compile_query
from rolecall.tui.screens.main import MainScreen

if TYPE_CHECKING:
    from rolecall.tui.jobs import Purpose

__all__ = ["ProfileCommands"]

VERBS: tuple[tuple[str, Purpose], ...] = (("Assume", "assume"), ("Shell in", "shell"))
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


class ProfileCommands(Provider):
    """One command per profile and verb; cheap at 10,000 profiles (pre-filtered by regex)."""

    def _main(self) -> MainScreen | None:
        """The screen the palette was opened on, if it is the main one."""
        screen = self.screen
        return screen if isinstance(screen, MainScreen) else None

    async def search(self, query: str) -> Hits:
        main = self._main()
        if main is None:
            return
        matcher = self.matcher(query)
        patterns = compile_query(query)
        found = 0
        for verb, purpose in VERBS:
            for name, label in main.profile_labels():
                candidate = f"{verb} {label}"
                lowered = candidate.lower()
                if not all(p.search(lowered) for p in patterns):
                    continue
                score = matcher.match(candidate)
                if score <= 0:
                    continue
                yield Hit(
                    score,
                    highlight(matcher, candidate),
                    partial(main.actions.request, name, purpose),
                    text=candidate,
                    help=f"{verb} profile {clean(name)}" if label != name else None,
                )
                found += 1
                if found >= MAX_HITS:
                    return

    async def discover(self) -> Hits:
        main = self._main()
        if main is None:
            return
        for name, label in main.profile_labels(favorites_first=True)[:10]:
            for verb, purpose in VERBS:
                yield DiscoveryHit(
                    Content(f"{verb} {label}"),
                    partial(main.actions.request, name, purpose),
                    text=f"{verb} {label}",
                )
