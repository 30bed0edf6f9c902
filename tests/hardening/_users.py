"""Another user on the machine, for the tests where one is the attacker (issue 14 §3).

The tests run as root here.  :func:`intruder` creates (once) a system user
``rolecall-intruder`` and a group ``rolecall-team`` it belongs to; the attacker's
steps run as that user with ``setpriv`` (its uid, its groups, no capabilities), in
the system Python (the test's venv lives under /root, which the intruder cannot
enter).  Where that cannot be done (not root, no ``useradd`` or ``setpriv``, as on
a CI runner that is not root), the tests that need it are skipped, with the reason.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass

__all__ = ["INTRUDER", "TEAM", "Intruder", "intruder", "why_no_intruder"]

INTRUDER = "rolecall-intruder"
TEAM = "rolecall-team"
#: the interpreter the intruder runs (the venv's is under /root, 0700)
SYSTEM_PYTHON = "/usr/bin/python3"


@dataclass(frozen=True)
class Intruder:
    """The other user: its ids, and how to run a command as it."""

    name: str
    uid: int
    gid: int
    team_gid: int

    def argv(self, *command: str) -> list[str]:
        """``command`` run as the intruder (its own group and the team, no capabilities)."""
        setpriv = shutil.which("setpriv")
        assert setpriv is not None
        return [
            setpriv,
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            f"--groups={self.team_gid}",
            "--inh-caps=-all",
            "--bounding-set=-all",
            *command,
        ]

    def python(self, code: str, *args: str) -> list[str]:
        """The system Python running ``code`` as the intruder."""
        return self.argv(SYSTEM_PYTHON, "-c", code, *args)


def why_no_intruder() -> str | None:
    """Why no other user can be had here (None: one can)."""
    if os.geteuid() != 0:
        return "needs root to create another user (CI runs as a normal user: skipped)"
    for tool in ("useradd", "groupadd", "usermod", "setpriv"):
        if shutil.which(tool) is None:
            return f"no {tool} on this machine"
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return f"no {SYSTEM_PYTHON} for the other user to run"
    return None


def _run(*argv: str) -> None:
    subprocess.run(argv, capture_output=True, timeout=60, check=False)


def intruder() -> Intruder | None:
    """The other user (created the first time), or None when there cannot be one."""
    if why_no_intruder() is not None:
        return None
    try:
        grp.getgrnam(TEAM)
    except KeyError:
        _run("groupadd", "--system", TEAM)  # (a concurrent worker may win: fine)
    try:
        pwd.getpwnam(INTRUDER)
    except KeyError:
        _run(
            "useradd",
            "--system",
            "--no-create-home",
            "--user-group",
            "--shell",
            "/usr/sbin/nologin",
            INTRUDER,
        )
    try:
        user = pwd.getpwnam(INTRUDER)
        team = grp.getgrnam(TEAM)
    except KeyError:
        return None
    if INTRUDER not in team.gr_mem:
        _run("usermod", "--append", "--groups", TEAM, INTRUDER)
        if INTRUDER not in grp.getgrnam(TEAM).gr_mem:
            return None
    return Intruder(INTRUDER, user.pw_uid, user.pw_gid, team.gr_gid)
