"""Read-side use cases; the batch functions take many ids at once (they back DataLoaders)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from activecrowds.domain.crowd import LEASE_S
from activecrowds.domain.events import (
    BatchProgress,
    Event,
    LockReason,
    NewBatchAvailable,
    RoundCompleted,
    TaskDeleted,
    TaskFailed,
    TaskLocked,
)
from activecrowds.domain.model import (
    Batch,
    Caller,
    Role,
    Round,
    Sample,
    Task,
    TaskStatus,
    task_from_snapshot,
)
from activecrowds.domain.rules import SUBCATEGORIES
from activecrowds.services.auth import require
from activecrowds.services.context import Context
from activecrowds.services.ports import TaskProgress, UnitOfWork


async def list_tasks(
    ctx: Context,
    caller: Caller | None,
    category: str | None = None,
    subcategory: str | None = None,
    status: TaskStatus | None = None,
) -> list[Task]:
    """Tasks matching the filters, newest first (for an annotator: those its invite covers)."""
    who = require(caller)
    async with ctx.uow(write=False) as uow:
        found = await uow.tasks.list(category, subcategory, status)
    return [task for task in found if who.may_see(task.id)]


async def get_task(ctx: Context, caller: Caller | None, task_id: int) -> Task | None:
    """One task, or None when it does not exist (or the caller's invite does not cover it)."""
    if not require(caller).may_see(task_id):
        return None
    async with ctx.uow(write=False) as uow:
        return await uow.tasks.get(task_id)


async def categories(
    ctx: Context, caller: Caller | None
) -> list[tuple[str, list[tuple[str, int]]]]:
    """Every category with its subcategories and how many tasks each has."""
    who = require(caller)
    async with ctx.uow(write=False) as uow:
        if who.tasks is None:
            counts = await uow.tasks.count_by_category()
        else:  # only the tasks its invite covers
            visible = [t for t in await uow.tasks.list(None, None, None) if who.may_see(t.id)]
            counts = Counter((t.category, t.subcategory) for t in visible)
    return [
        (cat, [(sub, counts.get((cat, sub), 0)) for sub in subs])
        for cat, subs in SUBCATEGORIES.items()
    ]


async def tasks_by_id(ctx: Context, ids: Sequence[int]) -> dict[int, Task]:
    async with ctx.uow(write=False) as uow:
        return await uow.tasks.get_many(ids)


async def latest_batches(ctx: Context, task_ids: Sequence[int]) -> dict[int, Batch]:
    """Each task's newest batch (open while the task collects answers)."""
    async with ctx.uow(write=False) as uow:
        return await uow.batches.latest(task_ids)


async def batch_samples(ctx: Context, batch_ids: Sequence[int]) -> dict[int, list[Sample]]:
    """Each batch's samples as clients are shown them (`Sample.as_shown`)."""
    async with ctx.uow(write=False) as uow:
        found = await uow.samples.in_batches(batch_ids)
        tasks = {s.task_id for samples in found.values() for s in samples if s.gold}
        rules = {}
        for task_id in tasks:
            task = await uow.tasks.get(task_id)
            if task is not None:
                rules[task_id] = (task.peer_rule, task.worker_model())
    return {
        batch_id: [s.as_shown(*rules[s.task_id]) if s.task_id in rules else s for s in samples]
        for batch_id, samples in found.items()
    }


async def task_rounds(ctx: Context, task_ids: Sequence[int]) -> dict[int, list[Round]]:
    async with ctx.uow(write=False) as uow:
        return await uow.rounds.of_tasks(task_ids)


async def task_progress(ctx: Context, task_ids: Sequence[int]) -> dict[int, TaskProgress]:
    """Per task: (labelled count, pool samples not yet asked)."""
    async with ctx.uow(write=False) as uow:
        return await uow.samples.progress(task_ids)


async def answered_batches(ctx: Context, caller: Caller, batch_ids: Sequence[int]) -> set[int]:
    """The batches among `batch_ids` that this caller has answered (none for the admin)."""
    if caller.role is not Role.ANNOTATOR:
        return set()
    async with ctx.uow(write=False) as uow:
        return await uow.answers.answered_batches(caller.id, batch_ids)


async def batch_answerers(ctx: Context, batch_id: int) -> set[int]:
    """Every annotator who answered this batch (one read for all of a task's subscribers)."""
    async with ctx.uow(write=False) as uow:
        return await uow.answers.answerers(batch_id)


@dataclass(frozen=True)
class SampleFile:
    """A sample's image: its task (which a signed URL names) and its path, None when unsafe."""

    sample_id: int
    task_id: int
    path: Path | None  # None: no file, or a path that would leave the dataset folder


async def sample_file(ctx: Context, sample_id: int) -> SampleFile | None:
    """A sample's image file, only ever inside its task's dataset folder; None: no such sample.

    The caller is checked by whoever asks (a signed URL or a bearer token).
    """
    async with ctx.uow(write=False) as uow:
        sample = await uow.samples.get(sample_id)
        task = await uow.tasks.get(sample.task_id) if sample else None
    if sample is None or task is None:
        return None
    if not sample.file:
        return SampleFile(sample_id, task.id, None)
    root = Path(task.dataset).resolve()
    path = (root / sample.file).resolve()
    safe = path.is_relative_to(root) and path.is_file()
    return SampleFile(sample_id, task.id, path if safe else None)


async def ping(ctx: Context) -> None:
    """Touch the database (health checks)."""
    async with ctx.uow(write=False) as uow:
        await uow.tasks.count_by_category()


@dataclass(frozen=True)
class EventView:
    """An event with what it names, read after it committed (the task as stored now)."""

    event: Event
    task: Task | None  # None: the task was deleted meanwhile
    batch: Batch | None = None  # NewBatchAvailable: the new batch; BatchProgress: its batch
    round: Round | None = None  # RoundCompleted: the finished round
    deleted: bool = False  # TaskDeleted: `task` is the task as it was just before


async def event_view(ctx: Context, event: Event) -> EventView:
    """Read the task, and the batch or round the event names, in one short transaction."""
    if isinstance(event, TaskDeleted):
        return EventView(event, task_from_snapshot(event.task), deleted=True)
    async with ctx.uow(write=False) as uow:
        task = await uow.tasks.get(event.task_id)
        if isinstance(event, NewBatchAvailable | BatchProgress):
            return EventView(event, task, batch=await uow.batches.get(event.batch_id))
        if isinstance(event, RoundCompleted):
            return EventView(event, task, round=await uow.rounds.get(event.task_id, event.number))
        return EventView(event, task)


async def state_view(ctx: Context, task_id: int) -> EventView:
    """The event that describes the task as it stands (to catch up after missed events)."""
    async with ctx.uow(write=False) as uow:
        task = await uow.tasks.get(task_id)
        batch = (await uow.batches.latest([task_id])).get(task_id)
    if task is None:
        return EventView(TaskLocked(task_id, LockReason.FINISHED), None)
    if task.status is TaskStatus.COLLECTING and batch is not None:
        return EventView(NewBatchAvailable(task_id, batch.id, batch.number), task, batch=batch)
    if task.status is TaskStatus.FAILED:
        return EventView(TaskFailed(task_id, task.last_error or "failed"), task)
    reason = LockReason.FINISHED if task.status is TaskStatus.FINISHED else LockReason.TRAINING
    return EventView(TaskLocked(task_id, reason), task)


async def hand_out(ctx: Context, caller: Caller | None, batch_id: int) -> list[Sample]:
    """The samples of an open batch this annotator should answer now, leased to it for
    LEASE_S (Batch.hand_out says which); the admin gets them all.

    Raises:
        Unauthenticated: no caller.
    """
    who = require(caller)
    if who.role is not Role.ANNOTATOR:
        return (await batch_samples(ctx, [batch_id])).get(batch_id, [])
    # A look without the batch's lock first: most polls (an annotator waiting for a batch
    # the crowd has taken up) find nothing for them, and must not queue behind submissions.
    async with ctx.uow(write=False) as uow:
        if not await _hand_out(uow, who, batch_id, lock=False):
            return []
    async with ctx.uow() as uow:
        mine = await _hand_out(uow, who, batch_id, lock=True)
        if mine:
            until = datetime.now(UTC) + timedelta(seconds=LEASE_S)
            await uow.leases.take(batch_id, who.id, [s.id for s in mine], until)
            await uow.commit()
    return mine


async def _hand_out(uow: UnitOfWork, who: Caller, batch_id: int, *, lock: bool) -> list[Sample]:
    """What Batch.hand_out gives `who` now; under the batch's row lock with `lock`."""
    found = await uow.batches.lock_with_task(batch_id) if lock else await _with_task(uow, batch_id)
    if found is None or not who.may_see(found[1].id):
        return []
    batch, task = found
    batch.samples = (await uow.samples.in_batches([batch_id]))[batch_id]
    answerers = await uow.answers.answerers(batch_id)
    # A lease ends when its holder answers: its answers are in the counts now.
    leases = [x for x in await uow.leases.of_batch(batch_id) if x.annotator_id not in answerers]
    answered = who.id in answerers
    # Samples asked again (REASK) that this annotator answered in an earlier batch.
    seen = set() if answered else await _given(uow, who.id, batch.samples)
    return batch.hand_out(task, who.id, answered, leases, datetime.now(UTC), seen)


async def _given(uow: UnitOfWork, annotator_id: int, samples: Sequence[Sample]) -> set[int]:
    found = await uow.answers.given([annotator_id], [s.id for s in samples])
    return found.get(annotator_id, set())


async def _with_task(uow: UnitOfWork, batch_id: int) -> tuple[Batch, Task] | None:
    batch = await uow.batches.get(batch_id)
    task = await uow.tasks.get(batch.task_id) if batch is not None else None
    return (batch, task) if batch is not None and task is not None else None
