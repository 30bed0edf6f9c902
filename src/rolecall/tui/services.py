"""What the app gets from outside: a clock, STS, the credential cache and a shell launcher.

Tests replace any of them: a frozen clock, a fake ``assume``, a launcher that
records its arguments (``App.suspend()`` cannot run headless).  The defaults
import ``rolecall.core.sts`` (and so boto3) only when an assume really runs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING, Any

from rolecall.core.plural import plural

if TYPE_CHECKING:
    from textual.app import App

    from rolecall.core.config import AwsConfig
    from rolecall.core.profiles import ProfileSet
    from rolecall.core.sso.discovery import Discovery, Role, SessionRoles
    from rolecall.core.sso.session import SsoSession
    from rolecall.tui.model import ExpiryLike

__all__ = [
    "WORKER_THREADS",
    "Launcher",
    "Services",
    "path_problem",
    "start_worker_pool",
    "suspend_launcher",
    "utc_now",
]

#: the names of the worker pool's threads start with this
POOL_PREFIX = "rolecall"
#: threads of the worker pool, started after the first frame
WORKER_THREADS = 8

#: ``launcher(app, argv, env, typed) -> exit code``: runs the user's shell; ``typed``
#: is what the user typed for it before it started (keys read by the app meanwhile).
Launcher = Callable[["App[Any]", Sequence[str], Mapping[str, str], str], int]


def utc_now() -> datetime:
    return datetime.now(UTC)


def start_worker_pool(threads: int = WORKER_THREADS) -> None:
    """Start the running loop's worker threads now, while the app is idle.

    asyncio's default pool starts a thread on demand, and ``Thread.start`` waits
    for the new thread to run: when twenty assumes start at once that wait,
    behind the GIL, stalls the event loop.
    """
    import asyncio
    import time
    from concurrent.futures import ThreadPoolExecutor

    class NoWaitPool(ThreadPoolExecutor):
        """Quitting never waits for a worker stuck in a call (asyncio.run waits for the
        default pool's shutdown; :func:`rolecall.tui.run` then ends the process)."""

        def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
            super().shutdown(wait=False, cancel_futures=True)

    loop = asyncio.get_running_loop()
    pool = NoWaitPool(max_workers=threads, thread_name_prefix=POOL_PREFIX)
    loop.set_default_executor(pool)
    for _ in range(threads):
        pool.submit(time.sleep, 0.05)


def path_problem(path: str) -> str | None:
    """Why ``path`` can never be read as a file, or None (a missing file is fine).

    >>> path_problem("/"), path_problem("/nonexistent/config")
    ('is a directory, not a file', None)
    """
    if not path:
        return None
    if os.path.isdir(path):
        return "is a directory, not a file"
    if os.path.islink(path) and not os.path.exists(path):
        try:
            os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return "is a symlink loop"
        return f"is a symlink to {os.readlink(path)!r}, which does not exist"
    return None


def _ignore_sigint(signum: int, frame: FrameType | None) -> None:
    """A Python-level SIGINT handler that does nothing.

    Not ``SIG_IGN``: an ignored signal stays ignored in the child after exec,
    so Ctrl+C would stop working in the subshell.  A handled one is reset to the
    default in the child, and here it only keeps ``KeyboardInterrupt`` out of
    the app.
    """


def push_typed(text: str) -> int:
    """Put ``text`` back in the terminal's input, as if typed again; returns how many
    characters could not be (the terminal refuses ``TIOCSTI``, or is not one).

    The app read those keys from the terminal before the shell started (they came in
    the same read as ``s``); the shell reads them from the terminal, as type-ahead.
    Linux can forbid this (``dev.tty.legacy_tiocsti = 0``) to unprivileged users.
    """
    try:
        import fcntl
        import termios

        fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else -1
        if fd < 0 or not os.isatty(fd):
            return len(text)
    except (ImportError, AttributeError, OSError, ValueError):  # not a Unix terminal
        return len(text)
    try:  # no echo now: the shell shows the text as it reads it
        attrs = termios.tcgetattr(fd)
        quiet = list(attrs)
        quiet[3] &= ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
    except termios.error:
        attrs = None
    try:
        for index, char in enumerate(text):
            try:
                for byte in char.encode(errors="replace"):
                    fcntl.ioctl(fd, termios.TIOCSTI, bytes([byte]))
            except OSError:
                return len(text) - index
    finally:
        if attrs is not None:
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
    return 0


def suspend_launcher(
    app: App[Any], argv: Sequence[str], env: Mapping[str, str], typed: str = ""
) -> int:
    """Suspend the TUI, hand ``typed`` to the terminal, run ``argv`` with ``env``, resume.

    Before the prompt and after the exit, it says what ``rolecall shell`` says
    (``core.shell_lines``), on stderr.
    """
    from rolecall.core.shell_lines import from_env

    said = from_env(argv, env)
    with app.suspend():
        if said is not None:
            print(said.start(utc_now()), file=sys.stderr, flush=True)
        previous = signal.signal(signal.SIGINT, _ignore_sigint)
        try:
            if typed:  # (after the handler: a typed Ctrl+C must not stop the app)
                lost = push_typed(typed)
                if lost:
                    print(
                        f"rolecall: {plural(lost, 'character')} typed before the shell opened "
                        "could not be passed to it (this terminal does not allow it); type them "
                        "again",
                        file=sys.stderr,
                    )
            from rolecall.core.shell import run_subshell

            code = run_subshell(list(argv), dict(env))
            if said is not None:
                print(said.end(utc_now()), file=sys.stderr, flush=True)
            return code
        finally:
            signal.signal(signal.SIGINT, previous)


class _SerialFactory:
    """A client factory whose calls (client creation, not the clients' calls) take turns."""

    def __init__(self, inner: Callable[..., Any]) -> None:
        self.inner = inner
        self.lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return self.inner(*args, **kwargs)


@dataclass
class Services:
    """The app's outside world; every field may be replaced by a test."""

    clock: Callable[[], datetime] = utc_now
    #: ``rolecall.core.sts.assume``-compatible
    assume: Callable[..., Any] | None = None
    #: ``rolecall.core.sts.mfa_needed``-compatible
    mfa_needed: Callable[..., str | None] | None = None
    #: ``rolecall.core.sts.whoami``-compatible
    whoami: Callable[..., dict[str, Any]] | None = None
    #: passed to assume/whoami as ``client_factory`` (a moto endpoint in tests)
    client_factory: Any = None
    launcher: Launcher = suspend_launcher
    #: ``editor(app, argv) -> exit code``: runs the user's editor (``e``)
    editor: Callable[[App[Any], Sequence[str]], int] | None = None
    #: ``rolecall.core.expiries.expiries``-compatible
    expiries: Callable[..., Mapping[str, ExpiryLike]] | None = None
    #: ``rolecall.core.expiries.mfa_sessions``-compatible (with ``expiries`` faked: none)
    mfa_sessions: Callable[..., Mapping[str, ExpiryLike]] | None = None
    #: ``rolecall.core.logout.logout_profile``-compatible
    logout: Callable[..., Any] | None = None
    #: ``rolecall.core.cache.cache_fingerprint``-compatible
    cache_fingerprint: Callable[[], tuple[Any, ...]] | None = None
    build_env: Callable[..., dict[str, str]] | None = None
    user_shell: Callable[[Mapping[str, str]], list[str]] | None = None
    environ: Mapping[str, str] | None = None
    #: serve the shell's credentials from an endpoint that keeps them fresh (else fixed keys)
    serve: bool = True
    #: ``sso_login(profiles, name, on_code, cancel)``: the SSO login of ``name``'s session
    sso_login: Callable[..., None] | None = None
    #: ``browser(url) -> opened``: opens a URL (the SSO verification page, a console link)
    #: where a browser can open
    browser: Callable[[str], bool] | None = None
    #: ``discover(config, ttl) -> [SessionRoles]``: every SSO session's roles
    #: (``rolecall.core.sso.discovery.discover_sessions`` of the config's sessions)
    discover: Callable[..., list[Any]] | None = None
    #: ``rolecall.core.sso.credentials.role_credentials``-compatible: a discovered role's keys
    sso_role: Callable[..., Any] | None = None
    #: ``rolecall.core.console.console_link``-compatible
    console: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    # -- STS ----------------------------------------------------------------
    def factory(self) -> Any:
        """One client factory for the app's life, shared by every worker.

        A boto3 session loads and parses botocore's data files (endpoints,
        the STS model) once; a new session per assume would parse them again
        in every worker, holding the GIL long enough to stall the UI when
        twenty run at once.  Client creation is serialised (a boto3 Session is
        not thread-safe); the STS calls themselves run in parallel.
        """
        with self._lock:
            if self.client_factory is None:
                from rolecall.core import sts

                self.client_factory = _SerialFactory(sts.BotoClientFactory())
            return self.client_factory

    def warm(self) -> None:
        """Load boto3 and botocore's data files now, in a worker, while the app is idle.

        The first client costs ~0.15 s of CPU (imports, endpoints, the STS
        model); paid during a burst of assumes it would stall the event loop.
        The warm-up client is given explicit keys (``sts.warm_up``), so botocore
        resolves no credentials: it parses neither AWS file (0.3 s at 10,000
        profiles, holding the GIL) and asks no instance metadata service.
        Skipped when STS is injected (tests).
        """
        if self.assume is None:
            from rolecall.core import sts

            sts.warm_up(self.factory())

    def do_assume(self, profiles: ProfileSet, name: str, **kwargs: Any) -> Any:
        fn = self.assume
        if fn is None:
            from rolecall.core import sts

            fn = sts.assume
            kwargs.setdefault("client_factory", self.factory())
        elif self.client_factory is not None:
            kwargs.setdefault("client_factory", self.client_factory)
        return fn(profiles, name, **kwargs)

    def do_mfa_needed(
        self, profiles: ProfileSet, name: str, *, use_cache: bool, now: datetime
    ) -> str | None:
        fn = self.mfa_needed
        if fn is None:
            from rolecall.core import sts

            fn = sts.mfa_needed
        return fn(profiles, name, use_cache=use_cache, now=now)

    def do_whoami(self, result: Any, region: str | None) -> dict[str, Any]:
        fn = self.whoami
        kwargs: dict[str, Any] = {}
        if fn is None:
            from rolecall.core import sts

            fn = sts.whoami
            kwargs["client_factory"] = self.factory()
        elif self.client_factory is not None:
            kwargs["client_factory"] = self.client_factory
        return fn(result, region=region, **kwargs)

    def do_console(self, profiles: ProfileSet, name: str, **kwargs: Any) -> Any:
        """The console sign-in link of ``name`` (GetFederationToken through the app's clients)."""
        fn = self.console
        if fn is None:
            from rolecall.core.console import console_link

            fn = console_link
            if "federate" not in kwargs:
                from functools import partial

                from rolecall.core import sts

                factory = self.factory() if self.assume is None else self.client_factory
                kwargs["federate"] = partial(sts.federation_token, client_factory=factory)
        return fn(profiles, name, **kwargs)

    # -- SSO ----------------------------------------------------------------
    def do_sso_login(
        self,
        profiles: ProfileSet,
        name: str,
        on_code: Callable[[Any], None],
        cancel: threading.Event,
        session: SsoSession | None = None,
    ) -> None:
        """Log in, in a worker, the SSO session of profile ``name`` (of its chain's root),
        or ``session`` (a discovered row's, a session just configured)."""
        if self.sso_login is not None:
            self.sso_login(profiles, name, on_code, cancel)
            return
        from rolecall.core.sso import discovery, login
        from rolecall.core.sso.session import session_of_profile

        if session is None:
            session = session_of_profile(profiles.config, name)
        login.login(session, on_code, cancel=cancel, now=self.clock)
        discovery.forget(session)

    def do_discover(self, config: AwsConfig, ttl: float) -> list[SessionRoles]:
        """Every SSO session's roles: from the discovery cache, else from the portal."""
        if self.discover is not None:
            return self.discover(config, ttl)
        from rolecall.core.sso.discovery import discover_sessions
        from rolecall.core.sso.session import sessions

        return discover_sessions(sessions(config), ttl=ttl)

    def do_token_expiries(self, sessions: Iterable[SsoSession]) -> dict[str, ExpiryLike]:
        """The sessions' token expiries, by token file (no network: the files only)."""
        from rolecall.core.expiries import Expiry, sso_token_file_expiry

        out: dict[str, ExpiryLike] = {}
        for session in sessions:
            # (a token of another portal in that file: none)
            got = sso_token_file_expiry(session.token_path, session.start_url)
            if got is not None:
                out[session.token_path] = Expiry("", "sso", got[0], got[1])
        return out

    def do_sso_role(
        self, name: str, session: SsoSession, account_id: str, role_name: str, *, use_cache: bool
    ) -> Any:
        """A discovered role's credentials (``GetRoleCredentials``), as an assume's result."""
        fn = self.sso_role
        if fn is None:
            from rolecall.core.sso.credentials import role_credentials

            fn = role_credentials
        return fn(
            session,
            account_id,
            role_name,
            label=name,
            region=session.region,
            use_cache=use_cache,
            now=self.clock(),
        )

    def do_add_role(
        self,
        session: SsoSession,
        discovery: Discovery,
        role: Role,
        config: str | None,
        credentials: str | None,
    ) -> str:
        """Write a discovered role's profile (``rolecall.core.sso.populate.add_role``)."""
        from rolecall.core.sso.populate import add_role

        return add_role(session, discovery, role, config=config, credentials=credentials)

    def do_open_browser(self, url: str) -> bool:
        """Open ``url`` in a browser when one can open here; whether it was tried."""
        if self.browser is not None:
            return self.browser(url)
        from rolecall.core.sso import login

        if not login.browser_available():
            return False
        login.open_browser(url)
        return True

    # -- files --------------------------------------------------------------
    def load_profiles(self, config: str | None, credentials: str | None) -> ProfileSet:
        """Both AWS files, as ``rolecall.core.profiles.load_profiles`` reads them.

        A path that can never be read as a file (a directory, a symlink loop or
        a dangling link) raises ``ConfigError``, as an unreadable file does:
        the app keeps the profiles it has and says why, rather than showing an
        empty table (botocore reads such a path as no file at all).
        """
        from rolecall.core.config import ConfigError, config_path, credentials_path
        from rolecall.core.profiles import load_profiles

        for what, path in (
            ("config file", config_path(config)),
            ("credentials file", credentials_path(credentials)),
        ):
            problem = path_problem(path)
            if problem:
                raise ConfigError(f"{what} {path} {problem}")
        return load_profiles(config, credentials)

    # -- cache --------------------------------------------------------------
    def do_expiries(
        self, profiles: ProfileSet, now: datetime
    ) -> tuple[dict[str, ExpiryLike], dict[str, ExpiryLike]]:
        """Each profile's expiry, and the MFA session each chain uses (one cache pass)."""
        fn = self.expiries
        if fn is None:
            from rolecall.core.expiries import expiries_and_sessions

            rows, sessions = expiries_and_sessions(profiles, now)
            return dict(rows), dict(sessions)
        chains = self.mfa_sessions
        return dict(fn(profiles, now=now)), dict(chains(profiles, now=now)) if chains else {}

    def do_cache_fingerprint(self) -> tuple[Any, ...]:
        fn = self.cache_fingerprint
        if fn is None:
            from rolecall.core.expiries import cache_fingerprint

            fn = cache_fingerprint
        return tuple(fn())

    def do_cache_dirs_stamp(self) -> tuple[Any, ...]:
        """The mtimes of the cache directories (three stats); () when the cache is faked."""
        if self.cache_fingerprint is not None:
            return ()
        from rolecall.core.cache.keys import cli_cache_dir, mfa_cache_dir, sso_cache_dir

        out: list[int | None] = []
        for directory in (cli_cache_dir(), sso_cache_dir(), mfa_cache_dir()):
            try:
                out.append(os.stat(directory).st_mtime_ns)
            except OSError:
                out.append(None)
        return tuple(out)

    def do_logout(self, profiles: ProfileSet, name: str) -> Any:
        """Remove ``name``'s cached credentials; returns what was removed (``.paths``)."""
        fn = self.logout
        if fn is None:
            from rolecall.core.logout import logout_profile

            fn = logout_profile
        return fn(profiles, name)

    def do_edit(self, app: App[Any], argv: Sequence[str]) -> int:
        """Run the editor (``tui.editor.suspend_editor`` unless replaced)."""
        if self.editor is None:
            from rolecall.tui.editor import suspend_editor

            return suspend_editor(app, argv)
        return self.editor(app, argv)

    def environment(self) -> Mapping[str, str]:
        return os.environ if self.environ is None else self.environ

    # -- shell --------------------------------------------------------------
    def shell_command(self, result: Any, profile: str) -> tuple[list[str], dict[str, str]]:
        base = os.environ if self.environ is None else self.environ
        build = self.build_env
        user = self.user_shell
        if build is None or user is None:
            from rolecall.core import shell

            build = build or shell.build_env
            user = user or shell.user_shell
        env = build(result, base, profile)
        return user(env), env

    @contextlib.contextmanager
    def shell_session(
        self,
        result: Any,
        profile: str,
        served: Mapping[str, Any] | None,
        role: tuple[SsoSession, str, str] | None = None,
        prompt_sgr: str | None = None,
    ) -> Iterator[tuple[list[str], dict[str, str]]]:
        """The shell's argv and environment, for as long as it runs.

        With ``served`` (the keywords of ``rolecall.core.serve.endpoint_for``: the
        files, the margin, the defaults), the credentials come from an endpoint that
        this process serves, and keeps fresh, while the UI is suspended; it stops
        when the shell exits.  Without it (``env_keys``), or when :attr:`serve` is
        off, the environment holds fixed keys.  ``role`` (session, account ID, role
        name): a discovered SSO role, which the endpoint refreshes from the portal
        (``rolecall.core.sso.serving``), not by assuming a profile.  With
        ``prompt_sgr`` (the colour of the marker), a bash, zsh or fish shows the
        profile before its prompt.
        """
        from rolecall.core.subshell_prompt import mark

        argv, env = self.shell_command(result, profile)
        if served is None or not self.serve:
            yield mark(argv, env, prompt_sgr)
            return
        from rolecall.core.serve import Endpoint

        base = os.environ if self.environ is None else self.environ
        endpoint: Endpoint
        if role is not None:
            from rolecall.core.sso.serving import role_endpoint

            endpoint = role_endpoint(
                result,
                *role,
                where="in this shell",
                margin_seconds=served.get("margin_seconds"),
                environ=base,
            )
        else:
            from rolecall.core.serve import endpoint_for

            endpoint = endpoint_for(result, where="in this shell", environ=base, **served)
        with endpoint:
            yield mark(argv, endpoint.child_env(base, profile), prompt_sgr)
