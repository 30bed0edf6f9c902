"""``rolecall prompt``: the segment, its colours per shell, and what it costs to import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from rolecall.core.cache import parse_expiration
from rolecall.core.prompt import expiry_epoch, segment


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "rolecall", "prompt", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )


def in_minutes(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28T05:33:55Z",
        "2026-11-28T05:33:55.123456Z",
        "2026-11-28T05:33:55+00:00",
        "2026-11-28T07:33:55+02:00",
        "2026-11-28T00:33:55-0500",
        "2026-11-28T05:33:55UTC",
        "2024-02-29T23:59:59Z",
        "1999-12-31T00:00:00Z",
    ],
)
def test_expiry_matches_the_cache_reader(text: str) -> None:
    """The prompt's date reading (no datetime import) agrees with the cache's."""
    parsed = parse_expiration(text)
    assert parsed is not None
    assert expiry_epoch(text) == parsed.timestamp()


@pytest.mark.parametrize("text", ["", "soon", "2026-13-01T00:00:00Z", "2026-11-28"])
def test_not_an_expiry(text: str) -> None:
    assert expiry_epoch(text) is None


def test_segment_colours_follow_the_time_left() -> None:
    now = 1_000_000.0

    def at(seconds: float, shell: str = "fish") -> str:
        when = datetime.fromtimestamp(now + seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return segment({"ROLECALL_PROFILE": "dev", "AWS_CREDENTIAL_EXPIRATION": when}, now, shell)

    assert at(3600) == "\x1b[32mdev 1h00m\x1b[0m"
    assert at(900) == "\x1b[33mdev 15m\x1b[0m"
    assert at(299) == "\x1b[31mdev 4m\x1b[0m"
    assert at(-5) == "\x1b[31mdev expired\x1b[0m"
    assert at(3600, "plain") == "dev 1h00m"
    assert at(3600, "zsh") == "%{\x1b[32m%}dev 1h00m%{\x1b[0m%}"


def test_segment_never_passes_a_control_character_or_a_zsh_escape() -> None:
    env = {"ROLECALL_PROFILE": "a\x1b[2Jb%~"}
    assert segment(env, 0.0) == "a?[2Jb%~"
    assert "%%~" in segment(env, 0.0, "zsh")
    assert len(segment({"ROLECALL_PROFILE": "x" * 500}, 0.0)) == 40


def test_prompt_command() -> None:
    out = run(env={"ROLECALL_PROFILE": "dev", "AWS_CREDENTIAL_EXPIRATION": in_minutes(42.5)})
    assert (out.returncode, out.stdout, out.stderr) == (0, "dev 42m", "")
    bash = run("--shell", "bash", env={"ROLECALL_PROFILE": "dev"})
    assert bash.stdout == "\x01\x1b[32m\x02dev\x01\x1b[0m\x02"
    # outside a rolecall session: nothing at all
    outside = run()
    assert (outside.returncode, outside.stdout, outside.stderr) == (0, "", "")


def test_prompt_help_and_mistakes_go_to_argparse() -> None:
    assert "--shell" in run("--help").stdout
    bad = run("--shell", "tcsh")
    assert bad.returncode == 2
    assert bad.stderr.startswith("rolecall: prompt: argument --shell: invalid choice: 'tcsh'")
    assert len(bad.stderr.splitlines()) == 1


def test_prompt_reads_no_file_and_imports_little(tmp_path: object) -> None:
    """No argparse, no date or JSON library, no settings, no AWS file reader."""
    probe = (
        "import sys, json as _j\n"
        "before = set(sys.modules)\n"
        "from rolecall.cli import main\n"
        "code = main(['prompt'])\n"
        "new = sorted(set(sys.modules) - before)\n"
        "print(_j.dumps(new))\n"
    )
    env = dict(os.environ, ROLECALL_PROFILE="dev")
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout.strip().rsplit("\n", 1)[-1].removeprefix("dev"))
    for heavy in (
        "argparse",
        "datetime",
        "rolecall.settings",
        "rolecall.core.config",
        "rolecall.core.cache",
        "tomllib",
    ):
        assert heavy not in loaded, loaded
