"""``rolecall demo``: the whole app with no AWS account.

It starts an embedded STS (moto's ``ThreadedMotoServer`` on 127.0.0.1, on a free
port), writes a sample config into a temporary ``HOME`` and points this process
at both, then opens the terminal UI.  Nothing of the user's own ``~/.aws`` is
read or written: ``HOME``, ``AWS_CONFIG_FILE``, ``AWS_SHARED_CREDENTIALS_FILE``,
``ROLECALL_CONFIG_DIR`` and ``ROLECALL_CACHE_DIR`` all point into the temporary
``HOME``, every other ``AWS_*`` variable is cleared, and ``AWS_ENDPOINT_URL``
(and ``AWS_ENDPOINT_URL_STS``) send every AWS call to the local server.  moto has
no IAM Identity Center portal, so a second small local server answers the SSO
profile's ``GetRoleCredentials`` (``AWS_ENDPOINT_URL_SSO``) with keys that the
local STS issues.  When the demo stops, normally or not (Ctrl+C, SIGTERM,
SIGHUP, an exception), both servers are stopped and the temporary ``HOME`` is
deleted.

The sample files are in ``rolecall/data/`` (``demo-config``, ``demo-credentials``
and ``demo-settings.toml``); :func:`prepare_demo` also writes an SSO token and
a few role credentials into the caches, so that countdowns show at once.

``prepare_demo`` and ``demo_environment`` are reused by the tests and by the
screenshot script.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.server
import importlib
import json
import logging
import os
import re
import shlex
import shutil
import signal
import sys
import tempfile
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from types import FrameType
from typing import Any

from rolecall.core.fsutil import ensure_private_dir

__all__ = [
    "CACHED_ROLES",
    "DEMO_ACCESS_KEY_ID",
    "DEMO_PROFILES",
    "SSO_SESSION",
    "cli_cache_key",
    "demo_environment",
    "prepare_demo",
    "run_demo",
]

#: The static keys of ``demo-root`` (fake; moto does not check them by default).
#: The secret is only ever read from the credentials file, never printed.
DEMO_ACCESS_KEY_ID = "AKIADEMOROLECALL0001"
ROOT_PROFILE = "demo-root"
SSO_SESSION = "demo-sso"
SSO_START_URL = "https://d-9067a1b2c3.awsapps.com/start"
SSO_REGION = "eu-west-1"
SSO_TOKEN_LIFETIME = dt.timedelta(hours=4)
SSO_ACCOUNT_ID = "143256789014"
SSO_ACCESS_TOKEN = "rolecall-demo-sso-access-token"
SSO_ROLE_NAME = "PowerUserAccess"
SSO_CREDENTIALS_SECONDS = 3600
#: The role behind the SSO permission set, as AWS names it (used to issue keys).
SSO_ROLE_ARN = (
    f"arn:aws:iam::{SSO_ACCOUNT_ID}:role/aws-reserved/sso.amazonaws.com/"
    "AWSReservedSSO_PowerUserAccess_2f8e1c3b4a5d6e7f"
)

#: Profile name -> what it demonstrates (the README and the tests use it).
DEMO_PROFILES: dict[str, str] = {
    "demo-root": "static keys: the root of every chain",
    "dev": "one hop; cached credentials that expire about 10 minutes after the start",
    "staging-readonly": "one hop with duration_seconds; cached credentials live ~45 minutes",
    "prod-admin": 'MFA-protected admin (any 6 digits), shown as "[prod] admin" in red',
    "partner-readonly": "an external-ID role; its cached credentials have expired",
    "org-hub": "hop 1 of the 3-hop chain",
    "shared-services": "hop 2 of the 3-hop chain",
    "audit": "a 3-hop chain: demo-root -> org-hub -> shared-services -> audit",
    "sso-dev": "IAM Identity Center (SSO) with a cached token valid ~4 hours",
    "cycle-a": "a source_profile cycle (with cycle-b)",
    "cycle-b": "a source_profile cycle (with cycle-a)",
    "broken-arn": "a role ARN with an 11-digit account ID",
}


@dataclass(frozen=True)
class CachedRole:
    """A role whose credentials the demo puts in the AWS CLI cache."""

    profile: str
    role_arn: str
    expires_in: dt.timedelta
    duration_seconds: int | None = None
    external_id: str | None = None
    role_session_name: str | None = None

    def cache_args(self) -> dict[str, object]:
        """The AssumeRole arguments that make up the CLI's cache key."""
        args: dict[str, object] = {"RoleArn": self.role_arn}
        if self.role_session_name is not None:
            args["RoleSessionName"] = self.role_session_name
        if self.external_id is not None:
            args["ExternalId"] = self.external_id
        if self.duration_seconds is not None:
            args["DurationSeconds"] = self.duration_seconds
        return args


CACHED_ROLES: tuple[CachedRole, ...] = (
    CachedRole(
        "staging-readonly",
        "arn:aws:iam::527364018843:role/ReadOnly",
        dt.timedelta(minutes=45),
        duration_seconds=3600,
    ),
    CachedRole(
        "dev",
        "arn:aws:iam::318457902611:role/Developer",
        dt.timedelta(minutes=10),
    ),
    CachedRole(
        "partner-readonly",
        "arn:aws:iam::962837415560:role/PartnerReadOnly",
        dt.timedelta(minutes=-20),
        external_id="rolecall-demo-7f3a9c2e",
    ),
)

#: Shown as an ``unset`` line for another terminal (the demo itself clears every AWS_*).
_UNSET_HINT = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


def cli_cache_key(args: dict[str, object]) -> str:
    """The AWS CLI's cache file name (without ``.json``) for these AssumeRole arguments.

    >>> cli_cache_key({"RoleArn": "arn:aws:iam::123456789012:role/R"})[:8]
    'c03ce438'
    """
    return hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()


def _data(name: str) -> str:
    return (resources.files("rolecall") / "data" / name).read_text(encoding="utf-8")


def _private_dirs(path: str) -> None:
    """Create ``path`` and each missing parent with mode 0700 (not only the last one)."""
    missing: list[str] = []
    while not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for directory in reversed(missing):
        ensure_private_dir(directory)


def _write(path: str, text: str) -> None:
    """Create (or replace) a private file, 0600, in a 0700 directory."""
    _private_dirs(os.path.dirname(path))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def _iso_z(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fake_keys(seed: str) -> dict[str, str]:
    digest = hashlib.sha1(seed.encode("utf-8")).hexdigest().upper()
    return {
        "AccessKeyId": "ASIA" + digest[:16],
        "SecretAccessKey": "demo/" + digest[:35],
        "SessionToken": "FQoGZXIvYXdzEDemoSessionToken" + digest,
    }


def _fake_role_response(role: CachedRole, expiration: dt.datetime) -> dict[str, Any]:
    """An AssumeRole response as the AWS CLI caches it, with made-up keys."""
    account = role.role_arn.split(":")[4]
    role_name = role.role_arn.rsplit("/", 1)[-1]
    digest = hashlib.sha1(role.role_arn.encode()).hexdigest().upper()
    issued = expiration - dt.timedelta(seconds=role.duration_seconds or 3600)
    session = role.role_session_name or f"botocore-session-{int(issued.timestamp())}"
    return {
        "Credentials": {
            **_fake_keys(role.role_arn),
            "Expiration": _iso_z(expiration),
            "AccountId": account,
        },
        "AssumedRoleUser": {
            "AssumedRoleId": f"AROA{digest[16:32]}:{session}",
            "Arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}",
        },
        "ResponseMetadata": {"HTTPStatusCode": 200, "RetryAttempts": 0},
    }


def _cache_path(home: str, role: CachedRole) -> str:
    return os.path.join(home, ".aws", "cli", "cache", cli_cache_key(role.cache_args()) + ".json")


def prepare_demo(
    home: str,
    endpoint: str,
    *,
    sso_endpoint: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """Write the demo's files under ``home`` and return the environment to use them.

    Written (files 0600, directories 0700):

    * ``~/.aws/config`` and ``~/.aws/credentials`` (from ``rolecall/data``);
    * ``~/.aws/sso/cache/<sha1("demo-sso")>.json``, a token valid for 4 hours;
    * ``~/.aws/cli/cache/<key>.json`` for each of :data:`CACHED_ROLES`, with
      made-up keys (:func:`demo_environment` replaces them with keys issued by
      the local STS);
    * rolecall's ``config.toml`` (display names, colours, a favourite).

    ``endpoint`` is the local STS (``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_STS``);
    ``sso_endpoint``, when given, the local SSO portal (``AWS_ENDPOINT_URL_SSO``).
    ``now`` (default: the current time) anchors every expiry, for screenshots.
    The returned mapping holds no secret.
    """
    now = dt.datetime.now(dt.UTC) if now is None else now
    home = os.path.abspath(home)
    _private_dirs(home)
    aws = os.path.join(home, ".aws")
    config_file = os.path.join(aws, "config")
    credentials_file = os.path.join(aws, "credentials")
    config_dir = os.path.join(home, ".config", "rolecall")
    cache_dir = os.path.join(home, ".cache", "rolecall")

    _write(config_file, _data("demo-config"))
    _write(credentials_file, _data("demo-credentials"))

    token = {
        "startUrl": SSO_START_URL,
        "region": SSO_REGION,
        "accessToken": SSO_ACCESS_TOKEN,
        "expiresAt": _iso_z(now + SSO_TOKEN_LIFETIME),
    }
    sso_name = hashlib.sha1(SSO_SESSION.encode("utf-8")).hexdigest() + ".json"
    _write(os.path.join(aws, "sso", "cache", sso_name), json.dumps(token, indent=2) + "\n")

    for role in CACHED_ROLES:
        response = _fake_role_response(role, now + role.expires_in)
        _write(_cache_path(home, role), json.dumps(response) + "\n")
    _write(os.path.join(config_dir, "config.toml"), _data("demo-settings.toml"))
    _private_dirs(cache_dir)
    # zsh asks new users to configure it when ~/.zshrc is missing: not in a demo subshell.
    _write(os.path.join(home, ".zshrc"), "# rolecall demo\n")

    env = {
        "HOME": home,
        "AWS_CONFIG_FILE": config_file,
        "AWS_SHARED_CREDENTIALS_FILE": credentials_file,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_STS": endpoint,
    }
    if sso_endpoint is not None:
        env["AWS_ENDPOINT_URL_SSO"] = sso_endpoint
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["ROLECALL_CONFIG_DIR"] = config_dir
    env["ROLECALL_CACHE_DIR"] = cache_dir
    return env


def _read_root_keys(credentials_file: str) -> tuple[str, str] | None:
    """The demo-root keys, read from the demo's own credentials file."""
    from rolecall.core.config import read_document

    doc = read_document(credentials_file)
    if doc is None:
        return None
    values = doc.raw_values().get(ROOT_PROFILE, {})
    key, secret = values.get("aws_access_key_id"), values.get("aws_secret_access_key")
    if isinstance(key, str) and isinstance(secret, str):
        return key, secret
    return None


def _issue_cached_credentials(home: str, endpoint: str) -> None:
    """Replace the made-up cached keys with keys the local STS knows.

    Then ``whoami`` and a subshell on a cached profile show the assumed role, as
    they would against AWS.  The expirations are kept.  Best effort: on any
    failure the made-up keys stay.
    """
    import boto3  # moto has imported it already

    keys = _read_root_keys(os.path.join(home, ".aws", "credentials"))
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
        path = _cache_path(home, role)
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
        _write(path, json.dumps(cached) + "\n")


class _SsoPortal:
    """A local stand-in for the IAM Identity Center portal (moto has none).

    It answers ``GetRoleCredentials`` (``GET /federation/credentials``) for the
    demo's SSO token with keys that the local STS issues, for the role
    ``AWSReservedSSO_<role_name>_...`` in the requested account, as AWS does.
    Any other token gets ``UnauthorizedException``; any other call, a 404.
    """

    def __init__(self, sts_endpoint: str, credentials_file: str) -> None:
        self._sts_endpoint = sts_endpoint
        self._credentials_file = credentials_file
        self._client: Any = None
        self._lock = threading.Lock()
        portal = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                headers_in = {k.lower(): v for k, v in self.headers.items()}
                status, headers, body = portal.handle(self.path, headers_in)
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # never draw over the UI

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="rolecall-demo-sso",
            daemon=True,
        )

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _sts(self) -> Any:
        with self._lock:
            if self._client is None:
                import boto3

                keys = _read_root_keys(self._credentials_file) or (DEMO_ACCESS_KEY_ID, "x")
                self._client = boto3.session.Session().client(
                    "sts",
                    endpoint_url=self._sts_endpoint,
                    region_name="us-east-1",
                    aws_access_key_id=keys[0],
                    aws_secret_access_key=keys[1],
                )
            return self._client

    def handle(self, path: str, headers: Mapping[str, str]) -> _Reply:
        """The status, extra headers and JSON body for one GET (``headers`` lowercased)."""
        url = urllib.parse.urlsplit(path)
        if url.path != "/federation/credentials":
            return _sso_error(404, "ResourceNotFoundException", "not supported by the demo")
        if headers.get("x-amz-sso_bearer_token") != SSO_ACCESS_TOKEN:
            return _sso_error(401, "UnauthorizedException", "Session token not found or invalid")
        query = urllib.parse.parse_qs(url.query)
        role = (query.get("role_name") or [""])[0]
        account = (query.get("account_id") or [""])[0]
        if not re.fullmatch(r"\d{12}", account) or not re.fullmatch(r"[\w+=,.@-]{1,32}", role):
            return _sso_error(400, "InvalidRequestException", "bad role_name or account_id")
        arn = (
            f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/"
            f"AWSReservedSSO_{role}_2f8e1c3b4a5d6e7f"
        )
        try:
            response = self._sts().assume_role(
                RoleArn=arn, RoleSessionName="demo-user", DurationSeconds=SSO_CREDENTIALS_SECONDS
            )
        except Exception as exc:
            return _sso_error(500, "InternalServerException", type(exc).__name__)
        creds = response["Credentials"]
        expiration: dt.datetime = creds["Expiration"]
        body = {
            "roleCredentials": {
                "accessKeyId": creds["AccessKeyId"],
                "secretAccessKey": creds["SecretAccessKey"],
                "sessionToken": creds["SessionToken"],
                "expiration": int(expiration.timestamp() * 1000),
            }
        }
        return 200, {}, body


_Reply = tuple[int, dict[str, str], dict[str, Any]]


def _sso_error(status: int, code: str, message: str) -> _Reply:
    return status, {"x-amzn-ErrorType": code}, {"message": message}


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
    home: str | None = None, *, now: dt.datetime | None = None
) -> Iterator[dict[str, str]]:
    """Run the local STS and point ``os.environ`` at a prepared demo ``HOME``.

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
        _private_dirs(home)
    os.chmod(home, 0o700)
    environ = _Environ()
    server: Any = None
    portal: _SsoPortal | None = None
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
        portal = _SsoPortal(endpoint, os.path.join(home, ".aws", "credentials"))
        portal.start()
        env = prepare_demo(home, endpoint, sso_endpoint=portal.endpoint, now=now)
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


# ---------------------------------------------------------------------------
# rolecall demo
# ---------------------------------------------------------------------------
def _env_lines(env: dict[str, str]) -> list[str]:
    lines = ["unset " + " ".join(_UNSET_HINT)]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in env.items()]
    return lines


def _print_instructions(env: dict[str, str]) -> None:
    out = sys.stdout
    home = env["HOME"]
    out.write(
        f"rolecall demo: a local STS is listening on {env['AWS_ENDPOINT_URL_STS']}\n"
        f"rolecall demo: the sample files are in {home} (deleted when the demo stops)\n"
        "\n"
        "To try the command line, paste these lines into another terminal:\n"
        "\n"
    )
    for line in _env_lines(env):
        out.write(line + "\n")
    out.write(
        "\n"
        "then, for example:\n"
        "\n"
        "  rolecall list\n"
        "  rolecall                                      # the terminal UI\n"
        "  aws sts get-caller-identity --profile audit   # a 3-hop chain\n"
        "\n"
        "Profiles:\n"
    )
    width = max(len(name) for name in DEMO_PROFILES)
    for name, what in DEMO_PROFILES.items():
        out.write(f"  {name.ljust(width)}  {what}\n")
    if _in_background():
        out.write(f"\nThe demo runs in the background: stop it with `kill {os.getpid()}`.\n")
    else:
        out.write("\nPress Ctrl+C (or Ctrl+D) here to stop the demo.\n")
    out.flush()


def _in_background() -> bool:
    """Whether stdin is a terminal that belongs to another process group
    (`rolecall demo --no-tui &`): reading it would stop the demo (SIGTTIN)."""
    stdin = sys.stdin
    try:
        fd = stdin.fileno()
        return os.isatty(fd) and os.tcgetpgrp(fd) != os.getpgrp()
    except (OSError, ValueError, AttributeError):
        return False


def _wait_for_eof_or_interrupt() -> None:
    """Block until stdin reaches end of file (Ctrl+D, or closed) or Ctrl+C.

    A background job does not read the terminal (the shell would stop it, and
    its STS with it): it runs until a signal (``kill``, or ``fg`` then Ctrl+C).
    """
    stdin = sys.stdin
    if stdin is None or stdin.closed:
        return
    if _in_background():
        while True:
            signal.pause()
    try:
        fd = stdin.fileno()
    except (OSError, ValueError, AttributeError):
        return
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return
        if not chunk:
            return


def _load_tui() -> Callable[..., int] | None:
    try:
        module = importlib.import_module("rolecall.tui")
        run: Callable[..., int] = module.run
    except (ImportError, AttributeError) as exc:
        sys.stderr.write(
            f"rolecall demo: the terminal UI is not available ({exc}); "
            "printing the demo's environment instead\n"
        )
        return None
    return run


class _Terminated(BaseException):
    """SIGTERM or SIGHUP: unwind (and clean up) like Ctrl+C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _terminate_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception, so that ``finally`` blocks run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise _Terminated(signum)

    previous: dict[int, Any] = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[sig] = signal.signal(sig, handler)
        except (OSError, ValueError):
            pass
    try:
        yield
    finally:
        for signum, old in previous.items():
            with contextlib.suppress(OSError, ValueError, TypeError):
                signal.signal(signum, old)


def run_demo(no_tui: bool = False) -> int:
    """``rolecall demo [--no-tui]``: returns the exit code."""
    home = ""
    try:
        with _terminate_on_signals(), demo_environment() as env:
            home = env["HOME"]
            run = None if no_tui else _load_tui()
            if run is not None:
                return run(config=None, credentials=None)
            _print_instructions(env)
            _wait_for_eof_or_interrupt()
    except KeyboardInterrupt:
        sys.stderr.write(f"\nrolecall demo: stopped; deleted {home or 'its files'}\n")
        return 0
    except _Terminated as exc:
        sys.stderr.write(f"rolecall demo: terminated; deleted {home or 'its files'}\n")
        return 128 + exc.signum
    gone = "deleted" if not os.path.exists(home) else "could not delete"
    sys.stdout.write(f"rolecall demo: stopped; {gone} {home}\n")
    sys.stdout.flush()
    return 0
