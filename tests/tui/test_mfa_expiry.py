"""Which rows and chains show an MFA session's expiry (issue 9 §5), and the flaky
``test_moto.py::test_mfa_against_sts``: a cache read that lands between the MFA session's
write and the role's showed the 12-hour session on the role's row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tests.tui.fakes import FROZEN, FakeClock, FakeExpiry
from tests.tui.helpers import goto, row_of, started, until

from rolecall.tui.app import RolecallApp

SESSION_END = FROZEN + timedelta(hours=12)


def _session(name: str) -> FakeExpiry:
    return FakeExpiry(name, "mfa", SESSION_END)


async def test_a_role_shows_its_own_hour_not_the_mfa_session(
    make_app: Callable[..., RolecallApp], clock: FakeClock
) -> None:
    """The cache lends prod-admin the MFA session (its role entry is not written yet);
    the assume here gives it an hour: the row shows that hour."""
    app = make_app(
        services={"expiries": lambda profiles, now=None: {"prod-admin": _session("prod-admin")}}
    )
    async with started(app) as pilot:
        assert row_of(app, "prod-admin").endswith("12:00:00")  # nothing better yet
        await goto(pilot, app, "prod-admin")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"123456", "enter")
        await until(pilot, lambda: not app.assumes)
        await pilot.pause()
        assert row_of(app, "prod-admin").endswith("1:00:00")


async def test_a_chain_shows_the_session_only_where_it_uses_it(
    make_app: Callable[..., RolecallApp],
) -> None:
    """prod-admin's chain uses the MFA session of default's keys; dev's does not (no
    mfa_serial on its first hop). The detail panel shows the session under default
    for prod-admin only."""
    sessions: dict[str, Any] = {"prod-admin": _session("prod-admin")}
    app = make_app(
        services={
            "expiries": lambda profiles, now=None: dict(sessions),
            "mfa_sessions": lambda profiles, now=None: dict(sessions),
        }
    )
    async with started(app) as pilot:
        await goto(pilot, app, "prod-admin")
        detail = str(app.main.detail._text.render())
        root_line = next(line for line in detail.splitlines() if "└─ default" in line)
        assert "12:00:00 left" in root_line and "MFA session" in root_line, detail
        await goto(pilot, app, "dev")
        detail = str(app.main.detail._text.render())
        root_line = next(line for line in detail.splitlines() if "└─ default" in line)
        assert "long-term keys" in root_line, detail
        assert not row_of(app, "default").endswith("12:00:00")
