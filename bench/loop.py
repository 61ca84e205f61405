"""The live loop's latencies with real processes (PostgreSQL, Redis, 2 replicas, 1 worker).

    .venv/bin/python bench/loop.py [--rounds 20] [--subscribers 1000] [--pool 5000]

1. Head mode, real default model, a 5,000-sample Fashion-MNIST pool: the time from sending the
   answer that resolves a batch to NewBatchAvailable arriving at a subscriber on the other
   replica (p50, p95 over --rounds rounds; a round trains, evaluates on 500, tests on 500 and
   scores the whole remaining pool).
2. Fan-out: --subscribers WebSocket subscriptions spread over both replicas; one event
   (TaskLocked TRAINING) is timed from the resolving answer to its arrival at each (p50, p99).

Uses a throwaway PostgreSQL database and an empty Redis database number (flushed after).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from livetest import (  # noqa: E402  (test helpers: processes, GraphQL, WebSocket clients)
    CREATE,
    PG_SERVER,
    SUBMIT,
    TASK_EVENTS,
    Api,
    Cluster,
    fashion_input,
    free_redis_db,
    pg_admin,
    redis_flushed,
)
from wsclient import Subscriber, collect_until  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def table(title: str, rows: list[tuple[str, list[float]]], qs: tuple[int, ...]) -> None:
    print(f"\n{title}")
    head = "".join(f"{'p' + str(q):>10}" for q in qs)
    print(f"{'':<28}{head}{'max':>10}{'n':>6}")
    for name, ms in rows:
        cells = "".join(f"{pct(ms, q):>8.0f}ms" for q in qs)
        print(f"{name:<28}{cells}{max(ms):>8.0f}ms{len(ms):>6}")


async def loop_latency(cluster: Cluster, rounds: int) -> list[float]:
    """Per round: resolving answer sent -> NewBatchAvailable at a subscriber on replica B."""
    a, b = cluster.bases
    admin = Api(a, cluster.admin_token)
    values = fashion_input("bench", minPeers=1, maxPeers=1, initialTrainSize=30, evalSize=500)
    values.update(testSize=500, batchSize=10)
    task_id = (await admin.call(CREATE, {"input": values}))["createTask"]["id"]
    print("round 0 (cold feature cache for the whole dataset) ...", flush=True)
    task = await admin.wait_until(task_id, "COLLECTING", 0, timeout=900)
    token = (await admin.register(1))[0]
    sub = await Subscriber.open(b, token, TASK_EVENTS, {"id": task_id})
    await asyncio.sleep(1.0)
    annotator, out = Api(a, token), []
    for n in range(rounds):
        batch = task["currentBatch"]
        answers = [{"sampleId": s["id"], "label": "long_sleeved"} for s in batch["samples"]]
        sent = time.monotonic()
        await annotator.call(SUBMIT, {"t": task_id, "b": batch["id"], "a": answers})
        await collect_until(sub, "NewBatchAvailable", timeout=120)
        out.append((sub.last_at - sent) * 1000)
        task = await annotator.task(task_id)
        print(f"  round {n + 1}: {out[-1]:.0f} ms", flush=True)
    await sub.close()
    return out


async def fan_out(cluster: Cluster, subscribers: int) -> list[float]:
    """One TaskLocked(TRAINING) to `subscribers` connections over both replicas."""
    admin = Api(cluster.bases[0], cluster.admin_token)
    values = fashion_input("bench", minPeers=1, maxPeers=1, initialTrainSize=30, evalSize=500)
    values.update(testSize=500, batchSize=10)
    task_id = (await admin.call(CREATE, {"input": values}))["createTask"]["id"]
    task = await admin.wait_until(task_id, "COLLECTING", 0, timeout=900)
    subs: list[Subscriber] = []
    for i in range(subscribers):
        base = cluster.bases[i % 2]
        subs.append(await Subscriber.open(base, admin.token, TASK_EVENTS, {"id": task_id}))
    await asyncio.sleep(2.0)
    token = (await admin.register(1))[0]
    batch = task["currentBatch"]
    answers = [{"sampleId": s["id"], "label": "long_sleeved"} for s in batch["samples"]]
    sent = time.monotonic()
    await Api(cluster.bases[0], token).call(SUBMIT, {"t": task_id, "b": batch["id"], "a": answers})
    arrivals = await asyncio.gather(*(sub.events.get() for sub in subs))
    for sub in subs:
        await sub.close()
    return [(at - sent) * 1000 for at, _ in arrivals]


async def main(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="ac-bench-"))
    dataset = work / "datasets" / "bench"
    size = args.pool + 1030
    demo = [sys.executable, "-m", "cli", "dataset", "demo", str(dataset)]
    subprocess.run([*demo, "--size", str(size), "--labelled", "1030"], check=True)
    name = f"ac_bench_{secrets.token_hex(4)}"
    await pg_admin(f'CREATE DATABASE "{name}"')
    redis_url = redis_flushed(free_redis_db())
    env = {
        "ACTIVECROWDS_DATA_DIR": str(work),
        "ACTIVECROWDS_DATABASE_URL": f"{PG_SERVER}/{name}",
        "ACTIVECROWDS_REDIS_URL": redis_url,
        "ACTIVECROWDS_ADMIN_TOKEN": secrets.token_urlsafe(16),
    }
    cluster = Cluster(env)
    try:
        cluster.add_replica()
        cluster.add_replica()
        cluster.add_worker()
        loop = await loop_latency(cluster, args.rounds)
        spread = await fan_out(cluster, args.subscribers)
    finally:
        for proc in [*cluster.replicas, *cluster.workers]:
            proc.stop()
        redis_flushed(redis_url)
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
    print(f"\npool {args.pool}, head mode, real default model; 2 replicas + 1 worker, CPU")
    table("resolving answer -> NewBatchAvailable", [("per round", loop)], (50, 95))
    title = f"one event -> {args.subscribers} subscribers"
    table(title, [("arrival at each", spread)], (50, 99))


def parse(argv: list[str] | None = None) -> Any:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--subscribers", type=int, default=1000)
    p.add_argument("--pool", type=int, default=5000)
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
