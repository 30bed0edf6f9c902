"""What the main screen shows, kept apart from the widgets: profiles, expiries, favourites.

Pure Python.  The screen asks it for the visible rows (filtered, then ordered) and
for each profile's expiry, and tells it what changed (a reload, an assume).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rolecall.tui import discovered
from rolecall.tui.model import ExpiryLike, Row, SessionExpiry, clean, filter_rows, order_rows

if TYPE_CHECKING:
    from rolecall.core.profiles import Profile, ProfileSet
    from rolecall.core.sso.discovery import SessionRoles

__all__ = ["ExpiryWatch", "PreparedRows", "TableState", "prepare_rows"]


def _row(profile: Profile, label: str | None, color: str | None, favorite: bool) -> Row:
    return Row(
        name=profile.name,
        label=clean(label or profile.name),
        color=color,
        kind=profile.kind,
        account=clean(profile.account_id or ""),
        role=clean(profile.role_name or ""),
        region=clean(profile.region or ""),
        source=clean(profile.source or ""),
        problems=len(profile.problems),
        favorite=favorite,
    )


@dataclass
class PreparedRows:
    """The rows of a profile set, built off the UI thread (by the reload worker: 10,000
    rows take ~50 ms), with the settings they were built from."""

    rows: dict[str, Row]
    display_names: dict[str, str]
    colors: dict[str, str]
    favorites: list[str]

    def built_from(
        self, display_names: Mapping[str, str], colors: Mapping[str, str], favorites: Sequence[str]
    ) -> bool:
        return (self.display_names, self.colors, self.favorites) == (
            dict(display_names),
            dict(colors),
            list(favorites),
        )


def prepare_rows(
    profiles: ProfileSet,
    display_names: Mapping[str, str],
    colors: Mapping[str, str],
    favorites: Sequence[str],
) -> PreparedRows:
    """The rows of ``profiles``; safe to call from a worker thread (it copies the settings)."""
    names, cols, favs = dict(display_names), dict(colors), list(favorites)
    fav_set = set(favs)
    rows = {
        p.name: _row(p, names.get(p.name), cols.get(p.name), p.name in fav_set) for p in profiles
    }
    return PreparedRows(rows, names, cols, favs)


class TableState:
    """Profiles, their expiries and the current filter and sort."""

    def __init__(self) -> None:
        self.profiles: ProfileSet | None = None
        self.rows: dict[str, Row] = {}
        self.cache_expiries: dict[str, ExpiryLike] = {}
        self.session_expiries: dict[str, ExpiryLike] = {}
        #: the MFA session each profile's chain uses (``core.expiries.mfa_sessions``)
        self.chain_sessions: dict[str, ExpiryLike] = {}
        self.favorites: list[str] = []
        self.display_names: dict[str, str] = {}
        self.colors: dict[str, str] = {}
        self.query = ""
        self.sort = "name"
        #: the profiles' rows, before the discovered ones join them in :attr:`rows`
        self._profile_rows: dict[str, Row] = {}
        #: every SSO session's last discovery, and the rows made of it
        self.found: list[SessionRoles] = []
        self.discovered = discovered.Discovered()
        #: SSO token expiries by token file (a discovered row shows its session's)
        self.token_expiries: dict[str, ExpiryLike] = {}

    # -- inputs -------------------------------------------------------------
    def set_profiles(
        self,
        profiles: ProfileSet,
        display_names: Mapping[str, str],
        colors: Mapping[str, str],
        favorites: Sequence[str],
        prepared: PreparedRows | None = None,
    ) -> None:
        """New profiles; ``prepared`` rows are used when the settings did not change since."""
        if prepared is None or not prepared.built_from(display_names, colors, favorites):
            prepared = prepare_rows(profiles, display_names, colors, favorites)
        self.profiles = profiles
        self.display_names = prepared.display_names
        self.colors = prepared.colors
        self.favorites = prepared.favorites
        self._profile_rows = prepared.rows
        self._merge()

    def set_discovered(self, found: Sequence[SessionRoles]) -> None:
        """A new discovery (every session's): the rows of its roles join the profiles'."""
        self.found = list(found)
        self._merge()

    def set_token_expiries(self, expiries: Mapping[str, ExpiryLike]) -> None:
        """The SSO sessions' token expiries, by token file."""
        self.token_expiries = dict(expiries)
        self._apply_expiries(self.discovered.rows.values())

    def _merge(self) -> None:
        """:attr:`rows`: the profiles' rows, then the discovered ones (none: the same dict)."""
        rows = self._profile_rows
        if self.found and self.profiles is not None:
            found = discovered.build(self.profiles.config, self.found, set(self.favorites))
            discovered.annotate(rows, self.profiles, found.account_names)
            if found.rows:
                rows = {**rows, **found.rows}
        else:
            found = discovered.Discovered()
        self.discovered = found
        self.rows = rows
        self._apply_expiries(rows.values())

    def set_cache_expiries(
        self, expiries: Mapping[str, ExpiryLike], sessions: Mapping[str, ExpiryLike] | None = None
    ) -> None:
        self.cache_expiries = dict(expiries)
        self.chain_sessions = dict(sessions or {})
        self._apply_expiries(self.rows.values())

    def set_session_expiry(self, name: str, kind: str, expires_at: datetime) -> None:
        self.session_expiries[name] = SessionExpiry(name, kind, expires_at)
        row = self.rows.get(name)
        if row is not None:
            self._apply_expiries([row])

    def set_favorites(self, favorites: Sequence[str]) -> None:
        self.favorites = list(favorites)
        favs = set(favorites)
        for row in self.rows.values():
            row.favorite = row.name in favs

    # -- outputs ------------------------------------------------------------
    def expiry(self, name: str) -> ExpiryLike | None:
        """The later of the cache's expiry and the one from an assume in this session
        (for a discovered row, the cache's is its session's token).

        An MFA session the cache lends a role (it has no credentials of its own
        cached yet) never beats the role's own credentials from an assume here:
        the row counts down what using the profile gives.
        """
        cached = self.cache_expiries.get(name)
        if cached is None and name in self.discovered.targets:
            cached = self.token_expiries.get(self.discovered.targets[name].token)
        session = self.session_expiries.get(name)
        if cached is None:
            return session
        if session is None:
            return cached
        if cached.kind == "mfa" or session.expires_at > cached.expires_at:
            return session
        return cached

    def hop_expiry(self, name: str, hop: str) -> ExpiryLike | None:
        """What the detail panel of ``name`` shows for ``hop`` of its chain: the hop's own
        expiry, except that a static root shows the MFA session this chain uses (not
        one that only its own use, or another chain, starts)."""
        got = self.expiry(hop)
        profile = self.profile(name)
        root = hop != name and profile is not None and profile.chain[-1] == hop
        if root and (got is None or got.kind == "mfa"):
            return self.chain_sessions.get(name)
        return got

    def visible(self, now: datetime) -> list[Row]:
        return order_rows(filter_rows(self.rows.values(), self.query), self.sort, now)

    def all_rows(self) -> list[Row]:
        return list(self.rows.values())

    def profile(self, name: str) -> Profile | None:
        return None if self.profiles is None else self.profiles.get(name)

    def target(self, name: str) -> discovered.Target | None:
        """What a discovered row stands for (None for a profile's row)."""
        return self.discovered.targets.get(name)

    def _apply_expiries(self, rows: Iterable[Row]) -> None:
        for row in rows:
            exp = self.expiry(row.name)
            row.expires_at = None if exp is None else exp.expires_at


class ExpiryWatch:
    """Finds the sessions that enter the warning window, each (profile, expiry) once.

    ``update`` is given every expiry; ``due`` pops the ones that now expire within
    ``ahead`` seconds, and are not over yet.  Both are cheap at 10,000 rows: the
    pending list is sorted, and a tick only looks at its head.
    """

    def __init__(self) -> None:
        self.warned: set[tuple[str, datetime]] = set()
        self._pending: list[tuple[datetime, str]] = []

    def update(self, expiries: Mapping[str, datetime | None], now: datetime) -> None:
        pending = [
            (at, name)
            for name, at in expiries.items()
            if at is not None and at > now and (name, at) not in self.warned
        ]
        pending.sort()
        self._pending = pending

    def add(self, name: str, at: datetime) -> None:
        """A new expiry for one profile (an assume): it replaces the old one."""
        self._pending = [item for item in self._pending if item[1] != name]
        if (name, at) not in self.warned:
            bisect.insort(self._pending, (at, name))

    def due(self, now: datetime, ahead: float) -> list[tuple[str, datetime]]:
        out: list[tuple[str, datetime]] = []
        pending = self._pending
        i = 0
        while i < len(pending) and (pending[i][0] - now).total_seconds() <= ahead:
            at, name = pending[i]
            i += 1
            if (name, at) in self.warned:
                continue
            self.warned.add((name, at))
            if at > now:
                out.append((name, at))
        del pending[:i]
        return out
