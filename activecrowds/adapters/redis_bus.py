"""The Redis pub/sub event bus: every replica and worker publishes to one channel; each process
runs one listener that hands events to its local subscribers, in the order Redis delivered them.

One channel keeps one order for everything, so events of a task arrive in publish order on every
replica. Pub/sub ignores Redis database numbers, so the channel is named after the database
(tests isolate themselves by database number). Publishing never fails a request: an event lost
while Redis is down is caught up by a query (the database holds the state).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import typing
from collections.abc import AsyncIterator, Sequence
from typing import Any

from activecrowds.adapters.bus import InMemoryEventBus
from activecrowds.domain import events as ev
from activecrowds.domain.events import Event

log = logging.getLogger(__name__)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in vars(ev).values()
    if isinstance(cls, type) and issubclass(cls, Event) and cls is not Event
}


def channel_for(url: str) -> str:
    """activecrowds:<db>:events, the db number taken from the URL path (default 0)."""
    from urllib.parse import urlparse

    db = urlparse(url).path.strip("/") or "0"
    return f"activecrowds:{db}:events"


def encode(event: Event) -> str:
    return json.dumps({"type": type(event).__name__, **dataclasses.asdict(event)})


def decode(raw: str | bytes) -> Event:
    """The event back from its JSON (enum fields rebuilt from their values)."""
    data = json.loads(raw)
    cls = EVENT_TYPES[data.pop("type")]
    hints = typing.get_type_hints(cls)
    for name, value in data.items():
        kind = hints.get(name)
        if isinstance(kind, type) and issubclass(kind, ev.StrEnum) and value is not None:
            data[name] = kind(value)
    return cls(**data)


class RedisEventBus:
    """publish() to the channel; subscribe() yields what the channel carried, from now on."""

    def __init__(self, url: str, retry_delay: float = 0.5) -> None:
        self._url = url
        self._channel = channel_for(url)
        self._retry_delay = retry_delay
        self._client: Any = None
        self._local = InMemoryEventBus()
        self._listener: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()  # set while the listener is subscribed
        self._resubscribed = False  # True after the first subscription

    def _redis(self) -> Any:
        if self._client is None:
            import redis.asyncio as redis

            self._client = redis.from_url(self._url, socket_connect_timeout=2, socket_timeout=5)
        return self._client

    async def publish(self, events: Sequence[Event]) -> None:
        """Send events in order (one pipeline); logged, not raised, when Redis is away."""
        if not events:
            return
        for attempt in range(3):  # a pooled connection may be stale after a Redis restart
            try:
                async with self._redis().pipeline(transaction=False) as pipe:
                    for event in events:
                        pipe.publish(self._channel, encode(event))
                    await pipe.execute()
                return
            except Exception as exc:  # redis.RedisError, OSError
                error = exc
                await asyncio.sleep(0.05 * attempt)
        log.warning("event bus unavailable, %d events not published: %r", len(events), error)

    async def subscribe(self) -> AsyncIterator[Event]:
        """Events from every process, until the consumer stops iterating."""
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen(), name="activecrowds-bus")
        async for event in self._local.subscribe():
            yield event

    async def _listen(self) -> None:
        """Forward the channel to local subscribers; resubscribe after Redis comes back."""
        while True:
            try:
                await self._forward()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("event bus lost Redis (%s); resubscribing", exc)
            self.connected.clear()
            await asyncio.sleep(self._retry_delay)

    async def _forward(self) -> None:
        import redis.asyncio as redis

        client = redis.from_url(self._url, socket_connect_timeout=2, health_check_interval=5)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(self._channel)
            self.connected.set()
            log.info("event bus listening on %s", self._channel)
            if self._resubscribed:
                # Whatever was published while we were away is gone: tell listeners to re-read.
                await self._local.publish([ev.EventsMissed()])
            self._resubscribed = True
            async for message in pubsub.listen():
                if message["type"] == "message":
                    await self._local.publish([decode(message["data"])])
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await client.aclose()

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._client is not None:
            await self._client.aclose()
            self._client = None
