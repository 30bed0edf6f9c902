"""The messages the workers post to the app (a widget's own messages are nested in it).

Workers run in threads and only ever ``post_message`` (which is thread-safe):
they never touch a widget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from rolecall.core.profiles import ProfileSet
    from rolecall.core.sso.discovery import SessionRoles
    from rolecall.tui.jobs import Purpose
    from rolecall.tui.model import ExpiryLike
    from rolecall.tui.state import PreparedRows

__all__ = [
    "AssumeDone",
    "ConsoleOpened",
    "ProfilesLoaded",
    "Progress",
    "RolesDiscovered",
    "WhoamiDone",
]


class Progress(Message):
    """One step of an assume (a ``rolecall.core.sts.ProgressEvent``)."""

    def __init__(self, request: str, event: Any) -> None:
        super().__init__()
        self.request = request
        self.event = event


class AssumeDone(Message):
    """An assume succeeded; ``purpose`` says what to do next (``shell`` opens one)."""

    def __init__(self, name: str, result: Any, purpose: Purpose) -> None:
        super().__init__()
        self.name = name
        self.result = result
        self.purpose = purpose


class ConsoleOpened(Message):
    """A console sign-in link was made and handed to the browser (``opened``: it took it).

    The link itself never reaches the UI thread: it is a credential.
    """

    def __init__(
        self,
        name: str,
        opened: bool,
        arn: str | None,
        account_id: str | None,
        warnings: list[str],
    ) -> None:
        super().__init__()
        self.name = name
        self.opened = opened
        self.arn = arn
        self.account_id = account_id
        self.warnings = warnings


class WhoamiDone(Message):
    """``get-caller-identity`` answered for a profile."""

    def __init__(self, name: str, identity: dict[str, Any]) -> None:
        super().__init__()
        self.name = name
        self.identity = identity


class ProfilesLoaded(Message):
    """A reload finished: new profiles (None when only the cache changed) and expiries
    (each profile's, and the MFA session each chain uses)."""

    def __init__(
        self,
        profiles: ProfileSet | None,
        expiries: tuple[dict[str, ExpiryLike], dict[str, ExpiryLike]] | None,
        stamp: tuple[Any, ...],
        error: str | None = None,
        rows: PreparedRows | None = None,
    ) -> None:
        super().__init__()
        self.profiles = profiles
        #: the table rows of ``profiles``, built in the worker
        self.rows = rows
        self.expiries = expiries
        self.stamp = stamp
        self.error = error


class RolesDiscovered(Message):
    """A discovery of every SSO session's roles finished (``generation``: which one;
    an older one that lands late is ignored), with the sessions' token expiries."""

    def __init__(
        self, found: list[SessionRoles], tokens: dict[str, ExpiryLike], generation: int
    ) -> None:
        super().__init__()
        self.found = found
        self.tokens = tokens
        self.generation = generation
