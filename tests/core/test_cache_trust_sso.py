"""rolecall's own SSO verbs use a token only when it is of the session's portal
(issue 14 §2): another portal's token, renamed onto the session's key by anyone
who can write ``~/.aws/sso/cache``, is a miss with one warning."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests import sso_helpers as h

from rolecall.core.cache import trust
from rolecall.core.sso import session as sso_session
from rolecall.core.sso.token import read_token

CORP = sso_session.SsoSession(h.SESSION, h.START_URL, h.REGION)


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    saved = list(trust.warnings_seen)
    trust.warnings_seen.clear()
    yield
    trust.warnings_seen[:] = saved


def _token(start_url: str | None) -> dict[str, object]:
    doc: dict[str, object] = {"accessToken": "tok", "expiresAt": "2099-01-01T00:00:00Z"}
    if start_url is not None:
        doc["startUrl"] = start_url
    return doc


def test_a_token_of_the_sessions_portal_is_read(isolated_env: Path) -> None:
    h.write_token(_token(h.START_URL))
    token = read_token(CORP)
    assert token is not None and token.access_token == "tok"
    assert trust.warnings_seen == []


@pytest.mark.parametrize("start_url", ["https://other.awsapps.com/start", None])
def test_a_token_of_another_portal_is_a_miss(isolated_env: Path, start_url: str | None) -> None:
    path = h.write_token(_token(start_url))
    assert read_token(CORP) is None
    [warning] = trust.warnings_seen
    assert str(path) in warning and "not using it" in warning


def test_a_refresh_that_cannot_have_the_lock_names_its_holder(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SSO refresh's lock is rolecall's own lock file (issue 14 §3); when another
    rolecall keeps it, the refusal says which process (no service is called)."""
    import os

    from rolecall.core import fsutil
    from rolecall.core.sso import login
    from rolecall.core.sso.errors import SsoError

    refreshable = {
        "expiresAt": "2020-01-01T00:00:00Z",
        "refreshToken": "r",
        "clientId": "c",
        "clientSecret": "s",
        "registrationExpiresAt": "2099-01-01T00:00:00Z",
    }
    h.write_token({**_token(h.START_URL), **refreshable})
    monkeypatch.setattr(login, "LOCK_TIMEOUT", 0.2)
    directory = os.path.dirname(CORP.token_path)
    with (
        fsutil.locked_dir(directory, purpose="refreshing elsewhere"),
        pytest.raises(SsoError) as info,
    ):
        login.valid_token(CORP)
    assert f"pid {os.getpid()} (refreshing elsewhere)" in str(info.value)


def test_the_ui_shows_no_expiry_for_another_portals_token(isolated_env: Path) -> None:
    """The table's countdown (core.expiries) follows what an assume uses: a token of
    another portal under the session's key is not this session's login."""
    from tests.moto_fixtures import write_aws_files
    from tests.sts_helpers import sso_profile

    from rolecall.core.expiries import expiries
    from rolecall.core.profiles import load_profiles

    write_aws_files(isolated_env, sso_profile("dev"))
    h.write_token(_token("https://other.awsapps.com/start"))
    assert "dev" not in expiries(load_profiles())
    h.write_token(_token("https://corp.awsapps.com/start"))
    assert expiries(load_profiles())["dev"].kind == "sso"
