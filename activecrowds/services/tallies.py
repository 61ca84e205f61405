"""Writes that keep a batch's tallies true: its resolution, and answers that stop counting.

Every caller holds the batch's row lock (submit_answers, or a suspension that takes back an
annotator's answers); both paths share these so that a batch resolves the same way whichever
change decided its last sample.
"""

from __future__ import annotations

from activecrowds.domain.history import batch_progress
from activecrowds.domain.model import Batch, BatchStatus, Task
from activecrowds.services.ports import UnitOfWork
from activecrowds_ml.consensus import Aggregation


async def load_answers(uow: UnitOfWork, task: Task, batch: Batch) -> None:
    """Give each sample its counted answers where the task's rule weighs annotators."""
    if task.peer_rule.aggregation is not Aggregation.DAWID_SKENE:
        return
    counted = await uow.answers.counted_in_batch(batch.id)
    for sample in batch.samples:
        sample.answers = list(counted.get(sample.id, []))


async def store_resolution(uow: UnitOfWork, task: Task, batch: Batch, was: BatchStatus) -> None:
    """When the batch resolved in memory (it `was` open when loaded): store it, drop its
    leases, mark the next round due, lock the task."""
    if was is BatchStatus.OPEN and batch.status is BatchStatus.RESOLVED:
        await uow.batches.resolve(batch.id)
        await uow.leases.close(batch.id)
        await uow.rounds.add_due(task.id, batch.number + 1)
        await uow.tasks.save_status(task)


async def uncount_open_answers(uow: UnitOfWork, annotator_id: int) -> int:
    """Take back the annotator's answers on open samples, batch by batch under each batch's
    lock (in id order, after the annotator's own row lock), and the samples it was handed
    (others are handed them at once, not when its leases run out); returns how many answers.

    A sample that a removed dissenting answer lets meet the rule is decided now, and a batch
    left with every sample decided resolves (its next round due once, as on a submission).
    """
    await uow.leases.release(annotator_id)
    found = await uow.answers.counted_on_open(annotator_id)
    total = 0
    for batch_id in sorted(found):
        locked = await uow.batches.lock_with_task(batch_id)
        if locked is None:
            continue
        batch, task = locked
        was = batch.status
        batch.samples = (await uow.samples.in_batches([batch_id]))[batch_id]
        await load_answers(uow, task, batch)
        answers = found[batch_id]
        events = batch.uncount(task, annotator_id, answers)
        # Dashboards see the answers go, before any training the last decision starts.
        uow.collect(batch_progress(task, batch), *events)
        await uow.answers.uncount(annotator_id, answers)
        await uow.samples.save_tallies([s for s in batch.samples if s.id in answers])
        total += len(answers)
        await store_resolution(uow, task, batch, was)
    return total
