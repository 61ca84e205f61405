"""The annotator's use case: submit answers for a batch; the peer rule decides each sample."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from activecrowds.domain.errors import NotFound, ValidationError
from activecrowds.domain.model import Batch, BatchStatus, Caller, Role, Task
from activecrowds.domain.rules import MAX_ANSWERS
from activecrowds.services.auth import require
from activecrowds.services.context import Context, commit_and_publish
from activecrowds.services.ports import UnitOfWork


@dataclass(frozen=True)
class Submitted:
    """How many answers the submission stored, and the task as it now stands."""

    accepted: int
    task: Task


async def submit_answers(
    ctx: Context,
    caller: Caller | None,
    task_id: int,
    batch_id: int,
    answers: Sequence[tuple[int, str]],
) -> Submitted:
    """Store one annotator's answers to one batch, all or nothing.

    The batch row is locked (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) so that
    concurrent submissions to a batch apply one after another: each sees every earlier answer,
    and exactly one of them sees the batch become resolved and marks the next round due.
    Within one process they first queue on an asyncio lock (ctx.gate), which only spares the
    database a crowd of lock waiters.

    Raises:
        NotFound: no such task or batch. ValidationError: empty, oversized, unknown sample or
        label. Conflict: a different earlier submission, or a batch that is no longer current.
        NotCollecting: the task is training, finished or failed.
    """
    caller = require(caller, Role.ANNOTATOR)
    if not answers:
        raise ValidationError("answers must not be empty", "answers")
    if len(answers) > MAX_ANSWERS:
        raise ValidationError(f"at most {MAX_ANSWERS} answers per submission", "answers")
    async with ctx.gate.hold(("batch", batch_id)), ctx.uow() as uow:
        task, batch = await _locked_batch(uow, task_id, batch_id)
        stored = await uow.answers.of_annotator(batch_id, caller.id)
        if stored:
            batch.check_retry(stored, answers)
            return Submitted(len(stored), task)
        batch.samples = (await uow.samples.in_batches([batch_id]))[batch_id]
        events = batch.answer(task, caller.id, answers)
        await uow.answers.add_many(batch_id, caller.id, answers)
        answered = {sample_id for sample_id, _ in answers}
        await uow.samples.save_tallies([s for s in batch.samples if s.id in answered])
        if batch.status is BatchStatus.RESOLVED:
            await uow.batches.resolve(batch_id)
            await uow.rounds.add_due(task_id, batch.number + 1)
            await uow.tasks.save_status(task)
        uow.collect(*events)
        await commit_and_publish(ctx, uow)
    return Submitted(len(answers), task)


async def _locked_batch(uow: UnitOfWork, task_id: int, batch_id: int) -> tuple[Task, Batch]:
    """The task and its batch, the batch row locked until commit."""
    batch = await uow.batches.get(batch_id, lock=True)
    task = await uow.tasks.get(task_id)
    if task is None or batch is None or batch.task_id != task_id:
        raise NotFound(f"task {task_id} has no batch {batch_id}")
    return task, batch
