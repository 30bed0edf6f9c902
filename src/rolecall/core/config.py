"""Finding and reading the AWS config and credentials files as botocore does.

``load()`` gives the same ``profiles``, ``sso_sessions`` and ``services`` maps
that ``botocore.session.Session().full_config`` holds, plus the problems that
would make botocore refuse a file, each with its file and line.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Iterator, Mapping

from rolecall.core.ini import (
    IniDocument,
    RawSection,
    Values,
    has_nested,
    parse,
    section_names,
    split_section_name,
)

# (the paths are found in `locations`: a Tab's profile names need them, and not this module)
from rolecall.core.locations import DEFAULT_CONFIG, config_path, credentials_path
from rolecall.core.locations import expand_path as _expand

__all__ = [
    "AwsConfig",
    "available_profiles",
    "ConfigError",
    "FileProblem",
    "config_path",
    "credentials_path",
    "load",
    "missing_named_config",
    "read_document",
    "refuse_untrusted",
    "trust_problem",
]

#: ``[profile NAME]`` (and ``sso-session``, ``services``) as most files write it:
#: two words, one space, no quote or backslash.  ``split_section_name`` (shlex)
#: splits such a name at its space; any other name takes that slower path.
_PLAIN_SECTION_RE = re.compile(r"(profile|sso-session|services)[^ \t'\"\\]* ([^ \t'\"\\]+)")


class ConfigError(Exception):
    """A file exists but cannot be read (permission denied, I/O error)."""


class FileProblem:
    """A reason the AWS CLI will refuse a file."""

    __slots__ = ("file", "line", "message")

    def __init__(self, file: str, line: int, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message} (the AWS CLI will refuse this file)"

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "message": self.message}


def missing_named_config(
    explicit: str | None = None, env: Mapping[str, str] | None = None
) -> tuple[str, str] | None:
    """``(path, who named it)`` when ``--config`` or ``AWS_CONFIG_FILE`` names a
    config file that does not exist (a typo reads as an empty config); else None.

    A missing ``~/.aws/config`` is the normal first-run case, and stays quiet even
    when ``AWS_CONFIG_FILE`` names that very path; so does an empty
    ``AWS_CONFIG_FILE`` (botocore's way to say "no config file").
    """
    env = os.environ if env is None else env
    if explicit is not None:
        who = "--config"
    elif env.get("AWS_CONFIG_FILE"):
        who = "AWS_CONFIG_FILE"
    else:
        return None
    path = config_path(explicit, env)
    if not path or os.path.lexists(path) or path == _expand(DEFAULT_CONFIG):
        return None
    return path, who


def read_bytes(path: str) -> bytes | None:
    """The file's bytes, or None when botocore would see no file.

    A missing path, a directory or an empty string counts as no file.
    A file that exists but cannot be read raises :class:`ConfigError`, and so
    does one that another user could have written (:func:`trust_problem`).  A
    FIFO or a device in its place is no file (never waited for).
    """
    if not path or not os.path.isfile(path):
        return None
    refuse_untrusted(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # (replaced since the isfile above)
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------
# who else could have written a config file
# ---------------------------------------------------------------------------
def trust_problem(path: str, uid: int | None = None) -> str | None:
    """Why another user could have written ``path`` (a file or a directory), or None.

    Decided as ssh decides for ``~/.ssh`` (``StrictModes``): the file, and every
    directory above it up to the home directory (or ``/``), must be owned by the
    user (``uid``, default: this process's) or by root, and writable by no one
    else.  Two exceptions, each writable by others yet safe: a group whose only
    member is the user (Debian's rule for per-user groups and umask 002, from
    its openssh's "Allow harmless group-writability"), and, for a directory
    above the file, the sticky bit (``/tmp``: others cannot rename or remove
    what is not theirs).  A symlinked file is checked where it points, and along
    the path that names it.
    """
    found = _untrusted(path, os.getuid() if uid is None else uid)
    return None if found is None else f"{found[0]} {found[1]}"


def _untrusted(path: str, me: int) -> tuple[str, str] | None:
    """``(the path at fault, why)`` for :func:`trust_problem`."""
    absolute = os.path.abspath(path)
    real = os.path.realpath(absolute)
    home = _realpath(os.path.expanduser("~"))
    checked: set[str] = set()
    for start in (real, absolute):
        level, first = start, True
        while level not in checked:
            checked.add(level)
            problem = _path_problem(level, me, above=not first)
            if problem is not None:
                return problem
            parent = os.path.dirname(level)
            if level == home or parent == level:
                break
            level, first = parent, False
    return None


@functools.lru_cache(maxsize=8)
def _realpath(path: str) -> str:
    """``os.path.realpath`` of the home directory, kept (it is asked on every read)."""
    return os.path.realpath(path)


def _path_problem(path: str, uid: int, above: bool) -> tuple[str, str] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return path, f"cannot be checked ({exc.strerror or exc})"
    if st.st_uid not in (uid, 0):
        return path, f"is owned by another user ({_user_name(st.st_uid)})"
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o002 and not (above and mode & stat.S_ISVTX):
        return path, f"is writable by everyone (mode {mode:04o})"
    if mode & 0o020 and not _private_group(st.st_gid, uid):
        return path, f"is writable by group {_group_name(st.st_gid)} (mode {mode:04o})"
    return None


def _user_name(uid: int) -> str:
    import pwd

    try:
        return f"{pwd.getpwuid(uid).pw_name}, uid {uid}"
    except KeyError:
        return f"uid {uid}"


def _group_name(gid: int) -> str:
    import grp

    try:
        return f"{grp.getgrgid(gid).gr_name} (gid {gid})"
    except KeyError:
        return f"gid {gid}"


def _private_group(gid: int, uid: int) -> bool:
    """Whether group ``gid`` has the user ``uid`` as its one member (its primary
    group, or its only listed member), and nobody else in it either way."""
    import grp
    import pwd

    try:
        group = grp.getgrgid(gid)
        me = pwd.getpwuid(uid)
    except KeyError:
        return False
    if any(name != me.pw_name for name in group.gr_mem):
        return False
    if any(user.pw_gid == gid and user.pw_uid != uid for user in pwd.getpwall()):
        return False
    return me.pw_gid == gid or me.pw_name in group.gr_mem


def refuse_untrusted(path: str, doing: str = "reading") -> None:
    """Raise :class:`ConfigError` (one line, with the fix) when another user could have
    written the config or credentials file ``path`` (or the directory a new one
    goes to): its settings (a ``credential_process``, a role) would be theirs."""
    found = _untrusted(path, os.getuid())
    if found is None:
        return
    culprit, why = found
    fix = f"chown $USER {culprit}" if why.startswith("is owned") else f"chmod go-w {culprit}"
    raise ConfigError(
        f"not {doing} {path}: {culprit} {why}, so another user could choose what "
        f"rolecall runs (fix: {fix})"
    )


def read_document(path: str) -> IniDocument | None:
    data = read_bytes(path)
    return None if data is None else parse(data)


class AwsConfig:
    """Both files, read together the way botocore's ``Session.full_config`` reads them.

    The value maps are read-only: a profile's map may be its section's own
    :attr:`~rolecall.core.ini.RawSection.options` (copy it to change it).
    """

    def __init__(
        self,
        config_file: str,
        credentials_file: str,
        config_doc: IniDocument | None,
        credentials_doc: IniDocument | None,
    ) -> None:
        self.config_file = config_file
        self.credentials_file = credentials_file
        self.config_doc = config_doc
        self.credentials_doc = credentials_doc
        self.profiles: dict[str, Values] = {}
        self.sso_sessions: dict[str, Values] = {}
        self.services: dict[str, Values] = {}
        #: profile name -> the section that defines it: in the config file, or
        #: (for a profile only there) in the credentials file
        self.config_sections: dict[str, RawSection] = {}
        self.credentials_sections: dict[str, RawSection] = {}
        #: profiles defined in both files -> (config values, credentials values),
        #: before the merge: botocore reads static keys from one file at a time
        self.split: dict[str, tuple[Values, Values]] = {}
        #: profiles with a nested block among their values (``s3 =`` then indented lines)
        self.nested: set[str] = set()
        self.problems: list[FileProblem] = []
        self._build()

    @property
    def refused(self) -> bool:
        """True when botocore would raise ``ConfigParseError`` on either file."""
        return bool(self.problems)

    def location(self, name: str) -> tuple[str, int] | None:
        """(file, 1-based line) of the section that defines profile ``name``."""
        sect = self.config_sections.get(name)
        if sect is not None:
            return self.config_file, sect.start + 1
        sect = self.credentials_sections.get(name)
        if sect is not None:
            return self.credentials_file, sect.start + 1
        return None

    @property
    def locations(self) -> dict[str, tuple[str, int]]:
        """profile name -> (file, 1-based line) of the section that defines it."""
        out = {}
        for name in self.profiles:
            where = self.location(name)
            if where is not None:
                out[name] = where
        return out

    def _build(self) -> None:
        profiles = self.profiles
        docs = (self.config_doc, self.credentials_doc)
        if self.config_doc is not None:
            doc = self.config_doc
            where = self.config_sections
            targets = {"profile": profiles, "sso-session": self.sso_sessions}
            targets["services"] = self.services
            plain = _PLAIN_SECTION_RE.fullmatch
            for key, values, sect in _sections(doc):
                m = plain(key)
                # the usual `[profile NAME]` (no quotes, one space), else the general rule
                found = m.groups() if m is not None else _section_target(key)
                if found is not None:
                    prefix, name = found
                    target = targets[prefix]
                    target[name] = values
                    if target is profiles:
                        where[name] = sect
            file = self.config_file
            self.problems += [FileProblem(file, p.line, p.message) for p in doc.problems]
        if self.credentials_doc is not None:
            doc = self.credentials_doc
            where = self.credentials_sections
            split = self.split
            for name, values, sect in _sections(doc):
                if name in profiles:
                    mine = profiles[name]
                    split[name] = (mine, values)
                    profiles[name] = {**mine, **values}
                else:
                    profiles[name] = values
                    where[name] = sect
            file = self.credentials_file
            self.problems += [FileProblem(file, p.line, p.message) for p in doc.problems]
        if any(d is not None and (d.multiline or d.defaults) for d in docs):
            self.nested = {name for name, values in profiles.items() if has_nested(values)}


def _section_target(key: str) -> tuple[str, str] | None:
    """``("profile" | "sso-session" | "services", NAME)`` for a config section
    named ``key``, as botocore sorts them; None for any other section.

    >>> _section_target('profile "a b"'), _section_target("default"), _section_target("x y")
    (('profile', 'a b'), ('profile', 'default'), None)
    """
    if key.startswith("profile"):
        prefix = "profile"
    elif key.startswith("sso-session"):
        prefix = "sso-session"
    elif key.startswith("services"):
        prefix = "services"
    elif key == "default":
        return "profile", "default"
    else:
        return None
    parts = split_section_name(key)
    if parts is not None and len(parts) == 2:
        return prefix, parts[1]
    return None


def available_profiles(config: bytes | None, credentials: bytes | None) -> list[str]:
    """The names of ``AwsConfig(...).profiles`` for these file contents (None: no
    file), read from the section headers alone (:func:`~rolecall.core.ini.section_names`):
    the config's profiles, then those only in the credentials file.  Botocore's
    ``Session().available_profiles`` where it reads the files.

    >>> available_profiles(b"[default]\\n[profile a]\\n[sso-session s]\\n", b"[a]\\n[b]\\n")
    ['default', 'a', 'b']
    """
    names: dict[str, None] = {}
    if config is not None:
        plain = _PLAIN_SECTION_RE.fullmatch
        for key in section_names(config):
            m = plain(key)
            found = m.groups() if m is not None else _section_target(key)
            if found is not None and found[0] == "profile":
                names[found[1]] = None
    if credentials is not None:
        names.update(dict.fromkeys(section_names(credentials)))
    return list(names)


def _sections(doc: IniDocument) -> Iterator[tuple[str, Values, RawSection]]:
    """(name, values, section) of every section, as ``raw_config_parse`` reads them.

    A section name given twice (a problem) reads as one, with the values of
    both, at the last one's line.  The values are the document's own (read-only).
    """
    if doc.problems or doc.defaults is not None or doc.multiline:
        raw = doc.raw_values(shared=True)
        last = {sect.name: sect for sect in doc.sections}
        for name, values in raw.items():
            yield name, values, last[name]
        return
    # The common case: each section's options are its values, as they are.
    for sect in doc.sections:
        yield sect.name, sect.options, sect  # type: ignore[misc]


def load(
    config: str | None = None,
    credentials: str | None = None,
    env: Mapping[str, str] | None = None,
) -> AwsConfig:
    """Read the config and credentials files (explicit paths win over the environment)."""
    cfg_path = config_path(config, env)
    cred_path = credentials_path(credentials, env)
    return AwsConfig(cfg_path, cred_path, read_document(cfg_path), read_document(cred_path))
