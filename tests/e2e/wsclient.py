"""A graphql-transport-ws client for tests and benchmarks: one subscription per connection."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import websockets


class Subscriber:
    """One graphql-transport-ws connection running one subscription."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.events: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        self.last_at = 0.0  # when the last event returned by next() arrived (time.monotonic)
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(
        cls, base: str, token: str | None, query: str, variables: dict[str, Any] | None = None
    ) -> Subscriber:
        """Connect, authenticate in connection_init, subscribe."""
        ws = await websockets.connect(
            base.replace("http", "ws", 1) + "/graphql",
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            open_timeout=30,
        )
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 30))
        assert ack["type"] == "connection_ack", ack
        body = {"query": query, "variables": variables or {}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": body}))
        return cls(ws)

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                message = json.loads(raw)
                if message["type"] == "ping":
                    await self.ws.send(json.dumps({"type": "pong"}))
                elif message["type"] in ("next", "error", "complete"):
                    await self.events.put((time.monotonic(), message))

    async def next(self, timeout: float = 30) -> dict[str, Any]:
        """The next event's data (fails on an error or a silent wait)."""
        self.last_at, message = await asyncio.wait_for(self.events.get(), timeout)
        assert message["type"] == "next" and not message["payload"].get("errors"), message
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def close(self) -> None:
        self.reader.cancel()
        with contextlib.suppress(Exception):
            await self.ws.close()


def kinds(events: list[dict[str, Any]]) -> list[str]:
    """Event names, with the reason of TaskLocked: ['TaskLocked:TRAINING', 'RoundCompleted']."""
    out = []
    for data in events:
        event = data["taskEvents"]
        reason = f":{event['reason']}" if event["__typename"] == "TaskLocked" else ""
        out.append(event["__typename"] + reason)
    return out


async def collect_until(sub: Subscriber, last: str, timeout: float = 60) -> list[dict[str, Any]]:
    """Events until (and with) the first one named `last` (e.g. 'NewBatchAvailable')."""
    got: list[dict[str, Any]] = []
    while not got or kinds(got[-1:])[0] != last:
        got.append(await sub.next(timeout))
    return got
