"""The flows (``rolecall.tui.flows``) run on what ``Host`` declares, with no App.

A plain host stands in for the app: real files in the test's HOME, real
``Services`` and settings, and a main screen that records what it is told.
Nothing here starts Textual: the workers a flow starts are collected, not run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
from tests.tui.fakes import FakeClock

from rolecall.core.sso.discovery import SessionRoles
from rolecall.core.sso.session import SsoSession
from rolecall.settings import Settings
from rolecall.tui.flows.discovery import SsoDiscovery
from rolecall.tui.flows.host import (
    AssumeHost,
    Host,
    InteractiveHost,
    LoadingHost,
    RowActionsHost,
)
from rolecall.tui.flows.loading import ProfileLoading
from rolecall.tui.messages import ProfilesLoaded, RolesDiscovered
from rolecall.tui.services import Services

if TYPE_CHECKING:
    from textual.worker import Worker

    from rolecall.core.profiles import ProfileSet
    from rolecall.tui.screens.main import MainScreen

#: a file the AWS CLI refuses (a key given twice), and one SSO session
CONFIG = """\
[profile broken]
region = eu-west-1
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
"""


class RecordingMain:
    """What the flows tell the main screen, as (method, args)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, method: str) -> Callable[..., None]:
        return lambda *args, **kwargs: self.calls.append((method, args))

    def notes(self, level: str) -> list[str]:
        return [a[1] for m, a in self.calls if m == "note" and a[2] == level]


class PlainHost:
    """The app as the flows see it, and no more (mypy checks it against Host)."""

    def __init__(self, home: Path) -> None:
        self.services = Services(clock=FakeClock(), cache_fingerprint=lambda: ())
        self.settings = Settings(path=str(home / "settings.toml"))
        self.clock: Callable[[], datetime] = self.services.clock
        self.config_arg: str | None = str(home / ".aws" / "config")
        self.credentials_arg: str | None = None
        self.sessions: dict[str, Any] = {}
        self.pick, self.picked, self.closing = False, None, False
        self.recorded = RecordingMain()
        self.main = cast("MainScreen", self.recorded)
        self.sub_title = ""
        self.toasts: list[str] = []
        self.workers: list[tuple[str, str]] = []
        self.loading = ProfileLoading(self)

    @property
    def profiles(self) -> ProfileSet | None:
        return self.loading.profiles

    def notify(self, message: str, **kwargs: Any) -> None:
        self.toasts.append(message)

    def notify_problem(self, message: str) -> None:
        self.toasts.append(message)

    def push_screen(self, screen: Any, callback: Callable[[Any], None] | None = None) -> Any:
        raise AssertionError("no modal here")

    def run_thread(
        self, job: Callable[[], Any], name: str, group: str, description: str = ""
    ) -> Worker[Any]:
        self.workers.append((name, group))
        return cast("Worker[Any]", None)

    def post_message(self, message: Any) -> bool:
        return True

    def call_from_thread(self, callback: Callable[..., Any], *args: Any) -> Any:
        return callback(*args)

    def exit(self, result: int | None = None, return_code: int = 0, message: Any = None) -> None:
        self.closing = True

    def copy_to_clipboard(self, text: str) -> None:
        raise AssertionError("nothing is copied here")

    def tick(self) -> None:
        pass

    def away(self, run: Callable[[Any], Any]) -> Any:
        return run(self)

    def hold_keys(self) -> None:
        pass

    def release_keys(self, drop: bool = False) -> int:
        return 0

    def after_typing(self, callback: Callable[[], None]) -> None:
        callback()

    def take_typed(self) -> str:
        return ""


@pytest.fixture
def aws_config() -> str:
    return CONFIG


@pytest.fixture
def host(home: Path) -> PlainHost:
    return PlainHost(home)


def test_the_plain_host_is_every_host(host: PlainHost) -> None:
    # mypy checks each assignment: the flows need nothing their Protocols do not declare
    plain: Host = host
    loading: LoadingHost = host
    interactive: InteractiveHost = host
    assume: AssumeHost = host
    row_actions: RowActionsHost = host
    assert {id(h) for h in (plain, loading, interactive, assume, row_actions)} == {id(host)}
    assert plain.profiles is None


def test_each_set_of_problems_is_reported_once(host: PlainHost) -> None:
    loading = host.loading
    loading.read_now()
    assert loading.profiles is not None and "broken" in loading.profiles
    warned = host.recorded.notes("warn")
    assert any("AWS CLI will refuse" in line for line in warned), warned
    assert len(host.toasts) == 1 and "1 problem" in host.toasts[0]
    assert "1 profile" in host.sub_title
    # a reload that finds the same problems says nothing new
    again = host.services.load_profiles(host.config_arg, host.credentials_arg)
    loading.loaded(ProfilesLoaded(again, None, loading.file_watch.now()))
    assert host.recorded.notes("warn") == warned
    assert len(host.toasts) == 1
    assert not loading.reloading


def test_only_the_last_listing_of_the_sso_sessions_is_shown(host: PlainHost) -> None:
    host.loading.read_now()
    discovery = SsoDiscovery(host, host.loading.reload_soon)
    discovery.discover()
    discovery.discover()  # (a reload came: a second listing)
    assert [group for _, group in host.workers].count("sso-discovery") == 2
    corp = SsoSession("corp", "https://corp.awsapps.com/start", "eu-west-1", ())
    found = [SessionRoles(corp, None)]
    discovery.discovered(RolesDiscovered(found, {}, 1))  # the first, landing late
    assert not [m for m, _ in host.recorded.calls if m == "set_discovered"]
    discovery.discovered(RolesDiscovered(found, {}, 2))
    assert [m for m, _ in host.recorded.calls if m == "set_discovered"] == ["set_discovered"]
