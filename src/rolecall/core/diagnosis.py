"""The diagnosis of one profile taken alone: what botocore's providers refuse.

:func:`_own_problems` follows botocore's providers in their order (assume role,
web identity, SSO, the static keys of each file, ``credential_process``); the
problems met along a chain are the resolution's
(:class:`rolecall.core.profiles.ProfileSet`).  Each problem is one line.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from rolecall.core.ini import Value, Values
from rolecall.core.profile import Sides, has_static_keys
from rolecall.core.setting_rules import (
    _PLAIN_ARN_RE,
    _REGION_RE,
    duration_problem,
    mfa_serial_problem,
    region_problem,
    role_arn_problem,
    valid_role_arn,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from rolecall.core.profile import Profile

__all__ = ["CREDENTIAL_SOURCES", "SSO_REQUIRED"]

CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")
SSO_REQUIRED = ("sso_start_url", "sso_region", "sso_account_id", "sso_role_name")
_SHLEX_SPECIAL = frozenset("'\"\\")
#: Role settings botocore reads as plain strings (a nested block breaks it).
_ROLE_KEYS = ("role_arn", "source_profile", "credential_source", "duration_seconds")
#: Settings that break botocore as a nested block, whatever the profile's kind.
_VALUE_KEYS = ("sso_session", "credential_process")
_ROLE_AND_VALUE_KEYS = _ROLE_KEYS + _VALUE_KEYS


def _shown_setting_problems(profile: Profile, out: list[str]) -> None:
    """A ``region`` or ``mfa_serial`` that is not one: rolecall prints and exports
    them (a hostile value would drive the terminal or a shell), so they are
    problems, and ``env``, ``exec`` and ``shell`` refuse the profile."""
    if profile.region is not None:
        problem = region_problem(profile.region)
        if problem:
            out.append(problem)
    if profile.mfa_serial is not None:
        problem = mfa_serial_problem(profile.mfa_serial)
        if problem:
            out.append(problem)


def _static_problem(values: Mapping[str, Value], sides: Sides | None = None) -> str | None:
    """What is wrong with a profile's static keys, if anything.

    ``sides`` are the profile's values in each file, when it is in both:
    botocore takes the keys from the credentials file when it has
    ``aws_access_key_id``, else from the config file, and each needs
    ``aws_secret_access_key`` in the same file.
    """
    if "aws_access_key_id" not in values:
        return "aws_secret_access_key is set without aws_access_key_id"
    if "aws_secret_access_key" not in values:
        return "aws_access_key_id is set without aws_secret_access_key"
    if sides is not None:
        config_side, credentials_side = sides
        for side, label in ((credentials_side, "credentials"), (config_side, "config")):
            if "aws_access_key_id" in side:
                if "aws_secret_access_key" in side:
                    return None
                return (
                    f"aws_access_key_id is in the {label} file without aws_secret_access_key; "
                    "botocore reads both keys from the same file"
                )
    return None


def _process_problem(command: Value) -> str | None:
    """Why botocore cannot run a ``credential_process`` (it splits it with ``shlex``)."""
    if command.__class__ is not str:
        return None  # a nested block: reported as such
    if not command:
        return "credential_process is empty"
    if _SHLEX_SPECIAL.isdisjoint(command):
        return None  # shlex fails only on an unclosed quote or a trailing backslash
    try:
        shlex.split(command)
    except ValueError as exc:
        return f"credential_process is not a valid command line: {exc}"
    return None


def _own_problems(
    profile: Profile, sso_sessions: Mapping[str, Values], sides: Sides | None = None
) -> list[str]:
    """Problems of a profile taken alone (not following its source).

    The checks follow botocore's providers in their order: the first one that
    takes the profile is the one whose settings matter.  ``sides`` are the
    profile's values in each file, when it is in both.
    """
    values = profile.values
    out: list[str] = []
    kind = profile.kind
    if kind == "assume-role" and not profile.nested:
        # the most common kind, checked at once: the same checks, in the same
        # order, as below (_shown_setting_problems, valid_role_arn and
        # _role_problems written out; every value is a string)
        if "credential_process" in values:
            problem = _process_problem(values["credential_process"])
            if problem:
                out.append(problem)
        region: str | None = values.get("region")  # type: ignore[assignment]
        if region is not None and _REGION_RE.fullmatch(region) is None:
            problem = region_problem(region)
            if problem:
                out.append(problem)
        if "mfa_serial" in values:
            problem = mfa_serial_problem(values["mfa_serial"])  # type: ignore[arg-type]
            if problem:
                out.append(problem)
        arn: str = values["role_arn"]  # type: ignore[assignment]
        if _PLAIN_ARN_RE.fullmatch(arn) is not None or valid_role_arn(arn):
            profile._arn_ok = True
        else:
            out.append(f"role_arn {arn!r} is not a valid IAM role ARN: {role_arn_problem(arn)}")
        if "credential_source" in values or "duration_seconds" in values:
            _role_problems(profile, out)
        return out
    plain = _VALUE_KEYS if kind == "static" or kind == "sso" else _ROLE_AND_VALUE_KEYS
    _value_problems(profile, plain, out)
    _shown_setting_problems(profile, out)
    if kind == "static":
        # (no role_arn and no SSO setting, or it would be another kind)
        if "web_identity_token_file" not in values or not _web_identity(values, out):
            partial = _static_problem(values, sides)
            if partial:
                out.append(partial)
        return out
    if kind == "assume-role" or kind == "web-identity" or kind == "incomplete":
        role_arn = profile.role_arn
        if role_arn is not None:
            profile._arn_ok = valid_role_arn(role_arn)
            if not profile._arn_ok:
                why = role_arn_problem(role_arn)
                out.append(f"role_arn {role_arn!r} is not a valid IAM role ARN: {why}")
        if kind == "assume-role":
            _role_problems(profile, out)
            return out  # the assume-role provider takes it
        if kind == "incomplete" and "role_arn" in values:
            out.append("role_arn is set without source_profile or credential_source")
            return out  # the assume-role provider takes it, and refuses
    _provider_problems(profile, sso_sessions, sides, out)
    return out


def _value_problems(profile: Profile, plain: tuple[str, ...], out: list[str]) -> None:
    """Settings botocore cannot use as written: a nested block among the ``plain``
    keys, and a ``credential_process`` it cannot split."""
    values = profile.values
    if profile.nested:
        for key in plain:
            if values.get(key).__class__ is dict:
                out.append(f"{key} is a nested block, not a value")
    if "credential_process" in values:
        problem = _process_problem(values["credential_process"])
        if problem:
            out.append(problem)


def _provider_problems(
    profile: Profile, sso_sessions: Mapping[str, Values], sides: Sides | None, out: list[str]
) -> None:
    """What botocore's profile providers refuse, in their order: web identity,
    SSO, the credentials file, ``credential_process``, the config file.

    They read a profile that the assume-role provider does not take, and a
    source profile that holds credentials of its own.
    """
    values = profile.values
    if "web_identity_token_file" in values and _web_identity(values, out):
        return
    active = "sso_account_id" in values or "sso_role_name" in values
    if active or profile.kind == "sso":
        _sso_problems(profile, active, sso_sessions, out)
    if not active and has_static_keys(values):
        partial = _static_problem(values, sides)
        if partial:
            out.append(partial)


def _web_identity(values: Values, out: list[str]) -> bool:
    """Whether botocore's web identity provider takes the profile (and what it refuses)."""
    if not values["web_identity_token_file"]:
        return False  # an empty path: botocore goes on to the next provider
    if "role_arn" not in values:
        out.append("web_identity_token_file is set without role_arn")
    elif not values["role_arn"]:
        out.append("role_arn is empty, and web_identity_token_file needs it")
    return True


def _role_problems(profile: Profile, out: list[str]) -> None:
    values = profile.values
    if "credential_source" in values:
        source = values["credential_source"]
        if "source_profile" in values:
            out.append("both source_profile and credential_source are set; use one")
        elif source.__class__ is str and source not in CREDENTIAL_SOURCES:
            out.append(
                f"credential_source {source!r} is not one of " + ", ".join(CREDENTIAL_SOURCES)
            )
    raw = values.get("duration_seconds")
    if raw is not None and raw.__class__ is str:
        problem = duration_problem(raw)
        if problem:
            out.append(problem)


def _sso_problems(
    profile: Profile, active: bool, sso_sessions: Mapping[str, Values], out: list[str]
) -> None:
    """What botocore's SSO provider refuses (it runs when ``active``)."""
    values = profile.values
    session = profile.get("sso_session")
    if session is not None and session not in sso_sessions:
        out.append(f"sso_session {session!r} does not exist")
    elif active:
        shared: Mapping[str, Value] = {}
        if session is not None:
            shared = sso_sessions[session]
            if not values.keys().isdisjoint(shared):
                for key, value in shared.items():
                    mine = values.get(key, value)
                    if mine != value:
                        out.append(
                            f"{key} is {_short(mine)} in the profile but {_short(value)} "
                            f"in sso-session {session!r}"
                        )
        missing = ""
        for key in SSO_REQUIRED:
            if key not in values and key not in shared:
                missing = f"{missing}, {key}" if missing else key
        if missing:
            out.append("SSO profile is missing " + missing)


def _short(value: Value) -> str:
    return "a nested block" if isinstance(value, dict) else repr(value)
