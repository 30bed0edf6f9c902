"""Every export format of ``rolecall env``, read back by the programs that read it.

Each format is sourced by a real reader (bash for ``sh``/``bash``/``zsh`` and for
dotenv, fish, python-dotenv, Python's json) with hostile values in every
variable: nothing may run (a marker file would appear), and every value must
read back byte for byte.  Values no format can carry safely (a control
character, a line break, U+202E: they would drive the terminal the lines are
printed on), and the quote and backslash that dotenv cannot carry in single
quotes, are refused without being shown.  PowerShell is not installable here:
its quoting is checked as text.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rolecall.core.shell import FORMATS, UnsafeValueError, format_env
from rolecall.core.sts import AssumeResult, Credentials

EXPIRES = datetime(2026, 11, 28, 5, 33, 55, tzinfo=UTC)
#: variables every format sets for these credentials, in the order env_vars gives them
KEYS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
)
#: every variable an export sets: the credentials' and the profile's name (for prompts)
EXPORTED = (*KEYS, "ROLECALL_PROFILE")


def hostile(marker: Path) -> list[str]:
    """Values that run ``touch MARKER`` if any reader interprets them."""
    m = str(marker)
    return [
        f"$(touch {m})",
        f"`touch {m}`",
        f"${{HOME}}$HOME$(touch {m})",
        f'"; touch {m}; echo "',
        f"(touch {m})",
        f"x; touch {m} #",
        f"a b  c\ttab-free {m}".replace("\t", " "),
        "#not a comment",
        "!! !$ %PATH% $env:HOME ${env:HOME} @(1) $$",
        "caf\u00e9 \u4e2d\u6587 \U0001f600",
        "ends with a dollar $",
        "{a,b} *.json ~ ~root [ab]",
        "=leading=equals=",
        "  spaces around  ",
    ]


#: values that may not be exported at all: they drive the terminal, or no dotenv reader takes them
UNPRINTABLE = ["line\nbreak", "esc\x1b]52;c;eA==\x07", "bidi\u202etxt", "nul-free\x7f", "cr\r"]
QUOTES = ["it's", "back\\slash", "\\'both'\\"]


def result(value: str, region: str | None = None) -> AssumeResult:
    """Credentials whose every variable holds ``value`` (the region too, unless given)."""
    creds = Credentials(value, value, value, EXPIRES)
    res = AssumeResult("p", creds, None, None, EXPIRES, False, region or value)
    return res


def expected(value: str) -> dict[str, str]:
    out = dict.fromkeys(KEYS, value)
    out["AWS_CREDENTIAL_EXPIRATION"] = "2026-11-28T05:33:55Z"
    out["ROLECALL_PROFILE"] = "p"
    return out


ENV_PROBE = (
    "import json, os; print(json.dumps({k: v for k, v in os.environ.items() "
    "if k.startswith(('AWS_', 'ROLECALL_'))}))"
)


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    env["HOME"] = str(tmp_path)
    return env


def _read_back(shell: list[str], script: str, tmp_path: Path) -> dict[str, str]:
    proc = subprocess.run(
        [*shell, script],
        capture_output=True,
        text=True,
        env=_clean_env(tmp_path),
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    data: dict[str, str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return data


def _source_sh(text: str, tmp_path: Path, shell: str = "bash") -> dict[str, str]:
    path = tmp_path / "exports.sh"
    path.write_text(text, encoding="utf-8")
    return _read_back([shell, "-c"], f'. "{path}"\n"{sys.executable}" -c "{ENV_PROBE}"', tmp_path)


def _source_fish(text: str, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "exports.fish"
    path.write_text(text, encoding="utf-8")
    return _read_back(
        ["fish", "--no-config", "-c"],
        f"source '{path}'; '{sys.executable}' -c \"{ENV_PROBE}\"",
        tmp_path,
    )


def _dotenv_by_bash(text: str, tmp_path: Path) -> dict[str, str]:
    """``set -a; source .env``: how shell users load a dotenv file."""
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return _read_back(
        ["bash", "-c"], f'set -a; . "{path}"; set +a\n"{sys.executable}" -c "{ENV_PROBE}"', tmp_path
    )


def _dotenv_by_python(text: str) -> dict[str, str]:
    from dotenv import dotenv_values

    values = dotenv_values(stream=io.StringIO(text), interpolate=True)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "pwned"


def test_every_format_is_tested_here() -> None:
    assert set(FORMATS) == {"sh", "bash", "zsh", "fish", "powershell", "dotenv", "json"}


@pytest.mark.parametrize("fmt", ["sh", "bash", "zsh"])
def test_sh_sourced_by_bash_reads_back_byte_for_byte(
    fmt: str, tmp_path: Path, marker: Path
) -> None:
    for value in hostile(marker):
        assert _source_sh(format_env(result(value), fmt), tmp_path) == expected(value), value
    assert not marker.exists()


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_format_sourced_by_zsh(tmp_path: Path, marker: Path) -> None:
    for value in hostile(marker):
        got = _source_sh(format_env(result(value), "zsh"), tmp_path, shell="zsh")
        assert got == expected(value), value
    assert not marker.exists()


@pytest.mark.skipif(
    shutil.which("fish") is None, reason="fish is not installed (.ci/run installs it)"
)
def test_fish_sourced_by_fish_reads_back_byte_for_byte(tmp_path: Path, marker: Path) -> None:
    for value in hostile(marker):
        got = _source_fish(format_env(result(value), "fish"), tmp_path)
        assert got == expected(value), value
    # the quote and the backslash, which fish escapes inside its single quotes
    for value in QUOTES:
        assert _source_fish(format_env(result(value), "fish"), tmp_path) == expected(value)
    assert not marker.exists()


def test_sh_carries_quotes_and_backslashes(tmp_path: Path) -> None:
    for value in QUOTES:
        assert _source_sh(format_env(result(value), "sh"), tmp_path) == expected(value)


def test_dotenv_is_single_quoted_and_read_back_by_bash_and_python_dotenv(
    tmp_path: Path, marker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # python-dotenv expands ${VAR}, even in single quotes: give it something to expand
    monkeypatch.setenv("HOME", "/home/somebody")
    for value in hostile(marker):
        if "$" in value:
            with pytest.raises(UnsafeValueError):
                format_env(result(value), "dotenv")
            continue
        text = format_env(result(value), "dotenv")
        for line in text.splitlines():
            key, _, quoted = line.partition("=")
            assert key in EXPORTED and quoted.startswith("'") and quoted.endswith("'"), line
        assert _dotenv_by_bash(text, tmp_path) == expected(value), value
        assert _dotenv_by_python(text) == expected(value), value
    assert not marker.exists()


def test_python_dotenv_expands_inside_single_quotes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why dotenv refuses a $: single quotes do not stop python-dotenv's ${VAR}."""
    monkeypatch.setenv("ROLECALL_PROBE", "expanded")
    assert _dotenv_by_python("K='${ROLECALL_PROBE}'\n") == {"K": "expanded"}


@pytest.mark.parametrize("value", [*QUOTES, "${HOME}", "$(id)", "cost $5"])
def test_dotenv_refuses_a_dollar_a_quote_or_a_backslash(value: str) -> None:
    with pytest.raises(UnsafeValueError) as info:
        format_env(result(value), "dotenv")
    assert value not in str(info.value)


def test_json_reads_back(marker: Path) -> None:
    for value in [*hostile(marker), *QUOTES]:
        text = format_env(result(value), "json")
        assert text.isascii()
        assert json.loads(text) == expected(value)


def test_powershell_single_quotes_double_the_quote() -> None:
    text = format_env(result("it's $(x) `n"), "powershell")
    assert "$Env:AWS_SESSION_TOKEN = 'it''s $(x) `n'" in text.splitlines()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("value", UNPRINTABLE)
def test_values_that_would_drive_the_terminal_are_refused(fmt: str, value: str) -> None:
    with pytest.raises(UnsafeValueError) as info:
        format_env(result("AKIAEXAMPLE", region=value), fmt)
    assert value not in str(info.value) and "AWS_REGION" in str(info.value)


def test_real_credentials_unchanged_in_every_format(tmp_path: Path) -> None:
    """What AWS issues (base64, A-Z0-9) is printed in every format and reads back."""
    token = "FwoGZXIvYXdzEBYaDH+/abc=="
    res = AssumeResult(
        "p",
        Credentials("ASIAEXAMPLE000000001", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token),
        None,
        None,
        EXPIRES,
        False,
        "eu-west-1",
    )
    want = {
        "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE000000001",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "AWS_SESSION_TOKEN": token,
        "AWS_CREDENTIAL_EXPIRATION": "2026-11-28T05:33:55Z",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "ROLECALL_PROFILE": "p",
    }
    assert _source_sh(format_env(res, "sh"), tmp_path) == want
    assert _dotenv_by_python(format_env(res, "dotenv")) == want
    assert _dotenv_by_bash(format_env(res, "dotenv"), tmp_path) == want
    if shutil.which("fish"):
        assert _source_fish(format_env(res, "fish"), tmp_path) == want


def test_sh_always_single_quotes() -> None:
    """zsh expands a bare word that starts with ``=``: nothing is left bare."""
    lines = format_env(result("=ls"), "zsh").splitlines()
    assert "export AWS_ACCESS_KEY_ID='=ls'" in lines
    assert "export AWS_CREDENTIAL_EXPIRATION='2026-11-28T05:33:55Z'" in lines
