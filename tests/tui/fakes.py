"""Fakes shared by the Pilot and snapshot tests: a clock, STS, a launcher, a fixed sample."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rolecall.settings import Settings, load_settings
from rolecall.tui.app import RolecallApp
from rolecall.tui.services import Services

DATA = Path(__file__).parent / "data"
FROZEN = datetime(2030, 1, 2, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = FROZEN) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeExpiry:
    profile: str
    kind: str
    expires_at: datetime
    source: str = "fake"


class FakeAssumeError(Exception):
    def __init__(self, message: str, hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code


@dataclass
class FakeSts:
    """assume / mfa_needed / whoami with the contract's signatures, and a record of calls."""

    clock: Callable[[], datetime]
    calls: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, FakeAssumeError] = field(default_factory=dict)
    gate: threading.Event | None = None
    cached: set[str] = field(default_factory=set)

    def mfa_needed(
        self, profiles: Any, name: str, *, use_cache: bool = True, now: Any = None
    ) -> str | None:
        if use_cache and name in self.cached:
            return None
        serial: str | None = profiles[name].mfa_serial
        return serial

    def assume(self, profiles: Any, name: str, **kwargs: Any) -> Any:
        self.calls.append({"name": name, **kwargs})
        progress = kwargs.get("progress") or (lambda e: None)
        prof = profiles[name]
        hops = list(reversed(prof.chain))
        total = len(hops) - 1
        progress(
            SimpleNamespace(
                kind="root",
                profile=name,
                message=f"root credentials: {hops[0]}",
                step=0,
                total=total,
                arn=None,
                expiration=None,
                hint=None,
            )
        )
        if self.gate is not None:
            self.gate.wait(5)
        if name in self.failures:
            raise self.failures[name]
        mfa = kwargs.get("mfa")
        if prof.mfa_serial:
            code = mfa(prof.mfa_serial) if callable(mfa) else mfa
            if code is None:
                raise FakeAssumeError("MFA cancelled", code="MfaCancelled")
        expiration = self.clock() + timedelta(hours=1)
        for step, hop in enumerate(hops[1:], 1):
            hop_prof = profiles[hop]
            progress(
                SimpleNamespace(
                    kind="assume",
                    profile=name,
                    message=f"assuming {step}/{total} {hop_prof.role_arn}",
                    step=step,
                    total=total,
                    arn=hop_prof.role_arn,
                    expiration=None,
                    hint=None,
                )
            )
        if len(hops) > 2:  # an intermediate hop served by the cache, with its expiry
            progress(
                SimpleNamespace(
                    kind="cache-hit",
                    profile=name,
                    message=f"{hops[1]}: cached",
                    step=1,
                    total=total,
                    arn=None,
                    expiration=expiration + timedelta(minutes=5),
                    hint=None,
                )
            )
        return SimpleNamespace(
            profile=name,
            arn=f"arn:aws:sts::{prof.account_id}:assumed-role/{prof.role_name}/rolecall",
            account_id=prof.account_id,
            expiration=expiration,
            from_cache=False,
            region=prof.region,
            credentials=SimpleNamespace(
                access_key_id="ASIAFAKEFAKEFAKE0001",
                secret_access_key="S3CRETS3CRETS3CRETS3CRETS3CRETS3CRETS3CR",
                session_token="T0KEN" * 40,
                expiration=expiration,
            ),
        )

    def whoami(self, result: Any, region: Any = None, client_factory: Any = None) -> dict[str, Any]:
        return {"Account": result.account_id, "Arn": result.arn, "UserId": "AROAFAKE:rolecall"}


@dataclass
class FakeLauncher:
    calls: list[tuple[list[str], dict[str, str]]] = field(default_factory=list)
    #: what was typed for each shell before it opened
    typed: list[str] = field(default_factory=list)
    code: int = 0

    def __call__(
        self, app: Any, argv: Sequence[str], env: Mapping[str, str], typed: str = ""
    ) -> int:
        self.calls.append((list(argv), dict(env)))
        self.typed.append(typed)
        return self.code


def sample_expiries(now: datetime) -> dict[str, FakeExpiry]:
    return {
        "dev": FakeExpiry("dev", "role", now + timedelta(minutes=42, seconds=10)),
        "audit": FakeExpiry("audit", "role", now + timedelta(minutes=12, seconds=5)),
        "sso-readonly": FakeExpiry("sso-readonly", "sso", now + timedelta(hours=7, minutes=3)),
        "audit-deep": FakeExpiry("audit-deep", "role", now - timedelta(minutes=3)),
        "prod-admin": FakeExpiry("prod-admin", "role", now + timedelta(minutes=4, seconds=30)),
    }


def sample_services(
    clock: Callable[[], datetime], sts: FakeSts, launcher: FakeLauncher | None = None
) -> Services:
    start = clock()
    return Services(
        clock=clock,
        assume=sts.assume,
        mfa_needed=sts.mfa_needed,
        whoami=sts.whoami,
        launcher=launcher or FakeLauncher(),
        expiries=lambda profiles, now=None: sample_expiries(start),
        cache_fingerprint=lambda: (),
        build_env=lambda result, base, profile: {
            **dict(base),
            "AWS_PROFILE": profile,
            "AWS_ACCESS_KEY_ID": result.credentials.access_key_id,
        },
        user_shell=lambda env: ["/bin/fake-shell", "-i"],
        environ={"PATH": "/usr/bin", "HOME": "/home/test"},
        serve=False,  # fixed (fake) keys; test_endpoint_tui.py serves them
    )


def sample_app(
    config: str | None = None,
    credentials: str | None = None,
    settings: Settings | None = None,
    **kwargs: Any,
) -> RolecallApp:
    """The fixed sample (tests/tui/data) with a frozen clock and fake STS: for snapshots."""
    clock = FakeClock()
    if settings is None:
        settings = load_settings(str(DATA / "settings.toml"))
    settings.notify_expiry = False
    return RolecallApp(
        config or str(DATA / "config"),
        credentials or str(DATA / "credentials"),
        services=sample_services(clock, FakeSts(clock)),
        settings=settings,
        **kwargs,
    )
