"""One process's view of the event bus: each event is read and rendered once, in one place.

A single dispatcher per process listens to the bus. For each event it finds the subscriptions
that want it, reads the event's view from the database once, lets each subscription render
it (renderings share one scratch dict per event, so a thousand subscribers cost one read and
one rendering per audience: shared.py), and drops the result into each subscription's inbox.
A subscription's own task then only sends what it is handed, in the order it was handed.
Answer progress is coalesced per task on the way (coalesce.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from activecrowds.domain.events import BatchProgress, Event, EventsMissed
from activecrowds.services import queries
from activecrowds.services.context import Context
from activecrowds.services.queries import EventView
from server.graphql.subscriptions.coalesce import PROGRESS_INTERVAL_S, Coalescer

log = logging.getLogger(__name__)

INBOX = 1000  # events waiting for one slow subscriber; beyond that it loses the oldest
KEEP = 256  # results of `once` kept for recent events

T = TypeVar("T")
# A subscription's rendering of an event (None: nothing to send), or an error to raise there.
Render = Callable[[EventView, dict[Hashable, Any]], Awaitable[str | None]]
Delivery = tuple[EventView, str | Exception | None]


class Subscribable(Protocol):
    def subscribe(self) -> AsyncIterator[Event]: ...


@dataclass(eq=False)
class Listener:
    """One subscription of this process: the events it wants, how it renders them, its inbox."""

    wanted: Callable[[Event], bool]
    render: Render | None
    inbox: asyncio.Queue[Delivery] = field(default_factory=lambda: asyncio.Queue(INBOX))

    def deliver(self, item: Delivery) -> None:
        if self.inbox.full():
            self.inbox.get_nowait()
        self.inbox.put_nowait(item)


class EventFeed:
    """Subscribers get events in bus order, with the task as stored after the event."""

    def __init__(self, ctx: Context, bus: Subscribable) -> None:
        self.ctx = ctx
        self._bus = bus
        self._listeners: set[Listener] = set()
        self._dispatcher: asyncio.Task[None] | None = None
        self._shared: OrderedDict[tuple[int, Hashable], tuple[object, asyncio.Future[Any]]] = (
            OrderedDict()
        )
        # One event handed out at a time, whether read from the bus or held progress now due.
        self._turn = asyncio.Lock()
        self._progress = Coalescer(PROGRESS_INTERVAL_S, self._progress_due)
        self._flushes: set[asyncio.Task[None]] = set()

    async def subscribe(
        self, wanted: Callable[[Event], bool], render: Render | None = None
    ) -> AsyncIterator[Delivery]:
        """The wanted events published from now on: each view with its rendering by `render`
        (None without one). EventsMissed comes with no view of its own (`task` None)."""
        listener = Listener(wanted, render)
        self._listeners.add(listener)
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.ensure_future(self._dispatch())
            await asyncio.sleep(0)  # its first step subscribes it to the bus
        try:
            while True:
                yield await listener.inbox.get()
        finally:
            self._listeners.discard(listener)
            if not self._listeners and self._dispatcher is not None:
                self._dispatcher.cancel()  # nobody listens: nothing to read or render
                self._dispatcher = None

    def __len__(self) -> int:
        """How many subscriptions listen in this process."""
        return len(self._listeners)

    async def _dispatch(self) -> None:
        try:
            async for event in self._bus.subscribe():
                async with self._turn:
                    await self._route(event)
        finally:
            self._progress.clear()

    async def _route(self, event: Event) -> None:
        """Hand the event out, progress coalesced; a task's held progress goes out before
        its next other event (each task's events keep their order)."""
        if isinstance(event, BatchProgress):
            if not self._wanting(event) or self._progress.hold(event):
                return
        else:
            # Only before an event a progress listener hears: each submission's own events
            # (SUBMITTED for its annotator) must not let every progress through.
            held = self._progress.held(event.task_id)
            if held and any(one.wanted(held) for one in self._wanting(event)):
                for progress in self._progress.take(event.task_id):
                    await self._send(progress)
        await self._send(event)

    def _progress_due(self, task_id: int) -> None:
        flush = asyncio.ensure_future(self._flush(task_id))
        self._flushes.add(flush)  # kept until done: the loop holds tasks only weakly
        flush.add_done_callback(self._flushes.discard)

    async def _flush(self, task_id: int) -> None:
        async with self._turn:
            for held in self._progress.take(task_id):
                await self._send(held)

    def _wanting(self, event: Event) -> list[Listener]:
        return [one for one in self._listeners if one.wanted(event)]

    async def _send(self, event: Event) -> None:
        listeners = self._wanting(event)
        if listeners:
            try:
                await self._hand_out(event, listeners)
            except Exception:  # the next event must still be handed out
                log.exception("event %r not delivered", event)

    async def _hand_out(self, event: Event, listeners: list[Listener]) -> None:
        if not isinstance(event, EventsMissed):
            try:
                view = await queries.event_view(self.ctx, event)
            except Exception:
                log.exception("cannot read the view of %r; subscribers catch up", event)
                event = EventsMissed()
        if isinstance(event, EventsMissed):
            for listener in listeners:
                listener.deliver((EventView(event, None), None))  # each re-reads its state
            return
        scratch: dict[Hashable, Any] = {}
        for listener in listeners:
            rendered: str | Exception | None = None
            if listener.render is not None:
                try:
                    rendered = await listener.render(view, scratch)
                except Exception as exc:
                    rendered = exc
            listener.deliver((view, rendered))

    def once(self, owner: object, key: Hashable, make: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        """`make()` run once for `owner` and `key`, its result shared by everyone who asks.

        It runs as its own task: a subscriber leaving does not cancel it for the others.
        """
        slot = (id(owner), key)
        hit = self._shared.get(slot)
        if hit is None or hit[0] is not owner:
            hit = self._shared[slot] = (owner, asyncio.ensure_future(make()))
            while len(self._shared) > KEEP:
                self._shared.popitem(last=False)
        future: asyncio.Future[T] = hit[1]
        return asyncio.shield(future)
