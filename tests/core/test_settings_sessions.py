"""``[sessions]`` in rolecall's settings: the endpoint's margin, fixed keys, keep_fresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from rolecall.settings import load_settings, save_settings, settings_path


@pytest.fixture
def cfg() -> Path:
    path = Path(settings_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_the_defaults(cfg: Path) -> None:
    s = load_settings()
    assert (s.refresh_margin, s.env_keys, s.keep_fresh) == (900, False, True)
    assert s.errors == []


def test_values_are_read(cfg: Path) -> None:
    cfg.write_text(
        "[sessions]\nrefresh_margin_seconds = 600\nenv_keys = true\nkeep_fresh = false\n"
    )
    s = load_settings()
    assert (s.refresh_margin, s.env_keys, s.keep_fresh) == (600, True, False)
    assert s.errors == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "refresh_margin_seconds = 30",
            "sessions.refresh_margin_seconds must be an integer from 60 to 3600, got 30; using 900",
        ),
        ("refresh_margin_seconds = 7200", "got 7200; using 900"),
        ("refresh_margin_seconds = true", "got true; using 900"),
        ("env_keys = 1", "sessions.env_keys must be true or false, got 1; using false"),
        ('keep_fresh = "yes"', "sessions.keep_fresh must be true or false, got 'yes'; using true"),
        ("refresh_margin = 600", "sessions.refresh_margin"),
    ],
)
def test_invalid_values_give_the_default_and_one_error(cfg: Path, text: str, message: str) -> None:
    cfg.write_text(f"[sessions]\n{text}\n")
    s = load_settings()
    assert (s.refresh_margin, s.env_keys, s.keep_fresh) == (900, False, True)
    [error] = s.errors
    assert message in error


def test_a_change_is_saved_and_read_back(cfg: Path) -> None:
    cfg.write_text("# mine\n[sessions]\nenv_keys = false  # for now\n")
    s = load_settings()
    s.env_keys = True
    s.refresh_margin = 1200
    save_settings(s)
    text = cfg.read_text()
    assert "# mine" in text and "env_keys = true  # for now" in text
    again = load_settings()
    assert (again.env_keys, again.refresh_margin) == (True, 1200)
