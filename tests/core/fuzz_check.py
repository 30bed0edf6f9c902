"""The fuzzing oracle: one ``(config, credentials)`` pair, rolecall against botocore.

Used by the long run (``scripts/fuzz_config.py``), the short CI run
(``test_fuzz_short.py``) and the regression corpus (``test_fuzz_regressions.py``).
:func:`check_pair` writes both files (``None``: no file) into a work directory
(a tmpfs such as ``/dev/shm`` for speed) and checks:

1. **No exception escapes** ``rolecall.core.config.load``, ``ProfileSet``,
   ``Profile.to_json`` or ``profile_json_text``.
2. **Lossless**: ``ini.parse(x).render() == x`` for each file.
3. **Same values as botocore**, file by file (``raw_config_parse`` against
   ``IniDocument.raw_values()``, or both refuse), and for the pair, merged the
   way ``Session.full_config`` merges them (``load_config`` on the config,
   ``raw_config_parse`` on the credentials, credentials win key by key):
   profiles, sso-sessions and services, in order, down to nested values.
   Every problem names its file and a line that exists.
4. **The profile model's invariants**: every chain starts with its profile's
   name and names only profiles that exist; ``kind`` is one of ``KINDS``;
   ``profile_json_text`` is the JSON of ``to_json``; for a profile without
   problems, ``ProfileSet.route`` gives hops that start its chain and a root in it.
5. **Chains, against botocore's own credential providers** (``chains=True``):
   for every profile, botocore's ``AssumeRoleProvider`` and the profile
   providers resolve credentials with no network call and no process (see
   :func:`botocore_resolve`).  When botocore refuses (``InvalidConfigError``,
   ``PartialCredentialsError``, ``InfiniteLoopConfigError``, or a crash on a
   nested value), the rolecall profile must have a problem; when it resolves an
   assume-role chain, the profiles it visits are rolecall's ``chain``.

A broken check raises :class:`FuzzFailure` with a short ``kind`` (the same bug
gives the same kind, so the long run can group them) and a detail.
"""

from __future__ import annotations

import json
import os
import random
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.configloader
import botocore.credentials as bc
import botocore.exceptions
from tests.core import ini_gen

from rolecall.core.config import AwsConfig, load
from rolecall.core.ini import IniDocument
from rolecall.core.profile import KINDS
from rolecall.core.profile_listing import profile_json_text
from rolecall.core.profiles import ProfileSet

__all__ = [
    "FuzzFailure",
    "Pair",
    "Verdict",
    "botocore_refusal",
    "botocore_resolve",
    "check_pair",
    "load_corpus",
    "make_input",
    "read_case",
    "write_case",
]

#: ``(config, credentials)``; None means the file does not exist.
Pair = tuple[bytes | None, bytes | None]
#: Seeds for mutation.  The regression corpus is not among them, so that input
#: ``i`` of seed ``s`` stays the same when it grows (its own test replays it).
CORPUS = Path(__file__).parent / "corpus"
REGRESSIONS = Path(__file__).parents[1] / "fuzz_regressions"

_LINE_SEPS = (b"\r\n", b"\r", b"\n")


class FuzzFailure(AssertionError):
    """One broken invariant. ``kind`` groups failures with the same cause."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


@dataclass
class Verdict:
    """What one pair did (for the run's figures)."""

    #: botocore raised ConfigParseError on either file (and rolecall refused too)
    refused: bool = False
    profiles: int = 0
    #: profiles whose credentials botocore refuses to resolve (rolecall flags them)
    chain_refusals: int = 0
    #: profiles rolecall flags although botocore resolves them (ARNs, durations...)
    stricter: int = 0


def count_lines(data: bytes) -> int:
    """Lines as Python's universal newlines count them."""
    if not data:
        return 0
    n = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return n + (not data.endswith(_LINE_SEPS))


def ordered(value: Any) -> Any:
    """Dicts as lists of pairs, all the way down, so that order is compared too."""
    if isinstance(value, dict):
        return [(key, ordered(val)) for key, val in value.items()]
    return value


# -- botocore's side -------------------------------------------------------------


def _raw(path: str, present: bool) -> tuple[dict[str, Any] | None, str | None]:
    """``raw_config_parse`` of one file: (values, None), or (None, why it refused)."""
    if not present:
        return None, None
    try:
        return botocore.configloader.raw_config_parse(path), None
    except botocore.exceptions.ConfigParseError as exc:
        return None, str(exc)[:200]
    except Exception as exc:  # botocore crashing is a refusal too
        return None, f"botocore crashed: {exc!r}"[:200]


def full_config(
    raw_config: dict[str, Any] | None, raw_credentials: dict[str, Any] | None
) -> dict[str, Any]:
    """``Session.full_config`` from the two raw parses (None: no file)."""
    if raw_config is None:
        full: dict[str, Any] = {"profiles": {}}
    else:
        full = botocore.configloader.build_profile_map(raw_config)
    if raw_credentials is not None:
        profiles = full["profiles"]
        for name, values in raw_credentials.items():
            if name not in profiles:
                profiles[name] = values
            else:
                profiles[name].update(values)
    return full


def session_full_config(config_path: str, credentials_path: str) -> dict[str, Any] | None:
    """The real ``botocore.session.Session().full_config`` (None: it refuses).

    Slower than :func:`full_config` (a whole session per call); used to check
    that the emulation is faithful.
    """
    import botocore.session

    saved = {k: os.environ.get(k) for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")}
    os.environ["AWS_CONFIG_FILE"] = config_path
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = credentials_path
    try:
        full: dict[str, Any] = botocore.session.Session().full_config
        return full
    except botocore.exceptions.ConfigParseError:
        return None
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _Source:
    """A ``credential_source`` provider (Environment...) that always has credentials."""

    METHOD = "fuzz-source"

    def __init__(self, name: str) -> None:
        self.CANONICAL_NAME = name

    def load(self) -> bc.Credentials:
        return bc.Credentials("AKIASOURCE", "source-secret")


_SOURCES = bc.CanonicalNameCredentialSourcer(
    [_Source("Environment"), _Source("Ec2InstanceMetadata"), _Source("EcsContainer")]
)


class _FakePopen:
    """``credential_process`` is never run: it "prints" valid credentials.

    Like ``subprocess.Popen``, an empty argument list is an error.
    """

    returncode = 0

    def __init__(self, args: list[str], **_: object) -> None:
        if not args:
            raise IndexError("list index out of range")

    def communicate(self) -> tuple[bytes, bytes]:
        out = {"Version": 1, "AccessKeyId": "AKIAPROCESS", "SecretAccessKey": "process-secret"}
        return json.dumps(out).encode(), b""


class _Builder:
    """``ProfileProviderBuilder`` without a session: botocore's own providers
    (web identity, SSO, shared credentials, process, config) on the parsed maps.

    No provider reaches the network here: web identity and SSO return deferred
    credentials, and processes are faked.  (The ``login_session`` provider,
    which needs botocore[crt], is left out: rolecall does not model it.)
    """

    def __init__(
        self,
        full: dict[str, Any],
        config_only: dict[str, Any] | None,
        raw_credentials: dict[str, Any] | None,
    ) -> None:
        self._full = full
        self._config_only = config_only
        self._credentials = raw_credentials

    def _load(self) -> dict[str, Any]:
        return self._full

    def _parse_credentials(self, _path: str) -> dict[str, Any]:
        if self._credentials is None:
            raise botocore.exceptions.ConfigNotFound(path=_path)
        return self._credentials

    def _parse_config(self, _path: str) -> dict[str, Any]:
        if self._config_only is None:
            raise botocore.exceptions.ConfigNotFound(path=_path)
        return self._config_only

    def providers(self, profile_name: str, disable_env_vars: bool = False) -> list[Any]:
        return [
            bc.AssumeRoleWithWebIdentityProvider(
                load_config=self._load,
                client_creator=None,
                profile_name=profile_name,
                cache={},
                disable_env_vars=True,
            ),
            bc.SSOProvider(
                load_config=self._load,
                client_creator=None,
                profile_name=profile_name,
                cache={},
                token_cache={},
                token_provider=None,
            ),
            bc.SharedCredentialProvider(
                creds_filename="credentials",
                profile_name=profile_name,
                ini_parser=self._parse_credentials,
            ),
            bc.ProcessProvider(profile_name=profile_name, load_config=self._load, popen=_FakePopen),
            bc.ConfigProvider(
                config_filename="config",
                profile_name=profile_name,
                config_parser=self._parse_config,
            ),
        ]


def botocore_resolve(
    builder: _Builder, full: dict[str, Any], name: str
) -> tuple[str | None, list[str] | None]:
    """Resolve a profile's credentials the way ``Session(profile=name)`` would.

    Returns ``(why botocore refuses or None, the profiles the assume-role
    provider visited or None)``.  The chain is the session's: the assume-role
    provider, then the profile providers.
    """
    arp = bc.AssumeRoleProvider(
        load_config=lambda: full,
        client_creator=None,
        cache={},
        profile_name=name,
        credential_sourcer=_SOURCES,
        profile_provider_builder=builder,
    )
    resolver = bc.CredentialResolver([arp, *builder.providers(name)])
    try:
        creds = resolver.load_credentials()
    except Exception as exc:  # any refusal, including a crash
        return f"{type(exc).__name__}: {exc}"[:300], None
    if creds is not None and getattr(creds, "method", None) == arp.METHOD:
        return None, list(arp._visited_profiles)
    return None, None


def botocore_refusal(
    config: bytes | None, credentials: bytes | None, workdir: Path, name: str
) -> str | None:
    """Why botocore refuses to resolve profile ``name``'s credentials, or None.

    Both files must be ones botocore reads (no ConfigParseError).
    """
    _write(workdir / "config", config)
    _write(workdir / "credentials", credentials)
    raw_cfg, why_cfg = _raw(str(workdir / "config"), config is not None)
    raw_cred, why_cred = _raw(str(workdir / "credentials"), credentials is not None)
    assert why_cfg is None and why_cred is None, (why_cfg, why_cred)
    full = full_config(raw_cfg, raw_cred)
    config_only = None if raw_cfg is None else botocore.configloader.build_profile_map(raw_cfg)
    return botocore_resolve(_Builder(full, config_only, raw_cred), full, name)[0]


# -- the check ---------------------------------------------------------------------


def _write(path: Path, data: bytes | None) -> None:
    if data is None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
    else:
        path.write_bytes(data)


def _check_document(
    label: str, doc: IniDocument | None, data: bytes, raw: dict[str, Any] | None
) -> None:
    if doc is None:
        raise FuzzFailure("missing-document", f"{label} exists but rolecall read no document")
    if doc.render() != data:
        raise FuzzFailure("round-trip", f"{label}: render(parse(x)) != x")
    if raw is None:
        if not doc.problems:
            raise FuzzFailure(
                "botocore-refuses-rolecall-accepts", f"{label}: botocore refuses, no problem found"
            )
        return
    if doc.problems:
        raise FuzzFailure(
            "rolecall-refuses-botocore-accepts", f"{label}: {doc.problems[0]!r} (botocore accepts)"
        )
    mine = ordered(doc.raw_values())
    theirs = ordered(raw)
    if mine != theirs:
        raise FuzzFailure("raw-values-differ", f"{label}: rolecall {mine!r} != botocore {theirs!r}")


def _check_problem_lines(cfg: AwsConfig, sizes: Mapping[str, bytes | None]) -> None:
    for problem in cfg.problems:
        data = sizes.get(problem.file)
        if data is None:
            raise FuzzFailure("problem-file", f"problem in a file that does not exist: {problem}")
        if not 1 <= problem.line <= count_lines(data) + 1:
            raise FuzzFailure("problem-line", f"line out of range: {problem}")
        if not problem.message.strip():
            raise FuzzFailure("problem-message", f"empty message: {problem!r}")


def _check_model(ps: ProfileSet) -> None:
    for prof in ps:
        text = profile_json_text(prof)
        as_json = prof.to_json()
        if json.loads(text) != as_json:
            raise FuzzFailure(
                "json-text", f"{prof.name!r}: profile_json_text != to_json: {text} != {as_json}"
            )
        if not prof.chain or prof.chain[0] != prof.name:
            raise FuzzFailure("chain-start", f"{prof.name!r}: chain {prof.chain!r}")
        missing = [n for n in prof.chain if n not in ps]
        if missing:
            raise FuzzFailure("chain-unknown", f"{prof.name!r}: chain {prof.chain!r}")
        if prof.kind not in KINDS:
            raise FuzzFailure("kind", f"{prof.name!r}: kind {prof.kind!r}")
        if not all(isinstance(p, str) and p.strip() for p in prof.problems):
            raise FuzzFailure("problem-text", f"{prof.name!r}: {prof.problems!r}")
        if not prof.problems:
            # how an assume goes: the hops start the chain, the root is in it
            route = ps.route(prof.name)
            hops = [hop.name for hop in route.hops]
            chain = list(prof.chain)
            if hops != chain[: len(hops)] or route.root.profile not in chain:
                raise FuzzFailure(
                    "route", f"{prof.name!r}: hops {hops!r}, root {route.root!r}, chain {chain!r}"
                )


def _check_chains(
    ps: ProfileSet,
    full: dict[str, Any],
    config_only: dict[str, Any] | None,
    raw_credentials: dict[str, Any] | None,
    verdict: Verdict,
) -> None:
    builder = _Builder(full, config_only, raw_credentials)
    for prof in ps:
        why, visited = botocore_resolve(builder, full, prof.name)
        if why is not None:
            verdict.chain_refusals += 1
            if not prof.problems:
                kind = why.split(":", 1)[0]
                raise FuzzFailure(
                    f"chain-refusal-unflagged:{kind}",
                    f"botocore refuses profile {prof.name!r} ({why}); rolecall sees no problem",
                )
            continue
        if prof.problems:
            verdict.stricter += 1
        if visited is not None and prof.kind == "assume-role" and prof.chain != visited:
            raise FuzzFailure(
                "chain-differs",
                f"{prof.name!r}: rolecall chain {prof.chain!r}, botocore visits {visited!r}",
            )


def _crash(where: str, exc: BaseException) -> FuzzFailure:
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    at = f"{Path(last.filename).name}:{last.lineno}" if last else "?"
    detail = "".join(traceback.format_exception(exc)).strip()
    return FuzzFailure(f"crash:{where}:{type(exc).__name__}@{at}", detail[-1500:])


def check_pair(
    config: bytes | None,
    credentials: bytes | None,
    workdir: Path,
    *,
    chains: bool = True,
    session: bool = False,
) -> Verdict:
    """Check one pair of files; raise :class:`FuzzFailure` on the first broken rule.

    ``session`` also checks the emulated ``full_config`` against a real
    ``botocore.session.Session`` (slower).
    """
    cfg_path = workdir / "config"
    cred_path = workdir / "credentials"
    _write(cfg_path, config)
    _write(cred_path, credentials)
    cfg_str, cred_str = str(cfg_path), str(cred_path)

    # rolecall: nothing may escape
    try:
        cfg = load(config=cfg_str, credentials=cred_str)
    except Exception as exc:
        raise _crash("load", exc) from None
    try:
        ps = ProfileSet(cfg)
    except Exception as exc:
        raise _crash("ProfileSet", exc) from None
    try:
        _check_model(ps)
    except FuzzFailure:
        raise
    except Exception as exc:
        raise _crash("to_json", exc) from None

    # botocore
    raw_cfg, cfg_refusal = _raw(cfg_str, config is not None)
    raw_cred, cred_refusal = _raw(cred_str, credentials is not None)
    if config is not None:
        _check_document("config", cfg.config_doc, config, raw_cfg)
    if credentials is not None:
        _check_document("credentials", cfg.credentials_doc, credentials, raw_cred)
    _check_problem_lines(cfg, {cfg_str: config, cred_str: credentials})

    verdict = Verdict(profiles=len(ps))
    refused = cfg_refusal is not None or cred_refusal is not None
    if refused:
        verdict.refused = True
        if not cfg.refused:
            raise FuzzFailure("botocore-refuses-rolecall-accepts", "the pair")
        if session and session_full_config(cfg_str, cred_str) is not None:
            raise FuzzFailure(
                "emulation", "botocore's session accepts what raw_config_parse refused"
            )
        return verdict
    if cfg.refused:
        raise FuzzFailure("rolecall-refuses-botocore-accepts", str(cfg.problems[0]))

    full = full_config(raw_cfg, raw_cred)
    if session:
        real = session_full_config(cfg_str, cred_str)
        if real is None or ordered(real["profiles"]) != ordered(full["profiles"]):
            raise FuzzFailure("emulation", "full_config differs from botocore's session")
    for key, mine in (
        ("profiles", cfg.profiles),
        ("sso_sessions", cfg.sso_sessions),
        ("services", cfg.services),
    ):
        theirs = full.get(key, {})
        if ordered(mine) != ordered(theirs):
            raise FuzzFailure(f"{key}-differ", f"rolecall {mine!r} != botocore {theirs!r}")

    if chains:
        config_only = None
        if raw_cfg is not None:
            config_only = botocore.configloader.build_profile_map(raw_cfg)
        _check_chains(ps, full, config_only, raw_cred, verdict)
    return verdict


# -- cases on disk -------------------------------------------------------------------


def read_case(case: Path) -> tuple[bytes | None, bytes | None]:
    """``(config, credentials)`` of a corpus directory (None: no such file)."""
    cfg = case / "config"
    cred = case / "credentials"
    return (
        cfg.read_bytes() if cfg.exists() else None,
        cred.read_bytes() if cred.exists() else None,
    )


def write_case(
    case: Path,
    config: bytes | None,
    credentials: bytes | None,
    expect: str,
    note: str = "",
) -> None:
    """Write a corpus directory: ``config``, ``credentials``, ``expect`` (and ``note``)."""
    case.mkdir(parents=True, exist_ok=True)
    for name, data in (("config", config), ("credentials", credentials)):
        path = case / name
        if data is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(data)
    (case / "expect").write_text(expect + "\n")
    if note:
        (case / "note").write_text(note.rstrip() + "\n")


def botocore_expect(config: bytes | None, credentials: bytes | None, workdir: Path) -> str:
    """``accepted`` or ``refused``: what botocore does with the pair."""
    _write(workdir / "config", config)
    _write(workdir / "credentials", credentials)
    refused = any(
        _raw(str(workdir / name), data is not None)[1] is not None
        for name, data in (("config", config), ("credentials", credentials))
    )
    return "refused" if refused else "accepted"


def load_corpus(base: Path = CORPUS) -> list[Pair]:
    """Every case of a corpus directory, as ``(config, credentials)``."""
    if not base.is_dir():
        return []
    return [read_case(p) for p in sorted(base.iterdir()) if p.is_dir()]


def make_input(seed: int, index: int, corpus: Sequence[Pair], donors: Sequence[bytes]) -> Pair:
    """Input ``index`` of run ``seed``: the same on every machine and in every worker.

    40% generated from the grammar, 20% generated then mutated, 40% a corpus
    case mutated (up to six edits, random bytes, lines spliced from ``donors``).
    """
    d = ini_gen.RandomDraw(random.Random(seed * 1_000_003 + index))
    how = d.integer(0, 9)
    if how < 4 or not corpus:
        return ini_gen.aws_files(d)
    if how < 6:
        config, credentials = ini_gen.aws_files(d)
        return ini_gen.mutate_pair(d, config, credentials, donors, max_ops=3, havoc=True)
    config, credentials = d.choice(corpus)
    return ini_gen.mutate_pair(d, config, credentials, donors, max_ops=6, havoc=True)
