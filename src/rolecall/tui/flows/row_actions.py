"""What the keys do to the highlighted profile, besides assuming it: ``e`` edit,
``y``/``Y`` copy, ``x`` log out, ``f`` pin, and ``n`` the Switch role form.

Each one checks, asks when it must (a confirm modal before a secret reaches the
clipboard, before a log out), acts through the injected services, and says what
it did in the status panel.  A settings write that fails is a toast, never a
traceback.  The form's validation and save are pure (``tui.switch_role_form``);
the form itself is ``screens.switch_role``.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import SuspendNotSupported

from rolecall.core.config import config_path
from rolecall.core.plural import plural
from rolecall.settings import SettingsError
from rolecall.tui import lines
from rolecall.tui.flows.host import RowActionsHost

if TYPE_CHECKING:
    from rolecall.core.sso.session import SsoSession
    from rolecall.tui.discovered import Target
    from rolecall.tui.jobs import Purpose
    from rolecall.tui.switch_role_form import SsoSessionRequest

__all__ = ["RowActions"]


class RowActions:
    """Edit, copy, log out, pin; the Switch role form."""

    def __init__(
        self,
        host: RowActionsHost,
        target: Callable[[str], Target | None],
        reload_soon: Callable[[str | None], None],
        log_in: Callable[[str, Purpose, SsoSession], None],
    ) -> None:
        self.host = host
        #: what a discovered row stands for (``SsoDiscovery.target``)
        self._target = target
        #: reread the files, then select a profile (``ProfileLoading.reload_soon``)
        self._reload_soon = reload_soon
        #: log an SSO session in, then list its roles (``AssumeFlow.ask_sso_login``)
        self._log_in = log_in

    def edit(self, name: str) -> None:
        """Open ``name`` in $VISUAL/$EDITOR at its line (``e``); reload when it exits."""
        from rolecall.tui.editor import editor_command

        host, note = self.host, self.host.main.note
        profile = host.profiles.get(name) if host.profiles is not None else None
        if profile is None or host.closing:
            return
        if not profile.file:
            note(name, "this profile is in no file: nothing to edit", "warn")
            return
        argv = editor_command(host.services.environment(), profile.file, profile.line)
        if argv is None:
            note(name, "set $VISUAL or $EDITOR to edit a profile with e", "warn")
            return
        where = f"{lines.tilde(profile.file)}:{profile.line}"

        def run() -> None:
            try:
                code = host.away(lambda app: host.services.do_edit(app, argv))
            except SuspendNotSupported:
                note(name, "this terminal cannot suspend the UI for an editor", "error")
                return
            except OSError as exc:  # no such editor
                note(name, "editor failed: " + lines.one_line(exc), "error")
                return
            note(name, f"edited {where} ({argv[0]} exited with code {code})", "step")
            self._reload_soon(name)

        host.after_typing(run)

    def copy(self, name: str, export: bool = False) -> None:
        """Copy the role ARN (``y``), or the export block after a confirm (``Y``), to the
        clipboard with OSC 52.  A profile with no role ARN offers its export block."""
        from rolecall.tui.screens.confirm import ConfirmScreen

        host, note = self.host, self.host.main.note
        profile = host.profiles.get(name) if host.profiles is not None else None
        if profile is None or host.closing:
            return
        if profile.role_arn and not export:
            host.copy_to_clipboard(profile.role_arn)
            note(name, f"copied {profile.role_arn} to the clipboard", "ok")
            return
        session: Any = host.sessions.get(name)
        if not lines.usable(session, host.clock()):
            note(name, "no live credentials to copy: assume it (Enter), then Y", "warn")
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                note(name, "nothing copied", "step")
                return
            from rolecall.core.shell import format_env

            host.copy_to_clipboard(format_env(session, "sh"))
            note(name, "copied the export block (with its secret) to the clipboard", "ok")

        question = ConfirmScreen(
            f"Copy the export block of {name}?",
            "It holds the secret key and session token: whatever reads the clipboard can use "
            "them until they expire.",
        )
        host.push_screen(question, answered)

    def logout(self, name: str) -> None:
        """Ask, then remove ``name``'s cached credentials (its chain's) and MFA session."""
        from rolecall.tui.screens.confirm import ConfirmScreen

        host = self.host
        if host.profiles is None or host.closing:
            return
        target = self._target(name)
        if target is not None:  # (a discovered row: its credentials are its session's)
            session = target.session.name
            which = f"--sso-session {shlex.quote(session)}" if session is not None else "--all"
            line = f"not a profile: `rolecall sso logout {which}` signs out of its session"
            host.main.note(name, line, "warn")
            return
        if name not in host.profiles:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._logout(name)
            else:
                host.main.note(name, "log out cancelled", "step")

        host.push_screen(
            ConfirmScreen(
                f"Log out of {name}?",
                "Its cached role credentials (the whole chain's) and its MFA session are "
                "removed; the next assume asks STS again (and for an MFA code).",
            ),
            answered,
        )

    def _logout(self, name: str) -> None:
        host = self.host
        if host.profiles is None:
            return
        try:
            removed = host.services.do_logout(host.profiles, name)
        except Exception as exc:  # LogoutError (a cache directory not yours), OSError
            host.main.note(name, "log out failed: " + lines.one_line(exc), "error")
            return
        host.sessions.pop(name, None)
        count = len(removed.paths)
        what = (
            f"removed {plural(count, 'cached credential file')}" if count else "nothing was cached"
        )
        host.main.note(name, f"logged out: {what}", "step")
        host.tick()

    def toggle_favorite(self, name: str) -> None:
        """Pin or unpin ``name`` (``f``), saved in the settings file."""
        from rolecall.settings import toggle_favorite

        host = self.host
        try:
            state = toggle_favorite(host.settings, name)
        except (SettingsError, OSError) as exc:
            host.notify(lines.one_line(exc), title="Settings", severity="error", markup=False)
            return
        host.main.favorites_changed(host.settings.favorites)
        host.main.note(name, "pinned as a favourite" if state else "unpinned", "step")

    def open_switch_role(self, highlighted: str | None) -> None:
        """The ``n`` form: a role profile, or (its SSO choice, the first one when there is
        no profile yet) an ``[sso-session]``, logged in once written."""
        from rolecall.tui.screens.switch_role import Saved, SwitchRoleScreen
        from rolecall.tui.switch_role_form import SsoSessionRequest, color_choices, save_request

        host, profiles = self.host, self.host.profiles
        names = [p.name for p in profiles] if profiles is not None else []
        sessions = list(profiles.config.sso_sessions) if profiles is not None else []
        source = "default" if "default" in names else None
        where = lines.tilde(config_path(host.config_arg))

        def done(saved: Saved | None) -> None:
            if isinstance(saved, SsoSessionRequest):
                self._reload_soon(None)
                host.main.note(None, f"[sso-session {saved.name}] added to {where}", "ok")
                self._log_in_new_session(saved)
            elif saved is not None:
                self._reload_soon(saved.name)
                host.main.note(saved.name, f"profile added to {where}", "ok")

        def warn(message: str) -> None:  # called by the save, in its worker thread
            host.call_from_thread(host.notify_problem, message)

        settings, config, credentials = host.settings, host.config_arg, host.credentials_arg
        screen = SwitchRoleScreen(
            names,
            lambda request: save_request(request, settings, config, credentials, warn),
            colors=color_choices(),
            source=source,
            sessions=sessions,
        )
        host.push_screen(screen, done)

    def _log_in_new_session(self, saved: SsoSessionRequest) -> None:
        """Log in the session the form just wrote; its roles are listed once it is."""
        from rolecall.core.sso.session import SsoSession, parse_scopes

        scopes = parse_scopes(saved.settings.get("sso_registration_scopes"))
        session = SsoSession(saved.name, saved.start_url, saved.region, scopes)
        self._log_in(session.label, "assume", session)
