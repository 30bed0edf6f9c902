"""``rolecall shell-init SHELL [--name NAME]``: the rc function and tab completion.

The completion table is read off the argparse parser itself
(:func:`completion_table`), so every verb and option the command line has is
completed, with no second list to keep in step; the code is written by
:mod:`rolecall.core.shell_init` and :mod:`rolecall.core.completion`.
"""

from __future__ import annotations

import argparse
import sys

from rolecall.cli.output import CliError
from rolecall.core.completion import Command, Option, Positional

__all__ = ["cmd_shell_init", "completion_table"]

#: metavars whose values are completed as files, or as profile names
_FILE_METAVARS = frozenset({"FILE"})
_PROFILE_METAVARS = frozenset({"PROFILE"})
#: positionals (command path, dest) that name an existing profile
_PROFILE_POSITIONALS = frozenset({(("profile", "remove"), "name")})


def _option(action: argparse.Action) -> Option:
    names = tuple(action.option_strings)
    text = action.help if isinstance(action.help, str) else ""
    if action.nargs == 0:
        return Option(names, text)
    if action.choices is not None:
        return Option(names, text, "choice", tuple(str(c) for c in action.choices))
    if action.metavar in _FILE_METAVARS:
        return Option(names, text, "file")
    if action.metavar in _PROFILE_METAVARS:
        return Option(names, text, "profile")
    return Option(names, text, "any")


def _positional(action: argparse.Action, path: tuple[str, ...]) -> Positional:
    text = action.help if isinstance(action.help, str) else ""
    if action.nargs == argparse.REMAINDER:
        return Positional("command", text)
    if action.choices is not None:
        return Positional("choice", text, tuple(str(c) for c in action.choices))
    if action.metavar in _PROFILE_METAVARS or (path, action.dest) in _PROFILE_POSITIONALS:
        return Positional("profile", text)
    return Positional("any", text)


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...], out: list[Command]) -> None:
    options: list[Option] = []
    positionals: list[Positional] = []
    subcommands: list[str] = []
    sub_help: dict[str, str] = {}
    children: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                sub_help[choice.dest] = choice.help or ""
            for name, child in action.choices.items():
                if name.startswith("_"):
                    continue
                subcommands.append(name)
                children.append((name, child))
            continue
        if action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            options.append(_option(action))
        else:
            positionals.append(_positional(action, path))
    out.append(
        Command(
            path,
            parser.description or "",
            tuple(options),
            tuple(positionals),
            tuple(subcommands),
            sub_help,
        )
    )
    for name, child in children:
        _walk(child, (*path, name), out)


def completion_table(parser: argparse.ArgumentParser | None = None) -> list[Command]:
    """Every command of the command line (the whole parser), as completion data."""
    if parser is None:
        from rolecall.cli.parser import build_parser

        parser = build_parser()
    out: list[Command] = []
    _walk(parser, (), out)
    return out


def cmd_shell_init(args: argparse.Namespace) -> int:
    from rolecall.core.shell_init import check_name, render
    from rolecall.core.shell_prompt import PROMPT_SHELLS, render_prompt

    problem = check_name(args.name)
    if problem:
        raise CliError(f"shell-init: --name {problem}")
    import os

    from rolecall.cli.shell_hooks import hook_command
    from rolecall.core.cache.keys import rolecall_cache_dir
    from rolecall.core.profile_names import CACHE_NAME

    hook = tuple(hook_command()) if sys.executable else ()  # (else `rolecall` itself)
    if args.prompt_only:
        if args.shell not in PROMPT_SHELLS:
            raise CliError(
                f"shell-init: --prompt-only is for {', '.join(PROMPT_SHELLS)}; in "
                f"{args.shell}, use `rolecall prompt --shell {args.shell}`"
            )
        sys.stdout.write(render_prompt(args.shell, hook))
        return 0
    cache = os.path.join(rolecall_cache_dir(), CACHE_NAME)
    sys.stdout.write(render(args.shell, completion_table(), args.name, cache, hook))
    return 0
