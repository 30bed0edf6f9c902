"""``rolecall profile add`` and ``rolecall profile remove``: one edit of the config file.

The edit itself (lossless, atomic, checked by reading it back) is
``rolecall.core.edit``'s; this module turns options into settings and any
refusal into one line with exit code 1 (the file is then untouched).
"""

from __future__ import annotations

from rolecall.cli.files import check_files
from rolecall.cli.output import CliError, oneline, say

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

__all__ = ["cmd_profile_add", "cmd_profile_remove"]


def cmd_profile_add(args: argparse.Namespace) -> int:
    from rolecall.core.config import ConfigError
    from rolecall.core.edit import ROLE_KEYS, EditError, put_profile

    settings: dict[str, str] = {}
    for key in ROLE_KEYS:  # (each is an option: --role-arn, --source-profile...)
        value = getattr(args, key)
        if value is not None:
            settings[key] = str(value)
    from rolecall.core.config import missing_named_config

    check_files(args, named_config=False)
    new_file = missing_named_config(args.config) is not None  # (created: say so)
    try:
        path, replaced = put_profile(
            args.name,
            settings,
            force=args.force,
            config=args.config,
            credentials=args.credentials,
        )
    except (EditError, ConfigError, OSError) as exc:
        raise CliError(f"profile not added: {oneline(exc)}", 1) from None
    if replaced:
        say(f"replaced profile {args.name} in {path}")
    else:
        say(f"added profile {args.name} to {path}" + (" (a new file)" if new_file else ""))
    return 0


def cmd_profile_remove(args: argparse.Namespace) -> int:
    from rolecall.core.config import ConfigError
    from rolecall.core.edit import EditError, remove_profile

    check_files(args)
    try:
        path = remove_profile(
            args.name, force=args.force, config=args.config, credentials=args.credentials
        )
    except (EditError, ConfigError, OSError) as exc:
        raise CliError(f"profile not removed: {oneline(exc)}", 1) from None
    say(f"removed profile {args.name} from {path}")
    return 0
