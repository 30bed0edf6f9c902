"""Test modules are imported by their base name (pytest's default rootdir mode),
so two test files with one name in different folders break collection on a clean
clone. This keeps every name unique."""

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).parent


def test_every_test_module_has_a_name_of_its_own() -> None:
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
