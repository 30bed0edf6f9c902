"""``rolecall_prompt``: the prompt segment of ``rolecall prompt``, in the shell's own language.

``rolecall shell-init bash|zsh|fish`` defines it (and ``--prompt-only`` prints it alone, for
starship).  For a plain profile name and a UTC expiration, bash, zsh and fish work the
segment out themselves, with their own clock, and start no process (fish runs ``date``);
anything else asks rolecall (the ``hook`` command, else ``rolecall prompt``), so the text is
always :func:`rolecall.core.prompt.segment`'s.
"""

from __future__ import annotations

from rolecall.core.completion import quoted_command
from rolecall.core.prompt import CRITICAL_SECONDS, WARN_SECONDS

__all__ = ["PROMPT_SHELLS", "render_prompt"]

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
