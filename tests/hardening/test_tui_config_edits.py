"""Editing the config while the TUI runs (issue 5, section 3), TUI side.

Another process adds and removes profiles through rolecall's editor (as
``rolecall profile add`` / ``remove`` do: under the config directory's lock)
every 50 to 200 ms for 3 s, while the user saves profiles with the
Switch role form (4 saves).  One of them happens while the other process holds
the lock, paused just before its rename.  Checked:

* no edit is lost: the file ends with every profile either side added and not
  removed, and botocore reads them all;
* the TUI never crashes, never reports a failed reload, and its event loop is
  never more than 100 ms late, even while its save waits for the lock;
* the table follows the file within 2 s: sampled every 50 ms, a profile added
  more than 2 s ago (and not yet removed) is in the table, and one removed more
  than 2 s ago is not.

Then, once the TUI is done saving, writers that take no lock and write in place
in two parts, 30 ms apart (``cat >> config``, an editor that truncates and
rewrites the file): the TUI may read a half-written file, and must follow to the
whole one.  (An unlocked writer racing a save can lose its own write: that is
the core editor's contract, tested in test_concurrent_edits.py.)

``-s`` prints the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import botocore.configloader
from textual.pilot import Pilot
from textual.widgets import Button, Input, Label, Select

from rolecall.tui.screens.switch_role import SwitchRoleScreen
from tests.hardening._tui import (
    MAX_LATENESS,
    SIZE,
    Probe,
    make_app,
    ready,
    run_async,
    status_lines,
    table_names,
    until,
)
from tests.hardening._util import CONFIG

#: the table must show a change of the file within this many seconds
FOLLOW = 2.0
#: how long the other process edits
EDIT_SECONDS = 3.0
#: a profile the other process adds lives this long before it removes it
LIFE = 2.2
#: the other process's add that pauses (holding the lock) before its rename
PAUSE_AT = 4

WRITER = r"""
import json, os, random, sys, time
from rolecall.core import edit, fsutil

config, log_path, marker, go, seconds, life, pause_at = sys.argv[1:8]
seconds, life, pause_at = float(seconds), float(life), int(pause_at)
state = {"pause": False, "paused": False}

def hook(step, path):
    if step == "before-rename" and path == config and state["pause"]:
        state["pause"] = False
        state["paused"] = True
        with open(marker + ".part", "w") as fh:
            fh.write("paused")
        os.replace(marker + ".part", marker)
        while os.path.exists(marker):
            time.sleep(0.01)

fsutil.write_hook = hook
rng = random.Random(5)
alive = []
end = time.time() + seconds
i = 0
with open(log_path, "w") as log:
    def record(op, name, fn):
        t0 = time.time()
        try:
            fn()
            ok = True
        except edit.EditError as exc:
            ok = str(exc)
        log.write(json.dumps([op, name, t0, time.time(), ok]) + "\n")
        log.flush()
        return ok is True

    # the pause (holding the lock) waits until the test has made its first
    # save ("armed"), and the edits go on until it has happened
    while time.time() < end or not state["paused"]:
        name = f"ext-{i}"
        state["pause"] = (
            not state["paused"] and i >= pause_at and os.path.exists(marker + ".armed")
        )
        arn = f"arn:aws:iam::{100000000000 + i}:role/Ext"
        settings = {"role_arn": arn, "source_profile": "base"}
        if record("add", name, lambda: edit.add_profile(name, settings, config=config)):
            alive.append((name, time.time()))
        while alive and time.time() - alive[0][1] > life:
            old = alive.pop(0)[0]
            record("remove", old, lambda: edit.remove_profile(old, config=config))
        i += 1
        time.sleep(rng.uniform(0.05, 0.2))

    # then, once the TUI is done saving: writers that take no lock and write in
    # place, in two parts (``cat >> config``, an editor that truncates and rewrites)
    while not os.path.exists(go):
        time.sleep(0.01)
    for k in range(6):
        section = f"\n[profile raw-{k}]\n"
        rest = f"role_arn = arn:aws:iam::{200000000000 + k}:role/Raw\nsource_profile = base\n"
        t0 = time.time()
        if k % 2 == 0:
            with open(config, "a") as fh:
                fh.write(section)
                fh.flush()
                time.sleep(0.03)
                fh.write(rest)
        else:
            with open(config) as fh:
                text = fh.read() + section + rest
            with open(config, "w") as fh:
                fh.write(text[: len(text) // 2])
                fh.flush()
                time.sleep(0.03)
                fh.write(text[len(text) // 2 :])
        op = "append" if k % 2 == 0 else "rewrite"
        log.write(json.dumps([op, f"raw-{k}", t0, time.time(), True]) + "\n")
        log.flush()
        time.sleep(0.2)
"""


def _base_names() -> set[str]:
    return {"base", "a", "b", "c", "mfa1"}


def test_config_edited_by_another_process_while_the_tui_saves(
    isolated_env: Path, tmp_path: Path
) -> None:
    cfg = isolated_env / ".aws" / "config"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(CONFIG)
    log_path, marker, go = tmp_path / "writer.log", tmp_path / "paused", tmp_path / "go"
    app = make_app()
    samples: list[tuple[float, frozenset[str]]] = []
    saves: list[tuple[str, float, float, str]] = []  # name, start, end, form error

    async def save(pilot: Pilot[Any], name: str, while_paused: bool = False) -> None:
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, SwitchRoleScreen))
        screen = app.screen
        assert isinstance(screen, SwitchRoleScreen)
        values = {"account": "210987654321", "role": "Ops", "name": name, "source": "base"}
        for key, value in values.items():
            widget = screen.query_one(f"#{key}")
            assert isinstance(widget, Input | Select)
            widget.value = value
        await pilot.pause()
        start = time.time()
        await pilot.press("ctrl+s")
        if while_paused:
            # the other process holds the lock: the save waits in its worker,
            # and the UI goes on (the form stays open, Save disabled).  A UI that
            # waited on the lock itself would never let this coroutine release
            # it: a timer thread does, so that such a UI fails instead of hanging.
            safety = threading.Timer(5.0, lambda: marker.unlink(missing_ok=True))
            safety.start()
            probe = Probe().start()
            await pilot.pause(0.6)
            late = probe.stop()
            print(f"\nwhile the save waited 0.6 s for the lock: loop lateness {late * 1000:.1f} ms")
            assert late < MAX_LATENESS, f"the UI froze {late * 1000:.0f} ms during the save"
            assert app.screen is screen and screen.query_one("#switch-save", Button).disabled
            marker.unlink(missing_ok=True)
            safety.cancel()
        await until(
            pilot,
            lambda: (
                app.screen is not screen or bool(screen.query_one("#form-error", Label).render())
            ),
            timeout=10,
        )
        error = (
            "" if app.screen is not screen else str(screen.query_one("#form-error", Label).render())
        )
        saves.append((name, start, time.time(), error))
        if error:
            await pilot.press("escape")

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot, app)
            sampler = app.set_interval(
                0.05, lambda: samples.append((time.time(), frozenset(table_names(app))))
            )
            probe = Probe().start()
            writer = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    WRITER,
                    str(cfg),
                    str(log_path),
                    str(marker),
                    str(go),
                    str(EDIT_SECONDS),
                    str(LIFE),
                    str(PAUSE_AT),
                ],
                env=dict(os.environ),
            )
            try:
                await save(pilot, "tui-0")
                Path(f"{marker}.armed").touch()
                await until(pilot, marker.exists, timeout=15)
                await save(pilot, "tui-1", while_paused=True)
                for k in (2, 3):
                    await pilot.pause(0.2)
                    await save(pilot, f"tui-{k}")
                go.touch()
                await until(pilot, lambda: writer.poll() is not None, timeout=30)
            finally:
                if writer.poll() is None:
                    writer.kill()
                writer.wait()
            assert writer.returncode == 0
            done = time.time()
            final = set(botocore.configloader.load_config(str(cfg))["profiles"])
            took = await until(pilot, lambda: set(table_names(app)) == final, timeout=FOLLOW + 1)
            await pilot.pause(0.2)
            sampler.stop()
            lateness = probe.stop()
            print(f"table matched the final file {took:.2f} s after the last edit")
            # informative only: opening the Switch role form (composing it) is in here
            print(f"loop lateness over the whole run: {lateness * 1000:.1f} ms")
            assert took <= FOLLOW, took
            assert app.is_running
            text = "\n".join(status_lines(app))
            assert "reload failed" not in text and "Traceback" not in text, text
            _check(final, done)

    def _check(final: set[str], done: float) -> None:
        ops = [json.loads(line) for line in log_path.read_text().splitlines()]
        assert all(ok is True for *_, ok in ops), [op for op in ops if op[-1] is not True]
        added = {name: (t0, t1) for op, name, t0, t1, _ in ops if op != "remove"}
        # while an editor truncates and rewrites the file in place, the file itself
        # briefly lacks profiles: the table may show that
        rewrites = [(t0, t1 + FOLLOW) for op, _, t0, t1, _ in ops if op == "rewrite"]

        def settled(when: float) -> bool:
            return not any(a <= when <= b for a, b in rewrites)

        removed = {name: (t0, t1) for op, name, t0, t1, _ in ops if op == "remove"}
        assert all(error == "" for *_, error in saves), saves
        for name, t0, t1, _ in saves:
            added[name] = (t0, t1)
        # no edit lost: everything added and not removed is in the file
        assert final == _base_names() | (set(added) - set(removed)), final
        # the table followed: never more than FOLLOW seconds behind
        lags: list[float] = []
        for name, (_, t1) in added.items():
            gone = removed.get(name, (float("inf"), float("inf")))
            for when, names in samples:
                if not settled(when):
                    continue
                if when >= t1 + FOLLOW and when < gone[0]:
                    assert name in names, f"{name} added at {t1:.2f}, not shown at {when:.2f}"
                if when >= gone[1] + FOLLOW:
                    assert name not in names, f"{name} removed at {gone[1]:.2f}, shown at {when}"
            seen = [when for when, names in samples if when >= t1 and name in names]
            if seen and seen[0] < gone[0]:
                lags.append(seen[0] - t1)
        for name, (_, t1) in removed.items():
            seen = [when for when, names in samples if when >= t1 and name not in names]
            if seen:
                lags.append(seen[0] - t1)
        assert all(_base_names() <= names for when, names in samples if settled(when))
        print(
            f"{len(added)} adds ({len(saves)} through Switch role, {len(rewrites) * 2} unlocked), "
            f"{len(removed)} removes, "
            f"{len(samples)} samples of the table; slowest to show: {max(lags):.2f} s"
        )

    run_async(main)
