"""The command line as completion data (:class:`Command`, :class:`Option`,
:class:`Positional`), and the quoting every shell's code is written with."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "KINDS",
    "SHELLS",
    "Command",
    "Hook",
    "Option",
    "Positional",
    "Tables",
    "check",
    "fq",
    "hook_command_text",
    "one_line",
    "positional_word",
    "pq",
    "quoted_command",
    "sq",
    "tables",
    "value_word",
]

#: The command line that prints profile names (empty: ``rolecall __complete``).
Hook = tuple[str, ...]
#: The shells ``rolecall shell-init`` writes code for.
SHELLS = ("bash", "zsh", "fish", "powershell")
#: What a value or a positional can be: ``file`` (a path), ``profile`` (a
#: profile name), ``choice`` (one of its choices), ``command`` (the rest of the
#: line is a command: ``exec PROFILE -- CMD``), ``sub`` (a subcommand) and
#: ``any`` (free text: nothing to offer).
KINDS = ("file", "profile", "choice", "command", "sub", "any")

#: Words that may appear in generated shell code unquoted.
_WORD_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:+,@%/=-]*")
_OPTION_RE = re.compile(r"-{1,2}[A-Za-z0-9][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Option:
    """One option: its spellings, its help line and what its value is (None: a flag)."""

    names: tuple[str, ...]
    help: str = ""
    value: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Positional:
    """One positional argument: what it is (one of :data:`KINDS`) and its choices."""

    kind: str
    help: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    """A command (``()`` is ``rolecall`` itself, ``("profile", "add")`` a sub-action)."""

    path: tuple[str, ...]
    help: str = ""
    options: tuple[Option, ...] = ()
    positionals: tuple[Positional, ...] = ()
    #: the subcommands, by name (their own Commands are in the same table)
    subcommands: tuple[str, ...] = ()
    #: help lines of the subcommands, by name
    sub_help: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """The table key: the path joined by spaces (``""`` for the top)."""
        return " ".join(self.path)


def check(commands: list[Command]) -> None:
    """Refuse a name that could not be written unquoted into the generated code."""
    for command in commands:
        for word in (*command.path, *command.subcommands):
            if not _WORD_RE.fullmatch(word):
                raise ValueError(f"cannot complete command name {word!r}")
        for option in command.options:
            for name in option.names:
                if not _OPTION_RE.fullmatch(name):
                    raise ValueError(f"cannot complete option {name!r}")
            for choice in option.choices:
                if not _WORD_RE.fullmatch(choice):
                    raise ValueError(f"cannot complete choice {choice!r}")
        for positional in command.positionals:
            if positional.kind not in KINDS:
                raise ValueError(f"unknown kind {positional.kind!r}")
            for choice in positional.choices:
                if not _WORD_RE.fullmatch(choice):
                    raise ValueError(f"cannot complete choice {choice!r}")


def one_line(text: str) -> str:
    """A help line for a description: one line, no control characters, at most 70 chars."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= 70 else text[:69] + "…"


def sq(text: str) -> str:
    """``text`` single-quoted for sh, bash, zsh (and fish, whose rules differ: see fq).

    >>> sq("it's")
    "'it'\\\\''s'"
    """
    return "'" + text.replace("'", "'\\''") + "'"


def fq(text: str) -> str:
    """``text`` single-quoted for fish (backslash and quote escaped)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pq(text: str) -> str:
    """``text`` single-quoted for PowerShell (a quote is doubled)."""
    return "'" + text.replace("'", "''") + "'"


def value_word(option: Option) -> str:
    """What an option's value is, as the generated tables spell it."""
    if option.value == "choice":
        return " ".join(option.choices)
    return "@" + (option.value or "any")


def positional_word(positional: Positional) -> str:
    if positional.kind == "choice":
        return "|".join(positional.choices)
    return "@" + positional.kind


@dataclass(frozen=True)
class Tables:
    """The lookup tables the generated code reads, as (key, value) rows: each command's
    options (``"env"`` -> ``"--format --region ..."``), each option's value
    (``"env --format"`` -> ``"sh fish ..."``), each positional (``"env 0"`` ->
    ``"@profile"``) and each command's subcommands."""

    options: list[tuple[str, str]]
    values: list[tuple[str, str]]
    positionals: list[tuple[str, str]]
    subcommands: list[tuple[str, str]]


def tables(commands: list[Command]) -> Tables:
    """The :class:`Tables` of ``commands``, for every shell's code alike."""
    opts = [(c.key, " ".join(n for o in c.options for n in o.names)) for c in commands]
    values = [
        (f"{c.key} {name}", value_word(o))
        for c in commands
        for o in c.options
        if o.value is not None
        for name in o.names
    ]
    positionals: list[tuple[str, str]] = []
    for c in commands:
        kinds = ["@sub"] if c.subcommands else [positional_word(p) for p in c.positionals]
        for index, word in enumerate(kinds):
            positionals.append((f"{c.key} {index}", word))
        # a positional that takes the rest of the line stays what it is
        if kinds and kinds[-1] == "@command":
            positionals.append((f"{c.key} {len(kinds)}", "@command"))
    subs = [(c.key, " ".join(c.subcommands)) for c in commands if c.subcommands]
    return Tables(opts, values, positionals, subs)


def quoted_command(words: tuple[str, ...], shell: str) -> str:
    """``words`` as a command line of ``shell`` (bash, zsh or fish), each word quoted.

    >>> quoted_command(("/opt/py", "-c", "a; b()", "--shell"), "zsh")
    "'/opt/py' '-c' 'a; b()' '--shell'"
    """
    quote = fq if shell == "fish" else sq
    return " ".join(quote(w) for w in words)


def hook_command_text(hook: tuple[str, ...], quote: Callable[[str], str]) -> str:
    """The command that prints profile names (``hook``, quoted), else ``rolecall __complete``.

    >>> hook_command_text(("/venv/bin/python", "-P", "-c", "x; y", "__complete"), sq)
    "'/venv/bin/python' '-P' '-c' 'x; y' '__complete'"
    """
    return " ".join(quote(w) for w in hook) if hook else "command rolecall __complete"
