"""rolecall's command line: argument parsing, and calls into ``rolecall.core``.

The TUI is imported only when it is opened, so ``rolecall list`` never pays for
Textual, and a cache hit never pays for boto3.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from rolecall import __version__

__all__ = ["main", "build_parser", "CliError"]

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


def _check_explicit(path: str | None, what: str) -> None:
    if path is None:
        return
    expanded = os.path.expanduser(os.path.expandvars(path))
    if os.path.isdir(expanded):
        raise CliError(f"{what} {expanded} is a directory, not a file")


# ---------------------------------------------------------------------------
# list
# ---------------------------------------------------------------------------
def cmd_list(args: argparse.Namespace) -> int:
    import json

    from rolecall.core.config import ConfigError
    from rolecall.core.profiles import load_profiles

    _check_explicit(args.config, "config file")
    _check_explicit(args.credentials, "credentials file")
    try:
        profiles = load_profiles(args.config, args.credentials)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    cfg = profiles.config
    out = sys.stdout
    if args.json:
        from rolecall.core.profiles import profile_json_text

        problems = json.dumps([p.to_json() for p in cfg.problems], ensure_ascii=False)
        out.write(
            f'{{"config_file": {json.dumps(cfg.config_file, ensure_ascii=False)}, '
            f'"credentials_file": {json.dumps(cfg.credentials_file, ensure_ascii=False)}, '
            f'"profiles": ['
        )
        out.write(",\n".join(map(profile_json_text, profiles)))
        out.write(f'], "problems": {problems}}}\n')
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
        if not rows:
            sys.stderr.write(f"no profiles in {cfg.config_file} or {cfg.credentials_file}\n")
    for problem in cfg.problems:
        sys.stderr.write(f"rolecall: {problem}\n")
    return 1 if cfg.problems else 0


# ---------------------------------------------------------------------------
# profile add / remove
# ---------------------------------------------------------------------------
def cmd_profile_add(args: argparse.Namespace) -> int:
    from rolecall.core.edit import EditError, add_profile

    settings: dict[str, str] = {"role_arn": args.role_arn}
    for key in (
        "source_profile",
        "credential_source",
        "region",
        "mfa_serial",
        "external_id",
        "duration_seconds",
        "role_session_name",
    ):
        value = getattr(args, key)
        if value is not None:
            settings[key] = str(value)
    _check_explicit(args.config, "config file")
    try:
        path = add_profile(
            args.name,
            settings,
            force=args.force,
            config=args.config,
            credentials=args.credentials,
        )
    except (EditError, OSError) as exc:
        raise CliError(f"profile not added: {_oneline(exc)}", 1) from None
    print(f"added profile {args.name} to {path}")
    return 0


def cmd_profile_remove(args: argparse.Namespace) -> int:
    from rolecall.core.edit import EditError, remove_profile

    _check_explicit(args.config, "config file")
    try:
        path = remove_profile(
            args.name, force=args.force, config=args.config, credentials=args.credentials
        )
    except (EditError, OSError) as exc:
        raise CliError(f"profile not removed: {_oneline(exc)}", 1) from None
    print(f"removed profile {args.name} from {path}")
    return 0


def _oneline(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename or ''}: {exc.strerror}".lstrip(": ")
    return " ".join(str(exc).split()) or type(exc).__name__


# ---------------------------------------------------------------------------
# parser
# ---------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rolecall",
        description="AWS profiles and IAM role switching, in a terminal UI and a command line.",
        epilog="Run `rolecall` with no command to open the terminal UI.",
    )
    parser.add_argument("--version", action="version", version=f"rolecall {__version__}")
    _add_files(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list profiles, their kinds, chains and problems")
    _add_files(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_list)

    prof = sub.add_parser("profile", help="add or remove a profile in the config file")
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

    d = sub.add_parser(
        "demo",
        help="try rolecall with no AWS account: a local STS and a sample config",
    )
    d.add_argument(
        "--no-tui",
        action="store_true",
        help="set up the demo, print its environment and wait, without opening the UI",
    )
    d.set_defaults(func=cmd_demo)
    return parser


def cmd_demo(args: argparse.Namespace) -> int:
    try:
        from rolecall.demo import run_demo
    except ImportError as exc:
        raise CliError(
            f"the demo needs the 'demo' extra ({exc.name} is missing): pip install 'rolecall[demo]'"
        ) from None
    return run_demo(no_tui=args.no_tui)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Handler | None = getattr(args, "func", None)
    try:
        if func is None:
            return open_tui(args)
        return func(args)
    except CliError as exc:
        sys.stderr.write(f"rolecall: {exc}\n")
        return exc.code
    except KeyboardInterrupt:
        sys.stderr.write("rolecall: interrupted\n")
        return 130
    except BrokenPipeError:
        # `rolecall list | head -1`: the reader went away; that is not an error.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return 0


def open_tui(args: argparse.Namespace) -> int:
    try:
        from rolecall.tui import run  # noqa: PLC0415
    except ImportError:
        raise CliError(
            "the terminal UI is not available in this build; try `rolecall list`"
        ) from None
    result: int = run(config=args.config, credentials=args.credentials)
    return result
