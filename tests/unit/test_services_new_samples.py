"""More samples for a running task, on fakes: where they go, what is skipped, what is refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from fake_repositories import FakeSampleRepository
from fakes import Fakes, IntegrityError
from standins import LABELS, SCENARIO, Given
from test_services_answers import every, submit

from activecrowds.domain.errors import Conflict, Forbidden, NotFound
from activecrowds.domain.events import LockReason, RoundDue, TaskLocked, TaskUpdated
from activecrowds.domain.model import ADMIN, Caller, Role, SampleKind, TaskStatus
from activecrowds.services import datasets, rounds, tasks
from activecrowds.services.new_samples import add_samples, task_taking_samples
from activecrowds_ml.stopping import FinishedReason
from activecrowds_ml.storage import Record, write_dataset

OPTIONS = datasets.ImportOptions()


def staged(folder: Path, files: dict[str, bytes]) -> Path:
    """What the route would have written: the files under `folder`/src."""
    for name, data in files.items():
        path = folder / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def jsonl(*rows: dict[str, str]) -> bytes:
    return "\n".join(json.dumps(r) for r in rows).encode()


def rows_of(fakes: Fakes, task_id: int) -> dict[str, tuple[SampleKind, str | None]]:
    samples = fakes.db.committed.samples.values()
    return {s.key: (s.kind, s.label) for s in samples if s.task_id == task_id}


async def test_texts_join_the_pool_labelled_ones_training_and_repeats_are_skipped(
    fakes: Fakes, given: Given, tmp_path: Path
) -> None:
    # Given a task collecting its first batch, on texts "review 0".. and "unread review 0"..
    task = (await given.open_task()).task
    before = rows_of(fakes, task.id)
    # When new texts arrive: two unread, one labelled by the owner, one the task holds already
    upload = jsonl(
        {"id": "n1", "text": "a new review"},
        {"id": "n2", "text": "another new review"},
        {"id": "n3", "text": "an owner's review", "label": "pos"},
        {"id": "n4", "text": "unread review 2"},
    )
    folder = staged(tmp_path / "up", {"new.jsonl": upload})
    added = await add_samples(fakes.ctx, ADMIN, task.id, folder, OPTIONS)
    # Then they are stored as the next round reads them, the repeat named with its twin
    assert (added.pool, added.labelled, added.bad) == (2, 1, [])
    assert added.duplicates == [("n4", "the same content as sample 'p2'")]
    new = {k: v for k, v in rows_of(fakes, task.id).items() if k not in before}
    assert new == {
        "n1": (SampleKind.POOL, None),
        "n2": (SampleKind.POOL, None),
        "n3": (SampleKind.SEED, "pos"),
    }
    assert fakes.bus.of(TaskUpdated)[-1] == TaskUpdated(task.id)
    # And a name the task has already gets the content's hash, not a clash
    again = staged(tmp_path / "again", {"more.jsonl": jsonl({"id": "n1", "text": "fresh"})})
    await add_samples(fakes.ctx, ADMIN, task.id, again, OPTIONS)
    assert any(k.startswith("n1#") for k in rows_of(fakes, task.id))


async def test_the_next_round_trains_on_the_owners_labels_and_picks_from_the_new_pool(
    fakes: Fakes, given: Given, tmp_path: Path
) -> None:
    opened = await given.open_task()
    upload = jsonl({"id": "n1", "text": "a new review"}, {"id": "s1", "text": "ok", "label": "neg"})
    await add_samples(fakes.ctx, ADMIN, opened.id, staged(tmp_path, {"n.jsonl": upload}), OPTIONS)
    async with fakes.ctx.uow(write=False) as uow:
        plan = await rounds._plan(uow, opened.task, 1, 1)
    assert "n1" in {s.key for s in plan.pool} and "s1" in {s.key for s in plan.train}


async def test_only_a_running_task_takes_samples_and_nothing_is_stored_otherwise(
    fakes: Fakes, given: Given, tmp_path: Path
) -> None:
    task = (await given.open_task()).task
    annotator = Caller(99, "Ada", Role.ANNOTATOR)
    with pytest.raises(Forbidden):
        await task_taking_samples(fakes.ctx, annotator, task.id)
    with pytest.raises(NotFound):
        await task_taking_samples(fakes.ctx, ADMIN, 999)
    stored = fakes.db.committed.tasks[task.id]
    stored.status, stored.finished_reason = TaskStatus.FINISHED, FinishedReason.LABEL_BUDGET
    before = rows_of(fakes, task.id)
    with pytest.raises(Conflict, match="FINISHED"):
        upload = staged(tmp_path, {"n.jsonl": jsonl({"id": "n1", "text": "new"})})
        await add_samples(fakes.ctx, ADMIN, task.id, upload, OPTIONS)
    assert rows_of(fakes, task.id) == before


async def test_a_task_whose_pool_ran_out_reopens_and_asks_about_the_new_samples(
    fakes: Fakes, given: Given, tmp_path: Path
) -> None:
    # Given a task whose crowd has answered every pool sample: the round after finds none left
    opened = await given.open_task()
    crowd = await given.annotators(2)
    while opened.task.status is TaskStatus.COLLECTING:
        for who in crowd:
            await submit(fakes, who, opened, every(opened, "pos"))
        assert await rounds.run_training_round(fakes.ctx, opened.id, opened.batch.number + 1)
        opened = given.current(opened.id)
    assert opened.task.finished_reason is FinishedReason.POOL_EXHAUSTED
    last = opened.batch.number
    # When new texts arrive from the field
    upload = jsonl({"id": "n1", "text": "a new review"}, {"id": "n2", "text": "another one"})
    await add_samples(fakes.ctx, ADMIN, opened.id, staged(tmp_path, {"n.jsonl": upload}), OPTIONS)
    # Then it trains again, and its next round asks the crowd about them
    task = fakes.db.committed.tasks[opened.id]
    assert (task.status, task.finished_reason) == (TaskStatus.TRAINING, None)
    (due,) = fakes.bus.of(RoundDue)[-1:]
    assert due.task_id == opened.id and due.number > last
    assert fakes.bus.of(TaskLocked)[-1] == TaskLocked(opened.id, LockReason.TRAINING)
    assert await rounds.run_training_round(fakes.ctx, opened.id, due.number)
    reopened = given.current(opened.id)
    assert reopened.task.status is TaskStatus.COLLECTING
    assert set(reopened.samples) == {"n1", "n2"}


async def test_an_upload_of_nothing_new_is_refused_naming_every_input(
    fakes: Fakes, given: Given, tmp_path: Path
) -> None:
    task = (await given.open_task()).task
    upload = jsonl({"id": "a", "text": "unread review 0"}, {"id": "b", "text": "x", "label": "meh"})
    with pytest.raises(datasets.UploadInvalid) as refused:
        await add_samples(fakes.ctx, ADMIN, task.id, staged(tmp_path, {"n.jsonl": upload}), OPTIONS)
    assert [name for name, _ in refused.value.bad] == ["n.jsonl:2", "a"]


def png(value: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(np.full((8, 8, 3), value, dtype="uint8")).save(out, format="PNG")
    return out.getvalue()


async def image_task(fakes: Fakes) -> int:
    root = fakes.ctx.datasets_dir / "photos"
    (root / "files").mkdir(parents=True)
    records = []
    for i in range(12):
        path = root / "files" / f"{i}.png"
        path.write_bytes(png(10 * i))
        records.append(Record(f"f{i}", file=str(path), label=LABELS[i % 2] if i < 8 else None))
    write_dataset(root, "photos", "image", LABELS, records[:8], records[8:])
    scenario = {**SCENARIO, "category": "IMAGE"}
    cmd = tasks.CreateTask("Photos", "?", LABELS, "photos", scenario)
    return (await tasks.create_task(fakes.ctx, ADMIN, cmd)).id


async def test_photos_move_into_the_tasks_folder_by_content(fakes: Fakes, tmp_path: Path) -> None:
    task_id = await image_task(fakes)
    files = {"a.png": png(201), "maybe/b.png": png(202), "pos/d.png": png(203), "c.png": png(30)}
    added = await add_samples(fakes.ctx, ADMIN, task_id, staged(tmp_path, files), OPTIONS)
    assert (added.pool, added.labelled) == (1, 1)  # c.png is as f3: skipped
    assert added.bad == [("maybe/b.png", "unknown label 'maybe' (labels: neg, pos)")]
    assert added.duplicates == [("c.png", "the same content as sample 'f3'")]
    (new,) = [s for s in fakes.db.committed.samples.values() if s.key == "a.png"]
    stored = fakes.ctx.datasets_dir / "photos" / str(new.file)
    assert new.file is not None and new.file.startswith("added/task-")
    assert stored.read_bytes() == png(201)


async def test_a_failed_commit_takes_the_moved_files_back_out(
    fakes: Fakes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = await image_task(fakes)

    async def refuse(*_: object) -> None:
        raise IntegrityError("disk full")

    monkeypatch.setattr(FakeSampleRepository, "add_many", refuse)
    with pytest.raises(IntegrityError):
        await add_samples(fakes.ctx, ADMIN, task_id, staged(tmp_path, {"a.png": png(201)}), OPTIONS)
    added = fakes.ctx.datasets_dir / "photos" / "added"
    assert not added.exists() or not any(p.is_file() for p in added.rglob("*"))
