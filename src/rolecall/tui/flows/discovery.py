"""The roles the SSO sessions grant, as rows of the table (``sso·new``), and ``a``.

Every session of the config is listed in a worker (from the discovery cache,
else from the portal) after the first frame and after each reload; only the
last listing's result is shown.  A session that needed a login and has a live
token again (a login elsewhere) is listed again.  ``a`` writes a discovered
role into the config as a profile, in a worker.

What a discovered row stands for is :meth:`SsoDiscovery.target`: the assume
flow, the shell and the guard ask it.  Not here: the login modal (``flows.assume``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

from rolecall.core.config import config_path
from rolecall.tui import lines
from rolecall.tui.flows.host import Host
from rolecall.tui.jobs import SSO_LOGIN_NEEDED
from rolecall.tui.messages import RolesDiscovered

if TYPE_CHECKING:
    from rolecall.tui.discovered import Target

__all__ = ["ADD_ROLE_GROUP", "DISCOVERY_GROUP", "SsoDiscovery"]

#: the SSO sessions' roles listed; a discovered role written into the config (``a``)
DISCOVERY_GROUP, ADD_ROLE_GROUP = "sso-discovery", "sso-add-role"


class SsoDiscovery:
    """Lists what the SSO sessions grant, and adds a discovered role as a profile."""

    def __init__(self, host: Host, reload_soon: Callable[[str | None], None]) -> None:
        self.host = host
        #: reread the files, then select a profile (``ProfileLoading.reload_soon``)
        self._reload_soon = reload_soon
        #: discoveries started; only the last one's result is shown
        self._discoveries = 0
        #: discovery failures already reported in the status panel
        self._errors: set[str] = set()

    def discover(self) -> None:
        """List every SSO session's roles in a worker (from the discovery cache, else
        from the portal); their rows join the table when it lands."""
        host = self.host
        if host.profiles is None or host.closing:
            return
        self._discoveries += 1
        generation, config = self._discoveries, host.profiles.config
        ttl = float(host.settings.sso_discovery_ttl)
        services, post = host.services, host.post_message

        def job() -> None:
            found = services.do_discover(config, ttl)
            tokens = services.do_token_expiries(item.session for item in found)
            post(RolesDiscovered(found, tokens, generation))

        host.run_thread(job, "sso-discovery", DISCOVERY_GROUP)

    def discovered(self, message: RolesDiscovered) -> None:
        """A listing landed: its rows, and one line per session (an error once)."""
        if message.generation != self._discoveries:
            return  # (a later discovery is under way)
        main = self.host.main
        main.set_discovered(message.found, message.tokens)
        for item in message.found:
            error, found = item.error, item.discovery
            label = item.session.label
            if error is not None and error.code not in SSO_LOGIN_NEEDED:
                line = f"{label}: roles not listed: {lines.one_line(error)}"
                if line not in self._errors:
                    self._errors.add(line)
                    main.note(None, line, "warn")
            elif error is None and found is not None and not found.from_cache:
                roles, accounts = len(found.roles), len(found.accounts())
                main.note(None, f"{label}: {roles} role(s) in {accounts} account(s)", "ok")

    def failed(self, error: BaseException | None) -> None:
        """The discovery worker raised."""
        self.host.main.note(None, "SSO roles not listed: " + lines.one_line(error), "warn")

    def tokens_changed(self) -> None:
        """The caches changed: the discovered rows' token countdowns; a session that
        needed a login and has a live token now (a login elsewhere) is listed again."""
        host = self.host
        found = host.main.state.found
        if not found:
            return
        tokens = host.services.do_token_expiries(item.session for item in found)
        host.main.set_token_expiries(tokens)
        soon = host.clock() + timedelta(minutes=15)
        for item in found:
            token = tokens.get(item.session.token_path)
            waiting = item.error is not None and item.error.code in SSO_LOGIN_NEEDED
            if waiting and token is not None and token.expires_at > soon:
                self.discover()
                return

    def target(self, name: str) -> Target | None:
        """What a discovered row stands for (None for a profile, or no such row)."""
        profiles = self.host.profiles
        if profiles is not None and name in profiles:
            return None
        return self.host.main.state.target(name)

    def add(self, name: str) -> None:
        """Write a discovered role's row into the config as a profile (``a``), in a worker."""
        host, main = self.host, self.host.main
        target = self.target(name)
        if target is None:
            main.note(name, "already a profile (a adds the discovered SSO roles, sso·new)", "warn")
            return
        session, discovery, role = target.session, target.discovery, target.role
        if role is None or discovery is None:
            main.note(name, "log in first (Enter): its roles are not known yet", "warn")
            return
        main.note(name, "adding it to the config as a profile…", "step")
        services, config, credentials = host.services, host.config_arg, host.credentials_arg
        host.run_thread(
            lambda: services.do_add_role(session, discovery, role, config, credentials),
            f"sso-add-role:{name}",
            ADD_ROLE_GROUP,
            description=name,
        )

    def added(self, worker: Worker[Any], state: WorkerState) -> None:
        """The ``a`` worker's end: reload and select the new profile, or say why not."""
        name, main = worker.description, self.host.main
        if state == WorkerState.SUCCESS and isinstance(worker.result, str):
            written = worker.result
            self._reload_soon(written)
            where = lines.tilde(config_path(self.host.config_arg))
            main.note(written, f"profile added to {where}", "ok")
        elif state == WorkerState.ERROR:
            main.note(name, "not added: " + lines.one_line(worker.error), "error")
