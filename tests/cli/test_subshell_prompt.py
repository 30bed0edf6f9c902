"""The shells rolecall starts show the profile before their prompt: bash, zsh and fish
in a real pseudo-terminal, with the user's own rc files in place and untouched."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

from rolecall.core.subshell_prompt import SGR_VAR, USER_ZDOTDIR_VAR, mark, shell_kind

CONFIG = """\
[profile base]
aws_access_key_id = AKIAROLECALLPROMPT01
aws_secret_access_key = rolecallPROMPTsecret/000000000000000000000

[profile hop1]
role_arn = arn:aws:iam::111111111111:role/Hop1
source_profile = base
"""
#: each shell's own rc file: a plain prompt, and a variable that shows it was read
USER_RC = {
    "bash": (".bashrc", "PS1='PROMPT$ '\nexport FROM_USER_RC=bashrc\n"),
    "zsh": (".zshrc", "PS1='PROMPT$ '\nexport FROM_USER_RC=zshrc\n"),
    "fish": (
        ".config/fish/config.fish",
        "function fish_prompt; echo -n 'PROMPT$ '; end\nset -gx FROM_USER_RC fish\n",
    ),
}
PROMPT_OF = {
    "bash": r"\[hop1\]\x1b\[0m PROMPT\$ ",
    "zsh": r"\[hop1\]\x1b\[0m PROMPT\$ ",
    "fish": r"\[hop1\]\x1b\[0m PROMPT\$ ",
}


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    return CONFIG


def spawn(home: Path, shell: str, *args: str) -> pexpect.spawn:
    path = shutil.which(shell)
    if path is None:
        pytest.skip(f"{shell} is not installed")
    name, text = USER_RC[shell]
    rc = home / name
    rc.parent.mkdir(parents=True, exist_ok=True)
    rc.write_text(text)
    if shell == "zsh":
        (home / ".zshenv").write_text("export FROM_USER_ZSHENV=yes\n")
    env = dict(os.environ)
    env["SHELL"] = path
    env["TERM"] = "xterm"
    env.pop("ROLECALL_SHELL", None)
    env.pop("ZDOTDIR", None)
    return pexpect.spawn(
        sys.executable,
        ["-m", "rolecall", *args],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(30, 160),
        cwd=str(home),
    )


def settings(home: Path, text: str) -> None:
    path = home / ".config" / "rolecall" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_prompt_shows_the_profile(home: Path, shell: str) -> None:
    rc_name, rc_text = USER_RC[shell]
    child = spawn(home, shell, "shell", "hop1")
    child.expect(r"\x1b\[1;36m\[hop1\]\x1b\[0m PROMPT\$ ")  # bold cyan: no colour set
    child.sendline('echo "rc=$FROM_USER_RC zdotdir=[$ZDOTDIR]"')
    child.expect(r"rc=(\w+) zdotdir=\[(.*?)\]")
    assert child.match.group(1) == USER_RC[shell][1].split("FROM_USER_RC")[1].strip(" =\n")
    assert child.match.group(2) == ""  # zsh: ZDOTDIR is put back as it was (unset)
    if shell == "zsh":
        child.sendline('echo "zshenv=$FROM_USER_ZSHENV"')
        child.expect("zshenv=yes")
    child.expect(PROMPT_OF[shell])
    child.sendline("exit")
    child.expect(pexpect.EOF)
    # the user's own rc file is untouched
    assert (home / rc_name).read_text() == rc_text


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_exec_shell_prompt_in_the_profile_colour(home: Path, shell: str) -> None:
    settings(home, '[profiles.hop1]\ncolor = "red"\n')
    path = shutil.which(shell) or shell
    child = spawn(home, shell, "exec", "hop1", "--", path)
    child.expect(r"\x1b\[1;31m\[hop1\]\x1b\[0m PROMPT\$ ")
    child.sendline("exit")
    child.expect(pexpect.EOF)


def test_the_marker_follows_rc_in_the_shell(home: Path) -> None:
    child = spawn(home, "bash", "shell", "hop1")
    child.expect(r"\[hop1\]\x1b\[0m PROMPT\$ ")
    child.sendline("unset ROLECALL_PROFILE")
    child.expect(r"\r\x1b\[\?2004hPROMPT\$ ")  # (no marker: straight after the mode switch)
    child.sendline("export ROLECALL_PROFILE=$'x\\x1by'")
    child.expect(r"\[x\?y\]\x1b\[0m PROMPT\$ ")  # a control character is never printed
    child.sendline("exit")
    child.expect(pexpect.EOF)


def test_the_setting_turns_it_off(home: Path) -> None:
    settings(home, "[shell]\nprompt_marker = false\n")
    child = spawn(home, "bash", "shell", "hop1")
    child.expect(r"PROMPT\$ ")
    assert "[hop1]" not in str(child.before)
    child.sendline('echo "sgr=[$ROLECALL_PROMPT_SGR]"')
    child.expect(r"sgr=\[\]")
    child.sendline("exit")
    child.expect(pexpect.EOF)


def test_shell_kind_and_mark(tmp_path: Path) -> None:
    assert shell_kind(["/bin/sh"]) is None
    env = {"PATH": "/bin", "ZDOTDIR": "/home/me/.zsh"}
    argv, out = mark(["/bin/zsh"], env, "1;31", str(tmp_path / "d"))
    zdotdir = tmp_path / "d" / "zsh"
    assert argv == ["/bin/zsh"]
    assert out["ZDOTDIR"] == str(zdotdir) and out[USER_ZDOTDIR_VAR] == "/home/me/.zsh"
    assert out[SGR_VAR] == "1;31"
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o700
    assert (zdotdir / ".zshrc").stat().st_mode & 0o777 == 0o600
    argv, out = mark(["/bin/bash"], {}, "1;31;$(rm)", str(tmp_path / "d"))
    assert argv == ["/bin/bash", "--rcfile", str(tmp_path / "d" / "bashrc")]
    assert out[SGR_VAR] == "1;36"  # not an SGR: the default
    # off, or not an interactive shell: unchanged
    assert mark(["/bin/bash"], env, None) == (["/bin/bash"], env)
    assert mark(["bash", "-c", "true"], env, "1") == (["bash", "-c", "true"], env)
    # a directory others can write to is made private first
    (tmp_path / "d").chmod(0o777)
    mark(["/bin/bash"], {}, "1", str(tmp_path / "d"))
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o700


def test_tui_shell_session_marks_the_prompt(tmp_path: Path) -> None:
    from rolecall.tui.services import Services

    services = Services(
        build_env=lambda result, base, profile: {"ROLECALL_PROFILE": profile},
        user_shell=lambda env: ["/usr/bin/bash"],
        environ={},
    )
    with services.shell_session(object(), "dev", None, prompt_sgr="1;32") as (argv, env):
        assert argv[:2] == ["/usr/bin/bash", "--rcfile"] and env[SGR_VAR] == "1;32"
    with services.shell_session(object(), "dev", None) as (argv, env):
        assert (argv, env) == (["/usr/bin/bash"], {"ROLECALL_PROFILE": "dev"})


def test_prompt_marker_setting(tmp_path: Path) -> None:
    from rolecall.settings import load_settings, save_settings

    path = tmp_path / "config.toml"
    assert load_settings(str(path)).prompt_sgr("dev") == "1;36"
    path.write_text('[shell]\nprompt_marker = "no"\n[profiles.dev]\ncolor = "#ff8700"\n')
    settings = load_settings(str(path))
    assert settings.prompt_marker is True
    assert settings.errors == [
        f"{path}: shell.prompt_marker must be true or false, got 'no'; using true"
    ]
    assert settings.prompt_sgr("dev") == "1;38;2;255;135;0"
    path.write_text("# mine\n[shell]\nprompt_marker = true # keep\n")
    settings = load_settings(str(path))
    settings.prompt_marker = False
    save_settings(settings)
    assert path.read_text() == "# mine\n[shell]\nprompt_marker = false # keep\n"
    assert load_settings(str(path)).prompt_sgr("dev") is None
