"""A soak: a crowd answering for minutes, real processes, then proof that nothing was lost
and no work thrown away.

    .venv/bin/python bench/soak.py [--seconds 150] [--annotators 30] [--tasks 3] [--peers 5]
                                   [--replicas 2] [--workers 1] [--size 2000] [--think 1.0]
                                   [--idle 0.5] [--retries 0.05] [--no-assigned | --every-sample]
                                   [--max-wasted 5] [--logs DIR]

PostgreSQL, Redis, `--replicas` x `activecrowds serve --workers N`, one `activecrowds worker`
(the real default model, head mode). `--tasks` tasks on one Fashion-MNIST dataset, 10 samples a
batch, `--peers` answers decide each sample (then a round trains); `--annotators` each on one
replica, going round the tasks as the app does: read `currentBatch { assigned }` (the samples
still needing its answers, leased to it), note when it opened them, think `--think` seconds a
sample (0.5x to 1.5x), submit those answers with openedAt; `--retries` of the submissions are
sent again as after a lost response (the same payload must come back). `--no-assigned` is the
old app, a before figure: every sample of the batch, no openedAt; `--every-sample` answers every
sample with openedAt (the late answers kept as evidence, without the leases).

Prints submitAnswers latency and throughput, the servers' CPU per request, and per answer:
given, counted as votes, kept as evidence (late: the sample was decided meanwhile), refused (by
code), and their share. Then checks against the database that every accepted answer is stored
once, for its annotator, counted exactly as the API's `counted` said (evidence stored
uncounted), no annotator answered a sample twice, nothing else is stored, every sample's votes
agree with its counted answers, and each round ran once. Exits 1 when a check fails or more than
`--max-wasted` % of the answers given were refused or kept only as evidence (with the
assigned samples only).

Measured 2026-12-02 (`--seconds 150 --annotators 30 --peers 5 --replicas 2`, 2 cores shared
with other work, load average 6-12; throughput and latency follow that load, the shares do not):

    app                          think  answers given  counted  evidence  refused  wasted
    assigned, openedAt (default)  1 s            750      750         0        0    0.0%
    assigned, openedAt            1 s           1250     1250         0        0    0.0%
    assigned, openedAt            0 s            800      800         0        0    0.0%
    every sample, openedAt        1 s           4280     1050      3200       30   75.5%
    every sample, no openedAt     1 s           4460     1200         0     3260   73.1%
    every sample, no openedAt     0 s           4290      850         0     3440   80.2%

(wasted: refused + evidence, of the answers given.) With the leases only the annotators whose
answers are still needed are handed samples, so nothing is refused or late; the old app's
refusals were TASK_LOCKED and CONFLICT:BATCH_CLOSED. Every run: nothing lost, nothing stored
twice, `counted` as stored, retries answered the same.
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
from datetime import UTC, datetime
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
# The app's way: the samples still needing this annotator's answers (leased to it), and when
# it opened them. The old way (--no-assigned): every sample of the batch, no openedAt.
TASK = """query($id: ID!) { task(id: $id) { status lockedForMe
  currentBatch { id status %s { id } } } }"""
SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!, $o: DateTime) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a, openedAt: $o) {
    accepted counted task { id status lockedForMe } } }"""
EXPECTED = {"CONFLICT", "TASK_LOCKED"}  # the old way's refusals under races; nothing else


@dataclass
class Record:
    """What the crowd was told: per submission accepted and counted answers, latencies,
    refusals (submissions and answers, by code)."""

    accepted: dict[tuple[int, int], dict[int, str]] = field(default_factory=dict)
    counted: dict[tuple[int, int], int] = field(default_factory=dict)  # as the API said
    latencies: list[float] = field(default_factory=list)
    # Submissions refused, by code (and reason, CONFLICT:BATCH_CLOSED or :ALREADY_ANSWERED)
    refusals: Counter[str] = field(default_factory=Counter)
    refused_answers: Counter[str] = field(default_factory=Counter)  # their answers, by code
    given: int = 0  # answers sent (first sends; retries are not given again)
    retries: int = 0
    retry_mismatches: list[str] = field(default_factory=list)
    queries: int = 0

    @property
    def counted_answers(self) -> int:
        return sum(self.counted.values())

    @property
    def evidence(self) -> int:
        return sum(len(a) for a in self.accepted.values()) - self.counted_answers


async def annotator(
    base: str,
    token: str,
    who: int,
    tasks: list[str],
    until: float,
    record: Record,
    args: argparse.Namespace,
) -> None:
    """Go round the tasks until `until`, answering what each open batch hands this annotator."""
    client = await RawClient.open(base)
    rng = random.Random(who)
    try:
        while time.monotonic() < until:
            answered = False
            for task_id in rng.sample(tasks, len(tasks)):
                if time.monotonic() >= until:
                    break
                answered |= await answer_one(client, token, who, task_id, rng, record, args)
            if not answered:
                await asyncio.sleep(args.idle)
    finally:
        await client.close()


async def answer_one(
    client: RawClient,
    token: str,
    who: int,
    task_id: str,
    rng: random.Random,
    record: Record,
    args: argparse.Namespace,
) -> bool:
    """Open the task's batch, answer what it hands out (thinking over each sample), submit;
    now and then send the same submission again, as an app that lost the response would."""
    every = args.no_assigned or args.every_sample
    query = TASK % ("samples" if every else "assigned")
    task = (await client.graphql(query, {"id": task_id}, token))["data"]["task"]
    opened_at = None if args.no_assigned else datetime.now(UTC).isoformat()
    record.queries += 1
    batch = task["currentBatch"]
    if task["status"] != "COLLECTING" or task["lockedForMe"] or batch is None:
        return False
    samples = batch["samples" if every else "assigned"]
    if not samples:  # every sample is held by enough others, or decided
        return False
    answers = {int(s["id"]): rng.choice(LABELS) for s in samples}
    await asyncio.sleep(sum(rng.uniform(0.5, 1.5) * args.think for _ in answers))
    pairs = [{"sampleId": str(s), "label": label} for s, label in answers.items()]
    variables = {"t": task_id, "b": batch["id"], "a": pairs, "o": opened_at}
    start = time.monotonic()
    result = await client.graphql(SUBMIT, variables, token)
    record.latencies.append(time.monotonic() - start)
    record.given += len(answers)
    if result.get("errors"):
        extensions = result["errors"][0]["extensions"]
        code = ":".join(filter(None, (extensions["code"], extensions.get("reason"))))
        record.refusals[code] += 1
        record.refused_answers[code] += len(answers)
        return False
    payload = result["data"]["submitAnswers"]
    assert payload["accepted"] == len(answers), result
    key = (who, int(batch["id"]))
    record.accepted[key], record.counted[key] = answers, payload["counted"]
    if rng.random() < args.retries:  # the response was lost: the app sends it again
        record.retries += 1
        again = await client.graphql(SUBMIT, variables, token)
        same = (again.get("data") or {}).get("submitAnswers") or {}
        if (same.get("accepted"), same.get("counted")) != (payload["accepted"], payload["counted"]):
            record.retry_mismatches.append(f"{key}: {payload} then {again}")
    return True


async def check(url: str, record: Record) -> list[str]:
    """What the database holds against what the crowd was told; the failures found."""
    rows = await pg_fetch(
        url, "select annotator_id, batch_id, sample_id, label, counted from answers"
    )
    stored: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    stored_counted: Counter[tuple[int, int]] = Counter()
    twice = Counter((a, s) for a, _, s, _, _ in rows)
    for a, b, s, label, counted in rows:
        stored[(a, b)][s] = label
        stored_counted[(a, b)] += bool(counted)
    failures = []
    lost = [k for k, v in record.accepted.items() if stored.get(k) != v]
    extra = [k for k in stored if k not in record.accepted]
    miscounted = [
        (k, n, stored_counted[k]) for k, n in record.counted.items() if stored_counted[k] != n
    ]
    doubled = [k for k, n in twice.items() if n > 1]
    if lost:
        failures.append(f"{len(lost)} accepted submissions not stored as answered: {lost[:5]}")
    if extra:
        failures.append(f"{len(extra)} submissions stored that nobody was told were accepted")
    if miscounted:
        failures.append(
            f"{len(miscounted)} submissions whose stored votes differ from the `counted` the"
            f" API gave (key, said, stored): {miscounted[:5]}"
        )
    if doubled:
        failures.append(f"{len(doubled)} (annotator, sample) answers stored twice: {doubled[:5]}")
    failures += [f"retry answered differently: {m}" for m in record.retry_mismatches[:5]]
    counts = await pg_fetch(
        url,
        """select s.id, s.answer_count, s.votes::text, count(a.id) filter (where a.counted)
           from samples s left join answers a on a.sample_id = s.id
           where s.batch_id is not null group by s.id""",
    )
    per_label = Counter((s, label) for _, _, s, label, counted in rows if counted)
    for sample_id, answer_count, votes, n in counts:
        tally = json.loads(votes) if votes else {}
        expected = {label: per_label[(sample_id, label)] for label in tally}
        if answer_count != n or sum(tally.values()) != n or tally != expected:
            failures.append(f"sample {sample_id}: count {answer_count}, votes {votes}, {n} votes")
    rounds = await pg_fetch(url, "select task_id, number, count(*) from rounds group by 1, 2")
    failures += [f"round {n} of task {t} stored {c} times" for t, n, c in rounds if c != 1]
    return failures


async def beyond_needed(url: str, peers: int) -> int:
    """Votes counted on samples past the `peers` that decide them: answers the crowd gave to
    samples already decided while their batch was still open (counted, but they add nothing)."""
    rows = await pg_fetch(
        url,
        "select count(*) from answers where counted group by sample_id having count(*) > $1",
        peers,
    )
    return sum(n - peers for (n,) in rows)


async def soak(cluster: Cluster, args: argparse.Namespace) -> tuple[Record, float, float]:
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
    await asyncio.gather(*(annotator(b, t, who, tasks, until, record, args) for b, t, who in crowd))
    return record, time.monotonic() - began, cpu_seconds(pids) - cpu


def report(
    args: argparse.Namespace, record: Record, elapsed: float, cpu: float, extra: int
) -> None:
    ms = [x * 1000 for x in record.latencies]
    requests = len(ms) + record.queries + record.retries
    how = (
        "every sample, no openedAt"
        if args.no_assigned
        else "every sample, openedAt"
        if args.every_sample
        else "assigned samples, openedAt"
    )
    print(
        f"\nsoak {elapsed:.0f} s: {args.annotators} annotators ({how}, {args.think:g} s a"
        f" sample), {args.tasks} tasks, batches of 10, {args.peers} peers, {args.replicas}"
        f" replicas x {args.workers} server process(es) + 1 worker, PostgreSQL, Redis;"
        f" load average {load_average()}"
    )
    print(
        f"{'submitAnswers':>14} {'per s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'accepted':>8} {'retries':>7} {'queries/s':>9} {'server CPU ms/request':>21}"
    )
    print(
        f"{len(ms):>14} {len(ms) / elapsed:>7.1f} {pct(ms, 50):>7.0f} {pct(ms, 95):>7.0f} "
        f"{pct(ms, 99):>7.0f} {len(record.accepted):>8} {record.retries:>7} "
        f"{record.queries / elapsed:>9.1f} {cpu * 1000 / max(1, requests):>21.2f}"
    )
    given, refused = record.given, sum(record.refused_answers.values())
    print(
        f"{'answers given':>14} {'counted':>8} {'evidence':>8} {'refused':>8} "
        f"{'refused %':>9} {'refused+evidence %':>18} {'votes past peers':>16}"
    )
    print(
        f"{given:>14} {record.counted_answers:>8} {record.evidence:>8} {refused:>8} "
        f"{100 * refused / max(1, given):>9.1f} "
        f"{100 * (refused + record.evidence) / max(1, given):>18.1f} {extra:>16}"
    )
    by_code = {
        c: f"{n} submissions, {record.refused_answers[c]} answers"
        for c, n in record.refusals.items()
    }
    print(f"refused by code: {by_code or 'none'}")


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
        record, elapsed, cpu = await soak(cluster, args)
        await asyncio.sleep(3.0)  # the last rounds finish
        report(args, record, elapsed, cpu, await beyond_needed(url, args.peers))
        failures = await check(url, record)
    finally:
        for proc in [*cluster.replicas, *cluster.workers]:
            proc.stop()
        if args.logs:
            for proc in [*cluster.replicas, *cluster.workers]:
                args.logs.mkdir(parents=True, exist_ok=True)
                (args.logs / f"{proc.name}.log").write_text("".join(proc.output))
        redis_flushed(redis_url)
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
    refused = {code.split(":")[0] for code in record.refusals} - EXPECTED
    failures += [f"unexpected refusals: {sorted(refused)}"] if refused else []
    wasted = sum(record.refused_answers.values()) + record.evidence
    assigned = not (args.no_assigned or args.every_sample)
    if assigned and wasted > args.max_wasted / 100 * record.given:
        failures.append(
            f"{wasted} of {record.given} answers refused or kept as evidence only"
            f" (more than {args.max_wasted:g}%)"
        )
    for failure in failures:
        print("FAIL", failure)
    print(
        "checks:",
        "FAILED"
        if failures
        else "every accepted answer stored once, counted as the API said, nothing else",
    )
    return 1 if failures else 0


def parse(argv: list[str] | None = None) -> Any:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--seconds", type=float, default=150)
    p.add_argument("--annotators", type=int, default=30)
    p.add_argument("--tasks", type=int, default=3)
    p.add_argument("--peers", type=int, default=5, help="answers that decide a sample")
    p.add_argument("--replicas", type=int, default=2)
    p.add_argument("--workers", type=int, default=1, help="server processes per replica")
    p.add_argument("--size", type=int, default=2000, help="images in the dataset")
    p.add_argument("--think", type=float, default=1.0, help="mean seconds to answer a sample")
    p.add_argument("--idle", type=float, default=0.5, help="pause when nothing is handed out")
    p.add_argument("--retries", type=float, default=0.05, help="share of submissions sent twice")
    app = p.add_mutually_exclusive_group()
    app.add_argument(
        "--no-assigned",
        action="store_true",
        help="the old app: answer every sample of the batch, no openedAt (a before figure)",
    )
    app.add_argument(
        "--every-sample", action="store_true", help="every sample of the batch, with openedAt"
    )
    p.add_argument(
        "--max-wasted", type=float, default=5.0, help="%% refused or evidence that fails"
    )
    p.add_argument("--logs", type=Path, help="write the servers' output here")
    return p.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse())))
