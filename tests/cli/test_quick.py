"""The quick reading of `env` and `credential-process` lines, with argparse as the oracle.

Whenever :func:`quick_args` reads a command line, argparse (``build_parser``)
must read it the same way: the same Namespace, the same handler.  Whatever it
declines goes to argparse, so declining is always safe; accepting something
argparse would refuse, or read otherwise, is the bug these tests look for.
"""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rolecall.cli.parser import build_parser
from rolecall.cli.quick import quick_args
from rolecall.core.shell import FORMATS


def argparse_reads(words: list[str]) -> dict[str, object] | None:
    """What argparse gives for ``words`` (as the program builds it), or None when it refuses."""
    parser = build_parser(words[0] if words else None)
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            return vars(parser.parse_args(words))
    except SystemExit:
        return None


READ = [
    ["env", "dev"],
    ["credential-process", "dev"],
    ["env", "dev", "--format", "fish"],
    ["env", "--format=json", "dev"],
    ["env", "dev", "--config", "/tmp/c", "--credentials=/tmp/k"],
    ["credential-process", "--config=", "prod-admin"],
    ["env", "a b", "--format", "dotenv"],
    ["env", "dev", "--config", "x=y"],
    ["env", "dev", "--config=--odd"],
]
DECLINED = [
    [],
    ["list"],
    ["env"],
    ["env", "dev", "other"],
    ["env", "-dev"],
    ["env", "dev", "--no-cache"],
    ["env", "dev", "--mfa-code", "123456"],
    ["env", "dev", "--duration", "900"],
    ["env", "dev", "--format", "csh"],
    ["env", "dev", "--format"],
    ["env", "dev", "--config", "-x"],
    ["env", "dev", "--config", "a", "--config", "b"],
    ["env", "dev", "--help"],
    ["env", "--", "dev"],
    ["credential-process", "dev", "--format", "sh"],
    ["--config", "x", "env", "dev"],
    ["env", "dev", "--form", "sh"],
    ["env", "dev", "--config"],
]


@pytest.mark.parametrize("words", READ, ids=" ".join)
def test_what_quick_reads_argparse_reads_alike(words: list[str]) -> None:
    quick = quick_args(words)
    assert quick is not None
    assert vars(quick) == argparse_reads(words)


@pytest.mark.parametrize("words", DECLINED, ids=lambda w: " ".join(w) or "(nothing)")
def test_the_rest_goes_to_argparse(words: list[str]) -> None:
    assert quick_args(words) is None


def test_the_formats_are_the_shells() -> None:
    for fmt in FORMATS:
        quick = quick_args(["env", "dev", "--format", fmt])
        assert quick is not None and quick.format == fmt


WORDS = st.sampled_from(
    [
        "env",
        "credential-process",
        "list",
        "dev",
        "prod",
        "",
        "-",
        "--",
        "-x",
        "--config",
        "--config=a",
        "--credentials",
        "--credentials=",
        "--format",
        "--format=json",
        "json",
        "sh",
        "csh",
        "--no-cache",
        "--mfa-code",
        "--duration",
        "900",
        "--help",
        "a=b",
        "--form",
    ]
)


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(["env", "credential-process", "list"]), st.lists(WORDS, max_size=6))
def test_generated_lines_agree_with_argparse(verb: str, rest: list[str]) -> None:
    words = [verb, *rest]
    quick = quick_args(words)
    if quick is not None:
        assert vars(quick) == argparse_reads(words), words
