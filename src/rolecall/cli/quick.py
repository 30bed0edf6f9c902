"""The command lines of a cache hit, read without argparse.

``rolecall env PROFILE`` and ``rolecall credential-process PROFILE`` (the line
an AWS config holds, run before every SDK process that uses it) are the hot
path.  argparse, and the gettext, locale and shutil it loads, cost them more
than the cache hit itself (about 12 ms of a 45 ms run, measured with
``python -X importtime``), so :func:`quick_args` reads these two verbs in their
plain forms: one PROFILE, and ``--config``, ``--credentials`` (and ``--format``
for ``env``), each at most once, as ``--opt VALUE`` or ``--opt=VALUE``.

Anything else (another option, ``--help``, a value that starts with ``-``, an
option given twice, a mistake) returns None and goes to argparse, which
decides and words it.  The result is the Namespace argparse would give: a test
checks that against argparse itself, over a table and generated lines.
"""

from __future__ import annotations

from types import SimpleNamespace

from rolecall.cli.verb import Verb

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse
    from collections.abc import Sequence

__all__ = ["quick_args"]

#: The options each quick verb may take, beyond the files.
_EXTRA = {"env": ("--format",), "credential-process": ()}
_FILES = ("--config", "--credentials")


def quick_args(words: Sequence[str]) -> argparse.Namespace | None:
    """The Namespace for ``words`` when they are a plain ``env`` or ``credential-process``
    line, else None (argparse decides).

    >>> quick_args(["env", "dev", "--format=json"]).format
    'json'
    >>> quick_args(["env", "dev", "--no-cache"]) is None
    True
    """
    if not words or words[0] not in _EXTRA:
        return None
    verb = words[0]
    allowed = _FILES + _EXTRA[verb]
    options: dict[str, str] = {}
    profile: str | None = None
    rest = list(words[1:])
    while rest:
        word = rest.pop(0)
        if not word.startswith("-"):
            if profile is not None:
                return None
            profile = word
            continue
        name, eq, value = word.partition("=")
        if name not in allowed or name in options:
            return None
        if not eq:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        options[name] = value
    if profile is None:
        return None
    fmt = options.get("--format", "sh")
    if verb == "env":
        from rolecall.core.shell import FORMATS  # (env needs it next: not one import more)

        if fmt not in FORMATS:
            return None
    values: dict[str, object] = {
        "config": options.get("--config"),
        "credentials": options.get("--credentials"),
        "command": verb,
        "profile": profile,
        "mfa_code": None,
        "no_cache": False,
    }
    if verb == "env":
        values["duration"] = None
        values["region"] = None
        values["format"] = fmt
        values["yes"] = False  # (``--yes`` goes to argparse)
        values["func"] = Verb("credentials", "cmd_env")
    else:
        values["func"] = Verb("credentials", "cmd_credential_process")
    # the attributes of argparse's Namespace, without importing argparse
    return SimpleNamespace(**values)  # type: ignore[return-value]
