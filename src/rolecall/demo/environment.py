"""The demo's world while it runs: the local STS and SSO portal, ``os.environ``
pointed at a prepared ``HOME``, and the clean-up that puts everything back.

Whatever ends the demo (a normal exit, Ctrl+C, a signal turned into an
exception, a crash of the UI), both servers stop, ``os.environ`` is restored
exactly and the temporary ``HOME`` is deleted.  moto (and so boto3) is imported
only here, when the demo starts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from rolecall.demo.sample import (
    CACHED_ROLES,
    SSO_APPROVE_AFTER,
    cache_path,
    prepare_demo,
    private_dirs,
    read_root_keys,
    write_private,
)
from rolecall.demo.sso_portal import SsoPortal

__all__ = ["demo_environment"]


def _issue_cached_credentials(home: str, endpoint: str) -> None:
    """Replace the made-up cached keys with keys the local STS knows.

    Then ``whoami`` and a subshell on a cached profile show the assumed role, as
    they would against AWS.  The expirations are kept.  Best effort: on any
    failure the made-up keys stay.
    """
    import boto3  # moto has imported it already

    keys = read_root_keys(os.path.join(home, ".aws", "credentials"))
    if keys is None:
        return
    client = boto3.session.Session().client(
        "sts",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=keys[0],
        aws_secret_access_key=keys[1],
    )
    for role in CACHED_ROLES:
        path = cache_path(home, role)
        try:
            with open(path, encoding="utf-8") as fh:
                cached = json.load(fh)
            args: dict[str, Any] = dict(role.cache_args())
            args.setdefault("RoleSessionName", cached["AssumedRoleUser"]["Arn"].rsplit("/", 1)[1])
            response = client.assume_role(**args)
        except Exception:  # a demo nicety, never fatal
            continue
        creds = response["Credentials"]
        cached["Credentials"].update(
            AccessKeyId=creds["AccessKeyId"],
            SecretAccessKey=creds["SecretAccessKey"],
            SessionToken=creds["SessionToken"],
        )
        cached["AssumedRoleUser"] = {
            "AssumedRoleId": response["AssumedRoleUser"]["AssumedRoleId"],
            "Arn": response["AssumedRoleUser"]["Arn"],
        }
        write_private(path, json.dumps(cached) + "\n")


def _quiet_server_logs() -> None:
    """Keep werkzeug's request log off the terminal (it would draw over the UI)."""
    for name in ("werkzeug", "moto"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
        logger.setLevel(logging.CRITICAL)


class _Environ:
    """Sets variables in ``os.environ`` and puts back exactly what was there."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def _remember(self, key: str) -> None:
        if key not in self._saved:
            self._saved[key] = os.environ.get(key)

    def clear(self, predicate: Callable[[str], bool]) -> None:
        for key in [k for k in os.environ if predicate(k)]:
            self._remember(key)
            del os.environ[key]

    def update(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._remember(key)
            os.environ[key] = value

    def restore(self) -> None:
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved.clear()


def _is_aws_or_rolecall(key: str) -> bool:
    return key.startswith(("AWS_", "ROLECALL_"))


@contextlib.contextmanager
def demo_environment(
    home: str | None = None,
    *,
    now: dt.datetime | None = None,
    sso_logged_in: bool = False,
    sso_approve_after: float = SSO_APPROVE_AFTER,
) -> Iterator[dict[str, str]]:
    """Run the local STS and point ``os.environ`` at a prepared demo ``HOME``.

    The SSO session starts logged out (``sso_logged_in`` writes a token first);
    the local portal approves a login ``sso_approve_after`` seconds after it starts.

    Yields the environment of :func:`prepare_demo` (``HOME``, the file paths, the
    endpoint...), which is also set in ``os.environ`` while the block runs, with
    every other ``AWS_*`` and ``ROLECALL_*`` variable removed.  On exit the server
    stops, ``os.environ`` is restored and the demo ``HOME`` is deleted.

    ``home`` (default: a new ``tempfile.mkdtemp()``) must not exist yet, or be an
    empty directory; it is deleted on exit either way.
    """
    if home is None:
        home = tempfile.mkdtemp(prefix="rolecall-demo-")
    else:
        home = os.path.abspath(home)
        if os.path.exists(home) and os.listdir(home):
            raise FileExistsError(f"{home} is not empty; the demo deletes its HOME on exit")
        private_dirs(home)
    os.chmod(home, 0o700)
    environ = _Environ()
    server: Any = None
    portal: SsoPortal | None = None
    try:
        # HOME first: botocore (imported by moto) computes its cache paths at import.
        environ.clear(_is_aws_or_rolecall)
        environ.update({"HOME": home, "AWS_EC2_METADATA_DISABLED": "true"})
        from moto.server import ThreadedMotoServer

        _quiet_server_logs()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        portal = SsoPortal(
            endpoint, os.path.join(home, ".aws", "credentials"), approve_after=sso_approve_after
        )
        portal.start()
        env = prepare_demo(
            home, endpoint, sso_endpoint=portal.endpoint, now=now, sso_logged_in=sso_logged_in
        )
        environ.update(env)
        try:
            _issue_cached_credentials(home, endpoint)
        except Exception:  # the made-up keys still show countdowns
            pass
        yield dict(env)
    finally:
        try:
            if portal is not None:
                with contextlib.suppress(Exception):
                    portal.stop()
            if server is not None:
                _stop_server(server)
        finally:
            environ.restore()
            shutil.rmtree(home, ignore_errors=True)


def _stop_server(server: Any) -> None:
    with contextlib.suppress(Exception):
        server.stop()
    wsgi = getattr(server, "_server", None)
    if wsgi is not None:
        with contextlib.suppress(Exception):
            wsgi.server_close()
