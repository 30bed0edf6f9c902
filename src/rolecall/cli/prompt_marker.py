"""The prompt marker of the shells the command line starts (``shell``, ``exec ... -- $SHELL``).

rolecall's settings are read only when the command is an interactive bash, zsh
or fish (``exec PROFILE -- make`` pays nothing); ``[shell] prompt_marker =
false`` turns the marker off.  The marker itself is :mod:`rolecall.core.subshell_prompt`.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping, Sequence

__all__ = ["with_prompt_marker"]


def with_prompt_marker(
    argv: Sequence[str], profile: str, base: Mapping[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The command that starts ``argv`` with its prompt showing ``profile``, and the
    variables to add to its environment (``base``, else this process's)."""
    from rolecall.core.subshell_prompt import mark, shell_kind

    if shell_kind(argv) is None:
        return list(argv), {}
    from rolecall.settings import load_settings

    base = os.environ if base is None else base
    marked, env = mark(argv, base, load_settings().prompt_sgr(profile))
    return marked, {key: value for key, value in env.items() if base.get(key) != value}
