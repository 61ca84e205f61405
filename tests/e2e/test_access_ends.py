"""A suspended or revoked annotator on a real `activecrowds serve`: its open subscription ends
with the reason, and its token is refused over HTTP at once (the sign-in cache forgets it);
with two replicas sharing PostgreSQL and Redis, on the replica where it was not suspended too
(the event reaches every replica over the bus)."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from livetest import (
    CREATE,
    NO_RATE_LIMITS,
    TASK_EVENTS,
    TASKS_CHANGED,
    Api,
    Cluster,
    Proc,
    free_port,
    free_redis_db,
    live_env,
    redis_flushed,
    serve,
    task_input,
)
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


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory, image_dataset: Path, live_database: str
) -> Iterator[Cluster]:
    """Two server replicas sharing one PostgreSQL database and one Redis database (no
    training worker: the task stays in round 0, which is all these tests need)."""
    data_dir = tmp_path_factory.mktemp("replicas")
    shutil.copytree(image_dataset, data_dir / "datasets" / "squares")
    redis_url = redis_flushed(free_redis_db())
    try:
        with Cluster.started(live_env(data_dir, live_database, redis_url), 2, 0) as running:
            yield running
    finally:
        redis_flushed(redis_url)


def _refusal(message: dict[str, Any]) -> dict[str, Any]:
    """The first error of the message that ended a subscription."""
    assert message["type"] == "error" or message["payload"].get("errors"), message
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    first: dict[str, Any] = errors[0]
    return first


async def test_access_ended_on_one_replica_ends_it_on_the_other_at_once(
    replicas: Cluster,
) -> None:
    # Given a task, and three annotators signed in on replica B (so B remembers their tokens),
    # each with a taskEvents subscription open there
    a, b = replicas.bases
    admin = Api(a, replicas.admin_token)
    task_id = (await admin.call(CREATE, {"input": task_input("squares")}))["createTask"]["id"]
    tokens = await admin.register(3)
    ids = [(await Api(b, token).call(ME))["me"]["id"] for token in tokens]
    subs = [await Subscriber.open(b, t, TASK_EVENTS, {"id": task_id}) for t in tokens]
    await asyncio.sleep(1.0)  # the protocol has no "subscribed" message
    try:
        # When the admin, on replica A, suspends the first and revokes the second's token
        done = await admin.call(SUSPEND, {"id": ids[0], "reason": "spam"})
        assert done["suspendAnnotator"]["annotator"]["status"] == "SUSPENDED"
        await admin.call(REVOKE, {"id": ids[1]})
        changed = time.monotonic()
        # Then on B both subscriptions end within moments, each with its reason
        for sub, reason in ((subs[0], "suspended: spam"), (subs[1], "revoked")):
            error = _refusal(await _ended(sub))
            assert error["extensions"]["code"] == "UNAUTHENTICATED", error
            assert reason in error["message"], error
        assert time.monotonic() - changed < 5.0
        # And B refuses both tokens on the next request, as A does, though B remembered them
        for token in tokens[:2]:
            for base in (b, a):
                refused = await Api(base, token).post(ME)
                assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", refused
        # While the third annotator's subscription stays open and its token works on B
        assert subs[2].events.empty()
        assert (await Api(b, tokens[2]).call(ME))["me"]["id"] == ids[2]
    finally:
        for sub in subs:
            await sub.close()


async def until_refused(api: Api, timeout: float = 5.0) -> float:
    """Seconds until `api`'s token is refused (asked again every 10 ms)."""
    began = time.monotonic()
    while (await api.post(ME)).get("errors") is None:
        assert time.monotonic() - began < timeout, "the token is still let in"
        await asyncio.sleep(0.01)
    return time.monotonic() - began


async def test_a_suspension_on_one_replica_refuses_the_token_on_the_other_within_moments(
    replicas: Cluster,
) -> None:
    # Given annotators signed in on replica B, with nothing else open there
    a, b = replicas.bases
    admin = Api(a, replicas.admin_token)
    tokens = await admin.register(2)
    ids = [(await Api(b, token).call(ME))["me"]["id"] for token in tokens]
    # When replica A suspends one and revokes the other's token, B refuses each within a
    # fraction of a second of A's answer (the time the event takes over Redis), not after
    # the minutes B would otherwise remember a sign-in
    await admin.call(SUSPEND, {"id": ids[0], "reason": "spam"})
    suspended = await until_refused(Api(b, tokens[0]))
    await admin.call(REVOKE, {"id": ids[1]})
    revoked = await until_refused(Api(b, tokens[1]))
    assert suspended < 1.0 and revoked < 1.0, (suspended, revoked)
    print(f"refused on the other replica after {suspended * 1000:.0f} / {revoked * 1000:.0f} ms")
