"""Who could read or plant credentials in the cache directories: ``rolecall doctor``'s check.

Reading the cache refuses untrusted directories and files by itself
(:mod:`rolecall.core.cache`, for rolecall and for botocore's providers alike);
this module lists every such problem, with the command that fixes it,
including the ones reading tolerates (a file others can read), and says which
files rolecall does not use: so ``doctor`` is right about what an assume reads.
It reads with :func:`~rolecall.core.cache.load_json` (no warning on stderr).
"""

from __future__ import annotations

import os
import stat

from rolecall.core.cache.binding import role_mismatch
from rolecall.core.cache.json_files import load_json
from rolecall.core.cache.keys import (
    cache_key_for,
    cli_cache_dir,
    mfa_cache_dir,
    rolecall_cache_dir,
    sso_cache_dir,
)
from rolecall.core.cache.trust import MAX_CACHE_FILE, directory_problem, file_problem
from rolecall.core.plural import plural

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

    from rolecall.core.profiles import ProfileSet

__all__ = ["binding_problems", "entries_mode_ok", "permission_problems"]


#: One finding: (path, problem, the command that fixes it).
Problem = tuple[str, str, str]


def permission_problems(directories: Iterable[str] | None = None) -> list[Problem]:
    """``(path, problem, hint)`` for cache directories and files others can read or write.

    A missing directory is fine.  A directory owned by another user, or one
    everyone can write to, is not used at all (said so); one its group can
    write is used, each entry checked against the role it is for.  Files that
    are not the user's own regular files (a symlink, a FIFO), or are larger than
    the cap, are not used; files readable by others leak credentials.  A
    directory others can only list (the AWS CLI creates it 0755) is not
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
    unused = directory_problem(directory) is not None
    if st.st_uid != os.getuid():
        out.append(
            (
                directory,
                f"is owned by uid {st.st_uid}, not you: rolecall neither reads nor writes it",
                f"chown $USER {directory}",
            )
        )
    if mode & 0o022:
        what = (
            "rolecall neither reads nor writes it"
            if unused
            else "its group can plant or rename entries (rolecall uses an entry only "
            "when it names its own role)"
        )
        out.append(
            (
                directory,
                f"is writable by others (mode {mode:04o}): {what}",
                f"chmod 700 {directory}",
            )
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
                f"holds {plural(len(foreign), 'file')} owned by another user, not regular "
                f"files or larger than {MAX_CACHE_FILE >> 20} MiB "
                f"({', '.join(sorted(foreign)[:3])}): rolecall does not use them",
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


def binding_problems(profiles: ProfileSet) -> list[Problem]:
    """``(file, problem, hint)`` for the CLI cache entries of role profiles that hold
    another role's credentials (renamed onto the key): an assume does not use
    them, and its new answer replaces them."""
    directory = cli_cache_dir()
    if directory_problem(directory) is not None:
        return []  # (not used at all: said by permission_problems)
    try:
        names = set(os.listdir(directory))
    except OSError:
        return []
    out: list[Problem] = []
    for prof in profiles:
        arn = prof.role_arn
        if arn is None or prof.kind != "assume-role":
            continue
        key = cache_key_for(prof)
        if key is None or key + ".json" not in names:
            continue
        path = os.path.join(directory, key + ".json")
        data = load_json(path)
        problem = None if data is None else role_mismatch(data, arn)
        if problem is not None:
            out.append(
                (
                    path,
                    f"(profile {prof.name}) {problem}: rolecall does not use it",
                    f"the next `rolecall assume {prof.name}` replaces it",
                )
            )
    return out
