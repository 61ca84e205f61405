"""The live loop in the embedded default: one `activecrowds serve` process (SQLite, in-process
rounds, in-memory bus, the real default model) and real graphql-transport-ws clients."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import websockets
from livetest import (
    CREATE,
    SUBMIT,
    TASK_EVENTS,
    TASKS_CHANGED,
    Api,
    Proc,
    free_port,
    serve,
    task_input,
)
from wsclient import Subscriber, kinds

DELETE = "mutation($id: ID!) { deleteTask(id: $id) }"
DELETED_WATCH = "subscription { tasksChanged { id title deleted currentBatch { id } } }"


@dataclass
class Embedded:
    base: str
    admin: Api
    proc: Proc


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory, image_dataset: Path) -> Iterator[Embedded]:
    data_dir = tmp_path_factory.mktemp("embedded")
    shutil.copytree(image_dataset, data_dir / "datasets" / "squares")
    port = free_port()
    env = {"ACTIVECROWDS_DATA_DIR": str(data_dir), "ACTIVECROWDS_REGISTRATIONS_PER_MINUTE": "0"}
    proc = serve("embedded", env, port)
    try:
        token = proc.wait_for_line("admin token").split(": ", 1)[1].strip()
        base = f"http://127.0.0.1:{port}"
        yield Embedded(base, Api(base, token), proc)
    finally:
        proc.stop()


async def test_every_subscriber_hears_the_round_in_order(embedded: Embedded) -> None:
    # Given a task whose round 0 has run, and 10 annotators subscribed to its events
    base, admin = embedded.base, embedded.admin
    values = task_input("squares", minPeers=10, maxPeers=10)
    task_id = (await admin.call(CREATE, {"input": values}))["createTask"]["id"]
    task = await admin.wait_until(task_id, "COLLECTING", 0)
    tokens = await admin.register(10)
    subs = [await Subscriber.open(base, t, TASK_EVENTS, {"id": task_id}) for t in tokens]
    watcher = await Subscriber.open(base, admin.token, TASKS_CHANGED)
    await asyncio.sleep(0.5)  # the protocol has no "subscribed" message
    try:
        # When all ten answer the batch at once (the last answer resolves it)
        batch = task["currentBatch"]
        answers = [{"sampleId": s["id"], "label": "bright"} for s in batch["samples"]]
        request = {"t": task_id, "b": batch["id"], "a": answers}
        await asyncio.gather(*(Api(base, token).call(SUBMIT, request) for token in tokens))
        # Then each hears its own SUBMITTED, then TRAINING, round 1 and the new batch, in order
        for sub in subs:
            got = [await sub.next() for _ in range(4)]
            assert kinds(got) == [
                "TaskLocked:SUBMITTED",
                "TaskLocked:TRAINING",
                "RoundCompleted",
                "NewBatchAvailable",
            ]
            assert got[2]["taskEvents"]["round"]["number"] == 1
            assert got[3]["taskEvents"]["batch"]["number"] == 1
            assert got[3]["taskEvents"]["task"]["status"] == "COLLECTING"
        await asyncio.sleep(0.3)
        assert all(sub.events.empty() for sub in subs)  # nobody hears the others' SUBMITTED
        # And a query agrees with the last event (a reconnecting client catches up with it)
        new_batch = got[3]["taskEvents"]["batch"]
        first = Api(base, tokens[0])
        now = await first.task(task_id)
        assert now["status"] == "COLLECTING" and now["lockedForMe"] is False
        assert now["currentBatch"]["id"] == new_batch["id"]
        # And the new batch is answerable
        answers = [{"sampleId": s["id"], "label": "dark"} for s in now["currentBatch"]["samples"]]
        done = await first.call(SUBMIT, {"t": task_id, "b": new_batch["id"], "a": answers})
        assert done["submitAnswers"]["accepted"] == 4
        assert kinds([await subs[0].next()]) == ["TaskLocked:SUBMITTED"]
        # And the task list watcher saw the task go TRAINING and come back COLLECTING
        statuses = []
        while not statuses or statuses[-1] != "COLLECTING":
            statuses.append((await watcher.next())["tasksChanged"]["status"])
        assert statuses[0] == "TRAINING"
    finally:
        for sub in [*subs, watcher]:
            await sub.close()


async def test_deleting_a_task_is_pushed_to_lists_and_ends_its_events(
    embedded: Embedded,
) -> None:
    # Given a task, a dashboard watching the task list and an annotator watching the task
    base, admin = embedded.base, embedded.admin
    created = await admin.call(CREATE, {"input": task_input("squares", title="Doomed")})
    task_id = created["createTask"]["id"]
    await admin.wait_until(task_id, "COLLECTING", 0)
    (token,) = await admin.register(1)
    events = await Subscriber.open(base, token, TASK_EVENTS, {"id": task_id})
    watcher = await Subscriber.open(base, admin.token, DELETED_WATCH)
    await asyncio.sleep(0.5)  # the protocol has no "subscribed" message
    try:
        # When the admin deletes it
        assert (await admin.call(DELETE, {"id": task_id}))["deleteTask"] is True
        # Then the list hears of it, as it was, marked deleted
        seen = (await watcher.next())["tasksChanged"]
        while seen["id"] != task_id:  # another task's change may come first
            seen = (await watcher.next())["tasksChanged"]
        assert seen == {"id": task_id, "title": "Doomed", "deleted": True, "currentBatch": None}
        # And the task's own event stream completes: nothing more will happen to it
        _, message = await asyncio.wait_for(events.events.get(), 10)
        assert message["type"] == "complete"
        assert await admin.task(task_id) is None
    finally:
        for sub in (events, watcher):
            await sub.close()


async def test_a_websocket_without_a_valid_token_is_refused(embedded: Embedded) -> None:
    for token in (None, "not-a-token"):
        with pytest.raises((websockets.ConnectionClosed, AssertionError)):
            await Subscriber.open(embedded.base, token, TASKS_CHANGED)


async def test_subscribing_to_an_unknown_task_is_an_error(embedded: Embedded) -> None:
    sub = await Subscriber.open(embedded.base, embedded.admin.token, TASK_EVENTS, {"id": "99999"})
    try:
        _, message = await asyncio.wait_for(sub.events.get(), 10)
        codes = [
            e["extensions"]["code"] for e in message["payload"].get("errors", message["payload"])
        ]
        assert codes == ["NOT_FOUND"]
    finally:
        await sub.close()
