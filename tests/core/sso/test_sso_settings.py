"""The ``[sso]`` settings: how long a discovery of accounts and roles is cached."""

from __future__ import annotations

from pathlib import Path

import pytest

from rolecall.settings import Settings, load_settings, save_settings
from rolecall.settings.model import DEFAULT_SSO_DISCOVERY_TTL


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return str(path)


def test_default_is_an_hour(tmp_path: Path) -> None:
    assert load_settings(str(tmp_path / "missing.toml")).sso_discovery_ttl == 3600
    assert DEFAULT_SSO_DISCOVERY_TTL == 3600


@pytest.mark.parametrize("value", [0, 60, 86400])
def test_read(tmp_path: Path, value: int) -> None:
    settings = load_settings(write(tmp_path, f"[sso]\ndiscovery_ttl_seconds = {value}\n"))
    assert settings.sso_discovery_ttl == value and settings.errors == []


@pytest.mark.parametrize("value", ["-1", '"1h"', "1.5", "true"])
def test_a_bad_value_is_one_message_and_the_default(tmp_path: Path, value: str) -> None:
    settings = load_settings(write(tmp_path, f"[sso]\ndiscovery_ttl_seconds = {value}\n"))
    assert settings.sso_discovery_ttl == 3600
    assert len(settings.errors) == 1
    assert "sso.discovery_ttl_seconds must be an integer >= 0" in settings.errors[0]


def test_an_unknown_key_is_reported(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[sso]\ndiscovery_ttl = 5\n"))
    assert any("sso.discovery_ttl" in e for e in settings.errors)


def test_saved_in_its_table_keeping_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, '# mine\ntheme = "nord"\n')
    settings = load_settings(path)
    settings.sso_discovery_ttl = 120
    save_settings(settings)
    text = Path(path).read_text()
    assert text.startswith('# mine\ntheme = "nord"\n')
    assert "[sso]\ndiscovery_ttl_seconds = 120\n" in text
    assert load_settings(path).sso_discovery_ttl == 120


def test_a_negative_value_is_not_saved(tmp_path: Path) -> None:
    from rolecall.settings import SettingsError

    settings = Settings(path=str(tmp_path / "config.toml"))
    settings.sso_discovery_ttl = -5
    with pytest.raises(SettingsError, match="sso.discovery_ttl_seconds"):
        save_settings(settings)
