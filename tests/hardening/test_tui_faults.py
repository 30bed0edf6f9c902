"""Faults between rolecall and STS (issue 5, section 2), TUI side.

The app runs headless (``App.run_test``) with its real services, against moto
behind the fault-injecting proxy (``tests/moto_fixtures.StsProxy``), with
``ROLECALL_STS_TIMEOUT=1.5``.  For each fault of ``test_faults.py`` (and a
faulty MFA session), Enter on a 2-hop profile must:

* keep the event loop on time: a 5 ms ``call_at`` chain is never more than
  100 ms late, and the one-second tick that repaints the countdowns keeps
  running (measured over the fault, and at least 1.1 s);
* end with the error in the status panel: one line, with the same words as the
  CLI's, followed by its hint; an error notification; the row not busy and
  without a countdown;
* write nothing: the CLI cache, rolecall's cache, the settings and the config
  are byte for byte as before;
* and, once the fault is gone, the same Enter works.

``-s`` prints the lateness per fault.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from rolecall.core.cache import entries, keys
from rolecall.core.profiles import load_profiles
from tests.hardening._tui import (
    MAX_LATENESS,
    SIZE,
    Notes,
    Probe,
    Ticks,
    idle_jobs,
    make_app,
    ready,
    run_async,
    status_lines,
    until,
)
from tests.hardening._util import CONFIG, fresh_response, snapshot
from tests.hardening.test_faults import CASES, TIMEOUT, Case, _past
from tests.moto_fixtures import StsProxy, refused_url

LIVE_ARN = "arn:aws:iam::444444444444:role/Live"
#: the hardening config, and a profile whose cached credentials count down
TUI_CONFIG = CONFIG + f"\n[profile live]\nrole_arn = {LIVE_ARN}\nsource_profile = base\n"

FAULTS: dict[str, Case] = {
    **CASES,
    "mfa-session-expiration-in-the-past": Case(
        lambda p: p.rewrite("GetSessionToken", _past, times=100),
        "that expired at 2020-01-01T00:00:00Z",
        0.0,
    ),
}


@pytest.fixture
def home(isolated_env: Path, sts_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    cfg = isolated_env / ".aws" / "config"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(TUI_CONFIG)
    monkeypatch.setenv("ROLECALL_STS_TIMEOUT", str(TIMEOUT))
    key = keys.cache_key_for(load_profiles()["live"])
    assert key is not None
    entries.write_entry(key, fresh_response("ASIAHARDENINGLIVE001", arn=LIVE_ARN))
    return isolated_env


def _state(home: Path) -> dict[str, bytes]:
    return snapshot(home / ".aws", home / ".cache", home / ".config")


#: two groups, one app each (start-up is paid once per group, and xdist runs both at once)
GROUPS = {
    "network-and-5xx": [f for f in FAULTS if list(FAULTS).index(f) % 2 == 0],
    "answers-and-chains": [f for f in FAULTS if list(FAULTS).index(f) % 2 == 1],
}


@pytest.mark.parametrize("group", list(GROUPS))
def test_tui_keeps_ticking_and_reports_the_fault(
    group: str, home: Path, sts_proxy: StsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    ticks = Ticks(app)
    notes = Notes(app)

    async def press_enter(pilot: Pilot[Any], profile: str) -> float:
        """Enter on ``profile`` (and its MFA code); returns when the request left the UI
        (after the MFA prompt is drawn: composing a modal is not a fault's stall)."""
        assert app.main.table.move_cursor_to(profile)
        start = time.monotonic()
        await pilot.press("enter")
        if profile == "mfa1":
            await until(pilot, lambda: type(app.screen).__name__ == "MfaScreen")
            await pilot.press(*"123456")
            start = time.monotonic()
            await pilot.press("enter")
        return start

    async def one_fault(pilot: Pilot[Any], fault: str, probe: Probe) -> None:
        case = FAULTS[fault]
        profile = "mfa1" if fault.startswith("mfa") else "b"
        before = _state(home)
        sts_proxy.reset()
        endpoint = refused_url() if case.refused else sts_proxy.url
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", endpoint)
        case.inject(sts_proxy)
        seen_lines, seen_notes = len(status_lines(app)), len(notes)

        start = await press_enter(pilot, profile)
        await idle_jobs(pilot, app)
        end = time.monotonic()
        lateness = probe.lateness(start, end)
        tick_lateness = max(0.0, ticks.lateness(start, end))
        print(
            f"\n{fault}: {end - start:.2f} s, loop lateness {lateness * 1000:.1f} ms "
            f"({probe.count(start, end)} samples), ticks {len(ticks.between(start, end))} "
            f"(lateness {tick_lateness * 1000:.1f} ms)"
        )
        assert lateness < MAX_LATENESS, f"{fault}: the loop stalled {lateness * 1000:.0f} ms"
        assert tick_lateness < MAX_LATENESS, f"{fault}: a tick {tick_lateness * 1000:.0f} ms late"
        if end - start > 1.1:
            assert ticks.between(start, end), f"{fault}: no tick in {end - start:.1f} s"

        # the error: one status line with the CLI's words, then its hint
        lines = status_lines(app)[seen_lines:]
        errors = [i for i, line in enumerate(lines) if case.expect in line]
        assert len(errors) == 1, (fault, lines)
        assert f" {profile} " in lines[errors[0]], (fault, lines)
        assert errors[0] + 1 < len(lines), (fault, lines)
        assert re.search(rf" {profile} hint: \S", lines[errors[0] + 1]), (fault, lines)
        text = "\n".join(lines)
        assert "Traceback" not in text and "unexpectedly" not in text, (fault, text)
        failed = [n for n in notes[seen_notes:] if n.severity == "error"]
        assert len(failed) == 1 and case.expect in failed[0].message, (fault, failed)
        assert failed[0].title == f"{profile} failed"
        assert not app.busy(profile) and profile not in app.main.table.busy
        assert profile not in app.sessions
        assert app.main.state.rows[profile].expires_at is None  # no countdown
        assert _state(home) == before, f"{fault}: something was written"

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot, app)
            probe = Probe().start()
            for fault in GROUPS[group]:
                await one_fault(pilot, fault, probe)
            await until(pilot, lambda: time.monotonic() - probe.start_time > 2.1)
            probe.stop()
            # over the whole group: the countdowns ticked every second, on time
            tick_times = ticks.between(probe.start_time, probe.end_time)
            assert len(tick_times) >= 2, tick_times
            assert ticks.lateness(probe.start_time, probe.end_time) < MAX_LATENESS
            # once the faults are gone, the same Enter works
            sts_proxy.reset()
            monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts_proxy.url)
            for profile in ("b", "mfa1"):
                await press_enter(pilot, profile)
                await idle_jobs(pilot, app)
                assert profile in app.sessions, status_lines(app)[-3:]
                assert app.main.state.rows[profile].expires_at is not None

    run_async(main)
