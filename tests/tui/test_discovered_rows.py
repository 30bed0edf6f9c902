"""The discovered rows (``tui/discovered.py``, pure) and the ``n`` form's SSO checks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests import sso_helpers as h

from rolecall.core.config import load
from rolecall.core.profiles import load_profiles
from rolecall.core.sso.discovery import Discovery, Role, SessionRoles
from rolecall.core.sso.errors import LOGIN_REQUIRED, SsoError
from rolecall.core.sso.populate import plan
from rolecall.core.sso.session import SsoSession
from rolecall.tui import discovered
from rolecall.tui.model import order_rows
from rolecall.tui.state import TableState, prepare_rows
from rolecall.tui.switch_role_form import validate_sso

CORP = SsoSession(h.SESSION, h.START_URL, h.REGION)
OTHER = SsoSession("other", "https://other.awsapps.com/start", "us-east-1")
WHEN = datetime(2026, 11, 28, tzinfo=UTC)
ROLES = (
    Role("Development", "100000000000", "Admin"),  # `dev` signs in to it
    Role("Development", "100000000000", "ReadOnly"),
    Role("Production", "100000000001", "ReadOnly"),
)
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


@pytest.fixture
def aws_config() -> str:
    return (
        h.CONFIG
        + "\n[sso-session other]\nsso_start_url = https://other.awsapps.com/start\n"
        + "sso_region = us-east-1\n"
    )


def test_rows_for_the_roles_no_profile_covers(home: Path) -> None:
    config = load()
    found = [SessionRoles(CORP, Discovery(ROLES, WHEN))]
    made = discovered.build(config, found, favorites={"production-readonly"})
    # named by populate's plan: the name `a` writes is the name shown
    assert list(made.rows) == list(plan(config, CORP, found[0].discovery).add)  # type: ignore[arg-type]
    assert list(made.rows) == ["development-readonly", "production-readonly"]
    row = made.rows["production-readonly"]
    assert (row.kind, row.account, row.role, row.region, row.source) == (
        "sso·new",
        "100000000001 Production",
        "ReadOnly",
        h.REGION,
        "corp",
    )
    assert row.favorite and row.discovered
    assert made.targets["production-readonly"].role == ROLES[2]
    assert made.targets["production-readonly"].token == CORP.token_path
    assert made.account_names == {"100000000000": "Development", "100000000001": "Production"}


def test_a_session_with_nothing_to_show_is_a_row_to_log_in(home: Path) -> None:
    """``other`` has no profile and no discovery yet (no login): one row, Enter logs in.
    ``corp`` has profiles: Enter on them logs in, so no row of its own."""
    config = load()
    needs = SsoError("no token", None, LOGIN_REQUIRED)
    found = [SessionRoles(CORP, None, needs), SessionRoles(OTHER, None, needs)]
    made = discovered.build(config, found)
    assert list(made.rows) == ["sso-session other"]
    assert made.rows["sso-session other"].kind == "sso·login"
    assert made.targets["sso-session other"].role is None


def test_two_sessions_never_give_two_rows_one_name(home: Path) -> None:
    same = Role("Production", "100000000001", "ReadOnly")
    found = [
        SessionRoles(CORP, Discovery((same,), WHEN)),
        SessionRoles(OTHER, Discovery((same,), WHEN)),
    ]
    made = discovered.build(load(), found)
    assert list(made.rows) == ["production-readonly", "production-readonly-2"]
    assert [t.session.name for t in made.targets.values()] == ["corp", "other"]


def test_the_table_state_merges_and_annotates(home: Path) -> None:
    profiles = load_profiles()
    state = TableState()
    state.set_profiles(profiles, {}, {}, [])
    before = dict(state.rows)
    assert state.rows["dev"].account == "100000000000"
    state.set_discovered([SessionRoles(CORP, Discovery(ROLES, WHEN))])
    assert state.rows["dev"].account == "100000000000 Development"  # every SSO row
    assert state.rows["base"].account == ""
    assert set(state.rows) == set(before) | {"development-readonly", "production-readonly"}
    # the profiles first, then the discovered rows, each by name
    order = [r.name for r in order_rows(state.all_rows(), "name", NOW)]
    assert order[-2:] == ["development-readonly", "production-readonly"]
    # a filter finds an account by its name (an account's name is known whichever
    # session listed it: the legacy profile's account too)
    state.query = "production"
    assert [r.name for r in state.visible(NOW)] == ["legacy", "production-readonly"]
    assert state.rows["legacy"].account == "100000000001 Production"
    # a reload of the profiles keeps the discovered rows (and drops those now covered)
    prepared = prepare_rows(profiles, {}, {}, [])
    state.set_profiles(profiles, {}, {}, [], prepared)
    assert "production-readonly" in state.rows and state.target("dev") is None


def test_their_expiry_is_the_sessions_token(home: Path) -> None:
    from rolecall.core.expiries import Expiry

    state = TableState()
    state.set_profiles(load_profiles(), {}, {}, [])
    state.set_discovered([SessionRoles(CORP, Discovery(ROLES, WHEN))])
    assert state.rows["production-readonly"].expires_at is None
    token = Expiry("", "sso", NOW, CORP.token_path)
    state.set_token_expiries({CORP.token_path: token})
    assert state.rows["production-readonly"].expires_at == NOW
    assert state.expiry("dev") is None  # a profile's comes from the cache's expiries


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"sso-region": "eu-west-1"}, "sso-url", "Enter the AWS access portal URL"),
        ({"sso-url": "http://acme.awsapps.com/start"}, "sso-url", "Not an https URL"),
        ({"sso-url": "https://a.awsapps.com/start", "sso-region": "Ireland"}, "sso-region", "eu-"),
        (
            {"sso-url": "https://corp.awsapps.com/start", "sso-region": "eu-west-1"},
            "sso-name",
            "[sso-session corp] already exists",
        ),
        (
            {"sso-url": "https://x.awsapps.com/start", "sso-region": "eu-west-1",
             "sso-name": "default"},
            "sso-name",
            "cannot be called 'default'",
        ),
    ],
)  # fmt: skip
def test_the_sso_choice_of_the_form_is_checked(
    values: dict[str, str], field: str, words: str
) -> None:
    checked = validate_sso(values, ["corp"])
    assert checked.request is None
    assert words in checked.errors[field]


def test_the_sso_choice_writes_what_sso_configure_writes() -> None:
    checked = validate_sso(
        {"sso-url": " https://acme.awsapps.com/start ", "sso-region": "eu-west-1"}, []
    )
    assert checked.request is not None
    assert checked.request.name == "acme"
    assert checked.request.settings == {
        "sso_start_url": "https://acme.awsapps.com/start",
        "sso_region": "eu-west-1",
        "sso_registration_scopes": "sso:account:access",
    }
