"""Lossless edits of the AWS config file: add, replace and remove a profile.

Every byte outside the edited section stays as it was.  An edit is checked
before anything is written: the new file is parsed again and must give exactly
the intended profiles, with no new problem on the edited profile.  ``add``
followed by ``remove`` gives back the original bytes::

    original ............ "[default]\\nregion = x"        (no final newline)
    add dev ............. "[default]\\nregion = x\\n\\n[profile dev]\\nrole_arn = ..."
    remove dev .......... "[default]\\nregion = x"
"""

from __future__ import annotations

import contextlib
import os
import shlex
from collections.abc import Callable, Iterator, Mapping

from rolecall.core import fsutil
from rolecall.core.config import (
    AwsConfig,
    ConfigError,
    config_path,
    credentials_path,
    read_bytes,
    read_document,
    refuse_untrusted,
)
from rolecall.core.diagnosis import CREDENTIAL_SOURCES
from rolecall.core.ini import IniDocument, RawSection, Values, parse, split_section_name
from rolecall.core.profiles import ProfileSet
from rolecall.core.setting_rules import (
    duration_problem,
    mfa_serial_problem,
    region_problem,
    role_arn_problem,
)

__all__ = [
    "BatchResult",
    "EditError",
    "add_profile",
    "add_sso_session",
    "edit_profiles",
    "put_profile",
    "remove_profile",
    "section_header",
    "sso_session_header",
]

#: How long an edit waits for another rolecall's edit of the same files (seconds).
LOCK_TIMEOUT = 10.0

#: The settings ``profile add`` writes, in this order.
ROLE_KEYS = (
    "role_arn",
    "source_profile",
    "credential_source",
    "region",
    "mfa_serial",
    "external_id",
    "duration_seconds",
    "role_session_name",
)


class EditError(Exception):
    """An edit was refused; the file is as it was."""


def section_header(name: str) -> str:
    """The section name botocore reads back as profile ``name``.

    >>> section_header("dev"), section_header("a b"), section_header("default")
    ('profile dev', "profile 'a b'", 'default')
    """
    if name == "default":
        return "default"
    quoted = shlex.quote(name)
    return f"profile {quoted}"


def _check_name(name: str) -> None:
    if not name or name != name.strip():
        raise EditError(f"invalid profile name {name!r}: empty or padded with spaces")
    if any(c in name for c in "\r\n") or "]" in name:
        raise EditError(f"invalid profile name {name!r}: no line breaks or ']'")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in name):
        raise EditError(f"invalid profile name {name!r}: no control characters")
    if name == "default":
        return
    parts = split_section_name(section_header(name))
    if parts is None or len(parts) != 2 or parts[1] != name:
        raise EditError(f"invalid profile name {name!r}")


def _check_value(key: str, value: str) -> None:
    if value == "" or value != value.strip() or any(c in value for c in "\r\n"):
        raise EditError(f"invalid {key} {value!r}: empty, padded or multi-line")


def validate_role_settings(settings: Mapping[str, str]) -> None:
    """Refuse settings that can never work, before reading any file."""
    for key, value in settings.items():
        _check_value(key, value)
    arn = settings.get("role_arn")
    if arn is None:
        raise EditError("--role-arn is required")
    why = role_arn_problem(arn)
    if why is not None:
        raise EditError(f"malformed role ARN {arn!r}: {why}")
    has_src = "source_profile" in settings
    has_cs = "credential_source" in settings
    if has_src == has_cs:
        raise EditError("give exactly one of --source-profile or --credential-source")
    if has_cs and settings["credential_source"] not in CREDENTIAL_SOURCES:
        raise EditError(
            f"unknown credential source {settings['credential_source']!r}: use one of "
            + ", ".join(CREDENTIAL_SOURCES)
        )
    if "duration_seconds" in settings:
        problem = duration_problem(settings["duration_seconds"])
        if problem:
            raise EditError(problem)
    if "region" in settings:
        problem = region_problem(settings["region"])
        if problem:
            raise EditError(problem)
    if "mfa_serial" in settings:
        problem = mfa_serial_problem(settings["mfa_serial"])
        if problem:
            raise EditError(problem)


def _sections_for(doc: IniDocument, name: str) -> list[RawSection]:
    found = []
    for sect in doc.sections:
        if name == "default" and sect.name == "default":
            found.append(sect)
            continue
        if not sect.name.startswith("profile"):
            continue
        parts = split_section_name(sect.name)
        if parts is not None and len(parts) == 2 and parts[1] == name:
            found.append(sect)
    return found


def _ends_with_eol(line: str) -> bool:
    return line.endswith(("\n", "\r"))


def _section_lines(name: str, settings: Mapping[str, str], eol: str) -> list[str]:
    lines = [f"[{section_header(name)}]{eol}"]
    for key in ROLE_KEYS:
        if key in settings:
            lines.append(f"{key} = {settings[key]}{eol}")
    for key, value in settings.items():
        if key not in ROLE_KEYS:
            lines.append(f"{key} = {value}{eol}")
    return lines


def append_section(lines: list[str], new: list[str], eol: str) -> list[str]:
    """Append a section after one blank separator line, keeping the final-newline style."""
    if not lines:
        return new
    out = list(lines)
    no_eol = not _ends_with_eol(out[-1])
    if no_eol:
        out[-1] += eol
    out.append(eol)
    out += new
    if no_eol:
        out[-1] = out[-1][: -len(eol)]
    return out


def replace_section(lines: list[str], sect: RawSection, new: list[str], eol: str) -> list[str]:
    out = lines[: sect.start] + new + lines[sect.end :]
    if sect.end == len(lines) and not _ends_with_eol(lines[-1]):
        out[sect.start + len(new) - 1] = new[-1][: -len(eol)]
    return out


def cut_section(lines: list[str], sect: RawSection) -> list[str]:
    """Remove a section and the one blank line before it (the inverse of ``append_section``)."""
    start, end = sect.start, sect.end
    if start > 0 and not lines[start - 1].strip():
        start -= 1
    out = lines[:start] + lines[end:]
    if end == len(lines) and not _ends_with_eol(lines[-1]) and out:
        last = out[-1]
        out[-1] = last[:-2] if last.endswith("\r\n") else last[:-1]
    return out


def as_read(doc: IniDocument, settings: Mapping[str, str]) -> Values:
    """What botocore reads in a section of ``doc`` written with ``settings``: the
    values of ``[DEFAULT]`` that it does not set, then its own.  Every edit's
    read-back check expects this (a profile, a batch of them, an ``[sso-session]``).

    >>> as_read(parse(b"[DEFAULT]\\nregion = x\\noutput = json\\n"), {"region": "y"})
    {'region': 'y', 'output': 'json'}
    """
    return {**doc.default_values(), **settings}


class _Editor:
    """Reads the files once, and writes the config back only when the edit checks out."""

    def __init__(self, config: str | None, credentials: str | None) -> None:
        self.path = config_path(config)
        self.cred_path = credentials_path(credentials)
        _check_target(self.path)
        try:
            original = read_bytes(self.path)
            self.cred_doc = read_document(self.cred_path)
        except ConfigError as exc:
            raise EditError(str(exc)) from None
        self.exists = original is not None
        self.original = original or b""
        self.doc = parse(self.original)
        if self.doc.problems:
            p = self.doc.problems[0]
            raise EditError(
                f"{self.path}:{p.line}: {p.message}; fix the file first (the AWS CLI refuses it)"
            )
        self.before = AwsConfig(self.path, self.cred_path, self.doc, self.cred_doc)
        if self.before.refused:
            fp = self.before.problems[0]
            raise EditError(f"{fp.file}:{fp.line}: {fp.message}; fix the file first")

    def credentials_values(self, name: str) -> dict[str, object]:
        if self.cred_doc is None:
            return {}
        return dict(self.cred_doc.raw_values().get(name, {}))

    def check_and_write(self, lines: list[str], expected: dict[str, object], edited: str) -> None:
        new_bytes = "".join(lines).encode("utf-8", "surrogateescape")
        new_doc = parse(new_bytes)
        after = AwsConfig(self.path, self.cred_path, new_doc, self.cred_doc)
        if after.refused:
            fp = after.problems[0]
            raise EditError(
                f"the edit of profile {edited!r} would make the AWS CLI refuse the file "
                f"(line {fp.line}: {fp.message}); nothing written"
            )
        if after.profiles != expected:
            raise EditError(f"the edit of profile {edited!r} would not read back as intended")
        if after.sso_sessions != self.before.sso_sessions or after.services != self.before.services:
            raise EditError("the edit would change other sections; nothing written")
        if edited in after.profiles:
            prof = ProfileSet(after)[edited]
            if prof.problems:
                raise EditError(f"profile {edited!r}: {prof.problems[0]}")
        self.write(new_bytes)

    def write(self, data: bytes) -> None:
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            if not os.path.isdir(directory):
                fsutil.ensure_private_dir(directory)
            if self.exists:
                mode = os.stat(self.path).st_mode & 0o7777
                fsutil.atomic_write(self.path + ".bak", self.original, 0o600)
            else:
                mode = 0o600
            fsutil.atomic_write(self.path, data, mode, unchanged=self.original)
        except fsutil.FileChangedError as exc:
            raise EditError(str(exc)) from None
        except OSError as exc:
            raise EditError(f"cannot write {self.path}: {exc.strerror or exc}") from None


def _check_target(path: str) -> None:
    """Refuse a config path that is a directory, a symlink loop or a dangling symlink."""
    if os.path.isdir(path):
        raise EditError(f"{path} is a directory")
    if os.path.islink(path) and not os.path.exists(path):
        raise EditError(f"{path} is a symlink loop or points to nothing; fix the link first")


@contextlib.contextmanager
def _editing(config: str | None, credentials: str | None) -> Iterator[_Editor]:
    """Read, check and write under one lock, so concurrent edits serialise.

    The lock stands for the directory of the real config file (through any
    symlink): a 0600 file in rolecall's own 0700 lock directory, which no other
    user can open (:func:`rolecall.core.fsutil.locked_dir`); two ``profile add``
    runs at once both land, one after the other.  A missing directory is
    created (0700) first; it is removed again when the edit is refused.  An edit
    that waits more than :data:`LOCK_TIMEOUT` for the lock is refused, naming
    the process that holds it.
    """
    path = config_path(config)
    _check_target(path)
    directory = os.path.dirname(os.path.realpath(path))
    try:  # (a file there is refused when read; a new one must not go where others write)
        refuse_untrusted(directory, "writing in")
    except ConfigError as exc:
        raise EditError(str(exc)) from None
    created = False
    if not os.path.isdir(directory):
        try:
            fsutil.ensure_private_dir(directory)
        except OSError as exc:
            raise EditError(f"cannot create {directory}: {exc.strerror or exc}") from None
        created = True
    try:
        try:
            with fsutil.locked_dir(directory, timeout=LOCK_TIMEOUT, purpose=f"editing {path}"):
                yield _Editor(config, credentials)
        except fsutil.LockTimeout as exc:  # (only taking the lock raises it)
            who = f"{exc.holder}; " if exc.holder else ""
            raise EditError(
                f"another rolecall is still editing the files in {directory} "
                f"({who}waited {LOCK_TIMEOUT:g} s); try again"
            ) from None
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(directory)  # only when still empty
        raise


def add_profile(
    name: str,
    settings: Mapping[str, str],
    *,
    force: bool = False,
    config: str | None = None,
    credentials: str | None = None,
) -> str:
    """Add ``[profile NAME]`` with ``settings`` (or replace it with ``force``).

    Returns the path written.  Raises :class:`EditError` with the reason when
    the edit is refused; the file is then untouched.
    """
    return put_profile(name, settings, force=force, config=config, credentials=credentials)[0]


def put_profile(
    name: str,
    settings: Mapping[str, str],
    *,
    force: bool = False,
    config: str | None = None,
    credentials: str | None = None,
) -> tuple[str, bool]:
    """:func:`add_profile`, and whether it replaced a profile (``--force``) rather
    than added one: ``(path written, replaced)``."""
    _check_name(name)
    validate_role_settings(settings)
    with _editing(config, credentials) as ed:
        replaced = name in ed.before.profiles
        return _add(ed, name, settings, force), replaced


def _add(ed: _Editor, name: str, settings: Mapping[str, str], force: bool) -> str:
    src = settings.get("source_profile")
    if src is not None and src not in ed.before.profiles and src != name:
        raise EditError(_with_hint(f"source profile {src!r} does not exist", src, ed))
    existing = _sections_for(ed.doc, name)
    if name in ed.before.profiles and not force:
        raise EditError(f"profile {name!r} already exists; use --force to replace it")
    if name in ed.before.profiles and not existing:
        raise EditError(
            f"profile {name!r} is defined in {ed.cred_path}; rolecall only edits the config file"
        )
    eol = ed.doc.newline
    new = _section_lines(name, settings, eol)
    expected = {k: dict(v) for k, v in ed.before.profiles.items()}
    values: dict[str, object] = dict(as_read(ed.doc, settings))
    if existing:
        # Replace the section botocore reads (the last one); drop any earlier twin.
        target = existing[-1]
        lines = replace_section(ed.doc.lines, target, new, eol)
        for twin in reversed(existing[:-1]):
            lines = cut_section(lines, twin)
        values.update(ed.credentials_values(name))
    else:
        lines = append_section(ed.doc.lines, new, eol)
    expected[name] = values  # type: ignore[assignment]
    ed.check_and_write(lines, expected, name)  # type: ignore[arg-type]
    return ed.path


def _with_hint(message: str, name: str, ed: _Editor) -> str:
    """``message``, and the profile ``name`` was most likely meant to be."""
    from rolecall.core.suggest import did_you_mean

    hint = did_you_mean(name, ed.before.profiles)
    return f"{message}; {hint}" if hint else message


def remove_profile(
    name: str,
    *,
    force: bool = False,
    config: str | None = None,
    credentials: str | None = None,
) -> str:
    """Remove profile ``name`` from the config file; returns the path written."""
    with _editing(config, credentials) as ed:
        return _remove(ed, name, force)


def _remove(ed: _Editor, name: str, force: bool) -> str:
    existing = _sections_for(ed.doc, name)
    if not existing:
        if name in ed.before.profiles:
            raise EditError(
                f"profile {name!r} is defined in {ed.cred_path}; "
                "rolecall only edits the config file"
            )
        raise EditError(_with_hint(f"no profile named {name!r} in {ed.path}", name, ed))
    users = [
        p for p, v in ed.before.profiles.items() if p != name and v.get("source_profile") == name
    ]
    if users and not force:
        raise EditError(
            f"profile {name!r} is the source_profile of {', '.join(users)}; "
            "use --force to remove it"
        )
    lines = ed.doc.lines
    for sect in reversed(existing):
        lines = cut_section(lines, sect)
    expected = {k: dict(v) for k, v in ed.before.profiles.items() if k != name}
    if ed.credentials_values(name):
        raise EditError(
            f"profile {name!r} also has a section in {ed.cred_path}; remove it there first"
        )
    ed.check_and_write(lines, expected, name)  # type: ignore[arg-type]
    return ed.path


# ---------------------------------------------------------------------------
# batch edits (``rolecall sso populate``) and ``[sso-session]`` sections
# ---------------------------------------------------------------------------
#: What a batch edit does to one profile: its settings (add, or replace the
#: section), or None (remove it).
Change = Mapping[str, str] | None


class BatchResult:
    """The file before and after a batch edit; ``written`` is False for a dry run
    or when nothing changed."""

    __slots__ = ("after", "before", "path", "written")

    def __init__(self, path: str, before: bytes, after: bytes, written: bool) -> None:
        self.path = path
        self.before = before
        self.after = after
        self.written = written

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff of the config file, as ``--dry-run`` prints it."""
        import difflib

        old = self.before.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        new = self.after.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        lines = difflib.unified_diff(old, new, self.path, self.path + " (after)")
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _ordered_section_lines(header: str, settings: Mapping[str, str], eol: str) -> list[str]:
    """``[header]`` and the settings in the order given (``_section_lines`` puts the
    role keys first)."""
    return [f"[{header}]{eol}"] + [f"{key} = {value}{eol}" for key, value in settings.items()]


def edit_profiles(
    plan: Callable[[AwsConfig], Mapping[str, Change]],
    *,
    dry_run: bool = False,
    config: str | None = None,
    credentials: str | None = None,
) -> BatchResult:
    """Add, replace and remove several profiles of the config file in one locked edit.

    ``plan`` is called with the files as read under the lock and returns, per
    profile name, its new settings (written in that order) or None (removed).
    New sections are appended in the plan's order.  The result is checked as
    every edit is (it reads back as exactly the intended profiles, no other
    section changes, no edited profile gets a problem) and written atomically,
    unless ``dry_run``.  Profiles defined in the credentials file are refused,
    as by :func:`add_profile`.  The file is parsed once, whatever the number of
    changes (1,500 profiles in one populate).
    """
    with _editing(config, credentials) as ed:
        changes = plan(ed.before)
        eol = ed.doc.newline
        found = _profile_sections(ed.doc)
        expected: dict[str, object] = {k: dict(v) for k, v in ed.before.profiles.items()}
        # (start, section, new lines or None): applied from the bottom up, so that
        # every index still points at the original line
        ops: list[tuple[int, RawSection, list[str] | None]] = []
        block: list[str] = []
        for name, settings in changes.items():
            _check_name(name)
            if ed.credentials_values(name):
                raise EditError(
                    f"profile {name!r} is defined in {ed.cred_path}; "
                    "rolecall only edits the config file"
                )
            existing = found.get(name, [])
            if settings is None:
                ops += [(sect.start, sect, None) for sect in existing]
                expected.pop(name, None)
                continue
            for key, value in settings.items():
                _check_value(key, value)
            new = _ordered_section_lines(section_header(name), settings, eol)
            if existing:
                ops.append((existing[-1].start, existing[-1], new))
                ops += [(twin.start, twin, None) for twin in existing[:-1]]
            else:
                block += ([eol] if block else []) + new
            expected[name] = as_read(ed.doc, settings)
        lines = ed.doc.lines
        for _, sect, new_lines in sorted(ops, key=lambda op: op[0], reverse=True):
            if new_lines is None:
                lines = cut_section(lines, sect)
            else:
                lines = replace_section(lines, sect, new_lines, eol)
        if block:
            lines = append_section(lines, block, eol)
        after = "".join(lines).encode("utf-8", "surrogateescape")
        if after == ed.original:
            return BatchResult(ed.path, ed.original, after, False)
        _check_batch(ed, after, expected, [n for n, s in changes.items() if s is not None])
        if not dry_run:
            ed.write(after)
        return BatchResult(ed.path, ed.original, after, not dry_run)


def _profile_sections(doc: IniDocument) -> dict[str, list[RawSection]]:
    """Profile name -> its sections in file order (what ``_sections_for`` finds, in one pass)."""
    found: dict[str, list[RawSection]] = {}
    for sect in doc.sections:
        if sect.name == "default":
            found.setdefault("default", []).append(sect)
            continue
        if not sect.name.startswith("profile"):
            continue
        parts = split_section_name(sect.name)
        if parts is not None and len(parts) == 2:
            found.setdefault(parts[1], []).append(sect)
    return found


def _check_batch(ed: _Editor, data: bytes, expected: dict[str, object], edited: list[str]) -> None:
    after = AwsConfig(ed.path, ed.cred_path, parse(data), ed.cred_doc)
    if after.refused or after.profiles != expected:
        raise EditError("the edit would not read back as intended; nothing written")
    if after.sso_sessions != ed.before.sso_sessions or after.services != ed.before.services:
        raise EditError("the edit would change other sections; nothing written")
    profiles = ProfileSet(after)
    for name in edited:
        problems = profiles[name].problems
        if problems:
            raise EditError(f"profile {name!r}: {problems[0]}; nothing written")


def sso_session_header(name: str) -> str:
    """The section name botocore reads back as ``[sso-session NAME]``.

    >>> sso_session_header("corp"), sso_session_header("my corp")
    ('sso-session corp', "sso-session 'my corp'")
    """
    return f"sso-session {shlex.quote(name)}"


def add_sso_session(
    name: str,
    settings: Mapping[str, str],
    *,
    force: bool = False,
    config: str | None = None,
    credentials: str | None = None,
) -> str:
    """Add ``[sso-session NAME]`` with ``settings`` (or replace it with ``force``).

    Returns the path written; :class:`EditError` when refused (file untouched).
    """
    _check_name(name)
    if name == "default":
        raise EditError("an sso-session cannot be called 'default'")
    for key, value in settings.items():
        _check_value(key, value)
    with _editing(config, credentials) as ed:
        existing = [
            s
            for s in ed.doc.sections
            if s.name.startswith("sso-session")
            and (parts := split_section_name(s.name)) is not None
            and len(parts) == 2
            and parts[1] == name
        ]
        if existing and not force:
            raise EditError(f"sso-session {name!r} already exists; use --force to replace it")
        eol = ed.doc.newline
        new = _ordered_section_lines(sso_session_header(name), settings, eol)
        if existing:
            lines = replace_section(ed.doc.lines, existing[-1], new, eol)
            for twin in reversed(existing[:-1]):
                lines = cut_section(lines, twin)
        else:
            lines = append_section(ed.doc.lines, new, eol)
        data = "".join(lines).encode("utf-8", "surrogateescape")
        after = AwsConfig(ed.path, ed.cred_path, parse(data), ed.cred_doc)
        wanted = {k: dict(v) for k, v in ed.before.sso_sessions.items()}
        wanted[name] = as_read(ed.doc, settings)
        if after.refused or after.sso_sessions != wanted:
            raise EditError(f"the edit of sso-session {name!r} would not read back as intended")
        if after.profiles != ed.before.profiles or after.services != ed.before.services:
            raise EditError("the edit would change other sections; nothing written")
        ed.write(data)
        return ed.path
