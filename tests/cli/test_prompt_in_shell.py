"""``rolecall_prompt`` of ``rolecall shell-init``: bash, zsh and fish work the segment out
themselves for a plain name and a UTC expiration, and print what ``rolecall prompt``
prints; for anything else they ask rolecall."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rolecall.cli.shell_hooks import hook_command
from rolecall.core.prompt import segment
from rolecall.core.shell_prompt import render_prompt

SHELLS = ("bash", "zsh", "fish")
#: Seconds left, around every boundary of the text and the colour.
LEFTS = (-5, 0, 1, 59, 60, 299, 300, 301, 899, 900, 901, 3599, 3600, 3900, 36000, 259200)
#: How the caches and rolecall write an expiration (the shell reads these itself).
FORMATS = (
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S+00:00",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.250Z",
)
#: What the shell hands to rolecall: other zones, odd names, dates that are not dates.
ASKED = (
    ("dev", "2030-01-01T05:00:00+01:00"),
    ("we ird", ""),
    ("x" * 41, ""),
    ("a%b", "2030-01-01T00:00:00Z"),
    ("prod\x1b]0;title\x07", ""),
    ("dev", "2030-13-01T00:00:00Z"),
    ("dev", "soon"),
)


def script(tmp_path: Path, shell: str, hook: tuple[str, ...]) -> Path:
    path = tmp_path / f"prompt.{shell}"
    path.write_text(render_prompt(shell, hook))
    return path


def call(shell: str, init: Path, name: str, expiration: str) -> tuple[str, set[str]]:
    """What ``rolecall_prompt`` printed, and every segment that was right while it ran
    (by the shell's clock, which counts whole seconds)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    env["ROLECALL_PROFILE"] = name
    if expiration:
        env["AWS_CREDENTIAL_EXPIRATION"] = expiration
    exe = shutil.which(shell) or shell
    flag = {"bash": "--norc", "zsh": "-f", "fish": "--no-config"}[shell]
    start = time.time()
    out = subprocess.run(
        [exe, flag, "-c", f"source {init}; rolecall_prompt"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    end = time.time()
    assert out.stderr == "", out.stderr
    return out.stdout, {segment(env, t, shell) for t in range(int(start), int(end) + 1)}


#: The clock the shells are given (bash: EPOCHSECONDS, a plain variable once unset;
#: zsh: EPOCHSECONDS defined before zsh/datetime can define it; fish: a `date` function).
FROZEN = 1_800_000_000
CLOCK = {
    "bash": "unset EPOCHSECONDS; EPOCHSECONDS={now}; source {init}\n",
    "zsh": "EPOCHSECONDS={now}; source {init}\n",
    "fish": "function date; echo {now}; end; source {init}\n",
}
SEPARATOR = "\n--\n"


def frozen_calls(shell: str, init: Path, cases: list[tuple[str, str]]) -> list[str]:
    """``rolecall_prompt`` for each (name, expiration), in one ``shell`` whose clock reads
    :data:`FROZEN`."""
    code = CLOCK[shell].format(now=FROZEN, init=init)
    for name, expiration in cases:
        if shell == "fish":
            code += f"set -gx ROLECALL_PROFILE '{name}'; "
            code += (
                f"set -gx AWS_CREDENTIAL_EXPIRATION '{expiration}'; "
                if expiration
                else ("set -e AWS_CREDENTIAL_EXPIRATION; ")
            )
        else:
            code += f"export ROLECALL_PROFILE='{name}'; "
            code += (
                f"export AWS_CREDENTIAL_EXPIRATION='{expiration}'; "
                if expiration
                else ("unset AWS_CREDENTIAL_EXPIRATION; ")
            )
        code += "rolecall_prompt; printf '\\n--\\n'\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    exe = shutil.which(shell) or shell
    flag = {"bash": "--norc", "zsh": "-f", "fish": "--no-config"}[shell]
    out = subprocess.run(
        [exe, flag, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert (out.returncode, out.stderr) == (0, "")
    return out.stdout.split(SEPARATOR)[:-1]


@pytest.mark.parametrize("shell", SHELLS)
def test_the_shell_works_the_segment_out_itself(shell: str, tmp_path: Path) -> None:
    """With a fallback that prints nothing, every segment must come from the shell, and
    be what ``rolecall prompt`` prints at the same moment, at every boundary."""
    if not shutil.which(shell):
        pytest.skip(f"{shell} is not installed")
    init = script(tmp_path, shell, ("true",))
    cases = [("dev", "")]
    for left in LEFTS:
        moment = datetime.fromtimestamp(FROZEN + left, UTC)
        cases += [("team:dev-1", moment.strftime(f)) for f in FORMATS]
    got = frozen_calls(shell, init, cases)
    want = []
    for name, expiration in cases:
        env = {"ROLECALL_PROFILE": name, "AWS_CREDENTIAL_EXPIRATION": expiration}
        want.append(segment(env, FROZEN, shell))
    assert list(zip(cases, got, strict=True)) == list(zip(cases, want, strict=True))


@pytest.mark.parametrize("shell", SHELLS)
def test_the_shell_asks_rolecall_for_the_rest(shell: str, tmp_path: Path) -> None:
    if not shutil.which(shell):
        pytest.skip(f"{shell} is not installed")
    init = script(tmp_path, shell, tuple(hook_command()))
    wrong = []
    for name, expiration in ASKED:
        got, right = call(shell, init, name, expiration)
        if got not in right:
            wrong.append((name, expiration, got, sorted(right)))
    assert wrong == []
    silent = script(tmp_path, shell, ("true",))
    for name, expiration in ASKED:  # (and they are the shell's fallback indeed)
        assert call(shell, silent, name, expiration)[0] == ""


def test_plain_is_for_starship_and_outside_a_session_nothing_runs(tmp_path: Path) -> None:
    """``rolecall_prompt plain`` (the starship module) prints no colour; with no
    ``ROLECALL_PROFILE`` the function prints nothing, with no fallback either."""
    init = script(tmp_path, "bash", ("echo",))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    code = f"source {init}; rolecall_prompt plain; echo; ROLECALL_PROFILE=dev rolecall_prompt plain"
    out = subprocess.run(
        ["bash", "--norc", "-c", code], env=env, capture_output=True, text=True, timeout=30
    )
    assert out.stdout == "\ndev"
    out = subprocess.run(
        ["bash", "--norc", "-c", f"source {init}; ROLECALL_PROFILE='we ird' rolecall_prompt plain"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.stdout == "prompt --shell plain\n"  # (what the fallback was asked)


def test_prompt_only_from_the_command_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    run = [sys.executable, "-m", "rolecall", "shell-init"]
    out = subprocess.run([*run, "zsh", "--prompt-only"], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("# rolecall_prompt:")
    assert "compdef" not in out.stdout and "rc()" not in out.stdout
    bad = subprocess.run(
        [*run, "powershell", "--prompt-only"], env=env, capture_output=True, text=True
    )
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.count("\n") == 1 and "rolecall prompt --shell powershell" in bad.stderr
