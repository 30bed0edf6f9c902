"""Where rolecall's own settings file and the AWS files live, decided once for every layer.

``rolecall.settings`` reads and writes the file; the command line's hot path
(``env``, ``credential-process``) only looks for guard rules in it
(:func:`rolecall.core.guard.read_rules`) and must not import the settings
package (its TOML writer and dataclasses cost a cache hit more than the hit).

The directory is ``$ROLECALL_CONFIG_DIR``, else platformdirs'
``user_config_dir("rolecall")``.  Importing platformdirs costs more than a whole
cache hit, so on Linux its answer for the usual cases is computed here (an
absolute ``$XDG_CONFIG_HOME``, else an absolute ``$HOME``'s ``.config``: what
every platformdirs 4.x gives); anything else asks platformdirs itself.  A test
checks the two agree.

The AWS config and credentials files are found as botocore finds them
(:func:`config_path`, :func:`credentials_path`; :mod:`rolecall.core.config`
reads them): here, because a Tab on a profile name checks whether the names it
remembers are current without importing the config reader (``re`` and the INI
parser cost the Tab more than the rest of it).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_CREDENTIALS",
    "SETTINGS_FILE_NAME",
    "config_dir",
    "config_path",
    "credentials_path",
    "expand_path",
    "settings_file",
]

#: The settings file's name, in rolecall's config directory.
SETTINGS_FILE_NAME = "config.toml"
_APP = "rolecall"
DEFAULT_CONFIG = "~/.aws/config"
DEFAULT_CREDENTIALS = "~/.aws/credentials"


def config_dir() -> str:
    """rolecall's config directory: ``$ROLECALL_CONFIG_DIR``, else the platform's."""
    explicit = os.environ.get("ROLECALL_CONFIG_DIR")
    if explicit:
        return os.path.expanduser(explicit)
    if sys.platform.startswith("linux"):
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        home = os.environ.get("HOME", "")
        if os.path.isabs(xdg):
            return os.path.join(xdg, _APP)
        if not xdg.strip() and os.path.isabs(home):
            return os.path.join(home, ".config", _APP)
    import platformdirs

    return platformdirs.user_config_dir(_APP)


def settings_file() -> str:
    """``$ROLECALL_CONFIG_DIR/config.toml``, else the platform's config dir for rolecall."""
    return os.path.join(config_dir(), SETTINGS_FILE_NAME)


def expand_path(path: str) -> str:
    """``$VAR`` and ``~`` expanded, as botocore expands the AWS files' paths."""
    return os.path.expanduser(os.path.expandvars(path))


def config_path(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """``--config``, else ``AWS_CONFIG_FILE`` (even when empty), else ``~/.aws/config``."""
    env = os.environ if env is None else env
    if explicit is not None:
        return expand_path(explicit)
    return expand_path(env.get("AWS_CONFIG_FILE", DEFAULT_CONFIG))


def credentials_path(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """``--credentials``, else ``AWS_SHARED_CREDENTIALS_FILE``, else ``~/.aws/credentials``."""
    env = os.environ if env is None else env
    if explicit is not None:
        return expand_path(explicit)
    return expand_path(env.get("AWS_SHARED_CREDENTIALS_FILE", DEFAULT_CREDENTIALS))
