"""The environment of a child served by the endpoint, and how the endpoint wins in it.

The container provider comes late in every SDK's chain: after the environment
keys, and after the profile (botocore: the shared credentials file, the
config's keys, roles, SSO and ``credential_process``; the Go, JS v3 and Java v2
SDKs likewise).  With no ``AWS_PROFILE``, that profile is ``[default]``, so a
``[default]`` with static keys would silently win over the endpoint.

So the child gets ``AWS_PROFILE=rolecall-endpoint``: a profile with no
credential setting of its own, which every profile-based provider passes by,
so that each chain reaches the container provider.  botocore (and the other
SDKs) refuse an ``AWS_PROFILE`` that names no profile, so the profile must exist
in the config they read: the child's ``AWS_CONFIG_FILE`` is a copy of the
user's config with that one section added (:class:`ConfigCopy`, 0600 in a 0700
directory of its own, removed when the child exits).  ``aws --profile other``
keeps working because every other profile is in the copy too.

Why this way: it needs nothing from the user's files (they are never written),
it works for every SDK that honours ``AWS_PROFILE`` and ``AWS_CONFIG_FILE``
(botocore and the AWS CLI v1 and v2, Go v1/v2, JS v2/v3, Java v2), and the
only thing it can get wrong is a copy older than the config.  The copy is kept
in step: the parent looks at the user's config twice a second and writes the
copy again (atomically) when it changed.

rolecall itself, run in the shell (`rolecall assume X`, `rolecall profile add`,
the TUI), must read and edit the user's real config, never the copy: the child
gets ``ROLECALL_USER_AWS_CONFIG_FILE`` and :func:`restore_user_files` (called
first thing by the command line) puts it back.

The variables removed from the child are those that would win over the
endpoint: the three key variables, ``AWS_DEFAULT_PROFILE``, a relative
container URI or token file (botocore prefers them), and web identity
variables.  ``~/.boto`` (botocore's legacy ``BotoProvider``) is not masked.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

from rolecall.core.regular_file import read_regular

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping, MutableMapping

__all__ = [
    "COPY_ENV",
    "ENDPOINT_PROFILE",
    "MASKED",
    "PROFILE_ENV",
    "USER_CONFIG_ENV",
    "ConfigCopy",
    "endpoint_env",
    "restore_user_files",
    "runtime_dir",
]

#: The profile the child's SDKs use (a number is added if the user has one of that name).
ENDPOINT_PROFILE = "rolecall-endpoint"
#: In the child: the user's own config file, which rolecall reads instead of the copy.
USER_CONFIG_ENV = "ROLECALL_USER_AWS_CONFIG_FILE"
#: In the child: the copy's path (``AWS_CONFIG_FILE`` is restored only when it is this).
COPY_ENV = "ROLECALL_ENDPOINT_CONFIG"
#: In the child: the endpoint profile's name (``AWS_PROFILE`` is dropped when it is this).
PROFILE_ENV = "ROLECALL_ENDPOINT_PROFILE"

#: Variables that would win over the endpoint in some SDK's chain.
MASKED = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CREDENTIAL_FILE",
)
#: How often the parent looks for a change in the user's config (seconds).
SYNC_INTERVAL = 0.5


def runtime_dir() -> str:
    """Where endpoint directories go: ``$XDG_RUNTIME_DIR/rolecall`` when that is the
    user's own private directory, else ``run/`` in rolecall's cache directory."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isabs(base):
        try:
            st = os.stat(base)
        except OSError:
            st = None
        if st is not None and st.st_uid == os.getuid() and not st.st_mode & 0o077:
            return os.path.join(base, "rolecall")
    from rolecall.core.cache.keys import rolecall_cache_dir

    return os.path.join(rolecall_cache_dir(), "run")


def _user_config(environ: Mapping[str, str]) -> str:
    """The config file the child's SDKs would read (as botocore expands it)."""
    path = environ.get("AWS_CONFIG_FILE") or "~/.aws/config"
    return os.path.abspath(os.path.expanduser(os.path.expandvars(path)))


def _user_credentials(environ: Mapping[str, str]) -> str:
    path = environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
    return os.path.abspath(os.path.expanduser(os.path.expandvars(path)))


def _read(path: str) -> bytes:
    try:
        return read_regular(path) or b""
    except OSError:  # a directory, a FIFO, unreadable: no profiles from it (as botocore)
        return b""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _remove_stale(parent: str) -> None:
    """Remove the directories of endpoints whose rolecall died without cleaning up."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if len(parts) < 3 or parts[0] != "endpoint" or not parts[1].isdigit():
            continue
        if not _pid_alive(int(parts[1])):
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)


class ConfigCopy:
    """The user's AWS config with the endpoint profile added, kept in step with it.

    ``make()`` creates a private directory (0700) with the copy (0600); ``sync()``
    writes it again when the user's config changed; ``remove()`` deletes both.
    """

    def __init__(self, environ: Mapping[str, str], region: str | None) -> None:
        self.user_config = _user_config(environ)
        self.user_credentials = _user_credentials(environ)
        self.region = region
        self.profile = ENDPOINT_PROFILE
        self.directory = ""
        self.path = ""
        self._stamp: tuple[object, ...] | None = None

    def make(self) -> str:
        """Create the directory and the copy; returns the copy's path."""
        from rolecall.core import fsutil

        parent = runtime_dir()
        fsutil.ensure_private_dir(parent)
        _remove_stale(parent)
        self.directory = tempfile.mkdtemp(prefix=f"endpoint-{os.getpid()}-", dir=parent)
        os.chmod(self.directory, 0o700)
        self.path = os.path.join(self.directory, "config")
        taken = _read(self.user_config) + b"\n" + _read(self.user_credentials)
        n = 1
        while self.profile.encode() in taken:
            n += 1
            self.profile = f"{ENDPOINT_PROFILE}-{n}"
        self.sync(force=True)
        return self.path

    def _user_stamp(self) -> tuple[object, ...]:
        try:
            st = os.stat(self.user_config)
        except OSError:
            return (None,)
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def text(self, user: bytes) -> bytes:
        """The copy: the user's config as it is, then the endpoint profile.

        >>> c = ConfigCopy({"AWS_CONFIG_FILE": "/nonexistent"}, "eu-west-1")
        >>> print(c.text(b"[default]\\nregion = us-east-1").decode())
        [default]
        region = us-east-1
        <BLANKLINE>
        # added by rolecall: the credentials of this profile come from its endpoint
        [profile rolecall-endpoint]
        region = eu-west-1
        <BLANKLINE>
        """
        section = (
            "\n# added by rolecall: the credentials of this profile come from its endpoint\n"
            f"[profile {self.profile}]\n"
        )
        if self.region:
            section += f"region = {self.region}\n"
        head = user if not user or user.endswith(b"\n") else user + b"\n"
        return head + section.encode("utf-8")

    def sync(self, force: bool = False) -> bool:
        """Write the copy again when the user's config changed; True when written."""
        if not self.path:
            return False
        stamp = self._user_stamp()
        if not force and stamp == self._stamp:
            return False
        from rolecall.core import fsutil

        data = self.text(_read(self.user_config))
        try:
            fsutil.atomic_write(self.path, data, 0o600, follow_symlinks=False)
        except OSError:
            return False  # (the directory went away: nothing to keep in step)
        self._stamp = stamp
        return True

    def remove(self) -> None:
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = self.path = ""


def endpoint_env(
    base: Mapping[str, str],
    *,
    url: str,
    token: str,
    profile: str,
    region: str | None,
    copy: ConfigCopy,
) -> dict[str, str]:
    """``base`` for a child served by the endpoint at ``url``: no key variables,
    the container variables, the endpoint profile and its config copy, the
    region and ``ROLECALL_PROFILE``."""
    env = dict(base)
    for key in MASKED:
        env.pop(key, None)
    env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = url
    env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token
    env["AWS_PROFILE"] = copy.profile
    env["AWS_CONFIG_FILE"] = copy.path
    env[USER_CONFIG_ENV] = copy.user_config
    env[COPY_ENV] = copy.path
    env[PROFILE_ENV] = copy.profile
    if region:
        env["AWS_REGION"] = region
        env["AWS_DEFAULT_REGION"] = region
    env["ROLECALL_PROFILE"] = profile
    return env


def restore_user_files(environ: MutableMapping[str, str]) -> None:
    """In a child of the endpoint, point ``AWS_CONFIG_FILE`` back at the user's own
    config and drop the endpoint's ``AWS_PROFILE``: rolecall reads and edits the
    real files.  Does nothing elsewhere, or when the user changed them."""
    copy = environ.get(COPY_ENV)
    if not copy:
        return
    user = environ.get(USER_CONFIG_ENV)
    if user and environ.get("AWS_CONFIG_FILE") == copy:
        environ["AWS_CONFIG_FILE"] = user
    endpoint_profile = environ.get(PROFILE_ENV)
    if endpoint_profile and environ.get("AWS_PROFILE") == endpoint_profile:
        del environ["AWS_PROFILE"]
    for key in (COPY_ENV, USER_CONFIG_ENV, PROFILE_ENV):
        with contextlib.suppress(KeyError):
            del environ[key]
