"""The in-memory event bus (one process); redis_bus.RedisEventBus: the same port, many processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from activecrowds.domain.events import Event


class InMemoryEventBus:
    """Fans events out to every subscriber's queue, in publish order."""

    def __init__(self, maxsize: int = 1000) -> None:
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self._maxsize = maxsize

    async def publish(self, events: Sequence[Event]) -> None:
        """Deliver events; a subscriber too slow to keep `maxsize` queued loses the oldest."""
        for queue in list(self._subscribers):
            for event in events:
                if queue.full():
                    queue.get_nowait()
                queue.put_nowait(event)

    async def subscribe(self) -> AsyncIterator[Event]:
        """Events published from now on, until the consumer stops iterating."""
        queue: asyncio.Queue[Event] = asyncio.Queue(self._maxsize)
        self._subscribers.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers.discard(queue)

    async def close(self) -> None:
        """Nothing to release (same port as RedisEventBus)."""
