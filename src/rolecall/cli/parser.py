"""The command table: every verb, its help line, its options and its handler.

argparse is imported here and only here.  ``build_parser(only)`` gives the
options of the one verb about to run (the others are listed without them):
building every verb's options costs ``rolecall list`` a few milliseconds for
nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from rolecall import __version__
from rolecall.cli.output import printable
from rolecall.cli.verb import Verb

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence
    from typing import Any, NoReturn

__all__ = ["COMMAND_NAMES", "COMMANDS", "build_parser", "parse_assume_options"]


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
        self.exit(2, printable(f"rolecall: {where}{text} (see `{helper}`)") + "\n")


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
    for name, help_text, options in COMMANDS:
        p = sub.add_parser(name, help=help_text)
        if only is None or only == name:
            options(p)
    return parser


def parse_assume_options(prog: str, words: Sequence[str]) -> dict[str, Any]:
    """The file and assume options among ``words`` (those ``exec`` takes before ``--``)."""
    parser = _Parser(prog=prog, add_help=False, argument_default=argparse.SUPPRESS)
    _add_files(parser)
    _add_assume_options(parser)
    _add_serve_options(parser)
    _add_yes(parser)
    return vars(parser.parse_args(list(words)))


# ---------------------------------------------------------------------------
# options shared by several verbs
# ---------------------------------------------------------------------------
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


#: The help of every verb's PROFILE argument.
_PROFILE_HELP = "a profile name, as `rolecall list` shows it"


def _seconds(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None


def _region(text: str) -> str:
    """A region name (letters, digits and dashes): ``--region``'s value."""
    import re

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", text):
        raise argparse.ArgumentTypeError(f"not a region name: {text!r} (for example eu-west-1)")
    return text


def _add_assume_options(
    p: argparse.ArgumentParser, duration: bool = True, region: bool = True
) -> None:
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
    if region:
        p.add_argument(
            "--region",
            type=_region,
            metavar="REGION",
            help="use this region instead of the profile's, for this command only",
        )


def _add_serve_options(p: argparse.ArgumentParser) -> None:
    """``--env-keys``, on ``exec`` and ``shell``."""
    p.add_argument(
        "--env-keys",
        action="store_true",
        help="export fixed keys (AWS_ACCESS_KEY_ID...) instead of serving credentials that "
        "are kept fresh; they are not refreshed (the setting: env_keys under [sessions])",
    )


def _add_yes(p: argparse.ArgumentParser) -> None:
    """``--yes``: a guarded profile goes ahead without the y/N question (rolecall.cli.guarding)."""
    p.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="on a guarded profile, go ahead without asking (needed when there is no terminal)",
    )


# ---------------------------------------------------------------------------
# each verb's options
# ---------------------------------------------------------------------------
def _list_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=Verb("listing", "cmd_list"))


def _profile_options(prof: argparse.ArgumentParser) -> None:
    psub = prof.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    a = psub.add_parser("add", help="add a role profile ([profile NAME]) to the config file")
    _add_files(a)
    a.add_argument("name", metavar="NAME", help="the new profile's name ([profile NAME])")
    a.add_argument(
        "--role-arn",
        required=True,
        metavar="ARN",
        help="the role to assume: arn:aws:iam::123456789012:role/NAME",
    )
    src = a.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--source-profile",
        metavar="PROFILE",
        help="the profile whose credentials assume the role (one of this or --credential-source)",
    )
    src.add_argument(
        "--credential-source",
        metavar="SOURCE",
        help="where the credentials that assume the role come from: "
        "Environment, Ec2InstanceMetadata or EcsContainer",
    )
    a.add_argument("--region", help="the profile's region (letters, digits and '-': eu-west-1)")
    a.add_argument(
        "--mfa-serial",
        metavar="ARN",
        help="the MFA device whose code the role needs: arn:aws:iam::123456789012:mfa/NAME",
    )
    a.add_argument(
        "--external-id", metavar="ID", help="the ExternalId the role's trust policy asks for"
    )
    a.add_argument(
        "--duration-seconds",
        metavar="S",
        help="how long the credentials last (900..43200; at most 3600 when chaining roles)",
    )
    a.add_argument(
        "--role-session-name",
        metavar="NAME",
        help="the RoleSessionName (default: your user name, or the settings' session_name)",
    )
    a.add_argument("--force", action="store_true", help="replace an existing profile in place")
    a.set_defaults(func=Verb("editing", "cmd_profile_add"))
    r = psub.add_parser("remove", help="remove a profile's section from the config file")
    _add_files(r)
    r.add_argument("name", metavar="NAME", help="the profile to remove")
    r.add_argument(
        "--force", action="store_true", help="remove it even when other profiles source it"
    )
    r.set_defaults(func=Verb("editing", "cmd_profile_remove"))


def _assume_cmd_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.add_argument("profile", metavar="PROFILE", help=_PROFILE_HELP)
    _add_assume_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object (no secrets)")
    p.set_defaults(func=Verb("credentials", "cmd_assume"))


def _env_options(p: argparse.ArgumentParser) -> None:
    from rolecall.core.shell import FORMATS

    p.description = (
        "Print the credentials as shell exports, one-shot: they are not refreshed, and a "
        "command still running when they expire fails with ExpiredToken. `rolecall shell` "
        "and `rolecall exec` keep them fresh instead."
    )
    _add_files(p)
    p.add_argument("profile", metavar="PROFILE", help=_PROFILE_HELP)
    _add_assume_options(p)
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="sh",
        help="sh (also named bash or zsh), fish, powershell, dotenv or json (default: sh)",
    )
    _add_yes(p)
    p.set_defaults(func=Verb("credentials", "cmd_env"))


def _exec_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    _add_assume_options(p)
    _add_serve_options(p)
    _add_yes(p)
    p.add_argument("profile", metavar="PROFILE", help=_PROFILE_HELP)
    p.add_argument(
        "command",
        nargs=argparse.REMAINDER,
        metavar="-- CMD [ARGS...]",
        help="the command to run, after --",
    )
    p.set_defaults(func=Verb("credentials", "cmd_exec"))


def _shell_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.add_argument("profile", metavar="PROFILE", help=_PROFILE_HELP)
    _add_assume_options(p)
    _add_serve_options(p)
    p.add_argument("--force", action="store_true", help="start even inside another rolecall shell")
    _add_yes(p)
    p.set_defaults(func=Verb("credentials", "cmd_shell"))


def _console_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.add_argument("profile", metavar="PROFILE", help=_PROFILE_HELP)
    _add_assume_options(p, duration=False)
    p.add_argument(
        "--print",
        action="store_true",
        help="write the sign-in link on stdout instead of opening the browser "
        "(it signs in as the profile for 15 minutes: keep it secret)",
    )
    p.add_argument(
        "--destination",
        metavar="URL|SERVICE",
        help="the console page to open: an https:// URL, or a service such as s3, ec2, cloudwatch",
    )
    p.add_argument(
        "--duration",
        type=_seconds,
        metavar="S",
        help="the console session's length (900..43200; ignored for chained roles, "
        "whose session lasts as long as their credentials)",
    )
    _add_yes(p)
    p.set_defaults(func=Verb("console", "cmd_console"))


def _credential_process_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.add_argument("profile", metavar="PROFILE", help=_PROFILE_HELP)
    _add_assume_options(p, duration=False, region=False)
    p.set_defaults(func=Verb("credentials", "cmd_credential_process"))


def _logout_options(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Remove the cached role credentials of PROFILE's chain and its MFA session (from "
        "rolecall's cache and the AWS CLI's), or every cached credential with --all. Files "
        "that are not cache entries are never touched."
    )
    _add_files(p)
    p.add_argument(
        "profile", metavar="PROFILE", nargs="?", help="the profile to log out of (or --all)"
    )
    p.add_argument("--all", action="store_true", help="every cached credential, every profile")
    p.set_defaults(func=Verb("logout", "cmd_logout"))


def _doctor_options(p: argparse.ArgumentParser) -> None:
    _add_files(p)
    p.set_defaults(func=Verb("doctor", "cmd_doctor"))


def _shell_init_options(p: argparse.ArgumentParser) -> None:
    from rolecall.core.shell_init import DEFAULT_NAME, SHELLS

    p.add_argument("shell", choices=SHELLS, help="the shell to write code for")
    p.add_argument(
        "--name",
        default=DEFAULT_NAME,
        help=f"the function's name (default: {DEFAULT_NAME})",
    )
    p.add_argument(
        "--prompt-only",
        action="store_true",
        help="only rolecall_prompt (bash, zsh, fish), for a file that starship sources",
    )
    p.set_defaults(func=Verb("shell_init", "cmd_shell_init"))


def _pick_options(p: argparse.ArgumentParser) -> None:
    from rolecall.core.shell import FORMATS

    _add_files(p)
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="sh",
        help="the export lines' format, as for `env` (default: sh)",
    )
    p.add_argument(
        "--output-fd",
        type=int,
        metavar="N",
        help="write the export lines to this open file descriptor (never a terminal)",
    )
    p.add_argument(
        "--output-file", metavar="FILE", help="write the export lines to this file (mode 0600)"
    )
    p.set_defaults(func=Verb("pick", "cmd_pick"))


def _prompt_options(p: argparse.ArgumentParser) -> None:
    from rolecall.core.prompt import PROMPT_SHELLS

    p.add_argument(
        "--shell",
        choices=PROMPT_SHELLS,
        default="plain",
        help="colour for this shell's prompt (default: plain, no colour)",
    )
    p.set_defaults(func=Verb("shell_hooks", "cmd_prompt"))


def _demo_options(d: argparse.ArgumentParser) -> None:
    d.add_argument(
        "--no-tui",
        action="store_true",
        help="set up the demo, print its environment and wait, without opening the UI",
    )
    d.set_defaults(func=Verb("launch", "cmd_demo"))


def _sso_options(p: argparse.ArgumentParser) -> None:
    """``sso login|logout|roles|populate|configure`` (handlers in ``cli/sso.py``)."""
    sub = p.add_subparsers(dest="sso_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str, handler: str) -> argparse.ArgumentParser:
        a = sub.add_parser(name, help=help_text, description=help_text)
        _add_files(a)
        a.set_defaults(func=Verb("sso", handler), profile=None)
        return a

    def session_option(a: argparse.ArgumentParser) -> None:
        a.add_argument("--sso-session", metavar="NAME", help="the [sso-session NAME] to use")

    a = action(
        "login", "log in to IAM Identity Center in the browser (device code)", "cmd_sso_login"
    )
    a.add_argument("profile", nargs="?", metavar="PROFILE", help="an SSO profile (or its session)")
    session_option(a)
    a.add_argument("--no-browser", action="store_true", help="only print the URL and the code")
    a.add_argument("--force", action="store_true", help="log in even when the token is valid")

    a = action(
        "logout",
        "sign out at the portal; delete the token and cached role credentials",
        "cmd_sso_logout",
    )
    who = a.add_mutually_exclusive_group()
    who.add_argument("--sso-session", metavar="NAME", help="the [sso-session NAME] to log out")
    who.add_argument("--all", action="store_true", help="every session, every SSO credential")

    a = action("roles", "list every account and role your SSO token grants", "cmd_sso_roles")
    session_option(a)
    a.add_argument("--json", action="store_true", help="print a JSON list")
    a.add_argument("--refresh", action="store_true", help="ignore the discovery cache")

    a = action(
        "populate", "write one profile per discovered role into the config", "cmd_sso_populate"
    )
    session_option(a)
    a.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    a.add_argument("--prefix", default="", metavar="P", help="put P before every name")
    a.add_argument(
        "--template",
        metavar="T",
        help="profile names: {account_name}, {account_id}, {role_name}, {session} "
        f"(default {SSO_TEMPLATE})",
    )
    a.add_argument("--prune", action="store_true", help="remove populated profiles of gone roles")
    a.add_argument("--region", metavar="R", help="the profiles' region (default: sso_region)")
    a.add_argument("--refresh", action="store_true", help="ignore the discovery cache")

    a = action(
        "configure",
        "add an [sso-session] (start URL and region) to the config",
        "cmd_sso_configure",
    )
    a.add_argument("name", nargs="?", metavar="NAME", help="its name (default: from the URL)")
    a.add_argument("--start-url", metavar="URL", help="https://<yours>.awsapps.com/start")
    a.add_argument("--region", metavar="R", help="the IAM Identity Center region")
    a.add_argument("--scopes", metavar="S", help="sso_registration_scopes (sso:account:access)")
    a.add_argument("--force", action="store_true", help="replace an existing sso-session")


#: ``sso populate``'s default ``--template``, for its help (core.sso.populate's own;
#: not imported to build a parser: a test checks they agree).
SSO_TEMPLATE = "{account_name}-{role_name}"


#: Every command: its name, its help line, and what adds its options.
COMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None]], ...] = (
    ("list", "list profiles, their kinds, chains and problems", _list_options),
    ("profile", "add or remove a profile in the config file", _profile_options),
    (
        "assume",
        "assume a profile's role chain (or reuse the cache) and show the result",
        _assume_cmd_options,
    ),
    (
        "env",
        'print the credentials as shell exports, once: eval "$(rolecall env PROFILE)"',
        _env_options,
    ),
    (
        "exec",
        "run a command with a profile's credentials, kept fresh: "
        "rolecall exec PROFILE -- CMD [ARGS...]",
        _exec_options,
    ),
    ("shell", "start $SHELL with a profile's credentials, kept fresh", _shell_options),
    (
        "console",
        "open the AWS console signed in as a profile (--print: write the link instead)",
        _console_options,
    ),
    (
        "credential-process",
        "print credentials for credential_process = rolecall credential-process PROFILE",
        _credential_process_options,
    ),
    (
        "shell-init",
        'shell code for your rc file: eval "$(rolecall shell-init bash)" gives `rc PROFILE` '
        "and tab completion",
        _shell_init_options,
    ),
    (
        "pick",
        "pick a profile in the terminal UI and write its export lines (for `rc`)",
        _pick_options,
    ),
    ("prompt", "a prompt segment for the current session, such as `dev 42m`", _prompt_options),
    ("logout", "forget a profile's cached credentials (or --all)", _logout_options),
    ("doctor", "check the environment, config, files and cache for problems", _doctor_options),
    ("demo", "try rolecall with no AWS account: a local STS and a sample config", _demo_options),
    ("sso", "IAM Identity Center: login, logout, roles, populate, configure", _sso_options),
)
COMMAND_NAMES = frozenset(name for name, _, _ in COMMANDS)
