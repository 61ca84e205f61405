"""One process's view of the event bus: each event's task is read once, for every subscriber."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from activecrowds.domain.events import Event, EventsMissed
from activecrowds.services import queries
from activecrowds.services.context import Context
from activecrowds.services.queries import EventView

KEEP = 256  # recent events whose view is shared


class Subscribable(Protocol):
    def subscribe(self) -> AsyncIterator[Event]: ...


class EventFeed:
    """Subscribers get events in bus order, with the task as stored after the event."""

    def __init__(self, ctx: Context, bus: Subscribable) -> None:
        self._ctx = ctx
        self._bus = bus
        # Keyed by id(event): the bus hands the same object to every local subscriber; the
        # event is kept alongside so its id cannot be reused while it is here.
        self._views: OrderedDict[int, tuple[Event, asyncio.Future[EventView]]] = OrderedDict()

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
        hit = self._views.get(id(event))
        if hit is None or hit[0] is not event:
            future = asyncio.ensure_future(queries.event_view(self._ctx, event))
            hit = self._views[id(event)] = (event, future)
            while len(self._views) > KEEP:
                self._views.popitem(last=False)
        return await asyncio.shield(hit[1])
