"""Rows for what IAM Identity Center grants beyond the config: pure (no Textual, no I/O).

Discovery (``rolecall.core.sso.discovery``, run by the app in a worker after
the first frame) finds every account and role a session's login grants.
:func:`build` turns it into table rows:

* one row per role that no profile signs in to, of kind :data:`KIND_NEW`
  (``sso·new``), named as ``rolecall sso populate`` would name its profile (the
  populate plan itself decides: the name ``a`` writes is the name shown);
* one row per session that has nothing else to show (no profile of it and no
  role known yet: never logged in), of kind :data:`KIND_LOGIN`: Enter logs it in;
* the account names, which the Account column shows beside the ID of every
  SSO row (:func:`annotate` for the profiles' rows).

A row's :class:`Target` says what acting on it means: a role to fetch
(``GetRoleCredentials``), or a session to log in to.  Discovered rows sort after
the profiles (``Row.discovered``), so 1,500 of them never bury the config's own.
Measured in bench/bench_tui.py (first frame with a discovery of 1,500 roles).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rolecall.tui.model import Row, clean

if TYPE_CHECKING:
    from rolecall.core.config import AwsConfig
    from rolecall.core.profiles import ProfileSet
    from rolecall.core.sso.discovery import Discovery, Role, SessionRoles
    from rolecall.core.sso.session import SsoSession

__all__ = [
    "KIND_LOGIN",
    "KIND_NEW",
    "Discovered",
    "Target",
    "account_text",
    "annotate",
    "build",
    "describe",
]

#: the kind of a row for a role that has no profile
KIND_NEW = "sso·new"
#: the kind of a row for a session to log in to (it shows nothing else yet)
KIND_LOGIN = "sso·login"
#: kinds whose Expires shows the session's token (``login`` when there is none)
SSO_KINDS = frozenset({"sso", KIND_NEW, KIND_LOGIN})


@dataclass(frozen=True, slots=True)
class Target:
    """What a discovered row stands for: ``role`` of ``session`` (None: the session
    itself, to log in to), and the discovery it came from (its naming)."""

    session: SsoSession
    role: Role | None = None
    discovery: Discovery | None = None
    #: the session's token file (:attr:`SsoSession.token_path`, found once per session)
    token: str = ""


@dataclass
class Discovered:
    """The rows :func:`build` made, what each stands for, and the account names."""

    rows: dict[str, Row] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    #: account ID -> name, from every session's discovery
    account_names: dict[str, str] = field(default_factory=dict)


def account_text(account_id: str, names: Mapping[str, str]) -> str:
    """The Account cell: the ID, and the account's name beside it when known.

    >>> account_text("143256789014", {"143256789014": "workloads-dev"})
    '143256789014 workloads-dev'
    >>> account_text("143256789014", {}), account_text("", {"": "x"})
    ('143256789014', '')
    """
    name = names.get(account_id) if account_id else None
    return clean(f"{account_id} {name}" if name else account_id)


def _session_text(session: SsoSession) -> str:
    return clean(session.name if session.name is not None else session.start_url)


def build(
    config: AwsConfig,
    found: Sequence[SessionRoles],
    favorites: Collection[str] = (),
) -> Discovered:
    """The rows of every session's discovery that the config's profiles do not cover."""
    from rolecall.core.sso.populate import plan

    out = Discovered()
    taken = set(config.profiles)
    used: set[object] | None = None  # the sessions some profile signs in with (one pass)
    for item in found:
        session, discovery = item.session, item.discovery
        token = session.token_path
        if discovery is not None:
            for role in discovery.roles:
                out.account_names.setdefault(role.account_id, role.account_name)
            named = plan(config, session, discovery).add
        else:
            named = {}
        for name, role in named.items():
            key = _free(name, taken)
            taken.add(key)
            out.targets[key] = Target(session, role, discovery, token)
            out.rows[key] = Row(
                name=key,
                label=clean(key),
                color=None,
                kind=KIND_NEW,
                account=account_text(role.account_id, out.account_names),
                role=clean(role.role_name),
                region=clean(session.region),
                source=_session_text(session),
                favorite=key in favorites,
                discovered=True,
            )
        if discovery is None:
            if used is None:
                used = _sessions_used(config)
            if _session_key(session) in used:
                continue
            key = _free(f"sso-session {session.name}" if session.name else session.start_url, taken)
            taken.add(key)
            out.targets[key] = Target(session, token=token)
            out.rows[key] = Row(
                name=key,
                label=clean(key),
                color=None,
                kind=KIND_LOGIN,
                account="",
                role="",
                region=clean(session.region),
                source=_session_text(session),
                favorite=key in favorites,
                discovered=True,
            )
    return out


def _session_key(session: SsoSession) -> tuple[str, str]:
    """What a profile names to sign in with ``session`` (``signs_in_with``'s rule)."""
    if session.name is not None:
        return ("sso_session", session.name)
    return ("sso_start_url", session.start_url)


def _sessions_used(config: AwsConfig) -> set[object]:
    """The :func:`_session_key` of every session some profile signs in with: its
    ``sso_session``, or (none) its legacy ``sso_start_url``.

    One pass over the profiles (a session-by-session scan took 4 s at 10,000
    profiles and 200 sessions).
    """
    used: set[object] = set()
    for values in config.profiles.values():
        name = values.get("sso_session")
        if name is not None:
            used.add(("sso_session", name))
        else:
            url = values.get("sso_start_url")
            if url is not None:
                used.add(("sso_start_url", url))
    return used


def _free(name: str, taken: Collection[str]) -> str:
    """``name``, or ``name-2``, ``name-3``... when a profile or another row has it."""
    if name not in taken:
        return name
    n = 2
    while f"{name}-{n}" in taken:
        n += 1
    return f"{name}-{n}"


def annotate(rows: Mapping[str, Row], profiles: ProfileSet, names: Mapping[str, str]) -> None:
    """Put the account names beside the IDs in the profiles' SSO rows (in place)."""
    for row in rows.values():
        if row.kind != "sso" or row.discovered:
            continue
        profile = profiles.get(row.name)
        if profile is None:
            continue
        text = account_text(profile.account_id or "", names)
        if text != row.account:
            row.account = text
            row._haystack = ""


def describe(name: str, target: Target, region: str | None = None) -> list[tuple[str, str]]:
    """The detail panel's lines for a discovered row: ``(label, text)`` pairs."""
    session = target.session
    where = session.label
    role = target.role
    if role is None:
        return [
            ("Session", where),
            ("Start URL", session.start_url),
            ("Region", session.region),
            ("", "Not logged in, so its accounts and roles are not known yet."),
            ("", "Enter logs in (a browser and a code), then lists what it grants."),
        ]
    lines = [
        ("Account", f"{role.account_id} {role.account_name}".strip()),
        ("Role", role.role_name),
        ("Session", where),
        ("Region", region or session.region),
        ("", "Granted by IAM Identity Center; no profile in your config uses it."),
        ("", "Enter assumes it (GetRoleCredentials), s opens a shell in it,"),
    ]
    if session.name is not None:
        lines.append(("", f"a adds it to your config as profile {name}."))
    else:
        lines.append(("", "a needs an [sso-session] (`rolecall sso configure`)."))
    return lines
