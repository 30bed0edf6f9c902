"""The footer: Textual's, except that the keys that do not fit are left out, never Help.

Textual lays the keys out in one line and clips the end: at 80 columns the main
screen's ``? Help`` and ``q Quit`` fell off.  Here the keys are declared in order
of priority (the screen's ``BINDINGS``); when they do not fit, the last ones are
left out, and the keys of :data:`KEEP` always stay (the help lists every key).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.dom import NoScreen
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["KEEP", "KeyFooter", "key_width"]

#: the actions whose keys are always shown
KEEP = frozenset({"app.help", "help", "app.quit", "quit", "app.command_palette", "command_palette"})


def key_width(key: FooterKey) -> int:
    """The cells a key takes in a footer that is not compact (Textual's paddings)."""
    if key.has_class("-command-palette"):
        return len(key.key_display) + len(key.description) + 5  # border, paddings
    return len(key.key_display) + 2 + (len(key.description) + 1 if key.description else 0)


def fitting(keys: list[FooterKey], width: int) -> list[FooterKey]:
    """The keys to show in ``width`` cells: the last ones go first, never those of KEEP."""
    shown = list(keys)
    while shown and sum(map(key_width, shown)) > width:
        droppable = [k for k in shown if k.action not in KEEP]
        if not droppable:
            break
        shown.remove(droppable[-1])
    return shown


class KeyFooter(Footer):
    """A footer that drops the lowest-priority keys, never Help and Quit."""

    def compose(self) -> ComposeResult:
        widgets: Iterable[Widget] = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey)]
        width = self.size.width or self.app.size.width
        keep = set(map(id, fitting(keys, width))) if len(keys) == len(list(widgets)) else None
        for widget in widgets:
            if keep is None or id(widget) in keep:
                yield widget

    _laid_out_for = 0
    #: what the keys now shown were composed from (:meth:`_composition`)
    _composed: tuple[object, ...] | None = None

    def _composition(self) -> tuple[object, ...]:
        """What :meth:`compose` makes the keys from: the width and the screen's bindings
        as the footer shows them."""
        if not self._bindings_ready:
            return ()
        try:
            bindings = self.screen.active_bindings
        except NoScreen:  # (being removed: compose as Textual would)
            return (None,)
        shown = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_, binding, enabled, tooltip) in bindings.values()
            if binding.show
        )
        return (self.size.width or self.app.size.width, self.compact, shown)

    async def recompose(self) -> None:
        """Compose again only when the keys would change: Textual asks at every change
        of focus and bindings, and a new set of keys costs a restyle of each (most of
        what a start of the UI spent in the footer)."""
        composition = self._composition()
        if composition == self._composed:
            return
        self._composed = composition
        await super().recompose()

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._laid_out_for:
            self._laid_out_for = event.size.width
            self.call_after_refresh(self.recompose)
