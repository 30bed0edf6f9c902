"""Bad input, verb by verb (issue 5, section 6).

Every verb (list, profile add, profile remove, assume, env, exec, shell,
credential-process, doctor) runs as a whole process, with no terminal, against:

* names: missing, empty, shell metacharacters, quotes, brackets, non-ASCII,
  control characters, a line break, a leading dash;
* files: binary junk, a directory where a file is expected (by flag and by
  environment), a symlink loop, a dangling symlink, permission denied, a 50 MB
  config (50,000 profiles, and one made of two 25 MB lines);
* options: invalid ``--duration`` and ``--format`` values;
* MFA needed while stdin is not a terminal;
* stdout closed early (``rolecall list | head -1``, and the other verbs).

A failure is one printable ``rolecall: ...`` line on stderr with a non-zero code,
no traceback and no hang (every run has a timeout).  When stdout is closed early,
rolecall stops quietly with exit code 0 (the reader chose to stop reading).
No STS call can leave the machine: STS points at a closed port on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import botocore.configloader
import pytest

from rolecall.core.cache import entries, keys
from tests.hardening._util import (
    CONFIG,
    MFA,
    Run,
    assert_clean_success,
    assert_one_line_failure,
    fresh_response,
    rolecall_argv,
    run,
    without_dac_override,
)
from tests.moto_fixtures import refused_url
from tests.sts_helpers import A

ARN = "arn:aws:iam::123456789012:role/New"
Argv = Callable[[str], list[str]]

#: verb -> its argv for a profile name
VERBS: dict[str, Argv] = {
    "list": lambda name: ["list"],
    "profile-add": lambda name: [
        "profile",
        "add",
        name,
        "--role-arn",
        ARN,
        "--source-profile",
        "base",
    ],
    "profile-remove": lambda name: ["profile", "remove", name],
    "assume": lambda name: ["assume", name],
    "env": lambda name: ["env", name],
    "exec": lambda name: ["exec", name, "--", "true"],
    "shell": lambda name: ["shell", name],
    "credential-process": lambda name: ["credential-process", name],
    "console": lambda name: ["console", name, "--print"],
    "doctor": lambda name: ["doctor"],
}
NAMED = [v for v in VERBS if v not in ("list", "doctor")]
ASSUMING = ["assume", "env", "exec", "shell", "credential-process", "console"]

NAMES = {
    "missing": "nope",
    "empty": "",
    "shell-metacharacters": "$(touch PWNED)`touch PWNED`;x|y&z>w",
    "quotes": 'it\'s "quoted"',
    "brackets": "[prod] admin",
    "open-bracket": "[prod-admin",
    "closing-bracket": "a]b",
    "non-ascii": "prød-ünïcode-名前",
    "control-characters": "esc\x1b[31mred\x07",
    "line-break": "two\nlines",
    "leading-dash": "-x",
}
#: names ``profile add`` accepts (botocore reads them back as they are)
ADDABLE = {"missing", "shell-metacharacters", "quotes", "open-bracket", "non-ascii"}


@pytest.fixture
def aws_config() -> str:
    return CONFIG


@pytest.fixture(autouse=True)
def offline(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No STS call can leave the machine, and profile a works without one."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", refused_url())
    monkeypatch.setenv("ROLECALL_STS_TIMEOUT", "2")
    monkeypatch.setenv("SHELL", "/bin/true")
    monkeypatch.chdir(isolated_env)
    # offline credentials for profile a, so that the verbs can succeed without STS
    entries.write_entry(keys.cache_key(A), fresh_response())


# ---------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", list(NAMES))
@pytest.mark.parametrize("verb", NAMED)
def test_bad_names(home: Path, verb: str, case: str) -> None:
    name = NAMES[case]
    cfg = home / ".aws" / "config"
    before = cfg.read_bytes()
    res = run(*VERBS[verb](name), timeout=30)
    if verb == "profile-add" and case in ADDABLE:
        assert_clean_success(res)
        assert name in botocore.configloader.load_config(str(cfg))["profiles"]
        assert_clean_success(run("profile", "remove", name))
        assert cfg.read_bytes() == before  # add then remove gives the file back
    else:
        line = assert_one_line_failure(res)
        if case == "leading-dash":
            assert res.returncode == 2
        elif verb == "profile-add":
            assert "profile not added: invalid profile name" in line
        elif verb == "profile-remove":
            assert "no profile named" in line
        else:
            assert "unknown profile" in line
        assert cfg.read_bytes() == before
    assert not list(home.rglob("PWNED*"))


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------
def _junk(path: Path) -> None:
    rng = random.Random(5)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(65536)))


def _config_dir(home: Path) -> dict[str, str]:
    d = home / "a-directory"
    d.mkdir()
    return {"AWS_CONFIG_FILE": str(d)}


def _credentials_dir(home: Path) -> dict[str, str]:
    d = home / "a-directory"
    d.mkdir()
    return {"AWS_SHARED_CREDENTIALS_FILE": str(d)}


def _loop(home: Path) -> dict[str, str]:
    (home / "loop1").symlink_to(home / "loop2")
    (home / "loop2").symlink_to(home / "loop1")
    return {"AWS_CONFIG_FILE": str(home / "loop1")}


def _dangling(home: Path) -> dict[str, str]:
    (home / "link").symlink_to(home / "dotfiles" / "aws-config")
    return {"AWS_CONFIG_FILE": str(home / "link")}


def _binary(home: Path) -> dict[str, str]:
    _junk(home / ".aws" / "config")
    return {}


# case -> (set-up returning extra environment, exit code: None when any non-zero)
FILE_CASES: dict[str, tuple[Callable[[Path], dict[str, str]], int | None]] = {
    "binary-junk": (_binary, 1),
    "config-is-a-directory": (_config_dir, 2),
    "credentials-is-a-directory": (_credentials_dir, 2),
    "symlink-loop": (_loop, 2),
    "dangling-symlink": (_dangling, 2),
}


@pytest.mark.parametrize("case", list(FILE_CASES))
@pytest.mark.parametrize("verb", list(VERBS))
def test_bad_files(home: Path, verb: str, case: str) -> None:
    setup, code = FILE_CASES[case]
    env = dict(os.environ, **setup(home))
    res = run(*VERBS[verb]("a"), env=env, timeout=30)
    line = assert_one_line_failure(res, code)
    if case == "binary-junk":
        if verb in ("profile-add", "profile-remove"):
            assert "fix the file first" in line
        elif verb == "list":
            assert "invalid UTF-8" in line and "more problem" in line
            json.loads(run("list", "--json", env=env).stdout)  # still valid JSON
        elif verb == "doctor":
            assert "doctor found" in line
            assert "\x1b" not in res.stdout  # junk is escaped, never sent to the terminal
        else:
            assert "unknown profile 'a'" in line
    elif case == "dangling-symlink":
        assert "which does not exist" in line
    elif case == "symlink-loop":
        assert "symlink loop" in line
    else:
        assert "is a directory, not a file" in line


@pytest.mark.parametrize("args", [["list"], ["list", "--json"], ["doctor"], ["assume", "a\udcff"]])
def test_undecodable_bytes_with_a_strict_utf8_stdout(home: Path, args: list[str]) -> None:
    """Invalid UTF-8 in the config (or in an argument) under a UTF-8 locale whose
    stdout is strict, as on most desktops: escaped, never a UnicodeEncodeError."""
    cfg = home / ".aws" / "config"
    cfg.write_bytes(CONFIG.encode() + b"\n[profile caf\xe9\x1b[2J]\nregion = \xff\xfe\n")
    env = dict(os.environ, PYTHONIOENCODING="utf-8", LC_ALL="C.UTF-8")
    res = run(*[os.fsencode(a).decode("utf-8", "surrogateescape") for a in args], env=env)
    assert "Traceback" not in res.stderr, res.stderr
    assert "\x1b" not in res.stdout + res.stderr
    if args == ["list", "--json"]:
        names = [p["name"] for p in json.loads(res.stdout)["profiles"]]
        assert "caf\udce9\x1b[2J" in names  # the JSON escapes give back the exact name
    elif args[0] == "list":
        assert "caf\\xe9\\x1b[2J" in res.stdout
    if args[0] in ("list", "assume"):
        assert_one_line_failure(res, 1)


@pytest.mark.parametrize("verb", list(VERBS))
def test_explicit_directory_flag(home: Path, verb: str) -> None:
    argv = VERBS[verb]("a")
    if verb == "exec":
        argv = ["exec", "a", "--config", str(home / ".aws"), "--", "true"]
    else:
        argv = [*argv, "--config", str(home / ".aws")]
    res = run(*argv, timeout=30)
    assert "is a directory, not a file" in assert_one_line_failure(res, 2)


NO_DAC = without_dac_override()


@pytest.mark.skipif(NO_DAC is None, reason="cannot drop CAP_DAC_OVERRIDE here")
@pytest.mark.parametrize("what", ["config", "credentials"])
@pytest.mark.parametrize("verb", list(VERBS))
def test_permission_denied(home: Path, verb: str, what: str) -> None:
    assert NO_DAC is not None
    path = home / ".aws" / what
    if what == "credentials":
        path.write_text("[base]\naws_access_key_id = AKIAX\n")
    path.chmod(0o000)
    res = run(*VERBS[verb]("a"), prefix=NO_DAC, timeout=30)
    line = assert_one_line_failure(res)
    if verb == "doctor":
        assert "doctor found" in line and "Permission denied" in res.stdout
    else:
        assert f"cannot read {path}: Permission denied" in line


@pytest.mark.skipif(NO_DAC is None, reason="cannot drop CAP_DAC_OVERRIDE here")
@pytest.mark.parametrize("verb", ["profile-add", "profile-remove"])
def test_unwritable_config_directory(home: Path, verb: str) -> None:
    assert NO_DAC is not None
    aws = home / ".aws"
    before = (aws / "config").read_bytes()
    aws.chmod(0o555)
    try:
        res = run(*VERBS[verb]("mfa1" if verb == "profile-remove" else "newp"), prefix=NO_DAC)
    finally:
        aws.chmod(0o755)
    line = assert_one_line_failure(res, 1)
    assert "cannot write" in line and "Permission denied" in line
    assert (aws / "config").read_bytes() == before
    assert sorted(p.name for p in aws.iterdir()) == ["cli", "config"]


# ---------------------------------------------------------------------------
# 50 MB configs
# ---------------------------------------------------------------------------
HEAD = CONFIG


def _many_profiles(path: Path) -> None:
    """50 MB: 50,000 role profiles, each with a 900-byte comment."""
    pad = "# " + "x" * 900 + "\n"
    with path.open("w") as fh:
        fh.write(HEAD)
        size, i = len(HEAD), 0
        while size < 50 * 1024 * 1024:
            text = f"\n[profile p{i}]\n{pad}role_arn = {ARN}{i}\nsource_profile = base\n"
            fh.write(text)
            size += len(text)
            i += 1


def _long_lines(path: Path) -> None:
    """50 MB in two lines: a 25 MB value and a 25 MB comment."""
    with path.open("w") as fh:
        fh.write(HEAD)
        fh.write("\n[profile wide]\nregion = eu-west-1\ndescription = " + "y" * (25 << 20) + "\n")
        fh.write("# " + "z" * (25 << 20) + "\n")


BIG = {"50mb-many-profiles": _many_profiles, "50mb-long-lines": _long_lines}
BIG_BOUND = 60.0


@pytest.fixture(scope="session")
def big_configs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name, make in BIG.items():
        path = tmp_path_factory.mktemp("big") / "config"
        make(path)
        path.chmod(0o600)
        assert path.stat().st_size >= 50 * 1024 * 1024
        out[name] = path
    return out


def _use_config(home: Path, source: Path, writable: bool) -> Path:
    """Make ``source`` the config under ``home``: a copy if the verb writes it, else a link
    (no need to copy 50 MB to read it)."""
    cfg = home / ".aws" / "config"
    cfg.unlink()
    if writable:
        shutil.copyfile(source, cfg)
        cfg.chmod(0o600)
    else:
        cfg.symlink_to(source)
    return cfg


#: At 50 MB, every verb that reads its own way: exec, shell and console find their
#: profile through the same ``assume_for`` as assume and env (the verbs' shared path
#: is checked on small files by every other test here), so they are left out.
BIG_VERBS = [v for v in VERBS if v not in ("exec", "shell", "console")]


@pytest.mark.parametrize("shape", list(BIG))
@pytest.mark.parametrize("verb", BIG_VERBS)
def test_50mb_config(home: Path, big_configs: dict[str, Path], verb: str, shape: str) -> None:
    cfg = _use_config(home, big_configs[shape], writable=verb == "profile-add")
    argv = VERBS[verb]("newp" if verb == "profile-add" else "nope")
    res = run(*argv, timeout=BIG_BOUND + 30)
    assert res.elapsed < BIG_BOUND, f"{verb}: {res.elapsed:.1f} s"
    if verb in ("list", "doctor", "profile-add"):
        assert_clean_success(res)
        if verb == "list":
            assert res.stdout.count("\n") > (50_000 if shape == "50mb-many-profiles" else 5)
        if verb == "profile-add":
            assert cfg.read_bytes().startswith(big_configs[shape].read_bytes())
    else:
        line = assert_one_line_failure(res, 1)
        assert ("unknown profile 'nope'" in line) or ("no profile named 'nope'" in line)


def _tall(path: Path) -> None:
    """50 MB: 480,000 small role profiles (the worst shape for the parser)."""
    with path.open("w") as fh:
        fh.write(HEAD)
        size, i = len(HEAD), 0
        while size < 50 * 1024 * 1024:
            text = f"\n[profile p{i}]\nrole_arn = {ARN}{i}\nsource_profile = base\nregion = x\n"
            fh.write(text)
            size += len(text)
            i += 1


@pytest.fixture(scope="session")
def tall_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tall") / "config"
    _tall(path)
    path.chmod(0o600)
    return path


@pytest.mark.slow  # the three take 20 to 50 s, by the machine's load
@pytest.mark.parametrize("verb", ["list", "assume", "profile-add"])
def test_50mb_config_of_small_profiles(home: Path, tall_config: Path, verb: str) -> None:
    _use_config(home, tall_config, writable=verb == "profile-add")
    res = run(*VERBS[verb]("newp" if verb == "profile-add" else "nope"), timeout=BIG_BOUND + 60)
    print(f"\n{verb} on 480,000 profiles: {res.elapsed:.1f} s")
    assert res.elapsed < BIG_BOUND, f"{verb}: {res.elapsed:.1f} s"
    if verb == "assume":
        assert "unknown profile 'nope'" in assert_one_line_failure(res, 1)
    else:
        assert_clean_success(res)


# ---------------------------------------------------------------------------
# options
# ---------------------------------------------------------------------------
DURATIONS = {"abc": 2, "1e3": 2, "": 2, "-5": 1, "0": 1, "60": 1, "43201": 1, "9" * 30: 1}
# every value on `assume`; the parsing is shared, so two values on each other verb
# (console's --duration is the console session's: tests/cli/test_console_cli.py)
DURATION_CASES = [("assume", v) for v in DURATIONS] + [
    (verb, v) for verb in ASSUMING if verb not in ("assume", "console") for v in ("abc", "60")
]


@pytest.mark.parametrize(("verb", "value"), DURATION_CASES, ids=lambda v: repr(v)[:12])
def test_invalid_duration(home: Path, verb: str, value: str) -> None:
    argv = VERBS[verb]("a")
    if verb == "exec":
        argv = ["exec", "a", "--duration", value, "--", "true"]
    else:
        argv = [*argv, f"--duration={value}"]
    res = run(*argv, timeout=30)
    if verb == "credential-process":  # takes no --duration
        assert "unrecognized arguments" in assert_one_line_failure(res, 2)
        return
    line = assert_one_line_failure(res, DURATIONS[value])
    if DURATIONS[value] == 2:
        assert "not a number of seconds" in line
    else:
        assert "outside 900..43200" in line


@pytest.mark.parametrize("verb", ["list", "profile-add", "profile-remove", "doctor"])
def test_duration_where_there_is_none(home: Path, verb: str) -> None:
    res = run(*VERBS[verb]("a"), "--duration", "900", timeout=30)
    assert "unrecognized arguments: --duration 900" in assert_one_line_failure(res, 2)


@pytest.mark.parametrize("value", ["csh", "", "JSON", "sh;rm -rf /"])
def test_invalid_format(home: Path, value: str) -> None:
    res = run("env", "a", f"--format={value}", timeout=30)
    assert "invalid choice" in assert_one_line_failure(res, 2)


@pytest.mark.parametrize("verb", [v for v in VERBS if v != "env"])
def test_format_where_there_is_none(home: Path, verb: str) -> None:
    argv = VERBS[verb]("a")
    if verb == "exec":
        argv = ["exec", "a", "--format", "json", "--", "true"]
    else:
        argv = [*argv, "--format", "json"]
    assert "unrecognized arguments" in assert_one_line_failure(run(*argv, timeout=30), 2)


# ---------------------------------------------------------------------------
# MFA with no terminal
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("stdin", ["devnull", "closed-pipe", "open-pipe"])
@pytest.mark.parametrize("verb", ASSUMING)
def test_mfa_without_a_terminal(home: Path, verb: str, stdin: str) -> None:
    argv = rolecall_argv(*VERBS[verb]("mfa1"))
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL if stdin == "devnull" else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # no controlling terminal
    )
    if stdin == "closed-pipe":
        assert proc.stdin is not None
        proc.stdin.close()
        proc.stdin = None
    try:
        proc.wait(timeout=30)  # with stdin left open: rolecall must not wait on it
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    res = Run(tuple(argv), proc.returncode, out, err, 0.0)
    line = assert_one_line_failure(res, 1)
    assert line == (
        f"rolecall: an MFA code is needed for {MFA}; no terminal to ask on: pass --mfa-code CODE"
    )


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", "１２３４５６"])
def test_bad_mfa_codes(home: Path, code: str) -> None:
    res = run("assume", "mfa1", f"--mfa-code={code}", timeout=30)
    assert "must be 6 digits" in assert_one_line_failure(res, 1)


# ---------------------------------------------------------------------------
# stdout closed early
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "verb", ["list", "profile-add", "assume", "env", "credential-process", "doctor"]
)
def test_stdout_closed_early(home: Path, verb: str) -> None:
    cfg = home / ".aws" / "config"
    cfg.write_text(CONFIG + "".join(f"\n[profile x{i}]\nregion = r{i}\n" for i in range(3000)))
    argv = rolecall_argv(*VERBS[verb]("newp" if verb == "profile-add" else "a"))
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before rolecall writes a byte
    try:
        err = proc.stderr.read()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert err == b"", err


@pytest.mark.parametrize("verb", ["list", "env"])
def test_pipe_into_head(home: Path, verb: str) -> None:
    cfg = home / ".aws" / "config"
    cfg.write_text(CONFIG + "".join(f"\n[profile x{i}]\nregion = r{i}\n" for i in range(20000)))
    argv = " ".join(f"'{a}'" for a in rolecall_argv(*VERBS[verb]("a")))
    script = f'{argv} 2>err | head -1; echo "rc=${{PIPESTATUS[0]}}"'
    proc = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=60, cwd=str(home)
    )
    lines = proc.stdout.splitlines()
    assert lines[-1] == "rc=0", proc.stdout
    assert len(lines) == 2
    assert (home / "err").read_text() == ""


def test_stdout_and_stderr_closed(home: Path) -> None:
    """``rolecall env a >&- 2>&-``: no descriptor is taken by accident, no crash."""
    script = " ".join(f"'{a}'" for a in rolecall_argv("env", "a")) + " >&- 2>&-; echo rc=$?"
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "rc=0", proc.stdout + proc.stderr
