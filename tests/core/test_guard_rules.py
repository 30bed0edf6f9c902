"""Guarded profiles in core and the settings: the rules, reading them (fast and full),
the settings file's place, and the y/N question on a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rolecall.core import guard, locations
from rolecall.core.guard import EMPTY, GuardRules, ask, parse_rules, read_rules, target
from rolecall.core.profiles import load_profiles
from rolecall.settings import load_settings, set_display

CONFIG = """\
[profile base]
aws_access_key_id = AKIAGUARDGUARDGUARD1
aws_secret_access_key = guardSECRET

[profile prod-admin]
role_arn = arn:aws:iam::736190452278:role/Admin
source_profile = base

[profile Staging]
role_arn = arn:aws:iam::123456789012:role/ReadOnly
source_profile = base

[profile dev]
role_arn = arn:aws:iam::318457902611:role/Developer
source_profile = base

[profile sso-prod]
sso_session = corp
sso_account_id = 999999999999
sso_role_name = PowerUser

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
"""


@pytest.fixture
def aws_config() -> str:
    return CONFIG


@pytest.mark.parametrize(
    ("data", "guarded"),
    [
        ({}, set()),
        ({"guard": ["*prod*"]}, {"prod-admin", "sso-prod"}),
        ({"guard": ["*PROD*"]}, {"prod-admin", "sso-prod"}),  # any case
        ({"guard": ["staging"]}, {"Staging"}),
        ({"guard": ["123456789012"]}, {"Staging"}),  # an account ID
        ({"guard": ["9999*"]}, {"sso-prod"}),  # an SSO profile's account, as a glob
        ({"guard": "dev"}, {"dev"}),  # one string is one entry
        ({"guard": True}, {"base", "prod-admin", "Staging", "dev", "sso-prod"}),
        ({"guard": False}, set()),
        ({"profiles": {"dev": {"guard": True}, "base": {"guard": False}}}, {"dev"}),
        ({"guard": ["dev"], "profiles": {"dev": {"guard": False}}}, {"dev"}),  # either marks
    ],
)
def test_rules_decide_what_is_guarded(
    home: Path, data: dict[str, object], guarded: set[str]
) -> None:
    rules, errors = parse_rules(data)
    assert errors == []
    profiles = load_profiles()
    assert {p.name for p in profiles if rules.guards(p)} == guarded
    assert bool(rules) == bool(guarded)


def test_a_wrong_value_is_reported_and_guards() -> None:
    rules, errors = parse_rules(
        {
            "guard": {"a": 1},
            "profiles": {"x": {"guard": "yes"}, "y": "not a table"},
            "guard_credential_process": "maybe",
        }
    )
    assert errors == [
        "guard must be an array of profile names, globs and account IDs (or true), "
        "got a table; guarding every profile",
        "profiles.x.guard must be true or false, got 'yes'; guarding it",
        'guard_credential_process must be "allow" or "refuse", got \'maybe\'; using "allow"',
    ]
    assert rules.reason("anything") is not None and "x" in rules.marked
    assert not rules.refuse_credential_process


def test_reason_says_why() -> None:
    rules = GuardRules(["*prod*", "123456789012"], ["ops"], refuse_credential_process=True)
    assert rules.reason("ops") == "guard = true in its settings"
    assert rules.reason("my-prod-db") == 'its name matches "*prod*"'
    assert rules.reason("x", "123456789012") == 'its account matches "123456789012"'
    assert rules.reason("x", "000000000000") is None
    assert EMPTY.reason("prod") is None and not EMPTY


def test_target_names_the_account_and_role(home: Path) -> None:
    profiles = load_profiles()
    assert target(profiles["prod-admin"]) == "account 736190452278, role Admin"
    assert target(profiles["sso-prod"]) == "account 999999999999, role PowerUser"
    assert target(profiles["base"]) == "account unknown"


# ---------------------------------------------------------------------------
# reading the rules
# ---------------------------------------------------------------------------
def settings_file() -> Path:
    path = Path(locations.settings_file())
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_read_rules_fast_and_full_agree(isolated_env: Path) -> None:
    path = settings_file()
    path.write_text(
        'theme = "nord"\nguard = ["*prod*", "123456789012"]\n'
        'guard_credential_process = "refuse"\n\n'
        '[profiles."ops"]\ncolor = "red"\nguard = true\n'
    )
    fast, errors = read_rules(str(path))
    assert errors == []
    settings = load_settings()
    assert settings.errors == []  # `guard` in a profile's table is a known key
    assert settings.guard_rules == fast
    assert fast.patterns == ("*prod*", "123456789012") and fast.marked == {"ops"}
    assert fast.refuse_credential_process


def test_read_rules_without_guard_parses_nothing(isolated_env: Path) -> None:
    """The hot path: a settings file that never says guard imports no TOML parser."""
    path = settings_file()
    path.write_text('theme = "nord"\nfavorites = ["dev"]\n')
    probe = (
        "import sys, json\n"
        "from rolecall.core.guard import read_rules\n"
        f"rules, errors = read_rules({str(path)!r})\n"
        "print(json.dumps([bool(rules), errors, 'tomllib' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == [False, [], False]


def read_in_a_new_process(path: Path) -> tuple[list[object], bool]:
    """``read_rules(path)`` in a fresh interpreter: (rules and errors, tomllib loaded)."""
    probe = (
        "import sys, json\n"
        "from rolecall.core.guard import read_rules\n"
        f"rules, errors = read_rules({str(path)!r})\n"
        "print(json.dumps([[list(rules.patterns), sorted(rules.marked),"
        " rules.refuse_credential_process, errors], 'tomllib' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    found, parsed = json.loads(out.stdout)
    return found, parsed


def test_parsed_rules_are_kept_for_the_hot_path(isolated_env: Path) -> None:
    path = settings_file()
    path.write_text('guard = ["*prod*", 7]\n[profiles.ops]\nguard = true\n')
    first, parsed = read_in_a_new_process(path)
    assert parsed  # the first read parses the TOML
    kept = path.parent / guard.RULES_CACHE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    again, parsed = read_in_a_new_process(path)
    assert not parsed and again == first  # then the kept rules serve, errors included
    assert first == [
        ["*prod*"],
        ["ops"],
        False,
        ["guard[1] must be a profile name, glob or account ID, got 7; ignoring it"],
    ]
    # a changed file is read again (the same length, one byte different)
    path.write_text(path.read_text().replace("*prod*", "*qrod*"))
    changed, parsed = read_in_a_new_process(path)
    assert parsed and changed[0] == ["*qrod*"]
    # a damaged cache is ignored and written anew
    kept.write_text('{"stamp": "nonsense"')
    assert read_rules(str(path))[0].patterns == ("*qrod*",)
    assert json.loads(kept.read_text())["patterns"] == ["*qrod*"]
    kept.write_text(json.dumps({**json.loads(kept.read_text()), "patterns": [1]}))
    assert read_rules(str(path))[0].patterns == ("*qrod*",)


def test_read_rules_of_a_broken_or_missing_file(isolated_env: Path) -> None:
    path = settings_file()
    assert read_rules(str(path)) == (EMPTY, [])
    path.write_text("guard = [\n")
    rules, errors = read_rules(str(path))
    assert rules == EMPTY
    assert len(errors) == 1 and errors[0].startswith("is not valid TOML")
    assert "no profile is guarded" in errors[0]


def test_settings_report_guard_problems_with_the_file(isolated_env: Path) -> None:
    path = settings_file()
    path.write_text('guard = [""]\n')
    settings = load_settings()
    assert len(settings.errors) == 1
    assert settings.errors[0].endswith(
        "config.toml: guard[0] must be a profile name, glob or account ID, got ''; ignoring it"
    )


def test_saving_other_settings_keeps_the_guard(isolated_env: Path) -> None:
    path = settings_file()
    path.write_text(
        'guard = ["*prod*"]  # production\n\n[profiles."ops"]\n'
        'display_name = "Ops"\ncolor = "red"\nguard = true\n'
    )
    settings = load_settings()
    set_display(settings, "ops", None, None)  # the UI removes the name and the colour
    text = path.read_text()
    assert 'guard = ["*prod*"]  # production' in text and "guard = true" in text
    assert "display_name" not in text
    again = load_settings()
    assert again.guard_rules == settings.guard_rules and again.errors == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the computed path is Linux's")
@pytest.mark.parametrize("xdg", [None, "", "   ", "/tmp/xdg-config", "relative/dir"])
def test_settings_file_agrees_with_platformdirs(
    monkeypatch: pytest.MonkeyPatch, xdg: str | None
) -> None:
    import platformdirs

    monkeypatch.delenv("ROLECALL_CONFIG_DIR")
    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
    expected = os.path.join(platformdirs.user_config_dir("rolecall"), "config.toml")
    assert locations.settings_file() == expected


# ---------------------------------------------------------------------------
# the question, on a real terminal
# ---------------------------------------------------------------------------
def answer_on_pty(answer: bytes) -> tuple[bool | None, bytes]:
    """``ask()`` on a pseudo-terminal whose other end types ``answer``."""
    master, slave = os.openpty()
    path = os.ttyname(slave)
    shown = bytearray()

    def read_question() -> None:
        while b"[y/N] " not in shown:
            shown.extend(os.read(master, 1024))
        if answer:
            os.write(master, answer)
        else:
            os.write(master, b"\x04")  # Ctrl+D: end of input

    reader = threading.Thread(target=read_question, daemon=True)
    reader.start()
    try:
        result = ask("rolecall: prod is guarded.\nGo on? [y/N] ", tty=path)
    finally:
        reader.join(5)
        os.close(slave)
        os.close(master)
    return result, bytes(shown)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(b"y\n", True), (b"YES\n", True), (b"n\n", False), (b"\n", False), (b"yep\n", False),
     (b"", False)],
)  # fmt: skip
def test_ask_on_a_terminal(answer: bytes, expected: bool) -> None:
    result, shown = answer_on_pty(answer)
    assert result is expected
    assert b"Go on? [y/N] " in shown


def test_ask_without_a_terminal() -> None:
    assert ask("Go on? [y/N] ", tty="/nonexistent/tty") is None
    assert guard.ask.__defaults__ == ("/dev/tty",)
