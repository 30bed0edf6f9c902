"""Completion for bash and zsh: one walker in the syntax both accept, one table, and
each shell's own way of listing the candidates."""

from __future__ import annotations

from rolecall.core.completion.model import (
    Command,
    Hook,
    hook_command_text,
    sq,
    tables,
)

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
        lines.append(f"        {sq(pattern)}) REPLY={sq(value)} ;;")
    lines += ["        *) REPLY= ;;", "    esac", "}"]
    return "\n".join(lines)


def _sh_tables(commands: list[Command]) -> str:
    rows = tables(commands)
    opts, values, positionals, subs = rows.options, rows.values, rows.positionals, rows.subcommands
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


def _sh_walker(cache: str, hook: tuple[str, ...]) -> str:
    return _SH_WALKER.replace("@CACHE@", sq(cache)).replace("@HOOK@", hook_command_text(hook, sq))


def render_bash(commands: list[Command], functions: tuple[str, ...], cache: str, hook: Hook) -> str:
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


def render_zsh(commands: list[Command], functions: tuple[str, ...], cache: str, hook: Hook) -> str:
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
