"""A local credentials endpoint for the shells and commands rolecall starts.

``rolecall shell``, ``rolecall exec`` (and the TUI's subshell) serve the
profile's credentials over the container credentials protocol for exactly as
long as the child lives, refreshing them ahead of their expiry, so that a
long ``terraform apply`` outlives the first credentials::

    with Endpoint(refresher, initial=held) as endpoint:
        code = run_subshell(argv, endpoint.child_env(os.environ, "dev", region))

The parts, one job each:

* :mod:`.keeper`: credentials kept fresh (refresh ahead, one refresh shared by
  every waiting request, the margin) — no STS, no HTTP;
* :mod:`.source`: where they come from (the cache; the chain assumed again);
* :mod:`.server`: the HTTP endpoint on 127.0.0.1 (token, Host check, answers);
* :mod:`.child_env`: the child's environment, and the config copy that lets the
  endpoint win over a ``[default]`` with keys.

Nothing here imports boto3 at import time: :mod:`.source` imports
``rolecall.core.sts`` when it refreshes.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from rolecall.core.serve.child_env import SYNC_INTERVAL, ConfigCopy, endpoint_env
from rolecall.core.serve.keeper import DEFAULT_MARGIN, Held, Keeper, Refusal
from rolecall.core.serve.server import CredentialServer

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Mapping

    from rolecall.core.serve.keeper import Refresher
    from rolecall.core.sts import AssumeResult

__all__ = ["DEFAULT_MARGIN", "Endpoint", "Held", "Keeper", "Refusal", "endpoint_for"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Endpoint:
    """One child's endpoint: its keeper, its server and its config copy.

    Entering starts them; leaving stops the server, the keeper and the copy's
    watcher, and removes the copy.  ``environ`` is the environment the child
    starts from (whose ``AWS_CONFIG_FILE`` the copy mirrors).
    """

    def __init__(
        self,
        refresher: Refresher,
        *,
        initial: Held | None = None,
        margin: timedelta = DEFAULT_MARGIN,
        region: str | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] | None = None,
        on_event: Callable[[str, str], None] | None = None,
    ) -> None:
        import os

        self.keeper = Keeper(
            refresher, margin=margin, initial=initial, on_event=on_event, clock=clock or _utcnow
        )
        self.server = CredentialServer(self.keeper.answer)
        self.copy = ConfigCopy(os.environ if environ is None else environ, region)
        self.region = region
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> None:
        self.copy.make()
        self.keeper.start()
        self.server.start()
        self._watcher = threading.Thread(target=self._watch, name="rolecall-config", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.wait(SYNC_INTERVAL):
            self.copy.sync()

    def stop(self) -> None:
        self._stop.set()
        self.server.stop()
        self.keeper.stop()
        if self._watcher is not None:
            self._watcher.join(timeout=1.0)
        self.copy.remove()

    def child_env(self, base: Mapping[str, str], profile: str) -> dict[str, str]:
        """``base`` for the child (see :func:`.child_env.endpoint_env`)."""
        return endpoint_env(
            base,
            url=self.server.url,
            token=self.server.token,
            profile=profile,
            region=self.region,
            copy=self.copy,
        )

    def __enter__(self) -> Endpoint:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def endpoint_for(
    result: AssumeResult,
    *,
    where: str,
    config: str | None = None,
    credentials: str | None = None,
    duration: int | None = None,
    margin_seconds: int | None = None,
    default_duration: int | None = None,
    session_name: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Endpoint:
    """The endpoint that keeps ``result``'s profile fresh for one child (``exec``,
    ``shell``, the TUI's ``s``), refreshing it as the command that assumed it did.

    ``where`` completes the hint of an MFA refresh ("run `rolecall assume X` in
    this shell"); ``margin_seconds`` is the ``refresh_margin_seconds`` setting.
    """
    from rolecall.core.serve.source import ProfileRefresher

    refresher = ProfileRefresher(
        result.profile,
        config=config,
        credentials=credentials,
        duration=duration,
        default_duration=default_duration,
        session_name=session_name,
        where=where,
    )
    margin = DEFAULT_MARGIN if margin_seconds is None else timedelta(seconds=margin_seconds)
    return Endpoint(
        refresher,
        initial=refresher.initial(result),
        margin=margin,
        region=result.region,
        environ=environ,
    )
