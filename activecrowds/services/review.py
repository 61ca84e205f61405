"""The task owner's review of the crowd's labels: decide a disputed sample, correct an accepted
one, take one out of training, or ask the crowd again."""

from __future__ import annotations

from activecrowds.domain.errors import NotCollecting, NotFound
from activecrowds.domain.events import TaskUpdated
from activecrowds.domain.history import batch_progress
from activecrowds.domain.model import (
    Batch,
    BatchStatus,
    Caller,
    Review,
    Role,
    Sample,
    Task,
    TaskStatus,
)
from activecrowds.services.auth import require
from activecrowds.services.context import Context, commit_and_publish
from activecrowds.services.ports import UnitOfWork


async def review_sample(
    ctx: Context, caller: Caller | None, sample_id: int, action: Review, label: str | None
) -> Sample:
    """Apply the owner's decision; it counts from the next round on (a round running now
    trains on what it read when it started).

    The sample's batch is locked as a submission locks it, so a late answer counted at the
    same moment never writes the crowd's decision back over the owner's. REASK also locks
    the open batch it joins, and the task's row, so that a round opening the next batch
    either sees it waiting or is seen by it.

    Raises:
        NotFound: no such sample. ValidationError: not a crowd sample, a bad label.
        NotDecided: the crowd has not decided it yet. NotCollecting: REASK on a finished or
        failed task (no batch will ever ask it).
    """
    require(caller, Role.ADMIN)
    async with ctx.uow() as uow:
        sample = await uow.samples.get(sample_id)
        if sample is None:
            raise NotFound(f"sample {sample_id} does not exist")
        task = await uow.tasks.get(sample.task_id)
        if task is None:
            raise NotFound(f"sample {sample_id} does not exist")
        locked = await _lock(uow, task, sample, reask=action is Review.REASK)
        sample = await uow.samples.get(sample_id) or sample  # as the lock holder left it
        if action is not Review.REASK:
            sample.review(action, label, task.labels)
            await uow.samples.save_tallies([sample])
        else:
            task = await uow.tasks.get(task.id, lock=True) or task
            target = await _open_batch(uow, task, locked)
            was = sample.batch_id
            sample.review(action, label, task.labels, target.id if target else None)
            if task.status not in (TaskStatus.COLLECTING, TaskStatus.TRAINING):
                raise NotCollecting(
                    f"task {task.id} is {task.status.value.lower()}: no batch will ask the"
                    " crowd again"
                )
            await uow.samples.save_tallies([sample])
            await uow.samples.place([sample.id], sample.batch_id)
            await uow.answers.uncount_sample(sample.id)
            # Dashboards and phones watching either batch see the sample move.
            for batch_id in {was, sample.batch_id} - {None}:
                batch = locked.get(batch_id) if batch_id is not None else None
                if batch is not None:
                    batch.samples = (await uow.samples.in_batches([batch.id])).get(batch.id, [])
                    uow.collect(batch_progress(task, batch))
        uow.collect(TaskUpdated(task.id))  # dashboards refresh the task's counts
        await commit_and_publish(ctx, uow)
    return sample


async def _lock(uow: UnitOfWork, task: Task, sample: Sample, *, reask: bool) -> dict[int, Batch]:
    """Lock the sample's batch and, for REASK, the task's newest (the open one while it
    collects), in id order as submissions and suspensions lock batches."""
    ids = {sample.batch_id} - {None}
    if reask:
        newest = (await uow.batches.latest([task.id])).get(task.id)
        if newest is not None:
            ids.add(newest.id)
    out: dict[int, Batch] = {}
    for batch_id in sorted(i for i in ids if i is not None):
        found = await uow.batches.lock_with_task(batch_id)
        if found is not None:
            out[batch_id] = found[0]
    return out


async def _open_batch(uow: UnitOfWork, task: Task, locked: dict[int, Batch]) -> Batch | None:
    """The batch a sample asked again joins now: the open one of a collecting task (read
    again under the task's lock: a round may have opened it meanwhile); None: it waits."""
    if task.status is not TaskStatus.COLLECTING:
        return None
    newest = (await uow.batches.latest([task.id])).get(task.id)
    if newest is None or newest.status is not BatchStatus.OPEN:
        return None
    if newest.id not in locked:
        found = await uow.batches.lock_with_task(newest.id)
        if found is None or found[0].status is not BatchStatus.OPEN:
            return None
        locked[newest.id] = found[0]
    return locked[newest.id]
