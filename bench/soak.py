"""A soak: a crowd answering for minutes, real processes, then proof that nothing was lost.

    .venv/bin/python bench/soak.py [--seconds 150] [--annotators 30] [--tasks 3] [--peers 10]
                                   [--replicas 2] [--workers 1] [--size 2000]

PostgreSQL, Redis, `--replicas` x `activecrowds serve --workers N`, one `activecrowds worker`
(the real default model, head mode). `--tasks` tasks on one Fashion-MNIST dataset, 10 samples a
batch, `--peers` answers decide each sample (a batch resolves every 10 submissions, then a round
trains); `--annotators` each on one replica, over one keep-alive connection, going round the
tasks: read the task, submit the open batch if it is theirs to answer, else the next task (a
short pause when none is). Prints submitAnswers latency and throughput and the servers' CPU
per request, then checks against the database that every accepted answer is stored once, for
its annotator, nothing else is stored, every sample's counts agree with its answers, and each
round ran once.
Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from common import RawClient, cpu_seconds, load_average, pct  # noqa: E402
from livetest import (  # noqa: E402  (test helpers: processes, GraphQL)
    CREATE,
    LABELS,
    PG_SERVER,
    Api,
    Cluster,
    fashion_input,
    free_redis_db,
    live_env,
    pg_admin,
    pg_fetch,
    redis_flushed,
)

REGISTER = """mutation($n: String!, $invite: String) {
  registerAnnotator(name: $n, invite: $invite) { token annotator { id } } }"""
INVITE = "mutation($uses: Int!) { createInvite(maxUses: $uses) { code } }"
TASK = """query($id: ID!) { task(id: $id) { status lockedForMe
  currentBatch { id status samples { id } } } }"""
SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) {
    accepted task { id status lockedForMe } } }"""
IDLE_S = 0.2  # pause when no task has anything for this annotator


@dataclass
class Record:
    """What the crowd was told: accepted answers, latencies, refusals."""

    accepted: dict[tuple[int, int], dict[int, str]] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    queries: int = 0


async def annotator(
    base: str, token: str, who: int, tasks: list[str], until: float, record: Record
) -> None:
    """Go round the tasks until `until`, answering every open batch not yet answered."""
    client = await RawClient.open(base)
    rng = random.Random(who)
    try:
        while time.monotonic() < until:
            answered = False
            for task_id in rng.sample(tasks, len(tasks)):
                answered |= await answer_one(client, token, who, task_id, rng, record)
            if not answered:
                await asyncio.sleep(IDLE_S)
    finally:
        await client.close()


async def answer_one(
    client: RawClient, token: str, who: int, task_id: str, rng: random.Random, record: Record
) -> bool:
    task = (await client.graphql(TASK, {"id": task_id}, token))["data"]["task"]
    record.queries += 1
    batch = task["currentBatch"]
    if task["status"] != "COLLECTING" or task["lockedForMe"] or batch is None:
        return False
    answers = {int(s["id"]): rng.choice(LABELS) for s in batch["samples"]}
    pairs = [{"sampleId": str(s), "label": label} for s, label in answers.items()]
    start = time.monotonic()
    result = await client.graphql(SUBMIT, {"t": task_id, "b": batch["id"], "a": pairs}, token)
    record.latencies.append(time.monotonic() - start)
    if result.get("errors"):
        record.refusals[result["errors"][0]["extensions"]["code"]] += 1
        return False
    assert result["data"]["submitAnswers"]["accepted"] == len(answers), result
    record.accepted[(who, int(batch["id"]))] = answers
    return True


async def check(url: str, record: Record) -> list[str]:
    """What the database holds against what the crowd was told; the failures found."""
    rows = await pg_fetch(url, "select annotator_id, batch_id, sample_id, label from answers")
    stored: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    for a, b, s, label in rows:
        stored[(a, b)][s] = label
    failures = []
    lost = [k for k, v in record.accepted.items() if stored.get(k) != v]
    extra = [k for k in stored if k not in record.accepted]
    if lost:
        failures.append(f"{len(lost)} accepted submissions not stored as answered: {lost[:5]}")
    if extra:
        failures.append(f"{len(extra)} submissions stored that nobody was told were accepted")
    counts = await pg_fetch(
        url,
        """select s.id, s.answer_count, s.votes::text, count(a.id)
           from samples s left join answers a on a.sample_id = s.id
           where s.batch_id is not null group by s.id""",
    )
    per_label = Counter((s, label) for _, _, s, label in rows)
    for sample_id, answer_count, votes, n in counts:
        tally = json.loads(votes) if votes else {}
        expected = {label: per_label[(sample_id, label)] for label in tally}
        if answer_count != n or sum(tally.values()) != n or tally != expected:
            failures.append(f"sample {sample_id}: count {answer_count}, votes {votes}, {n} rows")
    rounds = await pg_fetch(url, "select task_id, number, count(*) from rounds group by 1, 2")
    failures += [f"round {n} of task {t} stored {c} times" for t, n, c in rounds if c != 1]
    return failures


async def soak(cluster: Cluster, args: argparse.Namespace) -> Record:
    admin = Api(cluster.bases[0], cluster.admin_token)
    values = fashion_input("soak", minPeers=args.peers, maxPeers=args.peers, minAgreement=0.6)
    values.update(batchSize=10, initialTrainSize=30, evalSize=100, testSize=100)
    tasks = [
        (await admin.call(CREATE, {"input": values}))["createTask"]["id"] for _ in range(args.tasks)
    ]
    for task_id in tasks:
        await admin.wait_until(task_id, "COLLECTING", 0, timeout=900)
    crowd = []
    code = (await admin.call(INVITE, {"uses": args.annotators}))["createInvite"]["code"]
    for i in range(args.annotators):  # registered on each replica in turn
        base = cluster.bases[i % len(cluster.bases)]
        data = await Api(base, None).call(REGISTER, {"n": f"soak {i}", "invite": code})
        crowd.append(
            (
                base,
                data["registerAnnotator"]["token"],
                int(data["registerAnnotator"]["annotator"]["id"]),
            )
        )
    record = Record()
    pids = [r.process.pid for r in cluster.replicas]
    cpu, began = cpu_seconds(pids), time.monotonic()
    until = began + args.seconds
    await asyncio.gather(*(annotator(b, t, who, tasks, until, record) for b, t, who in crowd))
    elapsed, cpu = time.monotonic() - began, cpu_seconds(pids) - cpu
    report(args, record, elapsed, cpu)
    return record


def report(args: argparse.Namespace, record: Record, elapsed: float, cpu: float) -> None:
    ms = [x * 1000 for x in record.latencies]
    requests = len(ms) + record.queries
    print(
        f"\nsoak {elapsed:.0f} s: {args.annotators} annotators, {args.tasks} tasks, "
        f"{args.replicas} replicas x {args.workers} server process(es) + 1 worker, PostgreSQL, "
        f"Redis; load average {load_average()}"
    )
    print(
        f"{'submitAnswers':>14} {'per s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'accepted':>8} {'queries/s':>9} {'server CPU ms/request':>21}"
    )
    print(
        f"{len(ms):>14} {len(ms) / elapsed:>7.1f} {pct(ms, 50):>7.0f} {pct(ms, 95):>7.0f} "
        f"{pct(ms, 99):>7.0f} {len(record.accepted):>8} {record.queries / elapsed:>9.1f} "
        f"{cpu * 1000 / max(1, requests):>21.2f}"
    )
    print(f"refused (expected under races): {dict(record.refusals) or 'none'}")


async def main(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="ac-soak-"))
    demo = [sys.executable, "-m", "cli", "dataset", "demo", str(work / "datasets" / "soak")]
    subprocess.run([*demo, "--size", str(args.size), "--labelled", "300"], check=True, cwd=ROOT)
    name = f"ac_soak_{secrets.token_hex(4)}"
    await pg_admin(f'CREATE DATABASE "{name}"')
    redis_url = redis_flushed(free_redis_db())
    url = f"{PG_SERVER}/{name}"
    cluster = Cluster(live_env(work, url, redis_url))
    try:
        for _ in range(args.replicas):
            cluster.add_replica(workers=args.workers)
        cluster.add_worker()
        record = await soak(cluster, args)
        await asyncio.sleep(3.0)  # the last rounds finish
        failures = await check(url, record)
    finally:
        for proc in [*cluster.replicas, *cluster.workers]:
            proc.stop()
        redis_flushed(redis_url)
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
    refused = set(record.refusals) - {"CONFLICT", "TASK_LOCKED"}
    failures += [f"unexpected refusals: {sorted(refused)}"] if refused else []
    for failure in failures:
        print("FAIL", failure)
    print("checks:", "FAILED" if failures else "every accepted answer stored once, nothing else")
    return 1 if failures else 0


def parse(argv: list[str] | None = None) -> Any:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--seconds", type=float, default=150)
    p.add_argument("--annotators", type=int, default=30)
    p.add_argument("--tasks", type=int, default=3)
    p.add_argument("--peers", type=int, default=10, help="answers that decide a sample")
    p.add_argument("--replicas", type=int, default=2)
    p.add_argument("--workers", type=int, default=1, help="server processes per replica")
    p.add_argument("--size", type=int, default=2000, help="images in the dataset")
    return p.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse())))
