"""Hypothesis strategies for AWS config and credentials files.

``aws_files()`` builds ``(config, credentials)`` byte strings (either may be
None for "no file") from the grammar botocore reads: every kind of section
header, keys in random case, both delimiters, comments, blank lines,
continuation lines and nested ``s3 =`` blocks, random line endings and an
optional final newline.  Most of them are files botocore accepts.

``mutated(aws_files())`` then corrupts them at the byte level (duplicated,
swapped or deleted lines, deleted bytes, inserted ``=``, ``[``, ``]``,
quotes, a BOM, 0xff, ``\\r``...), so that many become files botocore refuses.
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["aws_files", "config_text", "credentials_text", "mutate", "mutated"]

# -- building blocks ------------------------------------------------------------

# Profile-ish names, some of which collide once shlex has read them.
NAMES = [
    "dev",
    "prod",
    "a",
    "default",
    "Dev",
    "x.y",
    "ünï",
    "role-1",
    "b_2",
    "DEFAULT",
]
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

value_text = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ019 /-_.") + ["#", ";", "=", ":", "[", "]", '"', "'", "\\", "é", "\t", "\u00a0"]
    ),
    max_size=12,
)
# \x0b, \x85 and \u2028 split a nested value (str.splitlines), not a file line.
_plain_nested_value = st.text(alphabet=st.sampled_from(list("abcXYZ019 /-_.:=#")), max_size=8)
_odd_nested_value = st.sampled_from(["a\x0bb = c", "x\x85y", "p = q\u2028r = s", "\u2028"])
nested_value_text = st.integers(0, 11).flatmap(
    lambda n: _odd_nested_value if n == 0 else _plain_nested_value
)
comment_text = st.text(alphabet=st.sampled_from(list("abc =:[]#;'\"")), max_size=10)


@st.composite
def random_case(draw: st.DrawFn, word: str) -> str:
    mode = draw(st.sampled_from(["keep", "keep", "lower", "upper", "title", "mixed"]))
    if mode == "keep":
        return word
    if mode == "lower":
        return word.lower()
    if mode == "upper":
        return word.upper()
    if mode == "title":
        return word.title()
    bits = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if b else c.lower() for c, b in zip(word, bits, strict=True))


@st.composite
def indent(draw: st.DrawFn, min_size: int = 0, max_size: int = 3) -> str:
    return "".join(draw(st.lists(st.sampled_from(INDENT), min_size=min_size, max_size=max_size)))


@st.composite
def spacing(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", " ", " ", "  ", "\t", " \t", "\u00a0"]))


@st.composite
def delimiter(draw: st.DrawFn) -> str:
    return draw(spacing()) + draw(st.sampled_from(["=", "=", "=", ":"])) + draw(spacing())


@st.composite
def profile_token(draw: st.DrawFn) -> str:
    """The part after ``profile``/``sso-session``/``services``, shlex-quoted or not."""
    name = draw(st.sampled_from(NAMES))
    form = draw(
        st.sampled_from(
            ["plain"] * 6 + ["dq", "sq", "two", "backslash", "unclosed", "empty", "spaced"]
        )
    )
    if form == "dq":
        return f'"{name} {draw(st.sampled_from(NAMES))}"'
    if form == "sq":
        return f"'{name}'"
    if form == "two":
        return f"{name} {draw(st.sampled_from(NAMES))}"
    if form == "backslash":
        return name[:1] + "\\" + name[1:]
    if form == "unclosed":
        return '"' + name
    if form == "empty":
        return '""'
    if form == "spaced":
        return f"{name}  "
    return name


@st.composite
def config_section_name(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(
            ["profile"] * 8
            + ["default"] * 2
            + ["DEFAULT", "sso-session", "services", "profilex", "other", "bare-profile"]
        )
    )
    # shlex splits on " \t\r\n" only: "profile\xa0x" is one token.
    sep = draw(st.sampled_from([" "] * 6 + ["  ", "\t", "\t", "\xa0", "\x0b", "\u3000"]))
    if kind == "profile":
        return "profile" + sep + draw(profile_token())
    if kind in ("sso-session", "services"):
        return kind + sep + draw(profile_token())
    if kind == "profilex":
        return "profile" + draw(st.sampled_from(["x", "x y", "-a", "s dev"]))
    if kind == "other":
        return draw(
            st.sampled_from(
                [
                    "plugins",
                    "preview",
                    "toplevel",
                    " default",
                    "a]b",
                    "Default",
                    "DEFAULT ",
                    "PROFILE x",
                ]
            )
        )
    if kind == "bare-profile":
        return "profile"
    return kind


@st.composite
def credentials_section_name(draw: st.DrawFn) -> str:
    return draw(
        st.sampled_from(
            NAMES
            + ["profile dev", "profile a", "sso-session dev", "default", "a b", "DEFAULT", "p"]
        )
    )


@st.composite
def header_line(draw: st.DrawFn, name: str) -> list[str]:
    lead = draw(st.sampled_from(["", "", "", "", " ", "\t"]))
    trail = draw(st.sampled_from(["", "", "", "", " ", " # comment", " trailing", "\t"]))
    return [f"{lead}[{name}]{trail}"]


@st.composite
def option_lines(draw: st.DrawFn, key: str, base: str) -> list[str]:
    """One option: plain, with continuation lines, or a nested block."""
    head = base + key + draw(delimiter())
    kind = draw(st.sampled_from(["plain"] * 6 + ["continued", "nested", "empty"]))
    deeper = base + draw(indent(min_size=1))
    if kind == "empty":
        return [head]
    if kind == "nested":
        lines = [head.rstrip(" ") + draw(st.sampled_from(["", "", " ", "\t"]))]
        for _ in range(draw(st.integers(1, 4))):
            what = draw(
                st.sampled_from(["pair"] * 10 + ["blank"] * 2 + ["comment", "dup", "chain", "bad"])
            )
            if what == "blank":
                lines.append(draw(st.sampled_from(["", deeper, " "])))
            elif what == "comment":
                lines.append(deeper + "#" + draw(comment_text))
            elif what == "bad":
                lines.append(deeper + draw(st.sampled_from(["no equals", "k: v", "["])))
            elif what == "chain":
                lines.append(deeper + "a = b = " + draw(nested_value_text))
            else:
                nkey = draw(st.sampled_from(NESTED_KEYS))
                if what == "dup":
                    nkey = "x"
                lines.append(
                    deeper
                    + draw(random_case(nkey))
                    + draw(spacing())
                    + "="
                    + draw(spacing())
                    + draw(nested_value_text)
                )
        return lines
    first = draw(value_text)
    if first.strip() == "":
        first = "v" + first
    lines = [head + first]
    if kind == "continued":
        for _ in range(draw(st.integers(1, 3))):
            what = draw(st.sampled_from(["text"] * 4 + ["blank", "comment", "header"]))
            if what == "blank":
                lines.append(draw(st.sampled_from(["", " ", deeper])))
            elif what == "comment":
                lines.append(deeper + ";" + draw(comment_text))
            elif what == "header":
                lines.append(deeper + "[profile " + draw(st.sampled_from(NAMES)) + "]")
            else:
                text = draw(value_text)
                lines.append(deeper + (text if text.strip() else "t" + text))
    return lines


@st.composite
def section_body(draw: st.DrawFn) -> list[str]:
    lines: list[str] = []
    base = draw(st.sampled_from(["", "", "", "", " ", "\t"]))
    allow_dup = draw(st.integers(0, 9)) == 0
    used: set[str] = set()
    for _ in range(draw(st.integers(0, 5))):
        what = draw(st.sampled_from(["option"] * 6 + ["comment", "blank"]))
        if what == "comment":
            lines.append(
                draw(indent(max_size=2)) + draw(st.sampled_from("#;")) + draw(comment_text)
            )
            continue
        if what == "blank":
            lines.append(draw(st.sampled_from(["", "", " ", "\t", "\u00a0"])))
            continue
        key = draw(random_case(draw(st.sampled_from(KEYS))))
        if key.lower() in used and not allow_dup:
            continue
        used.add(key.lower())
        lines += draw(option_lines(key, base))
    return lines


@st.composite
def ini_text(draw: st.DrawFn, section_names: st.SearchStrategy[str]) -> list[str]:
    """The lines of one file, without line endings."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        lines.append(
            draw(st.sampled_from(["", "# top comment", "; top", "  ", "\t# indented comment"]))
        )
    allow_dup = draw(st.integers(0, 9)) == 0
    seen: set[str] = set()
    for _ in range(draw(st.integers(0, 6))):
        name = draw(section_names)
        if name in seen and not allow_dup and name != "DEFAULT":
            continue
        seen.add(name)
        lines += draw(header_line(name))
        lines += draw(section_body())
    return lines


@st.composite
def join_lines(draw: st.DrawFn, lines: list[str]) -> bytes:
    style = draw(st.sampled_from(["\n"] * 5 + ["\r\n", "\r\n", "\r", "mixed"]))
    out = []
    for line in lines:
        end = style if style != "mixed" else draw(st.sampled_from(["\n", "\r\n", "\r"]))
        out += [line, end]
    if out and draw(st.integers(0, 4)) == 0:
        out.pop()  # no final newline
    return "".join(out).encode("utf-8")


@st.composite
def config_text(draw: st.DrawFn) -> bytes:
    return draw(join_lines(draw(ini_text(config_section_name()))))


@st.composite
def credentials_text(draw: st.DrawFn) -> bytes:
    return draw(join_lines(draw(ini_text(credentials_section_name()))))


@st.composite
def aws_files(draw: st.DrawFn) -> tuple[bytes | None, bytes | None]:
    """``(config, credentials)``; None means the file does not exist."""
    config = draw(config_text()) if draw(st.integers(0, 9)) != 0 else None
    credentials = draw(credentials_text()) if draw(st.integers(0, 9)) < 6 else None
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


def _split_keep(data: bytes) -> list[bytes]:
    lines = data.splitlines(keepends=True)
    return lines or [b""]


@st.composite
def mutate(draw: st.DrawFn, data: bytes) -> bytes:
    """Apply one to three byte-level corruptions to ``data``."""
    for _ in range(draw(st.integers(1, 3))):
        op = draw(
            st.sampled_from(
                [
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
            )
        )
        lines = _split_keep(data)
        i = draw(st.integers(0, len(lines) - 1))
        if op == "dup_line":
            lines.insert(i, lines[i] if lines[i].endswith((b"\n", b"\r")) else lines[i] + b"\n")
            data = b"".join(lines)
        elif op == "swap_lines":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"".join(lines)
        elif op == "delete_line":
            del lines[i]
            data = b"".join(lines)
        elif op == "indent_line":
            lines[i] = draw(st.sampled_from([b" ", b"\t", b"  "])) + lines[i]
            data = b"".join(lines)
        elif op == "dedent_line":
            lines[i] = lines[i].lstrip(b" \t")
            data = b"".join(lines)
        elif op == "prefix":
            prefix = [b"\xef\xbb\xbf", b"\xff", b" ", b"\n", b"x\n", b"k = v\n", b"[DEFAULT]\n"]
            data = draw(st.sampled_from(prefix)) + data
        elif op == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif op == "delete_byte" and data:
            k = draw(st.integers(0, len(data) - 1))
            data = data[:k] + data[k + 1 :]
        elif op == "replace_byte" and data:
            k = draw(st.integers(0, len(data) - 1))
            data = data[:k] + draw(st.sampled_from(INSERTS)) + data[k + 1 :]
        else:
            k = draw(st.integers(0, len(data)))
            data = data[:k] + draw(st.sampled_from(INSERTS)) + data[k:]
    return data


@st.composite
def mutated(
    draw: st.DrawFn, files: st.SearchStrategy[tuple[bytes | None, bytes | None]]
) -> tuple[bytes | None, bytes | None]:
    """Corrupt the config file, the credentials file, or both."""
    config, credentials = draw(files)
    which = draw(st.sampled_from(["config", "config", "credentials", "both"]))
    if which in ("config", "both"):
        config = draw(mutate(config or b""))
    if which in ("credentials", "both"):
        credentials = draw(mutate(credentials or b""))
    return config, credentials
