"""Samples added to a running task over HTTP (the app in-process), on SQLite and PostgreSQL: the
repositories store them, the round that ran does not see them, the next round scores them with
the pool and trains on the owner's labelled ones."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from apptest import ADMIN_TOKEN, LABELS, SCENARIO, current

from activecrowds.bootstrap import App
from activecrowds.domain.model import ADMIN, SampleKind
from activecrowds.domain.predictions import PredictionFilter
from activecrowds.services import answers, tasks


def png(value: float, seed: int) -> bytes:
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = np.clip(rng.normal(value, 30, (16, 16, 3)), 0, 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


async def test_added_photos_are_in_the_next_rounds_pool_and_training(
    app: App,
    image_dataset: Path,
    tmp_path: Path,
    annotators: Callable[[int], Any],
) -> None:
    import httpx

    from server.app import create_app

    # Given a task on its own copy of the squares, collecting batch 0
    root = shutil.copytree(image_dataset, tmp_path / "squares")
    cmd = tasks.CreateTask("Field", "dark or bright?", LABELS, str(root), dict(SCENARIO))
    task = await tasks.create_task(app.ctx, ADMIN, cmd)
    await app.queue.join()
    opened = await current(app, task.id)
    # When 20 new photos and 2 the owner labelled arrive as one zip
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(20):
            zf.writestr(f"field/unlabelled/n{i:02d}.png", png(60 if i % 2 else 190, 7000 + i))
        zf.writestr("field/dark/owner-dark.png", png(50, 7100))
        zf.writestr("field/bright/owner-bright.png", png(200, 7101))
    transport = httpx.ASGITransport(app=create_app(app))
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.post(
            f"/tasks/{task.id}/samples", content=archive.getvalue(), headers=headers
        )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["pool"], answer.json()["labelled"]) == (20, 2)
    # Then the pool has them, unasked, and the round that ran scored none of them
    async with app.ctx.uow(write=False) as uow:
        scored = await uow.samples.count_predictions(task.id, PredictionFilter())
        pool = await uow.samples.remaining_pool(task.id)
        seeds = await uow.samples.of_kind(task.id, [SampleKind.SEED])
    new = {s.key for s in pool if s.key.startswith("unlabelled/n")}
    assert len(new) == 20 and {"dark/owner-dark.png", "bright/owner-bright.png"} <= {
        s.key for s in seeds
    }
    assert all((root / str(s.file)).is_file() for s in pool if s.key in new)
    # When the batch is decided, round 1 trains on seed + owner's labels + accepted
    (a, _), (b, _) = await annotators(2)
    labels = [(s.id, "bright") for s in opened.samples]
    for caller in (a, b):
        await answers.submit_answers(app.ctx, caller, task.id, opened.batch.id, labels)
    await app.queue.join()
    assert (await current(app, task.id)).batch.number == 1
    async with app.ctx.uow(write=False) as uow:
        round_1 = await uow.rounds.get(task.id, 1)
        rescored = await uow.samples.count_predictions(task.id, PredictionFilter())
    assert round_1 is not None and round_1.train_size == 10 + 2 + len(opened.samples)
    # And it scored the new photos with the rest of the pool (its next batch came from them all)
    assert rescored == scored + 20
