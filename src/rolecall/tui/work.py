"""What the app's worker threads do: reload the files and the cache, assume, open
the console.

Each function runs in a thread and talks back only through ``post`` (the app's
thread-safe ``post_message``); none takes the app (style.md §3: the flows start
them through ``Host.run_thread`` (``tui/flows/``), and the app hands their messages
and failures back to the flows, ``RolecallApp.on_worker_state_changed``).  Their
inputs are plain values captured on the UI thread when the worker starts
(``flows.host.work_context``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rolecall.tui import lines
from rolecall.tui.messages import AssumeDone, ConsoleOpened, ProfilesLoaded, Progress, WhoamiDone
from rolecall.tui.state import prepare_rows

if TYPE_CHECKING:
    from textual.message import Message

    from rolecall.core.profiles import ProfileSet
    from rolecall.settings import Settings
    from rolecall.tui.discovered import Target
    from rolecall.tui.jobs import Job
    from rolecall.tui.services import Services
    from rolecall.tui.watch import Stamp, Watch

__all__ = ["Context", "assume_job", "reload_job", "served_options"]

Post = Callable[["Message"], object]


@dataclass(frozen=True)
class Context:
    """What a worker thread may use: the outside world, the settings, the files'
    paths, the profiles and sessions as they were, the clock, and ``post``."""

    services: Services
    settings: Settings
    config: str | None
    credentials: str | None
    profiles: ProfileSet | None
    sessions: Mapping[str, Any]
    clock: Callable[[], datetime]
    post: Post


def reload_job(
    ctx: Context, watch: Watch, take_stamp: Callable[[], Stamp] | None, reread: bool
) -> None:
    """What changed (``take_stamp`` None: a poll, which rereads the files only when
    they changed), then the files (``reread``) and the expiries: one
    :class:`ProfilesLoaded`."""
    if take_stamp is None:
        change = watch.changes()
        if change is None:
            ctx.post(ProfilesLoaded(None, None, (watch.files_seen, watch.cache_seen)))
            return
        stamp, reread = change
    else:
        stamp = take_stamp()
    profiles, rows = ctx.profiles, None
    try:
        if reread or profiles is None:
            profiles = ctx.services.load_profiles(ctx.config, ctx.credentials)
            # here, not on the UI thread (where 10,000 rows would stall it ~50 ms)
            s = ctx.settings
            rows = prepare_rows(profiles, s.display_names, s.colors, s.favorites)
        expiries = ctx.services.do_expiries(profiles, ctx.clock())
    except Exception as exc:  # ConfigError, or a bug: reported once, not every poll
        ctx.post(ProfilesLoaded(None, None, stamp, lines.one_line(exc)))
        return
    loaded = profiles if reread else None
    ctx.post(ProfilesLoaded(loaded, expiries, stamp, rows=rows if reread else None))


def assume_job(ctx: Context, job: Job, target: Target | None = None) -> None:
    """Assume ``job.name`` for its purpose (or open the console, or whoami); ``target``
    is what a discovered SSO row stands for (None for a profile)."""
    assert ctx.profiles is not None

    def mfa(serial: str) -> str | None:
        job.asked.append(serial)
        return job.code

    if job.purpose == "console":
        _console_job(ctx, job, mfa)
        return
    session = ctx.sessions.get(job.name)
    if job.purpose == "whoami" and lines.usable(session, ctx.clock()):
        result = session
    elif target is not None and target.role is not None:  # a discovered role
        result = ctx.services.do_sso_role(
            job.name,
            target.session,
            target.role.account_id,
            target.role.role_name,
            use_cache=job.purpose not in ("reassume", "refresh"),
        )
        ctx.post(AssumeDone(job.name, result, job.purpose))
    else:
        quiet = job.purpose == "refresh"
        result = ctx.services.do_assume(
            ctx.profiles,
            job.name,
            progress=None if quiet else lambda e: ctx.post(Progress(job.name, e)),
            mfa=mfa,
            use_cache=job.purpose not in ("reassume", "refresh"),
            default_duration=ctx.settings.default_duration,
            session_name=ctx.settings.default_session_name,
            now=ctx.clock,
        )
        ctx.post(AssumeDone(job.name, result, job.purpose))
    if job.purpose == "whoami":
        region = getattr(result, "region", None)
        ctx.post(WhoamiDone(job.name, ctx.services.do_whoami(result, region)))


def _console_job(ctx: Context, job: Job, mfa: Callable[[str], str | None]) -> None:
    """The console link goes from here to the browser, never to the UI."""
    assert ctx.profiles is not None

    def assume(profiles: ProfileSet, name: str, *, mfa_session: bool = True) -> Any:
        session = ctx.sessions.get(name)
        if mfa_session and lines.usable(session, ctx.clock()):
            return session
        result = ctx.services.do_assume(
            profiles,
            name,
            progress=lambda event: ctx.post(Progress(name, event)),
            mfa=mfa,
            default_duration=ctx.settings.default_duration,
            session_name=ctx.settings.default_session_name,
            now=ctx.clock,
            mfa_session=mfa_session,
        )
        if mfa_session:  # (a user's own keys are no session to keep)
            ctx.post(AssumeDone(name, result, "console"))
        return result

    warnings: list[str] = []
    link = ctx.services.do_console(
        ctx.profiles,
        job.name,
        assume=assume,
        user_name=ctx.settings.default_session_name,
        warn=warnings.append,
    )
    opened = ctx.services.do_open_browser(link.url)
    ctx.post(ConsoleOpened(job.name, opened, link.arn, link.account_id, warnings))


def served_options(
    settings: Settings, config: str | None, credentials: str | None
) -> dict[str, Any] | None:
    """How the shell's endpoint refreshes (None: ``env_keys``, fixed keys)."""
    if settings.env_keys:
        return None
    return {
        "config": config,
        "credentials": credentials,
        "margin_seconds": settings.refresh_margin,
        "default_duration": settings.default_duration,
        "session_name": settings.default_session_name,
    }
