"""Concurrent config edits (issue 5, section 3): no update is ever lost.

``rolecall profile add`` reads, checks and writes under an ``flock`` on the
config's directory, and refuses to replace a file that changed on disk since it
was read (a hand edit in an editor, which takes no lock).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import botocore.configloader
import pytest

from rolecall.core import fsutil
from tests.hardening._util import CONFIG, Run, assert_one_line_failure, rolecall_argv, run

ARN = "arn:aws:iam::123456789012:role/R{}"


def _add(name: str, *source: str, **env_extra: str) -> subprocess.Popen[str]:
    env = dict(os.environ, **env_extra)
    return subprocess.Popen(
        rolecall_argv(
            "profile",
            "add",
            name,
            "--role-arn",
            ARN.format(name),
            *(source or ("--source-profile", "base")),
        ),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _profiles(cfg: Path) -> dict[str, dict[str, object]]:
    parsed = botocore.configloader.raw_config_parse(str(cfg))
    return {k.split(" ", 1)[-1]: v for k, v in parsed.items()}


@pytest.fixture
def cfg(isolated_env: Path) -> Path:
    path = isolated_env / ".aws" / "config"
    path.parent.mkdir(parents=True)
    path.write_text(CONFIG)
    return path


@pytest.mark.parametrize("first_edit", [False, True], ids=["existing-file", "no-aws-dir-yet"])
def test_many_adds_at_once_all_land(isolated_env: Path, first_edit: bool) -> None:
    cfg = isolated_env / ".aws" / "config"
    if first_edit:
        # nothing exists yet: the first edits race on creating ~/.aws and the file
        assert not cfg.parent.exists()
    else:
        cfg.parent.mkdir(parents=True)
        cfg.write_text("[profile base]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n")
    source = ("--credential-source", "Environment") if first_edit else ()
    names = [f"p{i}" for i in range(10)]
    procs = [_add(n, *source) for n in names]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    landed = _profiles(cfg)
    assert set(landed) == set(names) | (set() if first_edit else {"base"})
    for name in names:
        assert landed[name]["role_arn"] == ARN.format(name)
    assert [p.name for p in cfg.parent.iterdir() if "rolecall-tmp" in p.name] == []
    assert (cfg.parent / "config.bak").exists()


def test_waiting_on_the_lock_then_landing_on_top_of_the_holders_edit(cfg: Path) -> None:
    """Another rolecall (the TUI, a paused add) holds the lock and edits: the waiting
    adds go after it, on top of its edit."""
    with fsutil.locked_dir(str(cfg.parent)):
        procs = [_add(f"w{i}") for i in range(3)]
        time.sleep(1.0)
        assert all(p.poll() is None for p in procs), "they must wait for the lock"
        assert cfg.read_text() == CONFIG
        cfg.write_text(CONFIG + "\n[profile held]\nregion = eu-west-1\n")
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    landed = _profiles(cfg)
    assert {"held", "w0", "w1", "w2"} <= set(landed)
    assert cfg.read_text().startswith(CONFIG + "\n[profile held]\nregion = eu-west-1\n")


def test_hand_edit_during_a_write_is_kept_and_the_add_refused(cfg: Path, tmp_path: Path) -> None:
    """An editor saves the file while ``profile add`` is between reading and renaming:
    the add is refused with one line and the hand edit stays."""
    marker = tmp_path / "marker"
    proc = _add(
        "late",
        ROLECALL_TEST_WRITE_PAUSE="fsynced",
        ROLECALL_TEST_WRITE_MARKER=str(marker),
        ROLECALL_TEST_WRITE_MATCH=str(cfg),
    )
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    edited = CONFIG + "\n# saved from an editor meanwhile\n[profile by-hand]\nregion = x\n"
    cfg.write_text(edited)
    marker.unlink()  # let the writer go on
    out, err = proc.communicate(timeout=60)
    line = assert_one_line_failure(Run(("profile", "add"), proc.returncode, out, err, 0.0), 1)
    assert "changed on disk since it was read; nothing written" in line
    assert cfg.read_text() == edited
    assert [p.name for p in cfg.parent.iterdir() if "rolecall-tmp" in p.name] == []
    # run again, it lands on top of the hand edit
    again = run(
        "profile", "add", "late", "--role-arn", ARN.format("late"), "--source-profile", "base"
    )
    assert again.returncode == 0, again.stderr
    assert cfg.read_text().startswith(edited)
    assert "late" in _profiles(cfg)
