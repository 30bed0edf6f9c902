"""Lossless edits: add, replace, remove, refusals, atomic writes and backups."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import botocore.exceptions
import botocore.session
import pytest

from rolecall.core import edit, fsutil
from rolecall.core.config import load
from rolecall.core.edit import EditError, add_profile, remove_profile

ARN = "arn:aws:iam::123456789012:role/Admin"
CREDS = b"[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s3cr3t\n"

ORIGINALS = [
    b"",
    b"\n",
    b"[default]\nregion = eu-west-1\n",
    b"[default]\nregion = eu-west-1",
    b"[default]\r\nregion = eu-west-1\r\n",
    b"[default]\r\nregion = eu-west-1",
    b"[default]\rregion = eu-west-1\r",
    b"# top comment\n\n[default]\nregion = eu-west-1 # not a comment\n\n\n; trailing\n",
    b"[default]\nregion = x\n\n\n",
    b"[default]\n\tregion\t=\tx   \n[profile other]\ns3 =\n  addressing_style = path\n",
    "[default]\nregion = x\n# caf\u00e9 \u2603\n".encode(),
]


def setup(tmp_path: Path, config: bytes) -> tuple[Path, Path]:
    cfg = tmp_path / "config"
    cred = tmp_path / "credentials"
    cfg.write_bytes(config)
    cred.write_bytes(CREDS)
    return cfg, cred


def botocore_profiles(
    cfg: Path, cred: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, dict[str, str]]:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfg))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(cred))
    profiles: dict[str, dict[str, str]] = botocore.session.Session().full_config["profiles"]
    return profiles


@pytest.mark.parametrize("original", ORIGINALS)
def test_add_then_remove_is_byte_exact(
    tmp_path: Path, original: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg, cred = setup(tmp_path, original)
    before = botocore_profiles(cfg, cred, monkeypatch)
    add_profile(
        "dev",
        {"role_arn": ARN, "source_profile": "default", "region": "us-east-1"},
        config=str(cfg),
        credentials=str(cred),
    )
    data = cfg.read_bytes()
    assert data.startswith(original.rstrip(b"\r\n")) or original == b"\n"
    after = botocore_profiles(cfg, cred, monkeypatch)
    assert after["dev"] == {"role_arn": ARN, "source_profile": "default", "region": "us-east-1"}
    assert {k: v for k, v in after.items() if k != "dev"} == before
    # the file's own line endings are used
    if b"\r\n" in original:
        assert b"\r\n[profile dev]\r\n" in data
        assert data.count(b"\n") == data.count(b"\r\n")
    remove_profile("dev", config=str(cfg), credentials=str(cred))
    assert cfg.read_bytes() == original


def test_add_creates_file_0600(tmp_path: Path) -> None:
    cfg = tmp_path / "aws" / "config"
    cred = tmp_path / "credentials"
    cred.write_bytes(CREDS)
    add_profile(
        "dev",
        {"role_arn": ARN, "source_profile": "default"},
        config=str(cfg),
        credentials=str(cred),
    )
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.parent.stat().st_mode) == 0o700
    assert cfg.read_text() == f"[profile dev]\nrole_arn = {ARN}\nsource_profile = default\n"
    assert not (tmp_path / "aws" / "config.bak").exists()


def test_mode_kept_and_backup(tmp_path: Path) -> None:
    original = b"[default]\nregion = x\n"
    cfg, cred = setup(tmp_path, original)
    os.chmod(cfg, 0o640)
    add_profile(
        "dev",
        {"role_arn": ARN, "source_profile": "default"},
        config=str(cfg),
        credentials=str(cred),
    )
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o640
    bak = tmp_path / "config.bak"
    assert bak.read_bytes() == original
    assert stat.S_IMODE(bak.stat().st_mode) == 0o600
    # no temporary file is left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "config.bak", "credentials"]


def test_force_replaces_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = (
        b"# head\n[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Old\n"
        b"source_profile = default\n# keep me\n\n[profile after]\nregion = x\n"
    )
    cfg, cred = setup(tmp_path, original)
    with pytest.raises(EditError, match="already exists"):
        add_profile(
            "dev",
            {"role_arn": ARN, "source_profile": "default"},
            config=str(cfg),
            credentials=str(cred),
        )
    assert cfg.read_bytes() == original
    add_profile(
        "dev",
        {"role_arn": ARN, "source_profile": "default", "region": "eu-west-2"},
        force=True,
        config=str(cfg),
        credentials=str(cred),
    )
    assert cfg.read_bytes() == (
        b"# head\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Admin\n"
        b"source_profile = default\nregion = eu-west-2\n# keep me\n\n[profile after]\nregion = x\n"
    )
    assert botocore_profiles(cfg, cred, monkeypatch)["after"] == {"region": "x"}


def test_remove_middle_section(tmp_path: Path) -> None:
    cfg, cred = setup(tmp_path, b"[a]\nx=1\n\n[profile b]\ny = 2\n  z\n\n[profile c]\nw=3\n")
    remove_profile("b", config=str(cfg), credentials=str(cred))
    assert cfg.read_bytes() == b"[a]\nx=1\n\n[profile c]\nw=3\n"


def test_quoted_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, cred = setup(tmp_path, b"[default]\nregion = x\n")
    for name in ("with space", "it's", "caf\u00e9", "[prod] admin"[1:].replace("]", "-")):
        add_profile(
            name,
            {"role_arn": ARN, "source_profile": "default"},
            config=str(cfg),
            credentials=str(cred),
        )
        assert botocore_profiles(cfg, cred, monkeypatch)[name]["role_arn"] == ARN
        remove_profile(name, config=str(cfg), credentials=str(cred))
    assert cfg.read_bytes() == b"[default]\nregion = x\n"


@pytest.mark.parametrize(
    ("name", "settings", "reason"),
    [
        (
            "dev",
            {"role_arn": "arn:aws:iam::123:role/x", "source_profile": "default"},
            "malformed role ARN",
        ),
        (
            "dev",
            {"role_arn": ARN, "source_profile": "default", "duration_seconds": "60"},
            "outside 900..43200",
        ),
        (
            "dev",
            {"role_arn": ARN, "source_profile": "default", "duration_seconds": "1h"},
            "not an integer",
        ),
        ("dev", {"role_arn": ARN, "source_profile": "ghost"}, "'ghost' does not exist"),
        ("dev", {"role_arn": ARN, "credential_source": "Laptop"}, "unknown credential source"),
        ("dev", {"role_arn": ARN}, "exactly one of"),
        ("default", {"role_arn": ARN, "source_profile": "default"}, "already exists"),
        ("", {"role_arn": ARN, "source_profile": "default"}, "invalid profile name"),
        (" x", {"role_arn": ARN, "source_profile": "default"}, "invalid profile name"),
        ("a\nb", {"role_arn": ARN, "source_profile": "default"}, "invalid profile name"),
        ("dev", {"role_arn": ARN, "source_profile": "default", "region": "a\nb"}, "invalid region"),
        # a cycle the edit would create: loop -> loop2 -> loop
        ("loop", {"role_arn": ARN, "source_profile": "loop2"}, "cycle"),
    ],
)
def test_refused_edits_change_nothing(
    tmp_path: Path, name: str, settings: dict[str, str], reason: str
) -> None:
    original = (
        b"[default]\nregion = x\n[profile loop2]\n"
        b"role_arn = arn:aws:iam::123456789012:role/x\nsource_profile = loop\n"
    )
    cfg, cred = setup(tmp_path, original)
    with pytest.raises(EditError, match=reason):
        add_profile(name, settings, config=str(cfg), credentials=str(cred))
    assert cfg.read_bytes() == original
    assert not (tmp_path / "config.bak").exists()


def test_refuses_file_with_parse_problem(tmp_path: Path) -> None:
    original = b"[profile dev]\nregion = x\n[profile dev]\nregion = y\n"
    cfg, cred = setup(tmp_path, original)
    with pytest.raises(EditError, match=r"config:3: duplicate section \[profile dev\]"):
        add_profile(
            "new",
            {"role_arn": ARN, "source_profile": "default"},
            config=str(cfg),
            credentials=str(cred),
        )
    with pytest.raises(EditError):
        remove_profile("dev", config=str(cfg), credentials=str(cred))
    assert cfg.read_bytes() == original


def test_remove_refusals(tmp_path: Path) -> None:
    original = (
        b"[profile base]\nregion = x\n[profile user]\nrole_arn = "
        + ARN.encode()
        + b"\nsource_profile = base\n"
    )
    cfg, cred = setup(tmp_path, original)
    with pytest.raises(EditError, match="no profile named 'ghost'"):
        remove_profile("ghost", config=str(cfg), credentials=str(cred))
    with pytest.raises(EditError, match="credentials file|rolecall only edits"):
        remove_profile("default", config=str(cfg), credentials=str(cred))
    with pytest.raises(EditError, match="source_profile of user"):
        remove_profile("base", config=str(cfg), credentials=str(cred))
    assert cfg.read_bytes() == original
    remove_profile("base", force=True, config=str(cfg), credentials=str(cred))
    assert b"[profile base]" not in cfg.read_bytes()


def test_changed_on_disk_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = b"[default]\nregion = x\n"
    cfg, cred = setup(tmp_path, original)

    def meddle(step: str, path: str) -> None:
        if step == "fsynced" and path == str(cfg):
            cfg.write_bytes(b"[default]\nregion = changed-elsewhere\n")

    monkeypatch.setattr(fsutil, "write_hook", meddle)
    with pytest.raises(EditError, match="changed on disk"):
        add_profile(
            "dev",
            {"role_arn": ARN, "source_profile": "default"},
            config=str(cfg),
            credentials=str(cred),
        )
    assert cfg.read_bytes() == b"[default]\nregion = changed-elsewhere\n"
    assert [p.name for p in tmp_path.iterdir() if "rolecall-tmp" in p.name] == []


def test_every_other_byte_unchanged_in_generated_config(tmp_path: Path) -> None:
    from bench.gen_config import write_files

    cfg, cred = write_files(tmp_path / "g", "mixed", 200)
    original = cfg.read_bytes()
    before = load(str(cfg), str(cred)).profiles
    add_profile(
        "zz-new",
        {"role_arn": ARN, "source_profile": "default"},
        config=str(cfg),
        credentials=str(cred),
    )
    assert cfg.read_bytes().startswith(original)
    after = load(str(cfg), str(cred)).profiles
    assert {k: v for k, v in after.items() if k != "zz-new"} == before
    remove_profile("zz-new", config=str(cfg), credentials=str(cred))
    assert cfg.read_bytes() == original


def test_section_header_round_trips() -> None:
    from rolecall.core.ini import split_section_name

    for name in ("a", "a b", "it's", 'say "hi"', "back\\slash", "tab\there", "default"):
        header = edit.section_header(name)
        parts = split_section_name(header)
        if name == "default":
            assert header == "default"
        else:
            assert parts == ["profile", name]


def test_concurrent_adds_both_land(tmp_path: Path) -> None:
    """Two `rolecall profile add` processes at once: both land, serialised by the lock."""
    import subprocess
    import sys

    cfg, cred = setup(tmp_path, b"[default]\nregion = x\n")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rolecall",
                "profile",
                "add",
                f"p{i}",
                "--role-arn",
                ARN,
                "--source-profile",
                "default",
                "--config",
                str(cfg),
                "--credentials",
                str(cred),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(6)
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    names = set(load(str(cfg), str(cred)).profiles)
    assert {f"p{i}" for i in range(6)} <= names


LOCK_BASE = (
    b"[default]\nregion = eu-west-1\n\n"
    b"[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = default\n"
)
LOCK_ROLE = {"role_arn": ARN, "source_profile": "default"}


def _hold_lock(directory: Path) -> subprocess.Popen[str]:
    """Another rolecall process holding the edit lock of ``directory`` (until killed)."""
    code = (
        "import sys, time\n"
        "from rolecall.core import fsutil\n"
        "with fsutil.locked_dir(sys.argv[1], purpose='editing by hand'):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(directory)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_edit_waits_for_the_lock_then_gives_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    cfg, cred = setup(tmp_path, LOCK_BASE)
    before = cfg.read_bytes()
    monkeypatch.setattr(edit, "LOCK_TIMEOUT", 0.3)
    holder = _hold_lock(cfg.parent)
    outcome: list[BaseException | str] = []

    def attempt() -> None:
        try:
            add_profile("new", LOCK_ROLE, config=str(cfg), credentials=str(cred))
            outcome.append("added")
        except BaseException as exc:
            outcome.append(exc)

    start = time.monotonic()
    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    waited = time.monotonic() - start
    holder.kill()
    holder.wait()
    worker.join(10)
    assert waited < 5, "the edit waited for the lock without end"
    assert len(outcome) == 1 and isinstance(outcome[0], EditError), outcome
    assert "another rolecall is still editing" in str(outcome[0])
    assert "0.3 s" in str(outcome[0])
    # it says who holds the lock
    assert f"pid {holder.pid} (editing by hand)" in str(outcome[0])
    assert waited >= 0.3
    assert cfg.read_bytes() == before
    # once the other edit is done, the same edit goes through
    add_profile("new", LOCK_ROLE, config=str(cfg), credentials=str(cred))
    assert "[profile new]" in cfg.read_text()


def test_edit_goes_on_when_the_lock_is_released_in_time(tmp_path: Path) -> None:
    import threading

    cfg, cred = setup(tmp_path, LOCK_BASE)
    holder = _hold_lock(cfg.parent)
    timer = threading.Timer(0.2, holder.kill)
    timer.start()
    try:
        remove_profile("dev", config=str(cfg), credentials=str(cred))
    finally:
        timer.join()
        holder.wait()
    assert "[profile dev]" not in cfg.read_text()


# -- [DEFAULT]: its values flow into every section, the edited one too ----------


def botocore_reads(
    tmp_path: Path, config: bytes, cred: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, dict[str, str]] | None:
    """botocore's profiles for ``config`` (beside ``cred``), or None when it refuses it."""
    where = tmp_path / "oracle"
    where.mkdir(exist_ok=True)
    (where / "config").write_bytes(config)
    try:
        return botocore_profiles(where / "config", cred, monkeypatch)
    except botocore.exceptions.ConfigParseError:
        return None


def appended(original: bytes, name: str, settings: dict[str, str]) -> bytes:
    """The file with a section for ``name`` written after it by hand: what botocore
    must read from the edited file (the editor keeps the file's line endings)."""
    lines = [f"[profile {name}]", *(f"{k} = {v}" for k, v in settings.items())]
    return original + ("\n" + "\n".join(lines) + "\n").encode()


#: The Switch role form saves these settings (tui/screens/switch_role.py: validate()).
FORM = {
    "role_arn": ARN,
    "source_profile": "default",
    "region": "us-east-2",
    "mfa_serial": "arn:aws:iam::123456789012:mfa/me",
}

DEFAULT_ORIGINALS = [
    b"[DEFAULT]\nregion = eu-west-1\n\n[default]\noutput = json\n",
    b"[default]\noutput = json\n\n[DEFAULT]\nregion = eu-west-1\nduration_seconds = 3600\n",
    b"[DEFAULT]\r\nregion = eu-west-1\r\nexternal_id = shared\r\n\r\n[default]\r\nregion = x",
    b"[DEFAULT]\ns3 =\n  addressing_style = path\n[default]\nregion = x\n[sso-session s]\n",
    b"[DEFAULT]\nregion = eu-west-1\n",
    b"[DEFAULT]\nrole_session_name = me\n[profile dev]\nrole_arn = "
    + ARN.encode()
    + b"\nsource_profile = default\nregion = ap-south-1\n",
]


@pytest.mark.parametrize("original", DEFAULT_ORIGINALS)
@pytest.mark.parametrize(
    "settings",
    [{"role_arn": ARN, "source_profile": "default"}, FORM],
    ids=["cli", "switch-role-form"],
)
def test_edits_of_a_config_with_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, original: bytes, settings: dict[str, str]
) -> None:
    """Add, replace (``--force``) and remove, each read back by botocore itself."""
    cfg, cred = setup(tmp_path, original)
    name = "dev" if b"[profile dev]" not in original else "new"
    add_profile(name, settings, config=str(cfg), credentials=str(cred))
    added = cfg.read_bytes()
    assert added.startswith(original)
    expected = botocore_reads(tmp_path, appended(original, name, settings), cred, monkeypatch)
    assert botocore_profiles(cfg, cred, monkeypatch) == expected
    assert expected is not None and "[DEFAULT]" not in str(expected)

    replacement = {"role_arn": ARN.replace("Admin", "Other"), "source_profile": "default"}
    add_profile(name, replacement, force=True, config=str(cfg), credentials=str(cred))
    expected = botocore_reads(tmp_path, appended(original, name, replacement), cred, monkeypatch)
    assert botocore_profiles(cfg, cred, monkeypatch) == expected

    remove_profile(name, config=str(cfg), credentials=str(cred))
    assert cfg.read_bytes() == original


def test_replacing_a_profile_that_inherits_from_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = (
        b"[DEFAULT]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n\n"
        b"[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Old\nsource_profile = default\n"
        b"region = us-east-1\n\n[profile after]\noutput = json\n"
    )
    cfg, cred = setup(tmp_path, original)
    add_profile(
        "dev",
        {"role_arn": ARN, "source_profile": "default"},
        force=True,
        config=str(cfg),
        credentials=str(cred),
    )
    profiles = botocore_profiles(cfg, cred, monkeypatch)
    assert profiles["dev"] == {
        "role_arn": ARN,
        "source_profile": "default",
        "region": "eu-west-1",
        "mfa_serial": "arn:aws:iam::123456789012:mfa/me",
    }
    assert profiles["after"] == {
        "output": "json",
        "region": "eu-west-1",
        "mfa_serial": "arn:aws:iam::123456789012:mfa/me",
    }
    remove_profile("dev", config=str(cfg), credentials=str(cred))
    assert b"[profile dev]" not in cfg.read_bytes()
    assert "dev" not in botocore_profiles(cfg, cred, monkeypatch)


def test_an_edit_default_would_break_is_refused(tmp_path: Path) -> None:
    """``[DEFAULT]`` gives every profile ``credential_source``: a profile with
    ``source_profile`` too is one botocore refuses, so the edit is refused."""
    original = b"[DEFAULT]\ncredential_source = Environment\n[default]\nregion = x\n"
    cfg, cred = setup(tmp_path, original)
    with pytest.raises(EditError, match="both source_profile and credential_source"):
        add_profile(
            "dev",
            {"role_arn": ARN, "source_profile": "default"},
            config=str(cfg),
            credentials=str(cred),
        )
    assert cfg.read_bytes() == original
    # with credential_source, the profile is what [DEFAULT] already says
    add_profile(
        "dev",
        {"role_arn": ARN, "credential_source": "Environment"},
        config=str(cfg),
        credentials=str(cred),
    )
    assert load(str(cfg), str(cred)).profiles["dev"] == {
        "role_arn": ARN,
        "credential_source": "Environment",
    }


def test_a_nested_default_value_the_new_section_would_inherit(tmp_path: Path) -> None:
    """A broken nested ``[DEFAULT]`` value that every section overrides is fine;
    a new section would inherit it and botocore would refuse the file."""
    original = b"[DEFAULT]\ns3 =\n  oops\n[default]\ns3 = plain\n"
    cfg, cred = setup(tmp_path, original)
    with pytest.raises(EditError, match="refuse the file .*has no '='"):
        add_profile(
            "dev",
            {"role_arn": ARN, "source_profile": "default"},
            config=str(cfg),
            credentials=str(cred),
        )
    assert cfg.read_bytes() == original


# -- every case of the differential corpus, edited and read back by botocore ------

CORPUS = Path(__file__).parent / "corpus"
CORPUS_CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CORPUS_CASES, ids=[p.name for p in CORPUS_CASES])
def test_corpus_edits_read_back_as_botocore_reads_them(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Add a profile to each corpus config, replace it, remove it.

    botocore is the oracle: the edited file must read as the original with the
    section written after it by hand; a file botocore refuses is refused and
    left as it was; the removal gives back the original bytes.
    """
    config = case / "config"
    original = config.read_bytes() if config.exists() else b""
    cfg = tmp_path / "config"
    cred = tmp_path / "credentials"
    cfg.write_bytes(original)
    if (case / "credentials").exists():
        cred.write_bytes((case / "credentials").read_bytes())
    settings = {"role_arn": ARN, "credential_source": "Environment"}
    before = botocore_reads(tmp_path, original, cred, monkeypatch)
    try:
        botocore_profiles(cfg, cred, monkeypatch)
    except botocore.exceptions.ConfigParseError:
        with pytest.raises(EditError, match="fix the file first"):
            add_profile("zz-added", settings, config=str(cfg), credentials=str(cred))
        assert cfg.read_bytes() == original
        return
    assert before is not None
    name = "zz-added"
    expected = botocore_reads(tmp_path, appended(original, name, settings), cred, monkeypatch)
    try:
        add_profile(name, settings, config=str(cfg), credentials=str(cred))
    except EditError as exc:
        # only a refusal botocore agrees with: the file or the profile is broken
        assert "would not read back" not in str(exc)
        assert cfg.read_bytes() == original
        return
    assert botocore_profiles(cfg, cred, monkeypatch) == expected
    add_profile(
        name,
        {**settings, "region": "eu-north-1"},
        force=True,
        config=str(cfg),
        credentials=str(cred),
    )
    replaced = appended(original, name, {**settings, "region": "eu-north-1"})
    expected = botocore_reads(tmp_path, replaced, cred, monkeypatch)
    assert botocore_profiles(cfg, cred, monkeypatch) == expected
    remove_profile(name, config=str(cfg), credentials=str(cred))
    assert cfg.read_bytes() == original
