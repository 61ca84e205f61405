"""Subscriptions render an event once per audience and send every subscriber in it the same text.

Subscribers speak graphql-transport-ws to the app in-process (ASGI, no network). What each one
receives is checked against what Strawberry's own execution gives the same caller for the same
event (the subscription run directly, one execution per subscriber), and the reads an event
costs are counted: one of each kind, however many subscribers.
"""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest
from apptest import ADMIN_TOKEN, Api, OpenTask
from starlette.applications import Starlette

from activecrowds.bootstrap import App
from activecrowds.domain.model import ADMIN, Caller
from activecrowds.services import queries
from server.app import create_app
from server.graphql.context import RequestContext, make_loaders
from server.graphql.schema import build_schema

EVENTS = """subscription($id: ID!) { taskEvents(taskId: $id) { __typename
  ... on TaskLocked { reason task { id status lockedForMe lastError } }
  ... on RoundCompleted { round { number trainSize } task { status lockedForMe } }
  ... on NewBatchAvailable { batch { id number samples { id mediaUrl answerCount state } }
                             task { status lockedForMe labelledCount poolRemaining } }
  ... on TaskFailed { error task { status lastError } } } }"""
CHANGES = "subscription { tasksChanged { id status lockedForMe currentBatch { id } } }"
SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }"""
UPDATE = """mutation($id: ID!) { updateTask(id: $id, input: {title: "renamed"}) { id } }"""


class Socket:
    """One graphql-transport-ws connection to an ASGI app, driven in this event loop."""

    def __init__(self, star: Starlette) -> None:
        self.to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "headers": [(b"host", b"testserver")],
            "subprotocols": ["graphql-transport-ws"],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
            "root_path": "",
        }
        self.task = asyncio.ensure_future(star(scope, self.to_app.get, self.from_app.put))

    @classmethod
    async def subscribe(
        cls, star: Starlette, token: str, query: str, variables: dict[str, Any] | None = None
    ) -> Socket:
        socket = cls(star)
        await socket.to_app.put({"type": "websocket.connect"})
        assert (await socket.from_app.get())["type"] == "websocket.accept"
        await socket.send(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        )
        assert (await socket.receive())["type"] == "connection_ack"
        payload = {"query": query, "variables": variables or {}}
        await socket.send({"id": "7", "type": "subscribe", "payload": payload})
        return socket

    async def send(self, message: dict[str, Any]) -> None:
        await self.to_app.put({"type": "websocket.receive", "text": json.dumps(message)})

    async def receive(self, timeout: float = 10) -> dict[str, Any]:
        message = await asyncio.wait_for(self.from_app.get(), timeout)
        assert message["type"] == "websocket.send", message
        received: dict[str, Any] = json.loads(message["text"])
        return received

    async def data(self, timeout: float = 10) -> dict[str, Any]:
        """The next event's data (its `next` message carries this operation's id)."""
        message = await self.receive(timeout)
        assert message["type"] == "next" and message["id"] == "7", message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"]
        return data

    def idle(self) -> bool:
        return self.from_app.empty()

    async def close(self) -> None:
        await self.to_app.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(self.task, 10)


class Reference:
    """The subscription run by Strawberry itself for one caller: one execution per event."""

    def __init__(self, star: Starlette, app: App, caller: Caller, query: str, variables: Any):
        self.schema = build_schema()
        # Of the request only the app (its feed) and the address are read, as the sockets'.
        request: Any = SimpleNamespace(app=star, base_url="ws://testserver/")
        self.context = RequestContext(request, app, caller, None, make_loaders(app.ctx, caller))
        self.args = (query, variables)
        self.received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        stream: Any = await self.schema.subscribe(*self.args, context_value=self.context)
        async for result in stream:
            assert not result.errors, result.errors
            await self.received.put(result.data)

    async def data(self, timeout: float = 10) -> dict[str, Any]:
        return await asyncio.wait_for(self.received.get(), timeout)

    async def close(self) -> None:
        self.task.cancel()


async def listening(star: Starlette, n: int) -> None:
    """Until `n` subscriptions listen (the protocol says nothing when one starts)."""
    for _ in range(500):
        if len(star.state.feed) >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the subscriptions never started")


async def until(source: Socket | Reference, typename: str) -> list[dict[str, Any]]:
    """Events up to and with the first `typename`."""
    got: list[dict[str, Any]] = []
    while not got or got[-1]["taskEvents"]["__typename"] != typename:
        got.append(await source.data())
    return got


def answers(task: OpenTask, label: str) -> dict[str, Any]:
    pairs = [{"sampleId": str(s.id), "label": label} for s in task.samples]
    return {"t": str(task.id), "b": str(task.batch.id), "a": pairs}


@pytest.fixture
def star(app: App) -> Starlette:
    return create_app(app)


async def test_every_subscriber_is_sent_what_strawberry_resolves_for_it(
    app: App, api: Api, star: Starlette, make_task: Any, annotators: Any
) -> None:
    # Given the admin and three annotators subscribed over WebSocket, and the same callers'
    # subscriptions run by Strawberry's executor for reference
    task = await make_task()
    (a, a_token), (b, b_token), (c, c_token) = await annotators(3)
    who = [(ADMIN, ADMIN_TOKEN), (a, a_token), (b, b_token), (c, c_token)]
    variables = {"id": str(task.id)}
    sockets = [await Socket.subscribe(star, token, EVENTS, variables) for _, token in who]
    references = [Reference(star, app, caller, EVENTS, variables) for caller, _ in who]
    await listening(star, 2 * len(who))
    try:
        # When a answers, then b agrees: the batch resolves and round 1 opens batch 1
        await api.call(SUBMIT, answers(task, "dark"), a_token)
        await api.call(SUBMIT, answers(task, "dark"), b_token)
        await app.queue.join()
        # Then each subscriber got what its own execution gives, in order: its own SUBMITTED
        # (annotators who answered), TRAINING, the round, the new batch and its samples
        for socket, reference, (caller, _) in zip(sockets, references, who, strict=True):
            got = await until(socket, "NewBatchAvailable")
            assert got == await until(reference, "NewBatchAvailable"), caller
            submitted = [e for e in got if e["taskEvents"].get("reason") == "SUBMITTED"]
            assert len(submitted) == (1 if caller in (a, b) else 0)
            assert all(e["taskEvents"]["task"]["lockedForMe"] for e in submitted)
            assert len(got) == len(submitted) + 3 and socket.idle()
    finally:
        for source in [*sockets, *references]:
            await source.close()


async def test_one_event_costs_one_read_of_each_kind_however_many_subscribe(
    app: App, api: Api, star: Starlette, make_task: Any, annotators: Any, monkeypatch: Any
) -> None:
    # Given twenty annotators, ten of whom answered the open batch, and the admin, all
    # listening to task changes (lockedForMe differs between them)
    task = await make_task(min_peers=100, max_peers=100)
    crowd = await annotators(20)
    for _, token in crowd[:10]:
        await api.call(SUBMIT, answers(task, "dark"), token)
    tokens = [ADMIN_TOKEN, *(token for _, token in crowd)]
    sockets = [await Socket.subscribe(star, token, CHANGES) for token in tokens]
    await listening(star, len(sockets))
    reads: list[str] = []
    for name in ("latest_batches", "batch_answerers", "answered_batches", "event_view"):
        monkeypatch.setattr(queries, name, counted(reads, name, getattr(queries, name)))
    try:
        # When the admin renames the task
        await api.call(UPDATE, {"id": str(task.id)})
        got = [(await socket.data())["tasksChanged"] for socket in sockets]
        # Then each got its own lockedForMe, and the event was read once for all of them
        assert [g["lockedForMe"] for g in got] == [False] + [True] * 10 + [False] * 10
        assert sorted(reads) == ["batch_answerers", "event_view", "latest_batches"]
    finally:
        for socket in sockets:
            await socket.close()


def counted(reads: list[str], name: str, read: Any) -> Any:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        reads.append(name)
        return await read(*args, **kwargs)

    return wrapper
