"""submitAnswers throughput and latency against PostgreSQL, over HTTP, at 1, 8 and 32 annotators.

    .venv/bin/python bench/api.py [--submissions 400] [--batch-size 30] [--workers 1]
                                  [--levels 1,8,32] [--postgres URL]

Creates a throwaway database `ac_bench_<random>` on the local PostgreSQL (dropped at the end),
starts `server.app` under uvicorn (`--workers` processes) in a separate process, and has N
concurrent annotators POST submitAnswers, each answering a whole batch once (the API allows one
submission per annotator and batch; `--batch-size 1` measures one-answer submissions). All
annotators of a run hit the same batch: the worst case for its row lock. The peer rule never
resolves the batch (max peers set very high), so only submissions are measured, not training.
Rounds use a stand-in model (uniform probabilities); the ML core is not measured here. The
client is a bare keep-alive HTTP/1.1 connection per annotator (bench/common.py), so that its own
CPU is small next to the server's; "server ms/req" is the server processes' CPU per submission.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }"""
TOKEN = "bench-admin-token"
LABELS = ["dark", "bright"]


def uniform_model(scenario: Any, labels: Sequence[str], **_: Any) -> Any:
    """A stand-in classifier: every class equally likely (rounds cost nothing)."""
    import numpy as np

    from activecrowds_ml.models.base import Model

    class Uniform(Model):
        def train(self, records: Sequence[Any], labels: Sequence[str]) -> None:
            self.check_labels(records, labels)

        def predict_proba(self, records: Sequence[Any]) -> Any:
            return np.full((len(records), len(self.labels)), 1 / len(self.labels))

    return Uniform(labels=tuple(labels), seed=scenario.seed)


def write_dataset(root: Path, n: int = 400) -> Path:
    import numpy as np
    from PIL import Image

    from activecrowds_ml.storage import Record, write_dataset

    (root / "files").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    records = []
    for i in range(n):
        path = root / "files" / f"{i}.png"
        Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(path)
        label = LABELS[i % 2]
        records.append(Record(f"r{i}", file=str(path), label=label if i < 100 else None))
    write_dataset(root, "bench", "image", LABELS, records[:100], records[100:])
    return root


async def prepare(
    settings: Any, dataset: Path, runs: dict[int, int], batch_size: int
) -> dict[int, Any]:
    """One task (its batch open) and `n` fresh annotator tokens per concurrency level."""
    from common import enrol

    from activecrowds.bootstrap import bootstrap
    from activecrowds.domain.model import ADMIN
    from activecrowds.services import queries, tasks

    app = await bootstrap(settings, build_model=uniform_model)
    plans = {}
    scenario = {
        "initial_train_size": 10,
        "eval_size": 10,
        "test_size": 10,
        "batch_size": batch_size,
        "min_peers": 10**6,
        "max_peers": 10**6,
        "query_strategy": "random",
    }
    for level, n in runs.items():
        cmd = tasks.CreateTask(f"bench {level}", "", LABELS, str(dataset), scenario)
        task = await tasks.create_task(app.ctx, ADMIN, cmd)
        await app.queue.join()
        batch = (await queries.latest_batches(app.ctx, [task.id]))[task.id]
        samples = (await queries.batch_samples(app.ctx, [batch.id]))[batch.id]
        tokens = await enrol(app.ctx, [f"a{i}" for i in range(n)])
        plans[level] = (task.id, batch.id, [s.id for s in samples], tokens)
    await app.close()
    return plans


async def run_level(base: str, level: int, plan: Any, server_pid: int) -> dict[str, float]:
    from common import RawClient, cpu_seconds, pct

    task_id, batch_id, sample_ids, tokens = plan
    pending = list(enumerate(tokens))
    latencies: list[float] = []
    errors = 0

    async def annotator(client: RawClient) -> None:
        nonlocal errors
        while pending:
            i, token = pending.pop()
            answers = [{"sampleId": str(s), "label": LABELS[i % 2]} for s in sample_ids]
            variables = {"t": str(task_id), "b": str(batch_id), "a": answers}
            start = time.perf_counter()
            result = await client.graphql(SUBMIT, variables, token)
            latencies.append(time.perf_counter() - start)
            errors += bool(result.get("errors"))

    clients = [await RawClient.open(base) for _ in range(level)]
    cpu_before = cpu_seconds([server_pid])
    began = time.perf_counter()
    await asyncio.gather(*(annotator(client) for client in clients))
    elapsed = time.perf_counter() - began
    server_cpu = cpu_seconds([server_pid]) - cpu_before
    for client in clients:
        await client.close()
    ms = [x * 1000 for x in latencies]
    return {
        "n": len(latencies),
        "per_s": len(latencies) / elapsed,
        "answers_s": len(latencies) * len(sample_ids) / elapsed,
        "p50": pct(ms, 50),
        "p99": pct(ms, 99),
        "cpu_ms": server_cpu * 1000 / max(1, len(latencies)),
        "errors": errors,
    }


def bench_app() -> Any:
    """The server's app (a factory, so that uvicorn can start it in each worker process)."""
    from activecrowds.config import load_settings
    from server.app import create_app

    return create_app(settings=load_settings(), build_model=uniform_model)


def serve(port: int, workers: int) -> None:
    """The server process: the real app, with the stand-in model for rounds."""
    import uvicorn

    # The module is importable as "api" in each worker: bench/ is this script's sys.path[0].
    uvicorn.run(
        "api:bench_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def pg(server: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--submissions", type=int, default=400, help="per concurrency level")
    parser.add_argument("--batch-size", type=int, default=30, help="answers per submission")
    parser.add_argument("--levels", default="1,8,32", help="concurrent annotators per run")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.workers)
        return 0
    from activecrowds.config import Settings

    name = f"ac_bench_{secrets.token_hex(4)}"
    asyncio.run(pg(args.postgres, f'CREATE DATABASE "{name}"'))
    work = Path(tempfile.mkdtemp(prefix="ac-bench-"))
    url = args.postgres.replace("postgresql://", "postgresql+asyncpg://") + "/" + name
    try:
        return bench(args, Settings(work, url, TOKEN), work)
    finally:
        asyncio.run(pg(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def bench(args: argparse.Namespace, settings: Any, work: Path) -> int:
    from common import load_average

    sizes = [int(n) for n in args.levels.split(",")]
    levels = {n: max(50, args.submissions // 4) if n == 1 else args.submissions for n in sizes}
    plans = asyncio.run(prepare(settings, write_dataset(work / "dataset"), levels, args.batch_size))
    port = free_port()
    env = {
        **os.environ,
        "ACTIVECROWDS_DATABASE_URL": settings.database_url,
        "ACTIVECROWDS_ADMIN_TOKEN": TOKEN,
        "ACTIVECROWDS_DATA_DIR": str(work),
    }
    command = [sys.executable, __file__, "--serve", str(port), "--workers", str(args.workers)]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", args.workers)
        print(
            f"submitAnswers over HTTP, PostgreSQL, {args.batch_size} answers per submission, "
            f"{args.workers} server process(es), one batch per level (all annotators contend "
            f"for it); load average {load_average()}"
        )
        print(
            f"{'annotators':>10} {'submissions':>11} {'subm/s':>8} {'answers/s':>10} "
            f"{'p50 ms':>8} {'p99 ms':>8} {'server ms/req':>13} {'errors':>6}"
        )
        for level, plan in plans.items():
            r = asyncio.run(run_level(f"http://127.0.0.1:{port}", level, plan, server.pid))
            print(
                f"{level:>10} {r['n']:>11} {r['per_s']:>8.1f} {r['answers_s']:>10.0f} "
                f"{r['p50']:>8.1f} {r['p99']:>8.1f} {r['cpu_ms']:>13.2f} {r['errors']:>6}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


def wait_until_up(url: str, workers: int) -> None:
    """Until /healthz answers, then a moment for the other workers to finish starting."""
    import httpx

    for _ in range(600):
        try:
            if httpx.get(url).status_code == 200:
                time.sleep(2.0 if workers > 1 else 0)
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not start")


if __name__ == "__main__":
    raise SystemExit(main())
