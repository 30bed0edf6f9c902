"""One profile per discovered role, written into the config losslessly.

:func:`populate` turns a :class:`~.discovery.Discovery` into profiles::

    [profile prod-adminaccess]
    sso_session = corp
    sso_account_id = 736190452278
    sso_role_name = AdminAccess
    region = eu-west-1
    rolecall_populated = true

* **Names** come from a template (default ``{account_name}-{role_name}``; also
  ``{account_id}`` and ``{session}``), after ``--prefix``, lowercased, with
  every run of characters other than ``a-z``, ``0-9``, ``.`` and ``_`` turned
  into one ``-``.  A name already taken (by any profile, or by a role placed
  before it in this run) gets ``-<account id>``, then ``-2``, ``-3``...; roles
  are placed in order of account name, account ID and role name, so the same
  discovery on the same config always gives the same names.
* **It never touches a profile it did not write.**  The ones it writes carry
  ``rolecall_populated = true`` (botocore and the AWS CLI ignore the key);
  ``--prune`` removes only those whose role is gone.  A role that already has a
  profile of the user's (same session, account and role) is left to it.
* **Idempotent**: a profile it wrote is kept as it is (edits to it stay), so a
  second run with the same roles changes no byte.
* The edit is one locked, checked, atomic write (:func:`rolecall.core.edit.edit_profiles`);
  ``dry_run`` returns the diff and writes nothing.

No network here: the caller passes the discovery.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field

from rolecall.core.config import AwsConfig
from rolecall.core.sso.discovery import Discovery, Role, sort_roles
from rolecall.core.sso.errors import CONFIG, SsoError
from rolecall.core.sso.session import SsoSession

__all__ = [
    "DEFAULT_TEMPLATE",
    "MARKER_KEY",
    "Plan",
    "plan",
    "populate",
    "profile_name",
    "slug",
]

DEFAULT_TEMPLATE = "{account_name}-{role_name}"
#: The key that marks a profile as written by ``rolecall sso populate``.
MARKER_KEY = "rolecall_populated"
MARKER_VALUE = "true"
FIELDS = ("account_name", "account_id", "role_name", "session")
_SLUG_RE = re.compile(r"[^a-z0-9._]+")
#: What IAM accepts: a 12-digit account, a role name of [\w+=,.@-] (a portal that
#: answers anything else is not written into the config).
_ACCOUNT_RE = re.compile(r"\d{12}")
_ROLE_RE = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)


def slug(text: str) -> str:
    """Lowercase, every run of other characters one ``-``, no ``-`` or ``.`` at the ends.

    >>> slug("Prod Account (EU)-AWSAdministratorAccess")
    'prod-account-eu-awsadministratoraccess'
    >>> slug("Ünïcode / data_lake")
    'n-code-data_lake'
    """
    return _SLUG_RE.sub("-", text.lower()).strip("-.")


def check_template(template: str) -> None:
    """Refuse a template with an unknown ``{field}`` (or broken braces)."""
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise SsoError(f"bad --template {template!r}: {exc}", None, CONFIG) from None
    unknown = [n for n in names if n not in FIELDS]
    if unknown or not names:
        raise SsoError(
            f"bad --template {template!r}"
            + (f": unknown field {{{unknown[0]}}}" if unknown else ": no field"),
            "use {account_name}, {account_id}, {role_name} and {session}",
            CONFIG,
        )


def profile_name(role: Role, session: SsoSession, template: str, prefix: str = "") -> str:
    """The name a role's profile gets before collisions are resolved.

    >>> r = Role("Prod EU", "736190452278", "AdminAccess")
    >>> profile_name(r, SsoSession("corp", "https://x", "eu-west-1"), DEFAULT_TEMPLATE, "sso-")
    'sso-prod-eu-adminaccess'
    """
    text = template.format(
        account_name=role.account_name,
        account_id=role.account_id,
        role_name=role.role_name,
        session=session.name or "",
    )
    return slug(prefix + text) or slug(f"{prefix}{role.account_id}-{role.role_name}")


@dataclass
class Plan:
    """What a populate will do: names to add (with their role), to remove, and why not others."""

    add: dict[str, Role] = field(default_factory=dict)
    keep: dict[str, Role] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    #: marked profiles whose role is gone, left because ``prune`` was not asked
    stale: list[str] = field(default_factory=list)
    #: roles that already have a profile of the user's: role -> that profile
    covered: dict[Role, str] = field(default_factory=dict)
    #: roles whose account ID or role name IAM would refuse: never written
    invalid: list[Role] = field(default_factory=list)


def _key(account: object, role: object) -> tuple[str, str] | None:
    if isinstance(account, str) and isinstance(role, str):
        return account, role
    return None


def plan(
    config: AwsConfig,
    session: SsoSession,
    discovery: Discovery,
    *,
    template: str = DEFAULT_TEMPLATE,
    prefix: str = "",
    prune: bool = False,
) -> Plan:
    """Decide every name: kept, added, removed, covered (see the module docstring)."""
    result = Plan()
    ours: dict[tuple[str, str], str] = {}
    theirs: dict[tuple[str, str], str] = {}
    marked_elsewhere: list[str] = []
    for name, values in config.profiles.items():
        if values.get("sso_session") != session.name:
            continue
        key = _key(values.get("sso_account_id"), values.get("sso_role_name"))
        if values.get(MARKER_KEY) == MARKER_VALUE:
            if key is None:
                marked_elsewhere.append(name)
            else:
                ours.setdefault(key, name)
        elif key is not None:
            theirs.setdefault(key, name)
    wanted = {(r.account_id, r.role_name): r for r in sort_roles(discovery.roles)}
    taken = set(config.profiles) | {"default"}
    for key, role in wanted.items():
        if key in ours:
            result.keep[ours[key]] = role
    for key, role in wanted.items():  # (discovery order: account name, ID, role)
        if key in ours:
            continue
        if not (_ACCOUNT_RE.fullmatch(role.account_id) and _ROLE_RE.fullmatch(role.role_name)):
            result.invalid.append(role)
            continue
        if key in theirs:
            result.covered[role] = theirs[key]
            continue
        name = _free_name(profile_name(role, session, template, prefix), role, taken)
        taken.add(name)
        result.add[name] = role
    for key, name in sorted(ours.items(), key=lambda item: item[1]):
        if key not in wanted:
            (result.remove if prune else result.stale).append(name)
    return result


def _free_name(base: str, role: Role, taken: set[str]) -> str:
    if base not in taken:
        return base
    name = f"{base}-{role.account_id}"
    n = 2
    while name in taken:
        name = f"{base}-{role.account_id}-{n}"
        n += 1
    return name


def profile_settings(session: SsoSession, role: Role, region: str | None) -> dict[str, str]:
    """The settings of a populated profile, in the order they are written."""
    assert session.name is not None
    return {
        "sso_session": session.name,
        "sso_account_id": role.account_id,
        "sso_role_name": role.role_name,
        "region": region or session.region,
        MARKER_KEY: MARKER_VALUE,
    }


@dataclass(frozen=True)
class PopulateResult:
    """What :func:`populate` did (or, with ``dry_run``, would do)."""

    path: str
    plan: Plan
    diff: str
    written: bool


def populate(
    session: SsoSession,
    discovery: Discovery,
    *,
    template: str = DEFAULT_TEMPLATE,
    prefix: str = "",
    prune: bool = False,
    dry_run: bool = False,
    region: str | None = None,
    config: str | None = None,
    credentials: str | None = None,
) -> PopulateResult:
    """Write the profiles of :func:`plan` into the config file (one locked edit).

    Raises :class:`SsoError` for a legacy session or a bad template, and
    :class:`rolecall.core.edit.EditError` when the edit is refused (the file is
    then untouched).
    """
    if session.name is None:
        raise SsoError(
            "populate needs an [sso-session] (this is a legacy sso_start_url profile)",
            "add one with `rolecall sso configure`, then populate with --sso-session",
            CONFIG,
        )
    check_template(template)
    from rolecall.core.edit import Change, edit_profiles

    decided: list[Plan] = []

    def changes(current: AwsConfig) -> Mapping[str, Change]:
        chosen = plan(current, session, discovery, template=template, prefix=prefix, prune=prune)
        decided.append(chosen)
        out: dict[str, Change] = {
            n: profile_settings(session, r, region) for n, r in chosen.add.items()
        }
        out.update({n: None for n in chosen.remove})
        return out

    result = edit_profiles(changes, dry_run=dry_run, config=config, credentials=credentials)
    return PopulateResult(result.path, decided[-1], result.diff(), result.written)
