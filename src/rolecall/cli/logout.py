"""``rolecall logout [PROFILE | --all]``: forget cached credentials (see core/logout.py)."""

from __future__ import annotations

from rolecall.cli.files import load
from rolecall.cli.output import CliError, printable, warn
from rolecall.core.plural import plural

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

__all__ = ["cmd_logout"]


def cmd_logout(args: argparse.Namespace) -> int:
    from rolecall.core.logout import LogoutError, logout_all, logout_profile

    if args.all == (args.profile is not None):
        both = ", not both" if args.all else ""
        raise CliError(f"logout: give a PROFILE or --all{both} (see `rolecall logout --help`)")
    try:
        if args.all:
            removed, who = logout_all(), "every profile"
        else:
            removed, who = logout_profile(load(args), args.profile), args.profile
    except LogoutError as exc:
        raise CliError(str(exc), 1) from None
    for path, why in removed.failed:
        warn(f"could not remove {path}: {why}")
    count = len(removed.paths)
    what = f"removed {plural(count, 'cached credential file')}" if count else "nothing was cached"
    print(printable(f"logged out of {who}: {what}"))
    return 1 if removed.failed else 0
