"""The cache directories and files others could read or write (``rolecall doctor``)."""

from __future__ import annotations

import os
from pathlib import Path

from rolecall.core.cache import keys
from rolecall.core.cache_permissions import permission_problems


def test_permission_problems(isolated_env: Path) -> None:
    directory = Path(keys.cli_cache_dir())
    directory.mkdir(parents=True)
    assert permission_problems([str(directory)]) == []
    os.chmod(directory, 0o755)  # what the AWS CLI creates: fine
    assert permission_problems([str(directory)]) == []
    os.chmod(directory, 0o777)
    problems = permission_problems([str(directory)])
    assert any("writable by others" in p[1] for p in problems)
    os.chmod(directory, 0o700)
    (directory / "x.json").write_text("{}")
    os.chmod(directory / "x.json", 0o644)
    problems = permission_problems([str(directory)])
    assert any("readable by others" in p[1] for p in problems)
