"""The live loop with real processes: PostgreSQL, Redis, two `activecrowds serve` replicas, one
`activecrowds worker` (the real default model, head mode, real Fashion-MNIST images) and
graphql-transport-ws clients. Then the faults: a training error, a server dying between commit
and send, a worker killed in the middle of a round."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import dying_server
import httpx
import pytest
from livetest import (
    CREATE,
    LABELS,
    NO_RATE_LIMITS,
    SUBMIT,
    TASK_EVENTS,
    Api,
    Cluster,
    fashion_input,
    free_redis_db,
    pg_fetch,
    redis_flushed,
)
from wsclient import Subscriber, collect_until, kinds

from server.graphql.types.events import HIDDEN_FAILURE

TAIL = ["TaskLocked:TRAINING", "RoundCompleted", "NewBatchAvailable"]


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, fashion_dataset: Path, live_database: str
) -> Iterator[Cluster]:
    data_dir = tmp_path_factory.mktemp("live")
    for name in ("fashion", "broken"):
        shutil.copytree(fashion_dataset, data_dir / "datasets" / name)
    redis_url = redis_flushed(free_redis_db())
    env = {
        "ACTIVECROWDS_DATA_DIR": str(data_dir),
        "ACTIVECROWDS_DATABASE_URL": live_database,
        "ACTIVECROWDS_REDIS_URL": redis_url,
        "ACTIVECROWDS_ADMIN_TOKEN": secrets.token_urlsafe(16),
        "ACTIVECROWDS_ROUND_RETRIES": "2",
        "ACTIVECROWDS_RETRY_BACKOFF_MS": "200",
        "ACTIVECROWDS_ROUND_LEASE_S": "3",
        "ACTIVECROWDS_RESEND_AFTER_S": "1.5",
        **NO_RATE_LIMITS,
    }
    try:
        with Cluster.started(env, replicas=2) as running:
            yield running
    finally:
        redis_flushed(redis_url)


async def new_task(cluster: Cluster, dataset: str, peers: int, **scenario: object) -> dict:
    admin = Api(cluster.bases[0], cluster.admin_token)
    values = fashion_input(dataset, minPeers=peers, maxPeers=peers, **scenario)
    task_id = (await admin.call(CREATE, {"input": values}))["createTask"]["id"]
    task = await admin.wait_until(task_id, "COLLECTING", 0, timeout=180)
    return {"id": task_id, **task}


def answers_for(task: dict, label: str = LABELS[0]) -> list[dict[str, str]]:
    return [{"sampleId": s["id"], "label": label} for s in task["currentBatch"]["samples"]]


async def round_rows(cluster: Cluster, task_id: str) -> list[tuple[int, str, int]]:
    rows = await pg_fetch(
        cluster.env["ACTIVECROWDS_DATABASE_URL"],
        "select number, status, attempts from rounds where task_id = $1 order by number",
        int(task_id),
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def test_ten_annotators_on_two_replicas_hear_one_round_in_order(cluster: Cluster) -> None:
    # Given a task created on replica A, and 10 annotators subscribed half on A, half on B
    task = await new_task(cluster, "fashion", peers=10)
    a, b = cluster.bases
    tokens = await Api(a, cluster.admin_token).register(10)
    subs = [
        await Subscriber.open(cluster.bases[i % 2], t, TASK_EVENTS, {"id": task["id"]})
        for i, t in enumerate(tokens)
    ]
    watcher = await Subscriber.open(b, cluster.admin_token, TASK_EVENTS, {"id": task["id"]})
    await asyncio.sleep(1.0)  # the protocol has no "subscribed" message
    try:
        # When all 10 answer at once, through both replicas (the last answer resolves the batch)
        request = {"t": task["id"], "b": task["currentBatch"]["id"], "a": answers_for(task)}
        apis = [Api(cluster.bases[(i + 1) % 2], t) for i, t in enumerate(tokens)]
        done = await asyncio.gather(*(api.call(SUBMIT, request) for api in apis))
        answered = time.monotonic()
        assert all(d["submitAnswers"]["accepted"] == 4 for d in done)
        # Then every subscriber hears TRAINING, round 1 and the new batch, in that order
        for sub in [*subs, watcher]:
            got = await collect_until(sub, "NewBatchAvailable", timeout=30)
            mine = [k for k in kinds(got) if k == "TaskLocked:SUBMITTED"]
            assert [k for k in kinds(got) if k not in mine] == TAIL
            assert len(mine) == (0 if sub is watcher else 1)  # only its own SUBMITTED
            assert got[-2]["taskEvents"]["round"]["number"] == 1
            assert got[-1]["taskEvents"]["batch"]["number"] == 1
        # within a few seconds of the last answer
        latency = max(sub.last_at for sub in [*subs, watcher]) - answered
        assert latency < 5, f"NewBatchAvailable after {latency:.1f}s"
        # And exactly one round 1 ran, once, and opened one batch
        assert await round_rows(cluster, task["id"]) == [(0, "DONE", 1), (1, "DONE", 1)]
        # And the new batch is answerable, and the state agrees with the last event
        first = Api(a, tokens[0])
        now = await first.task(task["id"])
        assert now["status"] == "COLLECTING" and now["currentBatch"]["number"] == 1
        assert now["lockedForMe"] is False
        again = {"t": task["id"], "b": now["currentBatch"]["id"], "a": answers_for(now)}
        assert (await first.call(SUBMIT, again))["submitAnswers"]["accepted"] == 4
    finally:
        for sub in [*subs, watcher]:
            await sub.close()


async def test_a_round_that_keeps_failing_fails_the_task_with_the_reason(cluster: Cluster) -> None:
    # Given a task whose images get corrupted on disk after round 0
    task = await new_task(cluster, "broken", peers=1)
    token = (await Api(cluster.bases[0], cluster.admin_token).register(1))[0]
    sub = await Subscriber.open(cluster.bases[1], token, TASK_EVENTS, {"id": task["id"]})
    await asyncio.sleep(1.0)
    files = Path(cluster.env["ACTIVECROWDS_DATA_DIR"]) / "datasets" / "broken" / "files"
    for path in files.iterdir():
        path.write_bytes(b"not an image")
    try:
        # When the batch is answered and round 1 trains
        request = {"t": task["id"], "b": task["currentBatch"]["id"], "a": answers_for(task)}
        await Api(cluster.bases[0], token).call(SUBMIT, request)
        # Then it is tried 1 + 2 retries times, and the task FAILS, pushed to the annotator
        got = await collect_until(sub, "TaskFailed", timeout=60)
        assert kinds(got) == ["TaskLocked:SUBMITTED", "TaskLocked:TRAINING", "TaskFailed"]
        assert got[-1]["taskEvents"]["error"] == HIDDEN_FAILURE  # exception text is admins'
        assert got[-1]["taskEvents"]["task"] == {"status": "FAILED", "lastError": None}
        # And the admin reads the reason
        now = await Api(cluster.bases[0], cluster.admin_token).task(task["id"])
        assert now["status"] == "FAILED"
        assert now["lastError"].startswith("DatasetError: cannot read image"), now["lastError"]
        assert (await round_rows(cluster, task["id"]))[1] == (1, "FAILED", 3)
    finally:
        await sub.close()


async def test_a_server_dying_between_commit_and_send_still_gets_its_round_run(
    cluster: Cluster,
) -> None:
    # Given a third replica that dies right after committing, before sending to the queue
    doomed_base = cluster.add_replica(entry=[str(Path(__file__).with_name("dying_server.py"))])
    doomed = cluster.replicas[-1]
    task = await new_task(cluster, "fashion", peers=2)
    tokens = await Api(cluster.bases[0], cluster.admin_token).register(2)
    sub = await Subscriber.open(cluster.bases[0], tokens[0], TASK_EVENTS, {"id": task["id"]})
    await asyncio.sleep(1.0)
    try:
        request = {"t": task["id"], "b": task["currentBatch"]["id"], "a": answers_for(task)}
        await Api(cluster.bases[0], tokens[0]).call(SUBMIT, request)
        # When the resolving answer goes to the doomed replica
        with pytest.raises(httpx.HTTPError):
            await Api(doomed_base, tokens[1]).call(SUBMIT, request)
        assert doomed.process.wait(timeout=10) == dying_server.EXIT_CODE
        # Then the relay sends the due round and every event still comes, in order
        got = await collect_until(sub, "NewBatchAvailable", timeout=30)
        assert kinds(got) == ["TaskLocked:SUBMITTED", *TAIL]
        assert await round_rows(cluster, task["id"]) == [(0, "DONE", 1), (1, "DONE", 1)]
    finally:
        await sub.close()


async def test_a_worker_killed_in_a_round_leaves_it_to_the_next_worker(cluster: Cluster) -> None:
    # Given a round that takes a while (fine-tuning the backbone)
    task = await new_task(cluster, "fashion", peers=1, trainingMode="FINETUNE")
    token = (await Api(cluster.bases[0], cluster.admin_token).register(1))[0]
    sub = await Subscriber.open(cluster.bases[1], token, TASK_EVENTS, {"id": task["id"]})
    await asyncio.sleep(1.0)
    try:
        request = {"t": task["id"], "b": task["currentBatch"]["id"], "a": answers_for(task)}
        await Api(cluster.bases[0], token).call(SUBMIT, request)
        # When the worker is killed (SIGKILL) while round 1 is running
        deadline = time.monotonic() + 60
        while (await round_rows(cluster, task["id"]))[1][1] != "RUNNING":
            assert time.monotonic() < deadline, "round 1 never started"
            await asyncio.sleep(0.01)
        cluster.workers[-1].stop(signal.SIGKILL)
        assert (await round_rows(cluster, task["id"]))[1][1] == "RUNNING"
        # Then a new worker completes it once (second attempt), with one batch 1
        cluster.add_worker()
        got = await collect_until(sub, "NewBatchAvailable", timeout=60)
        assert kinds(got) == ["TaskLocked:SUBMITTED", *TAIL]
        assert await round_rows(cluster, task["id"]) == [(0, "DONE", 1), (1, "DONE", 2)]
        batches = await pg_fetch(
            cluster.env["ACTIVECROWDS_DATABASE_URL"],
            "select number from batches where task_id = $1 order by number",
            int(task["id"]),
        )
        assert [r[0] for r in batches] == [0, 1]
    finally:
        await sub.close()
