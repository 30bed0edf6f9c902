"""``rolecall list``: the profiles as a table (or one JSON object) and their problems.

Measured as the fastest verb (it is what people run first, on configs of
10,000 profiles and more): it imports neither boto3, textual nor json (the
JSON is written by ``profile_listing.write_list_json``, the table by
``profile_listing.write_list_text``, 256 profiles at a time), escapes only when some
cell needs it, and leaves freeing the profiles to the process exit
(``program.keep_until_exit``).
"""

from __future__ import annotations

import sys

from rolecall.cli.files import check_files
from rolecall.cli.output import CliError, has_unprintable, printable
from rolecall.core.plural import plural

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

__all__ = ["cmd_list"]


def cmd_list(args: argparse.Namespace) -> int:
    from rolecall.cli import program
    from rolecall.core.config import ConfigError
    from rolecall.core.profiles import load_profiles

    check_files(args)
    try:
        profiles = load_profiles(args.config, args.credentials)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    cfg = profiles.config
    out = sys.stdout
    if args.json:
        from rolecall.core.profile_listing import write_list_json

        write_list_json(profiles, out.write)
    else:
        from rolecall.core.profile_listing import write_list_text

        write_list_text(profiles, out.write, printable, has_unprintable)
        if not len(profiles) and not cfg.problems:
            sys.stderr.write(
                printable(f"no profiles in {cfg.config_file} or {cfg.credentials_file}") + "\n"
            )
    if cfg.problems:
        # one line: the first problem (the one botocore stops at), and how many more
        line = f"rolecall: {cfg.problems[0]}"
        more = len(cfg.problems) - 1
        if more:
            line += f"; and {plural(more, 'more problem')}: `rolecall list --json` shows them all"
        sys.stderr.write(printable(line) + "\n")
    program.keep_until_exit(profiles)
    return 1 if cfg.problems else 0
