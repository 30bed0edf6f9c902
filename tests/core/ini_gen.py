"""One grammar of AWS config and credentials files, with two sources of choices.

The grammar is written once against :class:`Draw`, a tiny interface (pick one
of a list, an integer in a range, a short text).  Two sources implement it:

* :class:`RandomDraw` wraps ``random.Random``: fast and seeded, for the long
  fuzz run (``scripts/fuzz_config.py``) and the short CI run
  (``tests/core/test_fuzz_short.py``);
* ``ini_strategies.HypothesisDraw`` wraps a hypothesis ``draw``, so that the
  hypothesis tests shrink a failing file to a small one.

``aws_files(d)`` builds ``(config, credentials)`` byte strings (either may be
None for "no file"): every kind of section header, keys in random case, both
delimiters, comments, blank lines, continuation lines and nested ``s3 =``
blocks, random line endings, an optional final newline, and profiles built from
templates (static keys, role chains, credential sources, SSO, processes, web
identity) so that the profile model sees chains, cycles and broken sources.

``mutate(d, data)`` corrupts bytes (duplicated, swapped or deleted lines,
deleted or replaced bytes, inserted ``=``, ``[``, quotes, a BOM, 0xff, ``\\r``,
random bytes, lines spliced from other files...), so that many files become
files botocore refuses.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol, TypeVar

__all__ = [
    "Draw",
    "RandomDraw",
    "aws_files",
    "config_text",
    "credentials_text",
    "mutate",
    "mutate_pair",
]

T = TypeVar("T")


class Draw(Protocol):
    """Where the grammar's choices come from."""

    def choice(self, options: Sequence[T]) -> T:
        """One element of a non-empty sequence."""
        ...

    def integer(self, low: int, high: int) -> int:
        """An integer with ``low <= n <= high``."""
        ...

    def text(self, alphabet: Sequence[str], max_size: int) -> str:
        """Up to ``max_size`` characters from ``alphabet``."""
        ...


class RandomDraw:
    """The choices of a seeded ``random.Random``."""

    __slots__ = ("_random", "_rand", "_choices")

    def __init__(self, seed: int | random.Random) -> None:
        rnd = seed if isinstance(seed, random.Random) else random.Random(seed)
        self._random = rnd
        self._rand = rnd.random
        self._choices = rnd.choices

    def choice(self, options: Sequence[T]) -> T:
        return options[int(self._rand() * len(options))]

    def integer(self, low: int, high: int) -> int:
        return low + int(self._rand() * (high - low + 1))

    def text(self, alphabet: Sequence[str], max_size: int) -> str:
        size = int(self._rand() * (max_size + 1))
        return "".join(self._choices(alphabet, k=size)) if size else ""


# -- building blocks ------------------------------------------------------------

# Profile-ish names, some of which collide once shlex has read them.
NAMES = ["dev", "prod", "a", "default", "Dev", "x.y", "ünï", "role-1", "b_2", "DEFAULT"]
KEYS = [
    "region",
    "output",
    "aws_access_key_id",
    "aws_secret_access_key",
    "role_arn",
    "source_profile",
    "sso_session",
    "s3",
    "x",
    "Straße",
    "ключ",
    "k y",
    "İd",
]
NESTED_KEYS = ["signature_version", "Addressing_Style", "endpoint_url", "x", "Max", "a b"]
# Indentation characters: configparser counts characters, not columns, and
# treats every str.isspace() character as whitespace.
INDENT = [" ", " ", " ", "\t", "\t", "\u00a0", "\u3000", "\x0c", "\x0b", "\u2003"]

VALUE_ALPHABET = list("abcXYZ019 /-_.") + [
    "#",
    ";",
    "=",
    ":",
    "[",
    "]",
    '"',
    "'",
    "\\",
    "é",
    "\t",
    "\u00a0",
]
# \x0b, \x85 and \u2028 split a nested value (str.splitlines), not a file line.
PLAIN_NESTED_ALPHABET = list("abcXYZ019 /-_.:=#")
ODD_NESTED_VALUES = ["a\x0bb = c", "x\x85y", "p = q\u2028r = s", "\u2028"]
COMMENT_ALPHABET = list("abc =:[]#;'\"")

# Values that mean something to the profile model.
ARNS = [
    "arn:aws:iam::123456789012:role/Admin",
    "arn:aws:iam::111111111111:role/ops/Deploy",
    "arn:aws-cn:iam::000000000001:role/r",
    "arn:aws:iam::12345:role/Short",
    "arn:aws:iam::123456789012:user/NotARole",
    "not-an-arn",
    "",
]
CREDENTIAL_SOURCES = [
    "Environment",
    "Ec2InstanceMetadata",
    "EcsContainer",
    "environment",
    "Laptop",
    "",
]
DURATIONS = ["900", "3600", "43200", "899", "43201", "1h", "", " 3600", "-1", "0x10", "1_000"]
SOURCE_NAMES = NAMES + ["ghost", "profile dev", "", "Dev "]
SSO_SESSIONS = ["corp", "dev", "ghost", "a b"]


def random_case(d: Draw, word: str) -> str:
    mode = d.choice(["keep", "keep", "lower", "upper", "title", "mixed"])
    if mode == "keep":
        return word
    if mode == "lower":
        return word.lower()
    if mode == "upper":
        return word.upper()
    if mode == "title":
        return word.title()
    return "".join(c.upper() if d.integer(0, 1) else c.lower() for c in word)


def indent(d: Draw, min_size: int = 0, max_size: int = 3) -> str:
    return "".join(d.choice(INDENT) for _ in range(d.integer(min_size, max_size)))


def spacing(d: Draw) -> str:
    return d.choice(["", " ", " ", "  ", "\t", " \t", "\u00a0"])


def delimiter(d: Draw) -> str:
    return spacing(d) + d.choice(["=", "=", "=", ":"]) + spacing(d)


def value_text(d: Draw) -> str:
    return d.text(VALUE_ALPHABET, 12)


def nested_value_text(d: Draw) -> str:
    if d.integer(0, 11) == 0:
        return d.choice(ODD_NESTED_VALUES)
    return d.text(PLAIN_NESTED_ALPHABET, 8)


def comment_text(d: Draw) -> str:
    return d.text(COMMENT_ALPHABET, 10)


def profile_token(d: Draw) -> str:
    """The part after ``profile``/``sso-session``/``services``, shlex-quoted or not."""
    name = d.choice(NAMES)
    form = d.choice(["plain"] * 6 + ["dq", "sq", "two", "backslash", "unclosed", "empty", "spaced"])
    if form == "dq":
        return f'"{name} {d.choice(NAMES)}"'
    if form == "sq":
        return f"'{name}'"
    if form == "two":
        return f"{name} {d.choice(NAMES)}"
    if form == "backslash":
        return name[:1] + "\\" + name[1:]
    if form == "unclosed":
        return '"' + name
    if form == "empty":
        return '""'
    if form == "spaced":
        return f"{name}  "
    return name


OTHER_SECTIONS = [
    "plugins",
    "preview",
    "toplevel",
    " default",
    "a]b",
    "Default",
    "DEFAULT ",
    "PROFILE x",
]
CONFIG_KINDS = (
    ["profile"] * 8
    + ["default"] * 2
    + [
        "DEFAULT",
        "sso-session",
        "services",
        "profilex",
        "other",
        "bare-profile",
    ]
)
# shlex splits on " \t\r\n" only: "profile\xa0x" is one token.
HEADER_SEPARATORS = [" "] * 6 + ["  ", "\t", "\t", "\xa0", "\x0b", "\u3000"]


def config_section_name(d: Draw) -> str:
    kind = d.choice(CONFIG_KINDS)
    sep = d.choice(HEADER_SEPARATORS)
    if kind == "profile":
        return "profile" + sep + profile_token(d)
    if kind == "sso-session":
        if d.integer(0, 1):
            return "sso-session " + d.choice(SSO_SESSIONS[:3])
        return kind + sep + profile_token(d)
    if kind == "services":
        return kind + sep + profile_token(d)
    if kind == "profilex":
        return "profile" + d.choice(["x", "x y", "-a", "s dev"])
    if kind == "other":
        return d.choice(OTHER_SECTIONS)
    if kind == "bare-profile":
        return "profile"
    return kind


CREDENTIALS_SECTIONS = NAMES + [
    "profile dev",
    "profile a",
    "sso-session dev",
    "default",
    "a b",
    "DEFAULT",
    "p",
]


def credentials_section_name(d: Draw) -> str:
    return d.choice(CREDENTIALS_SECTIONS)


def header_line(d: Draw, name: str) -> str:
    lead = d.choice(["", "", "", "", " ", "\t"])
    trail = d.choice(["", "", "", "", " ", " # comment", " trailing", "\t"])
    return f"{lead}[{name}]{trail}"


def option_lines(d: Draw, key: str, base: str, value: str | None = None) -> list[str]:
    """One option: plain, with continuation lines, or a nested block.

    ``value``, when given, is the first line of a plain or continued option.
    """
    head = base + key + delimiter(d)
    if value is None:
        kind = d.choice(["plain"] * 6 + ["continued", "nested", "empty"])
    else:
        kind = d.choice(["plain"] * 16 + ["continued", "nested", "empty"])
    deeper = base + indent(d, min_size=1)
    if kind == "empty":
        return [head]
    if kind == "nested":
        lines = [head.rstrip(" ") + d.choice(["", "", " ", "\t"])]
        for _ in range(d.integer(1, 4)):
            what = d.choice(["pair"] * 10 + ["blank"] * 2 + ["comment", "dup", "chain", "bad"])
            if what == "blank":
                lines.append(d.choice(["", deeper, " "]))
            elif what == "comment":
                lines.append(deeper + "#" + comment_text(d))
            elif what == "bad":
                lines.append(deeper + d.choice(["no equals", "k: v", "["]))
            elif what == "chain":
                lines.append(deeper + "a = b = " + nested_value_text(d))
            else:
                nkey = "x" if what == "dup" else d.choice(NESTED_KEYS)
                lines.append(
                    deeper
                    + random_case(d, nkey)
                    + spacing(d)
                    + "="
                    + spacing(d)
                    + nested_value_text(d)
                )
        return lines
    if value is None:
        first = value_text(d)
        if first.strip() == "":
            first = "v" + first
    else:
        first = value
    lines = [head + first]
    if kind == "continued":
        for _ in range(d.integer(1, 3)):
            what = d.choice(["text"] * 4 + ["blank", "comment", "header"])
            if what == "blank":
                lines.append(d.choice(["", " ", deeper]))
            elif what == "comment":
                lines.append(deeper + ";" + comment_text(d))
            elif what == "header":
                lines.append(deeper + "[profile " + d.choice(NAMES) + "]")
            else:
                text = value_text(d)
                lines.append(deeper + (text if text.strip() else "t" + text))
    return lines


# -- profile templates ----------------------------------------------------------


def _static(d: Draw) -> list[tuple[str, str]]:
    pairs = [("aws_access_key_id", "AKIAFUZZ"), ("aws_secret_access_key", "fuzzsecret")]
    which = d.integer(0, 5)
    if which == 0:
        pairs = pairs[:1]
    elif which == 1:
        pairs = pairs[1:]
    if d.integer(0, 3) == 0:
        pairs.append(("aws_session_token", "token"))
    return pairs


def _role(d: Draw) -> list[tuple[str, str]]:
    pairs = [("role_arn", d.choice(ARNS))]
    source = d.choice(["profile"] * 6 + ["credential", "credential", "both", "none"])
    if source in ("profile", "both"):
        pairs.append(("source_profile", d.choice(SOURCE_NAMES)))
    if source in ("credential", "both"):
        pairs.append(("credential_source", d.choice(CREDENTIAL_SOURCES)))
    for key, pool in (
        ("duration_seconds", DURATIONS),
        ("mfa_serial", ["arn:aws:iam::123456789012:mfa/me", ""]),
        ("external_id", ["ext", ""]),
        ("role_session_name", ["fuzz", ""]),
        ("web_identity_token_file", ["/tmp/token"]),
    ):
        if d.integer(0, 5) == 0:
            pairs.append((key, d.choice(pool)))
    if d.integer(0, 5) == 0:
        pairs += _static(d)
    return pairs


def _sso(d: Draw) -> list[tuple[str, str]]:
    pairs = []
    for key, pool in (
        ("sso_session", SSO_SESSIONS),
        ("sso_account_id", ["123456789012", ""]),
        ("sso_role_name", ["ReadOnly"]),
        ("sso_start_url", ["https://corp.awsapps.com/start", "https://other/start"]),
        ("sso_region", ["eu-west-1", "us-east-1"]),
    ):
        if d.integer(0, 3):
            pairs.append((key, d.choice(pool)))
    return pairs


def _sso_session(d: Draw) -> list[tuple[str, str]]:
    pairs = []
    for key, pool in (
        ("sso_start_url", ["https://corp.awsapps.com/start", "https://other/start"]),
        ("sso_region", ["eu-west-1", "us-east-1"]),
        ("sso_registration_scopes", ["sso:account:access"]),
        ("sso_account_id", ["123456789012"]),
    ):
        if d.integer(0, 4):
            pairs.append((key, d.choice(pool)))
    return pairs


def _other_source(d: Draw) -> list[tuple[str, str]]:
    kind = d.choice(["process", "process", "web", "web-no-role", "region"])
    if kind == "process":
        return [("credential_process", d.choice(["/bin/echo creds", "tool 'unclosed", ""]))]
    if kind == "web":
        return [("web_identity_token_file", "/tmp/token"), ("role_arn", d.choice(ARNS))]
    if kind == "web-no-role":
        return [("web_identity_token_file", "/tmp/token")]
    return [("region", "eu-west-1")]


TEMPLATES = [_static, _static, _role, _role, _role, _role, _sso, _other_source]


def template_body(d: Draw, section: str) -> list[str]:
    """A profile (or sso-session) whose keys and values mean something."""
    if section.startswith("sso-session"):
        pairs = _sso_session(d)
    else:
        pairs = d.choice(TEMPLATES)(d)
        if d.integer(0, 2) == 0:
            pairs += d.choice(TEMPLATES)(d)
    base = d.choice(["", "", "", "", "", " "])
    lines: list[str] = []
    used: set[str] = set()
    for key, value in pairs:
        if key in used:
            continue
        used.add(key)
        key = key if d.integer(0, 5) else random_case(d, key)
        lines += option_lines(d, key, base, value)
    if d.integer(0, 4) == 0:
        lines.append(d.choice(["", "# note", "region = eu-west-1"]))
    return lines


def section_body(d: Draw) -> list[str]:
    lines: list[str] = []
    base = d.choice(["", "", "", "", " ", "\t"])
    allow_dup = d.integer(0, 9) == 0
    used: set[str] = set()
    for _ in range(d.integer(0, 5)):
        what = d.choice(["option"] * 6 + ["comment", "blank"])
        if what == "comment":
            lines.append(indent(d, max_size=2) + d.choice("#;") + comment_text(d))
            continue
        if what == "blank":
            lines.append(d.choice(["", "", " ", "\t", "\u00a0"]))
            continue
        key = random_case(d, d.choice(KEYS))
        if key.lower() in used and not allow_dup:
            continue
        used.add(key.lower())
        lines += option_lines(d, key, base)
    return lines


def ini_lines(d: Draw, credentials: bool, templates: bool) -> list[str]:
    """The lines of one file, without line endings."""
    lines: list[str] = []
    for _ in range(d.integer(0, 2)):
        lines.append(d.choice(["", "# top comment", "; top", "  ", "\t# indented comment"]))
    allow_dup = d.integer(0, 9) == 0
    seen: set[str] = set()
    for _ in range(d.integer(0, 6)):
        name = credentials_section_name(d) if credentials else config_section_name(d)
        if name in seen and not allow_dup and name != "DEFAULT":
            continue
        seen.add(name)
        lines.append(header_line(d, name))
        if templates and name != "DEFAULT" and d.integer(0, 2):
            lines += template_body(d, name)
        else:
            lines += section_body(d)
    return lines


def join_lines(d: Draw, lines: list[str]) -> bytes:
    style = d.choice(["\n"] * 5 + ["\r\n", "\r\n", "\r", "mixed"])
    out = []
    for line in lines:
        end = style if style != "mixed" else d.choice(["\n", "\r\n", "\r"])
        out += [line, end]
    if out and d.integer(0, 4) == 0:
        out.pop()  # no final newline
    return "".join(out).encode("utf-8")


def config_text(d: Draw, templates: bool = False) -> bytes:
    return join_lines(d, ini_lines(d, credentials=False, templates=templates))


def credentials_text(d: Draw, templates: bool = False) -> bytes:
    return join_lines(d, ini_lines(d, credentials=True, templates=templates))


def aws_files(d: Draw) -> tuple[bytes | None, bytes | None]:
    """``(config, credentials)``; None means the file does not exist.

    One pair in two is built from profile templates (chains and sources);
    the others stress the INI syntax.
    """
    templates = d.integer(0, 1) == 1
    config = config_text(d, templates) if d.integer(0, 9) != 0 else None
    credentials = credentials_text(d, templates) if d.integer(0, 9) < 6 else None
    return config, credentials


# -- byte-level mutations -------------------------------------------------------

INSERTS = [
    b"=",
    b":",
    b"[",
    b"]",
    b'"',
    b"'",
    b"\\",
    b"#",
    b";",
    b" ",
    b"\t",
    b"\n",
    b"\r",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\x00",
    b"\xc2\xa0",
    b"\xe2\x80\xa8",
    b"\x0b",
    b"[DEFAULT]\n",
    b"[default]\n",
    b"  ",
]
PREFIXES = [b"\xef\xbb\xbf", b"\xff", b" ", b"\n", b"x\n", b"k = v\n", b"[DEFAULT]\n"]
MUTATIONS = [
    "dup_line",
    "swap_lines",
    "delete_line",
    "delete_byte",
    "insert",
    "insert",
    "insert",
    "replace_byte",
    "indent_line",
    "dedent_line",
    "truncate",
    "prefix",
]
# Only with a RandomDraw: raw bytes, and lines taken from other files.
HAVOC = ["random_byte", "flip_bit", "splice", "splice", "case_line"]


def _split_keep(data: bytes) -> list[bytes]:
    lines = data.splitlines(keepends=True)
    return lines or [b""]


def mutate(
    d: Draw, data: bytes, donors: Sequence[bytes] = (), max_ops: int = 3, havoc: bool = False
) -> bytes:
    """Apply one to ``max_ops`` byte-level corruptions to ``data``.

    With ``havoc``, also insert random bytes, flip bits, change the case of a
    line, and splice in lines of ``donors`` (other files).
    """
    ops = MUTATIONS + HAVOC if havoc else MUTATIONS
    for _ in range(d.integer(1, max_ops)):
        op = d.choice(ops)
        lines = _split_keep(data)
        i = d.integer(0, len(lines) - 1)
        if op == "dup_line":
            lines.insert(i, lines[i] if lines[i].endswith((b"\n", b"\r")) else lines[i] + b"\n")
            data = b"".join(lines)
        elif op == "swap_lines":
            j = d.integer(0, len(lines) - 1)
            lines[i], lines[j] = lines[j], lines[i]
            data = b"".join(lines)
        elif op == "delete_line":
            del lines[i]
            data = b"".join(lines)
        elif op == "indent_line":
            lines[i] = d.choice([b" ", b"\t", b"  "]) + lines[i]
            data = b"".join(lines)
        elif op == "dedent_line":
            lines[i] = lines[i].lstrip(b" \t")
            data = b"".join(lines)
        elif op == "case_line":
            lines[i] = lines[i].upper() if d.integer(0, 1) else lines[i].lower()
            data = b"".join(lines)
        elif op == "prefix":
            data = d.choice(PREFIXES) + data
        elif op == "truncate":
            data = data[: d.integer(0, len(data))]
        elif op == "delete_byte" and data:
            k = d.integer(0, len(data) - 1)
            data = data[:k] + data[k + 1 :]
        elif op == "replace_byte" and data:
            k = d.integer(0, len(data) - 1)
            data = data[:k] + d.choice(INSERTS) + data[k + 1 :]
        elif op == "random_byte":
            k = d.integer(0, len(data))
            data = data[:k] + bytes([d.integer(0, 255)]) + data[k:]
        elif op == "flip_bit" and data:
            k = d.integer(0, len(data) - 1)
            data = data[:k] + bytes([data[k] ^ (1 << d.integer(0, 7))]) + data[k + 1 :]
        elif op == "splice" and donors:
            donor = _split_keep(d.choice(donors))
            start = d.integer(0, len(donor) - 1)
            piece = b"".join(donor[start : start + d.integer(1, 4)])
            lines.insert(i, piece if piece.endswith((b"\n", b"\r")) else piece + b"\n")
            data = b"".join(lines)
        else:
            k = d.integer(0, len(data))
            data = data[:k] + d.choice(INSERTS) + data[k:]
    return data


def mutate_pair(
    d: Draw,
    config: bytes | None,
    credentials: bytes | None,
    donors: Sequence[bytes] = (),
    max_ops: int = 3,
    havoc: bool = False,
) -> tuple[bytes | None, bytes | None]:
    """Corrupt the config file, the credentials file, or both."""
    which = d.choice(["config", "config", "credentials", "both"])
    if which in ("config", "both"):
        config = mutate(d, config or b"", donors, max_ops, havoc)
    if which in ("credentials", "both"):
        credentials = mutate(d, credentials or b"", donors, max_ops, havoc)
    return config, credentials
