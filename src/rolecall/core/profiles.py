"""Every profile of both files, each with its chain resolved: :class:`ProfileSet`.

Everything here works on the merged maps of :mod:`rolecall.core.config`, with
no network call.  The parts have their own modules: the record
(:mod:`~rolecall.core.profile`), the rules of single settings
(:mod:`~rolecall.core.setting_rules`), one profile's own problems
(:mod:`~rolecall.core.diagnosis`), roots and routes (:mod:`~rolecall.core.routes`)
and what ``rolecall list`` prints (:mod:`~rolecall.core.profile_listing`); their
public names are re-exported here, but the listing's.

The chain rules follow ``botocore.credentials.AssumeRoleProvider``:

* a profile with ``role_arn`` (and no ``web_identity_token_file``) assumes a role,
  sourcing credentials from ``source_profile`` or ``credential_source``, never both;
* a source profile with static keys is a root, even if it also has ``role_arn``;
* a source profile with ``role_arn`` and no keys is one more hop;
* any other source must hold credentials of its own (SSO, process, web identity);
* a profile may name itself as ``source_profile`` only when it has static keys;
* static keys are read from one file at a time: ``aws_access_key_id`` in a file
  needs ``aws_secret_access_key`` in the same file.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping

from rolecall.core.config import AwsConfig, FileProblem, load
from rolecall.core.diagnosis import (
    _VALUE_KEYS,
    CREDENTIAL_SOURCES,
    _own_problems,
    _provider_problems,
    _value_problems,
)
from rolecall.core.limits import MAX_DURATION, MIN_DURATION
from rolecall.core.profile import (
    _NO_PROBLEMS,
    KINDS,
    Chain,
    Profile,
    _gives_credentials,
    _has_role,
    has_static_keys,
)
from rolecall.core.routes import Root, Route, _cycle_text
from rolecall.core.setting_rules import (
    RoleArn,
    mfa_serial_problem,
    region_problem,
    role_arn_problem,
)

__all__ = [
    "CREDENTIAL_SOURCES",
    "KINDS",
    "MAX_DURATION",
    "MIN_DURATION",
    "Chain",
    "Profile",
    "ProfileSet",
    "RoleArn",
    "Root",
    "Route",
    "build",
    "has_static_keys",
    "load_profiles",
    "mfa_serial_problem",
    "region_problem",
    "role_arn_problem",
]


class ProfileSet:
    """Every profile of an :class:`AwsConfig`, in botocore's order, each with its
    chain resolved.

    Every chain is resolved once, in time linear in the number of profiles:
    a role profile's chain is itself and then its source's chain, so each
    source is walked once and remembered (see :meth:`_resolve`).  Ask a
    profile's chain with :attr:`Profile.chain`, and how an assume goes (the
    hops and the root) with :meth:`route`.
    """

    def __init__(self, config: AwsConfig) -> None:
        self.config = config
        self.profiles: dict[str, Profile] = {}
        #: source profile name -> what botocore refuses when it reads its credentials
        self._source_problems: dict[str, list[str]] = {}
        profiles = self.profiles
        tops: list[Profile] = []
        in_config = config.config_sections
        in_credentials = config.credentials_sections
        config_file = config.config_file
        nested = config.nested
        split = config.split
        sso_sessions = config.sso_sessions
        for name, values in config.profiles.items():
            section = in_config.get(name)
            if section is not None:
                prof = Profile(name, values, config_file, section, name in nested)
            else:
                section = in_credentials.get(name)
                file = None if section is None else config.credentials_file
                prof = Profile(name, values, file, section, name in nested)
            profiles[name] = prof
            # each profile's own problems (a profile that assumes no role has no others)
            prof._problems = _own_problems(prof, sso_sessions, split.get(name)) or None
            if prof.kind == "assume-role":
                tops.append(prof)
        if tops:
            self._resolve(tops)

    # mapping-ish API
    def __getitem__(self, name: str) -> Profile:
        return self.profiles[name]

    def __contains__(self, name: object) -> bool:
        return name in self.profiles

    def __iter__(self) -> Iterator[Profile]:
        return iter(self.profiles.values())

    def __len__(self) -> int:
        return len(self.profiles)

    def get(self, name: str) -> Profile | None:
        return self.profiles.get(name)

    @property
    def problems(self) -> list[FileProblem]:
        return self.config.problems

    def route(self, name: str) -> Route:
        """The hops and the root of an assume of profile ``name`` (KeyError when
        there is no such profile).

        The one place that says where a chain starts: a chain that ends at a
        profile with static keys (or at a profile that names itself) starts
        from those keys; one that ends at a role with ``credential_source``
        starts from that source, and that role is a hop too; any other ends at
        a profile with credentials of its own (SSO, process, web identity).
        """
        prof = self.profiles[name]
        hops = list(prof.chain.profiles())
        last = hops[-1]
        if len(hops) == 1:
            if prof.kind == "assume-role":
                return Route(prof, hops, Root("credential_source", name, prof.credential_source))
            return Route(prof, [], Root(prof.kind, name))
        hops.pop()
        if last is hops[-1] or has_static_keys(last.values):
            return Route(prof, hops, Root("static", last.name))
        if last.kind == "assume-role" and last.credential_source is not None:
            hops.append(last)
            return Route(prof, hops, Root("credential_source", last.name, last.credential_source))
        return Route(prof, hops, Root(last.kind, last.name))

    def source_problems(self, src: Profile) -> list[str]:
        """What botocore refuses when it resolves ``src``'s own credentials as a
        source profile (with its profile providers, not the assume-role one)."""
        found = self._source_problems.get(src.name)
        if found is None:
            found = []
            _value_problems(src, _VALUE_KEYS, found)
            if src.mfa_serial is not None:  # (a root's mfa_serial starts its MFA session)
                problem = mfa_serial_problem(src.mfa_serial)
                if problem:
                    found.append(problem)
            config = self.config
            _provider_problems(src, config.sso_sessions, config.split.get(src.name), found)
            self._source_problems[src.name] = found
        return found

    def _resolve(self, tops: list[Profile]) -> None:
        """Resolve the chain of every assume-role profile, as botocore's
        ``AssumeRoleProvider`` walks it, in one pass over the profiles.

        A *role node* is a profile botocore goes through as one more hop: it
        has ``role_arn`` (without ``web_identity_token_file``) and no static
        keys.  Each role node has at most one next role node (its source), so
        the walk from a node depends on the node only: it is done once and
        remembered.  A profile's chain is then itself and its source's chain
        (linked, not copied: :class:`Chain`), its problems are its own and then
        each hop's, prefixed with the hop's name.  A walk that comes back to a
        node it is on is a cycle, found in the same pass.
        """
        profiles = self.profiles
        #: role node -> the problems met past it (only when there are some)
        past: dict[str, list[str]] = {}
        #: role nodes walked, and those whose walk stops before a root
        done: set[str] = set()
        unrooted: set[str] = set()

        def end(node: Profile, problems: list[str], root: str | None) -> None:
            """The walk from ``node`` stops (its chain links are already set)."""
            done.add(node.name)
            if problems:
                past[node.name] = problems
            if root is None:
                unrooted.add(node.name)
            else:
                node.root_kind = root

        def follow(node: Profile, src: Profile) -> None:
            """``node``'s walk goes on through ``src``, a role node already walked."""
            # node._link(src), written out: this runs once for every role profile
            node._next = src
            depth = node.depth = src.depth + 1
            node._last = src._last or src
            node._base = (src._base or src) if depth > 2 else None
            done.add(node.name)
            problems = past.get(src.name, _NO_PROBLEMS)
            own = src._problems
            if own:
                problems = [f"{src.name}: {p}" for p in own] + problems
            if problems:
                past[node.name] = problems
            if src.name in unrooted:
                unrooted.add(node.name)
            else:
                node.root_kind = src.root_kind

        def step(node: Profile) -> Profile | None:
            """One hop from role node ``node``: the next role node, or None when
            the walk stops here (then :func:`end` has been called)."""
            values = node.values
            if "credential_source" in values:
                source = values["credential_source"]
                if "source_profile" in values or source.__class__ is not str:
                    end(node, _NO_PROBLEMS, None)  # (one of its own problems)
                else:
                    end(node, _NO_PROBLEMS, f"credential_source:{source}")
                return None
            src_name = values.get("source_profile")
            if src_name.__class__ is not str:  # absent, or a nested block (a problem)
                end(node, _NO_PROBLEMS, None)
                return None
            src = profiles.get(src_name)
            if src is None:
                end(node, [f"source_profile {src_name!r} (in {node.name}) does not exist"], None)
                return None
            if src is node:  # (a role node has no static keys)
                why = f"{src_name} names itself as source_profile but has no static keys"
                end(node, [why], None)
                return None
            src_values = src.values
            if "aws_access_key_id" in src_values or "aws_secret_access_key" in src_values:
                # (has_static_keys) botocore reads its credentials with the profile providers
                node._link_root(src)
                end(node, self._prefixed(src, self.source_problems(src)), "static")
                return None
            if _has_role(src_values):
                return src
            node._link_root(src)
            end(node, self._own_source_problems(src), src.kind)
            return None

        def walk(start: Profile) -> None:
            """Walk from ``start`` until a root, a node already walked or a cycle;
            then resolve every node of the path, the last one first."""
            src = step(start)
            if src is None:
                return
            if src.name in done:  # the usual case: its source was walked before
                follow(start, src)
                return
            walk_on(start, src)

        def walk_on(start: Profile, first_src: Profile) -> None:
            """:func:`walk` from ``start``, whose next role node ``first_src`` is
            not walked yet."""
            path = [start]
            sources = [first_src]
            on_path = {start.name: 0}
            node = first_src
            while True:
                on_path[node.name] = len(path)
                src = step(node)
                if src is None:
                    break
                path.append(node)
                sources.append(src)
                if src.name in done:
                    break
                if src.name in on_path:
                    first = on_path[src.name]
                    self._cycle(path[first:], end)
                    del path[first:], sources[first:]
                    break
                node = src
            for node, src in zip(reversed(path), reversed(sources), strict=True):
                follow(node, src)

        for top in tops:
            if top.name in done:
                continue
            values = top.values
            if "aws_access_key_id" in values or "aws_secret_access_key" in values:
                self._static_top(top, step, walk, done, past, unrooted)
                continue
            # walk(top), written out: this runs once for every role profile
            src = step(top)
            if src is None:
                continue
            if src.name in done:
                follow(top, src)
            else:
                walk_on(top, src)
        for top in tops:
            problems = past.get(top.name)
            if problems:
                top._problems = (top._problems or []) + problems
            if top.name in unrooted:
                top.root_kind = top.kind

    @staticmethod
    def _prefixed(src: Profile, problems: list[str] | None) -> list[str]:
        return [f"{src.name}: {p}" for p in problems] if problems else _NO_PROBLEMS

    def _own_source_problems(self, src: Profile) -> list[str]:
        """The problems of a source that is no role hop and has no static keys:
        it must hold credentials of its own (SSO, process, web identity).

        "No usable credentials" only when it has none; a source that has some
        but is wrong otherwise (a malformed ``role_arn`` beside its
        ``web_identity_token_file``...) gets its own problems, prefixed.
        """
        found = self._prefixed(src, src._problems)
        if not _gives_credentials(src.values):
            return [f"source profile {src.name!r} has no usable credentials", *found]
        return found

    @staticmethod
    def _cycle(
        members: list[Profile],
        end: Callable[[Profile, list[str], str | None], None],
    ) -> None:
        """Resolve role nodes that name each other in a cycle, each one's
        source the next (the last one's, the first).

        Each member's chain is the cycle from itself, and its problems the
        other members' own ones, then the cycle.
        """
        count = len(members)
        names = [m.name for m in members]
        own = [[f"{m.name}: {p}" for p in m.problems] for m in members]
        for i, node in enumerate(members):
            node._cycle_links(members[(i + 1) % count], members[i - 1], members[i - 2], count)
            problems: list[str] = []
            if any(own):
                for j in range(1, count):
                    problems += own[(i + j) % count]
            problems.append(_cycle_text(names, i))
            end(node, problems, None)

    def _static_top(
        self,
        top: Profile,
        step: Callable[[Profile], Profile | None],
        walk: Callable[[Profile], None],
        done: set[str],
        past: dict[str, list[str]],
        unrooted: set[str],
    ) -> None:
        """Resolve an assume-role profile that also has static keys.

        Its own walk is like any role node's, but botocore reads it as a root
        when it is the source of another profile: a chain that comes back to it
        from its own source is a cycle for it alone, and a self reference is
        allowed (its own keys).
        """
        src_name = top.source_profile
        values = top.values
        if src_name == top.name and "credential_source" not in values:
            top._link_root(top)
            top.root_kind = "static"
            done.add(top.name)
            found = self._prefixed(top, self.source_problems(top))
            if found:
                past[top.name] = found
            return
        src = self.profiles.get(src_name) if src_name is not None else None
        if (
            src is None
            or "credential_source" in values
            or not _has_role(src.values)
            or has_static_keys(src.values)
        ):
            step(top)  # a root, or an end: as for any role node
            return
        if src.name not in done:
            walk(src)
        if src.chain[-1] != top.name:
            # the chain goes on through src, as any role node's would
            top._link(src)
            done.add(top.name)
            problems = past.get(src.name, _NO_PROBLEMS)
            own = src._problems
            if own:
                problems = [f"{src.name}: {p}" for p in own] + problems
            if problems:
                past[top.name] = problems
            if src.name in unrooted:
                unrooted.add(top.name)
            else:
                top.root_kind = src.root_kind
            return
        # src's chain comes back to top: a cycle for top (walked once: no other
        # chain goes this way, since top is a root for every other profile)
        hops = list(src.chain.profiles())[:-1]
        top._cycle_links(src, hops[-1], hops[-2] if len(hops) > 1 else top, len(hops) + 1)
        problems = []
        for hop in hops:
            problems += [f"{hop.name}: {p}" for p in hop.problems]
        problems.append(_cycle_text([top.name, *(h.name for h in hops)]))
        done.add(top.name)
        past[top.name] = problems
        unrooted.add(top.name)


def build(config: AwsConfig) -> ProfileSet:
    return ProfileSet(config)


def load_profiles(
    config: str | None = None,
    credentials: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ProfileSet:
    """Read both files and build every profile.

    The cyclic garbage collector is paused meanwhile: the build allocates a few
    objects per line and per profile, none of them in cycles, and in a process
    that already holds many objects (the TUI, a benchmark) the collector's
    full passes would otherwise cost more than the build itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return ProfileSet(load(config, credentials, env))
    finally:
        if was_enabled:
            gc.enable()
