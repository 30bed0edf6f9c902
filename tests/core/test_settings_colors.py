"""A colour the UI cannot draw is a settings problem with its key and its line (issue 9 §3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rolecall.settings import load_settings
from rolecall.settings.colors import color_line

SETTINGS = """\
theme = "textual-dark"

[profiles.dev]
display_name = "dev"
color = "brigth_red"

[profiles."a b"]
color = "orange"

[profiles]
inline = { display_name = "x", color = "nope" }
ok = { color = "bright_red" }
"""


def test_a_bad_colour_names_its_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(SETTINGS)
    settings = load_settings(str(path))
    errors = "\n".join(settings.errors)
    assert f"{path}:5: profiles.dev.color: 'brigth_red' is not a colour" in errors
    assert "did you mean 'bright_red'?" in errors
    # a Textual CSS name that is not one of Rich's (so not drawn the same): refused too
    assert f"{path}:8: profiles.\"a b\".color: 'orange' is not a colour" in errors
    assert f"{path}:11: profiles.inline.color: 'nope'" in errors
    assert settings.colors == {"ok": "bright_red"}
    assert len(settings.errors) == 3, settings.errors


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[profiles.dev]\ncolor = "x"\n', 2),
        ('[profiles . "dev"] # c\n\n  color="x"\n', 3),
        ('[profiles]\ndev.color = "x"\n', 2),
        ('profiles.dev.color = "x"\n', 1),
        ('[profiles.other]\ncolor = "x"\n[profiles.dev]\ncolor = "y"\n', 4),
        ("[profiles.dev]\n'color' = 'x'\n", 2),
        ('[[profiles]]\ncolor = "x"\n', None),
        ('[profiles.dev]\ndisplay_name = "x"\n', None),
    ],
)
def test_color_line(text: str, line: int | None) -> None:
    assert color_line(text, "dev") == line
