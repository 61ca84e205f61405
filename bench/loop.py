"""The live loop's latencies with real processes (PostgreSQL, Redis, replicas, 1 worker).

    .venv/bin/python bench/loop.py [--rounds 20] [--subscribers 1000] [--pool 5000]
                                   [--replicas 2] [--workers 1] [--client-procs 4]

1. Head mode, real default model, a 5,000-sample Fashion-MNIST pool: the time from sending the
   answer that resolves a batch to NewBatchAvailable arriving at a subscriber on another
   replica (p50, p95 over --rounds rounds; a round trains, evaluates on 500, tests on 500 and
   scores the whole remaining pool). `--rounds 0` skips it.
2. Fan-out: --subscribers WebSocket subscriptions spread over the replicas, opened and read by
   --client-procs processes (one Python process reading thousands of sockets would be what
   the numbers measure); one event (TaskLocked TRAINING) is timed from the resolving answer to
   its arrival at each (p50, p99). Half the subscribers are annotators and the document asks
   for lockedForMe, so the event has several audiences.

Uses a throwaway PostgreSQL database and an empty Redis database number (flushed after).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from common import RawClient, cpu_seconds, load_average, pct  # noqa: E402
from livetest import (  # noqa: E402  (test helpers: processes, GraphQL, WebSocket clients)
    CREATE,
    PG_SERVER,
    SUBMIT,
    TASK_EVENTS,
    Api,
    Cluster,
    fashion_input,
    free_redis_db,
    live_env,
    pg_admin,
    redis_flushed,
)
from wsclient import Subscriber, collect_until  # noqa: E402

FAN_OUT_EVENTS = """subscription($id: ID!) { taskEvents(taskId: $id) { __typename
  ... on TaskLocked { reason task { status lockedForMe } } } }"""
WARM_UP = 4  # answers sent before the timed one (several, as --workers spreads connections)
OPENING_AT_ONCE = 16  # per client process: handshakes in flight (each costs the server a read)


def table(title: str, rows: list[tuple[str, list[float]]], qs: tuple[int, ...]) -> None:
    print(f"\n{title}")
    head = "".join(f"{'p' + str(q):>10}" for q in qs)
    print(f"{'':<28}{head}{'max':>10}{'n':>6}")
    for name, ms in rows:
        cells = "".join(f"{pct(ms, q):>8.0f}ms" for q in qs)
        print(f"{name:<28}{cells}{max(ms):>8.0f}ms{len(ms):>6}")


async def loop_latency(cluster: Cluster, rounds: int) -> list[float]:
    """Per round: resolving answer sent -> NewBatchAvailable at a subscriber on replica B."""
    a, b = cluster.bases[0], cluster.bases[-1]
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


async def fan_out(cluster: Cluster, subscribers: int, client_procs: int) -> list[float]:
    """One TaskLocked(TRAINING) to `subscribers` connections over every replica."""
    admin = Api(cluster.bases[0], cluster.admin_token)
    peers = WARM_UP + 1  # the warm-up answers leave the batch open; the timed one resolves it
    values = fashion_input("bench", minPeers=peers, maxPeers=peers, initialTrainSize=30)
    values.update(evalSize=500, testSize=500, batchSize=10)
    task_id = (await admin.call(CREATE, {"input": values}))["createTask"]["id"]
    task = await admin.wait_until(task_id, "COLLECTING", 0, timeout=900)
    *annotators, resolver = await admin.register(21)  # the last one answers, unsubscribed
    batch = task["currentBatch"]
    answers = [{"sampleId": s["id"], "label": "long_sleeved"} for s in batch["samples"]]
    request = {"t": task_id, "b": batch["id"], "a": answers}
    for token in await admin.register(WARM_UP):  # each server process has served this before
        await Api(cluster.bases[0], token).call(SUBMIT, request)
    tokens = [cluster.admin_token if i % 2 else annotators[i // 2] for i in range(40)]
    context = multiprocessing.get_context("spawn")
    ready: Queue[int] = context.Queue()
    arrivals: Queue[list[float]] = context.Queue()
    shares = [list(range(k, subscribers, client_procs)) for k in range(client_procs)]
    plans = [
        ([cluster.bases[i % len(cluster.bases)] for i in share], [tokens[i % 40] for i in share])
        for share in shares
    ]
    procs = [
        context.Process(target=listen, args=(bases, toks, task_id, ready, arrivals))
        for bases, toks in plans
    ]
    for proc in procs:
        proc.start()
    opened = sum(ready.get(timeout=900) for _ in procs)
    assert opened == subscribers, f"{opened} of {subscribers} subscriptions opened"
    await asyncio.sleep(2.0)
    client = await RawClient.open(cluster.bases[0])  # connected before the clock starts
    cpu = cpu_seconds([r.process.pid for r in cluster.replicas])
    sent = time.monotonic()
    result = await client.graphql(SUBMIT, request, resolver)
    answered = time.monotonic()
    assert not result.get("errors"), result
    await client.close()
    times = [t for _ in procs for t in arrivals.get(timeout=300)]
    cpu = cpu_seconds([r.process.pid for r in cluster.replicas]) - cpu
    for proc in procs:
        proc.join(timeout=60)
    print(
        f"fan-out: the answer's own request took {(answered - sent) * 1000:.0f} ms; the "
        f"servers' CPU from then to the last arrival (and some) {cpu:.2f} s"
    )
    return [(at - sent) * 1000 for at in times]


def listen(
    bases: list[str], tokens: list[str], task_id: str, ready: Queue[int], out: Queue[list[float]]
) -> None:
    """A client process: open its subscriptions, then report when each first event came."""
    asyncio.run(_listen(bases, tokens, task_id, ready, out))


async def _listen(
    bases: list[str], tokens: list[str], task_id: str, ready: Queue[int], out: Queue[list[float]]
) -> None:
    import websockets

    opening = asyncio.Semaphore(OPENING_AT_ONCE)
    subscribe = {"query": FAN_OUT_EVENTS, "variables": {"id": task_id}}

    async def open_one(base: str, token: str) -> Any:
        async with opening:
            ws = await websockets.connect(
                base.replace("http", "ws", 1) + "/graphql",
                subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
                open_timeout=120,
            )
            payload = {"authorization": f"Bearer {token}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
            return ws

    async def first_event(ws: Any) -> float:
        while True:
            raw = await ws.recv()
            at = time.monotonic()  # before parsing: what the client does next is not the server's
            kind = json.loads(raw)["type"]
            if kind == "ping":
                await ws.send('{"type": "pong"}')
            elif kind == "next":
                return at
            else:
                raise AssertionError(raw)

    sockets = await asyncio.gather(*(open_one(b, t) for b, t in zip(bases, tokens, strict=True)))
    ready.put(len(sockets))
    out.put(list(await asyncio.wait_for(asyncio.gather(*map(first_event, sockets)), 300)))
    for ws in sockets:
        await ws.close()


async def main(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="ac-bench-"))
    dataset = work / "datasets" / "bench"
    size = args.pool + 1030
    demo = [sys.executable, "-m", "cli", "dataset", "demo", str(dataset)]
    subprocess.run([*demo, "--size", str(size), "--labelled", "1030"], check=True, cwd=ROOT)
    name = f"ac_bench_{secrets.token_hex(4)}"
    await pg_admin(f'CREATE DATABASE "{name}"')
    redis_url = redis_flushed(free_redis_db())
    # The subscribers all come from this machine: the per-process connection cap must not
    # refuse them.
    env = live_env(work, f"{PG_SERVER}/{name}", redis_url, max_connections="100000")
    cluster = Cluster(env)
    try:
        for _ in range(args.replicas):
            cluster.add_replica(workers=args.workers)
        cluster.add_worker()
        loop = await loop_latency(cluster, args.rounds) if args.rounds else []
        spread = await fan_out(cluster, args.subscribers, args.client_procs)
    finally:
        for proc in [*cluster.replicas, *cluster.workers]:
            proc.stop()
        redis_flushed(redis_url)
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"\npool {args.pool}, head mode, real default model; {args.replicas} replicas x "
        f"{args.workers} server process(es) + 1 worker, CPU; load average {load_average()}"
    )
    if loop:
        table("resolving answer -> NewBatchAvailable", [("per round", loop)], (50, 95))
    title = f"one event -> {args.subscribers} subscribers ({args.client_procs} client processes)"
    table(title, [("arrival at each", spread)], (50, 99))


def parse(argv: list[str] | None = None) -> Any:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--subscribers", type=int, default=1000)
    p.add_argument("--pool", type=int, default=5000)
    p.add_argument("--replicas", type=int, default=2)
    p.add_argument("--workers", type=int, default=1, help="server processes per replica")
    p.add_argument("--client-procs", type=int, default=4, help="processes holding subscribers")
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
