"""One assume's state: its plan, clock, progress callback, MFA prompt and clients.

``root.py``, ``mfa.py``, ``calls.py`` and ``engine.py`` all take a :class:`Context`;
it stands alone so that they need not import each other.  The botocore
session is built on first use (never on a cache hit) from the few profiles
the plan names, so botocore never reads the config files (``clients.py`` is
imported then, not on a cache hit).
"""

from __future__ import annotations

from rolecall.core.sts.endpoints import FALLBACK_REGION, display_url, region_for, sts_endpoint_url
from rolecall.core.sts.errors import MFA_CANCELLED, MFA_INVALID, MFA_REQUIRED, AssumeError
from rolecall.core.sts.records import ProgressEvent

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from datetime import datetime
    from typing import Any

    from rolecall.core.profiles import ProfileSet
    from rolecall.core.sts.plan import Plan
    from rolecall.core.sts.records import ClientFactory, Credentials, ProgressCallback

__all__ = ["Context", "small_config"]


def small_config(profiles: ProfileSet, plan: Plan) -> dict[str, Any]:
    """The part of the parsed config an assume needs: its chain, SSO sessions, services."""
    names = {plan.top.name, plan.root.profile, *(h.name for h in plan.hops)}
    cfg = profiles.config
    prof_map: dict[str, Any] = {}
    sso: dict[str, Any] = {}
    services: dict[str, Any] = {}
    for n in names:
        prof = profiles.get(n)
        if prof is None:
            continue
        prof_map[n] = dict(prof.values)
        session = prof.get("sso_session")
        if session is not None and session in cfg.sso_sessions:
            sso[session] = dict(cfg.sso_sessions[session])
        svc = prof.get("services")
        if svc is not None and svc in cfg.services:
            services[svc] = dict(cfg.services[svc])
    return {"profiles": prof_map, "sso_sessions": sso, "services": services}


class Context:
    """Per-assume state: the clock, progress, MFA codes, and (lazily) boto3."""

    def __init__(
        self,
        profiles: ProfileSet,
        plan: Plan,
        progress: ProgressCallback | None,
        mfa: str | Callable[[str], str | None] | None,
        client_factory: ClientFactory | None,
        now: Callable[[], datetime],
        use_cache: bool = True,
    ) -> None:
        self.profiles = profiles
        #: False for ``--no-cache``: no cached credentials are read (the roots' too)
        self.use_cache = use_cache
        self.plan = plan
        self.progress = progress
        self.mfa = mfa
        self.mfa_used = False
        self.now = now
        self.region = region_for(plan.top)
        self.endpoint_url = sts_endpoint_url(profiles, plan.top)
        self._factory = client_factory
        self._session: Any = None

    @property
    def display_url(self) -> str:
        """The STS URL that messages name."""
        return display_url(self.endpoint_url, self.region)

    @property
    def call_region(self) -> str:
        """The region STS is called in."""
        return self.region or FALLBACK_REGION

    # -- progress ------------------------------------------------------------
    def emit(self, kind: str, message: str, **kw: Any) -> None:
        """Report one step (a :class:`ProgressEvent` for the top profile)."""
        if self.progress is not None:
            self.progress(ProgressEvent(kind, self.plan.top.name, message, **kw))

    # -- boto ------------------------------------------------------------------
    @property
    def session(self) -> Any:
        """The botocore session of this assume, holding only the profiles it needs."""
        if self._session is None:
            from rolecall.core.sts.clients import botocore_session

            self._session = botocore_session(
                small_config(self.profiles, self.plan), self.plan.top.name
            )
        return self._session

    def client(self, service: str, creds: Credentials | None) -> Any:
        """A client signed with ``creds``, in this assume's region and endpoint."""
        if self._factory is None:
            from rolecall.core.sts.clients import BotoClientFactory

            self._factory = BotoClientFactory(self.session)
        return self._factory(
            service,
            access_key_id=creds.access_key_id if creds else None,
            secret_access_key=creds.secret_access_key if creds else None,
            session_token=creds.session_token if creds else None,
            region=self.call_region,
            endpoint_url=self.endpoint_url,
        )

    # -- MFA -----------------------------------------------------------------
    def mfa_code(self, serial: str) -> str:
        """The 6-digit code for ``serial``: the one given (once), or the prompt's answer."""
        mfa = self.mfa
        if mfa is None:
            raise AssumeError(
                f"an MFA code is needed for {serial}",
                "pass --mfa-code CODE, or run this in a terminal",
                MFA_REQUIRED,
            )
        if isinstance(mfa, str):
            if self.mfa_used:
                raise AssumeError(
                    f"a second MFA code is needed for {serial}",
                    "run the command again when the next code shows",
                    MFA_REQUIRED,
                )
            self.mfa_used = True
            answer: str | None = mfa
        else:
            answer = mfa(serial)
        if answer is None:
            raise AssumeError("MFA cancelled", None, MFA_CANCELLED)
        code = answer.strip()
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise AssumeError(
                f"the MFA code for {serial} must be 6 digits",
                "type the code your MFA device shows",
                MFA_INVALID,
            )
        return code
