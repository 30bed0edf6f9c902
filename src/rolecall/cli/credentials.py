"""The verbs that hand out a profile's credentials: ``assume``, ``env``, ``exec``,
``shell`` and ``credential-process``.

Each one assumes the profile (:func:`assume_for`), then shows, exports or runs
with the result.  ``env`` and ``credential-process`` on a cache hit are the hot
path (``credential-process`` runs before every SDK process that uses it): on a
hit they read no settings, import no boto3 and no json encoder beyond the
cache's, so everything else here is imported inside the function that needs it.
"""

from __future__ import annotations

import os
import sys

from rolecall.cli.files import load
from rolecall.cli.output import CliError, printable, say, tell

TYPE_CHECKING = False  # (not typing.TYPE_CHECKING: importing typing costs a cache hit 2 ms)
if TYPE_CHECKING:  # pragma: no cover
    import argparse
    from collections.abc import Callable

    from rolecall.core.profiles import ProfileSet
    from rolecall.core.sts import AssumeResult, ProgressEvent

__all__ = [
    "ASSUME_FIELDS",
    "assume_for",
    "assume_json",
    "cmd_assume",
    "cmd_credential_process",
    "cmd_env",
    "cmd_exec",
    "cmd_shell",
]

#: How deep ``credential-process`` calls itself through credential_process (refused at 3).
CP_DEPTH_ENV = "ROLECALL_CREDENTIAL_PROCESS_DEPTH"


def _prompt_mfa(serial: str) -> str | None:
    """Ask on the terminal (``/dev/tty``, so it works with stdout captured)."""
    from rolecall.core.sts import AssumeError
    from rolecall.core.sts.errors import MFA_REQUIRED

    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        raise AssumeError(
            f"an MFA code is needed for {serial}",
            "no terminal to ask on: pass --mfa-code CODE",
            MFA_REQUIRED,
        ) from None
    os.close(fd)
    import getpass

    try:
        code = getpass.getpass(printable(f"MFA code for {serial}: "))
    except EOFError:
        return None
    return code.strip() or None


def _progress_printer(verbose: bool) -> Callable[[ProgressEvent], None]:
    def show(event: ProgressEvent) -> None:
        if event.kind == "warning":
            tell(f"rolecall: warning: {event.message}")
        elif verbose and event.kind in ("root", "assume", "cache-hit"):
            tell(f"rolecall: {event.message}")

    return show


def _settings_defaults() -> tuple[int | None, str | None]:
    """``[defaults]`` of rolecall's settings (read only when STS is called)."""
    try:
        from rolecall.settings import load_settings

        settings = load_settings()
    except Exception:  # settings never stop an assume
        return None, None
    return settings.default_duration, settings.default_session_name


def assume_for(
    args: argparse.Namespace,
    *,
    verbose: bool | None = None,
    guard: str | None = None,
    profiles: ProfileSet | None = None,
    mfa_session: bool = True,
) -> AssumeResult:
    """Assume ``args.profile`` as the options say; any failure is a CliError (exit 1).

    ``guard`` names the verb: a guarded profile is confirmed first (``--yes``, or
    y on the terminal), before anything is assumed (:mod:`rolecall.cli.guarding`).
    """
    from rolecall.core import sts

    if profiles is None:
        profiles = load(args)
    name: str = args.profile
    if guard is not None:
        from rolecall.cli.guarding import confirm

        confirm(profiles, name, guard, yes=getattr(args, "yes", False))
    use_cache = not getattr(args, "no_cache", False)
    duration: int | None = getattr(args, "duration", None)
    code: str | None = getattr(args, "mfa_code", None)
    if verbose is None:
        verbose = sys.stderr.isatty()
    try:
        result = sts.assume(
            profiles,
            name,
            progress=_progress_printer(verbose),
            mfa=code if code is not None else _prompt_mfa,
            use_cache=use_cache,
            duration=duration,
            mfa_session=mfa_session,
            defaults=_settings_defaults,  # (read only when STS is called: never on a hit)
        )
    except sts.AssumeError as exc:
        raise CliError(str(exc), 1) from None
    region: str | None = getattr(args, "region", None)  # --region: for this command only
    return result if region is None else result.replace(region=region)


def _expiry_text(result: AssumeResult) -> str:
    from rolecall.core.cache.timestamps import now_utc
    from rolecall.core.shell_lines import expiry_text

    return expiry_text(result.expiration, now_utc())


#: What ``assume`` shows, in order: (JSON key, text label).  Both outputs carry
#: every one of them; the JSON also keeps ``from_cache`` (``source == "cache"``).
ASSUME_FIELDS = (
    ("profile", "profile"),
    ("arn", "arn"),
    ("account_id", "account"),
    ("expiration", "expires"),
    ("region", "region"),
    ("source", "source"),
)


def _source(result: AssumeResult) -> str:
    """Where the credentials came from: ``cache``, ``sts``, or a profile's own credentials."""
    if result.origin is not None:
        return result.origin
    return "cache" if result.from_cache else "sts"


def assume_json(result: AssumeResult) -> dict[str, object]:
    """``assume --json``: every field of :data:`ASSUME_FIELDS` (no secret), and ``from_cache``."""
    from rolecall.core.cache.timestamps import format_expiration

    doc: dict[str, object] = {
        "profile": result.profile,
        "arn": result.arn,
        "account_id": result.account_id,
        "expiration": format_expiration(result.expiration) if result.expiration else None,
        "region": result.region,
        "source": _source(result),
        "from_cache": result.from_cache,
    }
    return doc


def _assume_text(result: AssumeResult) -> list[tuple[str, str]]:
    """The text rows of ``assume``: the same fields as :func:`assume_json`, for a person."""
    values = {
        "profile": result.profile,
        "arn": result.arn or "- (this profile assumes no role: its own credentials)",
        "account_id": result.account_id or "-",
        "expiration": _expiry_text(result),
        "region": result.region or "-",
        "source": _source(result),
    }
    return [(label, values[key]) for key, label in ASSUME_FIELDS]


def cmd_assume(args: argparse.Namespace) -> int:
    import json

    result = assume_for(args)
    if args.json:
        # (ensure_ascii: nothing from a file reaches the terminal unescaped)
        sys.stdout.write(json.dumps(assume_json(result), indent=2) + "\n")
        return 0
    for label, value in _assume_text(result):
        say(f"{label:<8} {value}")
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    from rolecall.core.shell import UnsafeValueError, format_env

    result = assume_for(args, guard="env")
    try:
        text = format_env(result, args.format)
    except UnsafeValueError as exc:
        raise CliError(f"not exporting the credentials of {result.profile}: {exc}", 1) from None
    sys.stdout.write(text)
    _quick_exit_after(result)
    return 0


def _quick_exit_after(result: AssumeResult) -> None:
    """On a cache hit, let the process end without freeing what it loaded.

    Python's own teardown is 7 ms of the ~50 ms of CPU a cache hit costs here
    (``os._exit`` after the flush, as ``list`` does).  A hit starts no thread,
    registers no atexit handler and leaves no file open; a miss (boto3) ends
    the normal way.
    """
    if result.from_cache:
        from rolecall.cli import program

        program.keep_until_exit(result)


def _exec_command(args: argparse.Namespace) -> list[str]:
    """The command of ``exec``, after its ``--``.

    argparse gives everything after PROFILE to the command, so the options given
    between PROFILE and ``--`` (``exec dev --duration 900 -- make``) are parsed here.
    """
    command = list(args.command)
    if "--" not in command:
        return command
    cut = command.index("--")
    options, command = command[:cut], command[cut + 1 :]
    if options:
        from rolecall.cli.parser import parse_assume_options

        for key, value in parse_assume_options("rolecall exec", options).items():
            setattr(args, key, value)
    return command


def cmd_exec(args: argparse.Namespace) -> int:
    from rolecall.cli.prompt_marker import with_prompt_marker
    from rolecall.cli.served import env_keys_chosen, run_child

    command = _exec_command(args)
    if not command:
        raise CliError("no command given: rolecall exec PROFILE -- COMMAND [ARGS...]")
    env_keys = env_keys_chosen(args)
    result = assume_for(args, guard="exec")
    command, marked = with_prompt_marker(command, result.profile)  # `exec P -- $SHELL`
    return run_child(args, result, command, env_keys=env_keys, where="in a terminal", extra=marked)


def cmd_shell(args: argparse.Namespace) -> int:
    from rolecall.cli.prompt_marker import with_prompt_marker
    from rolecall.cli.served import env_keys_chosen, run_child
    from rolecall.core.cache.timestamps import now_utc
    from rolecall.core.shell import SHELL_MARKER, user_shell
    from rolecall.core.shell_lines import ShellLines

    inside = os.environ.get(SHELL_MARKER)
    if inside and not args.force:
        raise CliError(
            f"already inside a rolecall shell for profile {inside}: type `exit` to leave it "
            "first, or pass --force to start another one inside it",
            1,
        )
    env_keys = env_keys_chosen(args)
    result = assume_for(args, guard="shell")
    argv, marked = with_prompt_marker(user_shell(os.environ), result.profile)
    said = ShellLines(argv[0], result.profile, result.expiration, kept_fresh=not env_keys)
    tell(said.start(now_utc()))  # (the UI's `s` says the same)
    code = run_child(
        args,
        result,
        argv,
        env_keys=env_keys,
        where="in this shell",
        extra={SHELL_MARKER: result.profile, **marked},
    )
    tell(said.end(now_utc()))
    return code


def cmd_credential_process(args: argparse.Namespace) -> int:
    from rolecall.core.cache.timestamps import format_expiration
    from rolecall.core.fast_json import dumps  # (json.dumps's text, without json and re)

    try:
        depth = int(os.environ.get(CP_DEPTH_ENV, "0"))
    except ValueError:
        depth = 0
    if depth >= 3:
        raise CliError(
            f"credential-process {args.profile} calls itself through credential_process; "
            "point credential_process at a role profile that does not use it",
            1,
        )
    from rolecall.cli.guarding import refuse_for_credential_process

    profiles = load(args)
    refuse_for_credential_process(profiles, args.profile)
    previous = os.environ.get(CP_DEPTH_ENV)
    os.environ[CP_DEPTH_ENV] = str(depth + 1)  # seen by a credential_process it starts
    try:
        result = assume_for(args, verbose=False, profiles=profiles)
    finally:
        if previous is None:
            os.environ.pop(CP_DEPTH_ENV, None)
        else:
            os.environ[CP_DEPTH_ENV] = previous
    creds = result.credentials
    doc: dict[str, object] = {
        "Version": 1,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
    }
    if creds.session_token:
        doc["SessionToken"] = creds.session_token
    expiration = result.expiration or creds.expiration
    if expiration is not None:
        doc["Expiration"] = format_expiration(expiration)
    if result.account_id:
        doc["AccountId"] = result.account_id
    sys.stdout.write(dumps(doc) + "\n")
    _quick_exit_after(result)
    return 0
