"""Guarded profiles on the command line: ask ``y/N`` on the terminal first.

``shell``, ``exec``, ``env`` and ``console`` (and the shell function ``rc``,
through :func:`confirm`) call :func:`confirm` before they assume a guarded
profile, so a refused profile's credentials are never fetched, let alone
handed to a child.  The question goes to ``/dev/tty``, so it works while
stdout is captured (``eval "$(rolecall env prod)"``); with no terminal the
verb refuses in one line unless ``--yes`` was given.  ``credential-process``
never asks (:func:`refuse_for_credential_process`).

The rules are read with :func:`rolecall.core.guard.read_rules`, which does not
parse a settings file that never says ``guard``: this runs on ``env``'s cache hit.
"""

from __future__ import annotations

from rolecall.cli.output import CliError, printable, warn

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from rolecall.core.guard import GuardRules
    from rolecall.core.profiles import ProfileSet

__all__ = ["ACTIONS", "confirm", "guard_rules", "refuse_for_credential_process"]

#: What each verb is about to do, as its question says it.
ACTIONS = {
    "shell": "Start a shell with its credentials?",
    "exec": "Run the command with its credentials?",
    "env": "Print its credentials as exports?",
    "console": "Open the AWS console as it?",
    "rc": "Set its credentials in this shell?",
}


def guard_rules() -> GuardRules:
    """The guard rules of rolecall's settings file; its problems are warnings."""
    from rolecall.core.guard import read_rules
    from rolecall.core.locations import settings_file

    path = settings_file()
    rules, errors = read_rules(path)
    for message in errors:
        warn(f"{path}: {message}")
    return rules


def confirm(profiles: ProfileSet, name: str, action: str, *, yes: bool = False) -> None:
    """Go on when ``name`` is not guarded, or ``yes``, or the person answers y on the
    terminal; else raise :class:`CliError` (exit code 1) and do nothing.

    ``action`` is a key of :data:`ACTIONS` (the verb).
    """
    profile = profiles.get(name)
    if profile is None:
        return  # the assume says the profile is unknown
    rules = guard_rules()
    reason = rules.reason(profile.name, profile.account_id)
    if reason is None:
        return
    if yes:
        return
    import sys

    from rolecall.core.guard import ask, target

    what = f"{name} is a guarded profile ({target(profile)}; {reason})"

    sys.stderr.flush()
    answer = ask(printable(f"rolecall: {what}.\n{ACTIONS.get(action, 'Go on?')} [y/N] "))
    if answer is None:
        raise CliError(f"{what}: no terminal to confirm on; pass --yes to go ahead", 1)
    if not answer:
        raise CliError(f"{name}: not confirmed; nothing was done", 1)


def refuse_for_credential_process(profiles: ProfileSet, name: str) -> None:
    """Refuse a guarded profile when the settings say ``guard_credential_process = "refuse"``.

    Never asks: SDKs run ``credential-process`` with no one to answer.
    """
    rules = guard_rules()
    if not rules.refuse_credential_process:
        return
    profile = profiles.get(name)
    if profile is None:
        return
    reason = rules.reason(profile.name, profile.account_id)
    if reason is not None:
        from rolecall.core.guard import target

        raise CliError(
            f"{name} is a guarded profile ({target(profile)}; {reason}) and "
            'guard_credential_process = "refuse": credential-process hands out none of its '
            "credentials; use `rolecall exec` or `rolecall shell`, which ask first",
            1,
        )
