"""The AWS files a verb reads: refused early when they can never be read as files.

botocore silently reads a directory, a symlink loop, a dangling link, or a
config file named by ``--config`` or ``AWS_CONFIG_FILE`` that does not exist,
as no file at all; rolecall says why, in one line, before doing anything else.
"""

from __future__ import annotations

import errno
import os

from rolecall.cli.output import CliError

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

    from rolecall.core.profiles import ProfileSet

__all__ = ["check_files", "check_path", "load"]


def check_path(path: str, what: str) -> None:
    """Refuse a config or credentials path that can never be read as a file.

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


def check_files(
    args: argparse.Namespace, credentials: bool = True, named_config: bool = True
) -> None:
    """:func:`check_path` on the config and credentials files a verb will read
    (``--config``/``--credentials``, else the environment, else ``~/.aws``).

    With ``named_config``, a config file that ``--config`` or ``AWS_CONFIG_FILE``
    names and that does not exist is refused too (a missing ``~/.aws/config``
    is fine); ``profile add`` creates it, and ``doctor`` reports it instead.
    """
    from rolecall.core.config import config_path, credentials_path

    config = getattr(args, "config", None)
    check_path(config_path(config), "config file")
    if credentials:
        check_path(credentials_path(getattr(args, "credentials", None)), "credentials file")
    if named_config:
        from rolecall.core.config import missing_named_config

        missing = missing_named_config(config)
        if missing is not None:
            path, who = missing
            raise CliError(f"config file {path} (named by {who}) does not exist")


def load(args: argparse.Namespace) -> ProfileSet:
    """The profiles of both files (exit code 1 when they cannot be read)."""
    from rolecall.core.config import ConfigError
    from rolecall.core.profiles import load_profiles

    check_files(args)
    try:
        return load_profiles(args.config, args.credentials)
    except ConfigError as exc:
        raise CliError(str(exc), 1) from None
