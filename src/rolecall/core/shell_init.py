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

from rolecall.core.completion import SHELLS, Command, render_completion
from rolecall.core.shell_prompt import PROMPT_SHELLS, render_prompt

__all__ = [
    "CLEARED",
    "DEFAULT_NAME",
    "SHELLS",
    "check_name",
    "render",
]

DEFAULT_NAME = "rc"
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
