"""Tab completion for ``rolecall`` and the ``rc`` function, as shell code.

The command line is described once, as data (:class:`Command`, :class:`Option`,
:class:`Positional`: the command line layer reads it off its argparse parser),
and this package writes it out for each shell when ``rolecall shell-init`` runs:

* **bash and zsh** share one walker written in the syntax both accept
  (``case``, ``shift``, no arrays): it reads the words before the one being
  completed and says what that word is (a command, an option, an option's
  value, a profile, the command after ``exec PROFILE --``).  The table it reads
  is a few ``case`` functions generated from the data.  Each shell then lists
  the candidates its own way (``compgen`` and ``COMPREPLY``, ``compadd``).
* **fish** gets ``complete`` lines, with a walker in fish for the positions.
* **PowerShell** gets a ``Register-ArgumentCompleter`` script block, with the
  table as hashtables.

Commands, options and formats are in the generated code, so completing them
starts no process.  Only profile names need one: ``rolecall __complete profiles``
(with the ``--config`` and ``--credentials`` already typed), which reads the
two files and nothing else (no argparse, no settings; ``rolecall.cli.shell_hooks``),
run by bash, zsh and fish as the ``hook`` command given (the interpreter itself,
skipping the console script's start-up).

Nothing here runs a shell or imports anything beyond the standard library's
``re``; the output is text, tested by running it in real shells.
"""

from __future__ import annotations

from rolecall.core.completion.fish import render_fish
from rolecall.core.completion.model import (
    KINDS,
    SHELLS,
    Command,
    Hook,
    Option,
    Positional,
    check,
    quoted_command,
)
from rolecall.core.completion.posix import render_bash, render_zsh
from rolecall.core.completion.powershell import render_powershell

__all__ = [
    "KINDS",
    "SHELLS",
    "Command",
    "Option",
    "Positional",
    "quoted_command",
    "render_completion",
]

_RENDERERS = {
    "bash": render_bash,
    "zsh": render_zsh,
    "fish": render_fish,
    "powershell": render_powershell,
}


def render_completion(
    shell: str,
    commands: list[Command],
    functions: tuple[str, ...] = (),
    cache: str = "",
    hook: Hook = (),
) -> str:
    """The completion code for ``shell``: ``rolecall`` itself, and each function in
    ``functions`` (``rc``), which completes as ``rolecall env``; ``cache`` is the
    file where the profile names are remembered between Tabs, and ``hook`` the
    command that prints them (bash, zsh, fish; ``rolecall __complete`` when empty),
    which is given ``profiles`` and its options.

    >>> top = Command((), options=(Option(("--help",)),), subcommands=("env",))
    >>> env = Command(("env",), positionals=(Positional("profile"),))
    >>> "complete -o default -F _rolecall_bash rolecall" in render_completion("bash", [top, env])
    True
    """
    check(commands)
    try:
        render = _RENDERERS[shell]
    except KeyError:
        raise ValueError(f"unknown shell {shell!r}; use one of {', '.join(SHELLS)}") from None
    return render(commands, functions, cache, hook)
