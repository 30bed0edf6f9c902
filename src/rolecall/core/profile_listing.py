"""What ``rolecall list`` prints: the table (``write_list_text``) and the JSON
(``write_list_json``), written a slice of 256 profiles at a time.

Measured on 120,000 profiles: the table's cells are measured before they are
built, and a slice is formatted with one ``%``; a profile's JSON is written out
by hand (three times faster than ``json.dumps``).  Only ``rolecall list``
imports this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rolecall.core.profile import Chain, Profile
from rolecall.core.setting_rules import _arn_account, _arn_role, parse_duration

TYPE_CHECKING = False
if TYPE_CHECKING:
    from rolecall.core.profiles import ProfileSet

# ASCII, as json.dumps writes by default: a U+202E or a C1 control in a profile
# name reaches the terminal of `rolecall list --json` as an escape, never raw
try:
    from _json import encode_basestring_ascii as _encode_str
except ImportError:  # pragma: no cover - CPython always has _json
    from json.encoder import py_encode_basestring_ascii as _encode_str

__all__ = ["LIST_HEADER", "profile_json_text", "write_list_json", "write_list_text"]


def profile_json_text(p: Profile, _enc: Callable[[str], str] = _encode_str) -> str:
    """``json.dumps(p.to_json())``, written out by hand: ``rolecall list --json``
    prints ten thousand of these, and this is three times faster."""
    values = p.values
    # plain strings (a nested block reads as None)
    get: Callable[[str], str | None] = p.get if p.nested else values.get  # type: ignore[assignment]
    raw = get("duration_seconds")
    dur = None if raw is None else parse_duration(raw)
    role_arn = get("role_arn")
    if p._arn_ok:  # (_arn_account and _arn_role, written out)
        at = role_arn.find(":iam::") + 6  # type: ignore[union-attr]
        account: str | None = role_arn[at : at + 12]  # type: ignore[index]
        role: str | None = role_arn[role_arn.rfind("/") + 1 :]  # type: ignore[union-attr,index]
    else:
        account = get("sso_account_id")
        role = get("sso_role_name")
    region = get("region")
    source = get("source_profile")
    csource = get("credential_source")
    mfa = get("mfa_serial")
    ext = get("external_id")
    rsn = get("role_session_name")
    file = p.file
    problems = p._problems
    where = p._line  # (p.line and p.chain, written out)
    line = where if where is None or where.__class__ is int else where.start + 1  # type: ignore[union-attr]
    depth = p.depth
    if depth == 1:
        chain = _enc(p.name)
    elif depth == 2:  # (the usual role: its source holds the credentials)
        chain = f"{_enc(p.name)}, {_enc((p._last or p).name)}"
    else:
        chain = ", ".join(map(_enc, Chain(p)))
    return (
        f'{{"name": {_enc(p.name)}, "kind": "{p.kind}", '
        f'"region": {"null" if region is None else _enc(region)}, '
        f'"role_arn": {"null" if role_arn is None else _enc(role_arn)}, '
        f'"account_id": {"null" if account is None else _enc(account)}, '
        f'"role_name": {"null" if role is None else _enc(role)}, '
        f'"source_profile": {"null" if source is None else _enc(source)}, '
        f'"credential_source": {"null" if csource is None else _enc(csource)}, '
        f'"mfa_serial": {"null" if mfa is None else _enc(mfa)}, '
        f'"external_id": {"null" if ext is None else _enc(ext)}, '
        f'"duration_seconds": {"null" if dur is None else dur}, '
        f'"role_session_name": {"null" if rsn is None else _enc(rsn)}, '
        f'"chain": [{chain}], '
        f'"problems": [{", ".join(map(_enc, problems)) if problems else ""}], '
        f'"file": {"null" if file is None else _enc(file)}, '
        f'"line": {"null" if line is None else line}}}'
    )


def write_list_json(profiles: ProfileSet, write: Callable[[str], object]) -> None:
    """``rolecall list --json``: one object with both files, every profile and
    every file problem, as ``json.dumps`` writes it (ASCII: nothing drives the terminal;
    a new line after each profile).

    The profiles are written 256 at a time: the text of 10,000 is 4 MB, and
    memory reused slice after slice is faster to fill than that much new memory.
    """
    enc = _encode_str
    cfg = profiles.config
    write(
        f'{{"config_file": {enc(cfg.config_file)}, '
        f'"credentials_file": {enc(cfg.credentials_file)}, "profiles": ['
    )
    everything = list(profiles)
    for start in range(0, len(everything), 256):
        if start:
            write(",\n")
        write(",\n".join(map(profile_json_text, everything[start : start + 256])))
    problems = ", ".join(
        f'{{"file": {enc(p.file)}, "line": {p.line}, "message": {enc(p.message)}}}'
        for p in cfg.problems
    )
    write(f'], "problems": [{problems}]}}\n')


#: The columns of ``rolecall list``; the last one is not padded.
LIST_HEADER = ("NAME", "KIND", "ACCOUNT", "ROLE", "REGION", "SOURCE", "PROBLEMS")


def _list_row(p: Profile) -> tuple[str, str, str, str, str, str, str]:
    """The cells of ``rolecall list`` for one profile (``name``, ``kind``,
    ``account_id``, ``role_name``, ``region``, ``source``, the problems), as
    they are (not escaped), read as :func:`profile_json_text` reads them."""
    values = p.values
    get: Callable[[str], str | None] = p.get if p.nested else values.get  # type: ignore[assignment]
    if p._arn_ok:
        arn: str = values["role_arn"]  # type: ignore[assignment]
        account = _arn_account(arn)
        role = _arn_role(arn)
    else:
        account = get("sso_account_id") or ""
        role = get("sso_role_name") or ""
    problems = p._problems
    return (
        p.name,
        p.kind,
        account,
        role,
        get("region") or "",
        get("source_profile") or get("credential_source") or "",
        "; ".join(problems) if problems else "",
    )


def _list_widths(
    chunks: list[list[Profile]], needs_escape: Callable[[str], object]
) -> list[int] | None:
    """The widths of the padded columns of ``rolecall list``, or None when some
    cell needs escaping or holds a line break (then :func:`_write_escaped`
    writes the table).

    The cells are measured, not built: a valid role ARN is printable ASCII,
    its account 12 characters and its role name what follows its last ``/``;
    every other cell is checked, a slice of profiles at a time, with one call
    of ``needs_escape``.
    """
    w_name, w_kind, w_account, w_role, w_region, w_source = (len(h) for h in LIST_HEADER[:-1])
    for chunk in chunks:
        texts: list[str] = []
        add = texts.append
        for p in chunk:
            if p.nested:
                row = _list_row(p)
                texts += row
                w_name = max(w_name, len(row[0]))
                w_kind = max(w_kind, len(row[1]))
                w_account = max(w_account, len(row[2]))
                w_role = max(w_role, len(row[3]))
                w_region = max(w_region, len(row[4]))
                w_source = max(w_source, len(row[5]))
                continue
            values: Mapping[str, str] = p.values  # type: ignore[assignment]
            name = p.name
            add(name)
            if len(name) > w_name:
                w_name = len(name)
            if len(p.kind) > w_kind:
                w_kind = len(p.kind)
            if p._arn_ok:  # (printable ASCII: _ARN_RE)
                arn = values["role_arn"]
                width = len(arn) - arn.rfind("/") - 1
                if width > w_role:
                    w_role = width
                if w_account < 12:
                    w_account = 12
            else:
                account = values.get("sso_account_id")
                if account:
                    add(account)
                    if len(account) > w_account:
                        w_account = len(account)
                role = values.get("sso_role_name")
                if role:
                    add(role)
                    if len(role) > w_role:
                        w_role = len(role)
            region = values.get("region")
            if region:
                add(region)
                if len(region) > w_region:
                    w_region = len(region)
            source = values.get("source_profile") or values.get("credential_source")
            if source:
                add(source)
                if len(source) > w_source:
                    w_source = len(source)
            if p._problems:
                texts += p._problems
        text = "".join(texts)
        if needs_escape(text) or "\n" in text:
            return None
    return [w_name, w_kind, w_account, w_role, w_region, w_source]


def _list_lines(chunk: list[Profile], line: str) -> str:
    """The lines of ``rolecall list`` for some profiles whose cells need no
    escaping and hold no line break; ``line`` is the ``%``-format of a row.

    The cells of every row (:func:`_list_row`, written out for the usual
    profile) go into one list, formatted with one ``%`` and right-stripped
    line by line: the same text as a ``%`` and an ``rstrip()`` a row, at half
    the cost.
    """
    cells: list[str] = []
    for p in chunk:
        if p.nested:
            cells += _list_row(p)
            continue
        values: Mapping[str, str] = p.values  # type: ignore[assignment]
        if p._arn_ok:  # (_arn_account and _arn_role, written out)
            arn = values["role_arn"]
            at = arn.find(":iam::") + 6
            account = arn[at : at + 12]
            role = arn[arn.rfind("/") + 1 :]
        else:
            account = values.get("sso_account_id") or ""
            role = values.get("sso_role_name") or ""
        problems = p._problems
        cells += (
            p.name,
            p.kind,
            account,
            role,
            values.get("region") or "",
            values.get("source_profile") or values.get("credential_source") or "",
            "; ".join(problems) if problems else "",
        )
    text = (line + "\n") * len(chunk) % tuple(cells)
    return "\n".join(map(str.rstrip, text.split("\n")))


def write_list_text(
    profiles: ProfileSet,
    write: Callable[[str], object],
    escape: Callable[[str], str],
    needs_escape: Callable[[str], object],
) -> None:
    """``rolecall list``: a table of every profile (name, kind, account, role,
    region, source, problems), columns padded to their widest cell.

    ``escape`` makes a cell safe for the terminal and ``needs_escape`` says
    whether a text holds something it would change (escaping a safe cell
    changes nothing).  The profiles are read twice, 256 at a time, once for the
    widths (measured, not built: :func:`_list_widths`) and once to write the
    lines: the table of 120,000 profiles is never held whole (its rows, lines
    and text would cost 500 bytes a profile).
    """
    everything = list(profiles)
    chunks = [everything[start : start + 256] for start in range(0, len(everything), 256)]
    widths = _list_widths(chunks, needs_escape)
    if widths is None:  # some cell needs escaping: every row is built and escaped
        _write_escaped(chunks, write, escape)
        return
    # each cell left-aligned in its width (``str.ljust``), then the problems
    line = "  ".join(f"%-{width}s" for width in widths) + "  %s"
    write((line % LIST_HEADER).rstrip() + "\n")
    for chunk in chunks:
        write(_list_lines(chunk, line))


def _write_escaped(
    chunks: list[list[Profile]], write: Callable[[str], object], escape: Callable[[str], str]
) -> None:
    """:func:`write_list_text` where some cell needs escaping: the rows are built
    twice, escaped, once for the widths and once to write them."""
    widths = [len(h) for h in LIST_HEADER[:-1]]
    for chunk in chunks:
        rows = [tuple(map(escape, _list_row(p))) for p in chunk]
        for i, column in enumerate(list(zip(*rows, strict=True))[:-1]):
            widest = max(map(len, column))
            if widest > widths[i]:
                widths[i] = widest
    line = "  ".join(f"%-{width}s" for width in widths) + "  %s"
    write((line % LIST_HEADER).rstrip() + "\n")
    for chunk in chunks:
        rows = [tuple(map(escape, _list_row(p))) for p in chunk]
        write("".join([(line % row).rstrip() + "\n" for row in rows]))
