"""The prompt of a shell rolecall starts: ``[dev]``, in the profile's colour, before
the user's own prompt, so that a shell with credentials says so.

:func:`mark` turns the command of an interactive bash, zsh or fish (the
user's ``$SHELL`` with no arguments, as ``rolecall shell``, ``exec PROFILE --
$SHELL`` and the UI's ``s`` start it) into one that adds the marker, without
touching the user's own rc files:

* **bash**: ``bash --rcfile F``, where F sources ``~/.bashrc`` first (bash still
  reads ``/etc/bash.bashrc`` itself), then prefixes ``PS1``;
* **zsh**: ``ZDOTDIR`` points at a directory whose ``.zshenv`` and ``.zshrc``
  source the user's own (from the user's ``ZDOTDIR``, else ``$HOME``) and then
  put ``ZDOTDIR`` back as it was, before adding the marker;
* **fish**: ``fish --init-command C``, run after ``config.fish``, which wraps the
  ``fish_prompt`` the user has.

The marker reads ``ROLECALL_PROFILE`` at each prompt (``rc other`` inside the
shell shows ``[other]``; ``rc -u`` removes it), with control characters made
visible, and is put back before each prompt when a prompt theme rewrites the
prompt (``PROMPT_COMMAND``, ``precmd``).  Its colour comes in
``ROLECALL_PROMPT_SGR`` (an SGR such as ``1;31``; only digits and ``;``).  The
scripts hold no secret and no profile name; they are written to
``<rolecall's cache dir>/shell`` (0700, files 0600) when they differ.
"""

from __future__ import annotations

import os
import re

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping, Sequence

__all__ = ["DEFAULT_SGR", "SGR_VAR", "mark", "script_dir", "shell_kind"]

#: The variable that carries the marker's colour.
SGR_VAR = "ROLECALL_PROMPT_SGR"
#: The colour of a profile that has none: bold cyan.
DEFAULT_SGR = "1;36"
#: Where zsh's own ZDOTDIR is kept while ours is in use (unset: it had none).
USER_ZDOTDIR_VAR = "ROLECALL_USER_ZDOTDIR"
_SGR_RE = re.compile(r"[0-9;]{1,40}")

BASHRC = r"""# rolecall: the rc file of a bash that rolecall started (bash --rcfile).
# Your own ~/.bashrc is read first; then the prompt shows the profile.
if [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi
__rolecall_prefix='${__rolecall_name:+\[\e[${ROLECALL_PROMPT_SGR:-1}m\]'
__rolecall_prefix+='[${__rolecall_name}]\[\e[0m\] }'
__rolecall_mark() {
    __rolecall_name=${ROLECALL_PROFILE//[[:cntrl:]]/?}
    case $PS1 in
        "$__rolecall_prefix"*) ;;
        *) PS1=$__rolecall_prefix$PS1 ;;
    esac
}
__rolecall_mark
# after any prompt theme that sets PS1 before each prompt
if [[ "$(declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
    PROMPT_COMMAND+=(__rolecall_mark)
else
    PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND$'\n'}__rolecall_mark"
fi
"""

ZSHENV = r"""# rolecall: a zsh that rolecall started (ZDOTDIR); your own .zshenv is read here.
__rolecall_zdotdir=$ZDOTDIR
if (( ${+ROLECALL_USER_ZDOTDIR} )); then
    ZDOTDIR=$ROLECALL_USER_ZDOTDIR
else
    unset ZDOTDIR
fi
unset ROLECALL_USER_ZDOTDIR
[[ -f ${ZDOTDIR:-$HOME}/.zshenv ]] && source "${ZDOTDIR:-$HOME}/.zshenv"
# (your .zshenv may set ZDOTDIR: kept for your .zshrc, read from rolecall's)
__rolecall_user_zdotdir=${ZDOTDIR-}
__rolecall_user_zdotdir_set=${+ZDOTDIR}
ZDOTDIR=$__rolecall_zdotdir
"""

ZSHRC = r"""# rolecall: a zsh that rolecall started (ZDOTDIR); your own .zshrc is read first,
# then the prompt shows the profile.
if (( __rolecall_user_zdotdir_set )); then
    ZDOTDIR=$__rolecall_user_zdotdir
else
    unset ZDOTDIR
fi
unset __rolecall_zdotdir __rolecall_user_zdotdir __rolecall_user_zdotdir_set
[[ -f ${ZDOTDIR:-$HOME}/.zshrc ]] && source "${ZDOTDIR:-$HOME}/.zshrc"
__rolecall_prefix="%(9V.%{"$'\e'"[${ROLECALL_PROMPT_SGR:-1}m%}[%9v]%{"$'\e'"[0m%} .)"
__rolecall_precmd() {
    psvar[9]=${(V)ROLECALL_PROFILE-}
    [[ $PROMPT == "$__rolecall_prefix"* ]] || PROMPT=$__rolecall_prefix$PROMPT
}
autoload -Uz add-zsh-hook
add-zsh-hook precmd __rolecall_precmd
"""

FISH_INIT = (
    "functions -q fish_prompt; and functions -c fish_prompt __rolecall_user_prompt; "
    "function fish_prompt; "
    'if test -n "$ROLECALL_PROFILE"; '
    "printf '\\e[%sm[%s]\\e[0m ' (string replace -ra '[^0-9;]' '' -- \"$ROLECALL_PROMPT_SGR\") "
    "(string replace -ra '[[:cntrl:]]' '?' -- \"$ROLECALL_PROFILE\"); "
    "end; "
    "functions -q __rolecall_user_prompt; and __rolecall_user_prompt; "
    "end"
)

_SHELLS = ("bash", "zsh", "fish")


def shell_kind(argv: Sequence[str]) -> str | None:
    """``bash``, ``zsh`` or ``fish`` when ``argv`` starts one interactively (the shell
    alone, no arguments), else None.

    >>> shell_kind(["/bin/bash"]), shell_kind(["zsh"]), shell_kind(["bash", "-c", "x"])
    ('bash', 'zsh', None)
    >>> shell_kind(["/usr/local/bin/fish"]), shell_kind(["/bin/sh"])
    ('fish', None)
    """
    if len(argv) != 1:
        return None
    name = os.path.basename(argv[0]).lstrip("-")
    return name if name in _SHELLS else None


def script_dir() -> str:
    """``<rolecall's cache dir>/shell``."""
    from rolecall.core.cache.keys import rolecall_cache_dir

    return os.path.join(rolecall_cache_dir(), "shell")


def _private_dir(path: str) -> bool:
    """Make ``path`` (mode 0700); False when it is not ours alone (then nothing is marked:
    someone else could change the rc file between our write and the shell's read)."""
    from rolecall.core.fsutil import ensure_private_dir

    try:
        ensure_private_dir(path)
        st = os.lstat(path)
        if not os.path.isdir(path) or os.path.islink(path) or st.st_uid != os.getuid():
            return False
        if st.st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError:
        return False
    return True


def _write(path: str, text: str) -> None:
    """Write ``text`` to ``path`` (0600, atomically) unless it already holds it."""
    data = text.encode()
    try:
        with open(path, "rb") as fh:
            if fh.read() == data and os.fstat(fh.fileno()).st_mode & 0o077 == 0:
                return
    except OSError:
        pass
    from rolecall.core.fsutil import atomic_write

    atomic_write(path, data, 0o600, follow_symlinks=False)


def mark(
    argv: Sequence[str],
    env: Mapping[str, str],
    sgr: str | None,
    directory: str | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The command and environment of a shell whose prompt shows the profile.

    Unchanged when ``sgr`` is None (the setting is off), when ``argv`` is not an
    interactive bash, zsh or fish, or when the scripts cannot be written safely.
    """
    argv, env = list(argv), dict(env)
    kind = shell_kind(argv)
    if sgr is None or kind is None:
        return argv, env
    if not _SGR_RE.fullmatch(sgr):
        sgr = DEFAULT_SGR
    if kind == "fish":
        env[SGR_VAR] = sgr
        return [argv[0], "--init-command", FISH_INIT], env
    directory = script_dir() if directory is None else directory
    try:
        if not _private_dir(directory):
            return argv, env
        if kind == "bash":
            rcfile = os.path.join(directory, "bashrc")
            _write(rcfile, BASHRC)
            env[SGR_VAR] = sgr
            return [argv[0], "--rcfile", rcfile], env
        zdotdir = os.path.join(directory, "zsh")
        if not _private_dir(zdotdir):
            return argv, env
        _write(os.path.join(zdotdir, ".zshenv"), ZSHENV)
        _write(os.path.join(zdotdir, ".zshrc"), ZSHRC)
    except OSError:
        return argv, env
    env[SGR_VAR] = sgr
    env.pop(USER_ZDOTDIR_VAR, None)
    if "ZDOTDIR" in env:
        env[USER_ZDOTDIR_VAR] = env["ZDOTDIR"]
    env["ZDOTDIR"] = zdotdir
    return argv, env
