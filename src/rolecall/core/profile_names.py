"""Profile names for tab completion, remembered between two Tabs.

Reading 10,000 profiles costs about 100 ms of parsing, at every Tab; the names
change only when a file does.  So the names are kept in a small text file (in
rolecall's cache directory, 0600), under the identity of both AWS files (path,
inode, size, mtime and ctime in nanoseconds): when either file changes, or
appears, or goes, the next Tab reads them again.  A Tab that finds the names
current reads one file and imports nothing beyond ``os`` and this module.

The names are what botocore lists (``Session().available_profiles``): the
config's profiles, then those only in the credentials file
(:func:`rolecall.core.config.available_profiles` reads them from the section
headers alone, a third of the cost of reading the files whole).  A name never
holds a newline (an INI line cannot), so the file is one name a line after its
header line.
"""

from __future__ import annotations

import os

__all__ = ["CACHE_NAME", "profile_names"]

#: The file's name in rolecall's cache directory.
CACHE_NAME = "profile-names"
_HEADER = "rolecall profile names 1"


def _identity(paths: tuple[str, str]) -> str | None:
    """Both files' identity, one line; None when it cannot be written on one line."""
    parts = [_HEADER]
    for path in paths:
        if "\n" in path or "\t" in path:
            return None
        try:
            st = os.stat(path)
        except OSError:
            parts.append(f"{path}\t-")
            continue
        parts.append(f"{path}\t{st.st_ino}\t{st.st_size}\t{st.st_mtime_ns}\t{st.st_ctime_ns}")
    return "\t".join(parts)


def _remembered(cache_file: str, identity: str) -> list[str] | None:
    try:
        with open(cache_file, encoding="utf-8", errors="surrogateescape") as fh:
            text = fh.read()
    except OSError:
        return None
    head, _, rest = text.partition("\n")
    if head != identity:
        return None
    return rest.split("\n")[:-1] if rest else []


def _remember(cache_file: str, identity: str, names: list[str]) -> None:
    from rolecall.core.fsutil import atomic_write, ensure_private_dir

    body = "".join(name + "\n" for name in names)
    try:
        ensure_private_dir(os.path.dirname(cache_file))
        data = (identity + "\n" + body).encode("utf-8", "surrogateescape")
        atomic_write(cache_file, data, 0o600, follow_symlinks=False)
    except OSError:
        pass  # (a read-only cache: the next Tab reads the files again)


def profile_names(
    config: str | None = None,
    credentials: str | None = None,
    cache_file: str | None = None,
) -> list[str]:
    """The profile names of both files (``--config``/``--credentials`` win over the
    environment), from ``cache_file`` when it is current; raises ``ConfigError``
    when a file cannot be read."""
    from rolecall.core.locations import config_path, credentials_path

    paths = config_path(config), credentials_path(credentials)
    identity = None
    if cache_file:
        identity = _identity(paths)
    if identity is not None and cache_file:
        names = _remembered(cache_file, identity)
        if names is not None:
            return names
    from rolecall.core.config import available_profiles, read_bytes

    names = available_profiles(read_bytes(paths[0]), read_bytes(paths[1]))
    if identity is not None and cache_file:
        _remember(cache_file, identity, names)
    return names
