"""The rolecall app: bindings, timers, worker wiring and the injected services.

Everything shown lives in :class:`~rolecall.tui.screens.main.MainScreen`; this
module starts the thread workers (assume, whoami, reload), turns their messages
into screen updates, and handles their failures in one place
(:meth:`RolecallApp.on_worker_state_changed`).
"""

from __future__ import annotations

import gc
import shlex
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import App, SuspendNotSupported
from textual.binding import BindingType
from textual.theme import Theme
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from rolecall.core.config import config_path
from rolecall.core.plural import plural
from rolecall.settings import Settings, SettingsError, load_settings, set_theme
from rolecall.tui import guard_view, lines, work
from rolecall.tui.commands import ProfileCommands
from rolecall.tui.flows.discovery import ADD_ROLE_GROUP, DISCOVERY_GROUP, SsoDiscovery
from rolecall.tui.flows.loading import RELOAD_GROUP, ProfileLoading
from rolecall.tui.flows.shell import ShellLauncher
from rolecall.tui.freshness import RETRY_AFTER, due
from rolecall.tui.jobs import (
    MFA_CANCELLED,
    MFA_REQUIRED,
    SSO_LOGIN_NEEDED,
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
    from rolecall.core.sso.session import SsoSession
    from rolecall.tui.switch_role_form import SsoSessionRequest

__all__ = ["RolecallApp"]

#: worker groups (an assume's group is ``jobs.assume_group(name)``; loading's, its own)
WARM_GROUP = "warm"

T = TypeVar("T")


class RolecallApp(OrderedKeysApp[int]):
    """The app: it owns the workers, the timers and the shell; the main screen shows."""

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
        self._tick_timer: Timer | None = None
        self._poll_timer: Timer | None = None
        #: profiles assumed again after an SSO login: a second refusal is reported
        self._after_sso_login: set[str] = set()
        #: the files and the cache, read and reloaded
        self.loading = ProfileLoading(self)
        #: the roles the SSO sessions grant, as rows
        self.discovery = SsoDiscovery(self, self.loading.reload_soon)
        #: the subshell, with the keys typed for it
        self.shell = ShellLauncher(self, self.discovery.target)

    def get_default_screen(self) -> MainScreen:
        return self.main

    @property
    def profiles(self) -> ProfileSet | None:
        """The profiles last loaded (None before the first load, or a config error)."""
        return self.loading.profiles

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
            self._keep_fresh()
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

    def add_discovered(self, name: str) -> None:
        self.discovery.add(name)

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
                if self.discovery.target(name) is not None:  # a discovered role: no MFA to ask for
                    self.start_assume(name, "refresh", None)
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
        if self.profiles is None or self.busy(name):
            return
        if name not in self.profiles and self.discovery.target(name) is None:
            return
        if not confirmed and self._confirm_first(name, purpose):
            return
        if name not in self.profiles:
            self._request_discovered(name, purpose)
            return
        if purpose == "assume" and name in self._mfa_wanted:
            purpose = "reassume"  # (its cache entry is too old: the code is what is wanted)
        use_cache = purpose != "reassume"
        session = self.sessions.get(name)
        if purpose == "shell" and lines.usable(session, self.clock()):
            self.shell.open(name, session)
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

    def _request_discovered(self, name: str, purpose: Purpose) -> None:
        """A discovered row: its role's credentials from the portal (no MFA), or a login."""
        target = self.discovery.target(name)
        if target is None:
            return
        if target.role is None:  # a session not logged in yet
            self.ask_sso_login(name, purpose)
            return
        if purpose == "console":  # (the console link is made for a profile)
            self.main.note(name, "the console needs a profile: a adds this role as one", "warn")
            return
        session = self.sessions.get(name)
        if purpose == "shell" and lines.usable(session, self.clock()):
            self.shell.open(name, session)
            return
        self.start_assume(name, purpose, None)

    def _confirm_first(self, name: str, purpose: Purpose) -> bool:
        """On a guarded profile, open the confirm modal (Yes goes on with the request)."""
        assert self.profiles is not None
        # (the picker's Enter hands the credentials to the shell: an export, as `env` is)
        question = guard_view.QUESTIONS.get(
            "export" if self.pick and purpose == "assume" else purpose
        )
        account_id, role_name = self._account_and_role(name)
        reason = self.settings.guard_rules.reason(name, account_id) if question else None
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
            account_id,
            role_name,
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

    def _account_and_role(self, name: str) -> tuple[str | None, str | None]:
        """The account ID and role name of a profile, or of a discovered role's row
        (so that a guard on an account guards the roles discovered in it)."""
        profile = self.profiles.get(name) if self.profiles is not None else None
        if profile is not None:
            return profile.account_id, profile.role_name
        target = self.discovery.target(name)
        if target is not None and target.role is not None:
            return target.role.account_id, target.role.role_name
        return None, None

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

    def ask_sso_login(self, name: str, purpose: Purpose, session: SsoSession | None = None) -> None:
        """Log an SSO session in (the modal), then assume ``name`` again: a profile (its
        session), a discovered role (its row's); for a session row, or ``session`` (one
        just configured), list what it grants."""
        from rolecall.tui.screens.sso_login import SsoLoginScreen

        if self.closing or self.profiles is None:
            return
        profiles = self.profiles
        target = self.discovery.target(name)
        if session is None and target is not None:
            session = target.session
        assume_after = name in profiles or (target is not None and target.role is not None)

        def done(outcome: str | None) -> None:
            if outcome == "ok":
                self.main.note(name, "logged in to IAM Identity Center", "ok")
                self.discovery.discover()
                if assume_after:
                    self._after_sso_login.add(name)
                    self.start_assume(name, purpose, None)
                else:
                    self.main.note(name, "listing the accounts and roles it grants…", "step")
            elif outcome == "cancelled":
                what = "nothing assumed" if assume_after else "not logged in"
                self.main.note(name, f"SSO login cancelled; {what}", "warn")
            else:
                self.main.note(name, f"SSO login failed: {outcome}", "error")

        screen = SsoLoginScreen(
            name,
            lambda on_code, cancel: self.services.do_sso_login(
                profiles, name, on_code, cancel, session
            ),
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
        context, target = self._work_context(), self.discovery.target(name)
        worker = self.run_worker(
            lambda: work.assume_job(context, job, target),
            name=f"assume:{name}",
            group=assume_group(name),
            description=job.purpose,
            thread=True,
            exit_on_error=False,
        )
        self.assumes.started(worker, job)

    def _work_context(self) -> work.Context:
        """What a worker thread may use, as it is now."""
        return work.Context(
            self.services,
            self.settings,
            self.config_arg,
            self.credentials_arg,
            self.profiles,
            dict(self.sessions),
            self.clock,
            self.post_message,
        )

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
        if self.pick and message.purpose == "assume":
            self.picked = result  # (the command line writes it once the app has closed)
            self.exit(0)
            return
        self.sessions[message.name] = result
        self._issued[message.name] = self.clock()
        self._refresh_failed.pop(message.name, None)
        if message.name in self._mfa_wanted:
            self._mfa_wanted.discard(message.name)
            self.main.set_mfa_needed(message.name, False)
        expiration = getattr(result, "expiration", None)
        if isinstance(expiration, datetime):
            self.main.session_expiry(message.name, "session", expiration)
            self.loading.assumed(message.name, expiration)
        line = lines.result_line(result, self.clock())
        if message.purpose == "refresh":
            line = "refreshed in the background: " + line
        self.main.note(message.name, line, "ok")
        if self.settings.notify_assume and message.purpose in ("assume", "reassume"):
            self.notify(f"Assumed {message.name}", timeout=4, markup=False)
        if message.purpose == "shell":
            self.shell.open(message.name, result)  # (it holds the keys now)
            for job in [j for j in self.assumes.jobs() if j.name == message.name]:
                self._unhold(job, drop=False)

    def _unhold(self, job: Job, drop: bool = True) -> None:
        """End the hold of a shell's assume; when the shell never opened, what was typed
        for it is dropped."""
        if job.holds_keys:
            job.holds_keys = False
            self.shell.dropped(job.name, self.release_keys(drop=drop))

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
                self.loading.failed(worker.error)
            return
        if worker.group == DISCOVERY_GROUP:
            if event.state == WorkerState.ERROR:
                self.discovery.failed(worker.error)
            return
        if worker.group == ADD_ROLE_GROUP:
            self.discovery.added(worker, event.state)
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
        elif (
            getattr(error, "code", None) in SSO_LOGIN_NEEDED
            and job.name not in self._after_sso_login
        ):
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

    # -- edit, copy -------------------------------------------------------------
    def edit(self, name: str) -> None:
        """Open ``name`` in $VISUAL/$EDITOR at its line (``e``); reload when it exits."""
        from rolecall.tui.editor import editor_command

        profile = self.profiles.get(name) if self.profiles is not None else None
        if profile is None or self.closing:
            return
        if not profile.file:
            self.main.note(name, "this profile is in no file: nothing to edit", "warn")
            return
        argv = editor_command(self.services.environment(), profile.file, profile.line)
        if argv is None:
            self.main.note(name, "set $VISUAL or $EDITOR to edit a profile with e", "warn")
            return
        where = f"{lines.tilde(profile.file)}:{profile.line}"

        def run() -> None:
            try:
                code = self.away(lambda app: self.services.do_edit(app, argv))
            except SuspendNotSupported:
                self.main.note(name, "this terminal cannot suspend the UI for an editor", "error")
                return
            except OSError as exc:  # no such editor
                self.main.note(name, "editor failed: " + lines.one_line(exc), "error")
                return
            self.main.note(name, f"edited {where} ({argv[0]} exited with code {code})", "step")
            self.loading.reload_soon(select=name)

        self.after_typing(run)

    def copy(self, name: str, export: bool = False) -> None:
        """Copy the role ARN (``y``), or the export block after a confirm (``Y``), to the
        clipboard with OSC 52.  A profile with no role ARN offers its export block."""
        from rolecall.tui.screens.confirm import ConfirmScreen

        profile = self.profiles.get(name) if self.profiles is not None else None
        if profile is None or self.closing:
            return
        if profile.role_arn and not export:
            self.copy_to_clipboard(profile.role_arn)
            self.main.note(name, f"copied {profile.role_arn} to the clipboard", "ok")
            return
        session: Any = self.sessions.get(name)
        if not lines.usable(session, self.clock()):
            self.main.note(name, "no live credentials to copy: assume it (Enter), then Y", "warn")
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                self.main.note(name, "nothing copied", "step")
                return
            from rolecall.core.shell import format_env

            self.copy_to_clipboard(format_env(session, "sh"))
            self.main.note(name, "copied the export block (with its secret) to the clipboard", "ok")

        question = ConfirmScreen(
            f"Copy the export block of {name}?",
            "It holds the secret key and session token: whatever reads the clipboard can use "
            "them until they expire.",
        )
        self.push_screen(question, answered)

    # -- logout ---------------------------------------------------------------
    def logout(self, name: str) -> None:
        """Ask, then remove ``name``'s cached credentials (its chain's) and MFA session."""
        from rolecall.tui.screens.confirm import ConfirmScreen

        if self.profiles is None or self.closing:
            return
        target = self.discovery.target(name)
        if target is not None:  # (a discovered row: its credentials are its session's)
            session = target.session.name
            which = f"--sso-session {shlex.quote(session)}" if session is not None else "--all"
            line = f"not a profile: `rolecall sso logout {which}` signs out of its session"
            self.main.note(name, line, "warn")
            return
        if name not in self.profiles:
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
        """The ``n`` form: a role profile, or (its SSO choice, the first one when there is
        no profile yet) an ``[sso-session]``, logged in once written."""
        from rolecall.tui.screens.switch_role import Saved, SwitchRoleScreen
        from rolecall.tui.switch_role_form import SsoSessionRequest, color_choices, save_request

        names = [p.name for p in self.profiles] if self.profiles is not None else []
        sessions = list(self.profiles.config.sso_sessions) if self.profiles is not None else []
        source = "default" if "default" in names else None
        where = lines.tilde(config_path(self.config_arg))

        def done(saved: Saved | None) -> None:
            if isinstance(saved, SsoSessionRequest):
                self.loading.reload_soon()
                self.main.note(None, f"[sso-session {saved.name}] added to {where}", "ok")
                self._log_in_new_session(saved)
            elif saved is not None:
                self.loading.reload_soon(select=saved.name)
                self.main.note(saved.name, f"profile added to {where}", "ok")

        def warn(message: str) -> None:  # called by the save, in its worker thread
            self.call_from_thread(self.notify_problem, message)

        screen = SwitchRoleScreen(
            names,
            lambda request: save_request(
                request, self.settings, self.config_arg, self.credentials_arg, warn
            ),
            colors=color_choices(),
            source=source,
            sessions=sessions,
        )
        self.push_screen(screen, done)

    def _log_in_new_session(self, saved: SsoSessionRequest) -> None:
        """Log in the session the form just wrote; its roles are listed once it is."""
        from rolecall.core.sso.session import SsoSession, parse_scopes

        scopes = parse_scopes(saved.settings.get("sso_registration_scopes"))
        session = SsoSession(saved.name, saved.start_url, saved.region, scopes)
        self.ask_sso_login(session.label, "assume", session)
