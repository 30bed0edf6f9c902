"""rolecall's command line: argument parsing, and calls into ``rolecall.core``.

The TUI is imported only when it is opened, so ``rolecall list`` never pays for
Textual, and a cache hit never pays for boto3.
"""

from __future__ import annotations

import argparse
import errno
import os
import re  # (argparse imports it anyway)
import sys
from collections.abc import Callable, Sequence

from rolecall import __version__

TYPE_CHECKING = False  # (not typing.TYPE_CHECKING: importing typing costs a cache hit 2 ms)
if TYPE_CHECKING:  # imported lazily at run time
    from typing import Any, NoReturn

    from rolecall.core.profiles import ProfileSet
    from rolecall.core.sts import AssumeResult, ProgressEvent

__all__ = ["main", "entry", "build_parser", "CliError"]

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A failure with a one-line message and an exit code (never a traceback)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _add_files(p: argparse.ArgumentParser, top: bool = False) -> None:
    """--config and --credentials, on the top parser and on every subcommand.

    Subcommands use SUPPRESS so that ``rolecall --config X list`` keeps X.
    """
    default = None if top else argparse.SUPPRESS
    p.add_argument(
        "--config",
        default=default,
        metavar="FILE",
        help="AWS config file (default: $AWS_CONFIG_FILE or ~/.aws/config)",
    )
    p.add_argument(
        "--credentials",
        default=default,
        metavar="FILE",
        help="AWS credentials file (default: $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials)",
    )


def _check_path(path: str, what: str) -> None:
    """Refuse a config or credentials path that can never be read as a file.

    botocore silently reads such a path as no file at all; rolecall says why.
    A missing file (or an empty path) is fine: it counts as no file.
    """
    if not path:
        return
    if os.path.isdir(path):
        raise CliError(f"{what} {path} is a directory, not a file")
    if os.path.islink(path):
        try:
            os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise CliError(f"{what} {path} is a symlink loop; fix or remove the link") from None
            if exc.errno == errno.ENOENT:
                raise CliError(
                    f"{what} {path} is a symlink to {os.readlink(path)!r}, which does not exist"
                ) from None


def _check_files(args: argparse.Namespace, credentials: bool = True) -> None:
    """:func:`_check_path` on the config and credentials files a verb will read
    (``--config``/``--credentials``, else the environment, else ``~/.aws``)."""
    from rolecall.core.config import config_path, credentials_path

    _check_path(config_path(getattr(args, "config", None)), "config file")
    if credentials:
        _check_path(credentials_path(getattr(args, "credentials", None)), "credentials file")


# ---------------------------------------------------------------------------
# list
# ---------------------------------------------------------------------------
def cmd_list(args: argparse.Namespace) -> int:
    from rolecall.core.config import ConfigError
    from rolecall.core.profiles import load_profiles

    _check_files(args)
    try:
        profiles = load_profiles(args.config, args.credentials)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    cfg = profiles.config
    out = sys.stdout
    if args.json:
        from rolecall.core.profiles import write_list_json

        write_list_json(profiles, out.write)
    else:
        header = ("NAME", "KIND", "ACCOUNT", "ROLE", "REGION", "SOURCE", "PROBLEMS")
        rows = [
            (
                p.name,
                p.kind,
                p.account_id or "",
                p.role_name or "",
                p.region or "",
                p.source or "",
                "; ".join(p.problems),
            )
            for p in profiles
        ]
        if _UNPRINTABLE.search("".join("".join(row) for row in rows)):
            rows = [
                (_printable(a), _printable(b), _printable(c), _printable(d))
                + (_printable(e), _printable(f), _printable(g))
                for a, b, c, d, e, f, g in rows
            ]
        widths = [len(h) for h in header[:-1]]
        for row in rows:
            for i, cell in enumerate(row[:-1]):
                if len(cell) > widths[i]:
                    widths[i] = len(cell)
        lines = []
        for row in (header, *rows):
            cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
            lines.append("  ".join([*cells, row[-1]]).rstrip())
        out.write("\n".join(lines) + "\n")
        if not rows and not cfg.problems:
            sys.stderr.write(
                _printable(f"no profiles in {cfg.config_file} or {cfg.credentials_file}") + "\n"
            )
    if cfg.problems:
        # one line: the first problem (the one botocore stops at), and how many more
        line = f"rolecall: {cfg.problems[0]}"
        more = len(cfg.problems) - 1
        if more:
            line += f"; and {more} more problem(s): `rolecall list --json` shows them all"
        sys.stderr.write(_printable(line) + "\n")
    if _keep_until_exit is not None:
        _keep_until_exit.append(profiles)  # freed by the exit, not one by one
    return 1 if cfg.problems else 0


# ---------------------------------------------------------------------------
# profile add / remove
# ---------------------------------------------------------------------------
def cmd_profile_add(args: argparse.Namespace) -> int:
    from rolecall.core.config import ConfigError
    from rolecall.core.edit import ROLE_KEYS, EditError, add_profile

    settings: dict[str, str] = {}
    for key in ROLE_KEYS:  # (each is an option: --role-arn, --source-profile...)
        value = getattr(args, key)
        if value is not None:
            settings[key] = str(value)
    _check_files(args)
    try:
        path = add_profile(
            args.name,
            settings,
            force=args.force,
            config=args.config,
            credentials=args.credentials,
        )
    except (EditError, ConfigError, OSError) as exc:
        raise CliError(f"profile not added: {_oneline(exc)}", 1) from None
    print(f"added profile {args.name} to {path}")
    return 0


def cmd_profile_remove(args: argparse.Namespace) -> int:
    from rolecall.core.config import ConfigError
    from rolecall.core.edit import EditError, remove_profile

    _check_files(args)
    try:
        path = remove_profile(
            args.name, force=args.force, config=args.config, credentials=args.credentials
        )
    except (EditError, ConfigError, OSError) as exc:
        raise CliError(f"profile not removed: {_oneline(exc)}", 1) from None
    print(f"removed profile {args.name} from {path}")
    return 0


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _printable(text: str) -> str:
    """``text`` with control characters and undecodable bytes escaped (``\\x1b``), so
    that nothing read from a file or the command line can drive the terminal."""
    return _UNPRINTABLE.sub(_escape, text)


def _oneline(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename or ''}: {exc.strerror}".lstrip(": ")
    return " ".join(str(exc).split()) or type(exc).__name__


# ---------------------------------------------------------------------------
# assume / env / exec / shell / credential-process
# ---------------------------------------------------------------------------
def _load(args: argparse.Namespace) -> ProfileSet:
    from rolecall.core.config import ConfigError
    from rolecall.core.profiles import load_profiles

    _check_files(args)
    try:
        return load_profiles(args.config, args.credentials)
    except ConfigError as exc:
        raise CliError(str(exc), 1) from None


def _seconds(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None


def _add_assume_options(p: argparse.ArgumentParser, duration: bool = True) -> None:
    p.add_argument("--mfa-code", metavar="CODE", help="the 6-digit MFA code (else you are asked)")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="assume again instead of reusing cached credentials (the result is still cached)",
    )
    if duration:
        p.add_argument(
            "--duration",
            type=_seconds,
            metavar="S",
            help="DurationSeconds (900..43200; at most 3600 when chaining roles)",
        )


def _prompt_mfa(serial: str) -> str | None:
    """Ask on the terminal (``/dev/tty``, so it works with stdout captured)."""
    from rolecall.core.sts import AssumeError

    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        raise AssumeError(
            f"an MFA code is needed for {serial}",
            "no terminal to ask on: pass --mfa-code CODE",
            "MfaRequired",
        ) from None
    os.close(fd)
    import getpass

    try:
        code = getpass.getpass(f"MFA code for {serial}: ")
    except EOFError:
        return None
    return code.strip() or None


def _progress_printer(verbose: bool) -> Callable[[ProgressEvent], None]:
    def show(event: ProgressEvent) -> None:
        if event.kind == "warning":
            sys.stderr.write(_printable(f"rolecall: warning: {event.message}") + "\n")
        elif verbose and event.kind in ("root", "assume", "cache-hit"):
            sys.stderr.write(_printable(f"rolecall: {event.message}") + "\n")
        sys.stderr.flush()

    return show


def _settings_defaults() -> tuple[int | None, str | None]:
    """``[defaults]`` of rolecall's settings (read only when STS is called)."""
    try:
        from rolecall.settings import load_settings

        settings = load_settings()
    except Exception:  # settings never stop an assume
        return None, None
    return settings.default_duration, settings.default_session_name


def _assume_for(args: argparse.Namespace, *, verbose: bool | None = None) -> AssumeResult:
    from rolecall.core import sts

    profiles = _load(args)
    name: str = args.profile
    use_cache = not getattr(args, "no_cache", False)
    duration: int | None = getattr(args, "duration", None)
    default_duration: int | None = None
    session_name: str | None = None
    if not (use_cache and duration is None and sts.is_cache_hit(profiles, name)):
        default_duration, session_name = _settings_defaults()
    code: str | None = getattr(args, "mfa_code", None)
    if verbose is None:
        verbose = sys.stderr.isatty()
    try:
        return sts.assume(
            profiles,
            name,
            progress=_progress_printer(verbose),
            mfa=code if code is not None else _prompt_mfa,
            use_cache=use_cache,
            duration=duration,
            default_duration=default_duration,
            session_name=session_name,
        )
    except sts.AssumeError as exc:
        raise CliError(str(exc), 1) from None


def _expiry_text(result: AssumeResult) -> str:
    from rolecall.core.cache import format_expiration, humanize, now_utc

    if result.expiration is None:
        return "never (long-term keys)"
    left = result.expiration - now_utc()
    when = format_expiration(result.expiration)
    if left.total_seconds() <= 0:
        return f"{when} ({humanize(left)})"
    return f"{when} ({humanize(left)} left)"


def cmd_assume(args: argparse.Namespace) -> int:
    import json

    result = _assume_for(args)
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
        return 0
    rows = [
        ("profile", result.profile),
        ("arn", result.arn or "- (this profile assumes no role: its own credentials)"),
        ("account", result.account_id or "-"),
        ("expires", _expiry_text(result)),
    ]
    if result.region:
        rows.append(("region", result.region))
    if result.origin is not None:
        rows.append(("source", result.origin))
    else:
        rows.append(("source", "cache" if result.from_cache else "sts"))
    for key, value in rows:
        sys.stdout.write(f"{key:<8} {value}\n")
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    from rolecall.core.shell import format_env

    result = _assume_for(args)
    sys.stdout.write(format_env(result, args.format))
    return 0


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
        parser = _Parser(prog="rolecall exec", add_help=False, argument_default=argparse.SUPPRESS)
        _add_files(parser)
        _add_assume_options(parser)
        for key, value in vars(parser.parse_args(options)).items():
            setattr(args, key, value)
    return command


def cmd_exec(args: argparse.Namespace) -> int:
    from rolecall.core.shell import RunError, build_env, run_subshell

    command = _exec_command(args)
    if not command:
        raise CliError("no command given: rolecall exec PROFILE -- COMMAND [ARGS...]")
    result = _assume_for(args)
    env = build_env(result, os.environ, result.profile)
    sys.stdout.flush()
    try:
        return run_subshell(command, env)
    except RunError as exc:
        raise CliError(str(exc), exc.exit_code) from None


def cmd_shell(args: argparse.Namespace) -> int:
    from rolecall.core.cache import humanize, now_utc
    from rolecall.core.shell import SHELL_MARKER, RunError, build_env, run_subshell, user_shell

    inside = os.environ.get(SHELL_MARKER)
    if inside and not args.force:
        raise CliError(
            f"already inside a rolecall shell for profile {inside}: type `exit` to leave it "
            "first, or pass --force to start another one inside it",
            1,
        )
    result = _assume_for(args)
    env = build_env(result, os.environ, result.profile)
    env[SHELL_MARKER] = result.profile
    argv = user_shell(env)
    sys.stderr.write(
        f"rolecall: starting {argv[0]} for {result.profile} "
        f"(credentials expire {_expiry_text(result)}); type `exit` to leave\n"
    )
    sys.stderr.flush()
    try:
        code = run_subshell(argv, env)
    except RunError as exc:
        raise CliError(str(exc), exc.exit_code) from None
    if result.expiration is None:
        sys.stderr.write(f"rolecall: left the {result.profile} shell\n")
    else:
        left = result.expiration - now_utc()
        status = f"had {humanize(left)} left" if left.total_seconds() > 0 else humanize(left)
        sys.stderr.write(f"rolecall: left the {result.profile} shell; its credentials {status}\n")
    return code


_CP_DEPTH = "ROLECALL_CREDENTIAL_PROCESS_DEPTH"


def cmd_credential_process(args: argparse.Namespace) -> int:
    import json

    from rolecall.core.cache import format_expiration

    try:
        depth = int(os.environ.get(_CP_DEPTH, "0"))
    except ValueError:
        depth = 0
    if depth >= 3:
        raise CliError(
            f"credential-process {args.profile} calls itself through credential_process; "
            "point credential_process at a role profile that does not use it",
            1,
        )
    previous = os.environ.get(_CP_DEPTH)
    os.environ[_CP_DEPTH] = str(depth + 1)  # seen by a credential_process it starts
    try:
        result = _assume_for(args, verbose=False)
    finally:
        if previous is None:
            os.environ.pop(_CP_DEPTH, None)
        else:
            os.environ[_CP_DEPTH] = previous
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
    sys.stdout.write(json.dumps(doc) + "\n")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from rolecall.core.doctor import run_checks

    _check_files(args)
    findings = run_checks(config=args.config, credentials=args.credentials)
    for finding in findings:
        sys.stdout.write(_printable(finding.line()) + "\n")
    problems = sum(1 for f in findings if f.level == "problem")
    if problems:
        sys.stderr.write(f"rolecall: doctor found {problems} problem(s)\n")
        return 1
    return 0


# ---------------------------------------------------------------------------
# parser
# ---------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage block), exit code 2.

    Abbreviated options are refused (``--dur`` is not ``--duration``): with them,
    ``profile add --duration 900`` would silently mean ``--duration-seconds``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        verb = self.prog.removeprefix("rolecall").strip()
        where = f"{verb}: " if verb else ""
        helper = f"rolecall {verb} --help" if verb else "rolecall --help"
        text = " ".join(message.split())
        self.exit(2, _printable(f"rolecall: {where}{text} (see `{helper}`)") + "\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line.

    With ``only`` (the command about to run), the other commands are listed
    but get no options: ``rolecall list`` need not build what ``assume`` takes.
    """
    parser = _Parser(
        prog="rolecall",
        description="AWS profiles and IAM role switching, in a terminal UI and a command line.",
        epilog="Run `rolecall` with no command to open the terminal UI.",
    )
    parser.add_argument("--version", action="version", version=f"rolecall {__version__}")
    _add_files(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text, options in _COMMANDS:
        p = sub.add_parser(name, help=help_text)
        if only is None or only == name:
            options(p)
    return parser


def _list_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_list)


def _profile_options(prof: argparse.ArgumentParser) -> None:
    psub = prof.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    a = psub.add_parser("add", help="add a role profile ([profile NAME]) to the config file")
    _add_files(a)
    a.add_argument("name", metavar="NAME")
    a.add_argument("--role-arn", required=True, metavar="ARN")
    src = a.add_mutually_exclusive_group(required=True)
    src.add_argument("--source-profile", metavar="PROFILE")
    src.add_argument(
        "--credential-source",
        metavar="SOURCE",
        help="Environment, Ec2InstanceMetadata or EcsContainer",
    )
    a.add_argument("--region")
    a.add_argument("--mfa-serial", metavar="ARN")
    a.add_argument("--external-id", metavar="ID")
    a.add_argument("--duration-seconds", metavar="S")
    a.add_argument("--role-session-name", metavar="NAME")
    a.add_argument("--force", action="store_true", help="replace an existing profile in place")
    a.set_defaults(func=cmd_profile_add)
    r = psub.add_parser("remove", help="remove a profile's section from the config file")
    _add_files(r)
    r.add_argument("name", metavar="NAME")
    r.add_argument(
        "--force", action="store_true", help="remove it even when other profiles source it"
    )
    r.set_defaults(func=cmd_profile_remove)


def _assume_cmd_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.add_argument("profile", metavar="PROFILE")
    _add_assume_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object (no secrets)")
    p.set_defaults(func=cmd_assume)


def _env_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.add_argument("profile", metavar="PROFILE")
    _add_assume_options(p)
    p.add_argument(
        "--format",
        choices=("sh", "fish", "powershell", "dotenv", "json"),
        default="sh",
        help="sh (bash, zsh), fish, powershell, dotenv or json (default: sh)",
    )
    p.set_defaults(func=cmd_env)


def _exec_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    _add_assume_options(p)
    p.add_argument("profile", metavar="PROFILE")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD [ARGS...]")
    p.set_defaults(func=cmd_exec)


def _shell_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.add_argument("profile", metavar="PROFILE")
    _add_assume_options(p)
    p.add_argument("--force", action="store_true", help="start even inside another rolecall shell")
    p.set_defaults(func=cmd_shell)


def _credential_process_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.add_argument("profile", metavar="PROFILE")
    _add_assume_options(p, duration=False)
    p.set_defaults(func=cmd_credential_process)


def _doctor_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.set_defaults(func=cmd_doctor)


def _demo_options(d: argparse.ArgumentParser) -> None:
    d.add_argument(
        "--no-tui",
        action="store_true",
        help="set up the demo, print its environment and wait, without opening the UI",
    )
    d.set_defaults(func=cmd_demo)


def _sso_options(p: argparse.ArgumentParser) -> None:
    from rolecall.cli_sso import add_options

    add_options(p)


def cmd_demo(args: argparse.Namespace) -> int:
    try:
        from rolecall.demo import run_demo
    except ImportError as exc:
        raise CliError(
            f"the demo needs the 'demo' extra ({exc.name} is missing): pip install 'rolecall[demo]'"
        ) from None
    return run_demo(no_tui=args.no_tui)


#: Every command: its name, its help line, and what adds its options.
_COMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None]], ...] = (
    ("list", "list profiles, their kinds, chains and problems", _list_options),
    ("profile", "add or remove a profile in the config file", _profile_options),
    (
        "assume",
        "assume a profile's role chain (or reuse the cache) and show the result",
        _assume_cmd_options,
    ),
    ("env", 'print the credentials as shell exports: eval "$(rolecall env PROFILE)"', _env_options),
    (
        "exec",
        "run a command with a profile's credentials: rolecall exec PROFILE -- CMD [ARGS...]",
        _exec_options,
    ),
    ("shell", "start $SHELL with a profile's credentials", _shell_options),
    (
        "credential-process",
        "print credentials for credential_process = rolecall credential-process PROFILE",
        _credential_process_options,
    ),
    ("doctor", "check the environment, config, files and cache for problems", _doctor_options),
    (
        "sso",
        "IAM Identity Center: login, logout, roles, populate, configure",
        _sso_options,
    ),
    ("demo", "try rolecall with no AWS account: a local STS and a sample config", _demo_options),
)
_COMMAND_NAMES = frozenset(name for name, _, _ in _COMMANDS)

#: Verbs that never read or write the credential cache (no cache warning hook).
_CACHE_FREE = ("cmd_list", "cmd_profile_add", "cmd_profile_remove")
#: Verbs that run for long (a UI, a demo): they keep Python's cyclic garbage collector.
_LONG_RUNNING = (None, "cmd_demo")


def _open_std_streams() -> None:
    """A closed stdout or stderr (``rolecall list >&-``) becomes /dev/null, so that
    nothing rolecall opens later takes descriptor 1 or 2 by accident."""
    for fd, name in ((1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is not None:
            continue
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            setattr(sys, name, open(fd, "w", closefd=False))  # noqa: SIM115
        except OSError:
            pass
    # undecodable bytes from a file are printed as \udcXX escapes, never a traceback
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


#: errors only a write gives (a full disk, a quota, a file too large)
_WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _drop_stdout() -> None:
    """Point stdout at /dev/null: what is still buffered for a reader that went
    away, or a full disk, must not fail again when Python exits."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _warn(message: str) -> None:
    sys.stderr.write(_printable(f"rolecall: warning: {message}") + "\n")
    sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code.

    Every failure is one line on stderr (``rolecall: ...``) and a non-zero code:
    2 for usage errors and unusable files, 1 for the rest, 127/126 for a command
    ``exec`` cannot start, 130 on Ctrl+C.  When the reader of stdout goes away
    (``rolecall list | head -1``) rolecall stops quietly with exit code 0.
    """
    _open_std_streams()
    words = sys.argv[1:] if argv is None else list(argv)
    # `rolecall list ...`: argparse will pick that command, so only it needs options
    parser = build_parser(words[0] if words and words[0] in _COMMAND_NAMES else None)
    args = parser.parse_args(words)
    func: Handler | None = getattr(args, "func", None)
    import gc

    gc_was_enabled = gc.isenabled()
    name = getattr(func, "__name__", None)
    # an untrusted cache is reported on stderr (never while a UI owns the screen)
    cache_warnings = name not in _LONG_RUNNING and name not in _CACHE_FREE
    if name not in _LONG_RUNNING:
        # a short-lived command: reference counting frees what it uses, and the
        # cyclic collector only costs time (40% of `list` on a 50 MB config)
        gc.disable()
    if cache_warnings:
        from rolecall.core import cache

        cache.on_warning = _warn
    try:
        if func is None:
            return open_tui(args)
        code = func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except CliError as exc:
        sys.stderr.write(_printable(f"rolecall: {exc}") + "\n")
        return exc.code
    except KeyboardInterrupt:
        sys.stderr.write("rolecall: interrupted\n")
        return 130
    except BrokenPipeError:
        # `rolecall list | head -1`: the reader went away; that is not an error.
        _drop_stdout()
        return 0
    except OSError as exc:
        # stdout on a full disk (`rolecall list > /dev/full`), or an I/O error no
        # command turned into a message of its own: one line, never a traceback
        _drop_stdout()
        what = "cannot write: " if exc.errno in _WRITE_ERRNOS else ""
        sys.stderr.write(_printable(f"rolecall: {what}{_oneline(exc)}") + "\n")
        return 1
    finally:
        if cache_warnings:
            cache.on_warning = None
        if gc_was_enabled:
            gc.enable()


#: Set by :func:`entry`: what a command built and need not be freed before the
#: process exits (``list`` at 10,000 profiles spends 12 ms freeing its profiles).
_keep_until_exit: list[object] | None = None


def entry() -> NoReturn:
    """The ``rolecall`` program: :func:`main`, then exit with its code.

    When ``list`` has kept its profiles in :data:`_keep_until_exit`, the process
    ends with ``os._exit`` once stdout and stderr are flushed, skipping the
    teardown that would free them one by one.  ``list`` starts no thread and
    leaves no file of its own open or buffered, so nothing is lost.
    """
    global _keep_until_exit
    _keep_until_exit = []
    code = main()
    if _keep_until_exit:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # (a closed pipe: the normal exit reports nothing either)
        else:
            os._exit(code)
    sys.exit(code)


def open_tui(args: argparse.Namespace) -> int:
    """Open the terminal UI; files it can never read stop it before the UI starts.

    A directory, a symlink loop or an unreadable file where a config or
    credentials file should be is one ``rolecall: ...`` line and exit code 2
    (the UI would only show an empty table).  Problems inside the files are
    shown by the UI itself, which stays usable.
    """
    from rolecall.core.config import config_path, credentials_path

    _check_files(args)
    for what, path in (
        ("config file", config_path(args.config)),
        ("credentials file", credentials_path(args.credentials)),
    ):
        if not os.path.isfile(path):
            continue  # no file (a FIFO too, as for botocore): no profiles from it
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            raise CliError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        from rolecall.tui import run
    except ImportError:
        raise CliError(
            "the terminal UI is not available in this build; try `rolecall list`"
        ) from None
    result: int = run(config=args.config, credentials=args.credentials)
    return result
