"""The prompt marker of the shells the command line starts (``shell``, ``exec ... -- $SHELL``).

rolecall's settings are read only when the command is an interactive bash, zsh
or fish (``exec PROFILE -- make`` pays nothing); ``[shell] prompt_marker =
false`` turns the marker off.  The marker itself is :mod:`rolecall.core.subshell_prompt`.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping, Sequence

__all__ = ["with_prompt_marker"]


def with_prompt_marker(
    argv: Sequence[str], env: Mapping[str, str], profile: str
) -> tuple[list[str], dict[str, str]]:
    """``argv`` and ``env``, changed so that the shell's prompt shows ``profile``."""
    from rolecall.core.subshell_prompt import mark, shell_kind

    if shell_kind(argv) is None:
        return list(argv), dict(env)
    from rolecall.settings import load_settings

    return mark(argv, env, load_settings().prompt_sgr(profile))
