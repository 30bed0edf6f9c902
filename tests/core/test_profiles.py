"""The profile model: kinds, ARNs, chains and problems, checked against botocore."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.exceptions
import botocore.session
import pytest

from rolecall.core.profile import classify
from rolecall.core.profile_listing import write_list_text
from rolecall.core.profiles import RoleArn, Root, load_profiles

ARN = "arn:aws:iam::123456789012:role/Admin"


def write(tmp_path: Path, config: str, credentials: str = "") -> tuple[str, str]:
    cfg = tmp_path / "config"
    cred = tmp_path / "credentials"
    cfg.write_text(config)
    cred.write_text(credentials)
    return str(cfg), str(cred)


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({"aws_access_key_id": "A", "aws_secret_access_key": "B"}, "static"),
        ({"role_arn": ARN, "source_profile": "x"}, "assume-role"),
        ({"role_arn": ARN, "credential_source": "Environment"}, "assume-role"),
        ({"role_arn": ARN, "web_identity_token_file": "/t"}, "web-identity"),
        ({"role_arn": ARN}, "incomplete"),
        ({"sso_session": "corp", "sso_account_id": "1", "sso_role_name": "r"}, "sso"),
        ({"sso_start_url": "u", "sso_region": "r", "sso_account_id": "1"}, "sso"),
        ({"credential_process": "x"}, "credential-process"),
        ({"region": "eu-west-1"}, "incomplete"),
        # top level: role_arn wins over static keys (botocore's provider order)
        ({"role_arn": ARN, "source_profile": "x", "aws_access_key_id": "A"}, "assume-role"),
    ],
)
def test_classify(values: dict[str, str], kind: str) -> None:
    assert classify(values) == kind


@pytest.mark.parametrize(
    ("arn", "parts"),
    [
        (ARN, ("aws", "123456789012", "/", "Admin")),
        (
            "arn:aws:iam::123456789012:role/ops/team/Deploy+x",
            ("aws", "123456789012", "/ops/team/", "Deploy+x"),
        ),
        ("arn:aws-cn:iam::000000000001:role/r", ("aws-cn", "000000000001", "/", "r")),
        (
            "arn:aws-us-gov:iam::123456789012:role/a.b@c=d,e-f",
            ("aws-us-gov", "123456789012", "/", "a.b@c=d,e-f"),
        ),
    ],
)
def test_role_arn_parts(arn: str, parts: tuple[str, str, str, str]) -> None:
    parsed = RoleArn.parse(arn)
    assert parsed is not None
    assert (parsed.partition, parsed.account_id, parsed.path, parsed.name) == parts


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::12345678901:role/Admin",
        "arn:aws:iam::123456789012:user/Admin",
        "arn:aws:sts::123456789012:role/Admin",
        "arn:aws:iam::123456789012:role/",
        "arn:aws:iam::123456789012:role/" + "x" * 65,
        "arn:aws:iam::123456789012:role/bad name",
        "not-an-arn",
        "",
    ],
)
def test_invalid_arn(arn: str) -> None:
    assert RoleArn.parse(arn) is None


CHAIN_CONFIG = """\
[profile base]
region = eu-west-1
[profile hop1]
role_arn = arn:aws:iam::111111111111:role/One
source_profile = base
[profile hop2]
role_arn = arn:aws:iam::222222222222:role/Two
source_profile = hop1
mfa_serial = arn:aws:iam::111111111111:mfa/me
[profile hop3]
role_arn = arn:aws:iam::333333333333:role/Three
source_profile = hop2
duration_seconds = 1800
[profile env]
role_arn = arn:aws:iam::444444444444:role/FromEnv
credential_source = Environment
[profile selfref]
role_arn = arn:aws:iam::555555555555:role/Self
source_profile = selfref
aws_access_key_id = AKIASELF
aws_secret_access_key = selfsecret
[profile static-with-role]
role_arn = arn:aws:iam::555555555555:role/Ignored
source_profile = nowhere
[profile via-static-with-role]
role_arn = arn:aws:iam::555555555555:role/Via
source_profile = static-with-role
[profile sso]
sso_session = corp
sso_account_id = 666666666666
sso_role_name = ReadOnly
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile via-sso]
role_arn = arn:aws:iam::777777777777:role/ViaSso
source_profile = sso
"""
CHAIN_CREDS = """\
[base]
aws_access_key_id = AKIABASE
aws_secret_access_key = basesecret
[static-with-role]
aws_access_key_id = AKIASWR
aws_secret_access_key = swrsecret
"""


def test_chains(tmp_path: Path) -> None:
    ps = load_profiles(*write(tmp_path, CHAIN_CONFIG, CHAIN_CREDS))
    assert ps["hop1"].chain == ["hop1", "base"]
    assert ps["hop3"].chain == ["hop3", "hop2", "hop1", "base"]
    assert ps["hop3"].hops == ["hop3", "hop2", "hop1"]
    assert ps["hop3"].duration_seconds == 1800
    assert ps["env"].chain == ["env"]
    assert ps["env"].root_kind == "credential_source:Environment"
    assert ps["selfref"].chain == ["selfref", "selfref"]
    assert ps["selfref"].problems == []
    # a source with static keys is a root even if it has role_arn
    assert ps["via-static-with-role"].chain == ["via-static-with-role", "static-with-role"]
    assert ps["via-static-with-role"].problems == []
    assert ps["via-sso"].chain == ["via-sso", "sso"]
    assert ps["via-sso"].root_kind == "sso"
    for name in ("base", "hop1", "hop2", "hop3", "env", "sso", "via-sso"):
        assert ps[name].problems == [], name
    assert ps["hop3"].account_id == "333333333333"
    assert ps["hop3"].role_name == "Three"
    assert ps["sso"].account_id == "666666666666"


PROBLEMS_CONFIG = """\
[profile missing-src]
role_arn = arn:aws:iam::111111111111:role/A
source_profile = ghost
[profile both]
role_arn = arn:aws:iam::111111111111:role/A
source_profile = base
credential_source = Environment
[profile bad-cs]
role_arn = arn:aws:iam::111111111111:role/A
credential_source = Laptop
[profile cyc-a]
role_arn = arn:aws:iam::111111111111:role/A
source_profile = cyc-b
[profile cyc-b]
role_arn = arn:aws:iam::111111111111:role/B
source_profile = cyc-a
[profile self-nokeys]
role_arn = arn:aws:iam::111111111111:role/S
source_profile = self-nokeys
[profile no-creds-src]
role_arn = arn:aws:iam::111111111111:role/A
source_profile = regiononly
[profile regiononly]
region = us-east-1
[profile bad-sso]
sso_session = nope
sso_account_id = 1
sso_role_name = r
[profile bad-arn]
role_arn = arn:aws:iam::abc:role/A
source_profile = base
[profile dur-text]
role_arn = arn:aws:iam::111111111111:role/A
source_profile = base
duration_seconds = an hour
[profile dur-low]
role_arn = arn:aws:iam::111111111111:role/A
source_profile = base
duration_seconds = 899
[profile dur-high]
role_arn = arn:aws:iam::111111111111:role/A
source_profile = base
duration_seconds = 43201
[profile role-only]
role_arn = arn:aws:iam::111111111111:role/A
[profile via-cycle]
role_arn = arn:aws:iam::111111111111:role/V
source_profile = cyc-a
"""


def botocore_refuses(cfg: str, cred: str, profile: str, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Does botocore refuse to build credentials for this profile (without a network call)?"""
    monkeypatch.setenv("AWS_CONFIG_FILE", cfg)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", cred)
    session = botocore.session.Session(profile=profile)
    try:
        creds = session.get_credentials()
        if creds is not None:
            # assume-role credentials are deferred: force the source resolution only
            provider = session.get_component("credential_provider").get_provider("assume-role")
            provider._visited_profiles = [profile]
            cfg_ = provider._get_role_config(profile)
            provider._resolve_source_credentials(cfg_, profile)
    except (
        botocore.exceptions.InvalidConfigError,
        botocore.exceptions.PartialCredentialsError,
        botocore.exceptions.InfiniteLoopConfigError,
        botocore.exceptions.ProfileNotFound,
    ):
        return True
    return False


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("missing-src", "'ghost' (in missing-src) does not exist"),
        ("both", "both source_profile and credential_source"),
        ("bad-cs", "credential_source 'Laptop'"),
        ("cyc-a", "cycle"),
        ("cyc-b", "cycle"),
        ("via-cycle", "cycle"),
        ("self-nokeys", "names itself"),
        ("no-creds-src", "'regiononly' has no usable credentials"),
        ("bad-sso", "sso_session 'nope' does not exist"),
        ("role-only", "without source_profile or credential_source"),
    ],
)
def test_problems_match_botocore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, fragment: str
) -> None:
    cfg, cred = write(tmp_path, PROBLEMS_CONFIG, CHAIN_CREDS)
    ps = load_profiles(cfg, cred)
    assert any(fragment in p for p in ps[name].problems), ps[name].problems
    assert botocore_refuses(cfg, cred, name, monkeypatch)


def test_healthy_profiles_botocore_accepts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, cred = write(tmp_path, CHAIN_CONFIG, CHAIN_CREDS)
    ps = load_profiles(cfg, cred)
    for name in ("hop1", "hop3", "selfref", "via-static-with-role"):
        assert ps[name].problems == []
        assert not botocore_refuses(cfg, cred, name, monkeypatch), name


@pytest.mark.parametrize(
    ("name", "fragment", "value"),
    [
        ("bad-arn", "not a valid IAM role ARN", None),
        ("dur-text", "not an integer", None),
        ("dur-low", "outside 900..43200", 899),
        ("dur-high", "outside 900..43200", 43201),
    ],
)
def test_value_problems(tmp_path: Path, name: str, fragment: str, value: int | None) -> None:
    ps = load_profiles(*write(tmp_path, PROBLEMS_CONFIG, CHAIN_CREDS))
    assert any(fragment in p for p in ps[name].problems), ps[name].problems
    assert ps[name].duration_seconds == value


def test_problem_in_middle_hop_reaches_top(tmp_path: Path) -> None:
    config = (
        PROBLEMS_CONFIG
        + "[profile top]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = dur-low\n"
    )
    ps = load_profiles(*write(tmp_path, config, CHAIN_CREDS))
    top = ps["top"]
    assert top.chain == ["top", "dur-low", "base"]
    assert any(p.startswith("dur-low: duration_seconds 899") for p in top.problems)


def test_order_and_location(tmp_path: Path) -> None:
    cfg, cred = write(
        tmp_path,
        "[profile b]\nregion = x\n\n[default]\nregion = y\n",
        "[z]\naws_access_key_id = a\naws_secret_access_key = b\n[b]\naws_access_key_id = k\n",
    )
    ps = load_profiles(cfg, cred)
    assert [p.name for p in ps] == ["b", "default", "z"]
    assert (ps["b"].file, ps["b"].line) == (cfg, 1)
    assert (ps["default"].file, ps["default"].line) == (cfg, 4)
    assert (ps["z"].file, ps["z"].line) == (cred, 1)
    # credentials win key by key, and a missing secret is a problem
    assert ps["b"].kind == "static"
    assert ps["b"].problems == ["aws_access_key_id is set without aws_secret_access_key"]


def test_merging_the_files_leaves_each_document_as_read(tmp_path: Path) -> None:
    """The value maps are shared with the parsed documents (no copy); merging the
    credentials into a config profile must build a new map, never change them."""
    cfg, cred = write(
        tmp_path,
        "[profile both]\nregion = eu-west-1\n\n[profile only]\nregion = us-east-1\n",
        "[both]\naws_access_key_id = AKIAB\naws_secret_access_key = sb\n",
    )
    ps = load_profiles(cfg, cred)
    assert ps["both"].values == {
        "region": "eu-west-1",
        "aws_access_key_id": "AKIAB",
        "aws_secret_access_key": "sb",
    }
    config_doc = ps.config.config_doc
    assert config_doc is not None
    section = config_doc.section("profile both")
    assert section is not None
    assert section.options == {"region": "eu-west-1"}
    assert config_doc.raw_values()["profile both"] == {"region": "eu-west-1"}
    config_side, credentials_side = ps.config.split["both"]
    assert config_side == {"region": "eu-west-1"}
    assert "region" not in credentials_side
    # a profile in one file only is its section's own map, read as it is
    only = config_doc.section("profile only")
    assert only is not None and ps["only"].values is only.options


# -- chains resolved once: linear in the number of profiles -------------------


def deep_chain(depth: int, *, cycle: bool = False) -> str:
    """``hop-1`` sources ``base`` (static keys), ``hop-i`` sources ``hop-(i-1)``;
    with ``cycle``, ``hop-1`` sources the last hop instead."""
    first = f"hop-{depth}" if cycle else "base"
    lines = [f"[profile hop-1]\nrole_arn = {ARN}\nsource_profile = {first}\n"]
    lines += [
        f"[profile hop-{i}]\nrole_arn = {ARN}\nsource_profile = hop-{i - 1}\n"
        for i in range(2, depth + 1)
    ]
    return "".join(lines)


def count_role_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count how often the resolution asks whether a source is one more hop."""
    from rolecall.core import profiles
    from rolecall.core.profile import _has_role as real

    calls = [0]

    def counting(values: Any) -> bool:
        calls[0] += 1
        return real(values)

    monkeypatch.setattr(profiles, "_has_role", counting)
    return calls


def test_a_deep_chain_is_walked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each profile of a 400-deep chain is looked at a bounded number of times
    (walking every chain from its top would look at 80,000)."""
    depth = 400
    calls = count_role_checks(monkeypatch)
    ps = load_profiles(*write(tmp_path, deep_chain(depth), CHAIN_CREDS))
    assert calls[0] <= 4 * depth, calls[0]
    top = ps[f"hop-{depth}"]
    assert top.chain == [f"hop-{i}" for i in range(depth, 0, -1)] + ["base"]
    assert len(top.chain) == depth + 1
    assert (top.chain[0], top.chain[-2], top.chain[-1]) == (f"hop-{depth}", "hop-1", "base")
    assert top.chain[7] == f"hop-{depth - 7}"
    assert top.chain[-3:] == ["hop-2", "hop-1", "base"]
    assert top.root_kind == "static"
    assert all(p.problems == [] for p in ps)
    assert ps["hop-1"].chain == ["hop-1", "base"]


def test_a_long_cycle_is_found_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    depth = 400
    calls = count_role_checks(monkeypatch)
    ps = load_profiles(*write(tmp_path, deep_chain(depth, cycle=True), CHAIN_CREDS))
    assert calls[0] <= 4 * depth, calls[0]
    for i in (1, 2, depth):
        prof = ps[f"hop-{i}"]
        assert len(prof.chain) == depth
        assert prof.chain[0] == f"hop-{i}"
        assert prof.chain[-1] == f"hop-{i % depth + 1}"
        assert prof.root_kind == "assume-role"
        # the cycle, from the profile itself, cut in the middle
        assert prof.problems == [
            f"source_profile cycle of {depth} profiles: hop-{i} -> "
            f"{prof.chain[1]} -> {prof.chain[2]} -> ... -> {prof.chain[-2]} -> "
            f"{prof.chain[-1]} -> hop-{i}"
        ]


CYCLE_CONFIG = f"""\
[profile a]
role_arn = {ARN}
source_profile = b
duration_seconds = 10
[profile b]
role_arn = {ARN}
source_profile = c
[profile c]
role_arn = {ARN}
source_profile = a
[profile into]
role_arn = {ARN}
source_profile = a
[profile keys]
role_arn = {ARN}
source_profile = loop-back
aws_access_key_id = AKIAKEYS
aws_secret_access_key = s
[profile loop-back]
role_arn = {ARN}
source_profile = keys
[profile via-keys]
role_arn = {ARN}
source_profile = loop-back
"""


def test_cycles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, cred = write(tmp_path, CYCLE_CONFIG)
    ps = load_profiles(cfg, cred)
    dur = "a: duration_seconds 10 is outside 900..43200"
    assert ps["a"].chain == ["a", "b", "c"]
    assert ps["a"].problems == [
        "duration_seconds 10 is outside 900..43200",
        "source_profile cycle: a -> b -> c -> a",
    ]
    assert ps["b"].chain == ["b", "c", "a"]
    assert ps["b"].problems == [dur, "source_profile cycle: b -> c -> a -> b"]
    assert ps["into"].chain == ["into", "a", "b", "c"]
    assert ps["into"].problems == [dur, "source_profile cycle: a -> b -> c -> a"]
    # a profile with static keys is a root for others, but its own chain may loop
    assert ps["keys"].chain == ["keys", "loop-back"]
    assert ps["keys"].problems == ["source_profile cycle: keys -> loop-back -> keys"]
    assert ps["loop-back"].chain == ["loop-back", "keys"]
    assert ps["loop-back"].problems == []
    assert ps["via-keys"].chain == ["via-keys", "loop-back", "keys"]
    for name in ("a", "b", "c", "into", "keys"):
        assert botocore_refuses(cfg, cred, name, monkeypatch), name
    for name in ("loop-back", "via-keys"):
        assert not botocore_refuses(cfg, cred, name, monkeypatch), name


@pytest.mark.parametrize(
    ("name", "hops", "root"),
    [
        ("hop1", ["hop1"], Root("static", "base")),
        ("hop3", ["hop3", "hop2", "hop1"], Root("static", "base")),
        ("env", ["env"], Root("credential_source", "env", "Environment")),
        ("selfref", ["selfref"], Root("static", "selfref")),
        ("via-static-with-role", ["via-static-with-role"], Root("static", "static-with-role")),
        ("via-sso", ["via-sso"], Root("sso", "sso")),
        ("via-env", ["via-env", "env"], Root("credential_source", "env", "Environment")),
        ("base", [], Root("static", "base")),
        ("sso", [], Root("sso", "sso")),
    ],
)
def test_route(tmp_path: Path, name: str, hops: list[str], root: Root) -> None:
    config = CHAIN_CONFIG + f"[profile via-env]\nrole_arn = {ARN}\nsource_profile = env\n"
    ps = load_profiles(*write(tmp_path, config, CHAIN_CREDS))
    route = ps.route(name)
    assert route.profile is ps[name]
    assert [h.name for h in route.hops] == hops
    assert route.root == root
    assert ps[name].problems == []


# -- what a source profile's problem is called ----------------------------------


SOURCES_CONFIG = f"""\
[profile web-bad-arn]
role_arn = arn:aws:iam::bad:role/B
web_identity_token_file = /tmp/token
[profile web-no-arn]
web_identity_token_file = /tmp/token
[profile process-bad]
credential_process = "unterminated
[profile sso-no-session]
sso_session = nope
sso_account_id = 123456789012
sso_role_name = R
[profile sso-partial]
sso_account_id = 123456789012
[profile nothing]
region = eu-west-1
[profile empty-token]
role_arn = {ARN}
web_identity_token_file =
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "web-bad-arn",
            [
                "web-bad-arn: role_arn 'arn:aws:iam::bad:role/B' is not a valid IAM role ARN: "
                "the account ID 'bad' is not 12 digits"
            ],
        ),
        ("web-no-arn", ["web-no-arn: web_identity_token_file is set without role_arn"]),
        (
            "process-bad",
            ["process-bad: credential_process is not a valid command line: No closing quotation"],
        ),
        ("sso-no-session", ["sso-no-session: sso_session 'nope' does not exist"]),
        (
            "sso-partial",
            ["sso-partial: SSO profile is missing sso_start_url, sso_region, sso_role_name"],
        ),
        ("nothing", ["source profile 'nothing' has no usable credentials"]),
        ("empty-token", ["source profile 'empty-token' has no usable credentials"]),
    ],
)
def test_a_source_with_credentials_is_named_by_its_own_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: list[str]
) -> None:
    """ "No usable credentials" only for a source that has none; one that has
    some (a token file, a process, SSO settings) gets its own problem, prefixed
    with its name, as a source with static keys does."""
    config = SOURCES_CONFIG + f"[profile top]\nrole_arn = {ARN}\nsource_profile = {source}\n"
    cfg, cred = write(tmp_path, config)
    ps = load_profiles(cfg, cred)
    assert ps["top"].problems == expected
    assert ps["top"].chain == ["top", source]
    try:
        refused = botocore_refuses(cfg, cred, "top", monkeypatch)
    except ValueError:  # botocore's shlex.split of the credential_process
        refused = True
    # (botocore takes any role ARN: rolecall is stricter there)
    assert refused == ("ARN" not in expected[0])


# -- memory ---------------------------------------------------------------------


@pytest.mark.parametrize(("shape", "limit"), [("flat", 1000), ("mixed", 1300)])
def test_memory_per_profile(tmp_path: Path, shape: str, limit: int) -> None:
    """What reading 5,000 profiles allocates and keeps, counted by tracemalloc
    (exact, not timed): the files' text, the document, the values and the
    profiles.  It was 1,420 bytes a profile (flat) and 1,780 (mixed)."""
    import gc
    import tracemalloc

    from bench.gen_config import write_files

    config, credentials = write_files(tmp_path / shape, shape, 5000)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        ps = load_profiles(str(config), str(credentials))
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(ps) == 5000
    kept = (after - before) / len(ps)
    most = (peak - before) / len(ps)
    assert kept <= limit, f"{kept:.0f} bytes kept a profile"
    assert most <= limit * 1.1, f"{most:.0f} bytes a profile at the peak"


# -- the table of `rolecall list`, written 256 profiles at a time ------------------

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(text: str) -> str:
    """What the CLI does to a cell (``rolecall.cli._printable``)."""

    def one(match: re.Match[str]) -> str:
        code = ord(match.group())
        if 0xDC80 <= code <= 0xDCFF:
            return f"\\x{code - 0xDC00:02x}"
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(one, text)


@pytest.mark.parametrize("shape", ["problems", "unprintable", "generated", "empty"])
def test_list_table_is_what_rolecall_list_prints(tmp_path: Path, shape: str) -> None:
    """``write_list_text`` writes, byte for byte, the table ``rolecall list`` prints."""
    if shape == "generated":
        from bench.gen_config import write_files

        paths = write_files(tmp_path / "g", "mixed", 700)  # three slices of 256
        cfg, cred = str(paths[0]), str(paths[1])
    elif shape == "empty":
        cfg, cred = write(tmp_path, "")
    else:
        config = CHAIN_CONFIG + PROBLEMS_CONFIG.replace("[profile both]", "[profile cyc-extra]")
        if shape == "unprintable":
            config += "[profile esc\x1b[31m]\nregion = caf\u00e9\x07\n"
        cfg, cred = write(tmp_path, config, CHAIN_CREDS)
    out: list[str] = []
    write_list_text(load_profiles(cfg, cred), out.append, _escape, _UNPRINTABLE.search)
    printed = subprocess.run(
        [sys.executable, "-m", "rolecall", "list", "--config", cfg, "--credentials", cred],
        capture_output=True,
        text=True,
        errors="surrogateescape",
    )
    assert printed.returncode in (0, 1), printed.stderr
    assert "".join(out) == printed.stdout
    if shape == "unprintable":
        assert "esc\\x1b[31m" in printed.stdout


def _same(text: str) -> str:
    return text


def _never(text: str) -> bool:
    return False


def _plain_table(profiles: Any, escape: Any) -> str:
    """``rolecall list``'s table built the plain way, from the profiles' public
    attributes: every cell escaped, padded with ``ljust``, lines right-stripped."""
    rows = [("NAME", "KIND", "ACCOUNT", "ROLE", "REGION", "SOURCE", "PROBLEMS")]
    for p in profiles:
        source = p.source_profile or p.credential_source or ""
        cells = (p.name, p.kind, p.account_id or "", p.role_name or "", p.region or "", source)
        rows.append(tuple(map(escape, (*cells, "; ".join(p.problems)))))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = ("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) for row in rows)
    return "".join(
        f"{line}  {row[6]}".rstrip() + "\n" for line, row in zip(lines, rows, strict=True)
    )


NESTED_CONFIG = """\
[default]
aws_access_key_id = A
aws_secret_access_key = B
s3 =
  addressing_style = path
[profile nested-role]
role_arn = arn:aws:iam::123456789012:role/a/b/Deep
source_profile = default
s3 =
  max_concurrent_requests = 4
region = eu-west-1
[profile sso-one]
sso_start_url = https://x.awsapps.com/start
sso_region = us-east-1
sso_account_id = 210987654321
sso_role_name = ReadOnly
"""
#: A value on two lines: its cell holds a line break.
LINE_BREAK_CONFIG = """\
[profile cont]
region = us
  east
role_arn = arn:aws:iam::123456789012:role/R
credential_source = Environment
"""


@pytest.mark.parametrize(
    "shape", ["chain", "problems", "unprintable", "generated", "nested", "line-break", "empty"]
)
def test_list_table_is_the_plain_table(tmp_path: Path, shape: str) -> None:
    """The table written fast (cells measured, not built; one ``%`` a slice) is
    the plain table, byte for byte, for profiles of every kind, nested values,
    cells that need escaping, and a cell with a line break that the caller
    does not escape."""
    escape: Callable[[str], str] = _escape
    needs_escape: Callable[[str], object] = _UNPRINTABLE.search
    if shape == "generated":
        from bench.gen_config import write_files

        paths = write_files(tmp_path / "g", "mixed", 600)  # three slices of 256
        cfg, cred = str(paths[0]), str(paths[1])
    elif shape == "empty":
        cfg, cred = write(tmp_path, "")
    elif shape in ("nested", "line-break"):
        config = NESTED_CONFIG
        if shape == "line-break":
            config += LINE_BREAK_CONFIG
            escape, needs_escape = _same, _never
        cfg, cred = write(tmp_path, config)
    else:
        config = CHAIN_CONFIG
        if shape != "chain":
            config += PROBLEMS_CONFIG.replace("[profile both]", "[profile cyc-extra]")
        if shape == "unprintable":
            config += "[profile esc\x1b[31m]\nregion = caf\u00e9\x07\n"
        cfg, cred = write(tmp_path, config, CHAIN_CREDS)
    profiles = load_profiles(cfg, cred)
    out: list[str] = []
    write_list_text(profiles, out.append, escape, needs_escape)
    assert "".join(out) == _plain_table(profiles, escape)
    if shape == "line-break":
        assert "us\neast" in "".join(out)
