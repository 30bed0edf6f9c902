"""``rolecall shell-init``: the ``rc`` function and tab completion, in real shells.

bash, zsh and fish run interactively in a pseudo-terminal (pexpect), as a user
has them, against moto's STS; a shell that is not installed is skipped (CI
installs zsh and fish where Debian's packages can be had, see ``.ci/run``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from tests.moto_fixtures import StsProxy, run_aws

from rolecall.core.shell import FORMATS

BASE_SECRET = "rolecallRCsecret/0000000000000000000000000000"
CONFIG = f"""\
[profile base]
aws_access_key_id = AKIAROLECALLRC000001
aws_secret_access_key = {BASE_SECRET}

[profile hop1]
role_arn = arn:aws:iam::111111111111:role/Hop1
source_profile = base
region = eu-west-1

[profile hop2]
role_arn = arn:aws:iam::222222222222:role/Hop2
source_profile = hop1

[profile team:dev]
region = us-east-1

[profile "with space"]
region = us-east-1
"""
NAMES = ["base", "hop1", "hop2", "team:dev", "with space"]
SHELLS = ["bash", "zsh", "fish"]
#: how each shell starts with none of the machine's own rc files
START = {
    "bash": ["--norc", "--noprofile", "-i"],
    "zsh": ["-f", "-i"],
    "fish": ["--no-config", "-i"],
}
INIT = {
    "bash": 'eval "$(rolecall shell-init bash)"',
    "zsh": 'eval "$(rolecall shell-init zsh)"',
    "fish": "rolecall shell-init fish | source",
}
STATUS = {"bash": "$?", "zsh": "$?", "fish": "$status"}


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    """``home``'s config; the tests that use it talk to moto's STS."""
    return CONFIG


def need(shell: str) -> str:
    path = shutil.which(shell)
    if path is None:
        pytest.skip(f"{shell} is not installed")
    return path


def shell_env(home: Path) -> dict[str, str]:
    """The test's environment, with ``rolecall`` and ``aws`` of this Python on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["TERM"] = "xterm"
    env["HOME"] = str(home)
    env.pop("ROLECALL_SHELL", None)
    return env


class Session:
    """An interactive shell in a pty, with the rc function loaded."""

    def __init__(self, shell: str, home: Path, extra: dict[str, str] | None = None) -> None:
        self.shell = shell
        env = shell_env(home)
        env["PS1"] = "PROMPT$ "
        env.update(extra or {})
        self.child = pexpect.spawn(
            need(shell),
            START[shell],
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 160),
            cwd=str(home),
        )
        if shell == "fish":  # (fish ignores PS1)
            self.run("function fish_prompt; echo -n 'PROMPT$ '; end")
        self.run(INIT[shell])

    def run(self, line: str) -> str:
        """Run ``line``; its output up to the end marker (each call has its own)."""
        marker = f"DONE{time.monotonic_ns()}"
        self.child.sendline(f"{line}; echo {marker[:4]}''{marker[4:]}={STATUS[self.shell]}")
        self.child.expect(rf"{marker}=(\d+)")
        self.status = int(self.child.match.group(1))
        return str(self.child.before)

    def value(self, name: str) -> str:
        out = self.run(f'echo "<{name}=${name}>"')
        start = out.rindex(f"<{name}=") + len(name) + 2
        return out[start : out.index(">", start)]

    def close(self) -> None:
        self.child.sendline("exit")
        self.child.expect(pexpect.EOF)


@pytest.fixture
def session(request: pytest.FixtureRequest, home: Path) -> Iterator[Session]:
    s = Session(request.param, home)
    try:
        yield s
    finally:
        s.close()


@pytest.mark.parametrize("session", SHELLS, indirect=True)
def test_rc_sets_the_credentials_in_the_current_shell(session: Session) -> None:
    session.run("export AWS_PROFILE=base AWS_SESSION_TOKEN=stale")
    session.run("rc hop1")
    assert session.status == 0
    assert session.value("ROLECALL_PROFILE") == "hop1"
    assert session.value("AWS_PROFILE") == ""  # unset, as `env` does
    assert session.value("AWS_REGION") == "eu-west-1"
    assert session.value("AWS_CREDENTIAL_EXPIRATION").startswith("20")
    assert session.value("AWS_ACCESS_KEY_ID").startswith("ASIA")
    out = session.run("aws sts get-caller-identity --query Arn --output text")
    assert "assumed-role/Hop1/" in out
    # `rc -u` clears what rc set
    session.run("rc -u")
    for name in ("ROLECALL_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
        assert session.value(name) == ""


@pytest.mark.parametrize("session", SHELLS, indirect=True)
def test_rc_failure_leaves_the_shell_as_it_was(session: Session) -> None:
    session.run("rc hop1")
    key = session.value("AWS_ACCESS_KEY_ID")
    out = session.run("rc nosuch")
    assert session.status != 0
    assert "nosuch" in out
    assert session.value("ROLECALL_PROFILE") == "hop1"
    assert session.value("AWS_ACCESS_KEY_ID") == key


@pytest.mark.parametrize("session", SHELLS, indirect=True)
def test_rc_passes_options_to_env(session: Session, sts_proxy: StsProxy) -> None:
    session.run("rc hop2 --duration 900 --no-cache")
    assert session.status == 0
    assert session.value("ROLECALL_PROFILE") == "hop2"
    calls = sts_proxy.calls("AssumeRole")
    assert calls[-1].params["DurationSeconds"] == "900"


@pytest.mark.parametrize("session", SHELLS, indirect=True)
def test_rc_alone_opens_the_picker(session: Session) -> None:
    """`rc`: the UI on the terminal, Enter on the highlighted profile (the table's
    first row, `base`, then one row down: `hop1`), and the shell has its credentials."""
    child = session.child
    child.sendline("rc")
    child.expect("Enter sets the profile")
    child.expect("hop2")  # the table is drawn
    time.sleep(0.5)
    child.send("\x1b[B")  # down: hop1
    time.sleep(0.3)
    child.send("\r")
    child.expect_exact("\x1b[?1049l")  # the UI has left the screen
    assert session.value("ROLECALL_PROFILE") == "hop1"
    out = session.run("aws sts get-caller-identity --query Arn --output text")
    assert "assumed-role/Hop1/" in out
    # quitting the picker changes nothing
    child.sendline("rc")
    child.expect("hop2")
    time.sleep(0.5)
    child.send("q")
    child.expect_exact("\x1b[?1049l")
    assert session.value("ROLECALL_PROFILE") == "hop1"


def test_rc_on_a_guarded_profile_asks_on_the_terminal(home: Path, sts_proxy: StsProxy) -> None:
    """`rc PROFILE` asks y/N as `env` does (the question on the terminal, the exports
    in the pipe): n leaves the shell as it was, and nothing is assumed; y sets it."""
    settings = Path(os.environ["ROLECALL_CONFIG_DIR"]) / "config.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('guard = ["hop*"]\n')
    s = Session("bash", home)
    try:
        s.child.sendline("rc hop1")
        s.child.expect_exact("hop1 is a guarded profile")
        s.child.expect_exact("[y/N]")
        s.child.sendline("n")
        s.child.expect_exact("not confirmed; nothing was done")
        assert s.value("ROLECALL_PROFILE") == "" and s.value("AWS_ACCESS_KEY_ID") == ""
        assert sts_proxy.calls("AssumeRole") == []
        s.child.sendline("rc hop1")
        s.child.expect_exact("[y/N]")
        s.child.sendline("y")
        assert s.value("ROLECALL_PROFILE") == "hop1"
        assert s.value("AWS_ACCESS_KEY_ID").startswith("ASIA")
    finally:
        s.close()


@pytest.mark.parametrize("session", SHELLS, indirect=True)
def test_rolecall_prompt_function(session: Session) -> None:
    """`rolecall_prompt` prints `rolecall prompt --shell SHELL`'s segment, coloured for
    that shell, and nothing outside a rolecall session (where it starts no process)."""
    call = 'echo "@@$(rolecall_prompt)@@"'
    if session.shell == "fish":  # (an empty output would be an empty list: no line at all)
        call = 'set -l p (rolecall_prompt); echo "@@$p@@"'

    def prompt() -> str:
        found = re.findall(r"@@(.*?)@@", session.run(call))
        return str(found[-1])  # (the line typed is echoed before it)

    assert prompt() == ""
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3630))
    if session.shell == "fish":
        session.run(f"set -gx ROLECALL_PROFILE dev; set -gx AWS_CREDENTIAL_EXPIRATION {later}")
    else:
        session.run(f"export ROLECALL_PROFILE=dev AWS_CREDENTIAL_EXPIRATION={later}")
    out = prompt()
    wrap = {"bash": ("\x01", "\x02"), "zsh": ("%{", "%}"), "fish": ("", "")}[session.shell]
    on, off = wrap[0] + "\x1b[32m" + wrap[1], wrap[0] + "\x1b[0m" + wrap[1]
    assert out == on + "dev 1h00m" + off


def test_pick_never_writes_to_a_terminal(home: Path) -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "rolecall", "pick"],
        env=shell_env(home),
        encoding="utf-8",
        timeout=30,
    )
    child.expect(r"stdout is a terminal, and the credentials are never written to one")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_pick_refuses_a_closed_descriptor(home: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rolecall", "pick", "--output-fd", "9"],
        env=shell_env(home),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert out.returncode == 2
    assert out.stderr == "rolecall: pick: --output-fd 9 is not an open file descriptor\n"


# ---------------------------------------------------------------------------
# completion
# ---------------------------------------------------------------------------
def test_profile_names_are_botocores(home: Path) -> None:
    """`__complete profiles` lists what botocore lists, in its order, both files merged."""
    import botocore.session

    (home / ".aws" / "credentials").write_text(
        "[base]\naws_access_key_id = x\naws_secret_access_key = y\n[only-creds]\nx = 1\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "rolecall", "__complete", "profiles"],
        env=shell_env(home),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    expected = botocore.session.Session().available_profiles
    assert out.stdout.splitlines() == expected
    assert "only-creds" in expected and "with space" in expected


def test_profile_names_from_the_files_typed(home: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-config"
    other.write_text("[profile elsewhere]\nregion = x\n")
    out = subprocess.run(
        [sys.executable, "-m", "rolecall", "__complete", "profiles", "--config", str(other)],
        env=shell_env(home),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.stdout.splitlines() == ["elsewhere"]
    bad = subprocess.run(
        [sys.executable, "-m", "rolecall", "__complete", "nonsense"],
        env=shell_env(home),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (bad.returncode, bad.stdout, bad.stderr) == (2, "", "")


def test_the_hook_answers_as_rolecall_complete_and_imports_little(
    home: Path, tmp_path: Path
) -> None:
    """The completion code runs the interpreter on `shell_hooks.hook` (no console script):
    the same names, codes and silence as `rolecall __complete`, and a Tab whose names
    are remembered imports neither `re` nor the command line's program nor the config
    reader (what the hook is for: bench/bench_completion.py)."""
    from rolecall.cli.shell_hooks import hook_command

    cache = str(tmp_path / "names")
    lines = [
        ["profiles", "--cache", cache, "--prefix", "h"],
        ["profiles", "--cache", cache, "--quote"],
        ["profiles", "--config", str(tmp_path / "none"), "--cache", cache],
        ["nonsense"],
    ]
    for words in lines:
        via_hook = subprocess.run(
            [*hook_command(), "__complete", *words],
            env=shell_env(home),
            capture_output=True,
            text=True,
        )
        via_cli = subprocess.run(
            [sys.executable, "-m", "rolecall", "__complete", *words],
            env=shell_env(home),
            capture_output=True,
            text=True,
        )
        assert (via_hook.returncode, via_hook.stdout, via_hook.stderr) == (
            via_cli.returncode,
            via_cli.stdout,
            via_cli.stderr,
        ), words
    assert via_hook.returncode == 2
    # (the cache holds the last files read: the default ones again, then the probe)
    subprocess.run(
        [*hook_command(), "__complete", "profiles", "--cache", cache], env=shell_env(home)
    )
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from rolecall.cli.shell_hooks import _complete\n"
        f"code, names = _complete(['profiles', '--cache', {cache!r}])\n"
        "heavy = ('re', 'argparse', 'rolecall.cli.program', 'rolecall.core.config')\n"
        "new = set(sys.modules) - before\n"
        "print(code, len(names), [m for m in heavy if m in new], file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-P", "-c", probe], env=shell_env(home), capture_output=True, text=True
    )
    assert out.stderr == f"0 {len(NAMES)} []\n"


#: (what is typed, what completion offers); `@` stands for every profile name
CASES = [
    ("rolecall e", ["env", "exec"]),
    ("rolecall env ", ["@"]),
    ("rolecall env h", ["hop1", "hop2"]),
    ("rolecall env --f", ["--format"]),
    ("rolecall env --format ", list(FORMATS)),
    ("rolecall env hop1 --format j", ["json"]),
    ("rolecall profile ", ["add", "remove"]),
    ("rolecall profile remove t", ["team:dev"]),
    ("rolecall --config /nonexistent env ", []),
    ("rolecall shell-init ", ["bash", "zsh", "fish", "powershell"]),
    ("rolecall exec hop1 --duration ", []),
    ("rc ", ["@"]),
    ("rc ho", ["hop1", "hop2"]),
    ("rc hop1 --format ", list(FORMATS)),
]


def expected(offer: list[str]) -> list[str]:
    return sorted(NAMES if offer == ["@"] else offer)


def bash_complete(home: Path, line: str) -> list[str]:
    """Run bash's completion function for ``line`` the way bash itself calls it."""
    script = f"""
eval "$(rolecall shell-init bash)"
line={line!r}
COMP_LINE=$line; COMP_POINT=${{#line}}
read -r -a COMP_WORDS <<< "$(printf '%s' "$line" | sed 's/[=:]/ & /g')"
case $line in *' ') COMP_WORDS+=("") ;; esac
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
case $line in rc*) _rolecall_fn_rc ;; *) _rolecall_bash ;; esac
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    out = subprocess.run(
        [need("bash"), "--norc", "--noprofile", "-c", script],
        env=shell_env(home),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    return sorted(w for w in out.stdout.splitlines() if w)


@pytest.mark.parametrize(("line", "offer"), CASES)
def test_bash_completion(home: Path, line: str, offer: list[str]) -> None:
    got = bash_complete(home, line)
    want = expected(offer)
    if offer == ["@"]:  # bash gets them quoted for its command line
        want = sorted(n.replace(" ", "\\ ") for n in want)
    if line == "rolecall profile remove t":
        want = ["team:dev"]
    assert got == want


def test_bash_completion_of_a_word_split_at_a_colon(home: Path) -> None:
    """bash splits `team:d` at ':' and replaces only `d`: the reply is what follows."""
    assert bash_complete(home, "rolecall env team:") == [":dev"]  # (the word is ':')
    assert bash_complete(home, "rolecall env team:d") == ["dev"]
    assert bash_complete(home, "rolecall profile add x --source-profile=h") == ["hop1", "hop2"]
    assert bash_complete(home, "rolecall profile add x --source-profile=") == [
        "=base",
        "=hop1",
        "=hop2",
        "=team:dev",
        "=with\\ space",
    ]
    assert bash_complete(home, "rolecall env --format=") == sorted(f"={f}" for f in FORMATS)


@pytest.mark.parametrize(("line", "offer"), CASES)
def test_fish_completion(home: Path, line: str, offer: list[str]) -> None:
    script = f"rolecall shell-init fish | source; complete -C {line!r}"
    out = subprocess.run(
        [need("fish"), "--no-config", "-c", script],
        env=shell_env(home),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode in (0, 1), out.stderr
    got = sorted({w.split("\t")[0] for w in out.stdout.splitlines() if w})
    if line.endswith(("--f", "-")):
        got = [w for w in got if w.startswith("--f")]
    assert got == expected(offer)


def typed_then_tab(s: Session, text: str) -> str:
    """Type ``text`` and Tab, then run the line as ``echo LINE``: what Tab made of it."""
    s.child.send(text + "\t")
    time.sleep(1.0)
    s.child.send("\x01echo '<' \x05")  # (emacs keys: to the start, then to the end)
    out = s.run(" '>'")
    return " ".join(out[out.rindex("<") + 1 : out.rindex(">")].split())


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_with_tab(home: Path, shell: str) -> None:
    """Tab in a real interactive shell completes profile names, options and formats."""
    s = Session(shell, home)
    try:
        s.run("bindkey -e" if shell == "zsh" else "set -o emacs")
        assert typed_then_tab(s, "rc te") == "rc team:dev"
        assert typed_then_tab(s, "rolecall env wi") == "rolecall env with space"
        assert typed_then_tab(s, "rolecall env --format=j") == "rolecall env --format=json"
        assert typed_then_tab(s, "rolecall sh") == "rolecall shell"
        assert typed_then_tab(s, "rolecall shell-i") == "rolecall shell-init"
    finally:
        s.close()


def test_completion_lists_every_command(home: Path) -> None:
    from rolecall.cli.parser import COMMAND_NAMES

    assert bash_complete(home, "rolecall ") == sorted(COMMAND_NAMES)


# ---------------------------------------------------------------------------
# shell-init itself
# ---------------------------------------------------------------------------
def test_shell_init_name(home: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rolecall", "shell-init", "bash", "--name", "aws-as"],
        env=shell_env(home),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0
    assert "\naws-as() {" in out.stdout and "complete -o default -F _rolecall_fn_aws_as aws-as" in (
        out.stdout
    )
    bad = subprocess.run(
        [sys.executable, "-m", "rolecall", "shell-init", "bash", "--name", "x; rm -rf ~"],
        env=shell_env(home),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("rolecall: shell-init: --name 'x; rm -rf ~' is not a function")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_init_parses(home: Path, shell: str) -> None:
    code = subprocess.run(
        [sys.executable, "-m", "rolecall", "shell-init", shell],
        env=shell_env(home),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    flags = ["-n"] if shell != "fish" else ["--no-execute"]
    check = subprocess.run(
        [need(shell), *flags], input=code, capture_output=True, text=True, timeout=30
    )
    assert check.returncode == 0, check.stderr


def test_env_output_sets_rolecall_profile(home: Path) -> None:
    out = run_aws(["--version"], env=shell_env(home))  # (the aws CLI is there: the env test)
    assert out.returncode == 0
    env = subprocess.run(
        [sys.executable, "-m", "rolecall", "env", "hop1"],
        env=shell_env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert env.returncode == 0, env.stderr
    assert "export ROLECALL_PROFILE='hop1'\n" in env.stdout
