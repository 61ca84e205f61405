"""`activecrowds serve --workers 2`: two server processes on one port (PostgreSQL, Redis, one
training worker), events reaching subscribers whichever process holds their connection, and
the processes stopping together."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from livetest import (
    CREATE,
    SUBMIT,
    TASK_EVENTS,
    Api,
    Cluster,
    Proc,
    fashion_input,
    free_redis_db,
    live_env,
    redis_flushed,
)
from wsclient import Subscriber, collect_until, kinds


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def serve_workers(cluster: Cluster, workers: int) -> tuple[Proc, str]:
    base = cluster.add_replica(workers=workers)
    return cluster.replicas[-1], base


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, fashion_dataset: Path, live_database: str
) -> Iterator[Cluster]:
    data_dir = tmp_path_factory.mktemp("workers")
    shutil.copytree(fashion_dataset, data_dir / "datasets" / "fashion")
    redis_url = redis_flushed(free_redis_db())
    try:
        with Cluster.started(live_env(data_dir, live_database, redis_url), replicas=0) as running:
            yield running
    finally:
        redis_flushed(redis_url)


async def test_two_server_processes_serve_one_port_and_stop_together(cluster: Cluster) -> None:
    # Given one replica running two server processes
    replica, base = serve_workers(cluster, 2)
    assert len(children(replica.process.pid)) == 2
    admin = Api(base, cluster.admin_token)
    values = fashion_input("fashion", minPeers=2, maxPeers=2)
    task_id = (await admin.call(CREATE, {"input": values}))["createTask"]["id"]
    task = await admin.wait_until(task_id, "COLLECTING", 0, timeout=180)
    tokens = await admin.register(2)
    # And twelve subscribers, each on its own connection (the kernel spreads them)
    subs = [
        await Subscriber.open(base, cluster.admin_token, TASK_EVENTS, {"id": task_id})
        for _ in range(12)
    ]
    await asyncio.sleep(1.0)  # the protocol has no "subscribed" message
    try:
        # When both annotators answer (the second resolves the batch)
        answers = [
            {"sampleId": s["id"], "label": "long_sleeved"} for s in task["currentBatch"]["samples"]
        ]
        request = {"t": task_id, "b": task["currentBatch"]["id"], "a": answers}
        for token in tokens:
            await Api(base, token).call(SUBMIT, request)
        # Then every subscriber hears the round, whichever process holds its connection
        for sub in subs:
            got = await collect_until(sub, "NewBatchAvailable", timeout=60)
            assert kinds(got) == ["TaskLocked:TRAINING", "RoundCompleted", "NewBatchAvailable"]
    finally:
        for sub in subs:
            await sub.close()
    # And SIGTERM stops both processes, cleanly
    workers = children(replica.process.pid)
    replica.process.send_signal(signal.SIGTERM)
    assert replica.process.wait(timeout=30) == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


async def test_a_server_process_that_dies_takes_its_replica_down(cluster: Cluster) -> None:
    replica, _ = serve_workers(cluster, 2)
    first, second = children(replica.process.pid)
    # When one of the processes is killed
    os.kill(first, signal.SIGKILL)
    # Then the replica stops the other and exits 1, for its supervisor to restart it
    assert replica.process.wait(timeout=30) == 1
    assert not Path(f"/proc/{second}").exists()
