"""``rolecall shell-init SHELL``: the code a user's rc file evaluates.

It defines a function (``rc`` by default) that changes the *current* shell,
which no child process can do by itself:

* ``rc PROFILE [OPTIONS]`` runs ``rolecall env PROFILE [OPTIONS]`` and evaluates
  its output: the credentials, ``ROLECALL_PROFILE``, ``AWS_CREDENTIAL_EXPIRATION``
  and the region are set, ``AWS_PROFILE`` is unset.  The export lines come
  through a pipe (command substitution), never the terminal; an MFA code is
  asked for on ``/dev/tty``.
* ``rc`` opens the terminal UI as a picker (``rolecall pick``): Enter assumes
  the highlighted profile and closes the UI, and the export lines come back on
  file descriptor 3 (a pipe the function reads; PowerShell, which cannot open
  a numbered descriptor, uses a temporary file of its own).  The UI draws on
  the terminal as usual.
* ``rc -u`` unsets what ``rc`` set.

Then the completion code for ``rolecall`` and the function
(:mod:`rolecall.core.completion`).  The function calls ``command rolecall``,
so it follows the ``rolecall`` on ``PATH`` (an upgrade needs no new rc line).
"""

from __future__ import annotations

import re

from rolecall.core.completion import SHELLS, Command, quoted_command, render_completion
from rolecall.core.prompt import CRITICAL_SECONDS, WARN_SECONDS

__all__ = [
    "CLEARED",
    "DEFAULT_NAME",
    "PROMPT_SHELLS",
    "SHELLS",
    "check_name",
    "render",
    "render_prompt",
]

DEFAULT_NAME = "rc"
#: The shells whose script defines ``rolecall_prompt``.
PROMPT_SHELLS = ("bash", "zsh", "fish")
#: The names ``rolecall_prompt`` shows without asking rolecall: printable as they are,
#: and not shortened (``rolecall.core.prompt`` cleans and shortens the others).
_NAME_PATTERN = "^[A-Za-z0-9._@+=,:/-]{1,40}$"
#: The expirations it reads itself: the dates ``expiry_epoch`` accepts, in UTC
#: (rolecall writes ``...Z``), in six groups: year, month, day, hour, minute, second.
_EXPIRATION_PATTERN = (
    "^([1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]"
    "([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|6[01])"
)
_FRACTION = r"\.[0-9]+"
_ZONE = r"Z|z|\+00:00"
#: What ``rc -u`` unsets: every variable ``rolecall env`` sets.
CLEARED = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "ROLECALL_PROFILE",
)

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
#: Words no shell lets a function take (or that would hide rolecall itself).
_RESERVED = frozenset(
    [
        "if",
        "then",
        "else",
        "elif",
        "fi",
        "case",
        "esac",
        "for",
        "while",
        "until",
        "do",
        "done",
        "in",
        "function",
        "select",
        "time",
        "coproc",
        "begin",
        "end",
        "switch",
        "and",
        "or",
        "not",
        "return",
        "break",
        "continue",
        "set",
        "test",
        "command",
        "builtin",
        "eval",
        "exec",
        "source",
        "exit",
        "local",
        "export",
        "unset",
        "alias",
        "rolecall",
    ]
)

_SH = """\
# rolecall shell integration ({shell}): eval "$(rolecall shell-init {shell})"
#   {name} PROFILE [OPTIONS]  set PROFILE's credentials in this shell (options of `rolecall env`)
#   {name}                    pick a profile in the terminal UI (Enter), then set it
#   {name} -u                 unset them
{name}() {{
    local _rolecall_out
    case "${{1-}}" in
        -u|--unset)
            unset {cleared}
            return 0 ;;
        -h|--help)
            printf '%s\\n' \\
                'usage: {name} PROFILE [OPTIONS]   set the credentials of PROFILE in this shell' \\
                '       {name}                     pick a profile in the terminal UI' \\
                '       {name} -u                  unset them' \\
                'OPTIONS are those of `rolecall env` (--duration S, --mfa-code CODE, --no-cache).'
            return 0 ;;
    esac
    if [ $# -eq 0 ]; then
        # the UI draws on the terminal; the exports come back on descriptor 3
        _rolecall_out=$(command rolecall pick --format sh --output-fd 3 3>&1 1>&2) || return
    else
        _rolecall_out=$(command rolecall env "$@" --format sh) || return
    fi
    eval "$_rolecall_out"
}}
"""

_SH_PROMPT = """\
# rolecall_prompt: what `rolecall prompt --shell {shell}` prints (`dev 42m`), for PS1;
# `rolecall_prompt plain`: without colour (starship). The shell works it out itself for a
# plain name and a UTC expiration (no process); anything else asks rolecall. Nothing at
# all outside a rolecall session.
rolecall_prompt() {{
    [ -n "${{ROLECALL_PROFILE-}}" ] || return 0
{native}    {prompt}
}}
"""

_FISH = """\
# rolecall shell integration (fish): rolecall shell-init fish | source
#   {name} PROFILE [OPTIONS]  set PROFILE's credentials in this shell (options of `rolecall env`)
#   {name}                    pick a profile in the terminal UI (Enter), then set it
#   {name} -u                 unset them
function {name} --description "rolecall: set a profile's credentials in this shell"
    switch "$argv[1]"
        case -u --unset
            for var in {cleared}
                set -e $var
            end
            return 0
        case -h --help
            printf '%s\\n' \\
                'usage: {name} PROFILE [OPTIONS]   set the credentials of PROFILE in this shell' \\
                '       {name}                     pick a profile in the terminal UI' \\
                '       {name} -u                  unset them' \\
                'OPTIONS are those of `rolecall env` (--duration S, --mfa-code CODE, --no-cache).'
            return 0
    end
    set -l out
    if test (count $argv) -eq 0
        # the UI draws on the terminal; the exports come back on descriptor 3
        set out (command rolecall pick --format fish --output-fd 3 3>&1 1>&2); or return
    else
        set out (command rolecall env $argv --format fish); or return
    end
    printf '%s\\n' $out | source
    return 0  # (the last line erases a variable that may not exist: status 4)
end
"""

_FISH_PROMPT = """\
# rolecall_prompt: what `rolecall prompt --shell fish` prints (`dev 42m`), for fish_prompt.
# fish works it out itself for a plain name and a UTC expiration (one `date`, no Python);
# anything else asks rolecall. Nothing at all outside a rolecall session.
function rolecall_prompt
    test -n "$ROLECALL_PROFILE"; or return 0
    set -l name $ROLECALL_PROFILE
    set -l exp $AWS_CREDENTIAL_EXPIRATION
    set -l f (string match -r -- '{fish_re}' "$exp")
    if string match -qr -- '{name_re}' "$name"; and test -z "$exp" -o (count $f) -eq 7
        set -l text $name
        set -l color 32
        if test -n "$exp"
            set -l y (math $f[2])
            set -l m (math $f[3])
            test $m -le 2; and set y (math $y - 1)
            set -l era (math "floor($y / 400)")
            set -l yoe (math "$y - $era * 400")
            set -l shift 9
            test $m -gt 2; and set shift -3
            set -l doy (math "floor((153 * ($m + $shift) + 2) / 5) + $f[4] - 1")
            set -l doe (math "$yoe * 365 + floor($yoe / 4) - floor($yoe / 100) + $doy")
            set -l days (math "$era * 146097 + $doe - 719468")
            set -l left (math "$days * 86400 + $f[5] * 3600 + $f[6] * 60 + $f[7] - "(date +%s))
            # (a fraction of a second left over: "<= N" becomes "< N", as in Python)
            set -l part 0
            string match -qr -- '\\.[0-9]*[1-9]' "$exp"; and set part 1
            if test (math $left + $part) -le 0
                set text "$name expired"
            else if test $left -lt 60
                set text "$name "$left"s"
            else if test $left -lt 3600
                set text "$name "(math "floor($left / 60)")"m"
            else
                set -l hours (math "floor($left / 3600)")
                set text "$name "(printf '%dh%02dm' $hours (math "floor($left / 60) % 60"))
            end
            if test (math $left + $part) -le {critical}
                set color 31
            else if test (math $left + $part) -le {warn}
                set color 33
            end
        end
        printf '\\e[%sm%s\\e[0m' $color "$text"
        return 0
    end
    {prompt}
end
"""

#: The body of ``rolecall_prompt`` that bash and zsh run before asking rolecall:
#: the segment of ``rolecall.core.prompt.segment`` for a plain name (``_NAME_PATTERN``)
#: and an expiration of ``_EXPIRATION_PATTERN``, with the clock of the shell
#: (``EPOCHSECONDS``; bash before 5.0 reads it with ``printf %(%s)T``).
_SH_NATIVE = """\
    local _rp_now= _rp_name=$ROLECALL_PROFILE _rp_exp=${{AWS_CREDENTIAL_EXPIRATION-}}
    local _rp_re='{sh_re}' _rp_ok='{name_re}' _rp_text _rp_color=32 _rp_left _rp_y _rp_m _rp_d _rp_f
    {now}
    if [[ -n $_rp_now && $_rp_name =~ $_rp_ok ]] && [[ -z $_rp_exp || $_rp_exp =~ $_rp_re ]]; then
        _rp_text=$_rp_name
        if [[ -n $_rp_exp ]]; then
            _rp_y=$((10#{g1})) _rp_m=$((10#{g2})) _rp_d=$((10#{g3}))
            (( _rp_y -= _rp_m <= 2 ))
            # (days since 1970-01-01: rolecall.core.prompt._days_from_civil)
            _rp_left=$(( (_rp_y / 400) * 146097 + (_rp_y % 400) * 365 + (_rp_y % 400) / 4 \\
                - (_rp_y % 400) / 100 + (153 * (_rp_m + (_rp_m > 2 ? -3 : 9)) + 2) / 5 \\
                + _rp_d - 1 - 719468 ))
            _rp_left=$(( _rp_left * 86400 + 10#{g4} * 3600 + 10#{g5} * 60 + 10#{g6} - _rp_now ))
            # (a fraction of a second left over: "<= N" becomes "< N", as in Python)
            _rp_f=0; if [[ $_rp_exp == *.*[1-9]* ]]; then _rp_f=1; fi
            if (( _rp_left + _rp_f <= 0 )); then _rp_text+=" expired"
            elif (( _rp_left < 60 )); then _rp_text+=" ${{_rp_left}}s"
            elif (( _rp_left < 3600 )); then _rp_text+=" $(( _rp_left / 60 ))m"
            else
                _rp_m=$(( _rp_left / 60 % 60 ))
                if (( _rp_m < 10 )); then _rp_m=0$_rp_m; fi
                _rp_text+=" $(( _rp_left / 3600 ))h${{_rp_m}}m"
            fi
            if (( _rp_left + _rp_f <= {critical} )); then _rp_color=31
            elif (( _rp_left + _rp_f <= {warn} )); then _rp_color=33
            fi
        fi
        if [[ ${{1-}} == plain ]]; then printf '%s' "$_rp_text"
        else printf {wrap} "$_rp_color" "$_rp_text"
        fi
        return 0
    fi
"""

_POWERSHELL = """\
# rolecall shell integration (PowerShell):
#   Invoke-Expression (& rolecall shell-init powershell | Out-String)
#   {name} PROFILE [OPTIONS]  set PROFILE's credentials in this shell (options of `rolecall env`)
#   {name}                    pick a profile in the terminal UI (Enter), then set it
#   {name} -u                 unset them
function {name} {{
    param(
        [Parameter(Position = 0)][string]$Name,
        [switch]$u,
        [Parameter(Position = 1, ValueFromRemainingArguments = $true)][string[]]$Rest
    )
    if ($u -or $Name -eq '--unset') {{
        foreach ($var in @({cleared_ps})) {{
            Remove-Item "Env:$var" -ErrorAction SilentlyContinue
        }}
        return
    }}
    if (-not $Name) {{
        # the UI draws on the terminal; the exports come back in a private temporary file
        $file = [System.IO.Path]::GetTempFileName()
        try {{
            & rolecall pick --format powershell --output-file $file
            if ($LASTEXITCODE -ne 0) {{ return }}
            $text = Get-Content -Raw -LiteralPath $file
        }} finally {{
            Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
        }}
    }} else {{
        $words = @($Name) + @($Rest | Where-Object {{ $_ -ne $null }})
        $text = (& rolecall env @words --format powershell) -join "`n"
        if ($LASTEXITCODE -ne 0) {{ return }}
    }}
    if ($text) {{ Invoke-Expression $text }}
}}
"""


def _sh_native(shell: str) -> str:
    """The part of bash's or zsh's ``rolecall_prompt`` that starts no process."""
    if shell == "zsh":
        now = (
            "setopt localoptions nobashrematch noksharrays\n"
            "    zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null; _rp_now=${EPOCHSECONDS-}"
        )
        group, wrap = "match", r"'%%{\033[%sm%%}%s%%{\033[0m%%}'"
    else:
        now = (
            "_rp_now=${EPOCHSECONDS-}\n"
            "    [[ -n $_rp_now ]] || printf -v _rp_now '%(%s)T' -1 2>/dev/null\n"
            "    case $_rp_now in *[!0-9]*) _rp_now= ;; esac"
        )
        group, wrap = "BASH_REMATCH", r"'\001\033[%sm\002%s\001\033[0m\002'"
    return _SH_NATIVE.format(
        now=now,
        wrap=wrap,
        sh_re=_EXPIRATION_PATTERN + "(" + _FRACTION + ")?(" + _ZONE + ")?$",
        name_re=_NAME_PATTERN,
        warn=WARN_SECONDS,
        critical=CRITICAL_SECONDS,
        **{f"g{i}": "${" + group + f"[{i}]}}" for i in range(1, 7)},
    )


def check_name(name: str) -> str | None:
    """Why ``name`` cannot be the function's name, or None when it can.

    >>> check_name("rc"), check_name("aws-as") is None, check_name("if")
    (None, True, "'if' is a shell keyword or command; choose another name")
    """
    if not _NAME_RE.fullmatch(name):
        return (
            f"{name!r} is not a function name: use letters, digits, '_' and '-' "
            "(not first), at most 64"
        )
    if name in _RESERVED:
        return f"{name!r} is a shell keyword or command; choose another name"
    return None


def render_prompt(shell: str, hook: tuple[str, ...] = ()) -> str:
    """``rolecall_prompt`` alone, for bash, zsh or fish (``hook``: as in :func:`render`):
    the code a prompt engine such as starship sources without the rest."""
    prompt = quoted_command((*hook, "prompt"), shell) if hook else "command rolecall prompt"
    if shell == "fish":
        return _FISH_PROMPT.format(
            prompt=prompt + " --shell fish",
            fish_re=_EXPIRATION_PATTERN + "(?:" + _FRACTION + ")?(?:" + _ZONE + ")?$",
            name_re=_NAME_PATTERN,
            warn=WARN_SECONDS,
            critical=CRITICAL_SECONDS,
        )
    if shell in PROMPT_SHELLS:
        return _SH_PROMPT.format(
            shell=shell, prompt=prompt + f' --shell "${{1:-{shell}}}"', native=_sh_native(shell)
        )
    raise ValueError(
        f"no rolecall_prompt for {shell}: use `rolecall prompt --shell {shell}` "
        f"(rolecall_prompt is for {', '.join(PROMPT_SHELLS)})"
    )


def render(
    shell: str,
    commands: list[Command],
    name: str = DEFAULT_NAME,
    cache: str = "",
    hook: tuple[str, ...] = (),
) -> str:
    """The whole script for ``shell``: the function (and ``rolecall_prompt``), then the
    completion code (``cache``: where the profile names are remembered between Tabs).

    ``hook`` is the command that runs ``rolecall.cli.shell_hooks.hook`` (empty: the
    ``rolecall`` command): given ``__complete profiles ...`` at a Tab, ``prompt
    --shell SHELL`` in ``rolecall_prompt``."""
    problem = check_name(name)
    if problem:
        raise ValueError(problem)
    if shell == "fish":
        head = _FISH.format(name=name, cleared=" ".join(CLEARED))
    elif shell == "powershell":
        cleared_ps = ", ".join(f"'{v}'" for v in CLEARED)
        head = _POWERSHELL.format(name=name, cleared_ps=cleared_ps)
    elif shell in SHELLS:
        head = _SH.format(name=name, shell=shell, cleared=" ".join(CLEARED))
    else:
        raise ValueError(f"unknown shell {shell!r}; use one of {', '.join(SHELLS)}")
    if shell in PROMPT_SHELLS:
        head += render_prompt(shell, hook)
    complete = (*hook, "__complete") if hook else ()  # (the hidden verb of shell_hooks)
    return head + "\n" + render_completion(shell, commands, (name,), cache, complete)
