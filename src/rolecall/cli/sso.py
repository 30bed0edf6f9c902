"""``rolecall sso ...``: log in, log out, list roles, populate the config, configure a session.

Argument parsing and output only; the work is in :mod:`rolecall.core.sso`.
Every failure is one ``rolecall: ...`` line: exit code 1 for what AWS or the
files said, 2 for a config that names no usable session, 130 for a login
cancelled with Ctrl+C.  ``sso roles`` served from the discovery cache imports
neither boto3 nor botocore.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # imported lazily at run time (argparse only by cli/parser.py)
    import argparse

    from rolecall.core.config import AwsConfig
    from rolecall.core.sso.discovery import Discovery
    from rolecall.core.sso.errors import SsoError
    from rolecall.core.sso.login import DeviceCode
    from rolecall.core.sso.session import SsoSession

__all__ = [
    "cmd_sso_configure",
    "cmd_sso_login",
    "cmd_sso_logout",
    "cmd_sso_populate",
    "cmd_sso_roles",
]


def _fail(exc: SsoError) -> BaseException:
    from rolecall.cli.output import CliError
    from rolecall.core.sso.errors import CANCELLED, CONFIG

    code = 2 if exc.code == CONFIG else 130 if exc.code == CANCELLED else 1
    return CliError(str(exc), code)


def _config(args: argparse.Namespace) -> AwsConfig:
    from rolecall.cli.files import check_files
    from rolecall.cli.output import CliError
    from rolecall.core.config import ConfigError, load

    check_files(args)
    try:
        config = load(args.config, args.credentials)
    except ConfigError as exc:
        raise CliError(str(exc), 1) from None
    if config.refused:
        raise CliError(str(config.problems[0]), 2)
    return config


def _session(args: argparse.Namespace, config: AwsConfig) -> SsoSession:
    from rolecall.core.sso.errors import SsoError
    from rolecall.core.sso.session import resolve

    try:
        return resolve(config, profile=getattr(args, "profile", None), session=args.sso_session)
    except SsoError as exc:
        raise _fail(exc) from None


def _say(text: str) -> None:
    from rolecall.cli.output import printable

    sys.stderr.write("\n".join(printable(line) for line in text.split("\n")) + "\n")
    sys.stderr.flush()


def _discovery_ttl() -> float:
    """The ``[sso] discovery_ttl_seconds`` setting (called only when a discovery is fetched)."""
    from rolecall.settings import load_settings

    return float(load_settings().sso_discovery_ttl)


# ---------------------------------------------------------------------------
# login / logout
# ---------------------------------------------------------------------------
def cmd_sso_login(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from rolecall.core.cache.timestamps import humanize
    from rolecall.core.sso import discovery, login
    from rolecall.core.sso.errors import LOGIN_REQUIRED, SsoError

    config = _config(args)
    session = _session(args, config)
    if not args.force:
        try:
            token = login.valid_token(session)
        except SsoError as exc:
            if exc.code != LOGIN_REQUIRED:
                raise _fail(exc) from None
        else:
            left = humanize(token.remaining())
            print(f"logged in to {session.label} ({left} left); --force logs in again")
            return 0
    browser = not args.no_browser and login.browser_available()

    def show(code: DeviceCode) -> None:
        left = code.expires_at - datetime.now(UTC)
        minutes = max(1, round(left.total_seconds() / 60))
        lines = [
            f"To log in to {session.label}, open this URL in a browser"
            + (" (opening it now):" if browser else ":"),
            f"  {code.verification_uri_complete}",
            f"and check that it shows the code {code.user_code}.",
            f"Waiting for the approval (the code expires in {minutes} min; Ctrl+C cancels)...",
        ]
        _say("\n".join(lines))
        if browser:
            login.open_browser(code.verification_uri_complete)

    try:
        token = login.login(session, show)
    except SsoError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        _say("rolecall: login cancelled")
        return 130
    discovery.forget(session)  # another identity may grant other roles
    expires = token.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    print(f"logged in to {session.label} until {expires} ({humanize(token.remaining())} left)")
    return 0


def cmd_sso_logout(args: argparse.Namespace) -> int:
    from rolecall.core.sso.logout import LogoutResult, logout, logout_all

    config = _config(args)

    def line(result: LogoutResult) -> str:
        parts = [result.portal]
        parts.append("token removed" if result.token_removed else "no token file")
        if result.credentials_removed:
            parts.append(f"{result.credentials_removed} cached role credential(s) removed")
        return f"logged out of {result.session.label}: " + "; ".join(parts)

    if args.all:
        results, extra = logout_all(config)
        for result in results:
            print(line(result))
        if extra:
            print(f"removed {extra} more cached SSO role credential(s)")
        if not results and not extra:
            print("no SSO session in the config, and no cached SSO credentials")
        return 0
    print(line(logout(config, _session(args, config))))
    return 0


# ---------------------------------------------------------------------------
# roles / populate
# ---------------------------------------------------------------------------
def _discover(args: argparse.Namespace, session: SsoSession) -> Discovery:
    from rolecall.core.sso import discovery
    from rolecall.core.sso.errors import SsoError

    def token() -> str:
        from rolecall.core.sso.login import valid_token

        return valid_token(session).access_token

    try:
        return discovery.discover(session, token, ttl=_discovery_ttl, refresh=args.refresh)
    except SsoError as exc:
        raise _fail(exc) from None


def cmd_sso_roles(args: argparse.Namespace) -> int:
    from rolecall.cli.output import printable
    from rolecall.core.sso.session import role_profiles

    config = _config(args)
    session = _session(args, config)
    found = _discover(args, session)
    profiles = role_profiles(config, session)
    rows = [
        (r.account_id, r.account_name, r.role_name, profiles.get((r.account_id, r.role_name), ""))
        for r in found.roles
    ]
    out = sys.stdout
    if args.json:
        import json

        items = [
            {"accountId": a, "accountName": n, "roleName": r, "profile": p or None}
            for a, n, r, p in rows
        ]
        out.write(json.dumps(items, indent=1) + "\n")
        return 0
    table = [("ACCOUNT", "NAME", "ROLE", "PROFILE"), *rows]
    w0, w1, w2 = (max(map(len, column)) for column in list(zip(*table, strict=True))[:3])
    lines = [f"{a:<{w0}}  {n:<{w1}}  {r:<{w2}}  {p}".rstrip() for a, n, r, p in table]
    out.write("\n".join(printable(line) for line in lines) + "\n")
    accounts = len({r.account_id for r in found.roles})
    age = "from the cache" if found.from_cache else "fetched now"
    _say(f"{len(rows)} role(s) in {accounts} account(s) of {session.label} ({age})")
    return 0


def cmd_sso_populate(args: argparse.Namespace) -> int:
    from rolecall.cli.output import CliError, oneline, printable
    from rolecall.core.edit import EditError
    from rolecall.core.sso.errors import SsoError
    from rolecall.core.sso.populate import DEFAULT_TEMPLATE, check_template, populate

    template = args.template or DEFAULT_TEMPLATE
    config = _config(args)
    session = _session(args, config)
    try:
        check_template(template)  # before any network call
    except SsoError as exc:
        raise _fail(exc) from None
    found = _discover(args, session)
    try:
        result = populate(
            session,
            found,
            template=template,
            prefix=args.prefix,
            prune=args.prune,
            dry_run=args.dry_run,
            region=args.region,
            config=args.config,
            credentials=args.credentials,
        )
    except SsoError as exc:
        raise _fail(exc) from None
    except (EditError, OSError) as exc:
        raise CliError(f"config not changed: {oneline(exc)}", 1) from None
    plan = result.plan
    if args.dry_run:
        sys.stdout.write("".join(printable(line) + "\n" for line in result.diff.splitlines()))
    verb = "would add" if args.dry_run else "added"
    summary = f"{verb} {len(plan.add)} profile(s)"
    if plan.remove:
        summary += f", {'would remove' if args.dry_run else 'removed'} {len(plan.remove)}"
    summary += f" ({len(plan.keep)} already there"
    if plan.covered:
        summary += f", {len(plan.covered)} covered by your own profiles"
    summary += f") in {result.path}"
    if plan.stale:
        summary += f"; {len(plan.stale)} for roles that are gone: --prune removes them"
    if plan.invalid:
        summary += f"; {len(plan.invalid)} role(s) with a name IAM would refuse left out"
    _say(summary)
    return 0


# ---------------------------------------------------------------------------
# configure
# ---------------------------------------------------------------------------
def _ask(label: str) -> str:
    from rolecall.cli.output import CliError

    if not sys.stdin.isatty():
        raise CliError(f"sso configure: give --{label.replace(' ', '-')}", 2)
    try:
        return input(f"{label}: ").strip()
    except EOFError:
        raise CliError("sso configure: cancelled", 130) from None


def cmd_sso_configure(args: argparse.Namespace) -> int:
    from rolecall.cli.output import CliError, oneline
    from rolecall.core.edit import EditError, add_sso_session
    from rolecall.core.sso import configure

    def refuse(problem: str | None) -> None:
        if problem is not None:
            raise CliError(f"sso configure: {problem}", 2)

    start_url = args.start_url or _ask("start url")
    refuse(configure.start_url_problem(start_url))
    region = args.region or _ask("region")
    refuse(configure.region_problem(region))
    name = args.name or configure.default_name(start_url)
    refuse(configure.name_problem(name))
    settings = configure.session_settings(start_url, region, args.scopes)
    _config(args)  # files that cannot be read stop here, with their own message
    try:
        path = add_sso_session(
            name, settings, force=args.force, config=args.config, credentials=args.credentials
        )
    except (EditError, OSError) as exc:
        raise CliError(f"sso-session not added: {oneline(exc)}", 1) from None
    print(f"added [sso-session {name}] to {path}")
    _say(f"next: rolecall sso login --sso-session {name}, then rolecall sso populate")
    return 0
