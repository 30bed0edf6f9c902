"""Another user on the machine cannot stall or steer rolecall (issue 14 §3, and §2's
group member who renames cache entries).

The victim is this test process's user (root here) with a HOME under /tmp that
others can traverse, laid out as the AWS CLI leaves it under umask 022
(``~/.aws`` and its cache 0755).  The attacker is a real other user
(``tests/hardening/_users.py``), its steps run with ``setpriv``.  Each attack is
played first; the test fails on the code before the fix:

* it holds ``flock`` on ``~/.aws/cli/cache``, ``~/.aws`` and ``~``: an assume that
  missed the cache waited 60 s, ``profile add`` failed after 10 s;
* it renames the victim's prod entry onto dev's key in a cache its group can
  write: ``exec dev`` ran with prod's credentials;
* it replaces ``~/.aws/config`` in a ``~/.aws`` that rolecall created 0777 under
  umask 000: rolecall ran the attacker's ``credential_process``.

The umask test needs no other user; it runs everywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolecall.core.cache import keys as cache_keys
from tests.hardening._users import Intruder, intruder, why_no_intruder
from tests.hardening._util import (
    BASE_KEY,
    CONFIG,
    assert_clean_success,
    assert_one_line_failure,
    run,
)
from tests.moto_fixtures import StsProxy
from tests.sts_helpers import A, C

ARN = "arn:aws:iam::123456789012:role/New"

#: Run by the intruder: take an exclusive flock on each path given, say so, wait.
HOLD = """\
import fcntl, os, sys, time
fds = []
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    fds.append(fd)
print("held", flush=True)
time.sleep(300)
"""


@pytest.fixture
def other() -> Intruder:
    reason = why_no_intruder()
    if reason is not None:
        pytest.skip(reason)
    user = intruder()
    if user is None:
        pytest.skip("could not create the other user")
    return user


@pytest.fixture
def victim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A HOME others can traverse (0755, under /tmp), with every rolecall and AWS path
    in it as its defaults (no ROLECALL_* or XDG_* override)."""
    home = Path(tempfile.mkdtemp(prefix="rolecall-victim-", dir="/tmp"))
    home.chmod(0o755)
    for name in ("ROLECALL_CACHE_DIR", "ROLECALL_CONFIG_DIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _aws_cli_layout(home: Path, config: str = CONFIG) -> Path:
    """``~/.aws`` as ``aws configure`` and the CLI leave it under umask 022."""
    aws = home / ".aws"
    (aws / "cli" / "cache").mkdir(parents=True)
    for level in (aws, aws / "cli", aws / "cli" / "cache"):
        level.chmod(0o755)
    path = aws / "config"
    path.write_text(config)
    path.chmod(0o600)
    return path


def _hold(user: Intruder, *paths: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        user.python(HOLD, *map(str, paths)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert holder.stdout is not None
    line = holder.stdout.readline()
    if line.strip() != "held":
        holder.kill()
        pytest.fail(f"the other user could not take the locks: {holder.communicate()[1]}")
    return holder


# ---------------------------------------------------------------------------
# locks
# ---------------------------------------------------------------------------
def test_another_user_cannot_stall_an_assume(
    victim: Path, other: Intruder, sts_proxy: StsProxy, sts_endpoint: str
) -> None:
    _aws_cli_layout(victim)
    aws = victim / ".aws"
    holder = _hold(other, victim, aws, aws / "cli", aws / "cli" / "cache")
    try:
        start = time.monotonic()
        res = run("assume", "a", timeout=45)  # (it waited 60 s for the other user)
        elapsed = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    assert_clean_success(res)
    assert sts_proxy.count("AssumeRole") == 1
    assert elapsed < 20, elapsed
    assert "lock" not in res.stderr


def test_another_user_cannot_make_profile_add_fail(victim: Path, other: Intruder) -> None:
    cfg = _aws_cli_layout(victim)
    holder = _hold(other, victim, victim / ".aws")
    try:
        res = run("profile", "add", "new", "--role-arn", ARN, "--source-profile", "base")
    finally:
        holder.kill()
        holder.wait()
    assert_clean_success(res)  # (it failed after 10 s: "another rolecall is still editing")
    assert res.elapsed < 8, res.elapsed
    assert "[profile new]" in cfg.read_text()


def test_the_lock_files_are_the_users_own(
    victim: Path, other: Intruder, sts_proxy: StsProxy, sts_endpoint: str
) -> None:
    _aws_cli_layout(victim)
    assert_clean_success(run("assume", "a"))
    assert_clean_success(
        run("profile", "add", "new", "--role-arn", ARN, "--source-profile", "base")
    )
    locks = victim / ".cache" / "rolecall" / "locks"
    assert stat.S_IMODE(locks.stat().st_mode) == 0o700
    files = sorted(locks.iterdir())
    assert len(files) == 2, files
    for path in files:
        st = path.lstat()
        assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600, path
        assert st.st_uid == os.getuid()
    # the other user can open none of them (so it can hold none of them)
    probe = (
        "import os, sys\n"
        "for p in sys.argv[1:]:\n"
        "    try:\n"
        "        os.close(os.open(p, os.O_RDONLY))\n"
        "        print('opened', p)\n"
        "    except PermissionError:\n"
        "        print('denied', p)\n"
    )
    out = subprocess.run(
        other.python(probe, *map(str, files)), capture_output=True, text=True, timeout=30
    )
    assert out.stdout.split().count("denied") == 2, out.stdout + out.stderr


def test_a_wait_for_the_lock_names_the_holder(
    victim: Path, sts_proxy: StsProxy, sts_endpoint: str
) -> None:
    """rolecall's own lock, held by another rolecall: after a moment, one line that says
    which process holds it; the edit lock gives up after its timeout naming it too."""
    _aws_cli_layout(victim)
    hold = (
        "import sys, time\n"
        "from rolecall.core import fsutil\n"
        "with fsutil.locked_dir(sys.argv[1], purpose=sys.argv[2]):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(float(sys.argv[3]))\n"
    )
    cache_dir = cache_keys.cli_cache_dir()
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, cache_dir, "assuming prod", "4"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    res = run("assume", "a", timeout=60)
    holder.wait(30)
    assert_clean_success(res)
    waits = [line for line in res.stderr.splitlines() if "waiting for" in line]
    assert len(waits) == 1, res.stderr
    assert f"pid {holder.pid} (assuming prod)" in waits[0]


# ---------------------------------------------------------------------------
# a group member renames cache entries
# ---------------------------------------------------------------------------
def test_a_group_member_renaming_prods_entry_onto_devs_key(
    victim: Path, other: Intruder, sts_proxy: StsProxy, sts_endpoint: str
) -> None:
    _aws_cli_layout(victim)
    cache_dir = victim / ".aws" / "cli" / "cache"
    os.chown(cache_dir, -1, other.team_gid)
    cache_dir.chmod(0o775)  # a cache the team can write (umask 002, a shared group)
    assert_clean_success(run("assume", "c"))  # caches a, b and c (c is "prod")
    prod = cache_dir / f"{cache_keys.cache_key(C)}.json"
    dev = cache_dir / f"{cache_keys.cache_key(A)}.json"
    prod_key = json.loads(prod.read_text())["Credentials"]["AccessKeyId"]
    rename = "import os, sys\nos.replace(sys.argv[1], sys.argv[2])\n"
    done = subprocess.run(
        other.python(rename, str(prod), str(dev)), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    res = run("exec", "--env-keys", "a", "--", "printenv", "AWS_ACCESS_KEY_ID")
    assert_clean_success(res)
    assert res.stdout.strip() != prod_key  # (it ran as prod, silently)
    warnings = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and str(dev) in warnings[0], res.stderr
    assert "assumed-role/C/" in warnings[0] and A in warnings[0]


def test_a_file_the_other_user_planted_is_not_used(
    victim: Path, other: Intruder, sts_proxy: StsProxy, sts_endpoint: str
) -> None:
    _aws_cli_layout(victim)
    cache_dir = victim / ".aws" / "cli" / "cache"
    os.chown(cache_dir, -1, other.team_gid)
    cache_dir.chmod(0o775)
    entry = cache_dir / f"{cache_keys.cache_key(A)}.json"
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    planted = {
        "Credentials": {
            "AccessKeyId": "ASIAPLANTEDBYOTHER01",
            "SecretAccessKey": "plantedSECRET",
            "SessionToken": "plantedTOKEN",
            "Expiration": later,
        },
        "AssumedRoleUser": {"Arn": "arn:aws:sts::111111111111:assumed-role/A/me"},
    }
    write = "import sys\nopen(sys.argv[1], 'w').write(sys.argv[2])\n"
    done = subprocess.run(
        other.python(write, str(entry), json.dumps(planted)),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    res = run("env", "a")
    assert_clean_success(res)
    assert "ASIAPLANTEDBYOTHER01" not in res.stdout
    assert f"is owned by uid {other.uid}" in res.stderr


# ---------------------------------------------------------------------------
# config files and directories others can write
# ---------------------------------------------------------------------------
def test_a_config_replaced_in_a_world_writable_aws_dir_is_refused(
    victim: Path, other: Intruder
) -> None:
    """The attack of issue 14: ``~/.aws`` made 0777 (rolecall under umask 000, before
    the fix); the other user replaces the config with a credential_process of theirs."""
    aws = victim / ".aws"
    aws.mkdir()
    aws.chmod(0o777)
    pwned = victim / "PWNED"
    evil = f"[profile evil]\ncredential_process = /bin/sh -c 'touch {pwned}; exit 1'\n"
    replace = (
        "import os, sys\n"
        "open(sys.argv[1] + '.new', 'w').write(sys.argv[2])\n"
        "os.replace(sys.argv[1] + '.new', sys.argv[1])\n"
    )
    done = subprocess.run(
        other.python(replace, str(aws / "config"), evil), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for verb in (["assume", "evil"], ["env", "evil"], ["credential-process", "evil"], ["list"]):
        line = assert_one_line_failure(run(*verb))
        assert str(aws / "config") in line, line
    assert not pwned.exists()


@pytest.mark.parametrize(
    "setup",
    [
        "config owned by the other user",
        "config writable by everyone",
        "config writable by the team",
        "aws dir owned by the other user",
        "aws dir writable by everyone",
        "aws dir writable by the team",
        "credentials writable by the team",
        "config symlinked into a dir the team can write",
    ],
)
def test_files_others_can_write_are_refused(victim: Path, other: Intruder, setup: str) -> None:
    cfg = _aws_cli_layout(victim)
    aws = cfg.parent
    cred = aws / "credentials"
    cred.write_text(f"[base]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = x\n")
    cred.chmod(0o600)
    target = {"config": cfg, "aws": aws, "credentials": cred}[setup.split(" ")[0]]
    if setup.startswith("config symlinked"):
        shared = victim / "shared"
        shared.mkdir()
        os.chown(shared, -1, other.team_gid)
        shared.chmod(0o775)
        real = shared / "config"
        cfg.rename(real)
        cfg.symlink_to(real)
        target = shared  # (the file is the user's own; where it is is not)
    elif setup.endswith("owned by the other user"):
        os.chown(target, other.uid, -1)
    elif setup.endswith("by everyone"):
        target.chmod(target.stat().st_mode | 0o002)
    else:
        os.chown(target, -1, other.team_gid)
        target.chmod(target.stat().st_mode | 0o020)
    before = cfg.read_bytes()
    for verb in (
        ["list"],
        ["env", "base"],
        ["profile", "add", "x", "--role-arn", ARN, "--source-profile", "base"],
    ):
        line = assert_one_line_failure(run(*verb))
        assert "other" in line or "everyone" in line or "group" in line, line
    assert cfg.read_bytes() == before
    doctor = run("doctor")
    assert doctor.returncode == 1
    assert "Traceback" not in doctor.stderr
    assert any(
        line.startswith("problem") and "not reading" in line and f"{target} is" in line
        for line in doctor.stdout.splitlines()
    ), doctor.stdout


def test_root_and_a_private_group_are_fine(victim: Path) -> None:
    """As ssh decides for ~/.ssh (with Debian's rule for per-user groups): a file or
    directory owned by root, or group-writable by a group whose only member is the
    user, is no one else's to write."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give a directory to root")
    cfg = _aws_cli_layout(victim)
    own_group = os.getgid()  # root's group: no member but root here
    os.chown(cfg.parent, 0, own_group)
    cfg.parent.chmod(0o775)
    cfg.chmod(0o664)
    res = run("list")
    assert_clean_success(res)
    assert "base" in res.stdout


# ---------------------------------------------------------------------------
# umask 000: every level rolecall creates is 0700 (no other user needed)
# ---------------------------------------------------------------------------
def test_umask_000_every_level_created_is_private(
    victim: Path, sts_proxy: StsProxy, sts_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", BASE_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "hardeningBASEsecret/0000000000000000000000")
    umask0 = ["/bin/sh", "-c", 'umask 000 && exec "$@"', "sh"]
    add = run(
        "profile",
        "add",
        "dev",
        "--role-arn",
        A,
        "--credential-source",
        "Environment",
        prefix=umask0,
    )
    assert_clean_success(add)
    assert_clean_success(run("assume", "dev", prefix=umask0))
    made = [Path(root) / d for root, dirs, _ in os.walk(victim) for d in dirs]
    files = [Path(root) / f for root, _, names in os.walk(victim) for f in names]
    names = {str(p.relative_to(victim)) for p in made}
    assert {".aws", ".aws/cli", ".aws/cli/cache", ".cache", ".cache/rolecall"} <= names
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
