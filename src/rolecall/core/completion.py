"""Tab completion for ``rolecall`` and the ``rc`` function, as shell code.

The command line is described once, as data (:class:`Command`, :class:`Option`,
:class:`Positional`: the command line layer reads it off its argparse parser),
and this module writes it out for each shell when ``rolecall shell-init`` runs:

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

import re
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "KINDS",
    "quoted_command",
    "SHELLS",
    "Command",
    "Option",
    "Positional",
    "render_completion",
]

#: The command line that prints profile names (empty: ``rolecall __complete``).
Hook = tuple[str, ...]
#: The shells ``rolecall shell-init`` writes code for.
SHELLS = ("bash", "zsh", "fish", "powershell")
#: What a value or a positional can be: ``file`` (a path), ``profile`` (a
#: profile name), ``choice`` (one of its choices), ``command`` (the rest of the
#: line is a command: ``exec PROFILE -- CMD``), ``sub`` (a subcommand) and
#: ``any`` (free text: nothing to offer).
KINDS = ("file", "profile", "choice", "command", "sub", "any")

#: Words that may appear in generated shell code unquoted.
_WORD_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:+,@%/=-]*")
_OPTION_RE = re.compile(r"-{1,2}[A-Za-z0-9][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Option:
    """One option: its spellings, its help line and what its value is (None: a flag)."""

    names: tuple[str, ...]
    help: str = ""
    value: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Positional:
    """One positional argument: what it is (one of :data:`KINDS`) and its choices."""

    kind: str
    help: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    """A command (``()`` is ``rolecall`` itself, ``("profile", "add")`` a sub-action)."""

    path: tuple[str, ...]
    help: str = ""
    options: tuple[Option, ...] = ()
    positionals: tuple[Positional, ...] = ()
    #: the subcommands, by name (their own Commands are in the same table)
    subcommands: tuple[str, ...] = ()
    #: help lines of the subcommands, by name
    sub_help: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """The table key: the path joined by spaces (``""`` for the top)."""
        return " ".join(self.path)


def _check(commands: list[Command]) -> None:
    """Refuse a name that could not be written unquoted into the generated code."""
    for command in commands:
        for word in (*command.path, *command.subcommands):
            if not _WORD_RE.fullmatch(word):
                raise ValueError(f"cannot complete command name {word!r}")
        for option in command.options:
            for name in option.names:
                if not _OPTION_RE.fullmatch(name):
                    raise ValueError(f"cannot complete option {name!r}")
            for choice in option.choices:
                if not _WORD_RE.fullmatch(choice):
                    raise ValueError(f"cannot complete choice {choice!r}")
        for positional in command.positionals:
            if positional.kind not in KINDS:
                raise ValueError(f"unknown kind {positional.kind!r}")
            for choice in positional.choices:
                if not _WORD_RE.fullmatch(choice):
                    raise ValueError(f"cannot complete choice {choice!r}")


def _one_line(text: str) -> str:
    """A help line for a description: one line, no control characters, at most 70 chars."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= 70 else text[:69] + "…"


def _sq(text: str) -> str:
    """``text`` single-quoted for sh, bash, zsh (and fish, whose rules differ: see _fq).

    >>> _sq("it's")
    "'it'\\\\''s'"
    """
    return "'" + text.replace("'", "'\\''") + "'"


def _fq(text: str) -> str:
    """``text`` single-quoted for fish (backslash and quote escaped)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pq(text: str) -> str:
    """``text`` single-quoted for PowerShell (a quote is doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _value_word(option: Option) -> str:
    """What an option's value is, as the generated tables spell it."""
    if option.value == "choice":
        return " ".join(option.choices)
    return "@" + (option.value or "any")


def _positional_word(positional: Positional) -> str:
    if positional.kind == "choice":
        return "|".join(positional.choices)
    return "@" + positional.kind


# ---------------------------------------------------------------------------
# bash and zsh: one walker, one table, two ways of listing candidates
# ---------------------------------------------------------------------------
_SH_WALKER = r"""
# _rolecall_walk WORD... (the words typed after `rolecall`, before the one being
# completed): sets _rolecall_key (the command: "", "env", "profile add" ...),
# _rolecall_want (what the word being completed is: "opt" an option, "val OPTION"
# its value, "pos N" the Nth positional, "rest N" a command from word N on) and
# _rolecall_config / _rolecall_credentials (the files typed, for profile names).
_rolecall_walk() {
    _rolecall_key=; _rolecall_want='pos 0'; _rolecall_config=; _rolecall_credentials=
    _rolecall_n=0; _rolecall_count=$#
    local _w _pending= _at=0 _kind
    while [ $# -gt 0 ]; do
        _w=$1; shift; _at=$((_at + 1))
        if [ -n "$_pending" ]; then
            _rolecall_file "$_pending" "$_w"; _pending=; continue
        fi
        case $_w in
            --)
                _rolecall_pos "$_rolecall_key" "$_rolecall_n"
                case $REPLY in @command) _rolecall_want="rest $_at"; return ;; esac
                continue ;;
            --*=*) _rolecall_file "${_w%%=*}" "${_w#*=}"; continue ;;
            -?*)
                _rolecall_value "$_rolecall_key" "$_w"
                [ -n "$REPLY" ] && _pending=$_w
                continue ;;
        esac
        _rolecall_pos "$_rolecall_key" "$_rolecall_n"
        _kind=$REPLY
        case $_kind in
            @sub) _rolecall_key="${_rolecall_key:+$_rolecall_key }$_w"; _rolecall_n=0; continue ;;
            @command) _rolecall_want="rest $((_at - 1))"; return ;;
        esac
        _rolecall_n=$((_rolecall_n + 1))
    done
    if [ -n "$_pending" ]; then
        _rolecall_want="val $_pending"
    else
        _rolecall_want="pos $_rolecall_n"
    fi
}

_rolecall_file() {
    case $1 in
        --config) _rolecall_config=$2 ;;
        --credentials) _rolecall_credentials=$2 ;;
    esac
}

# the profile names, one a line (from the files typed on the line, if any);
# the arguments are passed on (--prefix P, --before B, --trim T, --quote)
_rolecall_profiles() {
    [ -n "$_rolecall_config" ] && set -- "$@" --config "$_rolecall_config"
    [ -n "$_rolecall_credentials" ] && set -- "$@" --credentials "$_rolecall_credentials"
    @HOOK@ profiles "$@" --cache @CACHE@ 2>/dev/null
}

# _rolecall_candidates CUR: what the word being completed can be, one a line, as
# "W word" (a word), "F" (complete files), "C N" (a command line that starts
# after the Nth word) or "P" (profile names: _rolecall_profiles).
_rolecall_candidates() {
    local _cur=$1 _v
    case $_rolecall_want in
        rest*) echo "C ${_rolecall_want#rest }"; return ;;
        val*)
            _rolecall_value "$_rolecall_key" "${_rolecall_want#val }"
            _v=$REPLY ;;
        *)
            case $_cur in
                -*)
                    _rolecall_opts "$_rolecall_key"
                    for _v in $REPLY; do echo "W $_v"; done
                    return ;;
            esac
            _rolecall_pos "$_rolecall_key" "${_rolecall_want#pos }"
            _v=$REPLY
            case $_v in
                @sub)
                    _rolecall_subs "$_rolecall_key"
                    for _v in $REPLY; do echo "W $_v"; done
                    return ;;
                *'|'*) _v=$(echo "$_v" | tr '|' ' ') ;;
            esac ;;
    esac
    case $_v in
        @file) echo F ;;
        @profile) echo P ;;
        @command) echo "C $_rolecall_count" ;;
        @*|'') ;;
        *) for _v in $_v; do echo "W $_v"; done ;;
    esac
}
"""

_BASH_DRIVER = r"""
# bash: the words typed so far, split at blanks only (COMP_WORDS also splits at
# '=' and ':'), so that `--format=j` and a profile named `team:dev` complete as
# typed; a reply replaces only COMP_WORDS[COMP_CWORD], so what comes before it
# in the word is cut from each candidate.
_rolecall_bash() {
    local _line=${COMP_LINE:0:COMP_POINT} _full _cur _pre= _trim _c _n
    local _word=${COMP_WORDS[COMP_CWORD]}
    local -a _words
    read -r -a _words <<< "$_line"
    case $_line in *[[:space:]]|'') _words+=("") ;; esac
    _n=${#_words[@]}
    [ "$_n" -lt 2 ] && return
    _full=${_words[_n-1]}
    _cur=$_full
    _rolecall_walk "${_words[@]:1:_n-2}"
    case $_cur in
        --*=*)
            case $_rolecall_want in
                val*) ;;
                *) _rolecall_want="val ${_cur%%=*}"; _pre=${_cur%%=*}=; _cur=${_cur#*=} ;;
            esac ;;
    esac
    _trim=${_full%"$_word"}
    COMPREPLY=()
    while IFS= read -r _c; do
        case $_c in
            F) _rolecall_bash_files ;;
            C*)
                if [ "${_c#C }" -ge "$_rolecall_count" ]; then
                    COMPREPLY+=($(compgen -c -- "$_word"))
                else
                    _rolecall_bash_files
                fi ;;
            P)
                # (filtered, cut and quoted by rolecall: a bash loop over 10,000 names is slow)
                if [ "${BASH_VERSINFO[0]}" -ge 4 ]; then
                    mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(
                        _rolecall_profiles --prefix "$_cur" --before "$_pre" \
                            --trim "$_trim" --quote)
                else
                    while IFS= read -r _c; do COMPREPLY+=("$_c"); done < <(
                        _rolecall_profiles --prefix "$_cur" --before "$_pre" \
                            --trim "$_trim" --quote)
                fi ;;
            W*)
                _c=${_c#W }
                case $_c in "$_cur"*) _c=$_pre$_c; COMPREPLY+=("${_c#"$_trim"}") ;; esac ;;
        esac
    done < <(_rolecall_candidates "$_cur")
}

_rolecall_bash_files() {
    local IFS=$'\n'
    COMPREPLY+=($(compgen -f -- "${_cur}"))
    type compopt >/dev/null 2>&1 && compopt -o filenames 2>/dev/null
}
"""

_ZSH_DRIVER = r"""
_rolecall_zsh() {
    setopt localoptions shwordsplit  # (the walker splits its lists at blanks, as sh does)
    local _cur=$PREFIX _c
    local -a _words _found
    _words=("${(@)words[2,CURRENT-1]}")
    _rolecall_walk "${(@)_words}"
    if [[ $_cur == --*=* && $_rolecall_want != val* ]]; then
        _rolecall_want="val ${_cur%%=*}"
        compset -P '*='
        _cur=$PREFIX
    fi
    for _c in "${(@f)$(_rolecall_candidates "$_cur")}"; do
        case $_c in
            F) _files ;;
            C*)
                local _from=$(( ${_c#C } + 2 ))
                words=("${(@)words[_from,-1]}")
                (( CURRENT -= _from - 1 ))
                _normal ;;
            P) _found=("${(@f)$(_rolecall_profiles --prefix "$_cur")}"); compadd -a _found ;;
            W*) compadd -- "${_c#W }" ;;
        esac
    done
}
"""


def _sh_case(name: str, doc: str, rows: list[tuple[str, str]], args: str) -> str:
    """A ``case`` function setting REPLY from its arguments (bash and zsh alike)."""
    lines = [f"# {doc}", f"{name}() {{", f'    case "{args}" in']
    for pattern, value in rows:
        lines.append(f"        {_sq(pattern)}) REPLY={_sq(value)} ;;")
    lines += ["        *) REPLY= ;;", "    esac", "}"]
    return "\n".join(lines)


def _sh_tables(commands: list[Command]) -> str:
    opts = [(c.key, " ".join(n for o in c.options for n in o.names)) for c in commands]
    values = [
        (f"{c.key} {name}", _value_word(o))
        for c in commands
        for o in c.options
        if o.value is not None
        for name in o.names
    ]
    positionals: list[tuple[str, str]] = []
    for c in commands:
        kinds = [_positional_word(p) for p in c.positionals]
        if c.subcommands:
            kinds = ["@sub"]
        for index, word in enumerate(kinds):
            positionals.append((f"{c.key} {index}", word))
        # a positional that takes the rest of the line stays what it is
        if kinds and kinds[-1] == "@command":
            positionals.append((f"{c.key} {len(kinds)}", "@command"))
    subs = [(c.key, " ".join(c.subcommands)) for c in commands if c.subcommands]
    return "\n".join(
        [
            _sh_case("_rolecall_opts", "the options of a command", opts, "$1"),
            _sh_case(
                "_rolecall_value",
                "what an option's value is (empty: a flag)",
                values,
                "$1 $2",
            ),
            _sh_case(
                "_rolecall_pos",
                "what a command's Nth positional is",
                positionals,
                "$1 $2",
            ),
            _sh_case("_rolecall_subs", "the subcommands of a command", subs, "$1"),
        ]
    )


def quoted_command(words: tuple[str, ...], shell: str) -> str:
    """``words`` as a command line of ``shell`` (bash, zsh or fish), each word quoted.

    >>> quoted_command(("/opt/py", "-c", "a; b()", "--shell"), "zsh")
    "'/opt/py' '-c' 'a; b()' '--shell'"
    """
    quote = _fq if shell == "fish" else _sq
    return " ".join(quote(w) for w in words)


def _hook(hook: tuple[str, ...], quote: Callable[[str], str]) -> str:
    """The command that prints profile names (``hook``, quoted), else ``rolecall __complete``.

    >>> _hook(("/venv/bin/python", "-P", "-c", "x; y", "__complete"), _sq)
    "'/venv/bin/python' '-P' '-c' 'x; y' '__complete'"
    """
    return " ".join(quote(w) for w in hook) if hook else "command rolecall __complete"


def _sh_walker(cache: str, hook: tuple[str, ...]) -> str:
    return _SH_WALKER.replace("@CACHE@", _sq(cache)).replace("@HOOK@", _hook(hook, _sq))


def _bash(commands: list[Command], functions: tuple[str, ...], cache: str, hook: Hook) -> str:
    lines = [_sh_tables(commands), _sh_walker(cache, hook), _BASH_DRIVER]
    lines.append("complete -o default -F _rolecall_bash rolecall")
    for name in functions:
        lines.append(_bash_function_completion(name))
    return "\n".join(lines) + "\n"


def _bash_function_completion(name: str) -> str:
    """``NAME PROFILE [OPTIONS]`` completes as ``rolecall env PROFILE [OPTIONS]``."""
    return (
        f"_rolecall_fn_{name.replace('-', '_')}() {{\n"
        f'    local COMP_LINE="rolecall env ${{COMP_LINE#{name}}}"\n'
        f"    local COMP_POINT=$((COMP_POINT + {len('rolecall env ') - len(name)}))\n"
        "    _rolecall_bash\n"
        '    if [ "${COMP_WORDS[COMP_CWORD]}" = "${COMP_WORDS[COMP_CWORD]#-}" ]; then :; '
        'else COMPREPLY+=($(compgen -W "-u --unset" -- "${COMP_WORDS[COMP_CWORD]}")); fi\n'
        "}\n"
        f"complete -o default -F _rolecall_fn_{name.replace('-', '_')} {name}"
    )


def _zsh(commands: list[Command], functions: tuple[str, ...], cache: str, hook: Hook) -> str:
    lines = [_sh_tables(commands), _sh_walker(cache, hook), _ZSH_DRIVER]
    lines.append("_rolecall_zsh_rolecall() { _rolecall_zsh }")
    for name in functions:
        lines.append(
            f"_rolecall_zsh_fn_{name.replace('-', '_')}() {{\n"
            '    words=(rolecall env "${(@)words[2,-1]}")\n'
            "    (( CURRENT += 1 ))\n"
            "    _rolecall_zsh\n"
            "    [[ $PREFIX == -* ]] && compadd -- -u --unset\n"
            "}"
        )
    # compdef needs compinit: load it when the user's zshrc has not
    lines.append("if ! (( ${+functions[compdef]} )); then autoload -Uz compinit && compinit -i; fi")
    lines.append("compdef _rolecall_zsh_rolecall rolecall")
    for name in functions:
        lines.append(f"compdef _rolecall_zsh_fn_{name.replace('-', '_')} {name}")
    return "\n".join(lines) + "\n"


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
        lines.append(f"        case {_fq(pattern)}")
        if values:
            lines.append("            printf '%s\\n' " + " ".join(_fq(v) for v in values))
    lines += ["    end", "end"]
    return "\n".join(lines)


def _fish(commands: list[Command], functions: tuple[str, ...], cache: str, hook: Hook) -> str:
    opts = [(c.key, [n for o in c.options for n in o.names]) for c in commands]
    values = [
        (f"{c.key} {name}", [_value_word(o)])
        for c in commands
        for o in c.options
        if o.value is not None
        for name in o.names
    ]
    positionals: list[tuple[str, list[str]]] = []
    for c in commands:
        kinds = ["@sub"] if c.subcommands else [_positional_word(p) for p in c.positionals]
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
        _FISH_WALKER.replace("@CACHE@", _fq(cache)).replace("@HOOK@", _hook(hook, _fq)),
        "complete -c rolecall -e",
        "complete -c rolecall -f -a '(__rolecall_complete)'",
    ]
    # descriptions for the commands, where the first word is typed
    top = next((c for c in commands if c.path == ()), None)
    if top is not None:
        for sub in top.subcommands:
            text = _one_line(top.sub_help.get(sub, ""))
            parts.append(
                f"complete -c rolecall -n '__fish_use_subcommand' -a {_fq(sub)} -d {_fq(text)}"
            )
    for name in functions:
        parts.append(f"complete -c {name} -e")
        parts.append(f"complete -c {name} -f -a '(__rolecall_complete env)'")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------
# PowerShell
# ---------------------------------------------------------------------------
_PS_COMPLETER = r"""
$__rolecallComplete = {
    param([string[]]$Words, [string]$Current)
    $key = ''; $n = 0; $pending = $null; $config = $null; $credentials = $null; $want = $null
    for ($i = 0; $i -lt $Words.Count; $i++) {
        $w = $Words[$i]
        if ($pending) {
            if ($pending -eq '--config') { $config = $w }
            if ($pending -eq '--credentials') { $credentials = $w }
            $pending = $null; continue
        }
        if ($w -eq '--') {
            if ($__rolecallPos["$key $n"] -eq '@command') { $want = 'rest'; break }
            continue
        }
        if ($w -like '--*=*') {
            $parts = $w.Split('=', 2)
            if ($parts[0] -eq '--config') { $config = $parts[1] }
            if ($parts[0] -eq '--credentials') { $credentials = $parts[1] }
            continue
        }
        if ($w -like '-?*') {
            if ($__rolecallValue.ContainsKey("$key $w")) { $pending = $w }
            continue
        }
        $kind = $__rolecallPos["$key $n"]
        if ($kind -eq '@sub') { $key = ("$key $w").Trim(); $n = 0; continue }
        if ($kind -eq '@command') { $want = 'rest'; break }
        $n++
    }
    if ($want -eq 'rest') { return @() }
    $prefix = ''
    if ($pending) { $kind = $__rolecallValue["$key $pending"] }
    elseif ($Current -like '--*=*') {
        $parts = $Current.Split('=', 2); $prefix = $parts[0] + '='; $Current = $parts[1]
        $kind = $__rolecallValue["$key $($parts[0])"]
    }
    elseif ($Current -like '-*') {
        return @($__rolecallOpts[$key] -split ' ' | Where-Object { $_ -like "$Current*" })
    }
    else { $kind = $__rolecallPos["$key $n"] }
    $found = @()
    switch -Wildcard ($kind) {
        '@sub' { $found = $__rolecallSubs[$key] -split ' ' }
        '@profile' {
            $fileArgs = @()
            if ($config) { $fileArgs += @('--config', $config) }
            if ($credentials) { $fileArgs += @('--credentials', $credentials) }
            $found = @(& rolecall __complete profiles @fileArgs --cache @CACHE@ 2>$null)
        }
        '@*' { $found = @() }
        default { if ($kind) { $found = $kind -split '[ |]' } }
    }
    @($found | Where-Object { $_ -and $_ -like "$Current*" } | ForEach-Object { $prefix + $_ })
}

function __rolecallWords($ast, $cursor) {
    $words = @($ast.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursor } |
        ForEach-Object { $_.Extent.Text })
    $current = ''
    foreach ($e in $ast.CommandElements) {
        if ($e.Extent.StartOffset -le $cursor -and $e.Extent.EndOffset -ge $cursor) {
            $current = $e.Extent.Text
        }
    }
    if ($words.Count -gt 0 -and $words[-1] -eq $current) {
        $words = @($words | Select-Object -SkipLast 1)
    }
    return ,@($words, $current)
}

Register-ArgumentCompleter -Native -CommandName rolecall -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $pair = __rolecallWords $commandAst $cursorPosition
    $words = @($pair[0] | Select-Object -Skip 1)
    & $__rolecallComplete $words $wordToComplete | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
"""


def _ps_table(name: str, rows: list[tuple[str, str]]) -> str:
    body = "\n".join(f"    {_pq(k)} = {_pq(v)}" for k, v in rows)
    return f"${name} = @{{\n{body}\n}}"


def _powershell(commands: list[Command], functions: tuple[str, ...], cache: str, hook: Hook) -> str:
    del hook  # (PowerShell runs `rolecall __complete`: it passes native arguments its own way)
    opts = [(c.key, " ".join(n for o in c.options for n in o.names)) for c in commands]
    values = [
        (f"{c.key} {name}", _value_word(o))
        for c in commands
        for o in c.options
        if o.value is not None
        for name in o.names
    ]
    positionals: list[tuple[str, str]] = []
    for c in commands:
        kinds = ["@sub"] if c.subcommands else [_positional_word(p) for p in c.positionals]
        for index, word in enumerate(kinds):
            positionals.append((f"{c.key} {index}", word))
        if kinds and kinds[-1] == "@command":
            positionals.append((f"{c.key} {len(kinds)}", "@command"))
    subs = [(c.key, " ".join(c.subcommands)) for c in commands if c.subcommands]
    parts = [
        _ps_table("__rolecallOpts", opts),
        _ps_table("__rolecallValue", values),
        _ps_table("__rolecallPos", positionals),
        _ps_table("__rolecallSubs", subs),
        _PS_COMPLETER.replace("@CACHE@", _pq(cache)),
    ]
    for name in functions:
        # the function's first parameter is the profile: its names are completed
        parts.append(
            f"Register-ArgumentCompleter -CommandName {name} -ParameterName Name -ScriptBlock {{\n"
            "    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBound)\n"
            "    & $__rolecallComplete @('env') $wordToComplete | ForEach-Object {\n"
            "        [System.Management.Automation.CompletionResult]::new($_, $_, "
            "'ParameterValue', $_)\n"
            "    }\n"
            "}"
        )
    return "\n".join(parts) + "\n"


_RENDERERS = {"bash": _bash, "zsh": _zsh, "fish": _fish, "powershell": _powershell}


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
    _check(commands)
    try:
        render = _RENDERERS[shell]
    except KeyError:
        raise ValueError(f"unknown shell {shell!r}; use one of {', '.join(SHELLS)}") from None
    return render(commands, functions, cache, hook)
