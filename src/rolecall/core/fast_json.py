"""``json.loads`` and ``json.dumps`` for the cache hit, without importing :mod:`json`.

The json package imports ``re`` and compiles six patterns when it is imported
(its decoder, scanner and encoder): about 3 ms of a cache hit on this machine
beyond ``re`` itself, and ``re`` another 13 ms where nothing else needs it
(``python -X importtime``).  A cache hit reads one small JSON object (the CLI
cache entry), hashes one flat object (the cache key) and writes one
(``credential-process``).  The C accelerator that :mod:`json` itself uses,
``_json``, does all three alone.

Nothing is decided here that :mod:`json` would decide otherwise: :func:`loads`
and :func:`dumps` return what ``json.loads`` and ``json.dumps`` return, and hand
anything out of their plain path (another encoding, a value that is not a
string or an int, any error) to :mod:`json`, which then decides and raises.  A
test compares both with :mod:`json` over a table and generated input.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Mapping
    from typing import Any

__all__ = ["dumps", "loads"]

_scan: Callable[[str, int], tuple[object, int]] | None
_quote: Callable[[str], str]
try:  # CPython's accelerator, the one json.loads and json.dumps use themselves
    from _json import encode_basestring_ascii as _quote
    from _json import make_scanner as _make_scanner
except ImportError:  # pragma: no cover - another Python: the json package does it all
    from json.encoder import py_encode_basestring_ascii as _quote

    _scan = None
else:

    class _Context:
        """What ``_json.make_scanner`` reads of a ``json.JSONDecoder()`` with its defaults."""

        strict = True
        object_hook = None
        object_pairs_hook = None
        parse_float = float
        parse_int = int
        parse_constant = {
            "-Infinity": float("-inf"),
            "Infinity": float("inf"),
            "NaN": float("nan"),
        }.__getitem__

    _scan = _make_scanner(_Context())  # type: ignore[arg-type]  # (typeshed: a scanner)

#: JSON's whitespace (``json.decoder.WHITESPACE``), after the value.
_SPACE = " \t\n\r"


def loads(raw: bytes) -> Any:  # (Any, as json.loads: a drop-in)
    """``json.loads(raw)``: a JSON text that is an object in UTF-8 (what the AWS CLI,
    botocore and rolecall write) is read by the C scanner; anything else by json.

    >>> loads(b'{"Credentials": {"AccessKeyId": "ASIA1", "N": [1, 2.5, null]}}\\n')
    {'Credentials': {'AccessKeyId': 'ASIA1', 'N': [1, 2.5, None]}}
    """
    # json.detect_encoding: a first byte "{" and a second byte that is not 0 is UTF-8
    if _scan is not None and raw[:1] == b"{" and raw[1:2] != b"\x00":
        try:
            text = raw.decode("utf-8", "surrogatepass")
            value, end = _scan(text, 0)
        except (StopIteration, ValueError):  # (UnicodeDecodeError too: json words it)
            pass
        else:
            if not text[end:].strip(_SPACE):
                return value
    import json

    return json.loads(raw)


def dumps(doc: Mapping[str, object], sort_keys: bool = False) -> str:
    """``json.dumps(doc, sort_keys=sort_keys)`` for an object of strings and ints (the
    cache key's arguments, ``credential-process``'s answer); json writes anything else.

    >>> dumps({"RoleArn": "arn:aws:iam::1:role/é", "DurationSeconds": 900}, sort_keys=True)
    '{"DurationSeconds": 900, "RoleArn": "arn:aws:iam::1:role/\\\\u00e9"}'
    """
    if all(type(key) is str for key in doc):
        parts = []
        for key, value in sorted(doc.items()) if sort_keys else doc.items():
            if type(value) is str:
                parts.append(f"{_quote(key)}: {_quote(value)}")
            elif type(value) is int:
                parts.append(f"{_quote(key)}: {int.__repr__(value)}")
            else:
                break
        else:
            return "{" + ", ".join(parts) + "}"
    import json

    return json.dumps(doc, sort_keys=sort_keys)
