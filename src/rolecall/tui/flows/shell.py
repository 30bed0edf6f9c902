"""The subshell (``s``): the user's shell with a profile's environment, the UI away.

The keys typed with ``s`` (a command for the shell, in one burst) are held from
the request on (``Job.holds_keys``); the shell opens once they have all arrived,
and gets them as its first input.  What arrives after it opened could not reach
it and is dropped, with a line that says so.  The timers are paused while the
UI is suspended, and it comes back caught up (``Host.away``).

The launcher is injected (``Services.launcher``): tests replace it, since
Textual cannot suspend a headless app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import SuspendNotSupported

from rolecall.core.plural import plural
from rolecall.tui import lines, work
from rolecall.tui.flows.host import InteractiveHost

if TYPE_CHECKING:
    from textual.app import App

    from rolecall.tui.discovered import Target

__all__ = ["ShellLauncher"]


class ShellLauncher:
    """Opens the user's shell for a profile, with the keys typed for it."""

    def __init__(self, host: InteractiveHost, target: Callable[[str], Target | None]) -> None:
        self.host = host
        #: what a discovered row stands for (``SsoDiscovery.target``)
        self._target = target

    def open(self, name: str, result: Any) -> None:
        """Open the shell once the keys typed with ``s`` have all arrived: its type-ahead."""
        host = self.host

        def launch() -> None:
            try:
                self.launch(name, result)
            finally:
                # what arrived for the shell once it had started could not reach it
                self.dropped(name, host.release_keys(drop=True))

        host.after_typing(launch)  # (it holds the keys until then)

    def launch(self, name: str, result: Any) -> None:
        """Suspend, run the user's shell with the profile's environment, resume caught up."""
        if not self.host.closing:
            self.host.away(lambda app: self._run(app, name, result))

    def _run(self, app: App[Any], name: str, result: Any) -> None:
        host, note = self.host, self.host.main.note
        try:
            target = self._target(name)
            role = None
            if target is not None and target.role is not None:  # refreshed from the portal
                role = (target.session, target.role.account_id, target.role.role_name)
            settings = host.settings
            sgr = settings.prompt_sgr(name)
            served = work.served_options(settings, host.config_arg, host.credentials_arg)
            with host.services.shell_session(result, name, served, role, sgr) as (argv, env):
                shown = argv[0] if argv else "?"
                note(name, f"shell {shown} (exit it to come back)", "step")
                code = host.services.launcher(app, argv, env, host.take_typed())
        except SuspendNotSupported:
            note(name, "this terminal cannot suspend the UI for a shell", "error")
            return
        except Exception as exc:  # RunError (command not found), OSError
            note(name, "shell failed: " + lines.one_line(exc), "error")
            return
        note(name, f"shell exited with code {code}", "step")

    def dropped(self, name: str, count: int) -> None:
        """Say that ``count`` keys typed for ``name``'s shell were dropped (if any)."""
        if count:
            self.host.main.note(name, f"{plural(count, 'key')} typed for the shell dropped", "warn")
