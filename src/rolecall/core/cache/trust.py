"""Trust: who else could have written a cache directory or file, and the warnings
that say so (each once).

A directory of another owner, or one everyone can write to, and a file that is
not a regular file of the user's own (or is too large) are not used: they could
hold credentials planted for the user to use.
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

__all__ = [
    "MAX_CACHE_FILE",
    "UntrustedCacheError",
    "directory_problem",
    "file_problem",
    "on_warning",
    "trusted_dir",
    "warnings_seen",
]

#: The largest cache file rolecall reads (an AssumeRole answer is about 2 KB, an
#: SSO token 3 KB): a bigger one is not read, and a read never allocates more.
MAX_CACHE_FILE = 1 << 20


class UntrustedCacheError(PermissionError):
    """A cache directory or file that someone else could have written: not used."""


#: Called once per distinct warning (an untrusted cache directory or file).
#: The CLI prints it on stderr; when None, warnings are only kept in
#: :data:`warnings_seen` (the TUI can show them).
on_warning: Callable[[str], None] | None = None
#: Every warning given so far, in order (each once).
warnings_seen: list[str] = []


def _warn(message: str) -> None:
    if message in warnings_seen:
        return
    warnings_seen.append(message)
    if on_warning is not None:
        on_warning(message)


def directory_problem(directory: str) -> str | None:
    """Why credentials in ``directory`` cannot be trusted, or None (also when it is missing).

    A directory owned by another user, or one that everyone can write to, lets
    someone else plant credentials for you to use.  (A group-writable one is
    reported by ``rolecall doctor`` but still used: with per-user groups it is
    the common default, and every entry read from it is checked against the
    role it is for, see :func:`role_mismatch`.)
    """
    try:
        st = os.stat(directory)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a directory"
    if st.st_uid != os.getuid():
        return f"is owned by uid {st.st_uid}, not you"
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o002:
        return f"is writable by everyone (mode {mode:04o})"
    return None


def file_problem(st: os.stat_result) -> str | None:
    """Why a cache file (its ``lstat``/``fstat``) is not one to read: not a regular
    file (a symlink, a FIFO, a device), another owner, or larger than :data:`MAX_CACHE_FILE`."""
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    if st.st_uid != os.getuid():
        return f"is owned by uid {st.st_uid}, not you"
    if st.st_size > MAX_CACHE_FILE:
        return f"is larger than {MAX_CACHE_FILE >> 20} MiB"
    return None


def _untrusted_dir(directory: str) -> bool:
    problem = directory_problem(directory)
    if problem is None:
        return False
    if problem.startswith("is owned by"):
        fix = f"chown -R $USER {directory}, or remove it"
    elif problem.startswith("is writable"):
        fix = f"chmod 700 {directory}, and check what is in it"
    else:
        fix = "remove it"
    _warn(f"the credential cache {directory} {problem}: not using it (fix: {fix})")
    return True


def trusted_dir(directory: str) -> bool:
    """True when ``directory`` may be read and written (see :func:`directory_problem`);
    otherwise a warning is given once and False is returned."""
    return not _untrusted_dir(directory)


def _untrusted_file(path: str, st: os.stat_result) -> bool:
    problem = file_problem(st)
    if problem is None:
        return False
    _warn(f"the cache file {path} {problem}: not using it (fix: remove it)")
    return True
