"""The rolecall app: the wiring of the bindings, the timers, the workers and the
injected services.

Everything shown lives in :class:`~rolecall.tui.screens.main.MainScreen`, which
reaches the app only through the ``ProfileActions`` it is given.  What happens
between a key (or a timer) and the screen is in the flows (``tui/flows/``):
loading, SSO discovery, the assume flow, the shell and the row actions, each
given the app as a :class:`~rolecall.tui.flows.host.Host`.  This module builds
them, starts the timers, hands the flows the workers' messages and their ends
(one :meth:`RolecallApp.on_worker_state_changed`), and draws every notification
safe.  The clock, STS, the cache and the shell launcher come in ``Services``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import App
from textual.binding import BindingType
from textual.theme import Theme
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from rolecall.settings import Settings, SettingsError, load_settings, set_theme
from rolecall.tui import lines
from rolecall.tui.commands import ProfileCommands
from rolecall.tui.flows.assume import AssumeFlow
from rolecall.tui.flows.discovery import ADD_ROLE_GROUP, DISCOVERY_GROUP, SsoDiscovery
from rolecall.tui.flows.loading import RELOAD_GROUP, ProfileLoading
from rolecall.tui.flows.row_actions import RowActions
from rolecall.tui.flows.shell import ShellLauncher
from rolecall.tui.jobs import AssumeQueue, Purpose
from rolecall.tui.messages import (
    AssumeDone,
    ConsoleOpened,
    ProfilesLoaded,
    Progress,
    RolesDiscovered,
    WhoamiDone,
)
from rolecall.tui.model import clean
from rolecall.tui.ordered_keys import OrderedKeysApp
from rolecall.tui.screens.main import MainScreen
from rolecall.tui.services import Services, start_worker_pool

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from rolecall.core.profiles import ProfileSet

__all__ = ["RolecallApp"]

#: the boto3 warm-up's worker group (the other groups belong to the flows)
WARM_GROUP = "warm"

T = TypeVar("T")


class RolecallApp(OrderedKeysApp[int]):
    """The app: it owns the timers and the workers, and wires the flows to the screen."""

    TITLE = "rolecall"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ProfileCommands}
    #: (the main screen binds q, ? and Ctrl+C: a modal's footer shows only its own keys)
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(
        self,
        config: str | None = None,
        credentials: str | None = None,
        *,
        services: Services | None = None,
        settings: Settings | None = None,
        poll_interval: float = 1.0,
        tune_gc: bool = False,
        pick: bool = False,
    ) -> None:
        super().__init__()
        #: ``rolecall pick``: Enter's assume closes the app, its result in :attr:`picked`
        self.pick = pick
        self.picked: Any = None
        if pick:
            self.title = "rolecall · Enter sets the profile in your shell"
        self.config_arg = config
        self.credentials_arg = credentials
        self.services = services or Services()
        self.clock = self.services.clock
        self.settings = settings if settings is not None else load_settings()
        #: AssumeResults of this session, in memory only (the shell needs them)
        self.sessions: dict[str, Any] = {}
        self.main = MainScreen(self.clock, self)
        self.poll_interval = poll_interval
        #: set by run(): the GC is off until the first frame, then start-up is frozen
        self.tune_gc = tune_gc
        self._tick_timer: Timer | None = None
        self._poll_timer: Timer | None = None
        # the flows, each given the app (as a Host) and the flows it calls
        self.loading = ProfileLoading(self)
        self.discovery = SsoDiscovery(self, self.loading.reload_soon)
        self.shell = ShellLauncher(self, self.discovery.target)
        self.assume = AssumeFlow(self, self.discovery, self.shell, self.loading.assumed)
        self.row_actions = RowActions(
            self, self.discovery.target, self.loading.reload_soon, self.assume.ask_sso_login
        )

    def get_default_screen(self) -> MainScreen:
        return self.main

    @property
    def profiles(self) -> ProfileSet | None:
        """The profiles last loaded (None before the first load, or a config error)."""
        return self.loading.profiles

    @property
    def assumes(self) -> AssumeQueue[Worker[Any]]:
        """The assumes running (by worker) and waiting."""
        return self.assume.queue

    def busy(self, name: str) -> bool:
        """Whether an assume of ``name`` runs or waits for its turn."""
        return self.assume.busy(name)

    # -- start --------------------------------------------------------------
    def start(self) -> None:
        """Called by the main screen once mounted: load, then start the timers."""
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            self.settings.errors.append(f"unknown theme {self.settings.theme!r}; using the default")
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        for error in self.settings.errors:
            self.notify(error, title="Settings", severity="warning", timeout=12, markup=False)
        files = self.loading.read_now()
        self._tick_timer = self.set_interval(1.0, self.tick, name="tick")
        self._poll_timer = self.set_interval(self.poll_interval, self.poll, name="poll")
        self.call_after_refresh(self._first_frame, files)

    def _first_frame(self, files: tuple[Any, ...]) -> None:
        """After the first frame: read the cache in a worker, and settle the GC.

        The cache can be 10,000 JSON files; the table does not wait for them.
        What start-up allocated (10,000 profiles is ~1M objects) is frozen, so
        the GC never walks it again.
        """
        start_worker_pool()
        self.loading.read_cache(files)
        self.run_thread(self.services.warm, "warm", WARM_GROUP)
        self.discovery.discover()
        if self.tune_gc:
            gc.freeze()
            gc.enable()

    # -- timers -------------------------------------------------------------
    def tick(self) -> None:
        """Once a second: repaint the countdowns on screen, warn before an expiry,
        re-assume in the background what is about to expire (``keep_fresh``)."""
        self.main.tick()
        settings = self.settings
        if settings.keep_fresh:
            self.assume.keep_fresh()
        due = self.loading.expiring(self.clock())
        if due and settings.notify_expiry:
            self.notify(
                lines.expiry_warning(due, self.clock()),
                title="Expiring",
                markup=False,
                severity="warning",
                timeout=10,
            )

    def poll(self) -> None:
        """Once a second: reload what changed in the files and the cache."""
        self.loading.poll()

    def away(self, run: Callable[[App[Any]], T]) -> T:
        """Run ``run(app)`` while the UI is away (a shell, an editor: suspended) with no
        tick and no poll; then a tick, to come back caught up."""
        timers = [t for t in (self._tick_timer, self._poll_timer) if t is not None]
        for timer in timers:
            timer.pause()
        try:
            return run(self)
        finally:
            for timer in timers:
                timer.resume()
            self.tick()

    # -- workers and their messages -------------------------------------------
    def run_thread(
        self, job: Callable[[], Any], name: str, group: str, description: str = ""
    ) -> Worker[Any]:
        """Run ``job`` in a thread worker; its end comes to :meth:`on_worker_state_changed`."""
        return self.run_worker(
            job, name=name, group=group, description=description, thread=True, exit_on_error=False
        )

    def on_profiles_loaded(self, message: ProfilesLoaded) -> None:
        self.loading.loaded(message)
        if message.profiles is not None:
            self.discovery.discover()  # (a session added or changed; from the cache otherwise)
        if message.expiries is not None:
            self.discovery.tokens_changed()

    def on_roles_discovered(self, message: RolesDiscovered) -> None:
        self.discovery.discovered(message)

    def on_progress(self, message: Progress) -> None:
        self.assume.progress(message)

    def on_assume_done(self, message: AssumeDone) -> None:
        self.assume.done(message)

    def on_whoami_done(self, message: WhoamiDone) -> None:
        self.assume.whoami_done(message)

    def on_console_opened(self, message: ConsoleOpened) -> None:
        self.assume.console_opened(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a worker's end is handled: its group's flow hears of it."""
        worker, state = event.worker, event.state
        if worker.group == WARM_GROUP:
            if state == WorkerState.SUCCESS and self.tune_gc:
                gc.freeze()  # boto3's loaded data: never walked by the GC again
        elif worker.group == RELOAD_GROUP:
            if state == WorkerState.ERROR:
                self.loading.failed(worker.error)
        elif worker.group == DISCOVERY_GROUP:
            if state == WorkerState.ERROR:
                self.discovery.failed(worker.error)
        elif worker.group == ADD_ROLE_GROUP:
            self.discovery.added(worker, state)
        else:
            self.assume.ended(worker, state)

    # -- what the main screen asks (screens.main.ProfileActions) -----------------
    def request(self, name: str, purpose: Purpose) -> None:
        self.assume.request(name, purpose)

    def add_discovered(self, name: str) -> None:
        self.discovery.add(name)

    def open_switch_role(self, highlighted: str | None) -> None:
        self.row_actions.open_switch_role(highlighted)

    def toggle_favorite(self, name: str) -> None:
        self.row_actions.toggle_favorite(name)

    def logout(self, name: str) -> None:
        self.row_actions.logout(name)

    def edit(self, name: str) -> None:
        self.row_actions.edit(name)

    def copy(self, name: str, export: bool = False) -> None:
        self.row_actions.copy(name, export)

    def action_help(self) -> None:
        from rolecall.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # -- notifications and the theme ---------------------------------------------
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is drawn safe: no control character, no 25 MB name, and
        nothing shaped like a secret key (as in the status panel)."""
        if not markup:
            message = lines.safe_text(message)
        super().notify(
            message, title=clean(title), severity=severity, timeout=timeout, markup=markup
        )

    def notify_problem(self, message: str) -> None:
        self.notify(message, severity="warning", markup=False)

    def _theme_changed(self, theme: Theme) -> None:
        """A theme picked in the palette is saved in the settings."""
        if theme.name == self.settings.theme:
            return
        try:
            set_theme(self.settings, theme.name)
        except (SettingsError, OSError, ValueError) as exc:
            self.notify(lines.one_line(exc), title="Settings", severity="error", markup=False)
