"""Crash-safe writes (issue 5, section 3): a writer SIGKILLed at each step of a write.

rolecall's writes pause at a chosen step when ``ROLECALL_TEST_WRITE_PAUSE`` is set
(see ``rolecall.core.fsutil``): the writer touches a marker file and waits.  The
test then kills it with SIGKILL and checks that:

* the target is whole: the old bytes before the rename, the new bytes after it;
* botocore still reads the config, rolecall still reads the cache and the settings;
* no stray file is left that botocore or rolecall would read (a temporary file is
  ``.NAME.PID.HEX.rolecall-tmp``: hidden, never ``*.json``), and the next write in
  that directory removes it.

Three writers: a config edit (``rolecall profile add``), a cache write
(``rolecall assume`` against moto) and a settings write (a small driver calling
``rolecall.settings``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import botocore.configloader
import pytest

from rolecall.core.cache import entries, keys
from rolecall.core.edit import add_profile
from rolecall.settings import load_settings, toggle_favorite
from tests.hardening._util import (
    CONFIG,
    assert_clean_success,
    fresh_response,
    rolecall_argv,
    run,
)
from tests.sts_helpers import A

STEPS = ("written", "fsynced", "before-rename", "renamed")
TEMP_RE = re.compile(r"\..+\.[0-9]+\.[0-9a-f]{8}\.rolecall-tmp")
NEW_ARN = "arn:aws:iam::444444444444:role/New"
SETTINGS_TEXT = '# my settings\ntheme = "textual-dark"  # keep this comment\n'
SETTINGS_DRIVER = (
    "import sys\n"
    "from rolecall.settings import load_settings, toggle_favorite\n"
    "toggle_favorite(load_settings(), sys.argv[1])\n"
)


@dataclass
class Target:
    path: Path  # the file being written
    argv: list[str]  # the writer
    again: list[str]  # a second, unpaused write in the same directory


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    """``home``'s config; the tests that use it talk to moto's STS."""
    return CONFIG


def _target(kind: str, home: Path) -> Target:
    if kind == "config":
        add = ["profile", "add", "--role-arn", NEW_ARN, "--source-profile", "base"]
        return Target(
            home / ".aws" / "config",
            rolecall_argv(*add[:2], "newp", *add[2:]),
            rolecall_argv(*add[:2], "other", *add[2:]),
        )
    if kind == "cache":
        key = keys.cache_key(A)
        return Target(
            Path(keys.cli_cache_dir()) / f"{key}.json",
            rolecall_argv("assume", "a", "--no-cache"),
            rolecall_argv("assume", "a", "--no-cache"),
        )
    settings = Path(os.environ["ROLECALL_CONFIG_DIR"]) / "config.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text(SETTINGS_TEXT)
    settings.chmod(0o600)
    return Target(
        settings,
        [sys.executable, "-c", SETTINGS_DRIVER, "a"],
        [sys.executable, "-c", SETTINGS_DRIVER, "b"],
    )


def _expected_new(kind: str, target: Target, tmp_path: Path) -> bytes | None:
    """The bytes the writer would leave (None for the cache: new credentials)."""
    copy = tmp_path / "expected"
    copy.mkdir()
    if kind == "config":
        cfg = copy / "config"
        cfg.write_bytes(target.path.read_bytes())
        add_profile(
            "newp",
            {"role_arn": NEW_ARN, "source_profile": "base"},
            config=str(cfg),
            credentials=str(copy / "none"),
        )
        return cfg.read_bytes()
    if kind == "settings":
        path = copy / "config.toml"
        path.write_bytes(target.path.read_bytes())
        toggle_favorite(load_settings(str(path)), "a")
        return path.read_bytes()
    return None


def _kill_at(argv: list[str], step: str, match: str, marker: Path) -> tuple[str, str]:
    """Run ``argv`` until it pauses at ``step`` of the write of ``match``, then SIGKILL it.
    Returns (path, temporary file) as the writer reported them."""
    env = dict(os.environ)
    env.update(
        ROLECALL_TEST_WRITE_PAUSE=step,
        ROLECALL_TEST_WRITE_MARKER=str(marker),
        ROLECALL_TEST_WRITE_MATCH=match,
    )
    proc = subprocess.Popen(
        argv,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"the writer ended before {step}: {proc.returncode} {err!r} {out!r}")
            assert time.monotonic() < deadline, f"the writer never reached {step}"
            time.sleep(0.01)
        _, path, tmp = marker.read_text().splitlines()
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        return path, tmp
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        marker.unlink(missing_ok=True)


def _strays(directory: Path, allowed: set[str]) -> list[str]:
    names = []
    for entry in directory.iterdir():
        if entry.name in allowed or entry.is_dir():
            continue
        names.append(entry.name)
    return names


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("kind", ["config", "cache", "settings"])
def test_sigkill_during_a_write(home: Path, tmp_path: Path, kind: str, step: str) -> None:
    if kind == "cache":
        assert_clean_success(run("assume", "a"))  # the old entry
    target = _target(kind, home)
    old = target.path.read_bytes()
    new = _expected_new(kind, target, tmp_path)
    mode = target.path.stat().st_mode & 0o777

    path, tmp = _kill_at(target.argv, step, str(target.path), tmp_path / "marker")
    assert path == str(target.path)

    # 1. the file is whole: old before the rename, new after it
    data = target.path.read_bytes()
    if step == "renamed":
        if new is None:
            assert data != old
            assert (
                json.loads(data)["Credentials"]["AccessKeyId"]
                != (json.loads(old)["Credentials"]["AccessKeyId"])
            )
        else:
            assert data == new
    else:
        assert data == old
    assert target.path.stat().st_mode & 0o777 == mode

    # 2. what is left beside it is only our temporary file, which nobody reads
    directory = target.path.parent
    allowed = {target.path.name}
    if kind == "config":
        allowed.add("config.bak")
        assert (directory / "config.bak").read_bytes() == old
    strays = _strays(directory, allowed)
    if step == "renamed":
        assert strays == []
    else:
        assert strays == [os.path.basename(tmp)]
        assert TEMP_RE.fullmatch(strays[0]) and not strays[0].endswith(".json")
        assert (directory / strays[0]).stat().st_mode & 0o777 == mode

    # 3. the readers are happy
    if kind == "config":
        botocore.configloader.raw_config_parse(str(target.path))
        assert_clean_success(run("list"))
    elif kind == "cache":
        res = run("assume", "a")
        assert_clean_success(res)
        assert "source   cache" in res.stdout
        assert entries.read_entry(keys.cache_key(A)) is not None
    else:
        assert load_settings(str(target.path)).errors == []

    # 4. the next write removes the temporary file of the dead writer
    if strays:
        past = time.time() - 60
        os.utime(directory / strays[0], (past, past))
    again = subprocess.run(
        target.again, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert again.returncode == 0, again.stderr
    assert _strays(directory, allowed) == []


def test_a_fresh_temp_file_of_a_live_writer_is_kept(tmp_path: Path) -> None:
    """Only dead writers' temporary files are cleaned: a concurrent writer's one stays."""
    from rolecall.core import fsutil

    live = tmp_path / f".config.{os.getpid()}.0123abcd.rolecall-tmp"
    live.write_text("in progress")
    old_dead = tmp_path / ".config.999999999.0123abcd.rolecall-tmp"
    old_dead.write_text("left by a killed writer")
    past = time.time() - 60
    os.utime(old_dead, (past, past))
    young_dead = tmp_path / ".config.999999998.0123abcd.rolecall-tmp"
    young_dead.write_text("just now")
    other = tmp_path / "notes.rolecall-tmp"
    other.write_text("not ours: not our name pattern")
    # written by a rolecall from before the pid was in the name: removed after an hour
    legacy_old = tmp_path / ".config.0123abcd.rolecall-tmp"
    legacy_old.write_text("old")
    os.utime(legacy_old, (time.time() - 7200,) * 2)
    legacy_young = tmp_path / ".config.4567abcd.rolecall-tmp"
    legacy_young.write_text("young")
    fsutil.atomic_write(str(tmp_path / "config"), b"[default]\n")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["config", live.name, young_dead.name, other.name, legacy_young.name])


def test_cache_entry_is_never_seen_half_written(home: Path) -> None:
    """A reader racing many writers of one entry sees a whole old or a whole new file."""
    key = keys.cache_key(A)
    entries.write_entry(key, fresh_response("ASIARACE000000000000"))
    stop = time.monotonic() + 1.5
    code = (
        "import sys, time\n"
        "from rolecall.core.cache import entries\n"
        "from tests.hardening._util import fresh_response\n"
        "end = time.monotonic() + 1.5\n"
        "i = 0\n"
        "while time.monotonic() < end:\n"
        "    i += 1\n"
        "    entries.write_entry(sys.argv[1], fresh_response(f'ASIARACE{i:012d}'))\n"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", code, key], cwd=str(Path(__file__).parents[2]))
        for _ in range(2)
    ]
    reads = 0
    try:
        while time.monotonic() < stop:
            entry = entries.read_entry(key)
            assert entry is not None and entry.access_key_id.startswith("ASIARACE")
            reads += 1
    finally:
        for proc in writers:
            assert proc.wait(timeout=30) == 0
    assert reads > 100
    assert [p.name for p in Path(keys.cli_cache_dir()).iterdir()] == [f"{key}.json"]


def test_a_symlinked_config_stays_a_link(isolated_env: Path) -> None:
    """A config kept in a dotfiles repository and linked from ~/.aws: an edit writes
    the file behind the link (atomically, next to it) and leaves the link alone."""
    dotfiles = isolated_env / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "aws-config"
    real.write_text(CONFIG)
    link = isolated_env / ".aws" / "config"
    link.parent.mkdir()
    link.symlink_to(real)
    res = run("profile", "add", "newp", "--role-arn", NEW_ARN, "--source-profile", "base")
    assert_clean_success(res)
    assert link.is_symlink() and link.resolve() == real
    assert "[profile newp]" in real.read_text()
    assert (isolated_env / ".aws" / "config.bak").read_text() == CONFIG
    assert sorted(p.name for p in dotfiles.iterdir()) == ["aws-config"]
    assert_clean_success(run("profile", "remove", "newp"))
    assert link.is_symlink() and real.read_text() == CONFIG
