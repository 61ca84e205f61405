"""A suspended or revoked annotator on a real `activecrowds serve`: its open subscription ends
with the reason, and its token is refused over HTTP at once (the sign-in cache forgets it)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from livetest import NO_RATE_LIMITS, TASKS_CHANGED, Api, Proc, free_port, serve
from wsclient import Subscriber

TOKEN = "e2e-access-admin-token"
ME = "{ me { id name } }"
ANNOTATORS = "{ annotators { id name status statusReason } }"
SUSPEND = """mutation($id: ID!, $reason: String!) {
  suspendAnnotator(id: $id, reason: $reason) { uncountedAnswers annotator { status } } }"""
REVOKE = "mutation($id: ID!) { revokeToken(annotatorId: $id) { id status } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("access")
    env = {"ACTIVECROWDS_DATA_DIR": str(data_dir), "ACTIVECROWDS_ADMIN_TOKEN": TOKEN}
    port = free_port()
    proc: Proc = serve("access", env | NO_RATE_LIMITS, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.stop()


async def _annotator(base: str, name: str) -> tuple[str, str]:
    """(id, token) of a new annotator, signed in once (so its caller is cached)."""
    (token,) = await Api(base, TOKEN).register(1)
    me = await Api(base, token).post(ME)
    assert not me.get("errors"), me
    return me["data"]["me"]["id"], token


async def _ended(sub: Subscriber) -> dict[str, Any]:
    """The message that ends the subscription (an error, not an event)."""
    _, message = await asyncio.wait_for(sub.events.get(), 30)
    return message


@pytest.mark.parametrize("how", ["suspend", "revoke"])
async def test_access_ends_at_once_on_http_and_websocket(server: str, how: str) -> None:
    # Given an annotator with an open subscription, already signed in over HTTP
    annotator_id, token = await _annotator(server, how)
    sub = await Subscriber.open(server, token, TASKS_CHANGED)
    await asyncio.sleep(1.0)  # the protocol has no "subscribed" message
    try:
        # When the admin suspends it (or revokes its token)
        admin = Api(server, TOKEN)
        if how == "suspend":
            done = await admin.call(SUSPEND, {"id": annotator_id, "reason": "spam"})
            assert done["suspendAnnotator"]["annotator"]["status"] == "SUSPENDED"
        else:
            await admin.call(REVOKE, {"id": annotator_id})
        # Then its subscription ends with an error that says why
        message = await _ended(sub)
        assert message["type"] == "error" or message["payload"].get("errors"), message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED", errors
        expected = "suspended: spam" if how == "suspend" else "revoked"
        assert expected in errors[0]["message"], errors
        # And its next HTTP request is refused, though its sign-in was cached a moment ago
        refused = await Api(server, token).post(ME)
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", refused
        # And the admin sees what happened
        listed = {a["id"]: a for a in (await admin.call(ANNOTATORS))["annotators"]}
        if how == "suspend":
            assert listed[annotator_id]["status"] == "SUSPENDED"
            assert listed[annotator_id]["statusReason"] == "spam"
    finally:
        await sub.close()
