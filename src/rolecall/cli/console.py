"""``rolecall console PROFILE``: the AWS console, signed in as the profile, in the browser.

The link is made by :func:`rolecall.core.console.console_link` (federation
endpoint, ``getSigninToken``, the login URL).  It is a credential for 15
minutes: it is written out only with ``--print`` (on stdout, nowhere else), and
otherwise handed to the browser (``webbrowser``, which honours ``$BROWSER``),
never logged.  ``--duration`` is the console session's length, not the role's
(see ``rolecall.core.console.sessions`` for when AWS allows it).
"""

from __future__ import annotations

import sys

from rolecall.cli.files import load
from rolecall.cli.output import CliError, printable, warn

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

    from rolecall.core.console import ConsoleLink
    from rolecall.core.sts import AssumeResult

__all__ = ["cmd_console", "open_browser"]

#: ConsoleError codes that are the person's input (exit code 2, as a usage error).
_INPUT_CODES = frozenset(
    {"BadDestination", "BadDuration", "BadRegion", "BadEndpoint", "UnknownPartition"}
)


def open_browser(url: str) -> bool:
    """Hand ``url`` to the browser (``$BROWSER``, else the system's); False when none opened.

    Where no browser can open (no display and no ``$BROWSER``: the rule of the SSO
    login, ``core.sso.login.browser_available``), nothing is tried: a text browser
    would take over the terminal, and cannot run the console anyway.
    """
    import webbrowser

    from rolecall.core.sso.login import browser_available

    if not browser_available():
        return False
    try:
        return bool(webbrowser.open(url, new=2))
    except webbrowser.Error:
        return False


def cmd_console(args: argparse.Namespace) -> int:
    from rolecall.cli.credentials import _settings_defaults, assume_for
    from rolecall.cli.guarding import confirm
    from rolecall.core.console import ConsoleError, console_link
    from rolecall.core.sts import AssumeError

    profiles = load(args)
    name: str = args.profile
    confirm(profiles, name, "console", yes=args.yes)
    # --duration is the console session's: the role is assumed as it would be anyway
    role_args = type(args)(**{**vars(args), "duration": None})

    def assume(profiles_: object, name_: str, *, mfa_session: bool = True) -> AssumeResult:
        return assume_for(role_args, profiles=profiles, mfa_session=mfa_session)

    try:
        link = console_link(
            profiles,
            name,
            assume=assume,
            destination=args.destination,
            region=getattr(args, "region", None),
            duration=args.duration,
            user_name=_settings_defaults()[1],
            warn=warn,
        )
    except ConsoleError as exc:
        raise CliError(str(exc), 2 if exc.code in _INPUT_CODES else 1) from None
    except AssumeError as exc:
        raise CliError(str(exc), 1) from None
    if args.print:
        sys.stdout.write(link.url + "\n")
        sys.stdout.flush()
        sys.stderr.write(
            printable(f"rolecall: {_signs_in_as(link)}; {_link_lifetime(link)}; keep it secret")
            + "\n"
        )
        return 0
    if not open_browser(link.url):
        raise CliError(
            "no browser could be opened here (no display, or $BROWSER failed); "
            "pass --print to write the link out, or set $BROWSER",
            1,
        )
    sys.stderr.write(
        printable(f"rolecall: opened the AWS console in your browser: {_signs_in_as(link)}") + "\n"
    )
    return 0


def _signs_in_as(link: ConsoleLink) -> str:
    who = link.arn or link.profile
    account = f" (account {link.account_id})" if link.account_id else ""
    return f"the link signs in as {who}{account}"


def _link_lifetime(link: ConsoleLink) -> str:
    if link.expires_at is None:
        return "it works for 15 minutes"
    from rolecall.core.cache.timestamps import format_expiration

    return f"it works until {format_expiration(link.expires_at)}"
