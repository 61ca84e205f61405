"""More samples for a running task (new photos keep arriving from the field during a disaster).

They are imported as an upload is (activecrowds.services.datasets.import_upload, with the
task's labels and kind; files sent outside any folder are unlabelled); then their files move
into the task's dataset folder (`added/task-<id>/`, named by content hash) and their rows are
stored in one transaction, so the next round's plan reads them with the rest of the pool. A
round training meanwhile has read its pool already: they join from the round after. Unlabelled
samples join the pool; labelled ones are the owner's truth and join the training set, as seed
samples do. A file or text the task holds already is skipped and reported.

A COLLECTING or TRAINING task takes samples, and so does one that finished because its pool ran
out: it reopens, and its next round asks about them. A task another stopping rule finished (a
budget spent, a target met, a plateau) stays finished, as does a failed one: that was its
owner's call (a new task on a dataset with the new photos continues it).
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from activecrowds.domain.errors import Conflict, DatasetError, NotFound
from activecrowds.domain.events import RoundDue, TaskUpdated
from activecrowds.domain.model import Caller, Role, Sample, SampleKind, Task
from activecrowds.domain.rules import MAX_KEY_LENGTH
from activecrowds.services.auth import require
from activecrowds.services.context import Context, commit_and_publish
from activecrowds.services.datasets import Bad, ImportOptions, UploadInvalid, import_upload
from activecrowds.services.snapshot import KIND_OF_CATEGORY
from activecrowds_ml.scenario import Category

ADDED = "added"  # where a task's added files live, inside its dataset folder


@dataclass(frozen=True)
class SamplesAdded:
    """What an upload added to a task: pool and labelled samples, duplicates and bad inputs."""

    task_id: int
    pool: int
    labelled: int
    duplicates: Bad
    bad: Bad


async def task_taking_samples(ctx: Context, caller: Caller | None, task_id: int) -> Task:
    """The task samples are added to, checked before the upload is read.

    Raises:
        Unauthenticated / Forbidden: not the admin. NotFound: no such task. Conflict: it
            failed, or a rule other than the pool running out finished it.
    """
    require(caller, Role.ADMIN)
    async with ctx.uow(write=False) as uow:
        task = await uow.tasks.get(task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    _check_open(task)
    return task


def _check_open(task: Task) -> None:
    if not task.takes_samples:
        why = task.finished_reason.value if task.finished_reason else task.status.value
        raise Conflict(
            f"task {task.id} is {task.status.value} ({why}): samples join a running task, or "
            "one whose pool ran out; create a new task for new data"
        )


async def add_samples(
    ctx: Context, caller: Caller | None, task_id: int, folder: Path, options: ImportOptions
) -> SamplesAdded:
    """Import what the route wrote under `folder`/src and add it to the task's samples.

    Raises:
        as task_taking_samples; UploadInvalid: nothing new and valid (every input bad or a
            duplicate); DatasetError: an unsafe archive, or a dataset folder not writable here.
    """
    task = await task_taking_samples(ctx, caller, task_id)
    kind = KIND_OF_CATEGORY[Category(task.category)]
    chosen = ImportOptions(kind, tuple(task.labels), options.strict, options.archive)
    bad = await asyncio.to_thread(import_upload, folder, f"task-{task.id}", chosen, loose=True)
    async with ctx.uow(write=False) as uow:
        existing = await uow.samples.of_kind(task.id, list(SampleKind))
    new = await asyncio.to_thread(_new_samples, folder / "dataset", task, existing)
    if not new.rows:
        raise UploadInvalid("nothing new to add", bad + new.duplicates)
    await _store(ctx, task.id, new)
    labelled = sum(1 for r in new.rows if r["kind"] is SampleKind.SEED)
    return SamplesAdded(task.id, len(new.rows) - labelled, labelled, new.duplicates, bad)


@dataclass
class _New:
    """Rows to insert and the files to move into the task's folder (staged -> final)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    moves: list[tuple[Path, Path]] = field(default_factory=list)
    duplicates: Bad = field(default_factory=list)


def _new_samples(imported: Path, task: Task, existing: Sequence[Sample]) -> _New:
    """The imported records not in the task yet (by content), with keys the task lacks."""
    from activecrowds_ml.storage import Dataset

    dataset = Dataset.load(imported)
    root = Path(task.dataset)
    known = _Contents(root, existing)
    keys = {s.key for s in existing}
    new = _New()
    for record in (*dataset.labelled, *dataset.pool):
        content = record.text.strip() if record.text is not None else None
        digest = known.digest(Path(record.file) if record.file else None, content)
        if (twin := known.find(digest)) is not None:
            new.duplicates.append((record.id, f"the same content as sample {twin!r}"))
            continue
        key = record.id if record.id not in keys else f"{record.id}#{digest[:10]}"
        if len(key) > MAX_KEY_LENGTH:
            new.duplicates.append((record.id, f"a name longer than {MAX_KEY_LENGTH} characters"))
            continue
        keys.add(key)
        known.add(digest, key)
        file = None
        if record.file is not None:
            file = f"{ADDED}/task-{task.id}/{digest}{Path(record.file).suffix.lower()}"
            new.moves.append((Path(record.file), root / file))
        kind = SampleKind.SEED if record.label is not None else SampleKind.POOL
        new.rows.append(
            {"key": key, "kind": kind, "file": file, "text": record.text, "label": record.label}
        )
    return new


class _Contents:
    """Content hashes of a task's samples, computed only where needed: an existing file is hashed
    when a new file has its size (photos rarely share one)."""

    def __init__(self, root: Path, existing: Sequence[Sample]) -> None:
        self.root = root
        self.by_size: dict[int, list[tuple[Path, str]]] = {}
        self.seen: dict[str, str] = {}  # digest -> key
        for s in existing:
            if s.text is not None:
                self.seen[_hash(s.text.strip().encode())] = s.key
            elif s.file:
                path = root / s.file
                size = path.stat().st_size if path.is_file() else -1
                self.by_size.setdefault(size, []).append((path, s.key))

    def digest(self, path: Path | None, text: str | None) -> str:
        if path is None:
            return _hash((text or "").encode())
        for other, key in self.by_size.pop(path.stat().st_size, []):
            self.seen.setdefault(_file_hash(other), key)
        return _file_hash(path)

    def find(self, digest: str) -> str | None:
        return self.seen.get(digest)

    def add(self, digest: str, key: str) -> None:
        self.seen[digest] = key


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _file_hash(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()[:32]


async def _store(ctx: Context, task_id: int, new: _New) -> None:
    """Move the files into the task's folder, then store the rows; a refusal or a failed commit
    takes the files back out (a crash in between leaves files no row names, never a row
    without its file)."""
    await asyncio.to_thread(_move, new.moves)
    try:
        async with ctx.uow() as uow:
            task = await uow.tasks.get(task_id, lock=True)
            if task is None:
                raise NotFound(f"task {task_id} does not exist")
            _check_open(task)  # it may have finished while the upload was read
            await uow.samples.add_many(task_id, new.rows)
            uow.collect(TaskUpdated(task_id))
            if reopened := task.reopen():  # its pool had run out: the next round asks
                await uow.tasks.save_status(task)
                number = 1 + max(r.number for r in (await uow.rounds.of_tasks([task_id]))[task_id])
                await uow.rounds.add_due(task_id, number)
                uow.collect(*reopened, RoundDue(task_id, number))
            await commit_and_publish(ctx, uow)
    except BaseException:
        await asyncio.to_thread(_unmove, new.moves)
        raise


def _move(moves: Sequence[tuple[Path, Path]]) -> None:
    done: list[tuple[Path, Path]] = []
    try:
        for source, target in moves:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)
            done.append((source, target))
    except OSError as exc:
        _unmove(done)
        raise DatasetError(
            f"cannot store files in the task's dataset folder ({exc.strerror})"
        ) from None


def _unmove(moves: Sequence[tuple[Path, Path]]) -> None:
    for _, target in moves:
        target.unlink(missing_ok=True)
