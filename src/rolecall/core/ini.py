"""A lossless INI document that reads values exactly as botocore does.

botocore reads ``~/.aws/config`` with ``configparser.RawConfigParser`` (default
options) and then post-processes the result (``botocore.configloader``).  This
module re-implements that reading with a single pass over the lines, and keeps
every line of the file verbatim so that the document renders back to the exact
bytes it was parsed from::

    >>> doc = parse(b"[profile dev]\\r\\nregion = eu-west-1 # x\\r\\n")
    >>> doc.render() == b"[profile dev]\\r\\nregion = eu-west-1 # x\\r\\n"
    True
    >>> doc.raw_values()
    {'profile dev': {'region': 'eu-west-1 # x'}}

Nothing here imports configparser: the rules are written out below, each with
the configparser or botocore behaviour it mirrors.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from itertools import chain

__all__ = [
    "IniDocument",
    "has_nested",
    "ParseProblem",
    "RawSection",
    "Values",
    "parse",
    "parse_nested",
    "section_names",
    "split_section_name",
]

#: A value is a string, or one nested level of strings (``s3 =`` blocks).
Value = str | dict[str, str]
Values = dict[str, Value]

# Lines end at \r\n, \r or \n, as Python's universal newlines split them.
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_SHLEX_SPECIAL = frozenset("'\"\\")
#: Every character for which ``str.isspace()`` is true (what ``strip()`` and
#: configparser's ``\S`` treat as whitespace); a test checks the list.
_WHITESPACE = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SHLEX_WS_RE = re.compile(r"[ \t\r\n]+")
#: Keys whose values repeat from section to section: :func:`parse` keeps one
#: string for each of their values.
_SHARED_VALUES = frozenset(
    (
        "region",
        "output",
        "credential_source",
        "mfa_serial",
        "duration_seconds",
        "role_session_name",
        "sso_session",
        "sso_start_url",
        "sso_region",
        "sso_role_name",
        "sso_registration_scopes",
        "cli_pager",
        "retry_mode",
        "max_attempts",
    )
)


class ParseProblem:
    """A reason botocore (and so the AWS CLI) would refuse the file."""

    __slots__ = ("line", "message")

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message

    def __repr__(self) -> str:
        return f"ParseProblem(line={self.line}, message={self.message!r})"


class RawSection:
    """One ``[header]`` of the document and the lines that belong to it.

    ``start`` is the index of the header line, ``end`` the index one past the
    last line of its body (comments and blank lines that trail the body, before
    the next header, are not part of it).
    """

    __slots__ = ("name", "start", "end", "options", "more")

    def __init__(self, name: str, start: int) -> None:
        self.name = name
        self.start = start
        self.end = start + 1
        #: option name -> the first line of its value
        self.options: dict[str, str] = {}
        #: option name -> every line of its value, for the options that may
        #: span lines (continuation lines, or ``key =`` alone); None when none does
        self.more: dict[str, list[str]] | None = None

    @property
    def line(self) -> int:
        """1-based line number of the header."""
        return self.start + 1


class IniDocument:
    """The lines of a file, verbatim, and what botocore reads from them."""

    def __init__(self, text: str, problems: list[ParseProblem]) -> None:
        self.text = text
        self._lines: list[str] | None = None
        self.problems = problems
        self.sections: list[RawSection] = []
        self.defaults: RawSection | None = None
        #: whether some section has a value that may span lines (``RawSection.more``)
        self.multiline = False

    @property
    def lines(self) -> list[str]:
        """Every line with its own ending (``\r\n``, ``\r`` or ``\n``), verbatim."""
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines

    # -- rendering ---------------------------------------------------------
    def render(self) -> bytes:
        """The exact bytes of the document."""
        return "".join(self.lines).encode("utf-8", "surrogateescape")

    @property
    def newline(self) -> str:
        """The document's own line ending: the first one used, else ``\\n``."""
        for line in self.lines:
            if line.endswith("\r\n"):
                return "\r\n"
            if line.endswith(("\r", "\n")):
                return line[-1]
        return "\n"

    # -- values ------------------------------------------------------------
    def section(self, name: str) -> RawSection | None:
        for sect in self.sections:
            if sect.name == name:
                return sect
        return None

    def default_values(self) -> Values:
        """The values of ``[DEFAULT]``, which botocore reads in every section
        that does not set the same key itself (``{}`` without one).

        >>> parse(b"[DEFAULT]\\nregion = x\\n[profile a]\\n").default_values()
        {'region': 'x'}
        """
        if self.defaults is None:
            return {}
        return {key: _value(text) for key, text in _joined(self.defaults).items()}

    def raw_values(self, *, shared: bool = False) -> dict[str, Values]:
        """Section name -> option -> value, as ``raw_config_parse`` returns.

        ``[DEFAULT]`` is merged into every section and is not listed itself.
        A value that starts with a newline is parsed as one nested level
        (one with a line without ``=`` is already in :attr:`problems`, and reads
        as ``{}`` here).  With ``shared``, a section's map may be the document's
        own :attr:`RawSection.options` (no copy): the caller must not change it.
        """
        defaults = _joined(self.defaults) if self.defaults else {}
        result: dict[str, Values] = {}
        for sect in self.sections:
            if not (sect.more or defaults or sect.name in result):
                # the common case: one line per value, so no value starts with "\n"
                result[sect.name] = sect.options if shared else dict(sect.options)  # type: ignore[assignment]
                continue
            values: dict[str, Value] = {}
            joined = _joined(sect)
            if defaults:
                for key, val in defaults.items():
                    joined.setdefault(key, val)
            for key, text in joined.items():
                values[key] = _value(text)
            if sect.name in result:
                result[sect.name] = {**result[sect.name], **values}
            else:
                result[sect.name] = values
        return result


def _value(text: str) -> Value:
    """A joined value as botocore reads it: one nested level when it starts
    with a newline (one with a line without ``=`` is already a problem of
    :func:`parse`, and reads as ``{}`` here)."""
    if text[:1] == "\n":
        return parse_nested(text) or {}
    return text


def has_nested(values: Values) -> bool:
    """Whether some value is a nested block (``key =`` then indented lines)."""
    return dict in set(map(type, values.values()))


def _spans(doc: IniDocument, sect: RawSection, key: str, lines: list[str]) -> None:
    """Record that ``key`` of ``sect`` may span lines, held in ``lines``."""
    if sect.more is None:
        sect.more = {}
        doc.multiline = True
    sect.more[key] = lines


def _joined(sect: RawSection) -> dict[str, str]:
    """The section's values as configparser holds them: lines joined, right-stripped."""
    more = sect.more
    if not more:
        return dict(sect.options)
    return {k: "\n".join(more[k]).rstrip() if k in more else v for k, v in sect.options.items()}


def parse_nested(text: str) -> dict[str, str] | None:
    """Parse a ``key =`` block the way ``botocore.configloader._parse_nested`` does.

    >>> parse_nested("\\nsignature_version = s3v4\\n Addressing_Style=path")
    {'signature_version': 's3v4', 'Addressing_Style': 'path'}

    Returns None where botocore raises (a non-blank line without ``=``).
    """
    parsed: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        if not sep:
            return None
        parsed[key.strip()] = value.strip()
    return parsed


#: An option whose value starts on the next line: (section, key, value lines, line index).
_NestedCandidate = tuple[RawSection, str, list[str], int]


def _check_nested(doc: IniDocument, candidates: list[_NestedCandidate]) -> None:
    """Report nested values with a line without ``=``, as botocore would raise.

    ``candidates`` are the options whose first line is empty (``s3 =``).
    botocore parses values only in the sections it lists, so a ``[DEFAULT]``
    value counts only when some section inherits it (does not set that key).
    """
    for sect, key, opt, idx in candidates:
        if len(opt) < 2 or (sect.more or {}).get(key) is not opt:
            continue  # a single line, or replaced by a duplicate key (reported)
        text = "\n".join(opt).rstrip()
        if text[:1] != "\n" or parse_nested(text) is not None:
            continue
        if sect is doc.defaults:
            heir = next((s for s in doc.sections if key not in s.options), None)
            if heir is None:
                continue
            where = f"[DEFAULT] (inherited by [{heir.name}])"
        else:
            where = f"[{sect.name}]"
        line = _bad_nested_line(doc.lines, idx)
        doc.problems.append(
            ParseProblem(line, f"line {line} in the nested value of {key!r} in {where} has no '='")
        )


def _bad_nested_line(lines: list[str], idx: int) -> int:
    """1-based number of the first line after ``idx`` that breaks a nested value."""
    for n in range(idx + 1, len(lines)):
        text = lines[n].strip()
        if not text or text[0] == "#" or text[0] == ";":
            continue
        # botocore splits the joined value with str.splitlines(): \x0b, \x85...
        for piece in text.splitlines():
            piece = piece.strip()
            if piece and "=" not in piece:
                return n + 1
    return idx + 1


def _key_problem(key: str, section: str, idx: int) -> ParseProblem:
    """A duplicate or empty key at line index ``idx``."""
    if key:
        return ParseProblem(idx + 1, f"duplicate key {key!r} in [{section}] at line {idx + 1}")
    return ParseProblem(idx + 1, f"line {idx + 1} in [{section}] has no key")


def split_section_name(header: str) -> list[str] | None:
    """``shlex.split`` of a section name, or None where shlex raises.

    botocore keeps ``[profile x]`` only when this gives exactly two tokens.
    Names without quotes or backslashes take a fast path with the same result.
    """
    if _SHLEX_SPECIAL.isdisjoint(header):
        parts = header.split(" ")
        if len(parts) == 2 and parts[0] and parts[1] and "\t" not in header:
            return parts  # "profile name": the usual shape
        return [tok for tok in _SHLEX_WS_RE.split(header) if tok]
    try:
        return shlex.split(header)
    except ValueError:
        return None


def section_names(data: bytes) -> list[str]:
    """The names of :func:`parse`'s sections, in order (one written twice, twice),
    read from the headers alone: what a Tab's profile names need, several
    times faster than :func:`parse`.

    >>> section_names(b"[DEFAULT]\\n[a]\\ns3 =\\n  [not a header]\\n[b] # x\\n")
    ['a', 'b']

    A line is a header as :func:`parse` reads it: ``[`` first (once stripped)
    and a ``]`` after the name; an indented line that continues an option's
    value is never one.  When every ``[`` of the file starts a line (no
    indented header, no ``[`` in a value: the usual file), the headers are the
    lines that start with ``[``, found with one ``split``.
    """
    text = data.decode("utf-8", "surrogateescape")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    pieces = ("\n" + text).split("\n[")
    if text.count("[") == len(pieces) - 1:
        names = []
        for piece in pieces[1:]:
            end = piece.find("\n")
            value = (piece if end < 0 else piece[:end]).rstrip()
            close = value.rfind("]")
            if close >= 1 and value[:close] != "DEFAULT":
                names.append(value[:close])
        return names
    return _section_names_by_line(text)


def _section_names_by_line(text: str) -> list[str]:
    """:func:`section_names` of a text with indented lines: :func:`parse`'s
    line loop, keeping only what decides whether a line is a header."""
    names: list[str] = []
    ws = _WHITESPACE
    in_section = False  # (parse: a current section)
    in_option = False  # (parse: a current option, whose value an indented line continues)
    indent_level = 0
    for line in text.split("\n"):
        if not line:
            continue
        first = line[0]
        if first in ws:
            value = line.strip()
            if not value:
                continue
            first = value[0]
            if first == "#" or first == ";":
                continue
            indent = len(line) - len(line.lstrip())
            if in_option and indent > indent_level:
                continue  # a continuation line
            indent_level = indent
        else:
            if first == "#" or first == ";":
                continue
            indent_level = 0
            value = line
        if first == "[":
            value = value.rstrip()
            close = value.rfind("]")
            if close >= 2:
                in_section, in_option = True, False
                if value[1:close] != "DEFAULT":
                    names.append(value[1:close])
                continue
        if in_section and ("=" in value or ":" in value):
            in_option = True
    return names


def split_lines(text: str) -> list[str]:
    """Split keeping line endings, on ``\\r\\n``, ``\\r`` and ``\\n`` only."""
    if "\r" not in text:
        lines = text.split("\n")
        last = lines.pop()
        out = [line + "\n" for line in lines]
        if last:
            out.append(last)
        return out
    return _LINE_RE.findall(text)


def _line_slices(text: str, size: int = 1 << 16) -> Iterator[list[str]]:
    """``text.split("\\n")`` without its final empty piece, a slice of about
    ``size`` characters at a time.

    >>> list(_line_slices("a\\nb\\n\\nc", 2))
    [['a', 'b'], ['', 'c']]
    """
    start = 0
    while True:
        end = text.find("\n", start + size)
        if end < 0:
            lines = text[start:].split("\n")
            if not lines[-1]:
                lines.pop()
            yield lines
            return
        yield text[start:end].split("\n")
        start = end + 1


def parse(data: bytes) -> IniDocument:
    """Parse file bytes into a lossless document.

    The reading follows ``configparser.RawConfigParser._read`` with its
    defaults (strict, ``=`` and ``:`` delimiters, ``#``/``;`` full-line
    comments, empty lines kept in values, ``DEFAULT`` as the default section).
    Every way it can fail becomes a :class:`ParseProblem`; parsing goes on so
    that the document still renders and shows what it can.
    """
    problems: list[ParseProblem] = []
    text = data.decode("utf-8", "surrogateescape")
    if not text.isascii():  # (ASCII is valid UTF-8; a second decode of 10 MB is not free)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = data[: exc.start].decode("utf-8", "surrogateescape")
            problems.append(ParseProblem(len(split_lines(before + "x")), "invalid UTF-8"))
    doc = IniDocument(text, problems)
    # Universal newlines: \r\n and \r end a line like \n, so the line numbers
    # of the normalised text are those configparser counts.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # the lines, split a slice at a time: a list of every line of a 10 MB file
    # would hold 20 MB more while the document is built
    content = chain.from_iterable(_line_slices(text))

    sections = doc.sections
    seen: dict[str, RawSection] = {}
    cur: RawSection | None = None
    # The current option (None before the first one of a section), the list of
    # its lines once it spans lines, and the blank lines read since its last line
    # (configparser keeps them when a continuation line follows).
    opt_key: str | None = None
    opt_list: list[str] | None = None
    blanks = 0
    indent_level = 0
    orphan_reported = False
    # options whose value starts on the next line: botocore reads them as nested
    maybe_nested: list[_NestedCandidate] = []
    ws = _WHITESPACE
    # Every key once, and the values that repeat (regions, outputs...): a string
    # costs 60 bytes, and 120,000 profiles would hold 20 MB of copies.  (Looking
    # up every value, unique role ARNs and source profiles too, would cost 20%
    # more time.)
    seen_text: dict[str, str] = {}
    once = seen_text.setdefault
    shared = _SHARED_VALUES
    keys_as_written: dict[str, str] = {}
    values_as_written: dict[str, str] = {}

    for idx, line in enumerate(content):
        if not line:
            # configparser keeps blank lines inside a value (joined later).
            blanks += 1
            continue
        first = line[0]
        key = None
        if first in ws:
            # Indented, or a line of whitespace: the general (slower) path.
            value = line.strip()
            if not value:
                blanks += 1
                continue
            first = value[0]
            if first == "#" or first == ";":
                continue
            cur_indent = len(line) - len(line.lstrip())
            if opt_key is not None and cur_indent > indent_level:
                # A continuation line: part of the current option's value.
                assert cur is not None
                if opt_list is None:
                    opt_list = [cur.options[opt_key]]
                    _spans(doc, cur, opt_key, opt_list)
                if blanks:
                    opt_list += [""] * blanks
                opt_list.append(value)
                blanks = 0
                cur.end = idx + 1
                continue
            indent_level = cur_indent
        else:
            # Not indented (the common case): never a continuation line.
            if first == "#" or first == ";":
                continue
            indent_level = 0
            if first != "[" and cur is not None:
                # `key = value`, the most common line, read at once: the key runs
                # to the first '=' (unless a ':' comes before it).
                before, eq_sign, rest = line.partition("=")
                if eq_sign and ":" not in before:
                    # a key as written maps to its one string (faster than
                    # rstrip().lower(), and shared); so do repeated values
                    key = keys_as_written.get(before)
                    if key is None:
                        key = before.rstrip().lower()
                        key = keys_as_written[before] = once(key, key)
                    if key in shared:
                        known = values_as_written.get(rest)
                        if known is None:
                            known = rest.strip()
                            known = values_as_written[rest] = once(known, known)
                        first_value = known
                    else:
                        first_value = rest.strip()
            if key is None:
                value = line.rstrip()
        if key is None:
            if first == "[":
                close = value.rfind("]")
                if close >= 2:
                    name = value[1:close]
                    opt_key = None
                    if name == "DEFAULT":
                        if doc.defaults is None:
                            doc.defaults = RawSection(name, idx)
                        cur = doc.defaults
                        cur.end = idx + 1
                        continue
                    prev = seen.get(name)
                    if prev is not None:
                        problems.append(
                            ParseProblem(
                                idx + 1,
                                f"duplicate section [{name}] at line {idx + 1}, "
                                f"first defined at line {prev.line}",
                            )
                        )
                    else:
                        seen[name] = cur = RawSection(name, idx)
                        sections.append(cur)
                        continue
                    cur = RawSection(name, idx)
                    sections.append(cur)
                    continue
            if cur is None:
                if orphan_reported:
                    continue
                orphan_reported = True
                if idx == 0 and first == "\ufeff":
                    why = "the file starts with a byte-order mark (BOM)"
                else:
                    why = f"text before the first section header: {value[:40]!r}"
                problems.append(ParseProblem(idx + 1, why))
                continue
            eq = value.find("=")
            colon = value.find(":")
            if eq < 0 or (0 <= colon < eq):
                eq = colon
            if eq < 0:
                problems.append(
                    ParseProblem(
                        idx + 1, f"line {idx + 1} in [{cur.name}] has no '=': {value[:40]!r}"
                    )
                )
                cur.end = idx + 1
                continue
            key = value[:eq].rstrip().lower()
            key = once(key, key)
            first_value = value[eq + 1 :].lstrip()
            if key in shared:
                first_value = once(first_value, first_value)
        # an option: `key = first_value`
        assert cur is not None
        options = cur.options
        if key in options or not key:
            problems.append(_key_problem(key, cur.name, idx))
        options[key] = first_value
        opt_key = key
        blanks = 0
        if first_value:
            opt_list = None
            if cur.more and key in cur.more:
                del cur.more[key]  # a duplicate key (reported): this one replaces it
        else:
            # ``key =`` alone: the lines that follow, if any, are a nested block
            opt_list = [""]
            _spans(doc, cur, key, opt_list)
            maybe_nested.append((cur, key, opt_list, idx))
        cur.end = idx + 1

    if maybe_nested:
        _check_nested(doc, maybe_nested)
    problems.sort(key=lambda p: p.line)
    return doc
