"""The annotator's use case: submit answers for a batch; the peer rule decides each sample."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from activecrowds.domain.events import AnswersSubmitted, LockReason, RoundDue, TaskLocked
from activecrowds.domain.model import (
    Batch,
    BatchStatus,
    Caller,
    Role,
    Sample,
    SampleState,
    Task,
    TaskStatus,
)
from activecrowds.domain.rules import MAX_ANSWERS, same_submission, submission_problem
from activecrowds.errors import Conflict, NotFound, ValidationError
from activecrowds.errors import TaskLocked as TaskLockedError
from activecrowds.services.auth import require
from activecrowds.services.context import Context, UnitOfWork, commit_and_publish
from activecrowds_ml.consensus import PeerRule, decide


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
        TaskLocked: the task is training, finished or failed.
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
            return _retry(stored, answers, task)
        _require_open(task, batch)
        samples = (await uow.samples.in_batches([batch_id]))[batch_id]
        problem = submission_problem(answers, {s.id for s in samples}, task.labels)
        if problem:
            raise ValidationError(problem[1], problem[0])
        await uow.answers.add_many(batch_id, caller.id, answers)
        resolved = await _decide(uow, task, samples, answers)
        uow.collect(AnswersSubmitted(task_id, batch_id, caller.id, len(answers)))
        uow.collect(TaskLocked(task_id, LockReason.SUBMITTED, caller.id))
        if resolved:
            task = await _resolve(uow, task, batch_id, batch.number)
        await commit_and_publish(ctx, uow)
    return Submitted(len(answers), task)


async def _locked_batch(uow: UnitOfWork, task_id: int, batch_id: int) -> tuple[Task, Batch]:
    """The task and its batch, the batch row locked until commit."""
    batch = await uow.batches.get(batch_id, lock=True)
    task = await uow.tasks.get(task_id)
    if task is None or batch is None or batch.task_id != task_id:
        raise NotFound(f"task {task_id} has no batch {batch_id}")
    return task, batch


def _retry(stored: dict[int, str], answers: Sequence[tuple[int, str]], task: Task) -> Submitted:
    """An exact repeat (a lost response) gets the same payload; anything else is refused."""
    if same_submission(stored, answers):
        return Submitted(len(stored), task)
    raise Conflict("you have already answered this batch")


def _require_open(task: Task, batch: Batch) -> None:
    if batch.status is BatchStatus.OPEN:
        return
    if task.status is TaskStatus.COLLECTING:
        raise Conflict(f"batch {batch.id} is no longer open; fetch the current batch")
    raise TaskLockedError(f"task {task.id} is {task.status.value.lower()}")


async def _decide(
    uow: UnitOfWork, task: Task, samples: list[Sample], answers: Sequence[tuple[int, str]]
) -> bool:
    """Apply the peer rule to the answered samples; True when the whole batch is decided.

    A decision, once made, is final: later answers to that sample are stored and counted but
    do not reopen it.
    """
    s = task.scenario
    rule = PeerRule(s["min_peers"], s["min_agreement"], s["max_peers"])
    mine = dict(answers)
    changes = []
    for sample in samples:
        if sample.id not in mine:
            continue
        votes = dict(sample.votes or {})
        votes[mine[sample.id]] = votes.get(mine[sample.id], 0) + 1
        # decide() takes one label per answer.
        labels = [label for label, n in sorted(votes.items()) for _ in range(n)]
        if sample.state is SampleState.OPEN:
            decision = decide(labels, rule)
            sample.state = SampleState(decision.state.value)
            accepted = sample.state is SampleState.ACCEPTED
            sample.resolved_label = decision.label if accepted else None
        sample.answer_count, sample.votes = len(labels), votes
        changes.append(
            {
                "sid": sample.id,
                "state": sample.state,
                "resolved_label": sample.resolved_label,
                "answer_count": sample.answer_count,
                "votes": votes,
            }
        )
    await uow.samples.set_decisions(changes)
    return all(sample.state is not SampleState.OPEN for sample in samples)


async def _resolve(uow: UnitOfWork, task: Task, batch_id: int, number: int) -> Task:
    """Close the batch and mark the next round due (once: we hold the batch's lock)."""
    await uow.batches.resolve(batch_id)
    await uow.rounds.add_due(task.id, number + 1)
    await uow.tasks.update(task.id, status=TaskStatus.TRAINING)
    uow.collect(TaskLocked(task.id, LockReason.TRAINING))
    uow.collect(RoundDue(task.id, number + 1))
    return dataclasses.replace(task, status=TaskStatus.TRAINING)
