"""The real ``rolecall`` in a pseudo-terminal: keys written in ONE ``write()`` act in order.

A terminal delivers a burst (a paste, ``tmux send-keys``, a key macro, a fast
typist over SSH) in one read, and the app parses it into keys all at once.  Each
case writes a movement, ``s``, then a command for the shell and ``exit``, all in
one write: the shell (a real bash, as ``$SHELL``) must run in the profile the
movement left, and get the command typed after ``s`` (its type-ahead).  The
profiles are roles assumed through moto, so this is the TUI's real ``s`` path:
STS, the cache, ``App.suspend`` and the subshell.

No sleep decides anything: each step waits (with a generous timeout, for a loaded
machine) for what the previous one must have drawn.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
from tests.moto_fixtures import StsProxy

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

SIZE = (140, 40)
TIMEOUT = 90
#: base (static keys) then p00..p04: fewer rows than a page at any size from 80x24
PROFILES = ["base", "p00", "p01", "p02", "p03", "p04"]
#: what a terminal sends for each key
KEYS = {
    "j": "j",
    "k": "k",
    "g": "g",
    "G": "G",
    "down": "\x1b[B",
    "up": "\x1b[A",
    "pagedown": "\x1b[6~",
    "pageup": "\x1b[5~",
    "home": "\x1b[H",
    "end": "\x1b[F",
    "ctrl+f": "\x06",
    "ctrl+b": "\x02",
}
#: (keys before ``s``, the profile they leave the cursor on); each starts from the
#: top or the bottom (g, G), and moves away from where ``s`` would act if overtaken
CASES = [
    (("g", "j"), "p00"),
    (("g", "down"), "p00"),
    (("G", "k"), "p03"),
    (("G", "up"), "p03"),
    (("g", "pagedown"), "p04"),
    (("G", "pageup"), "base"),
    (("g", "ctrl+f"), "p04"),
    (("G", "ctrl+b"), "base"),
    (("G", "home"), "base"),
    (("G", "g"), "base"),
    (("g", "end"), "p04"),
    (("g", "G"), "p04"),
    (("g", "j", "j", "k"), "p00"),  # the session of p00 is reused: the shell opens at once
]
COMMAND = 'echo "P=$ROLECALL_PROFILE"\rexit\r'


def _files(home: Path) -> None:
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    (aws / "config").write_text(
        "[profile base]\nregion = us-east-1\n\n"
        + "".join(
            f"[profile {name}]\nrole_arn = arn:aws:iam::{100000000000 + i}:role/R{i}\n"
            "source_profile = base\n\n"
            for i, name in enumerate(PROFILES[1:])
        )
    )
    credentials = aws / "credentials"
    credentials.write_text(
        "[base]\naws_access_key_id = AKIAEXAMPLEBASE00001\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    credentials.chmod(0o600)


def _spawn(home: Path) -> Any:
    env = dict(
        os.environ,
        TERM="xterm-256color",
        COLUMNS=str(SIZE[0]),
        LINES=str(SIZE[1]),
        SHELL=shutil.which("bash") or "bash",
        HISTFILE=str(home / ".bash_history"),
        PS1="$ ",
    )
    return pexpect.spawn(
        sys.executable,
        ["-m", "rolecall"],
        env=env,
        cwd=str(home),
        dimensions=(SIZE[1], SIZE[0]),
        encoding="utf-8",
        codec_errors="replace",
        timeout=TIMEOUT,
    )


def _assumed(proxy: StsProxy) -> list[str]:
    return [r.params.get("RoleArn", "") for r in proxy.calls("AssumeRole")]


def test_keys_written_in_one_write_act_in_order(
    isolated_env: Path, sts_endpoint: str, sts_proxy: StsProxy
) -> None:
    _files(isolated_env)
    child = _spawn(isolated_env)
    child.logfile_read = seen = io.StringIO()
    try:
        # written before the app has drawn anything: the keys wait for its screen
        child.send("j" + "s" + COMMAND)
        # (issue 9 §5: the same lines as `rolecall shell`, before the prompt and on exit)
        child.expect(r"rolecall: starting \S+ for p00 \(credentials [^)]+\); type `exit` to leave")
        child.expect(r"P=([\w-]+)\r?\n")
        assert child.match.group(1) == "p00"
        child.expect("rolecall: left the p00 shell")
        child.expect("shell exited with code 0")
        assert _assumed(sts_proxy) == ["arn:aws:iam::100000000000:role/R0"]

        # Down Enter at once (from p02): the row below (p03) is assumed, and nothing else
        child.send("Gkk" + KEYS["down"] + "\r")
        child.expect("assumed-role/R3/")  # the result, in the status panel
        assert _assumed(sts_proxy) == [f"arn:aws:iam::10000000000{i}:role/R{i}" for i in (0, 3)]

        for keys, profile in CASES:
            child.send("".join(KEYS[k] for k in keys) + "s" + COMMAND)
            child.expect(r"P=([\w-]+)\r?\n")
            assert child.match.group(1) == profile, (keys, child.match.group(1))
            child.expect("shell exited with code 0")  # the app is back, reading keys

        # each role was assumed once (then served by the session or the cache)
        assert sorted(_assumed(sts_proxy)) == sorted(
            {f"arn:aws:iam::{100000000000 + i}:role/R{i}" for i in (0, 3, 4)}
        )
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before
    # the commands typed for the shells never acted on the table (the `o` of "echo"
    # would have sorted it, its Enter assumed a profile)
    assert "sorted by name" in seen.getvalue()
    assert "sorted by time left" not in seen.getvalue()
