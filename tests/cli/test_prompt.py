"""``rolecall prompt``: the segment, its colours per shell, and what it costs to import."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from rolecall.core.cache.timestamps import parse_expiration
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


#: What expiry_epoch reads, as the regular expression it was written with first
#: (the module reads it by hand now: importing ``re`` cost the prompt more than the rest).
SPEC = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?\s*(Z|UTC|GMT|[+-]\d\d:?\d\d)?",
    re.ASCII | re.IGNORECASE,
)


def spec_epoch(text: str) -> float | None:
    m = SPEC.fullmatch(text.strip())
    if m is None:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and s < 62):
        return None
    epoch = (datetime(y, mo, d, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).days * 86400
    epoch += h * 3600 + mi * 60 + s
    zone = (m.group(8) or "Z").upper()
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        offset = int(digits[:2]) * 3600 + int(digits[2:]) * 60
        epoch -= offset if zone[0] == "+" else -offset
    return epoch + float(m.group(7) or 0)


def test_expiry_reading_is_the_regular_expression() -> None:
    """3,000 near-misses and variants, read as the regular expression reads them."""
    import itertools
    import random

    parts = [
        ["", " ", "\x1c", "\t"],
        ["2026-11-28", "2024-02-29", "2026-13-01", "2026-1-28", "\uff12026-11-28", "0001-01-01"],
        ["T", "t", " ", "x", ""],
        ["05:33:55", "23:59:61", "24:00:00", "05:60:00", "05:33:62", "5:33:55", "05:33:5"],
        ["", ".1", ".123456", ".", ".x", ".\u0661"],
        ["", " ", "\t", "\x1c"],
        ["", "Z", "z", "UTC", "utc", "GMT", "+00:00", "-0500", "+05:3", "+05:30", "+5:30"],
        ["", "CET", "Z Z", "0", ":", "\n"],
    ]
    every = list(itertools.product(*parts))
    for pieces in random.Random(12).sample(every, 3000):
        text = "".join(pieces)
        assert expiry_epoch(text) == spec_epoch(text), repr(text)


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


def test_the_prompt_hook_imports_no_re() -> None:
    """`rolecall_prompt` (shell-init) runs the hook: no console script, and neither `re`
    nor the command line's program: the prompt costs little more than the interpreter."""
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from rolecall.cli.shell_hooks import cmd_prompt, quick_shell_args\n"
        "code = cmd_prompt(quick_shell_args(['prompt', '--shell', 'zsh']))\n"
        "heavy = ('re', 'argparse', 'rolecall.cli.program', 'rolecall.cli.output')\n"
        "print('', code, [m for m in heavy if m in set(sys.modules) - before])\n"
    )
    env = dict(os.environ, ROLECALL_PROFILE="dev", AWS_CREDENTIAL_EXPIRATION=in_minutes(90))
    out = subprocess.run(
        [sys.executable, "-P", "-c", probe], env=env, capture_output=True, text=True, timeout=30
    )
    assert out.stdout == "%{\x1b[32m%}dev 1h29m%{\x1b[0m%} 0 []\n", out.stderr
