"""What a flow may ask of the app: Protocols the app satisfies, one per need.

The flows are given these, not the :class:`~rolecall.tui.app.RolecallApp` class:
mypy checks that each uses nothing else of the app, and the app's other methods
stay its own.  :class:`Host` is what every flow may read (the injected
services, the settings, the files' paths, the profiles and the sessions of this
run, the main screen) and the calls they all make (a notification, a thread
worker).  The others add what only some flows need:

* :class:`LoadingHost`: the header's second line (``flows.loading``);
* :class:`InteractiveHost`: a modal, the keys typed ahead, the UI suspended
  (``flows.shell``);
* :class:`AssumeHost`: and ``rolecall pick``'s exit (``flows.assume``);
* :class:`RowActionsHost`: and the clipboard, a tick, a call from a worker
  (``flows.row_actions``).

``flows.discovery`` needs only :class:`Host`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from rolecall.tui import work

if TYPE_CHECKING:
    from textual.app import App
    from textual.notifications import SeverityLevel
    from textual.screen import Screen
    from textual.worker import Worker

    from rolecall.core.profiles import ProfileSet
    from rolecall.settings import Settings
    from rolecall.tui.screens.main import MainScreen
    from rolecall.tui.services import Services

__all__ = [
    "AssumeHost",
    "Host",
    "InteractiveHost",
    "LoadingHost",
    "RowActionsHost",
    "work_context",
]

T = TypeVar("T")


class Host(Protocol):
    """The app, as every flow sees it."""

    #: the outside world: clock, STS, the cache, the launcher (tests replace them)
    services: Services
    settings: Settings
    clock: Callable[[], datetime]
    #: the files named on the command line (None: the environment's, or the default)
    config_arg: str | None
    credentials_arg: str | None
    #: AssumeResults of this run, in memory only (the shell needs them)
    sessions: dict[str, Any]
    #: the screen that shows everything
    main: MainScreen
    #: the app is quitting: nothing new is started, no modal opened
    closing: bool

    @property
    def profiles(self) -> ProfileSet | None:
        """The profiles last loaded (None before the first load)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A toast, drawn safe."""

    def run_thread(
        self, job: Callable[[], Any], name: str, group: str, description: str = ""
    ) -> Worker[Any]:
        """Run ``job`` in a thread worker, whose end reaches the app's one handler."""

    def post_message(self, message: Any) -> bool:
        """Post a message to the app (thread-safe)."""


class LoadingHost(Host, Protocol):
    """The app, as the loading flow sees it."""

    #: the header's second line: the config, and how many profiles it holds
    sub_title: str


class InteractiveHost(Host, Protocol):
    """The app, as a flow that asks the user (a modal), hands the keys typed ahead on
    (``rolecall.tui.ordered_keys``), or suspends the UI sees it."""

    def push_screen(
        self, screen: Screen[Any], callback: Callable[[Any], None] | None = None
    ) -> Any:
        """Open a modal; ``callback`` gets what it was dismissed with."""

    def away(self, run: Callable[[App[Any]], T]) -> T:
        """Run ``run(app)`` (a shell, an editor: the UI is suspended) with the timers
        paused, then tick."""

    def hold_keys(self) -> None:
        """The keys typed from now on wait (for something not open yet)."""

    def release_keys(self, drop: bool = False) -> int:
        """End one hold; returns how many keys were dropped."""

    def after_typing(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the keys typed with this one have arrived."""

    def take_typed(self) -> str:
        """The keys waiting, as text; they are removed."""


class AssumeHost(InteractiveHost, Protocol):
    """The app, as the assume flow sees it."""

    #: ``rolecall pick``: Enter's assume closes the app, its result in ``picked``
    pick: bool
    picked: Any

    def exit(self, result: int | None = None, return_code: int = 0, message: Any = None) -> None:
        """Close the app."""


class RowActionsHost(InteractiveHost, Protocol):
    """The app, as the row actions see it."""

    def notify_problem(self, message: str) -> None:
        """A warning toast (a plain line)."""

    def copy_to_clipboard(self, text: str) -> None:
        """Copy ``text`` with OSC 52."""

    def tick(self) -> None:
        """Repaint the countdowns now (as the timer does once a second)."""

    def call_from_thread(self, callback: Callable[..., Any], *args: Any) -> Any:
        """Run ``callback`` on the UI thread, from a worker thread."""


def work_context(host: Host) -> work.Context:
    """What a worker thread may use, as it is now (plain values, the sessions copied)."""
    return work.Context(
        host.services,
        host.settings,
        host.config_arg,
        host.credentials_arg,
        host.profiles,
        dict(host.sessions),
        host.clock,
        host.post_message,
    )
