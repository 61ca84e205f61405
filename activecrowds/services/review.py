"""The task owner's review of the crowd's labels: decide a disputed sample, correct an accepted
one, or take one out of training."""

from __future__ import annotations

from activecrowds.domain.errors import NotFound
from activecrowds.domain.events import TaskUpdated
from activecrowds.domain.model import Caller, Review, Role, Sample
from activecrowds.services.auth import require
from activecrowds.services.context import Context, commit_and_publish


async def review_sample(
    ctx: Context, caller: Caller | None, sample_id: int, action: Review, label: str | None
) -> Sample:
    """Apply the owner's decision; it counts from the next round on (a round running now
    trains on what it read when it started).

    The sample's batch is locked as a submission locks it, so a late answer counted at the
    same moment never writes the crowd's decision back over the owner's.

    Raises:
        NotFound: no such sample. ValidationError: not a crowd sample, a bad label.
        NotDecided: the crowd has not decided it yet.
    """
    require(caller, Role.ADMIN)
    async with ctx.uow() as uow:
        sample = await uow.samples.get(sample_id)
        if sample is None:
            raise NotFound(f"sample {sample_id} does not exist")
        task = await uow.tasks.get(sample.task_id)
        if task is None:
            raise NotFound(f"sample {sample_id} does not exist")
        if sample.batch_id is not None:
            await uow.batches.lock_with_task(sample.batch_id)
            sample = await uow.samples.get(sample_id) or sample  # as the lock holder left it
        sample.review(action, label, task.labels)
        await uow.samples.save_tallies([sample])
        uow.collect(TaskUpdated(task.id))  # dashboards refresh the task's counts
        await commit_and_publish(ctx, uow)
    return sample
