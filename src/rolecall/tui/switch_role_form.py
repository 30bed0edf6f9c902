"""The Switch role form's logic: checking the fields and writing the profile (pure: no Textual).

:func:`validate` turns the form's values into a :class:`SwitchRoleRequest` or an
error per field; :func:`save_request` writes it (the lossless editor, then the
display name and colour in the settings) and says why when that refuses.
``screens/switch_role.py`` holds the widgets.

The form's other choice (:data:`KINDS`) adds an IAM Identity Center session
instead, as ``rolecall sso configure`` does, with the same checks
(``rolecall.core.sso.configure``): :func:`validate_sso` gives a
:class:`SsoSessionRequest`, which :func:`save_request` writes too.  It is what a
config with no profile needs first (a role needs a source profile).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rolecall.core.profiles import RoleArn, role_arn_problem
from rolecall.tui.lines import one_line

if TYPE_CHECKING:
    from rolecall.settings import Settings

__all__ = [
    "FIELDS",
    "KINDS",
    "SSO_FIELDS",
    "SsoSessionRequest",
    "SsoValidation",
    "SwitchRoleRequest",
    "Validation",
    "color_choices",
    "default_name",
    "save_request",
    "validate",
    "validate_sso",
]

_ACCOUNT_RE = re.compile(r"\d{12}")
_ROLE_NAME_RE = re.compile(r"(?:[!-.0-~]+/)*[\w+=,.@-]{1,64}", re.ASCII)
_REGION_RE = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
_SERIAL_RE = re.compile(r"[\w+=/:,.@-]{9,256}", re.ASCII)
_SLUG_RE = re.compile(r"[^A-Za-z0-9_.@-]+")

#: the form's fields, in order
FIELDS = ("account", "role", "display", "color", "name", "source", "region", "mfa")
#: what the form adds: a role profile, or an IAM Identity Center session
KINDS = (("role", "a role profile (Switch role)"), ("sso", "an IAM Identity Center (SSO) session"))
#: the SSO session's fields, in order
SSO_FIELDS = ("sso-url", "sso-region", "sso-name")


@dataclass
class SwitchRoleRequest:
    """A valid form: the profile to write, and its display name and colour."""

    name: str
    settings: dict[str, str]
    display_name: str | None = None
    color: str | None = None


@dataclass
class Validation:
    """The errors of the form by field, or (when there are none) the request to write."""

    errors: dict[str, str] = field(default_factory=dict)
    request: SwitchRoleRequest | None = None


@dataclass
class SsoSessionRequest:
    """A valid SSO choice: the ``[sso-session NAME]`` to write, and its settings."""

    name: str
    settings: dict[str, str]

    @property
    def start_url(self) -> str:
        return self.settings["sso_start_url"]

    @property
    def region(self) -> str:
        return self.settings["sso_region"]


@dataclass
class SsoValidation:
    """The SSO choice's errors by field, or (when there are none) the session to write."""

    errors: dict[str, str] = field(default_factory=dict)
    request: SsoSessionRequest | None = None


def validate_sso(values: dict[str, str], sessions: Sequence[str]) -> SsoValidation:
    """Check the SSO choice (``rolecall sso configure``'s rules); ``sessions`` are the
    names the config has already.

    >>> ok = validate_sso({"sso-url": "https://acme.awsapps.com/start",
    ...                    "sso-region": "eu-west-1"}, [])
    >>> ok.request.name, ok.request.settings["sso_registration_scopes"]
    ('acme', 'sso:account:access')
    >>> validate_sso({"sso-url": "acme", "sso-region": "europe"}, []).errors["sso-region"]
    'Not an AWS region: a region looks like eu-west-1.'
    """
    from rolecall.core.sso import configure

    url = values.get("sso-url", "").strip()
    region = values.get("sso-region", "").strip()
    name = values.get("sso-name", "").strip()
    errors: dict[str, str] = {}
    if not url:
        errors["sso-url"] = "Enter the AWS access portal URL (https://…awsapps.com/start)."
    elif configure.start_url_problem(url):
        errors["sso-url"] = "Not an https URL: your portal's, like https://acme.awsapps.com/start."
    if not region:
        errors["sso-region"] = "Enter the region of IAM Identity Center (e.g. eu-west-1)."
    elif configure.region_problem(region):
        errors["sso-region"] = "Not an AWS region: a region looks like eu-west-1."
    name = name or configure.default_name(url)
    problem = configure.name_problem(name)
    if problem:
        errors["sso-name"] = problem[0].upper() + problem[1:] + "."
    elif name in sessions:
        errors["sso-name"] = f"[sso-session {name}] already exists; choose another name."
    if errors:
        return SsoValidation(errors)
    return SsoValidation(request=SsoSessionRequest(name, configure.session_settings(url, region)))


def default_name(role: str, account: str, display: str) -> str:
    """The profile name used when the form leaves it blank.

    >>> default_name("Admin", "123456789012", "[prod] admin")
    'prod-admin'
    >>> default_name("ops/Admin", "123456789012", "")
    'Admin-123456789012'
    """
    slug = _SLUG_RE.sub("-", display).strip("-.")
    if slug:
        return slug
    return f"{role.rsplit('/', 1)[-1]}-{account}"


def validate(values: dict[str, str], existing: Sequence[str]) -> Validation:
    """Check the form; on success ``request`` holds what to write."""
    errors: dict[str, str] = {}
    account = values.get("account", "").strip()
    role = values.get("role", "").strip()
    display = values.get("display", "").strip()
    color = values.get("color", "").strip()
    name = values.get("name", "").strip()
    source = values.get("source", "").strip()
    region = values.get("region", "").strip()
    mfa = values.get("mfa", "").strip()

    arn: str | None = None
    if role.startswith("arn:"):
        parsed = RoleArn.parse(role)
        if parsed is None:
            problem = role_arn_problem(role) or "it is not arn:aws:iam::ACCOUNT:role/NAME"
            errors["role"] = f"Not a role ARN: {problem}."
        else:
            arn = role
            if account and account != parsed.account_id:
                errors["account"] = f"The ARN is in account {parsed.account_id}."
            account = account or parsed.account_id
            role_name = parsed.name
    else:
        role_name = role.rsplit("/", 1)[-1]
        if not role:
            errors["role"] = "Enter a role name or a role ARN."
        elif not _ROLE_NAME_RE.fullmatch(role):
            errors["role"] = "Role names use letters, digits and +=,.@_- (64 at most)."
    if "account" not in errors:
        if not account:
            errors["account"] = "Enter the 12-digit account ID."
        elif not _ACCOUNT_RE.fullmatch(account):
            errors["account"] = "An account ID is exactly 12 digits."
    if arn is None and "role" not in errors and "account" not in errors:
        arn = RoleArn.build(account, role.strip("/"))
        if RoleArn.parse(arn) is None:
            errors["role"] = "That role name does not make a valid ARN."

    if display and any(ord(c) < 32 for c in display):
        errors["display"] = "One line of text."
    if not source:
        errors["source"] = "Pick the profile whose credentials assume this role."
    elif source not in existing:
        errors["source"] = f"No profile named {source!r}."
    if region and not _REGION_RE.fullmatch(region):
        errors["region"] = "A region looks like eu-west-1."
    if mfa and not _SERIAL_RE.fullmatch(mfa):
        errors["mfa"] = "An MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) or serial."

    if not errors:
        name = name or default_name(role_name, account, display)
        if name in existing:
            errors["name"] = f"Profile {name!r} already exists; choose another name."
        elif not name or name != name.strip() or "]" in name:
            errors["name"] = "Profile names cannot contain ']' or start/end with spaces."
    if errors:
        return Validation(errors)
    assert arn is not None
    settings = {"role_arn": arn, "source_profile": source}
    if region:
        settings["region"] = region
    if mfa:
        settings["mfa_serial"] = mfa
    return Validation(
        request=SwitchRoleRequest(name, settings, display or None, color or None),
    )


def color_choices() -> list[str]:
    """Every colour name the settings accept (the form offers them all)."""
    from rolecall.settings import COLOR_NAMES

    return list(COLOR_NAMES)


def save_request(
    request: SwitchRoleRequest | SsoSessionRequest,
    settings: Settings,
    config: str | None,
    credentials: str | None,
    warn: Callable[[str], None],
) -> str | None:
    """Write the profile (lossless editor), then its display name and colour (settings);
    or the SSO session.

    Returns why nothing was written, or None.  A settings failure after the
    profile was written only warns: the profile is there.
    """
    from rolecall.core.edit import EditError, add_profile, add_sso_session
    from rolecall.settings import SettingsError, set_display

    if isinstance(request, SsoSessionRequest):
        try:
            add_sso_session(request.name, request.settings, config=config, credentials=credentials)
        except (EditError, OSError) as exc:
            return f"Not written: {one_line(exc)}"
        return None
    try:
        add_profile(request.name, request.settings, config=config, credentials=credentials)
    except (EditError, OSError) as exc:
        return f"Not written: {one_line(exc)}"
    if request.display_name or request.color:
        try:
            set_display(settings, request.name, request.display_name, request.color)
        except (SettingsError, ValueError, OSError) as exc:
            warn(
                f"Profile {request.name} added, but its display name was not saved: {one_line(exc)}"
            )
    return None
