"""Hostile connections against the real `activecrowds serve` (SQLite; no test touches the data):
headers never finished, a body never sent, more connections than the cap, WebSockets that never
say connection_init, and subscriptions by trusted-document hash.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from livetest import Proc, free_port, serve  # noqa: E402  (real processes, as the e2e tests)
from trustedtest import Manifest  # noqa: E402

READ_TIMEOUT_S, WS_INIT_TIMEOUT_S, MAX_CONNECTIONS = 1.0, 1.0, 8
ADMIN_TOKEN = "hostile-admin-token"
MARGIN_S = 4.0  # generous: the machine may be busy; before the fixes these waited forever


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, trusted: Manifest) -> Iterator[str]:
    env = {
        "ACTIVECROWDS_DATA_DIR": str(tmp_path_factory.mktemp("hostile")),
        "ACTIVECROWDS_READ_TIMEOUT_S": str(READ_TIMEOUT_S),
        "ACTIVECROWDS_WS_INIT_TIMEOUT_S": str(WS_INIT_TIMEOUT_S),
        "ACTIVECROWDS_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
        "ACTIVECROWDS_TRUSTED_DOCUMENTS": str(trusted.path),
        "ACTIVECROWDS_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    port = free_port()
    proc: Proc = serve("server", env, port)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        proc.stop()


async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes (fails if it keeps the connection)."""
    return await asyncio.wait_for(reader.read(), READ_TIMEOUT_S + MARGIN_S)


async def test_connections_that_never_finish_their_headers_are_closed(server: str) -> None:
    host, port = server.split(":")
    # Given one client that sends half its headers, one that sends nothing, one that dribbles
    half = await asyncio.open_connection(host, int(port))
    half[1].write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    silent = await asyncio.open_connection(host, int(port))
    dribbler = await asyncio.open_connection(host, int(port))

    async def dribble() -> int:
        sent = 0
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
            if dribbler[0].at_eof():
                break
            dribbler[1].write(bytes([byte]))
            sent += 1
            await asyncio.sleep(0.05)
        return sent

    sending = asyncio.create_task(dribble())
    # Then each is closed at the deadline, with no answer; dribbling does not move it
    assert await closed_by_server(half[0]) == b""
    assert await closed_by_server(silent[0]) == b""
    assert await closed_by_server(dribbler[0]) == b""
    assert await sending < 130  # closed before it could send its 140 bytes (7 s)
    for _, writer in (half, silent, dribbler):
        writer.close()


async def test_a_body_that_does_not_arrive_in_time_gets_408(server: str) -> None:
    host, port = server.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    writer.write(f'{head}Content-Length: 100\r\n\r\n{{"query":'.encode())
    answer = await closed_by_server(reader)
    assert answer.startswith(b"HTTP/1.1 408"), answer
    writer.close()


async def test_requests_past_the_connection_cap_get_503(server: str) -> None:
    host, port = server.split(":")
    held = [await asyncio.open_connection(host, int(port)) for _ in range(MAX_CONNECTIONS)]
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"http://{server}/healthz")).status_code == 503
        for _, writer in held:
            writer.close()
            await writer.wait_closed()
        await asyncio.sleep(0.2)  # the server sees the closes
        assert (await client.get(f"http://{server}/healthz")).status_code == 200


async def websocket(
    server: str, protocol: str = "graphql-transport-ws"
) -> websockets.ClientConnection:
    return await websockets.connect(
        f"ws://{server}/graphql", subprotocols=[websockets.Subprotocol(protocol)], open_timeout=10
    )


async def test_a_websocket_without_connection_init_is_closed_within_the_timeout(
    server: str,
) -> None:
    ws = await websocket(server)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), WS_INIT_TIMEOUT_S + MARGIN_S)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
    # The older graphql-ws protocol, which has no such timeout, is not spoken at all
    legacy = await websocket(server, "graphql-ws")
    with pytest.raises(websockets.ConnectionClosed) as refused:
        await asyncio.wait_for(legacy.recv(), MARGIN_S)
    assert refused.value.rcvd is not None and refused.value.rcvd.code == 4406


async def test_subscriptions_and_mutations_run_by_trusted_document_hash(
    server: str, trusted: Manifest
) -> None:
    # Given an annotator registered by the hash of the app's own mutation, without a token,
    # with an invite from the admin
    async with httpx.AsyncClient() as client:
        made = await client.post(
            f"http://{server}/graphql",
            json={"query": "mutation { createInvite { code } }"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
    register = {
        "variables": {"name": "Hash", "invite": made.json()["data"]["createInvite"]["code"]},
        "extensions": {
            "persistedQuery": {
                "version": 1,
                "sha256Hash": trusted.hash_of("mutation RegisterAnnotator"),
            }
        },
    }
    async with httpx.AsyncClient() as client:
        done = (await client.post(f"http://{server}/graphql", json=register)).json()
    token = done["data"]["registerAnnotator"]["token"]
    # When it subscribes by hash: once to a task that does not exist, once by an unknown hash
    ws = await websocket(server)
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    events = trusted.hash_of("subscription TaskEvents")
    for id_, sha in (("1", events), ("2", "0" * 64)):
        payload = {
            "variables": {"taskId": "999999"},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}},
        }
        await ws.send(json.dumps({"id": id_, "type": "subscribe", "payload": payload}))
    answers = {}
    while len(answers) < 2:
        message = json.loads(await asyncio.wait_for(ws.recv(), MARGIN_S))
        if message["type"] in ("next", "error"):
            answers[message["id"]] = message
    await ws.close()
    # Then the trusted document ran (the task is not found), the unknown hash did not
    first = answers["1"]["payload"]
    errors = first["errors"] if answers["1"]["type"] == "next" else first
    assert errors[0]["extensions"]["code"] == "NOT_FOUND", answers
    assert answers["2"]["type"] == "error"
    assert answers["2"]["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
