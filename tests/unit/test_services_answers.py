"""submit_answers against the in-memory ports: the peer rule, resolution, retries, refusals.

The tasks' rule (standins.SCENARIO): a label is accepted with at least 2 answers of which at
least 75 % agree; a sample still undecided at 4 answers is disputed. Batch 0 holds p1, p3, p4.
"""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fakes import Fakes
from standins import Given, OpenTask

from activecrowds.domain.errors import (
    Conflict,
    Forbidden,
    NotCollecting,
    NotFound,
    Unauthenticated,
    ValidationError,
)
from activecrowds.domain.events import (
    AnswersSubmitted,
    BatchProgress,
    LockReason,
    NewBatchAvailable,
    RoundDue,
    TaskLocked,
)
from activecrowds.domain.model import (
    ADMIN,
    BatchStatus,
    Caller,
    RoundStatus,
    SampleState,
    TaskStatus,
)
from activecrowds.domain.rules import LATE_ANSWERS_S, MAX_ANSWERS
from activecrowds.services import rounds
from activecrowds.services.answers import Submitted, submit_answers
from activecrowds.services.tasks import UpdateTask, update_task


def pairs(task: OpenTask, **labels: str) -> list[tuple[int, str]]:
    """Answers by sample key: pairs(task, p1="pos", p3="neg")."""
    return [(task.samples[key].id, label) for key, label in labels.items()]


def every(task: OpenTask, label: str) -> list[tuple[int, str]]:
    return [(s.id, label) for s in task.samples.values()]


def tallies(fakes: Fakes, task: OpenTask) -> dict[str, tuple[Any, ...]]:
    """Per sample key, as stored: (state, resolved label, answer count)."""
    samples = fakes.db.committed.samples_of(task.batch.id)
    return {s.key: (s.state, s.resolved_label, s.answer_count) for s in samples}


async def submit(fakes: Fakes, who: Caller, task: OpenTask, answers: Any) -> Submitted:
    return await submit_answers(fakes.ctx, who, task.id, task.batch.id, answers)


OPEN, ACCEPTED, DISPUTED = SampleState.OPEN, SampleState.ACCEPTED, SampleState.DISPUTED


async def test_the_peer_rule_accepts_keeps_open_and_disputes(fakes: Fakes, given: Given) -> None:
    task = await given.open_task()
    a, b, c, d = await given.annotators(4)
    # When a and b agree on p1 and disagree on p3; p4 has one answer
    await submit(fakes, a, task, pairs(task, p1="pos", p3="pos", p4="neg"))
    await submit(fakes, b, task, pairs(task, p1="pos", p3="neg"))
    # Then p1 is accepted; p3 (1:1) and p4 (too few answers) stay open, with no label
    assert tallies(fakes, task) == {
        "p1": (ACCEPTED, "pos", 2),
        "p3": (OPEN, None, 2),
        "p4": (OPEN, None, 1),
    }
    # When c tips p3 to 2:1 (67 % < 75 %), it is still open
    await submit(fakes, c, task, pairs(task, p3="pos"))
    assert tallies(fakes, task)["p3"] == (OPEN, None, 3)
    # When d makes it 3:1 (75 %) it is accepted; p4 at 1:1 stays open
    await submit(fakes, d, task, pairs(task, p3="pos", p4="pos"))
    assert tallies(fakes, task) == {
        "p1": (ACCEPTED, "pos", 2),
        "p3": (ACCEPTED, "pos", 4),
        "p4": (OPEN, None, 2),
    }
    assert fakes.db.committed.batches[task.batch.id].status is BatchStatus.OPEN


async def test_a_sample_without_agreement_at_max_peers_is_disputed(
    fakes: Fakes, given: Given
) -> None:
    task = await given.open_task()
    voters = await given.annotators(4)
    for who, label in zip(voters, ["pos", "neg", "pos", "neg"], strict=True):
        await submit(fakes, who, task, pairs(task, p1=label))
    assert tallies(fakes, task)["p1"] == (DISPUTED, None, 4)
    votes = fakes.db.committed.samples[task.samples["p1"].id].votes
    assert votes == {"pos": 2, "neg": 2}


async def test_decided_samples_are_not_reopened_by_later_answers(
    fakes: Fakes, given: Given
) -> None:
    # Given p1 accepted as pos by a and b
    task = await given.open_task(max_peers=5)
    a, b, c, d, e = await given.annotators(5)
    await submit(fakes, a, task, pairs(task, p1="pos", p3="neg"))
    await submit(fakes, b, task, pairs(task, p1="pos", p3="pos"))
    # When three more annotators say neg (a 3:2 majority against it)
    for who in (c, d, e):
        await submit(fakes, who, task, pairs(task, p1="neg"))
    # Then every answer is counted, and the decision stands
    assert tallies(fakes, task)["p1"] == (ACCEPTED, "pos", 5)
    assert fakes.db.committed.samples[task.samples["p1"].id].votes == {"pos": 2, "neg": 3}


async def test_the_last_decided_sample_resolves_the_batch_and_makes_the_next_round_due_once(
    fakes: Fakes, given: Given
) -> None:
    # Given p1 and p3 decided, p4 one answer short
    task = await given.open_task()
    a, b, c = await given.annotators(3)
    first = await submit(fakes, a, task, every(task, "pos"))
    assert first == Submitted(3, task.task)  # still collecting: the task as it was
    await submit(fakes, b, task, pairs(task, p1="pos", p3="pos"))
    published = len(fakes.bus.published)
    # When c's answer decides p4
    done = await submit(fakes, c, task, pairs(task, p4="pos"))
    # Then the batch is resolved, the task trains, and round 1 is due
    tables = fakes.db.committed
    batch = tables.batches[task.batch.id]
    assert batch.status is BatchStatus.RESOLVED and batch.resolved_at is not None
    assert done.accepted == 1 and done.task.status is TaskStatus.TRAINING
    assert tables.tasks[task.id].status is TaskStatus.TRAINING
    round_1 = tables.round_of(task.id, 1)
    assert round_1 is not None and round_1.status is RoundStatus.DUE
    assert fakes.bus.published[published:] == [
        AnswersSubmitted(task.id, task.batch.id, c.id, 1),
        TaskLocked(task.id, LockReason.SUBMITTED, c.id),
        TaskLocked(task.id, LockReason.TRAINING),
        RoundDue(task.id, 1),
        BatchProgress(task.id, task.batch.id, 0, samples=3, answers=6, accepted=3, disputed=0),
    ]
    assert fakes.queue.sent == [(task.id, 0), (task.id, 1)]
    # And neither c's retry nor anyone else's answer marks it due a second time
    retried = await submit(fakes, c, task, pairs(task, p4="pos"))
    assert (retried.accepted, retried.task.status) == (1, TaskStatus.TRAINING)
    [d] = await given.annotators(1)
    with pytest.raises(NotCollecting):
        await submit(fakes, d, task, pairs(task, p1="pos"))
    assert len(fakes.bus.of(RoundDue)) == 2 and fakes.queue.sent[-1] == (task.id, 1)
    assert [r.number for r in tables.rounds.values()] == [0, 1]


async def test_an_identical_retry_returns_the_same_payload_and_counts_nothing_twice(
    fakes: Fakes, given: Given
) -> None:
    task = await given.open_task()
    [a] = await given.annotators(1)
    first = await submit(fakes, a, task, every(task, "neg"))
    published = list(fakes.bus.published)
    # When the response was lost and the app sends the same answers again (in another order)
    again = await submit(fakes, a, task, list(reversed(every(task, "neg"))))
    # Then the same payload comes back, and nothing was stored or announced again
    assert again == first and again.accepted == 3
    assert len(fakes.db.committed.answers_to(task.batch.id)) == 3
    assert [count for _, _, count in tallies(fakes, task).values()] == [1, 1, 1]
    assert fakes.bus.published == published


@pytest.mark.parametrize(
    "labels",
    [{"p1": "pos", "p3": "pos", "p4": "pos"}, {"p1": "neg"}, {"p1": "neg", "p3": "neg"}],
)
async def test_different_answers_from_the_same_annotator_are_a_conflict(
    fakes: Fakes, given: Given, labels: dict[str, str]
) -> None:
    task = await given.open_task()
    [a] = await given.annotators(1)
    await submit(fakes, a, task, every(task, "neg"))
    before, published = tallies(fakes, task), len(fakes.bus.published)
    with pytest.raises(Conflict):
        await submit(fakes, a, task, pairs(task, **labels))
    assert tallies(fakes, task) == before and len(fakes.bus.published) == published
    assert len(fakes.db.committed.answers_to(task.batch.id)) == 3


async def resolve_batch(fakes: Fakes, given: Given, task: OpenTask, run: bool) -> None:
    """Two annotators agree on every sample; `run` runs the round that becomes due."""
    for who in await given.annotators(2):
        await submit(fakes, who, task, every(task, "pos"))
    if run:
        assert await rounds.run_training_round(fakes.ctx, task.id, 1)


async def test_a_batch_no_longer_open_is_a_conflict_while_the_task_collects_another(
    fakes: Fakes, given: Given
) -> None:
    task = await given.open_task()
    await resolve_batch(fakes, given, task, run=True)
    assert fakes.bus.of(NewBatchAvailable)[-1].number == 1
    [late] = await given.annotators(1)
    with pytest.raises(Conflict, match="fetch the current batch"):
        await submit(fakes, late, task, every(task, "neg"))


@pytest.mark.parametrize("status", [TaskStatus.TRAINING, TaskStatus.FAILED])
async def test_a_task_that_is_not_collecting_takes_no_answers(
    fakes: Fakes, given: Given, status: TaskStatus
) -> None:
    # Given batch 0 resolved and round 1 due (and, for FAILED, failed for good)
    task = await given.open_task()
    await resolve_batch(fakes, given, task, run=False)
    if status is TaskStatus.FAILED:
        await rounds.record_round_failure(fakes.ctx, task.id, 1, "ModelError: no memory")
    assert fakes.db.committed.tasks[task.id].status is status
    [late] = await given.annotators(1)
    with pytest.raises(NotCollecting, match=status.value.lower()):
        await submit(fakes, late, task, every(task, "neg"))
    assert late.id not in {a.annotator_id for a in fakes.db.committed.answers.values()}


async def test_answers_to_a_batch_decided_while_they_were_given_are_kept_as_evidence(
    fakes: Fakes, given: Given
) -> None:
    # Given batch 0 resolved just now, while one more annotator was still answering it
    task = await given.open_task()
    await resolve_batch(fakes, given, task, run=False)
    before = copy.deepcopy(fakes.db.committed.samples)
    [late] = await given.annotators(1)
    # When it sends its answers, saying it opened the batch before it resolved
    opened = datetime.now(UTC) - timedelta(seconds=30)
    done = await submit_answers(fakes.ctx, late, task.id, task.batch.id, every(task, "neg"), opened)
    # Then they are stored, none as a vote: no tally, decision or round changes
    assert (done.accepted, done.votes) == (len(task.samples), 0)
    mine = [a for a in fakes.db.committed.answers.values() if a.annotator_id == late.id]
    assert len(mine) == len(task.samples) and not any(a.counted for a in mine)
    assert fakes.db.committed.samples == before
    assert len(fakes.bus.of(RoundDue)) == 2
    # And its retry is recognised, an invalid one refused
    again = await submit_answers(
        fakes.ctx, late, task.id, task.batch.id, every(task, "neg"), opened
    )
    assert (again.accepted, len(fakes.db.committed.answers)) == (
        done.accepted,
        len(fakes.db.committed.answers),
    )
    [other, third] = await given.annotators(2)
    with pytest.raises(ValidationError):
        await submit_answers(fakes.ctx, other, task.id, task.batch.id, [(10**6, "neg")], opened)
    # Without saying when it opened the batch, or having opened it after it was decided (by
    # more than a phone's clock may be ahead), or too long ago, a stale batch is refused as it
    # always was
    now = datetime.now(UTC)
    fakes.db.committed.batches[task.batch.id].resolved_at = now - timedelta(minutes=2)
    for when in (None, now, now - timedelta(seconds=LATE_ANSWERS_S + 60)):
        with pytest.raises(NotCollecting):
            await submit_answers(fakes.ctx, third, task.id, task.batch.id, every(task, "neg"), when)
    with pytest.raises(ValidationError, match="openedAt"):
        await submit_answers(
            fakes.ctx, third, task.id, task.batch.id, every(task, "neg"), now + timedelta(hours=1)
        )


@pytest.mark.parametrize(
    "answers",
    [
        "unknown sample",
        "pool sample outside the batch",
        "unknown label",
        "a sample twice",
        "empty",
        "too many",
    ],
)
async def test_an_invalid_submission_changes_nothing(
    fakes: Fakes, given: Given, answers: str
) -> None:
    task = await given.open_task()
    [a] = await given.annotators(1)
    good = every(task, "pos")
    outside = next(s for s in fakes.db.committed.samples.values() if s.key == "p0")
    cases: dict[str, list[tuple[int, str]]] = {
        "unknown sample": [*good[:2], (99_999, "pos")],
        "pool sample outside the batch": [*good[:2], (outside.id, "pos")],
        "unknown label": [*good[:2], (good[2][0], "meh")],
        "a sample twice": [*good, good[0]],
        "empty": [],
        "too many": [good[0]] * (MAX_ANSWERS + 1),
    }
    published, before = len(fakes.bus.published), tallies(fakes, task)
    with pytest.raises(ValidationError):
        await submit(fakes, a, task, cases[answers])
    assert tallies(fakes, task) == before and len(fakes.bus.published) == published
    assert fakes.db.committed.answers == {}
    # The annotator can still submit, and it counts once
    assert (await submit(fakes, a, task, good)).accepted == 3


async def test_an_unknown_batch_or_a_batch_of_another_task_is_not_found(
    fakes: Fakes, given: Given
) -> None:
    task, other = await given.open_task(), await given.open_task()
    [a] = await given.annotators(1)
    with pytest.raises(NotFound):
        await submit_answers(fakes.ctx, a, task.id, 99_999, every(task, "pos"))
    with pytest.raises(NotFound):
        await submit_answers(fakes.ctx, a, other.id, task.batch.id, every(task, "pos"))
    assert fakes.db.committed.answers == {}


@pytest.mark.parametrize(("caller", "error"), [(None, Unauthenticated), (ADMIN, Forbidden)])
async def test_only_annotators_answer(
    fakes: Fakes, given: Given, caller: Caller | None, error: type[Exception]
) -> None:
    task = await given.open_task()
    with pytest.raises(error):
        await submit_answers(fakes.ctx, caller, task.id, task.batch.id, every(task, "pos"))
    assert fakes.db.committed.answers == {}


async def test_answers_sent_at_once_resolve_the_batch_exactly_once(
    fakes: Fakes, given: Given
) -> None:
    # Given ten annotators answering batch 0 at the same moment (two agreeing peers suffice)
    task = await given.open_task()
    crowd = await given.annotators(10)
    results = await asyncio.gather(
        *(submit(fakes, who, task, every(task, "pos")) for who in crowd), return_exceptions=True
    )
    # Then the first two are counted, the batch resolves once, and the rest find it training
    assert [type(r) for r in results] == [Submitted] * 2 + [NotCollecting] * 8
    assert fakes.bus.of(RoundDue) == [RoundDue(task.id, 0), RoundDue(task.id, 1)]
    assert fakes.queue.sent == [(task.id, 0), (task.id, 1)]
    assert len(fakes.db.committed.answers_to(task.batch.id)) == 6


async def test_a_peer_rule_changed_mid_batch_decides_from_the_next_answer_on(
    fakes: Fakes, given: Given
) -> None:
    # Given p1 with one answer under "at least 2 peers"
    task = await given.open_task()
    a, b = await given.annotators(2)
    await submit(fakes, a, task, pairs(task, p1="neg"))
    # When the admin lowers it to one peer
    await update_task(fakes.ctx, ADMIN, task.id, UpdateTask(scenario={"min_peers": 1}))
    # Then the next answer is decided by the new rule; p1 waits for an answer of its own
    await submit(fakes, b, task, pairs(task, p3="pos"))
    assert tallies(fakes, task)["p3"] == (ACCEPTED, "pos", 1)
    assert tallies(fakes, task)["p1"] == (OPEN, None, 1)
