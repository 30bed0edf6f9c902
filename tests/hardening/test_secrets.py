"""Secrets (issue 5, section 5), CLI side.

* One test assumes roles through every CLI path, collects every secret access key
  and session token handed out, and scans everything else for them: the output of
  every verb but ``env`` and ``credential-process``, error lines, exception
  messages and reprs, the argv of every process on the machine while ``exec``
  runs, a ``shell`` session, ``config.bak``, the settings file, and every other
  file under HOME outside the two credential caches.
* File modes: the caches are 0700 with 0600 files, the settings file is 0600.
* A world-writable cache directory, a cache file owned by another user, or a
  symlinked cache file is refused with one warning line and not trusted: it is a
  miss, and it is not written into.
* ``exec`` and ``shell`` leave nothing in the parent's environment.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from rolecall.core import sts
from rolecall.core.cache import entries, keys
from rolecall.core.profiles import load_profiles
from tests.hardening._util import (
    BASE_SECRET,
    CONFIG,
    assert_clean_success,
    assert_one_line_failure,
    fresh_response,
    run,
)
from tests.moto_fixtures import StsProxy
from tests.sts_helpers import A

PROC_ARGV = (
    "for f in /proc/[0-9]*/cmdline; do tr '\\000' ' ' < \"$f\" 2>/dev/null; echo; done; "
    "echo PARENT: $(ps -o args= -p $PPID)"
)


@pytest.fixture
def aws_config(sts_endpoint: str) -> str:
    """``home``'s config; the tests that use it talk to moto's STS."""
    return CONFIG


def _cached_secrets() -> set[str]:
    out = set()
    for directory in (keys.cli_cache_dir(), keys.mfa_cache_dir()):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            creds = json.loads(Path(directory, name).read_text())["Credentials"]
            out |= {creds["SecretAccessKey"], creds["SessionToken"]}
    return out


def test_no_secret_leaks_from_any_cli_path(home: Path, sts_proxy: StsProxy) -> None:
    scanned: dict[str, str] = {}  # what must not hold a secret, by where it came from
    handed_out: set[str] = {BASE_SECRET}

    def scan(res: object, label: str) -> None:
        scanned[f"{label} stdout"] = res.stdout  # type: ignore[attr-defined]
        scanned[f"{label} stderr"] = res.stderr  # type: ignore[attr-defined]

    # -- role credentials through every verb ---------------------------------
    for args in (
        ("assume", "a"),
        ("assume", "b", "--json"),
        ("assume", "c", "--no-cache"),
        ("assume", "mfa1", "--mfa-code", "123456"),
        ("list",),
        ("list", "--json"),
    ):
        res = run(*args)
        assert_clean_success(res)
        scan(res, " ".join(args))
    for args in (("env", "b", "--format", "json"), ("env", "a", "--format", "json")):
        res = run(*args)
        assert_clean_success(res)
        env_doc = json.loads(res.stdout)
        handed_out |= {env_doc["AWS_SECRET_ACCESS_KEY"], env_doc["AWS_SESSION_TOKEN"]}
    res = run("credential-process", "c")
    assert_clean_success(res)
    doc = json.loads(res.stdout)
    handed_out |= {doc["SecretAccessKey"], doc["SessionToken"]}

    # exec: the argv of every process while the child runs (rolecall's own included)
    res = run("exec", "b", "--", "sh", "-c", PROC_ARGV)
    assert_clean_success(res)
    assert "PARENT: " in res.stdout and "rolecall exec b" in res.stdout
    scan(res, "exec argv")

    # shell, in a real terminal
    env = dict(os.environ, SHELL="/bin/sh", PS1="PROMPT$ ", TERM="dumb")
    child = pexpect.spawn(
        sys.executable, ["-m", "rolecall", "shell", "a"], env=env, encoding="utf-8", timeout=30
    )
    transcript = io.StringIO()
    child.logfile_read = transcript
    child.expect("type `exit` to leave")
    child.sendline('echo "inside=$ROLECALL_PROFILE"; ' + PROC_ARGV.replace("$PPID", "$$"))
    child.expect("inside=a")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    scanned["shell session"] = transcript.getvalue()
    assert "left the a shell" in scanned["shell session"]
    assert "rolecall shell a" in scanned["shell session"]  # the argv dump ran

    # doctor, with live credentials exported in its environment
    creds_env = dict(os.environ)
    creds_env.update(
        AWS_ACCESS_KEY_ID=doc["AccessKeyId"],
        AWS_SECRET_ACCESS_KEY=doc["SecretAccessKey"],
        AWS_SESSION_TOKEN=doc["SessionToken"],
        AWS_CREDENTIAL_EXPIRATION=doc["Expiration"],
        AWS_PROFILE="a",
    )
    res = run("doctor", env=creds_env)
    assert "Traceback" not in res.stderr
    scan(res, "doctor")

    # -- errors ----------------------------------------------------------------
    errors = [
        ("assume", "nope"),
        ("assume", "mfa1", "--no-cache"),  # an MFA session exists: but b below fails
        ("exec", "b", "--", "no-such-command-hardening"),
        ("profile", "add", "x", "--role-arn", "not-an-arn", "--source-profile", "a"),
    ]
    for argv in errors:
        scan(run(*argv), "error " + " ".join(argv))
    sts_proxy.fail(
        "AssumeRole",
        "ExpiredToken",
        "The security token included in the request is expired",
        match={"RoleArn": "arn:aws:iam::333333333333:role/C"},
    )
    res = run("assume", "c", "--no-cache")
    assert_one_line_failure(res, 1)
    scan(res, "error expired mid-chain")

    # -- exception messages and reprs, in process -------------------------------
    profiles = load_profiles()
    sts_proxy.fail("AssumeRole", "AccessDenied", "not allowed", match={"RoleArn": A})
    with pytest.raises(sts.AssumeError) as caught:
        sts.assume(profiles, "a", use_cache=False)
    scanned["AssumeError str"] = str(caught.value)
    scanned["AssumeError repr"] = repr(caught.value)
    events: list[sts.ProgressEvent] = []
    result = sts.assume(profiles, "c", progress=events.append)
    scanned["AssumeResult repr"] = repr(result) + repr(result.credentials) + str(result.to_json())
    scanned["progress"] = "\n".join(f"{e.message} {e.hint}" for e in events)
    entry = entries.read_entry(keys.cache_key(A))
    scanned["CacheEntry repr"] = repr(entry)

    # -- files: config.bak, settings, and everything else under HOME ------------
    assert_clean_success(
        run("profile", "add", "extra", "--role-arn", A, "--source-profile", "base")
    )
    assert_clean_success(run("profile", "remove", "extra"))
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from rolecall.settings import load_settings, set_display, toggle_favorite\n"
            "s = load_settings(); toggle_favorite(s, 'b'); set_display(s, 'a', 'Prod A', 'red')",
        ],
        check=True,
        timeout=60,
    )
    settings_file = Path(os.environ["ROLECALL_CONFIG_DIR"]) / "config.toml"
    bak = home / ".aws" / "config.bak"
    assert settings_file.exists() and bak.exists()
    caches = (Path(keys.cli_cache_dir()), Path(keys.mfa_cache_dir()))
    for path in home.rglob("*"):
        if path.is_file() and not any(c in path.parents for c in caches):
            scanned[f"file {path}"] = path.read_bytes().decode("utf-8", "replace")
    assert not list(home.rglob("*.log"))  # rolecall keeps no log

    handed_out |= _cached_secrets()
    # the base secret, then a secret and a token for a, b, c, mfa1 and the MFA session
    assert len(handed_out) == 11, len(handed_out)
    for label, text in scanned.items():
        for secret in handed_out:
            if secret == BASE_SECRET and label.startswith(f"file {home / '.aws' / 'config'}"):
                continue  # the user's own key lives in the config (and so in config.bak)
            assert secret not in text, f"a secret in {label}"
    # the key ids may appear masked, never the secret halves
    assert scanned["doctor stdout"].count(doc["AccessKeyId"]) == 0


def test_file_modes(home: Path) -> None:
    os.umask(0o022)
    assert_clean_success(run("assume", "c"))
    assert_clean_success(run("assume", "mfa1", "--mfa-code", "123456"))
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import rolecall.settings as s; s.set_theme(s.load_settings(), 'x')",
        ],
        check=True,
        timeout=60,
    )
    assert_clean_success(
        run("profile", "add", "extra", "--role-arn", A, "--source-profile", "base")
    )

    def mode(path: str | Path) -> int:
        return stat.S_IMODE(os.stat(path).st_mode)

    for directory in (keys.cli_cache_dir(), keys.rolecall_cache_dir(), keys.mfa_cache_dir()):
        assert mode(directory) == 0o700, directory
    files = [*Path(keys.cli_cache_dir()).iterdir(), *Path(keys.mfa_cache_dir()).iterdir()]
    assert len(files) == 5  # a, b, c, the MFA role, and the MFA session
    for path in files:
        assert mode(path) == 0o600, path
    settings = Path(os.environ["ROLECALL_CONFIG_DIR"])
    assert mode(settings) == 0o700
    assert mode(settings / "config.toml") == 0o600
    assert mode(home / ".aws" / "config.bak") == 0o600
    assert mode(home / ".aws" / "config") == 0o600  # its own mode, kept


def _warning_only(res: object) -> str:
    assert res.returncode == 0, res.stderr  # type: ignore[attr-defined]
    lines = [line for line in res.stderr.splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    assert lines[0].startswith("rolecall: warning: "), lines
    return str(lines[0])


@pytest.mark.parametrize("verb", ["assume", "credential-process", "env"])
def test_world_writable_cache_dir_is_not_trusted(
    home: Path, sts_proxy: StsProxy, verb: str
) -> None:
    directory = Path(keys.cli_cache_dir())
    directory.mkdir(parents=True)
    planted = directory / f"{keys.cache_key(A)}.json"
    planted.write_text(json.dumps(fresh_response("ASIAPLANTEDBYSOMEONE")))
    planted.chmod(0o600)
    directory.chmod(0o777)
    before = planted.read_bytes()
    res = run(verb, "a")
    line = _warning_only(res)
    assert f"{directory} is writable by everyone (mode 0777): not using it" in line
    assert "ASIAPLANTEDBYSOMEONE" not in res.stdout
    assert sts_proxy.count("AssumeRole") == 1  # a miss: STS was asked
    assert sorted(p.name for p in directory.iterdir()) == [planted.name]  # nothing written
    assert planted.read_bytes() == before
    doctor = run("doctor")
    assert f"the cache directory {directory} is writable by others" in doctor.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_cache_file_owned_by_another_user_is_not_trusted(home: Path, sts_proxy: StsProxy) -> None:
    directory = Path(keys.cli_cache_dir())
    assert_clean_success(run("assume", "a"))
    entry = directory / f"{keys.cache_key(A)}.json"
    os.chown(entry, 65534, 65534)
    before = entry.read_bytes()
    res = run("assume", "a")
    line = _warning_only(res)
    assert f"the cache file {entry} is owned by uid 65534, not you: not using it" in line
    assert "source   sts" in res.stdout
    assert sts_proxy.count("AssumeRole") == 2
    assert entry.read_bytes() == before and entry.stat().st_uid == 65534  # not written into
    assert "owned by another user" in run("doctor").stdout


def test_symlinked_cache_file_is_not_followed(
    home: Path, sts_proxy: StsProxy, tmp_path: Path
) -> None:
    directory = Path(keys.cli_cache_dir())
    directory.mkdir(parents=True, mode=0o700)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(fresh_response("ASIAVIAASYMLINK00001")))
    link = directory / f"{keys.cache_key(A)}.json"
    link.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    res = run("assume", "a")
    line = _warning_only(res)
    assert "is not a regular file: not using it" in line
    assert sts_proxy.count("AssumeRole") == 1
    assert link.is_symlink() and elsewhere.read_bytes() == before


def test_world_writable_mfa_cache_is_not_trusted(home: Path, sts_proxy: StsProxy) -> None:
    assert_clean_success(run("assume", "mfa1", "--mfa-code", "123456"))
    Path(keys.rolecall_cache_dir()).chmod(0o777)
    res = run("assume", "mfa1", "--no-cache", "--mfa-code", "123456")
    line = _warning_only(res)
    assert "is writable by everyone" in line
    assert sts_proxy.count("GetSessionToken") == 2  # the MFA session was not reused
    assert len(list(Path(keys.mfa_cache_dir()).iterdir())) == 1  # nor replaced


def test_exec_and_shell_leave_the_parents_environment_alone(
    home: Path,
    sts_proxy: StsProxy,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from rolecall.cli import main

    monkeypatch.setenv("SHELL", "/bin/true")
    before = dict(os.environ)
    assert main(["exec", "a", "--", "true"]) == 0
    assert dict(os.environ) == before
    assert main(["shell", "a"]) == 0
    assert dict(os.environ) == before
    assert main(["credential-process", "a"]) == 0
    assert dict(os.environ) == before
    capfd.readouterr()
    # and as processes, from a parent shell: its environment is the same afterwards
    rc = f"{sys.executable} -m rolecall"
    script = (
        "env | sort > before; "
        f"{rc} exec a -- sh -c 'test -n \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\"' || exit 9; "
        f"SHELL=/bin/sh {rc} shell a </dev/null 2>/dev/null || exit 8; "
        "env | sort > after; diff before after && echo same"
    )
    proc = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=60, cwd=str(home)
    )
    assert proc.stdout.strip() == "same", proc.stdout + proc.stderr
