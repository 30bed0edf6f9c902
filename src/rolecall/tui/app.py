"""The rolecall app: bindings, timers, worker wiring and the injected services.

Everything shown lives in :class:`~rolecall.tui.screens.main.MainScreen`; this
module starts the thread workers (assume, whoami, reload), turns their messages
into screen updates, and handles their failures in one place
(:meth:`RolecallApp.on_worker_state_changed`).
"""

from __future__ import annotations

import gc
from datetime import datetime, timedelta
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
from rolecall.tui import guard_view, lines
from rolecall.tui.commands import ProfileCommands
from rolecall.tui.freshness import RETRY_AFTER, due
from rolecall.tui.jobs import (
    MFA_CANCELLED,
    MFA_REQUIRED,
    SSO_EXPIRED,
    AssumeQueue,
    Job,
    Purpose,
    assume_group,
)
from rolecall.tui.messages import (
    AssumeDone,
    ConsoleOpened,
    ProfilesLoaded,
    Progress,
    WhoamiDone,
)
from rolecall.tui.model import clean
from rolecall.tui.ordered_keys import OrderedKeysApp
from rolecall.tui.screens.main import MainScreen
from rolecall.tui.services import Services, start_worker_pool
from rolecall.tui.state import ExpiryWatch, PreparedRows, prepare_rows
from rolecall.tui.watch import Stamp, Watch

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

__all__ = ["RolecallApp"]

#: worker groups (an assume's group is ``jobs.assume_group(name)``)
WARM_GROUP, RELOAD_GROUP = "warm", "reload"


class RolecallApp(OrderedKeysApp[int]):
    """The app: it owns the workers, the timers and the shell; the main screen shows."""

    TITLE = "rolecall"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ProfileCommands}
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
        #: when each session was assumed (keep_fresh: half a short role's lifetime)
        self._issued: dict[str, datetime] = {}
        #: keep_fresh: profiles whose refresh waits for an MFA code (marked "needs MFA")
        self._mfa_wanted: set[str] = set()
        #: keep_fresh: when a profile's background refresh last failed
        self._refresh_failed: dict[str, datetime] = {}
        self.main = MainScreen(self.clock, self)
        self.poll_interval = poll_interval
        #: set by run(): the GC is off until the first frame, then start-up is frozen
        self.tune_gc = tune_gc
        #: the assumes running (by worker) and waiting
        self.assumes: AssumeQueue[Worker[Any]] = AssumeQueue()
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
        #: profiles assumed again after an SSO login: a second refusal is reported
        self._after_sso_login: set[str] = set()

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
        start_worker_pool()
        self._start_reload(stamp, reread=False)
        self.run_worker(
            self.services.warm, name="warm", group=WARM_GROUP, thread=True, exit_on_error=False
        )
        if self.tune_gc:
            gc.freeze()
            gc.enable()

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
            paths = (config_path(self.config_arg), credentials_path(self.credentials_arg))
            self.main.note(None, lines.empty_hint(paths), "hint")
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
        """Once a second: repaint the countdowns on screen, warn before an expiry,
        re-assume in the background what is about to expire (``keep_fresh``)."""
        self.main.tick()
        settings = self.settings
        if settings.keep_fresh:
            self._keep_fresh()
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
            group=RELOAD_GROUP,
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
        return self.assumes.busy(name)

    def _keep_fresh(self) -> None:
        """Re-assume the sessions that have less than the refresh margin left; one that
        needs an MFA code is marked, with a notification, and waits for Enter."""
        if self.profiles is None or self.closing:
            return
        now = self.clock()
        recent = {n for n, at in self._refresh_failed.items() if now - at < RETRY_AFTER}
        skip = self._mfa_wanted | recent | {n for n in self.sessions if self.busy(n)}
        margin = timedelta(seconds=self.settings.refresh_margin)
        for name in due(self.sessions, self._issued, now, margin, skip):
            if name not in self.profiles:
                continue
            try:
                serial = self.services.do_mfa_needed(self.profiles, name, use_cache=False, now=now)
            except Exception:  # the profile changed under us: the next assume says why
                self._refresh_failed[name] = now
                continue
            if serial:
                self._want_mfa(name)
            else:
                self.start_assume(name, "refresh", None)

    def _want_mfa(self, name: str) -> None:
        self._mfa_wanted.add(name)
        self.main.set_mfa_needed(name, True)
        self.main.note(name, "needs an MFA code to stay fresh: press Enter on it", "warn")
        self.notify(
            f"{name} needs an MFA code to stay fresh: press Enter on it",
            title="MFA needed",
            severity="warning",
            timeout=10,
            markup=False,
        )

    def request(self, name: str, purpose: Purpose, confirmed: bool = False) -> None:
        """Assume ``name`` for ``purpose``; ask for an MFA code first when one is needed,
        and on a guarded profile, for a confirmation (``guard_view.CONFIRMED``)."""
        if self.profiles is None or name not in self.profiles or self.busy(name):
            return
        if not confirmed and self._confirm_first(name, purpose):
            return
        if purpose == "assume" and name in self._mfa_wanted:
            purpose = "reassume"  # (its cache entry is too old: the code is what is wanted)
        use_cache = purpose != "reassume"
        session = self.sessions.get(name)
        if purpose == "shell" and lines.usable(session, self.clock()):
            self.open_shell(name, session)
            return
        try:
            # (a user's own keys open the console through GetFederationToken: no MFA code)
            own_keys = purpose == "console" and self.profiles[name].kind == "static"
            serial = (
                None
                if own_keys
                else self.services.do_mfa_needed(
                    self.profiles, name, use_cache=use_cache, now=self.clock()
                )
            )
        except Exception as exc:  # the engine refuses the profile before any network call
            self.main.note(name, lines.one_line(exc), "error")
            return
        if serial:
            self.ask_mfa(name, purpose, serial)
        else:
            self.start_assume(name, purpose, None)

    def _confirm_first(self, name: str, purpose: Purpose) -> bool:
        """On a guarded profile, open the confirm modal (Yes goes on with the request)."""
        assert self.profiles is not None
        question = guard_view.QUESTIONS.get(purpose)
        profile = self.profiles[name]
        reason = self.settings.guard_rules.reason(name, profile.account_id) if question else None
        if question is None or reason is None or self.closing:
            return False
        from rolecall.tui.screens.guard_confirm import GuardConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.request(name, purpose, confirmed=True)
            else:
                self.main.note(name, "not confirmed: nothing done (a guarded profile)", "warn")

        screen = GuardConfirmScreen(
            name,
            self.settings.display_name(name),
            profile.account_id,
            profile.role_name,
            reason,
            question,
            guard_view.guard_color(name, self.settings.colors),
        )

        def show() -> None:
            # what was typed with the key (a command for the shell) never answers
            dropped = self.release_keys(drop=True)
            if dropped:
                self.main.note(name, f"{dropped} key(s) typed ahead dropped: asking first", "warn")
            if not self.closing:
                self.push_screen(screen, answered)

        self.after_typing(show)
        return True

    def ask_mfa(self, name: str, purpose: Purpose, serial: str) -> None:
        from rolecall.tui.screens.mfa import MfaScreen

        if self.closing:
            return

        def entered(code: str | None) -> None:
            if code is None:
                self.main.note(name, "MFA cancelled; nothing assumed", "warn")
            else:
                self.start_assume(name, purpose, code)

        self.push_screen(MfaScreen(name, serial), entered)

    def ask_sso_login(self, name: str, purpose: Purpose) -> None:
        """Log the profile's SSO session in (the modal), then assume it again."""
        from rolecall.tui.screens.sso_login import SsoLoginScreen

        if self.closing or self.profiles is None:
            return
        profiles = self.profiles

        def done(outcome: str | None) -> None:
            if outcome == "ok":
                self.main.note(name, "logged in to IAM Identity Center", "ok")
                self._after_sso_login.add(name)
                self.start_assume(name, purpose, None)
            elif outcome == "cancelled":
                self.main.note(name, "SSO login cancelled; nothing assumed", "warn")
            else:
                self.main.note(name, f"SSO login failed: {outcome}", "error")

        screen = SsoLoginScreen(
            name,
            lambda on_code, cancel: self.services.do_sso_login(profiles, name, on_code, cancel),
            self.services.do_open_browser,
            self.clock,
        )
        self.main.note(name, "the SSO session needs a login: opening it…", "step")
        self.push_screen(screen, done)

    def start_assume(self, name: str, purpose: Purpose, code: str | None) -> None:
        """Start the assume worker, or queue it while ``jobs.MAX_ASSUMES`` already run."""
        if self.busy(name):
            return
        job = Job(name, purpose, code)
        if purpose == "shell":
            # what is typed from now on is for the shell (a terminal's type-ahead)
            job.holds_keys = True
            self.hold_keys()
        verb = {
            "reassume": "re-assuming (no cache)",
            "whoami": "whoami",
            "shell": "shell",
            "console": "console",
        }
        if purpose != "refresh":  # (a background refresh logs one line: its result)
            self.main.note(name, verb.get(purpose, "assuming") + "…", "step")
        self.main.set_busy(name, True)
        if self.assumes.add(job):
            self._run_job(job)

    def _run_job(self, job: Job) -> None:
        name = job.name
        worker = self.run_worker(
            lambda: self._assume_job(job),
            name=f"assume:{name}",
            group=assume_group(name),
            description=job.purpose,
            thread=True,
            exit_on_error=False,
        )
        self.assumes.started(worker, job)

    def _assume_job(self, job: Job) -> None:
        """Runs in a thread: only ``post_message`` from here."""
        assert self.profiles is not None

        def mfa(serial: str) -> str | None:
            job.asked.append(serial)
            return job.code

        if job.purpose == "console":
            self._console_job(job, mfa)
            return
        session = self.sessions.get(job.name)
        if job.purpose == "whoami" and lines.usable(session, self.clock()):
            result = session
        else:
            quiet = job.purpose == "refresh"
            result = self.services.do_assume(
                self.profiles,
                job.name,
                progress=None if quiet else lambda e: self.post_message(Progress(job.name, e)),
                mfa=mfa,
                use_cache=job.purpose not in ("reassume", "refresh"),
                default_duration=self.settings.default_duration,
                session_name=self.settings.default_session_name,
                now=self.clock,
            )
            self.post_message(AssumeDone(job.name, result, job.purpose))
        if job.purpose == "whoami":
            region = getattr(result, "region", None)
            self.post_message(WhoamiDone(job.name, self.services.do_whoami(result, region)))

    def _console_job(self, job: Job, mfa: Any) -> None:
        """Runs in a thread: the console link goes from here to the browser, never to the UI."""
        assert self.profiles is not None

        def assume(profiles: ProfileSet, name: str, *, mfa_session: bool = True) -> Any:
            session = self.sessions.get(name)
            if mfa_session and lines.usable(session, self.clock()):
                return session
            result = self.services.do_assume(
                profiles,
                name,
                progress=lambda event: self.post_message(Progress(name, event)),
                mfa=mfa,
                default_duration=self.settings.default_duration,
                session_name=self.settings.default_session_name,
                now=self.clock,
                mfa_session=mfa_session,
            )
            if mfa_session:  # (a user's own keys are no session to keep)
                self.post_message(AssumeDone(name, result, "console"))
            return result

        warnings: list[str] = []
        link = self.services.do_console(
            self.profiles,
            job.name,
            assume=assume,
            user_name=self.settings.default_session_name,
            warn=warnings.append,
        )
        opened = self.services.do_open_browser(link.url)
        self.post_message(ConsoleOpened(job.name, opened, link.arn, link.account_id, warnings))

    def on_console_opened(self, message: ConsoleOpened) -> None:
        for warning in message.warnings:
            self.main.note(message.name, warning, "warn")
        who = message.arn or message.name
        account = f" (account {message.account_id})" if message.account_id else ""
        if message.opened:
            self.main.note(message.name, f"console opened in your browser as {who}{account}", "ok")
        else:
            self.main.note(
                message.name,
                "no browser could be opened; `rolecall console --print` writes the link",
                "error",
            )

    def on_progress(self, message: Progress) -> None:
        profile = self.profiles.get(message.request) if self.profiles is not None else None
        chain = profile.chain if profile is not None else [message.request]
        line, level, hop_expiry = lines.progress_line(message.event, chain)
        if line:
            self.main.note(message.request, line, level)
        if hop_expiry is not None:
            self.main.session_expiry(*hop_expiry)

    def on_assume_done(self, message: AssumeDone) -> None:
        self._after_sso_login.discard(message.name)
        result = message.result
        self.sessions[message.name] = result
        self._issued[message.name] = self.clock()
        self._refresh_failed.pop(message.name, None)
        if message.name in self._mfa_wanted:
            self._mfa_wanted.discard(message.name)
            self.main.set_mfa_needed(message.name, False)
        expiration = getattr(result, "expiration", None)
        if isinstance(expiration, datetime):
            self.main.session_expiry(message.name, "session", expiration)
            self._watch.add(message.name, expiration)
        line = lines.result_line(result, self.clock())
        if message.purpose == "refresh":
            line = "refreshed in the background: " + line
        self.main.note(message.name, line, "ok")
        if self.settings.notify_assume and message.purpose in ("assume", "reassume"):
            self.notify(f"Assumed {message.name}", timeout=4, markup=False)
        if message.purpose == "shell":
            self.open_shell(message.name, result)  # (it holds the keys now)
            for job in [j for j in self.assumes.jobs() if j.name == message.name]:
                self._unhold(job, drop=False)

    def _unhold(self, job: Job, drop: bool = True) -> None:
        """End the hold of a shell's assume; when the shell never opened, what was typed
        for it is dropped."""
        if job.holds_keys:
            job.holds_keys = False
            self._dropped(job.name, self.release_keys(drop=drop))

    def _dropped(self, name: str, count: int) -> None:
        if count:
            self.main.note(name, f"{plural(count, 'key')} typed for the shell dropped", "warn")

    def on_whoami_done(self, message: WhoamiDone) -> None:
        for line in lines.identity_lines(message.identity):
            self.main.note(message.name, line, "ok")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a worker's failure is handled."""
        worker = event.worker
        if worker.group == WARM_GROUP:
            if event.state == WorkerState.SUCCESS and self.tune_gc:
                gc.freeze()  # boto3's loaded data: never walked by the GC again
            return
        if worker.group == RELOAD_GROUP:
            if event.state == WorkerState.ERROR:
                self._reloading = False
                self.main.note(None, "reload failed: " + lines.one_line(worker.error), "error")
            return
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        job, next_job = self.assumes.finished(worker)
        if job is None:
            return
        self.main.set_busy(job.name, False)
        self._unhold(job)
        if next_job is not None:
            self._run_job(next_job)
        if event.state != WorkerState.ERROR:
            return
        error = worker.error
        if getattr(error, "code", None) == MFA_CANCELLED and job.code is None and job.asked:
            # The cache went stale between the check and the call: ask now, and retry.
            self.ask_mfa(job.name, job.purpose, job.asked[-1])
            return
        if job.purpose == "refresh":
            self._refresh_failed[job.name] = self.clock()
            if getattr(error, "code", None) == MFA_REQUIRED:
                self._want_mfa(job.name)
                return
        elif getattr(error, "code", None) == SSO_EXPIRED and job.name not in self._after_sso_login:
            self.ask_sso_login(job.name, job.purpose)  # then it assumes again
            return
        self._after_sso_login.discard(job.name)
        message, hint = lines.error_lines(error)
        self.main.note(job.name, message, "error")
        if hint:
            self.main.note(job.name, "hint: " + hint, "hint")
        if self.settings.notify_assume:
            body = message + (f"\n{hint}" if hint else "")
            self.notify(body, title=f"{job.name} failed", severity="error", markup=False)

    # -- shell ----------------------------------------------------------------
    def open_shell(self, name: str, result: Any) -> None:
        """Open the shell once the keys typed with ``s`` have all arrived: its type-ahead."""

        def launch() -> None:
            try:
                self.launch_shell(name, result)
            finally:
                # what arrived for the shell once it had started could not reach it
                self._dropped(name, self.release_keys(drop=True))

        self.after_typing(launch)  # (it holds the keys until then)

    def launch_shell(self, name: str, result: Any) -> None:
        """Suspend, run the user's shell with the profile's environment, resume caught up."""
        if self.closing:
            return
        timers = [t for t in (self._tick_timer, self._poll_timer) if t is not None]
        for timer in timers:
            timer.pause()
        try:
            with self.services.shell_session(result, name, self._served()) as (argv, env):
                shown = argv[0] if argv else "?"
                self.main.note(name, f"shell {shown} (exit it to come back)", "step")
                code = self.services.launcher(self, argv, env, self.take_typed())
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

    # -- logout ---------------------------------------------------------------
    def logout(self, name: str) -> None:
        """Ask, then remove ``name``'s cached credentials (its chain's) and MFA session."""
        from rolecall.tui.screens.confirm import ConfirmScreen

        if self.profiles is None or name not in self.profiles or self.closing:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._logout(name)
            else:
                self.main.note(name, "log out cancelled", "step")

        self.push_screen(
            ConfirmScreen(
                f"Log out of {name}?",
                "Its cached role credentials (the whole chain's) and its MFA session are "
                "removed; the next assume asks STS again (and for an MFA code).",
            ),
            answered,
        )

    def _logout(self, name: str) -> None:
        if self.profiles is None:
            return
        try:
            removed = self.services.do_logout(self.profiles, name)
        except Exception as exc:  # LogoutError (a cache directory not yours), OSError
            self.main.note(name, "log out failed: " + lines.one_line(exc), "error")
            return
        self.sessions.pop(name, None)
        count = len(removed.paths)
        what = (
            f"removed {plural(count, 'cached credential file')}" if count else "nothing was cached"
        )
        self.main.note(name, f"logged out: {what}", "step")
        self.tick()

    def _served(self) -> dict[str, Any] | None:
        """How the shell's endpoint refreshes (None: ``env_keys``, fixed keys)."""
        s = self.settings
        if s.env_keys:
            return None
        return {
            "config": self.config_arg,
            "credentials": self.credentials_arg,
            "margin_seconds": s.refresh_margin,
            "default_duration": s.default_duration,
            "session_name": s.default_session_name,
        }

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

    # -- screens ----------------------------------------------------------------
    def action_help(self) -> None:
        from rolecall.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def open_switch_role(self, highlighted: str | None) -> None:
        from rolecall.tui.screens.switch_role import SwitchRoleScreen
        from rolecall.tui.switch_role_form import color_choices, save_request

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
