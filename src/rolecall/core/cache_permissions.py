"""Who could read or plant credentials in the cache directories: ``rolecall doctor``'s check.

Reading the cache refuses untrusted directories and files by itself
(:mod:`rolecall.core.cache`); this module lists every such problem, with the
command that fixes it, including the ones reading tolerates (a file others
can read).
"""

from __future__ import annotations

import os
import stat

from rolecall.core.cache import (
    cli_cache_dir,
    file_problem,
    mfa_cache_dir,
    rolecall_cache_dir,
    sso_cache_dir,
)
from rolecall.core.plural import plural

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

__all__ = ["entries_mode_ok", "permission_problems"]


#: One finding: (path, problem, the command that fixes it).
Problem = tuple[str, str, str]


def permission_problems(directories: Iterable[str] | None = None) -> list[Problem]:
    """``(path, problem, hint)`` for cache directories and files others can read or write.

    A missing directory is fine.  A directory others can write to, or one owned
    by another user, lets them plant credentials; files readable by others leak
    them.  A directory others can only list (the AWS CLI creates it 0755) is not
    reported: its file names are hashes.
    """
    dirs = (
        list(directories)
        if directories is not None
        else [cli_cache_dir(), sso_cache_dir(), rolecall_cache_dir(), mfa_cache_dir()]
    )
    out: list[Problem] = []
    for directory in dirs:
        out.extend(_directory_problems(directory))
    return out


def _directory_problems(directory: str) -> list[Problem]:
    """The problems of one directory, then of the credential files in it."""
    try:
        st = os.stat(directory)
    except OSError:
        return []
    if not stat.S_ISDIR(st.st_mode):
        return [(directory, "is not a directory", f"remove it: rm {directory}")]
    out: list[Problem] = []
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid != os.getuid():
        out.append((directory, f"is owned by uid {st.st_uid}, not you", f"chown $USER {directory}"))
    if mode & 0o022:
        out.append(
            (directory, f"is writable by others (mode {mode:04o})", f"chmod 700 {directory}")
        )
    try:
        names = os.listdir(directory)
    except OSError:
        return out
    loose = []
    foreign = []
    for nm in names:
        if not nm.endswith(".json"):
            continue
        try:
            fst = os.stat(os.path.join(directory, nm), follow_symlinks=False)
        except OSError:
            continue
        if file_problem(fst) is not None:
            foreign.append(nm)
        elif stat.S_IMODE(fst.st_mode) & 0o077:
            loose.append(nm)
    if foreign:
        out.append(
            (
                directory,
                f"holds {plural(len(foreign), 'file')} owned by another user or not regular "
                f"files ({', '.join(sorted(foreign)[:3])}): rolecall does not use them",
                "remove them",
            )
        )
    if loose:
        out.append(
            (
                directory,
                f"{plural(len(loose), 'credential file')} readable by others",
                f"chmod 600 {directory}/*.json",
            )
        )
    return out


def entries_mode_ok(path: str) -> bool:
    """True when ``path`` is a regular file owned by the user with mode 0600 or stricter."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (
        stat.S_ISREG(st.st_mode)
        and st.st_uid == os.getuid()
        and not (stat.S_IMODE(st.st_mode) & 0o077)
    )
