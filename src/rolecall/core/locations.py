"""Where rolecall's own settings file lives, decided once for every layer.

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
"""

from __future__ import annotations

import os
import sys

__all__ = ["SETTINGS_FILE_NAME", "config_dir", "settings_file"]

#: The settings file's name, in rolecall's config directory.
SETTINGS_FILE_NAME = "config.toml"
_APP = "rolecall"


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
