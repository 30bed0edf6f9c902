"""A short, deterministic run of the config fuzzer (the long one is
``scripts/fuzz_config.py``).

2,000 input pairs of one fixed seed, generated from the grammar in ``ini_gen``
and mutated from ``tests/core/corpus``, in eight slices so that pytest-xdist
spreads them.  Each goes through ``fuzz_check.check_pair``: no exception
escapes, ``render(parse(x)) == x``, the same values as botocore or both refuse,
the profile model's invariants, and botocore's credential providers refuse no
profile rolecall finds nothing wrong with.

The same checks also run under hypothesis (same grammar), so that a failure
there shrinks to a small pair of files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from tests.core.fuzz_check import FuzzFailure, check_pair, load_corpus, make_input
from tests.core.ini_strategies import aws_files, mutated

from rolecall.core import profiles
from rolecall.core.ini import IniDocument, Values

SEED = 20240
COUNT = 2000
SLICES = 8


@pytest.mark.parametrize("part", range(SLICES))
def test_fuzz_slice(part: int, tmp_path: Path) -> None:
    corpus = load_corpus()
    donors = [data for pair in corpus for data in pair if data]
    size = COUNT // SLICES
    failures: list[str] = []
    refused = profiles = chain_refusals = 0
    for index in range(part * size, (part + 1) * size):
        config, credentials = make_input(SEED, index, corpus, donors)
        try:
            verdict = check_pair(config, credentials, tmp_path)
        except FuzzFailure as failure:
            failures.append(
                f"seed {SEED} index {index}: {failure.kind}\n"
                f"  config={config!r}\n  credentials={credentials!r}\n  {failure.detail}"
            )
            continue
        refused += verdict.refused
        profiles += verdict.profiles
        chain_refusals += verdict.chain_refusals
    assert not failures, (
        f"{len(failures)} failing input(s); replay one with "
        "`python scripts/fuzz_config.py --seed S --count N` and add it to "
        "tests/fuzz_regressions/:\n" + "\n".join(failures[:5])
    )
    # the generator still makes both kinds of files, and chains that botocore refuses
    assert 0.2 * size < refused < 0.8 * size, refused
    assert profiles > size
    assert chain_refusals > 0


HYPOTHESIS = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(files=aws_files())
def test_profile_model_generated(files: tuple[bytes | None, bytes | None], tmp_path: Path) -> None:
    check_pair(*files, tmp_path)


@HYPOTHESIS
@given(files=mutated(aws_files()))
def test_profile_model_mutated(files: tuple[bytes | None, bytes | None], tmp_path: Path) -> None:
    check_pair(*files, tmp_path)


# -- the oracle catches planted bugs ---------------------------------------------


def test_oracle_catches_a_lossy_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(IniDocument, "render", lambda self: self.text.encode().rstrip())
    with pytest.raises(FuzzFailure) as info:
        check_pair(b"[default]\nregion = x\n", None, tmp_path)
    assert info.value.kind == "round-trip"


def test_oracle_catches_a_wrong_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = IniDocument.raw_values

    def lowercase(self: IniDocument, *, shared: bool = False) -> dict[str, Values]:
        return {
            name: {k: v.lower() if isinstance(v, str) else v for k, v in values.items()}
            for name, values in real(self, shared=shared).items()
        }

    monkeypatch.setattr(IniDocument, "raw_values", lowercase)
    with pytest.raises(FuzzFailure) as info:
        check_pair(b"[default]\nregion = EU\n", None, tmp_path)
    assert info.value.kind == "raw-values-differ"


def test_oracle_catches_a_missed_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profiles, "_own_problems", lambda *args: [])
    with pytest.raises(FuzzFailure) as info:
        check_pair(b"[profile p]\ncredential_process =\n", None, tmp_path)
    assert info.value.kind == "chain-refusal-unflagged:IndexError"


def test_oracle_catches_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: profiles.Profile) -> dict[str, object]:
        raise KeyError("planted")

    monkeypatch.setattr(profiles.Profile, "to_json", boom)
    with pytest.raises(FuzzFailure) as info:
        check_pair(b"[default]\nregion = x\n", None, tmp_path)
    assert info.value.kind.startswith("crash:to_json:KeyError")
