"""Completion for fish: ``complete`` lines, with a walker in fish for the positions."""

from __future__ import annotations

from rolecall.core.completion.model import (
    Command,
    Hook,
    fq,
    hook_command_text,
    one_line,
    positional_word,
    value_word,
)

# ---------------------------------------------------------------------------
# fish
# ---------------------------------------------------------------------------
_FISH_WALKER = r"""
# __rolecall_walk: prints the command being typed ("" "env" "profile add" ...),
# then what the token under the cursor is: "opt", "val OPTION", "pos N" or "rest",
# then the --config and --credentials typed (may be empty).
function __rolecall_walk
    set -l tokens (commandline -opc)
    set -e tokens[1]
    if test "$argv[1]" = env
        set tokens env $tokens
    end
    set -l key ''
    set -l n 0
    set -l pending ''
    set -l config ''
    set -l credentials ''
    set -l want ''
    set -l at 0
    for w in $tokens
        set at (math $at + 1)
        if test -n "$pending"
            test "$pending" = --config; and set config $w
            test "$pending" = --credentials; and set credentials $w
            set pending ''
            continue
        end
        if test "$w" = --
            if test "$(__rolecall_pos "$key" $n)" = @command
                set want "rest $at"
                break
            end
            continue
        end
        if string match -q -- '--*=*' $w
            set -l parts (string split -m 1 = -- $w)
            test "$parts[1]" = --config; and set config $parts[2]
            test "$parts[1]" = --credentials; and set credentials $parts[2]
            continue
        end
        if string match -q -- '-?*' $w
            if test -n "$(__rolecall_value "$key" $w)"
                set pending $w
            end
            continue
        end
        switch (__rolecall_pos "$key" $n)
            case @sub
                set key (string trim -- "$key $w")
                set n 0
                continue
            case @command
                set want "rest "(math $at - 1)
                break
        end
        set n (math $n + 1)
    end
    if test -z "$want"
        if test -n "$pending"
            set want "val $pending"
        else
            set want "pos $n"
        end
    end
    printf '%s\n' "$key" "$want" "$config" "$credentials"
end

# __rolecall_complete [env]: the candidates for the token under the cursor
function __rolecall_complete
    set -l state (__rolecall_walk $argv)
    set -l key $state[1]
    set -l want $state[2]
    set -l token (commandline -ct)
    set -l kind ''
    set -l prefix ''
    if string match -q -- '--*=*' $token; and not string match -q -- 'val *' $want
        set -l parts (string split -m 1 = -- $token)
        set want "val $parts[1]"
        set prefix "$parts[1]="
        set token $parts[2]
    end
    switch $want
        case 'rest *'
            __fish_complete_subcommand --fcs-skip=(math (string sub -s 6 -- $want) + 1)
            return
        case 'val *'
            set kind (__rolecall_value "$key" (string sub -s 5 -- $want))
        case 'pos *'
            if string match -q -- '-*' $token
                for o in (__rolecall_opts "$key")
                    printf '%s\n' $o
                end
                if test "$argv[1]" = env
                    printf '%s\n' -u --unset
                end
                return
            end
            set kind (__rolecall_pos "$key" (string sub -s 5 -- $want))
    end
    switch $kind
        case @sub
            __rolecall_subs "$key"
        case @file
            __fish_complete_path $token | string replace -r '^' -- $prefix
        case @profile
            set -l files
            test -n "$state[3]"; and set files $files --config $state[3]
            test -n "$state[4]"; and set files $files --credentials $state[4]
            @HOOK@ profiles $files --cache @CACHE@ 2>/dev/null \
                | string replace -r '^' -- $prefix
        case '@*' ''
        case '*'
            string split ' ' -- (string replace -a '|' ' ' -- $kind) \
                | string replace -r '^' -- $prefix
    end
end
"""


def _fish_switch(name: str, doc: str, rows: list[tuple[str, list[str]]], arg: str) -> str:
    lines = [f"# {doc}", f"function {name}", f"    switch {arg}"]
    for pattern, values in rows:
        lines.append(f"        case {fq(pattern)}")
        if values:
            lines.append("            printf '%s\\n' " + " ".join(fq(v) for v in values))
    lines += ["    end", "end"]
    return "\n".join(lines)


def render_fish(commands: list[Command], functions: tuple[str, ...], cache: str, hook: Hook) -> str:
    opts = [(c.key, [n for o in c.options for n in o.names]) for c in commands]
    values = [
        (f"{c.key} {name}", [value_word(o)])
        for c in commands
        for o in c.options
        if o.value is not None
        for name in o.names
    ]
    positionals: list[tuple[str, list[str]]] = []
    for c in commands:
        kinds = ["@sub"] if c.subcommands else [positional_word(p) for p in c.positionals]
        for index, word in enumerate(kinds):
            positionals.append((f"{c.key} {index}", [word]))
        if kinds and kinds[-1] == "@command":
            positionals.append((f"{c.key} {len(kinds)}", ["@command"]))
    subs = [(c.key, list(c.subcommands)) for c in commands if c.subcommands]
    parts = [
        _fish_switch("__rolecall_opts", "the options of a command", opts, '"$argv[1]"'),
        _fish_switch(
            "__rolecall_value", "what an option's value is", values, '"$argv[1] $argv[2]"'
        ),
        _fish_switch(
            "__rolecall_pos",
            "what a command's Nth positional is",
            positionals,
            '"$argv[1] $argv[2]"',
        ),
        _fish_switch("__rolecall_subs", "the subcommands of a command", subs, '"$argv[1]"'),
        _FISH_WALKER.replace("@CACHE@", fq(cache)).replace("@HOOK@", hook_command_text(hook, fq)),
        "complete -c rolecall -e",
        "complete -c rolecall -f -a '(__rolecall_complete)'",
    ]
    # descriptions for the commands, where the first word is typed
    top = next((c for c in commands if c.path == ()), None)
    if top is not None:
        for sub in top.subcommands:
            text = one_line(top.sub_help.get(sub, ""))
            parts.append(
                f"complete -c rolecall -n '__fish_use_subcommand' -a {fq(sub)} -d {fq(text)}"
            )
    for name in functions:
        parts.append(f"complete -c {name} -e")
        parts.append(f"complete -c {name} -f -a '(__rolecall_complete env)'")
    return "\n".join(parts) + "\n"
