"""Control questions (gold) in the live loop, against the in-memory ports.

The tasks here hold GOLD samples drawn from the dataset's labelled part: they are asked in
every batch, graded as they are answered, and never trained on. The rule (standins.SCENARIO):
accepted with at least 2 answers of which 75 % agree, disputed at 4. Batch 0's pool samples
are the ones the stand-in model is unsure about: p1, p3, p4.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fakes import Fakes
from standins import DATASET, Given, OpenTask, Script, write_text_dataset

from activecrowds.domain.crowd import GoldPolicy
from activecrowds.domain.errors import Unauthenticated
from activecrowds.domain.events import AnnotatorSuspended, RoundDue
from activecrowds.domain.model import (
    ADMIN,
    Annotator,
    AnnotatorStatus,
    BatchStatus,
    Caller,
    RoundStatus,
    Sample,
    SampleKind,
    SampleState,
)
from activecrowds.services import crowd, queries, rounds
from activecrowds.services.answers import Submitted, submit_answers
from activecrowds_ml.consensus import GOLD_CONFIDENCE, GOLD_MIN_ACCURACY, GOLD_MIN_ANSWERS
from activecrowds_ml.scenario import Scenario, gold_per_batch

OPEN, ACCEPTED = SampleState.OPEN, SampleState.ACCEPTED
# At 80% confidence two batches of 3 control questions can convict: 3 of 6 right is 87% likely
# to come from an accuracy under 70% (the default 95% waits for more evidence).
EAGER = GoldPolicy(GOLD_MIN_ANSWERS, GOLD_MIN_ACCURACY, confidence=0.8)
# 3 pool samples per batch and gold_share 0.5: 3 control questions on top of them.
GOLD: dict[str, Any] = {"gold_share": 0.5, "gold_size": 6}
LABELLED = 6 + GOLD["gold_size"]  # seed 2, eval 2, test 2 and the control questions


@pytest.fixture
def gold_given(given: Given, fakes: Fakes) -> Given:
    """Given over a dataset with enough labelled records for the control questions."""
    write_text_dataset(fakes.ctx.datasets_dir / DATASET, labelled=LABELLED, pool=8)
    return given


def rows(fakes: Fakes, task_id: int) -> list[Sample]:
    return [s for _, s in sorted(fakes.db.committed.samples.items()) if s.task_id == task_id]


def gold_of(task: OpenTask) -> list[Sample]:
    return [s for s in task.samples.values() if s.kind is SampleKind.GOLD]


def pool_of(task: OpenTask) -> list[Sample]:
    return [s for s in task.samples.values() if s.kind is SampleKind.POOL]


def annotator(fakes: Fakes, who: Caller) -> Annotator:
    return fakes.db.committed.annotators[who.id]


def tallies(fakes: Fakes, task: OpenTask) -> dict[str, tuple[Any, ...]]:
    """Per sample key, as stored: (state, resolved label, answer count, votes)."""
    samples = fakes.db.committed.samples_of(task.batch.id)
    return {s.key: (s.state, s.resolved_label, s.answer_count, s.votes) for s in samples}


def counted(fakes: Fakes, who: Caller) -> dict[int, bool]:
    """The annotator's stored answers: sample id -> counted as a vote."""
    answers = fakes.db.committed.answers.values()
    return {a.sample_id: a.counted for a in answers if a.annotator_id == who.id}


async def submit(fakes: Fakes, who: Caller, task: OpenTask, answers: Any) -> Submitted:
    return await submit_answers(fakes.ctx, who, task.id, task.batch.id, answers)


def by_key(task: OpenTask, **labels: str) -> list[tuple[int, str]]:
    return [(task.samples[key].id, label) for key, label in labels.items()]


def all_as(task: OpenTask, label: str) -> list[tuple[int, str]]:
    return [(s.id, label) for s in task.samples.values()]


def right_on_pool(task: OpenTask, label: str) -> list[tuple[int, str]]:
    """`label` on every pool sample, and the true label on every control question."""
    return [(s.id, label) for s in pool_of(task)] + [(s.id, str(s.label)) for s in gold_of(task)]


async def decide_pool(fakes: Fakes, given: Given, task: OpenTask, label: str) -> None:
    """Fresh annotators agree on every pool sample, leaving the control questions, until the
    batch resolves."""
    while fakes.db.committed.batches[task.batch.id].status is BatchStatus.OPEN:
        [who] = await given.annotators(1)
        await submit(fakes, who, task, [(s.id, label) for s in pool_of(task)])


async def two_batches(
    fakes: Fakes, given: Given, task: OpenTask, who: Caller, answers: Any
) -> tuple[OpenTask, Submitted]:
    """`who` answers batch 0 as `answers(task)` says, fresh annotators decide its pool, round
    1 opens batch 1 and `who` answers it the same way; batch 1 and that submission."""
    await submit(fakes, who, task, answers(task))
    await decide_pool(fakes, given, task, "neg")
    await rounds.run_training_round(fakes.ctx, task.id, 1)
    task = given.current(task.id)
    return task, await submit(fakes, who, task, answers(task))


async def test_control_questions_are_spread_among_the_pool_and_asked_in_turn(
    fakes: Fakes, gold_given: Given
) -> None:
    # Given a task with gold: 3 control questions per batch of 3 pool samples
    task = await gold_given.task(**GOLD)
    per_batch = gold_per_batch(Scenario(**task.scenario))
    assert per_batch == 3
    stored = rows(fakes, task.id)
    gold = [s for s in stored if s.kind is SampleKind.GOLD]
    # Then gold_size labelled records became control questions, with their labels, half each
    assert len(gold) == GOLD["gold_size"]
    assert Counter(s.label for s in gold) == {"neg": 3, "pos": 3}
    assert {s.key for s in gold} <= {f"l{i}" for i in range(LABELLED)}
    # And their ids are spread among the pool's: neither all before nor all after them
    asked = [s.kind for s in stored if s.kind in (SampleKind.POOL, SampleKind.GOLD)]
    assert asked != sorted(asked) and asked != sorted(asked, reverse=True)
    # When rounds 0 and 1 run, each batch gets per_batch of them, starting from another label
    await rounds.run_training_round(fakes.ctx, task.id, 0)
    first = gold_given.current(task.id)
    await decide_pool(fakes, gold_given, first, "neg")
    await rounds.run_training_round(fakes.ctx, task.id, 1)
    second = gold_given.current(task.id)
    assert (len(pool_of(first)), len(gold_of(first))) == (3, per_batch)
    assert (len(pool_of(second)), len(gold_of(second))) == (3, per_batch)
    assert Counter(s.label for s in gold_of(first)) == {"neg": 2, "pos": 1}
    assert Counter(s.label for s in gold_of(second)) == {"pos": 2, "neg": 1}
    assert not {s.id for s in gold_of(first)} & {s.id for s in gold_of(second)}


async def test_control_questions_are_never_trained_on_nor_counted_as_labels(
    fakes: Fakes, gold_given: Given, script: Script
) -> None:
    # Given batch 0 of a task with gold; the crowd answers the control questions too
    task = await gold_given.open_task(**GOLD)
    gold_keys = {s.key for s in gold_of(task)}
    a, b = await gold_given.annotators(2)
    await submit(fakes, a, task, right_on_pool(task, "pos"))
    await submit(fakes, b, task, right_on_pool(task, "pos"))
    # Then the control questions stay undecided, and only the pool's labels count
    after = tallies(fakes, task)
    assert {after[k][0] for k in gold_keys} == {OPEN}
    assert {after[k][1] for k in gold_keys} == {None}
    assert fakes.db.committed.batches[task.batch.id].status is BatchStatus.RESOLVED
    progress = await queries.task_progress(fakes.ctx, [task.id])
    assert progress[task.id][0] == 2 + 3  # seed + the three accepted pool samples
    # When round 1 trains
    await rounds.run_training_round(fakes.ctx, task.id, 1)
    # Then it trained on the seed and the accepted pool samples, nothing else
    [train_0, train_1] = script.calls_to("train")
    seed = {s.key for s in rows(fakes, task.id) if s.kind is SampleKind.SEED}
    assert set(train_0.ids) == seed
    assert sorted(train_1.ids) == sorted([*seed, "p1", "p3", "p4"])
    assert dict(zip(train_1.ids, train_1.labels, strict=True))["p1"] == "pos"
    round_1 = fakes.db.committed.round_of(task.id, 1)
    assert round_1 is not None and round_1.train_size == len(train_1.ids)
    # And no call ever saw a control question (training, scores, or the pool to pick from)
    assert not gold_keys & {key for call in script.calls for key in call.ids}


async def test_annotators_cannot_tell_a_control_question_from_a_pool_sample(
    fakes: Fakes, gold_given: Given
) -> None:
    # Given batch 0 of a task with gold (2 agreeing answers accept a sample)
    task = await gold_given.open_task(**GOLD)
    a, b, c = await gold_given.annotators(3)
    everything = [s.id for s in task.samples.values()]
    # When two annotators answer every sample "neg", the control questions too
    for who in (a, b):
        assert {s.id for s in await queries.hand_out(fakes.ctx, who, task.batch.id)} == set(
            everything
        )
        await submit(fakes, who, task, all_as(task, "neg"))
    # Then every sample looks alike to a client: decided by the same votes in the same way
    shown = {
        s.key: s for s in (await queries.batch_samples(fakes.ctx, [task.batch.id]))[task.batch.id]
    }
    looks = {key: (s.state, s.resolved_label, s.answer_count) for key, s in shown.items()}
    assert set(looks.values()) == {(ACCEPTED, "neg", 2)}, looks
    # While inside they are still control questions: not decided, never labels
    stored = tallies(fakes, task)
    assert {stored[s.key][:2] for s in gold_of(task)} == {(OPEN, None)}
    # And where the crowd agrees on the control questions but not yet on the pool, nobody
    # else is handed a control question the crowd looks done with
    other = await gold_given.open_task(**GOLD)
    await submit(fakes, a, other, all_as(other, "neg"))
    await submit(
        fakes,
        b,
        other,
        [(s.id, "pos") for s in pool_of(other)] + [(s.id, "neg") for s in gold_of(other)],
    )
    handed = await queries.hand_out(fakes.ctx, c, other.batch.id)
    assert sorted(s.id for s in handed) == sorted(s.id for s in pool_of(other))


async def test_suspending_leaves_control_answers_of_resolved_batches_alone(
    fakes: Fakes, gold_given: Given
) -> None:
    # Given an annotator who answered batch 0 in full, control questions too, and the batch
    # resolved
    task = await gold_given.open_task(**GOLD)
    [spammer] = await gold_given.annotators(1)
    await submit(fakes, spammer, task, all_as(task, "pos"))
    await decide_pool(fakes, gold_given, task, "neg")
    before = counted(fakes, spammer)
    # When an admin suspends it
    done = await crowd.suspend_annotator(fakes.ctx, ADMIN, spammer.id)
    # Then nothing of the resolved batch was taken back, and the admin is told so
    assert done.uncounted_answers == 0
    assert counted(fakes, spammer) == before
    assert done.decided_answers == len(pool_of(task))


async def test_a_batch_resolves_once_its_pool_samples_are_decided(
    fakes: Fakes, gold_given: Given
) -> None:
    # Given batch 0 with three control questions nobody has answered
    task = await gold_given.open_task(**GOLD)
    a, b = await gold_given.annotators(2)
    await submit(fakes, a, task, [(s.id, "neg") for s in pool_of(task)])
    assert fakes.db.committed.batches[task.batch.id].status is BatchStatus.OPEN
    # When the last pool sample is decided
    await submit(fakes, b, task, [(s.id, "neg") for s in pool_of(task)])
    # Then the batch resolves and round 1 is due, once
    assert fakes.db.committed.batches[task.batch.id].status is BatchStatus.RESOLVED
    assert [e.number for e in fakes.bus.of(RoundDue)] == [0, 1]
    round_1 = fakes.db.committed.round_of(task.id, 1)
    assert round_1 is not None and round_1.status is RoundStatus.DUE


async def test_control_answers_are_graded_once_even_when_retried(
    fakes: Fakes, gold_given: Given
) -> None:
    task = await gold_given.open_task(**GOLD)
    [a] = await gold_given.annotators(1)
    answers = all_as(task, "pos")
    right = sum(s.label == "pos" for s in gold_of(task))
    # When an annotator answers every sample "pos", then retries the very same submission
    first = await submit(fakes, a, task, answers)
    again = await submit(fakes, a, task, answers)
    # Then its control answers are counted once, and the retry stored nothing more
    stored = annotator(fakes, a)
    assert (stored.gold_answers, stored.gold_correct) == (len(gold_of(task)), right)
    assert first.accepted == again.accepted == len(answers)
    assert len(counted(fakes, a)) == len(answers)
    # And an annotator who answers no control question is graded on none
    [b] = await gold_given.annotators(1)
    await submit(fakes, b, task, [(s.id, "pos") for s in pool_of(task)])
    assert (annotator(fakes, b).gold_answers, annotator(fakes, b).gold_correct) == (0, 0)


async def test_an_always_pos_annotator_is_suspended_by_its_control_answers(
    fakes: Fakes, gold_given: Given
) -> None:
    fakes.ctx.gold = EAGER
    # Given a task without gold (A) and one with gold (B); a spammer who always says "pos"
    plain = await gold_given.open_task()
    gold = await gold_given.open_task(**GOLD)
    spammer, h1, h2 = await gold_given.annotators(3)
    # When it answers batch 0 of B: 1 of its 3 control answers is right, too few to judge
    await submit(fakes, spammer, gold, all_as(gold, "pos"))
    assert len(gold_of(gold)) < GOLD_MIN_ANSWERS
    assert annotator(fakes, spammer).status is AnnotatorStatus.ACTIVE
    await decide_pool(fakes, gold_given, gold, "neg")
    # And answers A, where honest annotators disagree with it: p1 stays open with 1:1,
    # p3 is open at 2:1 (67 % < 75 %), p4 is accepted as "pos" with it
    await submit(fakes, spammer, plain, all_as(plain, "pos"))
    await submit(fakes, h1, plain, by_key(plain, p1="neg", p3="neg", p4="pos"))
    await submit(fakes, h2, plain, by_key(plain, p3="neg"))
    assert tallies(fakes, plain) == {
        "p1": (OPEN, None, 2, {"pos": 1, "neg": 1}),
        "p3": (OPEN, None, 3, {"pos": 1, "neg": 2}),
        "p4": (ACCEPTED, "pos", 2, {"pos": 2}),
    }
    # When it answers batch 1 of B: now 3 of 6 control answers right (50 % < 70 %)
    await rounds.run_training_round(fakes.ctx, gold.id, 1)
    gold = gold_given.current(gold.id)
    before = tallies(fakes, gold)
    done = await submit(fakes, spammer, gold, all_as(gold, "pos"))
    # Then it is suspended automatically, and the admin sees why
    stored = annotator(fakes, spammer)
    assert (stored.gold_answers, stored.gold_correct) == (6, 3)
    assert stored.status is AnnotatorStatus.SUSPENDED and "3 of 6" in str(stored.status_reason)
    [event] = fakes.bus.of(AnnotatorSuspended)
    assert (event.annotator_id, event.automatic) == (spammer.id, True)
    # And this submission is kept as evidence only: stored, no vote, no tally changed
    assert (done.accepted, done.votes) == (len(gold.samples), 0)
    mine = counted(fakes, spammer)
    assert [mine[s.id] for s in gold.samples.values()] == [False] * len(gold.samples)
    assert tallies(fakes, gold) == before
    # And its votes on A's open samples are taken back: p1 is 0:1, p3 is now 2:0 and accepted
    # as "neg"; p4, decided before, keeps its decision and its vote
    assert tallies(fakes, plain) == {
        "p1": (OPEN, None, 1, {"neg": 1}),
        "p3": (ACCEPTED, "neg", 2, {"neg": 2}),
        "p4": (ACCEPTED, "pos", 2, {"pos": 2}),
    }
    assert mine[plain.samples["p4"].id] is True
    assert mine[plain.samples["p1"].id] is mine[plain.samples["p3"].id] is False
    # And its next submission, or a retry, is refused
    [other] = await gold_given.annotators(1)
    with pytest.raises(Unauthenticated):
        await submit(fakes, spammer, gold, all_as(gold, "pos"))
    with pytest.raises(Unauthenticated):
        await submit(fakes, spammer, plain, all_as(plain, "pos"))
    # While others' answers still count as before
    await submit(fakes, other, plain, by_key(plain, p1="neg"))
    assert tallies(fakes, plain)["p1"] == (ACCEPTED, "neg", 2, {"neg": 2})


async def test_the_default_policy_wants_more_than_bad_luck_before_it_suspends(
    fakes: Fakes, gold_given: Given
) -> None:
    assert fakes.ctx.gold == GoldPolicy(GOLD_MIN_ANSWERS, GOLD_MIN_ACCURACY, GOLD_CONFIDENCE)
    task = await gold_given.open_task(**GOLD)
    [spammer] = await gold_given.annotators(1)
    # When an always-"pos" annotator has answered two batches: 3 of 6 control answers right
    await two_batches(fakes, gold_given, task, spammer, lambda t: all_as(t, "pos"))
    stored = annotator(fakes, spammer)
    # Then it is not suspended yet: an annotator right 70% of the time scores that 1 time in 4
    assert (stored.gold_answers, stored.gold_correct) == (6, 3)
    assert stored.status is AnnotatorStatus.ACTIVE
    assert not fakes.bus.of(AnnotatorSuspended)


async def test_taking_back_a_suspended_annotators_votes_can_resolve_a_batch(
    fakes: Fakes, gold_given: Given
) -> None:
    fakes.ctx.gold = EAGER
    # Given A's batch 0 where only a spammer's dissent keeps every sample open
    plain = await gold_given.open_task()
    gold = await gold_given.open_task(**GOLD)
    spammer, h1, h2 = await gold_given.annotators(3)
    await submit(fakes, spammer, gold, all_as(gold, "pos"))
    await decide_pool(fakes, gold_given, gold, "neg")
    await submit(fakes, spammer, plain, all_as(plain, "pos"))
    for honest in (h1, h2):
        await submit(fakes, honest, plain, all_as(plain, "neg"))
    assert {state for state, *_ in tallies(fakes, plain).values()} == {OPEN}
    # When its control answers on B suspend it
    await rounds.run_training_round(fakes.ctx, gold.id, 1)
    gold = gold_given.current(gold.id)
    await submit(fakes, spammer, gold, all_as(gold, "pos"))
    # Then A's samples are accepted as the honest crowd said, the batch resolves, and its
    # next round is due exactly once
    assert {v[:2] for v in tallies(fakes, plain).values()} == {(ACCEPTED, "neg")}
    assert fakes.db.committed.batches[plain.batch.id].status is BatchStatus.RESOLVED
    due = [e.number for e in fakes.bus.of(RoundDue) if e.task_id == plain.id]
    assert due == [0, 1]
    assert fakes.queue.sent.count((plain.id, 1)) == 1


async def test_an_honest_annotator_is_never_suspended(fakes: Fakes, gold_given: Given) -> None:
    # Given an annotator who gets every control question right, over two batches
    task = await gold_given.open_task(**GOLD)
    [honest] = await gold_given.annotators(1)
    answers = lambda t: right_on_pool(t, "neg")  # noqa: E731
    task, done = await two_batches(fakes, gold_given, task, honest, answers)
    # Then it stays active and its answers count
    stored = annotator(fakes, honest)
    assert (stored.gold_answers, stored.gold_correct) == (6, 6)
    assert stored.status is AnnotatorStatus.ACTIVE and not fakes.bus.of(AnnotatorSuspended)
    assert done.votes == len(task.samples)
