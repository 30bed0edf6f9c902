#!/usr/bin/env python3
"""Regenerate screenshots/*.svg: the TUI on the demo data, with the clock frozen.

    python scripts/screenshots.py [--out screenshots]

The files come from ``rolecall.demo.prepare_demo`` (the config, the cached
credentials and the settings of ``rolecall demo``), written into a temporary
HOME with every expiry anchored to a fixed instant; the app's clock is frozen
at that instant.  STS is replaced by a small stand-in that answers the way the
real engine reports its steps, so no server is needed and every run gives the
same SVGs.  Nothing of the user's own ~/.aws is read.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FROZEN = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)
SIZE = (140, 40)


@dataclass
class Event:
    kind: str
    profile: str
    message: str
    step: int = 0
    total: int = 0
    arn: str | None = None
    expiration: datetime | None = None
    hint: str | None = None


@dataclass
class Creds:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime


@dataclass
class Result:
    profile: str
    credentials: Creds
    arn: str
    account_id: str | None
    expiration: datetime
    from_cache: bool
    region: str | None


def fake_assume(clock: Callable[[], datetime]) -> Callable[..., Result]:
    """Reports the steps of a chain as ``rolecall.core.sts.assume`` does, without a network."""

    def assume(profiles: Any, name: str, **kwargs: Any) -> Result:
        progress = kwargs.get("progress") or (lambda event: None)
        prof = profiles[name]
        hops = prof.chain[:-1]  # the profiles that assume a role, top first
        total = len(hops)
        root = prof.chain[-1]
        progress(
            Event("root", name, f"resolving root credentials: the static keys of profile {root!r}")
        )
        expiration = clock() + timedelta(hours=1)
        for step, hop in enumerate(reversed(hops), 1):
            arn = profiles[hop].role_arn
            progress(Event("assume", name, f"assuming {step}/{total} {arn}", step, total, arn))
        session = prof.role_session_name or "demo-user"
        arn = f"arn:aws:sts::{prof.account_id}:assumed-role/{prof.role_name}/{session}"
        return Result(
            name,
            Creds("ASIADEMO", "x" * 40, "y" * 100, expiration),
            arn,
            prof.account_id,
            expiration,
            False,
            prof.region,
        )

    return assume


def whoami(result: Result, region: str | None = None, **kwargs: Any) -> dict[str, str]:
    return {"Account": result.account_id or "", "Arn": result.arn, "UserId": "AROADEMO:demo-user"}


async def shoot(
    out: Path,
    name: str,
    steps: Callable[[Any, Any], Awaitable[str | None]],
    services: Any,
    size: tuple[int, int] = SIZE,
) -> None:
    from rolecall.settings import load_settings
    from rolecall.tui.app import RolecallApp

    settings = load_settings()
    settings.notify_expiry = False
    settings.notify_assume = False
    app = RolecallApp(None, None, services=services, settings=settings)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        svg = await steps(app, pilot)  # (a shot of a modal a worker holds open is taken there)
        if svg is None:
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            svg = app.export_screenshot(title="rolecall")
    (out / f"{name}.svg").write_text(svg)
    print(f"wrote {out / name}.svg")


async def main_screen(app: Any, pilot: Any) -> str | None:
    app.main.table.move_cursor_to("shared-services")
    await pilot.pause()
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("i")
    return None


async def mfa_modal(app: Any, pilot: Any) -> str | None:
    app.main.table.move_cursor_to("prod-admin")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("4", "0", "7")
    return None


async def switch_role(app: Any, pilot: Any) -> str | None:
    await pilot.press("n")
    await pilot.pause()
    screen = app.screen
    screen.query_one("#account").value = "527364018843"
    screen.query_one("#role").value = "Deployer"
    screen.query_one("#display").value = "[staging] deploy"
    screen.query_one("#color").value = "dark_orange"
    screen.query_one("#region").value = "eu-west-1"
    screen.query_one("#role").focus()
    return None


async def guard_modal(app: Any, pilot: Any) -> str | None:
    """The demo guards [prod] admin: its colour bar, and the confirm modal of its shell."""
    app.main.table.move_cursor_to("prod-admin")
    await pilot.pause()
    await pilot.press("s")
    await pilot.pause(0.3)  # (the modal waits for the keys typed with `s`)
    return None


async def help_screen(app: Any, pilot: Any) -> str | None:
    await pilot.press("question_mark")
    return None


async def filtered(app: Any, pilot: Any) -> str | None:
    await pilot.press("o", "slash", "a", "u", "d")
    return None


class SsoExpired(Exception):
    """What the engine raises for an SSO profile with no live token."""

    code = "SsoExpired"
    hint = None

    def __init__(self, profile: str) -> None:
        self.message = f"SSO session expired: run `rolecall sso login {profile}`"
        super().__init__(self.message)


def logged_out(clock: Callable[[], datetime]) -> Callable[..., Result]:
    """``fake_assume``, with the SSO profiles logged out."""
    inner = fake_assume(clock)

    def assume(profiles: Any, name: str, **kwargs: Any) -> Result:
        if profiles[name].kind == "sso":
            raise SsoExpired(name)
        return inner(profiles, name, **kwargs)

    return assume


def waiting_login(clock: Callable[[], datetime]) -> Callable[..., None]:
    """``Services.sso_login`` that shows a device code and waits until cancelled."""
    from rolecall.core.sso.login import DeviceCode

    def login(profiles: Any, name: str, on_code: Callable[[Any], None], cancel: Any) -> None:
        url = "https://device.sso.eu-west-1.amazonaws.com/"
        code = DeviceCode(
            url,
            url + "?user_code=KXQT-VMPL",
            "KXQT-VMPL",
            clock() + timedelta(minutes=9, seconds=42),
            5,
        )
        on_code(code)
        cancel.wait(30)

    return login


async def sso_login(app: Any, pilot: Any) -> str | None:
    from rolecall.tui.screens.sso_login import SsoLoginScreen

    app.main.table.move_cursor_to("sso-dev")
    await pilot.pause()
    await pilot.press("enter")
    for _ in range(300):
        await pilot.pause(0.02)
        if isinstance(app.screen, SsoLoginScreen) and app.screen.code is not None:
            break
    await pilot.pause(0.2)
    svg: str = app.export_screenshot(title="rolecall")
    await pilot.press("escape")  # (its worker ends: the shot is taken)
    return svg


def demo_discovery(config: Any, ttl: float) -> list[Any]:
    """``Services.discover``: what the demo's portal grants (its SSO_ACCOUNTS), as if cached."""
    from rolecall.core.sso.discovery import Discovery, Role, SessionRoles
    from rolecall.core.sso.session import sessions
    from rolecall.demo.sample import SSO_ACCOUNTS

    roles = tuple(
        Role(name, account_id, role)
        for account_id, (name, granted) in SSO_ACCOUNTS.items()
        for role in granted
    )
    return [SessionRoles(s, Discovery(roles, FROZEN, from_cache=True)) for s in sessions(config)]


async def run(out: Path) -> None:
    from rolecall.demo import prepare_demo
    from rolecall.tui.services import Services

    clock = lambda: FROZEN  # noqa: E731
    shots: list[tuple[str, Callable[[Any, Any], Awaitable[str | None]]]] = [
        ("main", main_screen),
        ("mfa", mfa_modal),
        ("guard", guard_modal),
        ("switch-role", switch_role),
        ("help", help_screen),
        ("filter", filtered),
        ("sso-login", sso_login),
        ("main-80x24", main_screen),  # the smallest terminal the UI is made for
    ]
    for name, steps in shots:
        home = Path(tempfile.mkdtemp(prefix="rolecall-shots-"))
        try:
            # a fresh demo HOME per shot, so that no shot sees another's writes
            sso = name == "sso-login"  # (the others keep the demo logged in to SSO)
            env = prepare_demo(str(home), "http://127.0.0.1:9", now=FROZEN, sso_logged_in=not sso)
            os.environ.update(env)
            services = Services(
                clock=clock,
                assume=logged_out(clock) if sso else fake_assume(clock),
                whoami=whoami,
                launcher=lambda app, argv, env, typed: 0,
                sso_login=waiting_login(clock),
                browser=lambda url: False,
                discover=demo_discovery,
            )
            size = (80, 24) if name.endswith("80x24") else SIZE
            await shoot(out, name, steps, services, size)
        finally:
            shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for key in [k for k in os.environ if k.startswith(("AWS_", "ROLECALL_"))]:
        del os.environ[key]
    os.environ["TZ"] = "UTC"
    time.tzset()
    asyncio.run(run(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
