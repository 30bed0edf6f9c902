"""``sso populate`` and ``sso configure`` on a config with a ``[DEFAULT]`` section.

botocore merges ``[DEFAULT]`` into every section it reads, the profiles that
populate writes and the ``[sso-session]`` that configure writes included.  The
edits' read-back expects the same (``core.edit.as_read``: one rule for every
edit), and botocore itself says what the written file means.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import botocore.configloader
import pytest
from tests import sso_helpers as h
from tests.moto_fixtures import run_rolecall

from rolecall.core.edit import EditError, add_sso_session, edit_profiles
from rolecall.core.sso.discovery import Discovery, Role
from rolecall.core.sso.populate import MARKER_KEY, populate
from rolecall.core.sso.session import SsoSession

CORP = SsoSession(h.SESSION, h.START_URL, h.REGION)
ROLES = (
    Role("Development", "100000000000", "ReadOnly"),
    Role("Production", "100000000001", "ReadOnly"),
)
FOUND = Discovery(ROLES, datetime(2026, 11, 28, tzinfo=UTC))

#: configs with a [DEFAULT], each with the session populate writes for
ORIGINALS = [
    # a region for everything, before the sections
    "[DEFAULT]\nregion = us-west-2\nretry_mode = standard\n\n" + h.CONFIG,
    # after them, with a second key, CRLF line endings and no final newline
    (h.CONFIG + "\n[DEFAULT]\noutput = json\ncli_pager =\n").replace("\n", "\r\n").rstrip(),
    # a nested value every section inherits
    "[DEFAULT]\ns3 =\n  addressing_style = path\n" + h.CONFIG,
]


def botocore_config(path: Path) -> dict[str, dict[str, dict[str, object]]]:
    loaded: dict[str, dict[str, dict[str, object]]] = botocore.configloader.load_config(str(path))
    return loaded


def sso_provider_config(path: Path, profile: str) -> dict[str, str]:
    """What botocore's SSO credential provider reads for ``profile`` (it raises
    ``InvalidConfigError`` where a value differs between the profile and its session)."""
    from botocore.credentials import SSOProvider

    provider = SSOProvider(lambda: botocore_config(path), None, profile_name=profile)
    config = provider._load_sso_config()
    assert isinstance(config, dict)
    return config


def config_file(home: Path) -> Path:
    return home / ".aws" / "config"


@pytest.fixture(params=ORIGINALS, ids=["first", "last-crlf", "nested"])
def aws_config(request: pytest.FixtureRequest) -> str:
    original: str = request.param
    return original


def by_hand(original: bytes, sections: dict[str, dict[str, object]]) -> bytes:
    """``original`` with ``sections`` written after it by hand: the oracle's input."""
    text = "".join(
        f"\n[profile {name}]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
        for name, values in sections.items()
    )
    return original + text.encode()


def botocore_config_of(data: bytes, home: Path) -> dict[str, dict[str, dict[str, object]]]:
    other = home / "oracle-config"
    other.write_bytes(data)
    return botocore_config(other)


def test_populate_then_again_then_prune(home: Path) -> None:
    path = config_file(home)
    before = path.read_bytes()

    # a region under [DEFAULT] is the session's region too: a profile must agree with it
    region = botocore_config(path)["sso_sessions"]["corp"].get("region", h.REGION)

    result = populate(CORP, FOUND)
    assert result.written
    assert sorted(result.plan.add) == ["development-readonly", "production-readonly"]
    after = path.read_bytes()
    written = {
        name: {
            "sso_session": "corp",
            "sso_account_id": role.account_id,
            "sso_role_name": role.role_name,
            "region": region,
            MARKER_KEY: "true",
        }
        for name, role in result.plan.add.items()
    }
    oracle = botocore_config_of(by_hand(before, written), home)
    assert botocore_config(path) == oracle
    # (the new profiles have what [DEFAULT] gives every section)
    assert len(oracle["profiles"]["production-readonly"]) > len(written["production-readonly"])
    for name in written:  # botocore's SSO provider takes them (it refuses a mismatch)
        assert sso_provider_config(path, name)["sso_account_id"] == written[name]["sso_account_id"]

    again = populate(CORP, FOUND)
    assert not again.written and not again.plan.add
    assert path.read_bytes() == after  # idempotent: not one byte changed

    gone = populate(CORP, Discovery((), FOUND.fetched_at), prune=True)
    assert sorted(gone.plan.remove) == sorted(result.plan.add)
    assert path.read_bytes() == before


def test_configure_adds_a_session_botocore_reads_with_the_defaults(home: Path) -> None:
    path = config_file(home)
    before = botocore_config(path)
    settings = {"sso_start_url": "https://acme.awsapps.com/start", "sso_region": "us-east-1"}
    add_sso_session("acme", settings)
    after = botocore_config(path)
    inherited = {k: v for k, v in after["sso_sessions"]["corp"].items() if not k.startswith("sso_")}
    assert inherited  # (every original has a [DEFAULT] key)
    assert after["sso_sessions"]["acme"] == {**inherited, **settings}
    assert after["profiles"] == before["profiles"]

    replaced = {"sso_start_url": "https://acme.awsapps.com/start", "sso_region": "eu-west-1"}
    add_sso_session("acme", replaced, force=True)
    assert botocore_config(path)["sso_sessions"]["acme"] == {**inherited, **replaced}


def test_rolecall_sso_configure(home: Path) -> None:
    out = run_rolecall(
        "sso", "configure", "acme", "--start-url", "https://acme.awsapps.com/start",
        "--region", "eu-west-1",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "acme" in botocore_config(config_file(home))["sso_sessions"]


def test_a_batch_default_would_break_is_still_refused(home: Path) -> None:
    """The read-back still refuses what botocore would read otherwise than asked:
    a ``[DEFAULT]`` key the new section sets to another value is fine, one that
    makes the profile a problem is refused, and the file stays as it was."""
    path = config_file(home)
    data = path.read_bytes().replace(b"[DEFAULT]", b"[DEFAULT]\nsso_session = nowhere", 1)
    path.write_bytes(data)
    with pytest.raises(EditError, match="profile 'lone'"):
        edit_profiles(lambda cfg: {"lone": {"sso_account_id": "1", "sso_role_name": "x"}})
    assert path.read_bytes() == data


def test_a_region_at_odds_with_the_sessions_is_refused(home: Path) -> None:
    """``--region`` other than the one [DEFAULT] gives the session: botocore would
    refuse every profile written, so nothing is."""
    path = config_file(home)
    if "region" not in botocore_config(path)["sso_sessions"]["corp"]:
        pytest.skip("no region under [DEFAULT] here")
    before = path.read_bytes()
    with pytest.raises(EditError, match="region is 'ap-south-1' in the profile but 'us-west-2'"):
        populate(CORP, FOUND, region="ap-south-1")
    assert path.read_bytes() == before
