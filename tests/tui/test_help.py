"""The help screen lists every key the main screen shows (issue 13 §3: keys declared once)."""

from __future__ import annotations

from collections import Counter

from textual.binding import Binding, BindingType

from rolecall.tui.app import RolecallApp
from rolecall.tui.screens.help import KEYS
from rolecall.tui.screens.main import MainScreen
from rolecall.tui.widgets.profile_table import ProfileTable

#: how help.py writes a key
SHOWN_AS = {"enter": "Enter", "slash": "/", "question_mark": "?", "escape": "Esc"}


def _bindings(owner: type) -> list[Binding]:
    items: list[BindingType] = list(owner.__dict__.get("BINDINGS", []))
    out: list[Binding] = []
    for item in items:
        binding = item if isinstance(item, Binding) else Binding(*item)
        out.extend(binding.make_bindings([binding]))
    return out


def _help_keys() -> set[str]:
    return {token for keys, _ in KEYS for token in keys.split()}


def _shown(key: str) -> str:
    if key.startswith("ctrl+"):
        return "Ctrl+" + key[5:].upper()
    return SHOWN_AS.get(key, key)


def test_every_shown_binding_has_a_line_in_the_help() -> None:
    shown = [
        b for owner in (RolecallApp, MainScreen, ProfileTable) for b in _bindings(owner) if b.show
    ]
    assert shown, "no bindings found"
    keys = [*(b.key for b in shown), RolecallApp.COMMAND_PALETTE_BINDING]
    missing = [k for k in keys if _shown(k) not in _help_keys()]
    assert not missing, f"keys shown in the footer but not in the help: {missing}"


def test_each_key_is_declared_once_on_the_main_screen() -> None:
    keys = Counter(
        b.key for owner in (RolecallApp, MainScreen, ProfileTable) for b in _bindings(owner)
    )
    assert [k for k, n in keys.items() if n > 1] == []


def test_the_help_names_no_key_that_is_not_bound() -> None:
    bound = {
        _shown(b.key) for owner in (RolecallApp, MainScreen, ProfileTable) for b in _bindings(owner)
    } | {"Ctrl+P", "↑", "↓", "Tab"}  # (Tab: every screen's focus_next)
    listed = {keys.split()[0] for keys, _ in KEYS}
    assert listed <= bound, listed - bound


def test_the_help_names_both_quit_keys_beside_q() -> None:
    """issue 9 §5: Ctrl+C quits from the main screen (as in k9s and lazygit), Ctrl+Q stays."""
    quit_line = dict(KEYS)["q"]
    assert "Ctrl+C" in quit_line and "Ctrl+Q" in quit_line
    keys = {b.key: b.action for b in _bindings(MainScreen)}
    assert keys["ctrl+c"] == keys["q"] == "app.quit"
