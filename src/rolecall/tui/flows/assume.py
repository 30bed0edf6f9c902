"""The assume flow: a request, through the guard, the MFA code or the SSO login, to
the worker, and its result in the status panel.

:meth:`AssumeFlow.request` runs at once when the key is handled (Enter must open
the MFA modal before the digits typed behind it are handed out).  It asks the
guard's question on a guarded profile, an MFA code when the chain needs one,
and a login when the SSO session has no token; then :meth:`AssumeFlow.start`
queues the job (``jobs.AssumeQueue``: at most ``MAX_ASSUMES`` at once) and a
thread worker runs it (``work.assume_job``), posting its progress and result.
A failure comes back through the app's one worker handler to :meth:`AssumeFlow.ended`,
which asks again what can be answered (a stale MFA session, an SSO login) and
reports the rest.

Keep-fresh (``keep_fresh``): once a second, :meth:`AssumeFlow.keep_fresh`
re-assumes in the background the sessions close to their expiry
(``freshness.due``); one that needs an MFA code is marked and waits for Enter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

from rolecall.tui import guard_view, lines, work
from rolecall.tui.flows.discovery import SsoDiscovery
from rolecall.tui.flows.host import AssumeHost, work_context
from rolecall.tui.flows.shell import ShellLauncher
from rolecall.tui.freshness import Freshness
from rolecall.tui.jobs import (
    MFA_CANCELLED,
    MFA_REQUIRED,
    SSO_LOGIN_NEEDED,
    AssumeQueue,
    Job,
    Purpose,
    assume_group,
)

if TYPE_CHECKING:
    from rolecall.core.sso.session import SsoSession
    from rolecall.tui.messages import AssumeDone, ConsoleOpened, Progress, WhoamiDone

__all__ = ["AssumeFlow"]

#: the status line when an assume starts, by purpose (a refresh logs only its result)
VERBS: dict[Purpose, str] = {
    "assume": "assuming",
    "reassume": "re-assuming (no cache)",
    "whoami": "whoami",
    "shell": "shell",
    "console": "console",
}


class AssumeFlow:
    """Requests, the assume queue and its workers, their results, and keep-fresh."""

    def __init__(
        self,
        host: AssumeHost,
        discovery: SsoDiscovery,
        shell: ShellLauncher,
        assumed: Callable[[str, datetime], None],
    ) -> None:
        self.host = host
        self.discovery = discovery
        self.shell = shell
        #: a session's expiry, to warn before it (``ProfileLoading.assumed``)
        self._assumed = assumed
        #: the assumes running (by worker) and waiting
        self.queue: AssumeQueue[Worker[Any]] = AssumeQueue()
        #: keep_fresh: when each session was issued, which wait for an MFA code
        self.freshness = Freshness()
        #: profiles assumed again after an SSO login: a second refusal is reported
        self._after_sso_login: set[str] = set()

    def busy(self, name: str) -> bool:
        """Whether an assume of ``name`` runs or waits for its turn."""
        return self.queue.busy(name)

    # -- the request ---------------------------------------------------------------
    def request(self, name: str, purpose: Purpose, confirmed: bool = False) -> None:
        """Assume ``name`` for ``purpose``; ask for an MFA code first when one is needed,
        and on a guarded profile, for a confirmation (``guard_view.CONFIRMED``)."""
        host, profiles = self.host, self.host.profiles
        if profiles is None or self.busy(name):
            return
        if name not in profiles and self.discovery.target(name) is None:
            return
        if not confirmed and self._confirm_first(name, purpose):
            return
        if name not in profiles:
            self._request_discovered(name, purpose)
            return
        if purpose == "assume" and self.freshness.wants_mfa(name):
            purpose = "reassume"  # (its cache entry is too old: the code is what is wanted)
        session = host.sessions.get(name)
        if purpose == "shell" and lines.usable(session, host.clock()):
            self.shell.open(name, session)
            return
        try:
            # (a user's own keys open the console through GetFederationToken: no MFA code)
            own_keys = purpose == "console" and profiles[name].kind == "static"
            serial = None if own_keys else self._mfa_serial(name, purpose != "reassume")
        except Exception as exc:  # the engine refuses the profile before any network call
            host.main.note(name, lines.one_line(exc), "error")
            return
        if serial:
            self.ask_mfa(name, purpose, serial)
        else:
            self.start(name, purpose, None)

    def _mfa_serial(self, name: str, use_cache: bool) -> str | None:
        """The MFA device whose code the assume of ``name`` needs (None: none needed)."""
        host = self.host
        assert host.profiles is not None
        return host.services.do_mfa_needed(
            host.profiles, name, use_cache=use_cache, now=host.clock()
        )

    def _request_discovered(self, name: str, purpose: Purpose) -> None:
        """A discovered row: its role's credentials from the portal (no MFA), or a login."""
        host = self.host
        target = self.discovery.target(name)
        if target is None:
            return
        if target.role is None:  # a session not logged in yet
            self.ask_sso_login(name, purpose)
            return
        if purpose == "console":  # (the console link is made for a profile)
            host.main.note(name, "the console needs a profile: a adds this role as one", "warn")
            return
        session = host.sessions.get(name)
        if purpose == "shell" and lines.usable(session, host.clock()):
            self.shell.open(name, session)
            return
        self.start(name, purpose, None)

    def _confirm_first(self, name: str, purpose: Purpose) -> bool:
        """On a guarded profile, open the confirm modal (Yes goes on with the request)."""
        host = self.host
        # (the picker's Enter hands the credentials to the shell: an export, as `env` is)
        question = guard_view.QUESTIONS.get(
            "export" if host.pick and purpose == "assume" else purpose
        )
        account_id, role_name = self._account_and_role(name)
        reason = host.settings.guard_rules.reason(name, account_id) if question else None
        if question is None or reason is None or host.closing:
            return False
        from rolecall.tui.screens.guard_confirm import GuardConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.request(name, purpose, confirmed=True)
            else:
                host.main.note(name, "not confirmed: nothing done (a guarded profile)", "warn")

        screen = GuardConfirmScreen(
            name,
            host.settings.display_name(name),
            account_id,
            role_name,
            reason,
            question,
            guard_view.guard_color(name, host.settings.colors),
        )

        def show() -> None:
            # what was typed with the key (a command for the shell) never answers
            dropped = host.release_keys(drop=True)
            if dropped:
                host.main.note(name, f"{dropped} key(s) typed ahead dropped: asking first", "warn")
            if not host.closing:
                host.push_screen(screen, answered)

        host.after_typing(show)
        return True

    def _account_and_role(self, name: str) -> tuple[str | None, str | None]:
        """The account ID and role name of a profile, or of a discovered role's row
        (so that a guard on an account guards the roles discovered in it)."""
        profiles = self.host.profiles
        profile = profiles.get(name) if profiles is not None else None
        if profile is not None:
            return profile.account_id, profile.role_name
        target = self.discovery.target(name)
        if target is not None and target.role is not None:
            return target.role.account_id, target.role.role_name
        return None, None

    def ask_mfa(self, name: str, purpose: Purpose, serial: str) -> None:
        """The MFA modal; its code starts the assume."""
        from rolecall.tui.screens.mfa import MfaScreen

        host = self.host
        if host.closing:
            return

        def entered(code: str | None) -> None:
            if code is None:
                host.main.note(name, "MFA cancelled; nothing assumed", "warn")
            else:
                self.start(name, purpose, code)

        host.push_screen(MfaScreen(name, serial), entered)

    def ask_sso_login(self, name: str, purpose: Purpose, session: SsoSession | None = None) -> None:
        """Log an SSO session in (the modal), then assume ``name`` again: a profile (its
        session), a discovered role (its row's); for a session row, or ``session`` (one
        just configured), list what it grants."""
        from rolecall.tui.screens.sso_login import SsoLoginScreen

        host, note = self.host, self.host.main.note
        profiles = host.profiles
        if host.closing or profiles is None:
            return
        target = self.discovery.target(name)
        if session is None and target is not None:
            session = target.session
        assume_after = name in profiles or (target is not None and target.role is not None)

        def done(outcome: str | None) -> None:
            if outcome == "ok":
                note(name, "logged in to IAM Identity Center", "ok")
                self.discovery.discover()
                if assume_after:
                    self._after_sso_login.add(name)
                    self.start(name, purpose, None)
                else:
                    note(name, "listing the accounts and roles it grants…", "step")
            elif outcome == "cancelled":
                what = "nothing assumed" if assume_after else "not logged in"
                note(name, f"SSO login cancelled; {what}", "warn")
            else:
                note(name, f"SSO login failed: {outcome}", "error")

        services = host.services
        screen = SsoLoginScreen(
            name,
            lambda on_code, cancel: services.do_sso_login(profiles, name, on_code, cancel, session),
            services.do_open_browser,
            host.clock,
        )
        note(name, "the SSO session needs a login: opening it…", "step")
        host.push_screen(screen, done)

    # -- the queue and its workers --------------------------------------------------
    def start(self, name: str, purpose: Purpose, code: str | None) -> None:
        """Start the assume worker, or queue it while ``jobs.MAX_ASSUMES`` already run."""
        if self.busy(name):
            return
        job = Job(name, purpose, code)
        if purpose == "shell":
            # what is typed from now on is for the shell (a terminal's type-ahead)
            job.holds_keys = True
            self.host.hold_keys()
        if purpose != "refresh":  # (a background refresh logs one line: its result)
            self.host.main.note(name, VERBS.get(purpose, "assuming") + "…", "step")
        self.host.main.set_busy(name, True)
        if self.queue.add(job):
            self._run(job)

    def _run(self, job: Job) -> None:
        context, target = work_context(self.host), self.discovery.target(job.name)
        worker = self.host.run_thread(
            lambda: work.assume_job(context, job, target),
            f"assume:{job.name}",
            assume_group(job.name),
            description=job.purpose,
        )
        self.queue.started(worker, job)

    def _unhold(self, job: Job, drop: bool = True) -> None:
        """End the hold of a shell's assume; when the shell never opened, what was typed
        for it is dropped."""
        if job.holds_keys:
            job.holds_keys = False
            self.shell.dropped(job.name, self.host.release_keys(drop=drop))

    def ended(self, worker: Worker[Any], state: WorkerState) -> None:
        """An assume worker's end: the next in the queue starts; a failure is asked
        again when it can be answered (an MFA code, an SSO login), else reported."""
        if state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        job, next_job = self.queue.finished(worker)
        if job is None:
            return
        self.host.main.set_busy(job.name, False)
        self._unhold(job)
        if next_job is not None:
            self._run(next_job)
        if state == WorkerState.ERROR:
            self._failed(job, worker.error)

    def _failed(self, job: Job, error: BaseException | None) -> None:
        host, code = self.host, getattr(error, "code", None)
        if code == MFA_CANCELLED and job.code is None and job.asked:
            # The cache went stale between the check and the call: ask now, and retry.
            self.ask_mfa(job.name, job.purpose, job.asked[-1])
            return
        if job.purpose == "refresh":
            self.freshness.failed(job.name, host.clock())
            if code == MFA_REQUIRED:
                self._want_mfa(job.name)
                return
        elif code in SSO_LOGIN_NEEDED and job.name not in self._after_sso_login:
            self.ask_sso_login(job.name, job.purpose)  # then it assumes again
            return
        self._after_sso_login.discard(job.name)
        message, hint = lines.error_lines(error)
        host.main.note(job.name, message, "error")
        if hint:
            host.main.note(job.name, "hint: " + hint, "hint")
        if host.settings.notify_assume:
            body = message + (f"\n{hint}" if hint else "")
            host.notify(body, title=f"{job.name} failed", severity="error", markup=False)

    # -- what the workers post --------------------------------------------------------
    def done(self, message: AssumeDone) -> None:
        """An assume succeeded: keep its session, report it, open the shell it was for."""
        host, main, name = self.host, self.host.main, message.name
        self._after_sso_login.discard(name)
        result = message.result
        if host.pick and message.purpose == "assume":
            host.picked = result  # (the command line writes it once the app has closed)
            host.exit(0)
            return
        host.sessions[name] = result
        if self.freshness.assumed(name, host.clock()):
            main.set_mfa_needed(name, False)
        expiration = getattr(result, "expiration", None)
        if isinstance(expiration, datetime):
            main.session_expiry(name, "session", expiration)
            self._assumed(name, expiration)
        line = lines.result_line(result, host.clock())
        if message.purpose == "refresh":
            line = "refreshed in the background: " + line
        main.note(name, line, "ok")
        if host.settings.notify_assume and message.purpose in ("assume", "reassume"):
            host.notify(f"Assumed {name}", timeout=4, markup=False)
        if message.purpose == "shell":
            self.shell.open(name, result)  # (it holds the keys now)
            for job in [j for j in self.queue.jobs() if j.name == name]:
                self._unhold(job, drop=False)

    def progress(self, message: Progress) -> None:
        """One hop of a chain: a status line, and the hop's expiry on its row."""
        profiles = self.host.profiles
        profile = profiles.get(message.request) if profiles is not None else None
        chain = profile.chain if profile is not None else [message.request]
        line, level, hop_expiry = lines.progress_line(message.event, chain)
        if line:
            self.host.main.note(message.request, line, level)
        if hop_expiry is not None:
            self.host.main.session_expiry(*hop_expiry)

    def whoami_done(self, message: WhoamiDone) -> None:
        """``i``: who the credentials are, a line each."""
        for line in lines.identity_lines(message.identity):
            self.host.main.note(message.name, line, "ok")

    def console_opened(self, message: ConsoleOpened) -> None:
        """``c``: the console opened in a browser (as whom), or the way to print its link."""
        note = self.host.main.note
        for warning in message.warnings:
            note(message.name, warning, "warn")
        who = message.arn or message.name
        account = f" (account {message.account_id})" if message.account_id else ""
        if message.opened:
            note(message.name, f"console opened in your browser as {who}{account}", "ok")
        else:
            line = "no browser could be opened; `rolecall console --print` writes the link"
            note(message.name, line, "error")

    # -- keep-fresh -------------------------------------------------------------------
    def keep_fresh(self) -> None:
        """Re-assume the sessions that have less than the refresh margin left; one that
        needs an MFA code is marked, with a notification, and waits for Enter."""
        host, profiles = self.host, self.host.profiles
        if profiles is None or host.closing:
            return
        now = host.clock()
        margin = timedelta(seconds=host.settings.refresh_margin)
        for name in self.freshness.due(host.sessions, now, margin, self.busy):
            if name not in profiles:
                if self.discovery.target(name) is not None:  # a discovered role: no MFA
                    self.start(name, "refresh", None)
                continue
            try:
                serial = host.services.do_mfa_needed(profiles, name, use_cache=False, now=now)
            except Exception:  # the profile changed under us: the next assume says why
                self.freshness.failed(name, now)
                continue
            if serial:
                self._want_mfa(name)
            else:
                self.start(name, "refresh", None)

    def _want_mfa(self, name: str) -> None:
        self.freshness.want_mfa(name)
        self.host.main.set_mfa_needed(name, True)
        line = f"{name} needs an MFA code to stay fresh: press Enter on it"
        self.host.main.note(name, "needs an MFA code to stay fresh: press Enter on it", "warn")
        self.host.notify(line, title="MFA needed", severity="warning", timeout=10, markup=False)
