"""Running ``exec``'s command or ``shell``'s shell with a profile's credentials.

By default the child is served by a credentials endpoint
(:mod:`rolecall.core.serve`) that keeps them fresh for as long as it runs;
``--env-keys`` (or ``env_keys = true`` under ``[sessions]`` in the settings)
exports fixed keys instead, which are not refreshed.  The endpoint's margin,
and the duration and session name of its refreshes, come from the settings.
"""

from __future__ import annotations

import os
import sys

from rolecall.cli.output import CliError, oneline

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

    from rolecall.core.serve import Endpoint
    from rolecall.core.sts import AssumeResult
    from rolecall.settings import Settings

__all__ = ["env_keys_chosen", "run_child"]


def _settings() -> Settings | None:
    try:
        from rolecall.settings import load_settings

        return load_settings()
    except Exception:  # settings never stop a command
        return None


def env_keys_chosen(args: argparse.Namespace) -> bool:
    """``--env-keys``, else ``env_keys`` under ``[sessions]`` in the settings."""
    if getattr(args, "env_keys", False):
        return True
    settings = _settings()
    return settings is not None and settings.env_keys


def _endpoint_for(args: argparse.Namespace, result: AssumeResult, where: str) -> Endpoint:
    """The credentials endpoint that keeps ``result``'s profile fresh for one child."""
    from rolecall.core.serve import endpoint_for

    settings = _settings()
    return endpoint_for(
        result,
        where=where,
        config=getattr(args, "config", None),
        credentials=getattr(args, "credentials", None),
        duration=getattr(args, "duration", None),
        margin_seconds=settings.refresh_margin if settings else None,
        default_duration=settings.default_duration if settings else None,
        session_name=settings.default_session_name if settings else None,
        environ=os.environ,
    )


def run_child(
    args: argparse.Namespace,
    result: AssumeResult,
    argv: list[str],
    *,
    env_keys: bool,
    where: str,
    extra: dict[str, str] | None = None,
) -> int:
    """Run ``argv`` with ``result``'s credentials; returns its exit status.

    ``where`` completes the hint of an MFA refresh ("run `rolecall assume X` in
    this shell"); ``extra`` variables are added to the child's environment.
    """
    from rolecall.core.shell import RunError, build_env, run_served, run_subshell

    sys.stdout.flush()
    try:
        if env_keys:
            env = build_env(result, os.environ, result.profile)
            env.update(extra or {})
            return run_subshell(argv, env)
        try:
            endpoint = _endpoint_for(args, result, where)
            return run_served(argv, os.environ, endpoint, result.profile, extra)
        except OSError as exc:
            raise CliError(
                f"cannot start the credentials endpoint: {oneline(exc)}; --env-keys exports "
                "fixed keys instead",
                1,
            ) from None
    except RunError as exc:
        raise CliError(str(exc), exc.exit_code) from None
