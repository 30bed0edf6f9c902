"""What `rolecall env` and `rolecall credential-process` load on a cache hit.

``credential-process`` runs before every SDK process that uses it, so its cache
hit is the path kept cheap (bench/bench_sts.py measures it).  These tests run
the program as the console script does, in a fresh interpreter, and list what
it imported: rolecall's own modules exactly, and none of the costly ones
(argparse and what it loads, boto3, the UI, the settings...).  A new import on
this path must be added here on purpose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.sts_helpers import C, assumed_arn, cached_response, chain_profiles

from rolecall.cli import entry, program
from rolecall.core.cache import entries, keys
from rolecall.core.profiles import load_profiles

#: Every rolecall module a cache hit of `env` or `credential-process` may import.
ALLOWED_ROLECALL = {
    "rolecall",
    "rolecall.cli",
    "rolecall.cli.credentials",
    "rolecall.cli.files",
    "rolecall.cli.guarding",  # guarded profiles: one read of the settings file, no TOML parser
    "rolecall.cli.output",
    "rolecall.cli.program",
    "rolecall.cli.quick",
    "rolecall.cli.verb",
    "rolecall.core",
    "rolecall.core._record",
    "rolecall.core.cache",
    "rolecall.core.cache.binding",
    "rolecall.core.cache.entries",
    "rolecall.core.cache.json_files",
    "rolecall.core.cache.keys",
    "rolecall.core.cache.timestamps",
    "rolecall.core.cache.trust",
    "rolecall.core.config",
    "rolecall.core.diagnosis",  # (core.profiles split by job: the same code as before)
    "rolecall.core.fast_json",  # (json.loads and json.dumps without json, which imports re)
    "rolecall.core.guard",
    "rolecall.core.ini",
    "rolecall.core.limits",
    "rolecall.core.locations",
    "rolecall.core.printable",  # (the escaping rule of every printed line: imports nothing)
    "rolecall.core.profile",
    "rolecall.core.profiles",
    "rolecall.core.regular_file",  # (the guard rules: os, stat and errno only)
    "rolecall.core.routes",
    "rolecall.core.setting_rules",
    "rolecall.core.shell",
    "rolecall.core.sts",
    "rolecall.core.sts.context",
    "rolecall.core.sts.endpoints",
    "rolecall.core.sts.engine",
    "rolecall.core.sts.errors",
    "rolecall.core.sts.plan",
    "rolecall.core.sts.records",
}
#: Modules a cache hit must not pay for (each measured at a millisecond or more here,
#: or a sign that a path meant for a miss ran).
FORBIDDEN = {
    "argparse",
    "json",
    "datetime",
    "gettext",
    "locale",
    "shutil",
    "typing",
    "dataclasses",
    "inspect",
    "contextlib",
    "importlib.metadata",
    "logging",
    "random",
    "difflib",
    "subprocess",
    "threading",
    "tomllib",
    "tomlkit",
    "platformdirs",
    "boto3",
    "botocore",
    "textual",
    "rich",
    "rolecall.settings",
    "rolecall.core.cache.mfa_sessions",
    "rolecall.cli.parser",
    "rolecall.core.sts.chain",
    "rolecall.core.sts.clients",
    "rolecall.core.sts.calls",
    "rolecall.core.sts.classify",
    "rolecall.core.sts.classify_network",
    "rolecall.core.sts.lock",
    "rolecall.core.sts.root",
}

#: Runs the program as the console script does, and writes the modules it loaded.
#: (A hit ends with os._exit, which runs no atexit handler: both ways are caught.  The
#: probe imports no json of its own: one name a line.)
PROGRAM = """\
import atexit, os, sys
out = sys.argv.pop(1)
before = set(sys.modules)
def dump():
    with open(out, "w") as fh:
        fh.write("\\n".join(sorted(set(sys.modules) - before)))
atexit.register(dump)
real_exit = os._exit
def quick_exit(code):
    dump()
    real_exit(code)
os._exit = quick_exit
from rolecall.cli import entry
entry()
"""


@pytest.fixture
def cached(isolated_env: Path) -> Path:
    """A config whose three-hop profile ``c`` is in the CLI cache, fresh."""
    (isolated_env / ".aws").mkdir()
    (isolated_env / ".aws" / "config").write_text(
        chain_profiles("AKIAROLECALLTEST0001", "secret", "region = eu-west-1\n")
    )
    profiles = load_profiles()
    key = keys.cache_key_for(profiles["c"])
    assert key is not None
    expiration = datetime.now(UTC) + timedelta(hours=1)
    entries.write_entry(
        key,
        cached_response(
            expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            arn=assumed_arn(C),
            key_id="ASIACACHEDROLECALL01",
            secret="cachedSECRET",
            token="cachedTOKEN",
        ),
    )
    return isolated_env


def run_program(tmp_path: Path, *argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    out = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(out), *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    loaded = set(out.read_text().split()) if out.exists() else set()
    return proc, loaded


@pytest.mark.parametrize(
    "argv",
    [
        ["credential-process", "c"],
        ["env", "c"],
        ["env", "c", "--format", "json"],
        ["env", "--config=CONFIG", "c", "--format=fish"],
    ],
    ids=" ".join,
)
def test_a_cache_hit_imports_only_what_it_needs(
    cached: Path, tmp_path: Path, argv: list[str]
) -> None:
    argv = [a.replace("CONFIG", str(cached / ".aws" / "config")) for a in argv]
    proc, loaded = run_program(tmp_path, *argv)
    assert proc.returncode == 0, proc.stderr
    assert "ASIACACHEDROLECALL01" in proc.stdout and "cachedSECRET" in proc.stdout
    assert proc.stderr == ""
    ours = {m for m in loaded if m.split(".")[0] == "rolecall"}
    assert ours <= ALLOWED_ROLECALL, sorted(ours - ALLOWED_ROLECALL)
    # (the parts of the list that every hit needs: a list that no longer matches the
    # program is a list to update, not a pass)
    assert ALLOWED_ROLECALL - ours <= {"rolecall.core.shell"}, sorted(ALLOWED_ROLECALL - ours)
    if argv[0] == "credential-process":  # (no export formats to check or write)
        assert "rolecall.core.shell" not in ours
    forbidden = FORBIDDEN - {"json"} if "json" in argv else FORBIDDEN  # (--format json writes it)
    assert not loaded & forbidden, sorted(loaded & forbidden)


@pytest.mark.parametrize("verb", ["env", "credential-process"])
def test_a_hit_with_guard_rules_imports_no_json(
    cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verb: str
) -> None:
    """Guard rules in the settings: the first run keeps them parsed beside the file, and
    a hit of an unguarded profile then reads them back without json (and re's costs)."""
    config_dir = tmp_path / "rolecall-config"
    config_dir.mkdir()
    (config_dir / "config.toml").write_text('guard = ["*prod*"]\n')
    monkeypatch.setenv("ROLECALL_CONFIG_DIR", str(config_dir))
    first, _ = run_program(tmp_path, verb, "c")
    assert first.returncode == 0, first.stderr
    assert (config_dir / ".guard-rules.json").is_file()
    proc, loaded = run_program(tmp_path, verb, "c")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert "ASIACACHEDROLECALL01" in proc.stdout
    assert not loaded & FORBIDDEN, sorted(loaded & FORBIDDEN)


def test_credential_process_output_on_a_hit(cached: Path, tmp_path: Path) -> None:
    proc, _ = run_program(tmp_path, "credential-process", "c")
    doc = json.loads(proc.stdout)
    assert doc["Version"] == 1 and doc["AccessKeyId"] == "ASIACACHEDROLECALL01"
    assert doc["SessionToken"] == "cachedTOKEN" and doc["AccountId"] == "333333333333"


def test_a_miss_is_not_mistaken_for_a_hit(
    cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same program on a profile with no cache entry goes the whole way (here it
    fails fast: nothing listens at the STS endpoint), loading what a miss needs."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    monkeypatch.setenv("ROLECALL_STS_TIMEOUT", "2")
    proc, loaded = run_program(tmp_path, "credential-process", "b")
    assert proc.returncode == 1
    assert proc.stderr.startswith("rolecall: cannot reach STS at http://127.0.0.1:9")
    assert {"botocore", "rolecall.core.sts.chain", "rolecall.settings"} <= loaded


@pytest.mark.parametrize("verb", ["env", "credential-process"])
def test_a_hit_ends_without_the_teardown(
    cached: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    verb: str,
) -> None:
    """After a hit the process ends with os._exit (once the output is flushed); a
    failed assume ends the normal way."""

    class QuickExit(Exception):
        pass

    def fake_exit(code: int) -> None:
        raise QuickExit(code)

    monkeypatch.setattr(os, "_exit", fake_exit)
    monkeypatch.setattr(program, "_keep_until_exit", None)  # (restored after the test)
    monkeypatch.setattr(sys, "argv", ["rolecall", verb, "c"])
    with pytest.raises(QuickExit) as quick:
        entry()
    assert quick.value.args == (0,)
    assert "ASIACACHEDROLECALL01" in capsys.readouterr().out
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    monkeypatch.setenv("ROLECALL_STS_TIMEOUT", "2")
    monkeypatch.setattr(sys, "argv", ["rolecall", verb, "b"])  # b is not cached
    with pytest.raises(SystemExit) as normal:
        entry()
    assert normal.value.code == 1


@pytest.mark.parametrize("verb", ["env", "credential-process"])
def test_a_hit_reads_its_cache_entry_once(
    cached: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], verb: str
) -> None:
    """The hit is found once: deciding whether the settings are needed reads no entry
    of its own (they are read only when STS is called)."""
    reads: list[str] = []
    real = entries.read_role_entry

    def counted(key: str, role_arn: str, directory: str | None = None) -> object:
        reads.append(key)
        return real(key, role_arn, directory)

    monkeypatch.setattr(entries, "read_role_entry", counted)
    assert program.main([verb, "c"]) == 0
    assert "ASIACACHEDROLECALL01" in capsys.readouterr().out
    assert len(reads) == 1, reads
