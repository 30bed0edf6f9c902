"""The rolecall app: bindings, timers, worker wiring and the injected services.

Everything shown lives in :class:`~rolecall.tui.screens.main.MainScreen`; this
module starts the thread workers (assume, whoami, reload), turns their messages
into screen updates, and handles their failures in one place
(:meth:`RolecallApp.on_worker_state_changed`).
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.theme import Theme
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from rolecall.core.config import ConfigError, config_path, credentials_path
from rolecall.core.plural import plural
from rolecall.core.profiles import ProfileSet
from rolecall.settings import Settings, SettingsError, load_settings, set_theme
from rolecall.tui import lines
from rolecall.tui.messages import AssumeDone, ProfilesLoaded, Progress, WhoamiDone
from rolecall.tui.model import clean
from rolecall.tui.screens.main import MainScreen
from rolecall.tui.services import Services
from rolecall.tui.state import ExpiryWatch, PreparedRows, prepare_rows
from rolecall.tui.watch import Stamp, Watch
from rolecall.tui.widgets.status import redact

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.notifications import SeverityLevel

__all__ = ["RolecallApp"]

#: purposes of an assume request
PURPOSES = ("assume", "reassume", "whoami", "shell")
#: assumes that run at once; more wait for their turn (they would only fight
#: over the GIL, and stall the UI, for no gain in speed)
MAX_ASSUMES = 4
#: a notification shows at most this many lines, of this many characters
MAX_LINES, MAX_LINE = 12, 1000
#: threads of the worker pool, started after the first frame
WORKER_THREADS = 8


@dataclass
class Job:
    """One assume worker: which profile, why, and the MFA code it was given."""

    name: str
    purpose: str
    code: str | None
    asked: list[str] = field(default_factory=list)  # serials the engine asked a code for


def _profile_commands() -> type[Provider]:
    from rolecall.tui.commands import ProfileCommands

    return ProfileCommands


class RolecallApp(App[int]):
    TITLE = "rolecall"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {_profile_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(
        self,
        config: str | None = None,
        credentials: str | None = None,
        *,
        services: Services | None = None,
        settings: Settings | None = None,
        poll_interval: float = 1.0,
        tune_gc: bool = False,
    ) -> None:
        super().__init__()
        self.config_arg = config
        self.credentials_arg = credentials
        self.services = services or Services()
        self.clock = self.services.clock
        self.settings = settings if settings is not None else load_settings()
        self.profiles: ProfileSet | None = None
        #: AssumeResults of this session, in memory only (the shell needs them)
        self.sessions: dict[str, Any] = {}
        self.main = MainScreen(self.clock)
        self.poll_interval = poll_interval
        #: set by run(): the GC is off until the first frame, then start-up is frozen
        self.tune_gc = tune_gc
        self._jobs: dict[Worker[Any], Job] = {}
        self._queue: deque[Job] = deque()
        #: set once the app is asked to exit: the keys still queued then (``q``
        #: and more, typed at once) start no assume, shell, dialog or form
        self.closing = False
        self._watch = ExpiryWatch()
        self.file_watch = Watch(
            lambda: (config_path(config), credentials_path(credentials)),
            self.services.do_cache_fingerprint,
            self.services.do_cache_dirs_stamp,
        )
        self._reloading = False
        #: reread the files once the reload under way lands (they changed again)
        self._reload_again = False
        #: the profile to put the cursor on once a reload brings it (a Switch role save)
        self._select: str | None = None
        #: the files' problems last reported in the status panel
        self._problems: list[str] = []
        #: whether the "no profiles yet" hint is on the status panel
        self._empty_hinted = False
        self._tick_timer: Timer | None = None
        self._poll_timer: Timer | None = None

    def get_default_screen(self) -> MainScreen:
        return self.main

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
        stamp = self.file_watch.now(force=True)
        self.file_watch.files_seen = stamp[0]
        self.reload_now()
        self._reloading = True  # no poll before the first cache read
        self._tick_timer = self.set_interval(1.0, self.tick, name="tick")
        self._poll_timer = self.set_interval(self.poll_interval, self.poll, name="poll")
        self.call_after_refresh(self._first_frame, stamp)

    def _first_frame(self, stamp: Stamp) -> None:
        """After the first frame: read the cache in a worker, and settle the GC.

        The cache can be 10,000 JSON files; the table does not wait for them.
        What start-up allocated (10,000 profiles is ~1M objects) is frozen, so
        the GC never walks it again.
        """
        self._warm_workers()
        self._start_reload(stamp, reread=False)
        self.run_worker(
            self.services.warm, name="warm", group="warm", thread=True, exit_on_error=False
        )
        if self.tune_gc:
            gc.freeze()
            gc.enable()

    def _warm_workers(self) -> None:
        """Start the worker threads now, while the app is idle.

        asyncio's default pool starts a thread on demand, and ``Thread.start``
        waits for the new thread to run: when twenty assumes start at once that
        wait, behind the GIL, stalls the event loop.
        """
        loop = asyncio.get_running_loop()
        pool = ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="rolecall")
        loop.set_default_executor(pool)
        for _ in range(WORKER_THREADS):
            pool.submit(time.sleep, 0.05)

    def reload_now(self) -> None:
        """Read the files here and now, for the first frame (the cache comes later)."""
        try:
            profiles = self.services.load_profiles(self.config_arg, self.credentials_arg)
        except ConfigError as exc:
            self.main.note(None, str(exc), "error")
            self.notify(str(exc), title="AWS config", severity="error", markup=False)
            return
        self._set_profiles(profiles)

    def _set_profiles(
        self, profiles: ProfileSet, select: str | None = None, rows: PreparedRows | None = None
    ) -> None:
        self.profiles = profiles
        self.main.load(profiles, self.settings, keep=select, prepared=rows)
        where = lines.tilde(config_path(self.config_arg))
        self.sub_title = f"{clean(where)} · {plural(len(profiles), 'profile')}"
        problems = [str(problem) for problem in profiles.problems]
        empty = not profiles and not problems
        if empty and not self._empty_hinted:
            files = " or ".join(
                lines.tilde(path)
                for path in (config_path(self.config_arg), credentials_path(self.credentials_arg))
            )
            self.main.note(
                None,
                f"no profiles in {clean(files)} yet: press n to add a role profile, "
                "or run `aws configure` for access keys",
                "hint",
            )
        self._empty_hinted = empty
        if problems != self._problems:  # each set of problems is reported once
            self._problems = problems
            for line in lines.problem_lines(problems):
                self.main.note(None, line, "warn")
            if problems:
                self.notify(
                    f"{plural(len(problems), 'problem')} in your AWS files; see the status panel",
                    severity="warning",
                    markup=False,
                )

    def _set_expiries(self, expiries: dict[str, Any]) -> None:
        self.main.set_expiries(expiries)
        rows = self.main.state.rows
        self._watch.update({n: r.expires_at for n, r in rows.items()}, self.clock())

    # -- timers -------------------------------------------------------------
    def tick(self) -> None:
        """Once a second: repaint the countdowns on screen, warn before an expiry."""
        self.main.tick()
        settings = self.settings
        due = self._watch.due(self.clock(), settings.expiry_warning_seconds)
        if due and settings.notify_expiry:
            self.notify(
                lines.expiry_warning(due, self.clock()),
                title="Expiring",
                markup=False,
                severity="warning",
                timeout=10,
            )

    def poll(self) -> None:
        """Once a second: stat the files and the cache; reload in a worker when they change."""
        if self._reloading:
            return
        change = self.file_watch.changes()
        if change is not None:
            self._start_reload(*change)

    def _start_reload(self, stamp: Stamp, reread: bool) -> None:
        self._reloading = True
        self.run_worker(
            lambda: self._reload_job(stamp, reread),
            name="reload",
            group="reload",
            thread=True,
            exit_on_error=False,
        )

    def reload_soon(self, select: str | None = None) -> None:
        """Reread the files in a worker: now, or as soon as the reload under way lands."""
        self._select = select or self._select
        if self._reloading:
            self._reload_again = True
        else:
            self._start_reload(self.file_watch.now(), reread=True)

    def _reload_job(self, stamp: Stamp, reread: bool) -> None:
        profiles, rows = self.profiles, None
        try:
            if reread or profiles is None:
                profiles = self.services.load_profiles(self.config_arg, self.credentials_arg)
                # here, not on the UI thread (where 10,000 rows would stall it ~50 ms)
                s = self.settings
                rows = prepare_rows(profiles, s.display_names, s.colors, s.favorites)
            expiries = self.services.do_expiries(profiles, self.clock())
        except Exception as exc:  # ConfigError, or a bug: reported once, not every poll
            self.post_message(ProfilesLoaded(None, None, stamp, lines.one_line(exc)))
            return
        loaded = profiles if reread else None
        self.post_message(ProfilesLoaded(loaded, expiries, stamp, rows=rows if reread else None))

    def on_profiles_loaded(self, message: ProfilesLoaded) -> None:
        self._reloading = False
        self.file_watch.seen(message.stamp)
        if message.error:
            self.main.note(None, message.error, "error")
        if message.profiles is not None:
            select, self._select = self._select, None
            keep = select if select is not None and select in message.profiles else None
            self._set_profiles(message.profiles, keep, message.rows)
            self.main.note(None, "AWS files changed: profiles reloaded", "step")
        if message.expiries is not None:
            self._set_expiries(message.expiries)
        if self._reload_again:
            self._reload_again = False
            self._start_reload(self.file_watch.now(), reread=True)

    # -- assume ---------------------------------------------------------------
    def busy(self, name: str) -> bool:
        """Whether an assume of ``name`` runs or waits for its turn."""
        return any(job.name == name for job in self._jobs.values()) or any(
            job.name == name for job in self._queue
        )

    def exit(self, result: int | None = None, return_code: int = 0, message: Any = None) -> None:
        self.closing = True
        super().exit(result, return_code, message)

    def request(self, name: str, purpose: str) -> None:
        """Assume ``name`` for ``purpose``; ask for an MFA code first when one is needed."""
        if self.closing or self.profiles is None or name not in self.profiles or self.busy(name):
            return
        use_cache = purpose != "reassume"
        session = self.sessions.get(name)
        if purpose == "shell" and lines.usable(session, self.clock()):
            self.launch_shell(name, session)
            return
        try:
            serial = self.services.do_mfa_needed(
                self.profiles, name, use_cache=use_cache, now=self.clock()
            )
        except Exception as exc:  # the engine refuses the profile before any network call
            self.main.note(name, lines.one_line(exc), "error")
            return
        if serial:
            self.ask_mfa(name, purpose, serial)
        else:
            self.start_assume(name, purpose, None)

    def ask_mfa(self, name: str, purpose: str, serial: str) -> None:
        from rolecall.tui.screens.mfa import MfaScreen

        if self.closing:
            return

        def entered(code: str | None) -> None:
            if code is None:
                self.main.note(name, "MFA cancelled; nothing assumed", "warn")
            else:
                self.start_assume(name, purpose, code)

        self.push_screen(MfaScreen(name, serial), entered)

    def start_assume(self, name: str, purpose: str, code: str | None) -> None:
        """Start the assume worker, or queue it while MAX_ASSUMES already run."""
        if self.busy(name):
            return
        job = Job(name, purpose, code)
        verb = {"reassume": "re-assuming (no cache)", "whoami": "whoami", "shell": "shell"}
        self.main.note(name, verb.get(purpose, "assuming") + "…", "step")
        self.main.set_busy(name, True)
        if len(self._jobs) >= MAX_ASSUMES:
            self._queue.append(job)
        else:
            self._run_job(job)

    def _run_job(self, job: Job) -> None:
        name = job.name
        worker = self.run_worker(
            lambda: self._assume_job(job),
            name=f"assume:{name}",
            group=f"assume-{name}",
            description=job.purpose,
            thread=True,
            exit_on_error=False,
        )
        self._jobs[worker] = job

    def _assume_job(self, job: Job) -> None:
        """Runs in a thread: only ``post_message`` from here."""
        assert self.profiles is not None

        def mfa(serial: str) -> str | None:
            job.asked.append(serial)
            return job.code

        session = self.sessions.get(job.name)
        if job.purpose == "whoami" and lines.usable(session, self.clock()):
            result = session
        else:
            result = self.services.do_assume(
                self.profiles,
                job.name,
                progress=lambda event: self.post_message(Progress(job.name, event)),
                mfa=mfa,
                use_cache=job.purpose != "reassume",
                default_duration=self.settings.default_duration,
                session_name=self.settings.default_session_name,
                now=self.clock,
            )
            self.post_message(AssumeDone(job.name, result, job.purpose))
        if job.purpose == "whoami":
            region = getattr(result, "region", None)
            self.post_message(WhoamiDone(job.name, self.services.do_whoami(result, region)))

    def on_progress(self, message: Progress) -> None:
        profile = self.profiles.get(message.request) if self.profiles is not None else None
        chain = profile.chain if profile is not None else [message.request]
        line, level, hop_expiry = lines.progress_line(message.event, chain)
        if line:
            self.main.note(message.request, line, level)
        if hop_expiry is not None:
            self.main.session_expiry(*hop_expiry)

    def on_assume_done(self, message: AssumeDone) -> None:
        result = message.result
        self.sessions[message.name] = result
        expiration = getattr(result, "expiration", None)
        if isinstance(expiration, datetime):
            self.main.session_expiry(message.name, "session", expiration)
            self._watch.add(message.name, expiration)
        self.main.note(message.name, lines.result_line(result, self.clock()), "ok")
        if self.settings.notify_assume and message.purpose in ("assume", "reassume"):
            self.notify(f"Assumed {message.name}", timeout=4, markup=False)
        if message.purpose == "shell":
            self.launch_shell(message.name, result)

    def on_whoami_done(self, message: WhoamiDone) -> None:
        for line in lines.identity_lines(message.identity):
            self.main.note(message.name, line, "ok")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a worker's failure is handled."""
        worker = event.worker
        if worker.group == "warm":
            if event.state == WorkerState.SUCCESS and self.tune_gc:
                gc.freeze()  # boto3's loaded data: never walked by the GC again
            return
        if worker.group == "reload":
            if event.state == WorkerState.ERROR:
                self._reloading = False
                self.main.note(None, "reload failed: " + lines.one_line(worker.error), "error")
            return
        job = self._jobs.get(worker)
        if job is None or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        del self._jobs[worker]
        self.main.set_busy(job.name, False)
        if self._queue:
            self._run_job(self._queue.popleft())
        if event.state != WorkerState.ERROR:
            return
        error = worker.error
        if getattr(error, "code", None) == "MfaCancelled" and job.code is None and job.asked:
            # The cache went stale between the check and the call: ask now, and retry.
            self.ask_mfa(job.name, job.purpose, job.asked[-1])
            return
        message, hint = lines.error_lines(error)
        self.main.note(job.name, message, "error")
        if hint:
            self.main.note(job.name, "hint: " + hint, "hint")
        if self.settings.notify_assume:
            body = message + (f"\n{hint}" if hint else "")
            self.notify(body, title=f"{job.name} failed", severity="error", markup=False)

    # -- shell ----------------------------------------------------------------
    def launch_shell(self, name: str, result: Any) -> None:
        """Suspend, run the user's shell with the profile's environment, resume caught up."""
        if self.closing:
            return
        try:
            argv, env = self.services.shell_command(result, name)
        except Exception as exc:
            self.main.note(name, "cannot build the shell: " + lines.one_line(exc), "error")
            return
        self.main.note(name, f"shell {argv[0] if argv else '?'} (exit it to come back)", "step")
        timers = [t for t in (self._tick_timer, self._poll_timer) if t is not None]
        for timer in timers:
            timer.pause()
        try:
            code = self.services.launcher(self, argv, env)
        except SuspendNotSupported:
            self.main.note(name, "this terminal cannot suspend the UI for a shell", "error")
            return
        except Exception as exc:  # RunError (command not found), OSError
            self.main.note(name, "shell failed: " + lines.one_line(exc), "error")
            return
        finally:
            for timer in timers:
                timer.resume()
            self.tick()
        self.main.note(name, f"shell exited with code {code}", "step")

    # -- settings -------------------------------------------------------------
    def _theme_changed(self, theme: Theme) -> None:
        if theme.name == self.settings.theme:
            return
        try:
            set_theme(self.settings, theme.name)
        except (SettingsError, OSError, ValueError) as exc:
            self.notify(lines.one_line(exc), title="Settings", severity="error", markup=False)

    def toggle_favorite(self, name: str) -> None:
        from rolecall.settings import toggle_favorite

        try:
            state = toggle_favorite(self.settings, name)
        except (SettingsError, OSError) as exc:
            self.notify(lines.one_line(exc), title="Settings", severity="error", markup=False)
            return
        self.main.favorites_changed(self.settings.favorites)
        self.main.note(name, "pinned as a favourite" if state else "unpinned", "step")

    def profile_labels(self, favorites_first: bool = False) -> list[tuple[str, str]]:
        rows = self.main.state.rows.values()
        if favorites_first:
            rows = sorted(rows, key=lambda r: (not r.favorite, r.label.casefold()))  # type: ignore[assignment]
        return [(row.name, row.label) for row in rows]

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
            shown = message.split("\n")[:MAX_LINES]
            message = "\n".join(clean(redact(line[: MAX_LINE * 4]), MAX_LINE) for line in shown)
        super().notify(
            message, title=clean(title), severity=severity, timeout=timeout, markup=markup
        )

    def notify_problem(self, message: str) -> None:
        self.notify(message, severity="warning", markup=False)

    # -- screens ----------------------------------------------------------------
    def action_help(self) -> None:
        from rolecall.tui.screens.help import HelpScreen

        if not self.closing and not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def open_switch_role(self, highlighted: str | None) -> None:
        from rolecall.tui.screens.switch_role import SwitchRoleScreen, color_choices, save_request

        if self.closing:
            return

        names = [p.name for p in self.profiles] if self.profiles is not None else []
        source = "default" if "default" in names else None

        def done(name: str | None) -> None:
            if name:
                self.reload_soon(select=name)
                where = lines.tilde(config_path(self.config_arg))
                self.main.note(name, f"profile added to {where}", "ok")

        def warn(message: str) -> None:  # called by the save, in its worker thread
            self.call_from_thread(self.notify_problem, message)

        screen = SwitchRoleScreen(
            names,
            lambda request: save_request(
                request, self.settings, self.config_arg, self.credentials_arg, warn
            ),
            colors=color_choices(),
            source=source,
        )
        self.push_screen(screen, done)
