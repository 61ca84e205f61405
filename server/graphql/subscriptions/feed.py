"""One process's view of the event bus: what an event needs is read and rendered once.

Every subscriber of a process gets the same event object from the bus; the feed keys what is
worked out from it (the view read from the database, the loaders, the rendered payloads) by that
object, so a thousand subscribers cost one read and one rendering per kind of audience.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any, Protocol, TypeVar

from activecrowds.domain.events import Event, EventsMissed
from activecrowds.services import queries
from activecrowds.services.context import Context
from activecrowds.services.queries import EventView

KEEP = 4096  # results kept for recent events (a few per event and audience)

T = TypeVar("T")


class Subscribable(Protocol):
    def subscribe(self) -> AsyncIterator[Event]: ...


class EventFeed:
    """Subscribers get events in bus order, with the task as stored after the event."""

    def __init__(self, ctx: Context, bus: Subscribable) -> None:
        self.ctx = ctx
        self._bus = bus
        # Keyed by (id(owner), key): the owner is kept alongside so that its id cannot be
        # reused by another object while the entry is here.
        self._shared: OrderedDict[tuple[int, Hashable], tuple[object, asyncio.Future[Any]]] = (
            OrderedDict()
        )

    async def subscribe(self, wanted: Callable[[Event], bool]) -> AsyncIterator[EventView]:
        """Views of the wanted events published from now on."""
        async for event in self._bus.subscribe():
            if isinstance(event, EventsMissed):
                if wanted(event):
                    yield EventView(event, None)  # each subscriber re-reads its own state
            elif wanted(event):
                yield await self.view(event)

    async def view(self, event: Event) -> EventView:
        """The event's view, read from the database once however many subscribers ask."""
        return await self.once(event, "view", lambda: queries.event_view(self.ctx, event))

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
