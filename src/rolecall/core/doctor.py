"""``rolecall doctor``: what is wrong with the environment, the config and the files.

Every check gives :class:`Finding` lines; none makes a network call or prints
a secret (key ids are masked, secret keys and tokens never read out).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rolecall.core.cache import binding, json_files, keys, timestamps, trust
from rolecall.core.cache_permissions import binding_problems, permission_problems
from rolecall.core.config import ConfigError, missing_named_config
from rolecall.core.plural import plural
from rolecall.core.profiles import ProfileSet, load_profiles

__all__ = ["Finding", "run_checks"]

OK = "ok"
WARN = "warn"
PROBLEM = "problem"


@dataclass(frozen=True)
class Finding:
    level: str  # ok | warn | problem
    message: str
    hint: str | None = None

    def line(self) -> str:
        text = f"{self.level:<8} {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return text


def _mask(key: str) -> str:
    return f"{key[:4]}…{key[-4:]}" if len(key) > 12 else key[:4] + "…"


def check_environment(
    env: Mapping[str, str], profiles: ProfileSet | None, now: datetime
) -> list[Finding]:
    out: list[Finding] = []
    akid = env.get("AWS_ACCESS_KEY_ID", "")
    secret = env.get("AWS_SECRET_ACCESS_KEY", "")
    token = env.get("AWS_SESSION_TOKEN") or env.get("AWS_SECURITY_TOKEN") or ""
    if akid and not secret:
        out.append(
            Finding(
                PROBLEM,
                f"AWS_ACCESS_KEY_ID ({_mask(akid)}) is set without AWS_SECRET_ACCESS_KEY",
                "set both, or unset AWS_ACCESS_KEY_ID",
            )
        )
    elif secret and not akid:
        out.append(
            Finding(
                PROBLEM,
                "AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID",
                "set both, or unset AWS_SECRET_ACCESS_KEY",
            )
        )
    if akid.startswith("ASIA") and not token:
        out.append(
            Finding(
                PROBLEM,
                f"AWS_ACCESS_KEY_ID ({_mask(akid)}) is a temporary key but "
                "AWS_SESSION_TOKEN is not set",
                "temporary (ASIA) keys only work with their session token: export it, "
                "or unset the keys",
            )
        )
    raw_exp = env.get("AWS_CREDENTIAL_EXPIRATION")
    if raw_exp:
        when = timestamps.parse_expiration(raw_exp)
        if when is None:
            out.append(
                Finding(
                    PROBLEM,
                    f"AWS_CREDENTIAL_EXPIRATION {raw_exp[:40]!r} is not a timestamp",
                    "use ISO 8601, like 2026-01-31T12:00:00Z",
                )
            )
        elif when <= now:
            out.append(
                Finding(
                    PROBLEM,
                    "the environment credentials expired at "
                    f"{timestamps.format_expiration(when)} ({timestamps.humanize(when - now)})",
                    'run `eval "$(rolecall env PROFILE)"` again, or unset AWS_ACCESS_KEY_ID '
                    "AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION",
                )
            )
        elif when - now < timedelta(minutes=15):
            out.append(
                Finding(
                    WARN,
                    f"the environment credentials expire in {timestamps.humanize(when - now)}",
                    "refresh them soon",
                )
            )
        else:
            out.append(
                Finding(
                    OK,
                    f"the environment credentials are valid for {timestamps.humanize(when - now)}",
                )
            )
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        name = env.get(var)
        if not name:
            continue
        if akid:
            out.append(
                Finding(
                    PROBLEM,
                    f"{var}={name} is set together with AWS_ACCESS_KEY_ID: the keys win, "
                    "silently, and the profile is ignored",
                    f"unset {var}, or unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY "
                    "AWS_SESSION_TOKEN",
                )
            )
        if profiles is not None and name not in profiles:
            from rolecall.core.suggest import did_you_mean

            hint = did_you_mean(name, profiles.profiles)
            out.append(
                Finding(
                    PROBLEM,
                    f"{var}={name} names a profile that does not exist",
                    f"{hint + ' ' if hint else ''}fix {var} or add the profile; "
                    "`rolecall list` shows them",
                )
            )
    inside = env.get("ROLECALL_SHELL")
    if inside:
        out.append(Finding(OK, f"inside a rolecall shell for profile {inside}"))
    if not any(f.level != OK for f in out) and not raw_exp:
        if akid:
            out.append(Finding(OK, f"environment keys are set ({_mask(akid)})"))
        else:
            out.append(Finding(OK, "no AWS keys in the environment"))
    return out


def check_config(profiles: ProfileSet) -> list[Finding]:
    cfg = profiles.config
    out: list[Finding] = []
    for problem in cfg.problems:
        out.append(Finding(PROBLEM, str(problem), "fix the file; `rolecall list` shows the same"))
    bad = [p for p in profiles if p.problems]
    for prof in bad:
        where = f" ({prof.file}:{prof.line})" if prof.file else ""
        out.append(Finding(PROBLEM, f"profile {prof.name}{where}: {prof.problems[0]}"))
    if cfg.config_doc is None and cfg.credentials_doc is None:
        out.append(
            Finding(
                WARN,
                f"no config file ({cfg.config_file}) and no credentials file "
                f"({cfg.credentials_file})",
                "run `aws configure` or `rolecall profile add`",
            )
        )
    elif not out:
        out.append(Finding(OK, f"{plural(len(profiles), 'profile')}, no problems in the config"))
    return out


def check_named_config(config: str | None, env: Mapping[str, str]) -> list[Finding]:
    """A config file that ``--config`` or ``AWS_CONFIG_FILE`` names and that does
    not exist (every verb refuses it; a missing ``~/.aws/config`` is fine)."""
    missing = missing_named_config(config, env)
    if missing is None:
        return []
    path, who = missing
    return [
        Finding(
            PROBLEM,
            f"the config file {path} (named by {who}) does not exist",
            f"fix {who}, or create the file (`rolecall profile add` does)",
        )
    ]


def check_sso_tokens(profiles: ProfileSet, now: datetime) -> list[Finding]:
    """The SSO token of every SSO session (or legacy start URL) that a profile
    uses: expired, or expiring soon, unless botocore can refresh it."""
    from rolecall.core.cache.json_files import load_json
    from rolecall.core.cache.keys import sso_token_path

    out: list[Finding] = []
    seen: set[str] = set()
    for prof in profiles:
        if prof.kind != "sso":
            continue
        path = sso_token_path(prof.values)
        if path is None or path in seen:
            continue
        seen.add(path)
        session = prof.get("sso_session")
        login = f"--sso-session {session}" if session else f"--profile {prof.name}"
        what = f"sso-session {session}" if session else f"profile {prof.name}"
        start = keys.sso_start_url(prof.values, profiles.config.sso_sessions)
        unused = _sso_token_unused(path, start)
        data = load_json(path) if unused is None and os.path.isfile(path) else None
        when = None if data is None else timestamps.parse_expiration(data.get("expiresAt"))
        if unused is not None:
            out.append(
                Finding(
                    PROBLEM,
                    f"the SSO token file of {what} {path} {unused}: rolecall does not use it",
                    f"remove it, then run `aws sso login {login}`",
                )
            )
        elif when is None:
            out.append(Finding(WARN, f"no SSO token for {what}", f"run `aws sso login {login}`"))
        elif when <= now and not _refreshable(data, now):
            out.append(
                Finding(
                    WARN,
                    f"the SSO token for {what} expired at {timestamps.format_expiration(when)} "
                    f"({timestamps.humanize(when - now)})",
                    f"run `aws sso login {login}`",
                )
            )
        elif when - now < timedelta(minutes=15) and not _refreshable(data, now):
            out.append(
                Finding(
                    WARN,
                    f"the SSO token for {what} expires in {timestamps.humanize(when - now)}",
                    f"run `aws sso login {login}` soon",
                )
            )
    return out


def _sso_token_unused(path: str, start_url: str) -> str | None:
    """Why an assume would not use the SSO token at ``path`` (the trusted reader's
    checks, and the binding to the profile's portal), or None: used, or missing."""
    directory = os.path.dirname(path)
    problem = trust.directory_problem(directory)
    if problem is not None:
        return f"is in {directory}, which {problem.removeprefix('is ')}"
    try:
        st = os.lstat(path)
    except OSError:
        return None
    problem = trust.file_problem(st)
    if problem is not None:
        return problem
    data = json_files.load_json(path)
    return None if data is None else binding.sso_token_mismatch(data, start_url)


def _refreshable(data: Mapping[str, object] | None, now: datetime) -> bool:
    """Whether botocore refreshes this token itself (a refresh token and a live
    client registration, as ``aws sso login`` with an sso-session leaves)."""
    if data is None:
        return False
    if not all(isinstance(data.get(k), str) for k in ("refreshToken", "clientId", "clientSecret")):
        return False
    registration = timestamps.parse_expiration(data.get("registrationExpiresAt"))
    return registration is not None and registration > now


def _file_mode_findings(path: str, what: str, secret: bool) -> list[Finding]:
    try:
        st = os.stat(path)
    except OSError:
        return []
    mode = stat.S_IMODE(st.st_mode)
    out: list[Finding] = []
    if secret and mode & 0o044:
        out.append(
            Finding(
                PROBLEM,
                f"the {what} {path} is readable by others (mode {mode:04o})",
                f"chmod 600 {path}",
            )
        )
    if mode & 0o022:
        out.append(
            Finding(
                PROBLEM,
                f"the {what} {path} is writable by others (mode {mode:04o})",
                f"chmod 600 {path}",
            )
        )
    if st.st_uid != os.getuid():
        out.append(Finding(WARN, f"the {what} {path} is owned by uid {st.st_uid}, not you"))
    return out


def check_files(profiles: ProfileSet) -> list[Finding]:
    cfg = profiles.config
    out: list[Finding] = []
    out += _file_mode_findings(cfg.credentials_file, "credentials file", True)
    doc = cfg.config_doc
    config_has_keys = doc is not None and any(
        "aws_secret_access_key" in sect.options or "aws_session_token" in sect.options
        for sect in doc.sections
    )
    out += _file_mode_findings(cfg.config_file, "config file", config_has_keys)
    out += check_caches()
    for path, problem, hint in binding_problems(profiles):
        out.append(Finding(PROBLEM, f"the cache file {path} {problem}", hint))
    if not out:
        out.append(Finding(OK, "file and cache permissions are private"))
    return out


def check_caches() -> list[Finding]:
    """The cache directories: who could plant or read credentials, and which files
    rolecall does not use (``cache_permissions``)."""
    return [
        Finding(PROBLEM, f"the cache directory {path} {problem}", hint)
        for path, problem, hint in permission_problems()
    ]


def run_checks(
    env: Mapping[str, str] | None = None,
    config: str | None = None,
    credentials: str | None = None,
    now: datetime | None = None,
) -> list[Finding]:
    """Every check, in order: environment, config, files and cache directories."""
    env = os.environ if env is None else env
    when = now or datetime.now(UTC)
    try:
        profiles: ProfileSet | None = load_profiles(config, credentials, env)
    except ConfigError as exc:
        profiles = None
        text = str(exc)  # (a refused file says its own fix)
        hint = None if "(fix: " in text else "check the file's permissions"
        config_findings = [Finding(PROBLEM, text, hint)]
    else:
        config_findings = []
    out = check_environment(env, profiles, when)
    out += check_named_config(config, env)
    if profiles is not None:
        out += check_config(profiles)
        out += check_sso_tokens(profiles, when)
        out += check_files(profiles)
    else:
        out += config_findings + check_caches()
    return out
