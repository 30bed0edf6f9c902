"""The `rolecall` program's entry point: the parser built for one command, and the
quick exit after `list`."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rolecall import cli
from rolecall.cli import parser as cli_parser
from rolecall.cli import program


def _sub_help(parser: argparse.ArgumentParser, name: str) -> str:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return str(action.choices[name].format_help())
    raise AssertionError("no subcommands")


@pytest.mark.parametrize("name", sorted(cli_parser.COMMAND_NAMES))
def test_parser_for_one_command_equals_the_full_one(name: str) -> None:
    full = cli.build_parser()
    only = cli.build_parser(name)
    assert _sub_help(only, name) == _sub_help(full, name)
    assert only.format_help() == full.format_help()
    # the other commands are listed but carry no options
    other = next(n for n in sorted(cli_parser.COMMAND_NAMES) if n != name)
    assert "--config" in _sub_help(full, other)
    assert "--config" not in _sub_help(only, other)


def test_first_word_picks_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str | None] = []
    real = cli_parser.build_parser

    def spy(only: str | None = None) -> argparse.ArgumentParser:
        seen.append(only)
        return real(only)

    monkeypatch.setattr(cli_parser, "build_parser", spy)
    for argv in (["list"], ["--config", "list", "list"], ["nosuch"], ["--version"]):
        try:
            cli.main(argv)
        except SystemExit:
            pass
    # only a leading command name narrows the parser ("--config list" is a value)
    assert seen == ["list", None, None, None]


def _many_profiles(tmp_path: Path, n: int) -> dict[str, str]:
    cfg = tmp_path / "config"
    cfg.write_text(
        "".join(
            f"[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/R{i}\n"
            f"source_profile = root\n\n"
            for i in range(n)
        )
        + "[profile root]\nregion = eu-west-1\n"
    )
    cred = tmp_path / "credentials"
    cred.write_text("[root]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n")
    return dict(os.environ, AWS_CONFIG_FILE=str(cfg), AWS_SHARED_CREDENTIALS_FILE=str(cred))


def test_list_output_is_whole_through_a_slow_pipe(tmp_path: Path) -> None:
    """The quick exit comes after stdout is flushed: a reader that takes its time
    still gets every byte, and the exit code is list's own."""
    env = _many_profiles(tmp_path, 3000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rolecall", "list", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    chunks = []
    while True:
        chunk = proc.stdout.read(4096)
        if not chunk:
            break
        chunks.append(chunk)
        time.sleep(0.0005)
    assert proc.wait(timeout=60) == 0
    data = json.loads(b"".join(chunks))
    assert len(data["profiles"]) == 3001
    assert data["profiles"][-1]["name"] == "root"


def test_entry_exits_at_once_after_list_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _many_profiles(tmp_path, 3)
    monkeypatch.setenv("AWS_CONFIG_FILE", env["AWS_CONFIG_FILE"])
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", env["AWS_SHARED_CREDENTIALS_FILE"])

    class QuickExit(Exception):
        pass

    def fake_exit(code: int) -> None:
        raise QuickExit(code)

    monkeypatch.setattr(os, "_exit", fake_exit)
    monkeypatch.setattr(program, "_keep_until_exit", None)  # (restored after the test)
    monkeypatch.setattr(sys, "argv", ["rolecall", "list", "--json"])
    with pytest.raises(QuickExit) as quick:
        cli.entry()
    assert quick.value.args == (0,)
    assert len(json.loads(capsys.readouterr().out)["profiles"]) == 4

    # any other command ends the normal way (threads joined, atexit run)
    monkeypatch.setattr(sys, "argv", ["rolecall", "profile", "remove", "p0"])
    with pytest.raises(SystemExit) as normal:
        cli.entry()
    assert normal.value.code == 0
    # and a failing list too (it kept nothing)
    monkeypatch.setattr(sys, "argv", ["rolecall", "list", "--config", str(tmp_path)])
    with pytest.raises(SystemExit) as failed:
        cli.entry()
    assert failed.value.code == 2


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize(
    "argv",
    [["list"], ["list", "--json"], ["env", "root"], ["doctor"], ["--version"]],
    ids=lambda a: " ".join(a),
)
def test_a_full_disk_on_stdout_is_one_line(tmp_path: Path, argv: list[str]) -> None:
    """`rolecall ... > /dev/full`: one line and exit code 1, never a traceback
    (or, for --version, whatever argparse does, but no traceback either)."""
    env = _many_profiles(tmp_path, 3000)
    with open("/dev/full", "w") as full:
        res = subprocess.run(
            [sys.executable, "-m", "rolecall", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
        )
    assert "Traceback" not in res.stderr, res.stderr
    if argv == ["--version"]:
        return
    assert res.returncode == 1, res.stderr
    assert res.stderr == "rolecall: cannot write: No space left on device\n"
