"""rolecall's config reading, checked against botocore itself.

For every hand-written case in ``corpus/`` and for generated and mutated files
(``ini_strategies``), botocore is the oracle:

* ``botocore.session.Session().full_config`` either raises
  ``ConfigParseError`` (then rolecall must say ``refused``) or gives the
  profiles, sso-sessions and services that ``rolecall.core.config.load`` must
  give too, in the same order, down to nested values;
* for each file alone, ``botocore.configloader.raw_config_parse`` either raises
  (then ``ini.parse(data).problems`` is not empty) or gives what
  ``IniDocument.raw_values()`` gives;
* ``ini.parse(data).render()`` gives back the exact bytes, and rolecall never
  raises, whatever the input.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import botocore.configloader
import botocore.exceptions
import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.core.ini_strategies import aws_files, mutated

from rolecall.core import ini
from rolecall.core.config import AwsConfig, load

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())

#: Examples per run of each property (``ROLECALL_FUZZ_EXAMPLES`` raises it for a long
#: fuzzing session; the default keeps the suite within its time budget, and a case
#: that ever failed goes into the corpus or tests/fuzz_regressions).
EXAMPLES = int(os.environ.get("ROLECALL_FUZZ_EXAMPLES", "200"))

HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

_LINE_RE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def count_lines(data: bytes) -> int:
    """Lines as Python's universal newlines count them."""
    return len(_LINE_RE.findall(data))


def ordered(value: Any) -> Any:
    """Dicts as lists of pairs, all the way down, so that order is compared too."""
    if isinstance(value, dict):
        return [(key, ordered(val)) for key, val in value.items()]
    return value


def botocore_full_config(
    config_path: Path, credentials_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any] | None:
    """What botocore's session sees, or None when it raises ConfigParseError."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_path))
    try:
        full = botocore.session.Session().full_config
    except botocore.exceptions.ConfigParseError:
        return None
    # The sso_sessions and services keys are only there when the config file exists.
    return {
        "profiles": full["profiles"],
        "sso_sessions": full.get("sso_sessions", {}),
        "services": full.get("services", {}),
    }


def botocore_raw(path: Path) -> dict[str, Any] | None:
    try:
        raw: dict[str, Any] = botocore.configloader.raw_config_parse(str(path))
        return raw
    except botocore.exceptions.ConfigParseError:
        return None


def check_document(path: Path, data: bytes) -> bool:
    """One file alone: lossless rendering, problems and raw values.

    Returns whether botocore refuses the file.
    """
    doc = ini.parse(data)
    assert doc.render() == data
    problems = list(doc.problems)
    expected = botocore_raw(path)
    if expected is None:
        assert problems, f"botocore refuses {data!r} but ini.parse found no problem"
    else:
        assert problems == [], f"botocore accepts {data!r} but ini.parse found {problems}"
        assert ordered(doc.raw_values()) == ordered(expected)
    # Reading the values must not change what the document reports.
    assert [(p.line, p.message) for p in doc.problems] == [(p.line, p.message) for p in problems]
    for problem in problems:
        assert 1 <= problem.line <= count_lines(data) + 1, problem
        assert isinstance(problem.message, str) and problem.message.strip(), problem
    return expected is None


def check_files(
    directory: Path,
    monkeypatch: pytest.MonkeyPatch,
    config: bytes | None,
    credentials: bytes | None,
) -> AwsConfig:
    """Write both files (None: no file) and compare rolecall with botocore."""
    config_path = directory / "config"
    credentials_path = directory / "credentials"
    for path, data in ((config_path, config), (credentials_path, credentials)):
        if data is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(data)

    expected = botocore_full_config(config_path, credentials_path, monkeypatch)
    try:
        cfg = load(config=str(config_path), credentials=str(credentials_path))
    except Exception as exc:  # rolecall must never raise on file contents
        pytest.fail(f"rolecall raised {exc!r} on config={config!r} credentials={credentials!r}")

    refused_files = set()
    for path, data in ((config_path, config), (credentials_path, credentials)):
        if data is not None and check_document(path, data):
            refused_files.add(str(path))

    if expected is None:
        assert cfg.refused, (
            f"botocore refuses but rolecall does not: config={config!r} credentials={credentials!r}"
        )
    else:
        assert not cfg.refused, (
            f"rolecall refuses but botocore does not: {[str(p) for p in cfg.problems]}"
        )
        assert ordered(cfg.profiles) == ordered(expected["profiles"])
        assert ordered(cfg.sso_sessions) == ordered(expected["sso_sessions"])
        assert ordered(cfg.services) == ordered(expected["services"])

    assert {p.file for p in cfg.problems} == refused_files
    sizes = {str(config_path): config, str(credentials_path): credentials}
    for problem in cfg.problems:
        data = sizes[problem.file]
        assert data is not None
        assert 1 <= problem.line <= count_lines(data) + 1, str(problem)
        assert problem.message.strip(), str(problem)
    return cfg


# -- the corpus -----------------------------------------------------------------


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 45


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_corpus_case(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = case / "config"
    credentials = case / "credentials"
    cfg = check_files(
        tmp_path,
        monkeypatch,
        config.read_bytes() if config.exists() else None,
        credentials.read_bytes() if credentials.exists() else None,
    )
    # Each case says what it is about; make sure botocore still agrees with that.
    expect = (case / "expect").read_text().strip()
    assert expect in ("accepted", "refused")
    assert cfg.refused == (expect == "refused")


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_corpus_case_read_in_small_slices(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parser reads a file's lines a slice at a time (64 KB): with slices of
    a few characters, every case still reads as botocore reads it."""
    real = ini._line_slices
    monkeypatch.setattr(ini, "_line_slices", lambda text, size=5: real(text, size))
    test_corpus_case(case, tmp_path, monkeypatch)


@settings(max_examples=300, deadline=None, database=None)
@given(
    text=st.text(alphabet=st.sampled_from(["a", "b", "\n", " ", "[", "="]), max_size=60),
    size=st.integers(min_value=0, max_value=12),
)
def test_line_slices_are_the_lines(text: str, size: int) -> None:
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()
    assert [line for piece in ini._line_slices(text, size) for line in piece] == lines


# -- generated and mutated files ------------------------------------------------


@HYPOTHESIS
@given(files=aws_files())
def test_generated_files(
    files: tuple[bytes | None, bytes | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_files(tmp_path, monkeypatch, *files)


@HYPOTHESIS
@given(files=mutated(aws_files()))
def test_mutated_files(
    files: tuple[bytes | None, bytes | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_files(tmp_path, monkeypatch, *files)


# -- where the problems are -----------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_duplicate_section_names_both_lines(
    newline: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = newline.join(
        [
            "# my profiles",  # 1
            "[default]",  # 2
            "region = eu-west-1",  # 3
            "",  # 4
            "[profile dev]",  # 5
            "region = us-east-1",  # 6
            "  continued",  # 7
            "[profile prod]",  # 8
            "; comment",  # 9
            "[profile dev]",  # 10
            "output = json",  # 11
        ]
    )
    cfg = check_files(tmp_path, monkeypatch, text.encode(), None)
    assert cfg.refused
    messages = [(p.file, p.line, p.message) for p in cfg.problems]
    assert (
        str(tmp_path / "config"),
        10,
        "duplicate section [profile dev] at line 10, first defined at line 5",
    ) in messages


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"[default]\nregion = a\nREGION = b\n", 3),
        (b"[default]\nregion\n", 2),
        (b"# c\n\nregion = x\n[default]\n", 3),
        (b"\xef\xbb\xbf[default]\n", 1),
        (b"[default]\r\nregion = a\r\nx = \xff\r\n", 3),
        (b"[default]\n\n= v\n", 3),
        (b"[default]\nregion = a\ns3 =\n  a = b\n\n  # c\n  oops\n", 7),
        (b"[DEFAULT]\ns3 =\n  oops\n[profile a]\n", 3),
        (b"[default]\ns3 =\n  a = 1\n  b = 2\xe2\x80\xa8oops\n", 4),
    ],
    ids=[
        "duplicate-key",
        "no-delimiter",
        "before-section",
        "bom",
        "invalid-utf8",
        "empty-key",
        "nested-without-equals",
        "nested-in-default",
        "nested-unicode-line-break",
    ],
)
def test_problem_names_the_offending_line(
    data: bytes, line: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = check_files(tmp_path, monkeypatch, data, None)
    assert cfg.refused
    assert line in [p.line for p in cfg.problems], [str(p) for p in cfg.problems]


def test_whitespace_table_matches_isspace() -> None:
    """The parser's fast path decides 'indented' with a table: it must be str.isspace()."""
    import sys

    from rolecall.core.ini import _WHITESPACE

    every = frozenset(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert every == _WHITESPACE
