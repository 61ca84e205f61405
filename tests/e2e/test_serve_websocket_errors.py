"""A WebSocket client of a real `activecrowds serve` sending documents that cannot run: each
gets an error with its code, the connection goes on, and the server logs nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from livetest import Proc, free_port, serve

TOKEN = "e2e-websocket-admin-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Proc, int]]:
    data_dir = tmp_path_factory.mktemp("websocket")
    env = {"ACTIVECROWDS_DATA_DIR": str(data_dir), "ACTIVECROWDS_ADMIN_TOKEN": TOKEN}
    port = free_port()
    proc = serve("websocket", env, port)
    try:
        yield proc, port
    finally:
        proc.stop()


async def _exchange(port: int, subscribes: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Send each subscribe message on one connection; each one's messages, up to its last."""
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/graphql",
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
    ) as ws:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {TOKEN}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "connection_ack"
        replies = []
        for number, payload in enumerate(subscribes):
            message = {"id": str(number), "type": "subscribe", "payload": payload}
            await ws.send(json.dumps(message))
            got = [json.loads(await asyncio.wait_for(ws.recv(), 30))]
            while got[-1]["type"] not in ("complete", "error"):
                got.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))
            replies.append(got)
        return replies


async def test_bad_documents_get_a_code_and_the_connection_lives(
    server: tuple[Proc, int],
) -> None:
    # Given one connection
    proc, port = server
    # When it sends a document that does not parse, then an id no task can have, then a query
    replies = await _exchange(
        port,
        [
            {"query": "subscription { tasksChanged { id "},
            {"query": 'subscription { taskEvents(taskId: "²") { __typename } }'},
            {"query": "{ me { role } }"},
        ],
    )
    # Then each bad one gets its code, the connection still answers, and nothing is logged
    [syntax], [hostile, _], [query, _] = replies
    assert syntax["type"] == "error", syntax
    assert syntax["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert hostile["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND", hostile
    assert query["type"] == "next" and query["payload"]["data"] == {"me": {"role": "ADMIN"}}
    assert not [line for line in proc.output if "Traceback" in line or "ERROR" in line]
