"""How long GET /export/{taskId}.{jsonl|csv|zip} takes for a task of 10,000 samples.

    .venv/bin/python bench/export.py [--samples 10000] [--postgres postgresql://postgres@127.0.0.1:5432]

Builds a task on a throwaway SQLite database (and, with --postgres, on a throwaway PostgreSQL
one): 2% seed, 2% eval, 2% test, the rest pool, of which 60% were asked in batches of 100,
three answers each, with the latest prediction for every pool sample and a small PNG per
sample. The rows go in through the repositories (no round is run: that is not what is timed).
Then it downloads each format over the real Starlette app (in process, httpx's ASGI transport)
and prints format, samples, answers, seconds and MB, and the most memory the export held
while streaming (a second pass under tracemalloc, read as a server sends it).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, update

from activecrowds.adapters import tables as t
from activecrowds.bootstrap import App, bootstrap
from activecrowds.config import Settings
from activecrowds.domain.model import Role, SampleKind, SampleState, TaskStatus
from activecrowds.domain.predictions import Prediction
from activecrowds.services.ports import NewTask

TOKEN = "bench-admin-token"
LABELS = ["intact", "damaged", "collapsed"]
BATCH = 100
PEERS = 3


def write_images(folder: Path, n: int) -> None:
    """n copies of one small PNG (the export copies bytes; their content does not matter)."""
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True)
    first = folder / "0.png"
    pixels = np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype="uint8")
    Image.fromarray(pixels).save(first)
    for i in range(1, n):
        shutil.copyfile(first, folder / f"{i}.png")


async def build(app: App, dataset: Path, n: int) -> tuple[int, int]:
    """A task of n samples; returns (task id, answers stored)."""
    kinds = [SampleKind.SEED, SampleKind.EVAL, SampleKind.TEST]
    rows: list[dict[str, Any]] = []
    for i in range(n):
        kind = kinds[i % 3] if i < n * 6 // 100 else SampleKind.POOL
        label = LABELS[i % 3] if kind is not SampleKind.POOL else None
        rows.append({"key": f"s{i:06d}", "kind": kind, "file": f"images/{i}.png", "label": label})
    task = NewTask(
        "bench", "export", "IMAGE", "MULTICLASS_CLASSIFICATION", LABELS, str(dataset), {},
        TaskStatus.COLLECTING,
    )  # fmt: skip
    answers = 0
    async with app.ctx.uow() as uow:
        made = await uow.tasks.add(task)
        await uow.samples.add_many(made.id, rows)
        people = [
            (await uow.annotators.add(f"a{i}", Role.ANNOTATOR, secrets.token_hex(32))).id
            for i in range(PEERS)
        ]
        pool = [s for s in await uow.samples.of_kind(made.id, [SampleKind.POOL])]
        asked = pool[: len(pool) * 6 // 10]
        tallies = []
        for number, start in enumerate(range(0, len(asked), BATCH)):
            batch = await uow.batches.add(made.id, number)
            chunk = asked[start : start + BATCH]
            await uow.samples.assign_batch([s.id for s in chunk], batch.id)
            given = {
                who: [(s.id, LABELS[(s.id + (j == 2) * (s.id % 4 == 0)) % 3]) for s in chunk]
                for j, who in enumerate(people)
            }
            await uow.answers.add_many(batch.id, given)
            answers += PEERS * len(chunk)
            for s in chunk:
                agreed = s.id % 4 != 0
                tallies.append(
                    {
                        "sid": s.id,
                        "state": SampleState.ACCEPTED if agreed else SampleState.DISPUTED,
                        "resolved_label": LABELS[s.id % 3] if agreed else None,
                        "answer_count": PEERS,
                    }
                )
        query = (
            update(t.samples)
            .where(t.samples.c.id == bindparam("sid"))
            .values(
                state=bindparam("state"),
                resolved_label=bindparam("resolved_label"),
                answer_count=bindparam("answer_count"),
            )
        )
        predictions = [
            Prediction(
                s.id, made.id, len(asked) // BATCH, LABELS[s.id % 3], 0.5 + (s.id % 50) / 100
            )
            for s in pool
        ]
        await uow.samples.save_predictions(made.id, predictions)
        await uow.commit()
    async with app.engine.begin() as conn:  # the crowd's decisions, as rounds leave them
        await conn.execute(query, tallies)
    return made.id, answers


async def measure(database_url: str, data_dir: Path, n: int, name: str) -> list[tuple[Any, ...]]:
    import httpx

    from server.app import create_app

    dataset = data_dir / "datasets" / "bench"
    write_images(dataset / "images", n)
    app = await bootstrap(Settings(data_dir, database_url, TOKEN), resume_rounds=False)
    out = []
    try:
        task_id, answers = await build(app, dataset, n)
        transport = httpx.ASGITransport(app=create_app(app))
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for ext in ("jsonl", "csv", "zip"):
                started = time.perf_counter()
                got = await client.get(f"/export/{task_id}.{ext}", headers=headers)
                took = time.perf_counter() - started
                assert got.status_code == 200, got.text
                lines = got.content.count(b"\n")
                assert ext == "zip" or lines == n + (ext == "csv"), (ext, lines)
                peak = await peak_memory(app, task_id, ext)
                out.append((name, ext, n, answers, took, len(got.content) / 1e6, peak))
    finally:
        await app.close()
    return out


async def peak_memory(app: App, task_id: int, ext: str) -> float:
    """The most memory (MB, tracemalloc) the service held while its body was read and
    dropped chunk by chunk, as a server sends it (the HTTP client above keeps the whole body)."""
    import tracemalloc

    from activecrowds.domain.model import ADMIN
    from activecrowds.services import export

    tracemalloc.start()
    try:
        found = await export.export(app.ctx, ADMIN, task_id, export.parse_format(ext))
        async for _ in found.body:
            pass
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


async def _pg(server: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a database is made there)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = f"sqlite+aiosqlite:///{root / 'sqlite' / 'bench.db'}"
        (root / "sqlite").mkdir()
        results += await measure(url, root / "sqlite", args.samples, "sqlite")
        if args.postgres:
            name = f"ac_bench_{secrets.token_hex(4)}"
            await _pg(args.postgres, f'CREATE DATABASE "{name}"')
            try:
                pg = args.postgres.replace("postgresql://", "postgresql+asyncpg://") + "/" + name
                (root / "pg").mkdir()
                results += await measure(pg, root / "pg", args.samples, "postgresql")
            finally:
                await _pg(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    head = ("database", "format", "samples", "answers", "seconds", "MB", "peak MB")
    print(f"{head[0]:<11} {head[1]:<7} " + " ".join(f"{h:>8}" for h in head[2:]))
    for db, fmt, samples, answers, seconds, mb, peak in results:
        print(
            f"{db:<11} {fmt:<7} {samples:>8} {answers:>8} {seconds:>8.2f} {mb:>8.1f} {peak:>8.1f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
