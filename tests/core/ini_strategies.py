"""Hypothesis strategies for AWS config and credentials files.

The grammar itself lives in ``ini_gen`` (shared with the seeded fuzzer in
``scripts/fuzz_config.py``); here each of its choices becomes a hypothesis
draw, so that a failing file shrinks.

``aws_files()`` builds ``(config, credentials)`` byte strings (either may be
None for "no file") from the grammar botocore reads: every kind of section
header, keys in random case, both delimiters, comments, blank lines,
continuation lines and nested ``s3 =`` blocks, random line endings and an
optional final newline, and profiles built from templates (role chains,
sources, SSO).  Most of them are files botocore accepts.

``mutated(aws_files())`` then corrupts them at the byte level (duplicated,
swapped or deleted lines, deleted bytes, inserted ``=``, ``[``, ``]``,
quotes, a BOM, 0xff, ``\\r``...), so that many become files botocore refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from hypothesis import strategies as st
from tests.core import ini_gen

__all__ = ["HypothesisDraw", "aws_files", "config_text", "credentials_text", "mutate", "mutated"]

T = TypeVar("T")


class HypothesisDraw:
    """The :class:`ini_gen.Draw` interface on top of a hypothesis ``draw``."""

    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def choice(self, options: Sequence[T]) -> T:
        return self._draw(st.sampled_from(options))

    def integer(self, low: int, high: int) -> int:
        return self._draw(st.integers(low, high))

    def text(self, alphabet: Sequence[str], max_size: int) -> str:
        return self._draw(st.text(alphabet=st.sampled_from(alphabet), max_size=max_size))


@st.composite
def config_text(draw: st.DrawFn) -> bytes:
    d = HypothesisDraw(draw)
    return ini_gen.config_text(d, templates=d.integer(0, 1) == 1)


@st.composite
def credentials_text(draw: st.DrawFn) -> bytes:
    d = HypothesisDraw(draw)
    return ini_gen.credentials_text(d, templates=d.integer(0, 1) == 1)


@st.composite
def aws_files(draw: st.DrawFn) -> tuple[bytes | None, bytes | None]:
    """``(config, credentials)``; None means the file does not exist."""
    return ini_gen.aws_files(HypothesisDraw(draw))


@st.composite
def mutate(draw: st.DrawFn, data: bytes) -> bytes:
    """Apply one to three byte-level corruptions to ``data``."""
    return ini_gen.mutate(HypothesisDraw(draw), data)


@st.composite
def mutated(
    draw: st.DrawFn, files: st.SearchStrategy[tuple[bytes | None, bytes | None]]
) -> tuple[bytes | None, bytes | None]:
    """Corrupt the config file, the credentials file, or both."""
    config, credentials = draw(files)
    return ini_gen.mutate_pair(HypothesisDraw(draw), config, credentials)
