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

One module a job: ``sample`` (the files and cached credentials the demo writes),
``sso_portal`` (the local IAM Identity Center stand-in), ``environment`` (the
servers and ``os.environ`` while the demo runs, and the clean-up) and
``command`` (``rolecall demo`` itself: the UI, or the instructions and a wait).
"""

from __future__ import annotations

from rolecall.demo.command import run_demo
from rolecall.demo.environment import demo_environment
from rolecall.demo.sample import (
    CACHED_ROLES,
    DEMO_ACCESS_KEY_ID,
    DEMO_PROFILES,
    SSO_ACCESS_TOKEN,
    SSO_REGION,
    SSO_SESSION,
    SSO_START_URL,
    CachedRole,
    cli_cache_key,
    prepare_demo,
)

__all__ = [
    "CACHED_ROLES",
    "DEMO_ACCESS_KEY_ID",
    "DEMO_PROFILES",
    "SSO_ACCESS_TOKEN",
    "SSO_REGION",
    "SSO_SESSION",
    "SSO_START_URL",
    "CachedRole",
    "cli_cache_key",
    "demo_environment",
    "prepare_demo",
    "run_demo",
]
