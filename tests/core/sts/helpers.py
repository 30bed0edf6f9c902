"""What the STS engine tests share: the config they assume from, and ``run``/``fail``.

The config is the three-hop chain of ``tests/sts_helpers.py`` (``base`` -> ``a``
-> ``b`` -> ``c``, ``c`` asking for 7200 s), plus a role from the environment,
MFA roles, an external id, a 900-second role and a source loop.  The fixture
``chain_home`` (``conftest.py``) writes it and points STS at moto.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from tests.moto_fixtures import StsProxy
from tests.sts_helpers import LOOP_PROFILES, A, chain_profiles, mfa_profile

from rolecall.core import sts
from rolecall.core.profiles import ProfileSet, load_profiles

__all__ = [
    "BASE_KEY",
    "BASE_SECRET",
    "CONFIG",
    "ENV_KEY",
    "ENV_SECRET",
    "MFA",
    "add_config",
    "fail",
    "run",
    "signing_key",
]

BASE_KEY = "AKIAROLECALLTEST0001"
BASE_SECRET = "rolecallTESTsecret/0000000000000000000000"
ENV_KEY = "AKIAROLECALLENVKEY01"
ENV_SECRET = "rolecallENVsecret/00000000000000000000000"
MFA = "arn:aws:iam::000000000000:mfa/me"

CONFIG = "\n".join(
    [
        chain_profiles(BASE_KEY, BASE_SECRET, "duration_seconds = 7200\n"),
        f"""\
[profile envrole]
role_arn = {A}
credential_source = Environment
role_session_name = env-session
""",
        mfa_profile(MFA),
        f"""\
[profile mfa2]
role_arn = arn:aws:iam::111111111111:role/M2
source_profile = base
mfa_serial = {MFA}

[profile mfa-deep]
role_arn = arn:aws:iam::111111111111:role/Deep
source_profile = a
mfa_serial = {MFA}

[profile ext]
role_arn = arn:aws:iam::444444444444:role/Ext
source_profile = base
external_id = ext-id-42

[profile short]
role_arn = arn:aws:iam::555555555555:role/Short
source_profile = base
duration_seconds = 900
""",
        LOOP_PROFILES,
    ]
)


def add_config(home: Path, text: str) -> None:
    """Append ``text`` (dedented) to the test's ``~/.aws/config``."""
    path = home / ".aws" / "config"
    path.write_text(path.read_text() + "\n" + textwrap.dedent(text))


def run(
    name: str, profiles: ProfileSet | None = None, **kw: Any
) -> tuple[sts.AssumeResult, list[sts.ProgressEvent]]:
    """``sts.assume(name)``, with the events it reported."""
    events: list[sts.ProgressEvent] = []
    result = sts.assume(profiles or load_profiles(), name, progress=events.append, **kw)
    return result, events


def fail(name: str, **kw: Any) -> tuple[sts.AssumeError, list[sts.ProgressEvent]]:
    """``sts.assume(name)``, which must fail with one line that holds no secret."""
    events: list[sts.ProgressEvent] = []
    with pytest.raises(sts.AssumeError) as info:
        sts.assume(load_profiles(), name, progress=events.append, **kw)
    err = info.value
    assert events and events[-1].kind == "failed"
    assert events[-1].message == err.message
    text = str(err)
    assert "\n" not in text
    for secret in (BASE_SECRET, ENV_SECRET):
        assert secret not in text and secret not in repr(err)
    return err, events


def signing_key(proxy: StsProxy, action: str, index: int = 0) -> str:
    """The access key id that signed the ``index``-th ``action`` call."""
    auth = proxy.calls(action)[index].authorization
    return auth.split("Credential=")[1].split("/")[0]
