"""An App whose keys act in the order they were typed, each on the state the keys before it left.

Textual (8.2) hands every key to the widget focused when the key *arrives*:
``App.on_event`` checks the priority bindings, then posts the key to the focused
widget's queue, and the key bubbles up one message queue at a time (widget,
parents, screen, app).  The ordinary ``BINDINGS`` (the table's ``j``, the
screen's ``s``, Tab's ``focus_next``) only run when the key reaches
``App._on_key``.  Meanwhile the keys behind it have already been posted to the
*old* focus: ``j s`` arriving in one read of the terminal opened a shell in the
profile the cursor was on before ``j``; text typed right after Tab landed in
the field Tab left; digits typed after Enter missed the MFA modal Enter opened.
(Textual's issue #6605; its PR #6631 runs a widget's own bindings inline, which
leaves the screen's bindings and Tab out of order.)

:class:`OrderedKeysApp` fixes the cause for every binding and every screen:

* **One key in flight.**  ``on_event`` puts each raw key (and paste) in a queue
  and hands the next one out only once the one before it is done, and the app
  has settled (below): a key typed while the app starts waits for its screen.  Handing it
  out is Textual's own code (``App.on_event``: priority bindings, then the
  focused widget), so nothing about *how* a key is handled changes, only *when*.
* **A barrier follows the key.**  Right after the key, a :class:`KeyBarrier`
  (``bubble=True``) is posted to the same widget.  Message queues are FIFO and
  the barrier climbs the same parents, so when it reaches the app the key has
  been handled by every queue on its way.  A key that is not stopped on its way
  comes back to the app first (its ordinary bindings run there): that counts too,
  so a barrier lost behind it (a modal dismissed by the key) costs nothing.
* **Then the app settles.**  What the key did may still be travelling: a focus
  move (``Widget.focus`` is a callback on the app's queue), a pushed screen that
  has not mounted or focused yet, a ``Submitted`` that will dismiss a modal.
  The barrier goes round the app's own queue until the app's queue and every
  widget of the current screen have nothing pending (:meth:`_quiet`); each lap
  first yields to the event loop, so the other queues run meanwhile.  A key
  that changed nothing settles in one lap.
* **A fallback.**  A key stopped on its way whose barrier is lost too (a widget
  on its way removed, or stopping it) never comes back: after
  :attr:`KEY_FALLBACK` seconds the next key goes anyway, so keys are late, never
  stuck (``tests/tui/test_key_order.py`` shows it; :attr:`keys_stalled` counts it).
  Once a key is back, its settling is not hurried by that timer (a screen may take
  a second to open on a loaded machine); only after :data:`SETTLE_MAX` does the
  next key go on regardless.
* **Nothing blocks.**  The app's task never waits: the barrier and the laps
  are messages, so actions (which run on the app's queue) keep running.
* **Hand-over.**  An action whose result comes later (a shell opens once its
  assume is done) can :meth:`hold_keys`: the keys typed after it wait, and are
  then either given to what opened (:meth:`take_typed`, the shell's type-ahead)
  or dropped (:meth:`release_keys`), never run on the old screen.

Mouse events are not queued: a click acts where the pointer is, at once.

Why not Textual's PR #6631 (a widget's own bindings run inline): Tab, the
screen's bindings and the app's would still be overtaken.  Why not run every
binding at once in the focused widget's ``on_key`` (what rolecall did for Enter,
``r``, ``s``, ``/`` and ``q``): those keys then overtook the cursor keys queued
before them, and each new screen needed its own re-routing of early keys.

Cost: see ``bench/bench_tui.py keys`` (figures in bench/RESULTS.md).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Generic, TypeVar

from textual import events, messages
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.widget import Widget

__all__ = ["KeyBarrier", "OrderedKeysApp"]

ReturnType = TypeVar("ReturnType")

#: quick laps (each yields to the event loop once) before laps are spaced out
QUICK_LAPS = 50
#: the spacing of the later laps, in seconds (a queue awaiting something slow)
SLOW_LAP = 0.005
#: the longest a key waits for the app to settle after the one before it came back
#: (seconds): a screen that takes long to open, on a loaded machine
SETTLE_MAX = 10.0
#: ``after_typing``: no key for this long (seconds) means the typing has arrived,
#: and it waits at most TYPING_MAX
TYPING_SETTLE, TYPING_MAX = 0.03, 0.5
#: a burst of keys is drawn at least this often (seconds)
BURST_FRAME = 0.25


#: the messages that only draw: a key need not wait for them
DRAWING = (messages.Update, messages.Layout, messages.Prompt, messages.UpdateScroll)


def _drawing_only(node: MessagePump) -> bool:
    """Whether ``node`` has nothing queued but :data:`DRAWING` messages."""
    if not node.message_queue_size:
        return True
    queued: Iterable[Message | None] = node._message_queue.values
    return all(isinstance(message, DRAWING) for message in queued)


class KeyBarrier(Message, bubble=True, verbose=True):
    """Follows a key up the widgets it was handed to; at the app, the key is done."""

    def __init__(self, ticket: int, kind: str = "follow") -> None:
        super().__init__()
        #: which key it is about (keys are numbered as they are handed out)
        self.ticket = ticket
        #: "follow": behind the key; "lap": round the app's queue until all is quiet;
        #: "stalled": posted by the fallback timer (the key never came back)
        self.kind = kind
        #: laps round the app's queue so far
        self.laps = 0


Typed = events.Key | events.Paste


class OrderedKeysApp(App[ReturnType], Generic[ReturnType]):
    """An App that hands out one key at a time, in the order the keys were typed."""

    #: seconds after which the next key goes even though the barrier never came
    KEY_FALLBACK: ClassVar[float] = 2.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: keys (and pastes) typed and not handed out yet
        self._typed: deque[Typed] = deque()
        #: the number of the key being handled, or None
        self._in_flight: int | None = None
        self._ticket = 0
        #: the key in flight, and whether it is done and the app settles
        self._in_flight_event: Typed | None = None
        self._settling = False
        self._settle_start = 0.0
        self._fallback: asyncio.TimerHandle | None = None
        #: keys wait (are not handed out) while this is not 0; see hold_keys
        self._holds = 0
        #: set once the app is asked to exit: the keys still queued then do nothing
        self.closing = False
        #: keys handed out late by the fallback (a barrier that never came)
        self.keys_stalled = 0
        #: when the last key arrived (``time.monotonic()``)
        self.last_key_at = 0.0
        #: since when the screen is not drawn (a burst of keys is being handled), or None
        self._batch_since: float | None = None

    # -- the queue ------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste):
            if not event.is_forwarded:  # typed: it waits for its turn
                self.last_key_at = time.monotonic()
                self._typed.append(event)
                await self._next_key()
                return
            if event is self._in_flight_event:  # back here: the app's own bindings
                await super().on_event(event)
                self._settle()
                return
        await super().on_event(event)

    async def _next_key(self) -> None:
        """Hand out the next key, unless one is in flight, keys are held, or the app closes."""
        while self._typed and self._in_flight is None and not self._holds:
            if self.closing:
                self._typed.clear()
                return
            if not self._quiet():  # (typed while the app starts, or a worker's result lands)
                self._wait_quiet()
                break
            event = self._typed.popleft()
            self._ticket += 1
            ticket = self._in_flight = self._ticket
            self._in_flight_event, self._settling = event, False
            target: MessagePump = self.focused or self.screen
            loop = asyncio.get_running_loop()
            self._fallback = loop.call_later(self.KEY_FALLBACK, self._stall, ticket)
            # Textual's own dispatch: priority bindings, then ``target`` (or nothing,
            # when Escape minimises a maximised widget)
            await super().on_event(event)
            if self._in_flight != ticket:
                continue  # (cannot happen: only this task hands keys out)
            if not (event.is_forwarded and target.post_message(KeyBarrier(ticket))):
                self._settle()  # handled here (a priority binding), or not delivered
        self._batch()

    def _batch(self) -> None:
        """Draw a burst once: no frame while keys wait behind the one in flight.

        Each key settles before the next (the event loop turns meanwhile), so without
        this a 60 Hz frame would be drawn between the keys of a burst; Textual, which
        handles a burst in one go, draws it once.  A long burst still shows a frame
        every :data:`BURST_FRAME` seconds.
        """
        burst = bool(self._typed) and self._in_flight is not None and not self._holds
        now = time.monotonic()
        if burst and self._batch_since is None:
            self._batch_since = now
            self._begin_batch()
        elif self._batch_since is not None and (not burst or now - self._batch_since > BURST_FRAME):
            self._batch_since = None
            self._end_batch()

    def _wait_quiet(self) -> None:
        """Hand out the keys waiting once the app has settled (laps, as after a key)."""
        self._ticket += 1
        self._in_flight, self._settling = self._ticket, True
        self._settle_start = time.monotonic()
        self.post_message(KeyBarrier(self._ticket, "lap"))

    def _settle(self) -> None:
        """The key is done (it came back, or its barrier did): go round until all is quiet."""
        if self._in_flight is not None and not self._settling:
            self._settling, self._settle_start = True, time.monotonic()
            self._cancel_fallback()  # it came back: the rest only takes time
            self.post_message(KeyBarrier(self._in_flight, "lap"))

    def _cancel_fallback(self) -> None:
        if self._fallback is not None:
            self._fallback.cancel()
            self._fallback = None

    def _stall(self, ticket: int) -> None:
        if self._in_flight == ticket:
            self.post_message(KeyBarrier(ticket, "stalled"))

    async def _on_key_barrier(self, barrier: KeyBarrier) -> None:
        barrier.stop()
        if barrier.ticket != self._in_flight:
            return  # about a key already done
        if barrier.kind == "follow":  # the key was stopped on its way (or came back first)
            self._settle()
            return
        if barrier.kind == "lap":
            if barrier.laps:  # the app's queue never yields by itself: let the others run
                await asyncio.sleep(0)
                if barrier.ticket != self._in_flight:
                    return
            if not self._quiet():
                if time.monotonic() - self._settle_start < SETTLE_MAX:
                    barrier.laps += 1
                    if barrier.laps < QUICK_LAPS:
                        self.post_message(barrier)
                    else:
                        asyncio.get_running_loop().call_later(SLOW_LAP, self.post_message, barrier)
                    return
                self.keys_stalled += 1  # never quiet: go on anyway
        else:
            self.keys_stalled += 1
        self._done()
        await self._next_key()

    def _done(self) -> None:
        self._in_flight = self._in_flight_event = None
        self._cancel_fallback()
        self._batch()

    def _quiet(self) -> bool:
        """Whether the app and every widget of the current screen are mounted and have
        nothing pending but drawing: whatever the last key set moving (focus, a screen,
        a message) has landed.  (Drawing is not waited for: a burst of keys is drawn
        once, as Textual draws it.)"""
        if not _drawing_only(self):
            return False
        try:
            screen = self.screen
        except Exception:  # no screen (closing)
            return True
        return all(
            node.is_mounted and _drawing_only(node)
            for node in screen.walk_children(Widget, with_self=True)
        )

    @property
    def keys_pending(self) -> int:
        """Keys typed and not done yet: waiting, held, or the one in flight."""
        return len(self._typed) + (self._in_flight is not None)

    @property
    def keys_held(self) -> bool:
        """Whether keys are held (see :meth:`hold_keys`)."""
        return self._holds > 0

    # -- holding keys for what opens later --------------------------------------
    def hold_keys(self) -> None:
        """The keys typed from now on wait: they belong to something not open yet.

        Each call needs its :meth:`release_keys`.
        """
        self._holds += 1
        self._batch()

    def take_typed(self) -> str:
        """The keys waiting, as the text a terminal sent for them; they are removed.

        Keys with no character (arrows, function keys) have no text and are dropped.
        """
        parts: list[str] = []
        while self._typed:
            event = self._typed.popleft()
            text = event.text if isinstance(event, events.Paste) else event.character
            if text:
                parts.append(text)
        return "".join(parts)

    def after_typing(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the keys typed with the one being handled have arrived.

        Textual's input thread posts the keys of one read of the terminal one by one;
        on a loaded machine some may still be on their way when a key's action runs.
        The keys are held (see :meth:`hold_keys`) and ``callback`` runs once no key
        has arrived for :data:`TYPING_SETTLE` seconds (at most :data:`TYPING_MAX`);
        it must end the hold (:meth:`release_keys`).
        """
        self.hold_keys()
        since = time.monotonic()

        def check() -> None:
            now = time.monotonic()
            if now - self.last_key_at < TYPING_SETTLE and now - since < TYPING_MAX:
                self.set_timer(TYPING_SETTLE, check)
            else:
                callback()

        check()

    def release_keys(self, drop: bool = False) -> int:
        """End one :meth:`hold_keys`: the keys waiting are handed out once no hold is
        left, or dropped now; returns how many were dropped."""
        dropped = len(self._typed) if drop else 0
        if drop:
            self._typed.clear()
        self._holds = max(0, self._holds - 1)
        if self._typed and self._in_flight is None and not self._holds:
            self._wait_quiet()  # (not at once: this may run inside a handler)
        return dropped

    def exit(
        self, result: ReturnType | None = None, return_code: int = 0, message: Any = None
    ) -> None:
        self.closing = True
        super().exit(result, return_code, message)
