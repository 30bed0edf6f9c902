"""Secrets (issue 5, section 5), TUI side.

The app assumes roles through its worker, with its real services, twice:

* against moto behind the proxy, on the hardening config (static keys in the
  config itself): Enter on a 1-hop and a 3-hop chain, ``r``, ``i``, an MFA role,
  ``s`` (the shell gets the keys; the screen must not), a favourite and a
  Switch role save (settings and ``config.bak`` are written), and an STS error
  whose message quotes a secret key it was handed;
* in the demo environment (``rolecall.demo.demo_environment``: its local STS and
  SSO portal, its cached credentials): a 3-hop chain, SSO, MFA, expired cached
  credentials, ``r``, ``i``, ``s``, a cycle.

After every step the screen is exported (``App.export_screenshot``: the table,
the detail and status panels, any modal and the notifications on screen).  Then
every secret access key, session token and SSO access token handed out (read
from the cache files, the app's sessions and the static credentials) is looked
for, and never found, in: those SVGs, every status line and notification, the
detail panel of every profile, the snapshot SVGs under tests/snapshots, the SVGs
under screenshots/ (also against the fixed fakes that produced them), the
settings file, ``config.bak``, every other file under HOME outside the caches
and the AWS files, and the working directory (the app writes no log).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from rolecall import demo
from rolecall.core.cache import keys as cache_keys
from rolecall.core.profiles import load_profiles
from rolecall.demo.sample import data as sample_data
from rolecall.tui.app import RolecallApp
from rolecall.tui.services import Services
from rolecall.tui.widgets.detail import describe
from tests.hardening._tui import (
    SIZE,
    Notes,
    idle_jobs,
    make_app,
    ready,
    run_async,
    status_lines,
    until,
)
from tests.hardening._util import BASE_SECRET, CONFIG
from tests.moto_fixtures import StsProxy
from tests.tui.fakes import DATA, FakeClock, FakeSts

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEYS = {"SecretAccessKey", "SessionToken", "secretAccessKey", "sessionToken"}
TOKEN_KEYS = {"accessToken", "refreshToken", "clientSecret"}


class Recorder:
    """The app's screens and words, collected step by step."""

    def __init__(self, app: RolecallApp) -> None:
        self.app = app
        self.notes = Notes(app)
        self.svgs: dict[str, str] = {}
        self.launched: list[list[str]] = []

    def shoot(self, step: str) -> None:
        self.svgs[step] = self.app.export_screenshot(title=step)

    def texts(self) -> dict[str, str]:
        app = self.app
        out = {f"screen after {step}": svg for step, svg in self.svgs.items()}
        out["status panel"] = "\n".join(status_lines(app))
        out["notifications"] = "\n".join(f"{n.title}: {n.message}" for n in self.notes)
        out["shell argv"] = repr(self.launched)
        out["title"] = f"{app.title} {app.sub_title}"
        state = app.main.state
        if state.profiles is not None:
            for profile in state.profiles:
                out[f"detail of {profile.name}"] = describe(
                    profile, state.profiles, state.expiry, app.clock()
                ).plain
        return out


def secrets_in(obj: Any, out: set[str]) -> None:
    """Every secret key, session token and SSO token in a parsed cache file."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in SECRET_KEYS | TOKEN_KEYS and isinstance(value, str) and value:
                out.add(value)
            else:
                secrets_in(value, out)
    elif isinstance(obj, list):
        for item in obj:
            secrets_in(item, out)


def cache_secrets() -> set[str]:
    out: set[str] = set()
    for directory in (
        cache_keys.cli_cache_dir(),
        cache_keys.sso_cache_dir(),
        cache_keys.rolecall_cache_dir(),
    ):
        for path in Path(directory).rglob("*.json"):
            secrets_in(json.loads(path.read_text()), out)
    return out


def session_secrets(app: RolecallApp) -> set[str]:
    out = set()
    for result in app.sessions.values():
        creds = result.credentials
        out |= {creds.secret_access_key, creds.session_token}
    return {s for s in out if s}


def other_files(home: Path) -> dict[str, str]:
    """Every file under ``home`` but the credential caches and the AWS files."""
    skip = [Path(d) for d in (cache_keys.cli_cache_dir(), cache_keys.sso_cache_dir())]
    skip.append(Path(cache_keys.rolecall_cache_dir()))
    aws_files = {home / ".aws" / "config", home / ".aws" / "credentials"}
    out = {}
    for path in home.rglob("*"):
        if not path.is_file() or path in aws_files or any(d in path.parents for d in skip):
            continue
        out[str(path)] = path.read_text(errors="replace")
    return out


def check(secrets: set[str], texts: dict[str, str]) -> None:
    assert secrets
    for secret in secrets:
        assert len(secret) >= 16, secret
        for where, text in texts.items():
            assert secret not in text, f"a secret ({secret[:6]}…) is in {where}"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    yield cwd
    assert list(cwd.iterdir()) == [], "the app wrote into the working directory"


def _launcher(rec: list[list[str]]) -> Any:
    def launch(app: Any, argv: list[str], env: dict[str, str], typed: str) -> int:
        assert env.get("AWS_SECRET_ACCESS_KEY")  # the shell does get them
        rec.append(list(argv))
        return 0

    return launch


async def _step(pilot: Pilot[Any], app: RolecallApp, name: str, *keys: str) -> None:
    assert app.main.table.move_cursor_to(name), name
    await pilot.pause()
    await pilot.press(*keys)
    await pilot.pause()
    if keys[-1] == "enter" and type(app.screen).__name__ == "MfaScreen":
        await pilot.press(*"123456", "enter")
    await idle_jobs(pilot, app)


async def _tour(
    pilot: Pilot[Any],
    rec: Recorder,
    start: str,
    what: str,
    steps: tuple[tuple[str, tuple[str, ...]], ...],
) -> None:
    """Once started, from the row ``start`` (shot as ``what``): each step's keys on its
    profile, each followed by a shot."""
    app = rec.app
    await ready(pilot, app)
    assert app.main.table.move_cursor_to(start)
    await pilot.pause()
    rec.shoot(what)
    for name, keys in steps:
        await _step(pilot, app, name, *keys)
        rec.shoot(f"{keys[-1]} on {name}")


def test_no_secret_on_the_tuis_screens_or_files(
    isolated_env: Path,
    sts_endpoint: str,
    sts_proxy: StsProxy,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg = isolated_env / ".aws" / "config"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(CONFIG)
    monkeypatch.setenv("ROLECALL_STS_TIMEOUT", "5")
    launched: list[list[str]] = []
    app = make_app(services=Services(launcher=_launcher(launched)))
    rec = Recorder(app)
    rec.launched = launched
    handed_out = {BASE_SECRET}

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await _tour(
                pilot,
                rec,
                "base",  # static keys in the config
                "start, on the profile with static keys",
                (
                    ("a", ("enter",)),
                    ("c", ("enter",)),
                    ("b", ("r",)),
                    ("c", ("i",)),
                    ("mfa1", ("enter",)),
                    ("a", ("s",)),
                    ("b", ("f",)),
                ),
            )
            handed_out.update(session_secrets(app), cache_secrets())
            # an STS error that quotes a secret it was handed
            leaked = sorted(session_secrets(app))[0]
            sts_proxy.fail("AssumeRole", "ValidationError", f"denied: {leaked} is not allowed", 400)
            await _step(pilot, app, "c", "r")
            rec.shoot("an error quoting a secret")
            assert any("denied: ••••••••" in line for line in status_lines(app))
            # modals: the MFA prompt, Switch role (writes config.bak and the settings)
            app.main.table.move_cursor_to("mfa1")
            await pilot.press("r")
            await pilot.pause()
            rec.shoot("the MFA prompt")
            await pilot.press("escape")
            await pilot.press("n")
            await pilot.pause()
            screen = app.screen
            for key, value in (("account", "210987654321"), ("role", "Ops"), ("display", "ops")):
                screen.query_one(f"#{key}").value = value  # type: ignore[attr-defined]
            screen.query_one("#source").value = "c"  # type: ignore[attr-defined]
            await pilot.pause()
            rec.shoot("the Switch role form")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.screen is not screen)
            await idle_jobs(pilot, app)
            rec.shoot("after Switch role")
            await pilot.press("question_mark")
            await pilot.pause()
            rec.shoot("help")

    run_async(main)
    handed_out |= cache_secrets()
    assert (isolated_env / ".aws" / "config.bak").exists()
    files = other_files(isolated_env)
    assert any(path.endswith("config.toml") for path in files), files  # the settings
    check(handed_out, rec.texts())
    # config.bak is a copy of the config, which holds base's static key itself
    check(handed_out - {BASE_SECRET}, files)
    assert not [p for p in files if p.endswith((".log", ".txt"))], files
    print(f"\nproxy/moto: {len(handed_out)} secrets, {len(rec.texts()) + len(files)} texts")


def test_no_secret_on_the_tuis_screens_in_the_demo(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed_out: set[str] = set()
    texts: dict[str, str] = {}
    # (logged in to SSO from the start: the tour presses Enter on sso-dev)
    with demo.demo_environment(sso_logged_in=True) as env:
        home = Path(env["HOME"])
        monkeypatch.setenv("ROLECALL_STS_TIMEOUT", "5")
        launched: list[list[str]] = []
        app = make_app(services=Services(launcher=_launcher(launched)))
        rec = Recorder(app)
        rec.launched = launched
        handed_out |= cache_secrets()
        for line in (home / ".aws" / "credentials").read_text().splitlines():
            if line.startswith("aws_secret_access_key"):
                handed_out.add(line.split("=", 1)[1].strip())

        async def main() -> None:
            async with app.run_test(size=SIZE) as pilot:
                await _tour(
                    pilot,
                    rec,
                    "demo-root",
                    "start, on demo-root",
                    (
                        ("audit", ("enter",)),
                        ("sso-dev", ("enter",)),
                        ("prod-admin", ("enter",)),
                        ("partner-readonly", ("enter",)),
                        ("dev", ("r",)),
                        ("shared-services", ("i",)),
                        ("staging-readonly", ("s",)),
                        ("cycle-a", ("enter",)),
                    ),
                )
                assert "sso-dev" in app.sessions and "audit" in app.sessions, status_lines(app)
                handed_out.update(session_secrets(app))

        run_async(main)
        handed_out |= cache_secrets()
        texts.update(rec.texts())
        texts.update(other_files(home))
    check(handed_out, texts)
    print(f"\ndemo: {len(handed_out)} secrets, {len(texts)} texts")


def _fixed_fakes() -> set[str]:
    """The made-up secrets behind the committed SVGs: the snapshot tests' fake STS and
    sample credentials, and the demo files the screenshot script uses."""
    out = set()
    sample = load_profiles(str(DATA / "config"), str(DATA / "credentials"))
    result = FakeSts(FakeClock()).assume(sample, "dev")
    out |= {result.credentials.secret_access_key, result.credentials.session_token}
    for text in ((DATA / "credentials").read_text(), sample_data("demo-credentials")):
        for line in text.splitlines():
            if line.startswith("aws_secret_access_key"):
                out.add(line.split("=", 1)[1].strip())
    return out


def test_no_secret_in_the_committed_svgs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "demo-home"
    env = demo.prepare_demo(str(home), "http://127.0.0.1:9")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    secrets = _fixed_fakes() | cache_secrets()  # the demo's cached (made-up) credentials
    svgs = sorted(ROOT.glob("tests/snapshots/__snapshots__/**/*.svg"))
    svgs += sorted(ROOT.glob("screenshots/*.svg"))
    assert len(svgs) >= 10, svgs
    check(secrets, {str(path): path.read_text() for path in svgs})
    assert os.environ["HOME"] == str(home)
