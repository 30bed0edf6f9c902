"""The poll's cache fingerprint is taken off the event loop (issue 14): 100,000 cache
entries, or a FIFO among them, must never stall or freeze the UI."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from tests.tui.helpers import started

from rolecall.tui.app import RolecallApp


async def test_a_slow_fingerprint_is_never_taken_on_the_event_loop(
    make_app: Callable[..., RolecallApp],
) -> None:
    threads: list[str] = []

    def fingerprint() -> tuple[Any, ...]:
        threads.append(threading.current_thread().name)
        time.sleep(0.01)  # slow, as 100,000 entries are (watch.SLOW is 3 ms)
        return (len(threads),)  # a change every time: each poll reloads

    app = make_app(services={"cache_fingerprint": fingerprint})
    async with started(app) as pilot:
        for _ in range(12):  # (a slow one is taken every 10th poll: watch.SLOW_EVERY)
            app.poll()
            await app.workers.wait_for_complete()
            await pilot.pause()
        app.loading.reload_soon()
        await app.workers.wait_for_complete()
    main = threading.main_thread().name
    assert len(threads) >= 2, threads
    assert main not in threads, threads
