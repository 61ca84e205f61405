"""Redis restarted under a running system (our own throwaway redis-server, never the shared
one): answers given while it is down are kept, the round still runs once it is back, and
subscriptions resume on their own, first with the state they missed."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from livetest import (
    CREATE,
    LABELS,
    SUBMIT,
    TASK,
    TASK_EVENTS,
    Api,
    Cluster,
    fashion_input,
    free_port,
)
from wsclient import Subscriber, collect_until, kinds


class RedisServer:
    """redis-server on a free port, no persistence (a restart loses every queued message)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
    fashion_dataset: Path,
    live_database: str,
    own_redis: RedisServer,
) -> Iterator[Cluster]:
    data_dir = tmp_path_factory.mktemp("restart")
    shutil.copytree(fashion_dataset, data_dir / "datasets" / "fashion")
    env = {
        "ACTIVECROWDS_DATA_DIR": str(data_dir),
        "ACTIVECROWDS_DATABASE_URL": live_database,
        "ACTIVECROWDS_REDIS_URL": own_redis.url,
        "ACTIVECROWDS_ADMIN_TOKEN": secrets.token_urlsafe(16),
        "ACTIVECROWDS_ROUND_LEASE_S": "3",
        "ACTIVECROWDS_RESEND_AFTER_S": "1.5",
    }
    with Cluster.started(env) as running:
        yield running


async def test_answers_given_while_redis_is_down_count_and_events_resume(
    cluster: Cluster, own_redis: RedisServer
) -> None:
    # Given a task collecting answers and a subscribed annotator
    base = cluster.bases[0]
    admin = Api(base, cluster.admin_token)
    values = fashion_input("fashion", minPeers=2, maxPeers=2)
    task_id = (await admin.call(CREATE, {"input": values}))["createTask"]["id"]
    task = await admin.wait_until(task_id, "COLLECTING", 0, timeout=180)
    tokens = await admin.register(2)
    sub = await Subscriber.open(base, tokens[0], TASK_EVENTS, {"id": task_id})
    await asyncio.sleep(1.0)
    answers = [{"sampleId": s["id"], "label": LABELS[1]} for s in task["currentBatch"]["samples"]]
    request = {"t": task_id, "b": task["currentBatch"]["id"], "a": answers}
    try:
        await Api(base, tokens[0]).call(SUBMIT, request)
        assert kinds([await sub.next()]) == ["TaskLocked:SUBMITTED"]
        # When Redis goes away, the resolving answer arrives meanwhile, and Redis comes back empty
        own_redis.stop()
        done = await Api(base, tokens[1]).call(SUBMIT, request)
        assert done["submitAnswers"]["accepted"] == 4  # stored; its events and message are lost
        own_redis.start()
        # Then the subscription catches up at once (the TRAINING it missed), the relay re-sends
        # the round, it runs, and the subscription hears the outcome
        got = await collect_until(sub, "NewBatchAvailable", timeout=60)
        assert kinds(got) == ["TaskLocked:TRAINING", "RoundCompleted", "NewBatchAvailable"]
        # And no answer was lost: both counted, so round 1 trained on 10 seed + 4 accepted
        now = (await admin.call(TASK, {"id": task_id}))["task"]
        assert now["status"] == "COLLECTING" and [r["number"] for r in now["rounds"]] == [0, 1]
        labelled = await admin.call(
            "query($id: ID!) { task(id: $id) { labelledCount } }", {"id": task_id}
        )
        assert labelled["task"]["labelledCount"] == 14
        # And live events flow again: a new answer's SUBMITTED arrives
        batch = now["currentBatch"]
        again = [{"sampleId": s["id"], "label": LABELS[0]} for s in batch["samples"]]
        await Api(base, tokens[0]).call(SUBMIT, {"t": task_id, "b": batch["id"], "a": again})
        assert kinds([await sub.next(10)]) == ["TaskLocked:SUBMITTED"]
    finally:
        await sub.close()
