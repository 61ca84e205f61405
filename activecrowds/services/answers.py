"""The annotator's use case: submit answers for a batch; the peer rule decides each sample."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from activecrowds.domain.crowd import aware
from activecrowds.domain.errors import NotFound, Refusal, Unauthenticated, ValidationError
from activecrowds.domain.history import batch_progress
from activecrowds.domain.model import Annotator, Batch, BatchStatus, Caller, Role, Task
from activecrowds.domain.rules import CLOCK_SKEW_S, MAX_ANSWERS
from activecrowds.services.auth import require
from activecrowds.services.context import Context, commit_and_publish
from activecrowds.services.ports import UnitOfWork
from activecrowds.services.tallies import load_answers, store_resolution, uncount_open_answers


@dataclass(frozen=True)
class Submitted:
    """How many answers the submission stored, how many of them count as votes (the rest
    are kept as evidence of the annotator's quality), and the task as it now stands."""

    accepted: int
    task: Task
    counted: int | None = None  # None: all of them

    @property
    def votes(self) -> int:
        return self.accepted if self.counted is None else self.counted


@dataclass(frozen=True)
class _Submission:
    """One request's answers, waiting for the transaction that applies them."""

    caller: Caller
    task_id: int
    answers: Sequence[tuple[int, str]]
    opened_at: datetime | None
    outcome: asyncio.Future[Submitted] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def settle(self, result: Submitted | Exception) -> None:
        if self.outcome.done():  # its request was cancelled meanwhile
            return
        if isinstance(result, Exception):
            self.outcome.set_exception(result)
        else:
            self.outcome.set_result(result)


async def submit_answers(
    ctx: Context,
    caller: Caller | None,
    task_id: int,
    batch_id: int,
    answers: Sequence[tuple[int, str]],
    opened_at: datetime | None = None,
) -> Submitted:
    """Store one annotator's answers to one batch, all or nothing.

    `opened_at`, when the annotator's app opened the batch: if the crowd decided the batch
    after that, the answers are kept as evidence of this annotator's quality (counted 0)
    instead of being refused, for LATE_ANSWERS_S after opening.

    The batch row is locked (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) so that
    concurrent submissions to a batch apply one after another: each sees every earlier answer,
    and exactly one of them sees the batch become resolved and marks the next round due.
    Within one process, submissions to a batch that arrive while an earlier one holds it are
    applied together in the next transaction (ctx.gate.gather), one after another in memory
    under the same lock: each is still accepted or refused on its own, and a crowd answering
    one batch costs one short transaction per wave instead of one per answer.

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
    opened = aware(opened_at)
    if opened is not None and opened > datetime.now(UTC) + timedelta(seconds=CLOCK_SKEW_S):
        raise ValidationError("openedAt is in the future", "openedAt")
    submission = _Submission(caller, task_id, answers, opened_at)
    await ctx.gate.gather(("batch", batch_id), submission, partial(_apply, ctx, batch_id))
    return await submission.outcome


async def _apply(ctx: Context, batch_id: int, group: list[_Submission]) -> None:
    """Settle every submission of the group: its own refusal, its result, or the failure
    that rolled the transaction back (then nothing of the group was stored)."""
    results: list[Submitted | Exception | None] = [None] * len(group)
    try:
        await _store(ctx, batch_id, group, results)
    except Exception as exc:
        results = [r if isinstance(r, Exception) else exc for r in results]
    for submission, result in zip(group, results, strict=True):
        assert result is not None
        submission.settle(result)


@dataclass
class _Writes:
    """What one transaction stores: votes, evidence, and the annotators whose control
    answers were graded."""

    votes: dict[int, Sequence[tuple[int, str]]] = field(default_factory=dict)
    evidence: dict[int, Sequence[tuple[int, str]]] = field(default_factory=dict)
    graded: dict[int, Annotator] = field(default_factory=dict)
    # Of each annotator's answers already stored in the batch, how many count as votes: a
    # retry reports the same `counted` as the submission it repeats.
    counted: dict[int, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.votes or self.evidence)


async def _store(
    ctx: Context,
    batch_id: int,
    group: list[_Submission],
    results: list[Submitted | Exception | None],
) -> None:
    """One transaction under the batch's lock: each submission in turn, then one write per table.

    The annotators' rows are locked first (in id order), as a suspension locks its annotator
    before the batches it takes answers back from: a suspension either sees these answers
    and takes them back, or this sees the suspension and refuses them.
    """
    async with ctx.uow() as uow:
        now = datetime.now(UTC)
        annotators = await uow.annotators.get_many({s.caller.id for s in group}, lock=True)
        found = await uow.batches.lock_with_task(batch_id)
        if found is None:
            results[:] = [NotFound(f"task {s.task_id} has no batch {batch_id}") for s in group]
            return
        batch, task = found
        was = batch.status
        if batch.status is not BatchStatus.OPEN:
            # Read again: it may have changed with the batch while this waited for the lock.
            task = await uow.tasks.get(task.id) or task
        stored = await uow.answers.of_annotators(batch_id, {s.caller.id for s in group})
        batch.samples = (await uow.samples.in_batches([batch_id]))[batch_id]
        await load_answers(uow, task, batch)
        writes = _Writes(counted=await _counted(uow, batch_id, stored.keys()))
        # Samples asked again (REASK) that these annotators answered in an earlier batch.
        fresh = {s.caller.id for s in group} - stored.keys()
        seen = await uow.answers.given(fresh, [s.id for s in batch.samples]) if fresh else {}
        for i, submission in enumerate(group):
            who = annotators.get(submission.caller.id)
            refusal = who.refusal(now) if who else "invalid token"
            if who is None or refusal:
                results[i] = Unauthenticated(refusal or "invalid token")
                continue
            mine = seen.get(who.id, set())
            results[i] = _answer(ctx, uow, task, batch, stored, writes, submission, who, now, mine)
        if writes:
            await _save(uow, task, batch, writes, was)
            if writes.votes:  # the tallies changed: dashboards show the batch filling up
                uow.collect(batch_progress(task, batch))
            for annotator in writes.graded.values():
                if not annotator.active:  # suspended by its control answers just now
                    await uncount_open_answers(uow, annotator.id)
            await commit_and_publish(ctx, uow)


def _answer(
    ctx: Context,
    uow: UnitOfWork,
    task: Task,
    batch: Batch,
    stored: dict[int, dict[int, str]],
    writes: _Writes,
    submission: _Submission,
    annotator: Annotator,
    now: datetime,
    seen: set[int],
) -> Submitted | Exception:
    """Count one submission on the batch in memory (or recognise a retry); its result.

    Its control answers are graded first: an annotator they suspend has this submission kept
    as evidence only. A batch that resolved while its annotator was answering keeps the
    answers as evidence too, instead of refusing the work.
    """
    if submission.task_id != batch.task_id or not submission.caller.may_see(batch.task_id):
        return NotFound(f"task {submission.task_id} has no batch {batch.id}")
    who, answers = submission.caller.id, submission.answers
    try:
        if who in stored:
            batch.check_retry(stored[who], answers)
            votes = writes.counted.get(who, len(answers))
            return Submitted(len(answers), task, None if votes == len(answers) else votes)
        batch.refuse_seen(answers, seen)
        late = batch.takes_late(task, answers, submission.opened_at, now)
        right, given = batch.grade(answers)
        if given:
            uow.collect(*annotator.record_gold(right, given, ctx.gold))
            writes.graded[who] = annotator
        if late or not annotator.active:
            stored[who], writes.evidence[who], writes.counted[who] = dict(answers), answers, 0
            return Submitted(len(answers), task, counted=0)
        uow.collect(*batch.answer(task, who, answers))
    except Refusal as exc:
        return exc
    stored[who], writes.votes[who] = dict(answers), answers
    return Submitted(len(answers), task)


async def _counted(uow: UnitOfWork, batch_id: int, annotators: Iterable[int]) -> dict[int, int]:
    """How many of these annotators' stored answers in the batch count as votes."""
    out = dict.fromkeys(annotators, 0)
    if not out:
        return out
    for answers in (await uow.answers.counted_in_batch(batch_id)).values():
        for who, _ in answers:
            if who in out:
                out[who] += 1
    return out


async def _save(
    uow: UnitOfWork, task: Task, batch: Batch, writes: _Writes, was: BatchStatus
) -> None:
    """Store the group's answers and the tallies they changed; resolve the batch once."""
    await uow.answers.add_many(batch.id, writes.votes)
    await uow.answers.add_many(batch.id, writes.evidence, counted=False)
    answered = {sample_id for answers in writes.votes.values() for sample_id, _ in answers}
    await uow.samples.save_tallies([s for s in batch.samples if s.id in answered])
    for annotator in writes.graded.values():
        await uow.annotators.save(annotator)
    await store_resolution(uow, task, batch, was)
