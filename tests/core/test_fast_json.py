"""``fast_json`` returns what ``json`` returns, or leaves it to ``json`` (which raises)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rolecall.core import fast_json

LOADS_TABLE = [
    b'{"Credentials": {"AccessKeyId": "ASIA1", "Expiration": "2026-11-28T05:33:55Z"}}',
    b'{"a": [1, -2, 3.5e3, true, false, null, {"b": {}}], "c": "\\u00e9\\n\\ud83d\\ude00"}\n\n',
    b' {"leading": "space"}',  # (json: whitespace first; not the fast path, same answer)
    b'{"x": NaN, "y": -Infinity, "z": Infinity}',
    '{"é": "ü €"}'.encode(),
    b'{"dup": 1, "dup": 2}',
    b"{}",
    b"[1, 2]",
    b'"text"',
    "{}".encode("utf-16"),  # a BOM: json detects the encoding
    '{"a": 1}'.encode("utf-16-le"),
    b"\xef\xbb\xbf{}",
]
BAD = [
    b"",
    b"{",
    b'{"a": 1} x',
    b'{"a": 1}{}',
    b'{"a": "\x01"}',  # a control character in a string (strict)
    b'{"a": 01}',
    b"{'a': 1}",
    b'{"a": "\xff"}',  # not UTF-8
    b'{"a": "\xed\xa0\x80"}',  # a UTF-8 surrogate
    b"{" * 100_000,
]


def _same(a: object, b: object) -> bool:
    """Equal, NaN included (json's NaN is not equal to itself)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _outcome(fn: Callable[[Any], object], arg: object) -> tuple[str, object]:
    try:
        return "ok", fn(arg)
    except Exception as exc:  # (the kind and the words must match too)
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("raw", LOADS_TABLE + BAD)
def test_loads_is_json_loads(raw: bytes) -> None:
    got, want = _outcome(fast_json.loads, raw), _outcome(json.loads, raw)
    assert got[0] == want[0]
    assert _same(got[1], want[1]) if got[0] == "ok" else got == want


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=5), st.sampled_from(["", " \n"]))
def test_loads_matches_json_on_generated_objects(doc: dict[str, object], tail: str) -> None:
    raw = (json.dumps(doc) + tail).encode()
    assert _same(fast_json.loads(raw), json.loads(raw))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=40).map(lambda b: b"{" + b))
def test_loads_matches_json_on_noise(raw: bytes) -> None:
    got, want = _outcome(fast_json.loads, raw), _outcome(json.loads, raw)
    assert got[0] == want[0]
    assert _same(got[1], want[1]) if got[0] == "ok" else got == want


DUMPS_TABLE: list[dict[object, object]] = [
    {},
    {"RoleArn": "arn:aws:iam::123456789012:role/Admin", "DurationSeconds": 3600},
    {"b": '\u00e9\u202e\x00"\\', "a": -0, "c": 10**30},
    {"flag": True},  # json's own: not a string or an int
    {"x": 1.5, "y": None},
    {1: "one", "two": 2},
    {"nested": {"a": 1}},
]


@pytest.mark.parametrize("doc", DUMPS_TABLE)
@pytest.mark.parametrize("sort_keys", [False, True])
def test_dumps_is_json_dumps(doc: dict[str, object], sort_keys: bool) -> None:
    def fast(d: dict[str, object]) -> str:
        return fast_json.dumps(d, sort_keys=sort_keys)

    def slow(d: dict[str, object]) -> str:
        return json.dumps(d, sort_keys=sort_keys)

    assert _outcome(fast, doc) == _outcome(slow, doc)  # (mixed keys, sorted: a TypeError)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.text(max_size=10), st.text(max_size=10) | st.integers(), max_size=6),
    st.booleans(),
)
def test_dumps_matches_json_on_generated_objects(doc: dict[str, object], sort_keys: bool) -> None:
    assert fast_json.dumps(doc, sort_keys=sort_keys) == json.dumps(doc, sort_keys=sort_keys)
