"""The profiles and the cache, as the table shows them: read, reloaded, polled.

Start-up reads the files on the UI thread (the first frame needs them) and the
cache in a worker after that frame (10,000 JSON files must not delay it).  Then
:meth:`ProfileLoading.poll` runs once a second: a change of the files or the
cache reloads in a worker (``work.reload_job``), one at a time; a slow cache
fingerprint (100,000 entries take ~2 s) is taken in the worker, off the loop
(issue 14).  What a load finds wrong with the files is reported once per set of
problems; the "no profiles yet" hint once until a profile appears.

Not here: the SSO roles' rows (``flows.discovery``, which the app asks to
discover after a load), and the timers themselves (the app's).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rolecall.core.config import ConfigError, config_path, credentials_path
from rolecall.core.plural import plural
from rolecall.tui import lines, work
from rolecall.tui.flows.host import LoadingHost, work_context
from rolecall.tui.model import clean
from rolecall.tui.state import ExpiryWatch, PreparedRows
from rolecall.tui.watch import Stamp, Watch

if TYPE_CHECKING:
    from rolecall.core.profiles import ProfileSet
    from rolecall.tui.messages import ProfilesLoaded

__all__ = ["RELOAD_GROUP", "ProfileLoading"]

#: the reload worker's group
RELOAD_GROUP = "reload"


class ProfileLoading:
    """Reads the files and the cache, and keeps the main screen's rows up to date."""

    def __init__(self, host: LoadingHost) -> None:
        self.host = host
        #: the profiles last loaded (None before the first load)
        self.profiles: ProfileSet | None = None
        self.file_watch = Watch(
            lambda: (config_path(host.config_arg), credentials_path(host.credentials_arg)),
            host.services.do_cache_fingerprint,
            host.services.do_cache_dirs_stamp,
        )
        #: a reload (or a poll) runs: no other starts
        self.reloading = False
        #: reread the files once the reload under way lands (they changed again)
        self._reload_again = False
        #: the profile to put the cursor on once a reload brings it (a Switch role save)
        self._select: str | None = None
        #: the files' problems last reported in the status panel
        self._problems: list[str] = []
        #: whether the "no profiles yet" hint is on the status panel
        self._empty_hinted = False
        #: the sessions' expiries, for the warning before one expires
        self.expiries = ExpiryWatch()

    def read_now(self) -> tuple[Any, ...]:
        """Read the files here and now, for the first frame; returns their stamp, for
        :meth:`read_cache`.  No poll runs before the cache has been read."""
        # (two stats here; the cache's fingerprint is read in the worker, off the loop)
        files = self.file_watch.files_seen = self.file_watch.files()
        host = self.host
        try:
            profiles = host.services.load_profiles(host.config_arg, host.credentials_arg)
        except ConfigError as exc:
            host.main.note(None, str(exc), "error")
            host.notify(str(exc), title="AWS config", severity="error", markup=False)
        else:
            self._set_profiles(profiles)
        self.reloading = True
        return files

    def read_cache(self, files: tuple[Any, ...]) -> None:
        """After the first frame: the cache's expiries, in a worker."""
        self._start_reload(lambda: (files, self.file_watch.cache(force=True)), reread=False)

    def poll(self) -> None:
        """Stat the files and the cache; reload in a worker when they changed.  The
        cache's fingerprint is taken in the worker when it is slow, here when it costs
        less than a thread's round trip.  One poll or reload at a time."""
        if self.reloading:
            return
        if self.file_watch.slow:
            self._start_reload(None, reread=False)
            return
        change = self.file_watch.changes()
        if change is not None:
            stamp, reread = change
            self._start_reload(lambda: stamp, reread)

    def reload_soon(self, select: str | None = None) -> None:
        """Reread the files in a worker: now, or as soon as the reload under way lands;
        then put the cursor on ``select`` if it is there."""
        self._select = select or self._select
        if self.reloading:
            self._reload_again = True
        else:
            self._start_reload(self.file_watch.now, reread=True)

    def _start_reload(self, stamp: Callable[[], Stamp] | None, reread: bool) -> None:
        """A reload worker; ``stamp`` says what it loads (None: a poll, which reloads
        only what changed)."""
        self.reloading = True
        context, watch = work_context(self.host), self.file_watch
        self.host.run_thread(
            lambda: work.reload_job(context, watch, stamp, reread), "reload", RELOAD_GROUP
        )

    def loaded(self, message: ProfilesLoaded) -> None:
        """A reload landed: the new profiles and expiries go to the screen."""
        self.reloading = False
        self.file_watch.seen(message.stamp)
        main = self.host.main
        if message.error:
            main.note(None, message.error, "error")
        if message.profiles is not None:
            select, self._select = self._select, None
            keep = select if select is not None and select in message.profiles else None
            self._set_profiles(message.profiles, keep, message.rows)
            main.note(None, "AWS files changed: profiles reloaded", "step")
        if message.expiries is not None:
            main.set_expiries(*message.expiries)
            rows = main.state.rows
            self.expiries.update({n: r.expires_at for n, r in rows.items()}, self.host.clock())
        if self._reload_again:
            self._reload_again = False
            self._start_reload(self.file_watch.now, reread=True)

    def failed(self, error: BaseException | None) -> None:
        """The reload worker raised (a bug: a load's own errors come in its message)."""
        self.reloading = False
        self.host.main.note(None, "reload failed: " + lines.one_line(error), "error")

    def expiring(self, now: datetime) -> list[tuple[str, datetime]]:
        """The sessions that just came within the warning's reach of their expiry."""
        return self.expiries.due(now, self.host.settings.expiry_warning_seconds)

    def assumed(self, name: str, expiration: datetime) -> None:
        """``name`` was assumed: warn before this expiry too."""
        self.expiries.add(name, expiration)

    def _set_profiles(
        self, profiles: ProfileSet, select: str | None = None, rows: PreparedRows | None = None
    ) -> None:
        host, main = self.host, self.host.main
        self.profiles = profiles
        main.load(profiles, host.settings, keep=select, prepared=rows)
        where = lines.tilde(config_path(host.config_arg))
        host.sub_title = f"{clean(where)} · {plural(len(profiles), 'profile')}"
        problems = [str(problem) for problem in profiles.problems]
        empty = not profiles and not problems
        if empty and not self._empty_hinted:
            paths = (config_path(host.config_arg), credentials_path(host.credentials_arg))
            main.note(None, lines.empty_hint(paths), "hint")
        self._empty_hinted = empty
        if problems != self._problems:  # each set of problems is reported once
            self._problems = problems
            for line in lines.problem_lines(problems):
                main.note(None, line, "warn")
            if problems:
                host.notify(
                    f"{plural(len(problems), 'problem')} in your AWS files; see the status panel",
                    severity="warning",
                    markup=False,
                )
