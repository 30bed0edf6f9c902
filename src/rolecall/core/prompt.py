"""``rolecall prompt``: a short segment for a shell prompt, such as ``dev 42m``.

It is made from two variables and the clock: ``ROLECALL_PROFILE`` (set by
``rolecall env``, ``rc``, ``shell`` and ``exec``) and ``AWS_CREDENTIAL_EXPIRATION``.
Outside a rolecall session it is empty.  It reads no file, so it costs what
starting Python costs and little more: a prompt runs it before every command.
This module imports nothing (no ``re``, no date library): the expiration is read
by hand (``re`` costs more than the rest of the prompt; ``rolecall_prompt`` of
``rolecall shell-init`` runs it without the console script, which imports it).

The colour follows the time left, as the UI's countdowns do (900 s and 300 s,
the default thresholds: reading the settings would mean reading a file), and
is written for the shell that shows it:

* ``bash``: the escapes between ``\\001`` and ``\\002``, which readline skips
  when it measures the prompt (``\\[ \\]`` are not read in a ``$(...)``);
* ``zsh``: between ``%{`` and ``%}``, with ``%`` in the name doubled;
* ``fish``, ``powershell`` and ``ansi``: the escapes alone;
* ``plain`` (the default): no colour, for starship and other prompt engines.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

__all__ = ["PROMPT_SHELLS", "expiry_epoch", "left_text", "segment"]

PROMPT_SHELLS = ("plain", "bash", "zsh", "fish", "powershell", "ansi")
#: Under these many seconds left the segment turns yellow, then red (the UI's defaults).
WARN_SECONDS = 900
CRITICAL_SECONDS = 300
_GREEN, _YELLOW, _RED = "32", "33", "31"
#: The zones an expiration may name besides ``+HH:MM``, ``+HHMM`` (and ``-``).
_UTC_NAMES = ("", "Z", "UTC", "GMT")
_DIGITS = frozenset("0123456789")
_SPACE = " \t\n\r\f\v"
#: The longest profile name shown in full.
_MAX_NAME = 40


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's algorithm).

    >>> _days_from_civil(1970, 1, 1), _days_from_civil(2000, 3, 1)
    (0, 11017)
    """
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _is_digits(text: str) -> bool:
    return bool(text) and _DIGITS.issuperset(text)


def _zone_offset(zone: str) -> int | None:
    """Seconds east of UTC for ``Z``, ``UTC``, ``GMT`` (any case, or none), ``+HH:MM``
    or ``-HHMM``; None for anything else."""
    zone = zone.upper()
    if zone in _UTC_NAMES:
        return 0
    digits = zone[1:].replace(":", "", 1) if zone[3:4] == ":" else zone[1:]
    if zone[0] not in "+-" or len(digits) != 4 or not _is_digits(digits):
        return None
    offset = int(digits[:2]) * 3600 + int(digits[2:]) * 60
    return offset if zone[0] == "+" else -offset


def expiry_epoch(text: str) -> float | None:
    """Seconds since the epoch for an expiration, or None when it is not one.

    ``YYYY-MM-DDTHH:MM:SS`` (``T`` or a space), then a fraction, then a zone
    (``Z``, ``UTC``, ``GMT``, ``+HH:MM``, ``-HHMM``; none is UTC), blanks allowed
    around the zone: the three shapes the caches hold, and a little more.

    >>> expiry_epoch("1970-01-02T00:00:00Z"), expiry_epoch("1970-01-01T01:00:00+01:00")
    (86400.0, 0.0)
    >>> expiry_epoch("soon") is None
    True
    """
    text = text.strip()
    fields = (text[0:4], text[5:7], text[8:10], text[11:13], text[14:16], text[17:19])
    if (
        len(text) < 19
        or text[4] + text[7] + text[13] + text[16] != "--::"
        or text[10] not in "Tt "
        or not all(_is_digits(f) for f in fields)
    ):
        return None
    year, month, day, hour, minute, second = (int(f) for f in fields)
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 62):
        return None
    rest, fraction = text[19:], 0.0
    if rest[:1] == ".":
        end = 1
        while rest[end : end + 1] in _DIGITS:  # ("" is not a digit: the end stops it)
            end += 1
        if end == 1:
            return None
        fraction, rest = float(rest[:end]), rest[end:]
    offset = _zone_offset(rest.lstrip(_SPACE))
    if offset is None:
        return None
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    return seconds - offset + fraction


def left_text(seconds: float) -> str:
    """The time left, short: ``42m``, ``1h05m``, ``30s``, ``expired``.

    >>> left_text(2520), left_text(3900), left_text(30.5), left_text(0)
    ('42m', '1h05m', '30s', 'expired')
    """
    if seconds <= 0:
        return "expired"
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h{minutes % 60:02d}m"


def _clean(name: str) -> str:
    """No control character (a name could otherwise drive the terminal), not too long."""
    name = "".join(c if c.isprintable() else "?" for c in name)
    return name if len(name) <= _MAX_NAME else name[: _MAX_NAME - 1] + "…"


def segment(env: Mapping[str, str], now: float, shell: str = "plain") -> str:
    """The prompt segment for ``env`` at ``now`` (seconds since the epoch); "" outside
    a rolecall session.

    >>> env = {"ROLECALL_PROFILE": "dev", "AWS_CREDENTIAL_EXPIRATION": "1970-01-01T00:42:00Z"}
    >>> segment(env, 0.0), segment({}, 0.0), segment({"ROLECALL_PROFILE": "static"}, 0.0)
    ('dev 42m', '', 'static')
    >>> segment(env, 2400.0, "bash")
    '\\x01\\x1b[31m\\x02dev 2m\\x01\\x1b[0m\\x02'
    """
    profile = env.get("ROLECALL_PROFILE", "")
    if not profile:
        return ""
    text = _clean(profile)
    color = _GREEN
    expiration = env.get("AWS_CREDENTIAL_EXPIRATION", "")
    epoch = expiry_epoch(expiration) if expiration else None
    if epoch is not None:
        left = epoch - now
        text += " " + left_text(left)
        if left <= CRITICAL_SECONDS:
            color = _RED
        elif left <= WARN_SECONDS:
            color = _YELLOW
    if shell == "plain":
        return text
    on, off = f"\x1b[{color}m", "\x1b[0m"
    if shell == "bash":
        return f"\x01{on}\x02{text}\x01{off}\x02"
    if shell == "zsh":
        return "%{" + on + "%}" + text.replace("%", "%%") + "%{" + off + "%}"
    return on + text + off
