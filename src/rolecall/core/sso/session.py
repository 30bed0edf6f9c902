"""Which SSO session a command means, read from the config as botocore reads it.

An :class:`SsoSession` is either an ``[sso-session NAME]`` section (``sso_start_url``,
``sso_region``, ``sso_registration_scopes``) or, for a legacy profile, the
``sso_start_url`` and ``sso_region`` written in the profile itself.  Its token
lives where the AWS CLI v2 keeps it: ``~/.aws/sso/cache/<sha1(NAME)>.json``, or
``<sha1(start URL)>.json`` for a legacy profile.

:func:`resolve` picks the session of ``--sso-session NAME``, of a profile, or
the only one in the config; anything else is an :class:`~.errors.SsoError`
with the choices in its hint.  No network, no boto3.
"""

from __future__ import annotations

from rolecall.core._record import FrozenRecord
from rolecall.core.cache import keys
from rolecall.core.sso.errors import CONFIG, SsoError

TYPE_CHECKING = False
if TYPE_CHECKING:  # (a cache hit of `sso roles` imports neither typing nor dataclasses)
    from collections.abc import Mapping

    from rolecall.core.config import AwsConfig

__all__ = [
    "DEFAULT_SCOPES",
    "SsoSession",
    "parse_scopes",
    "resolve",
    "role_profiles",
    "session_of_profile",
    "sessions",
    "signs_in_with",
]

#: The scopes registered when ``sso_registration_scopes`` is not set.
DEFAULT_SCOPES = ("sso:account:access",)


def parse_scopes(raw: object) -> tuple[str, ...]:
    """``sso_registration_scopes`` as a tuple (comma-separated, blanks dropped).

    >>> parse_scopes("sso:account:access, codewhisperer:completions")
    ('sso:account:access', 'codewhisperer:completions')
    >>> parse_scopes(None)
    ('sso:account:access',)
    """
    if not isinstance(raw, str):
        return DEFAULT_SCOPES
    scopes = tuple(s.strip() for s in raw.split(",") if s.strip())
    return scopes or DEFAULT_SCOPES


class SsoSession(FrozenRecord):
    """One IAM Identity Center sign-in: a portal (start URL) in a region.

    ``name`` is the ``[sso-session NAME]``; None for a legacy profile, whose
    ``profile`` is then the profile that holds the start URL.
    """

    __slots__ = ("name", "start_url", "region", "scopes", "profile")
    _fields = __slots__

    name: str | None
    start_url: str
    region: str
    scopes: tuple[str, ...]
    profile: str | None

    def __init__(
        self,
        name: str | None,
        start_url: str,
        region: str,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
        profile: str | None = None,
    ) -> None:
        self._set("name", name)
        self._set("start_url", start_url)
        self._set("region", region)
        self._set("scopes", scopes)
        self._set("profile", profile)

    @property
    def legacy(self) -> bool:
        return self.name is None

    @property
    def label(self) -> str:
        """How messages name it: ``sso-session NAME`` or the start URL."""
        return f"sso-session {self.name}" if self.name is not None else self.start_url

    @property
    def token_path(self) -> str:
        """The AWS CLI v2's token file for this session (see :func:`keys.sso_token_path`)."""
        values = {"sso_session": self.name} if self.name else {"sso_start_url": self.start_url}
        path = keys.sso_token_path(values)
        assert path is not None
        return path

    @property
    def cache_id(self) -> str:
        """A file-name-safe key of this session (rolecall's own discovery cache).

        >>> len(SsoSession("corp", "https://x/start", "eu-west-1").cache_id)
        40
        """
        ident = {"sessionName": self.name} if self.name else {"startUrl": self.start_url}
        return keys.json_key(ident)

    def login_hint(self) -> str:
        """The command that logs this session in."""
        if self.name is not None:
            return f"run `rolecall sso login --sso-session {self.name}`"
        return f"run `rolecall sso login {self.profile}`"

    def registration_key(self) -> str:
        """The AWS CLI v2's cache key of the client registration for this session.

        ``sha1(json.dumps({"tool": "botocore", "startUrl", "region", "scopes",
        "session_name"}, sort_keys=True))``, so that ``aws sso login`` and rolecall
        reuse each other's registration.
        """
        args = {
            "tool": "botocore",
            "startUrl": self.start_url,
            "region": self.region,
            "scopes": list(self.scopes),
            "session_name": self.name,
        }
        return keys.json_key(args)


def _from_section(name: str, values: Mapping[str, object]) -> SsoSession:
    start = values.get("sso_start_url")
    region = values.get("sso_region")
    missing = [k for k, v in (("sso_start_url", start), ("sso_region", region)) if not v]
    if missing or not isinstance(start, str) or not isinstance(region, str):
        raise SsoError(
            f"sso-session {name!r} has no {' or '.join(missing)}",
            f"add it to [sso-session {name}] (or run `rolecall sso configure`)",
            CONFIG,
        )
    return SsoSession(name, start, region, parse_scopes(values.get("sso_registration_scopes")))


def _sso_root(config: AwsConfig, profile: str) -> str:
    """``profile``, or the SSO profile at the root of its ``source_profile`` chain."""
    seen = [profile]
    name = profile
    while True:
        values = config.profiles.get(name)
        if values is None:
            raise SsoError(f"no profile named {name!r}", "`rolecall list` shows them", CONFIG)
        if "sso_session" in values or "sso_start_url" in values:
            return name
        source = values.get("source_profile")
        if not isinstance(source, str) or source in seen:
            return profile  # (not an SSO chain: the caller says so)
        seen.append(source)
        name = source


def session_of_profile(config: AwsConfig, profile: str) -> SsoSession:
    """The session an SSO profile signs in with (its ``sso_session``, or its legacy URL);
    for a role profile, that of the SSO profile its ``source_profile`` chain starts from."""
    profile = _sso_root(config, profile)
    values = config.profiles[profile]
    name = values.get("sso_session")
    if isinstance(name, str):
        section = config.sso_sessions.get(name)
        if section is None:
            raise SsoError(
                f"profile {profile!r} names sso_session {name!r}, which does not exist",
                f"add [sso-session {name}] (or run `rolecall sso configure`)",
                CONFIG,
            )
        return _from_section(name, section)
    start = values.get("sso_start_url")
    if not isinstance(start, str) or not start:
        raise SsoError(f"profile {profile!r} is not an SSO profile", None, CONFIG)
    region = values.get("sso_region")
    if not isinstance(region, str) or not region:
        raise SsoError(f"profile {profile!r} has sso_start_url but no sso_region", None, CONFIG)
    return SsoSession(
        None, start, region, parse_scopes(values.get("sso_registration_scopes")), profile
    )


def sessions(config: AwsConfig) -> list[SsoSession]:
    """Every usable session: each complete ``[sso-session]``, then each legacy start URL
    (once, with the first profile that names it)."""
    found: list[SsoSession] = []
    for name, values in config.sso_sessions.items():
        try:
            found.append(_from_section(name, values))
        except SsoError:
            continue
    seen: set[str] = set()
    for profile, values in config.profiles.items():
        if "sso_session" in values or not isinstance(values.get("sso_start_url"), str):
            continue
        try:
            legacy = session_of_profile(config, profile)
        except SsoError:
            continue
        if legacy.start_url not in seen:
            seen.add(legacy.start_url)
            found.append(legacy)
    return found


def signs_in_with(values: Mapping[str, object], session: SsoSession) -> bool:
    """Whether a profile's ``values`` sign in through ``session``: its ``sso_session``,
    or (a legacy session) no ``sso_session`` and the same ``sso_start_url``.

    >>> corp = SsoSession("corp", "https://x/start", "eu-west-1")
    >>> signs_in_with({"sso_session": "corp"}, corp), signs_in_with({}, corp)
    (True, False)
    >>> legacy = SsoSession(None, "https://x/start", "eu-west-1", profile="p")
    >>> signs_in_with({"sso_start_url": "https://x/start"}, legacy)
    True
    """
    if session.name is not None:
        return values.get("sso_session") == session.name
    return "sso_session" not in values and values.get("sso_start_url") == session.start_url


def role_profiles(config: AwsConfig, session: SsoSession) -> dict[tuple[str, str], str]:
    """``(account ID, role name)`` -> the first profile (config order) that signs in to
    that role through ``session`` (:func:`signs_in_with`)."""
    found: dict[tuple[str, str], str] = {}
    for name, values in config.profiles.items():
        if not signs_in_with(values, session):
            continue
        account, role = values.get("sso_account_id"), values.get("sso_role_name")
        if isinstance(account, str) and isinstance(role, str):
            found.setdefault((account, role), name)
    return found


def resolve(
    config: AwsConfig, *, profile: str | None = None, session: str | None = None
) -> SsoSession:
    """The session meant by ``--sso-session NAME``, by ``PROFILE``, or the only one there is."""
    if session is not None:
        values = config.sso_sessions.get(session)
        if values is None:
            known = ", ".join(sorted(config.sso_sessions)) or "none"
            raise SsoError(
                f"no [sso-session {session}] in {config.config_file}",
                f"sessions there: {known}; `rolecall sso configure` adds one",
                CONFIG,
            )
        return _from_section(session, values)
    if profile is not None:
        return session_of_profile(config, profile)
    found = sessions(config)
    if len(found) == 1:
        return found[0]
    if not found and len(config.sso_sessions) == 1:
        name, values = next(iter(config.sso_sessions.items()))
        return _from_section(name, values)  # (raises: it is incomplete)
    if not found:
        raise SsoError(
            f"no SSO session in {config.config_file}",
            "add one with `rolecall sso configure`",
            CONFIG,
        )
    names = ", ".join(s.name or s.start_url for s in found)
    raise SsoError(
        f"{len(found)} SSO sessions in {config.config_file} ({names})",
        "pick one with --sso-session NAME (or give a profile)",
        CONFIG,
    )
