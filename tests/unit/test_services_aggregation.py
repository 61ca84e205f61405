"""How the live loop decides: Dawid-Skene weighing, adaptive redundancy, late answers as evidence.

Against the in-memory ports. The tasks' rule unless said (standins.SCENARIO): accepted with at
least 2 answers of which 75 % agree (with DAWID_SKENE: a posterior of 0.75), disputed at 4.
Batch 0 holds p1, p3, p4.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fakes import Fakes
from standins import DATASET, LABELS, Given, OpenTask, write_text_dataset

from activecrowds.domain.errors import Conflict, NotCollecting, ValidationError
from activecrowds.domain.events import RoundDue
from activecrowds.domain.model import (
    BatchStatus,
    Caller,
    RoundStatus,
    Sample,
    SampleKind,
    SampleState,
    TaskStatus,
)
from activecrowds.domain.rules import LATE_ANSWERS_S
from activecrowds.services import rounds
from activecrowds.services.answers import Submitted, submit_answers
from activecrowds_ml.consensus import PeerRule, Redundancy, WorkerModel

OPEN, ACCEPTED, DISPUTED = SampleState.OPEN, SampleState.ACCEPTED, SampleState.DISPUTED
DS: dict[str, Any] = {"aggregation": "DAWID_SKENE"}
ALWAYS_POS = ((0.0, 1.0), (0.0, 1.0))  # [true][given]: "pos" whatever the truth
GOOD = ((0.9, 0.1), (0.1, 0.9))


def tallies(fakes: Fakes, task: OpenTask) -> dict[str, tuple[Any, ...]]:
    """Per sample key, as stored: (state, resolved label, answer count)."""
    samples = fakes.db.committed.samples_of(task.batch.id)
    return {s.key: (s.state, s.resolved_label, s.answer_count) for s in samples}


def by_key(task: OpenTask, **labels: str) -> list[tuple[int, str]]:
    return [(task.samples[key].id, label) for key, label in labels.items()]


def every(task: OpenTask, label: str) -> list[tuple[int, str]]:
    return [(s.id, label) for s in task.samples.values()]


async def submit(
    fakes: Fakes, who: Caller, task: OpenTask, answers: Any, opened: datetime | None = None
) -> Submitted:
    return await submit_answers(fakes.ctx, who, task.id, task.batch.id, answers, opened)


async def store_crowd(fakes: Fakes, task_id: int, model: WorkerModel) -> None:
    """The crowd estimate on the task, written through the port the round writes it with."""
    async with fakes.db.uow() as uow:
        await uow.tasks.save_workers(task_id, model.to_dict())
        await uow.commit()


def crowd(**confusion: tuple[tuple[float, ...], ...]) -> WorkerModel:
    return WorkerModel(tuple(LABELS), (0.5, 0.5), confusion)


# --- DAWID_SKENE ------------------------------------------------------------------------------


async def test_a_spammers_vote_does_not_decide_what_the_peer_rule_would_decide_with_it(
    fakes: Fakes, given: Given
) -> None:
    # Given the same rule counted (PEER_RULE) and weighed (DAWID_SKENE), and an estimate that
    # says the spammer answers "pos" whatever the truth (others: the default 70 %)
    peer = await given.open_task()
    weighed = await given.open_task(**DS)
    spammer, x, y = await given.annotators(3)
    await store_crowd(fakes, weighed.id, crowd(**{str(spammer.id): ALWAYS_POS}))
    assert fakes.db.committed.tasks[weighed.id].worker_model() is not None
    # When the spammer and x both say "pos" on p1 of each task
    for task in (peer, weighed):
        await submit(fakes, spammer, task, by_key(task, p1="pos"))
        await submit(fakes, x, task, by_key(task, p1="pos"))
    # Then the peer rule accepts it (2 of 2 agree), Dawid-Skene does not: only x's answer
    # carries evidence, a posterior of 0.7 < 0.75
    assert tallies(fakes, peer)["p1"] == (ACCEPTED, "pos", 2)
    assert tallies(fakes, weighed)["p1"] == (OPEN, None, 2)
    # When a second annotator the spammer does not drown out agrees, it is accepted
    await submit(fakes, y, weighed, by_key(weighed, p1="pos"))
    assert tallies(fakes, weighed)["p1"] == (ACCEPTED, "pos", 3)


async def test_a_reliable_annotator_outweighs_an_unreliable_majority(
    fakes: Fakes, given: Given
) -> None:
    # Given an estimate with one good annotator; two that always say "pos"
    weighed = await given.open_task(**DS, max_peers=4)
    good, s1, s2 = await given.annotators(3)
    model = crowd(**{str(good.id): GOOD, str(s1.id): ALWAYS_POS, str(s2.id): ALWAYS_POS})
    await store_crowd(fakes, weighed.id, model)
    # When the spammers say "pos" and the good one "neg" on p3
    for who, label in ((s1, "pos"), (s2, "pos"), (good, "neg")):
        await submit(fakes, who, weighed, by_key(weighed, p3=label))
    # Then it is accepted as "neg" (a 2:1 vote the peer rule would leave open)
    assert tallies(fakes, weighed)["p3"] == (ACCEPTED, "neg", 3)


@pytest.mark.parametrize("opened", [False, True], ids=["refused-late", "late-as-evidence"])
async def test_concurrent_submissions_decide_once_and_make_the_next_round_due_once(
    fakes: Fakes, given: Given, opened: bool
) -> None:
    # Given a weighed task whose crowd is estimated at 90 %: two agreeing answers decide
    task = await given.open_task(**DS)
    await store_crowd(fakes, task.id, WorkerModel.uniform(LABELS, 0.9))
    crowd_ = await given.annotators(12)
    when = datetime.now(UTC) - timedelta(seconds=5) if opened else None
    # When twelve annotators, who all opened the batch, submit it at the same moment
    done = await asyncio.gather(
        *(submit(fakes, who, task, every(task, "pos"), when) for who in crowd_),
        return_exceptions=True,
    )
    # Then the first two decide every sample, and only their answers are votes
    stored = [d for d in done if isinstance(d, Submitted)]
    assert [d.votes for d in stored] == [3, 3] + [0] * (len(stored) - 2)
    assert {v for v in tallies(fakes, task).values()} == {(ACCEPTED, "pos", 2)}
    # And the others are refused as a stale batch (TASK_LOCKED), or kept as evidence when
    # they say when they opened it, however the submissions were grouped
    refused = [d for d in done if not isinstance(d, Submitted)]
    if opened:
        assert not refused and len(stored) == 12
        assert len(fakes.db.committed.answers_to(task.batch.id)) == 36
    else:
        assert len(refused) == 10 and all(isinstance(r, NotCollecting) for r in refused)
        assert len(fakes.db.committed.answers_to(task.batch.id)) == 6
    counted = [a for a in fakes.db.committed.answers_to(task.batch.id) if a.counted]
    assert len(counted) == 6
    # And the batch resolved once: round 1 due once, sent once
    assert fakes.db.committed.batches[task.batch.id].status is BatchStatus.RESOLVED
    assert [e.number for e in fakes.bus.of(RoundDue)] == [0, 1]
    assert fakes.queue.sent == [(task.id, 0), (task.id, 1)]
    round_1 = fakes.db.committed.round_of(task.id, 1)
    assert round_1 is not None and round_1.status is RoundStatus.DUE
    assert fakes.db.committed.tasks[task.id].status is TaskStatus.TRAINING


async def test_a_round_stores_the_crowds_estimate_anchored_by_control_questions(
    fakes: Fakes, given: Given
) -> None:
    write_text_dataset(fakes.ctx.datasets_dir / DATASET, labelled=12, pool=8)
    task = await given.open_task(**DS, gold_share=0.5, gold_size=6)
    assert fakes.db.committed.tasks[task.id].workers is None  # nobody has answered yet
    spammer, *honest = await given.annotators(4)
    gold = [s for s in task.samples.values() if s.kind is SampleKind.GOLD]
    pool = [s for s in task.samples.values() if s.kind is SampleKind.POOL]
    # When the honest ones get every control question right and a spammer says "pos" throughout
    await submit(fakes, spammer, task, every(task, "pos"))
    for who in honest:
        truth = [(s.id, str(s.label)) for s in gold] + [(s.id, "neg") for s in pool]
        if fakes.db.committed.batches[task.batch.id].status is BatchStatus.OPEN:
            await submit(fakes, who, task, truth)
    assert fakes.db.committed.batches[task.batch.id].status is BatchStatus.RESOLVED
    await rounds.run_training_round(fakes.ctx, task.id, 1)
    # Then the task holds the estimate, and it rates the spammer below every honest annotator
    stored = fakes.db.committed.tasks[task.id].worker_model()
    assert stored is not None and stored.labels == tuple(LABELS)
    answered = {a.annotator_id for a in fakes.db.committed.answers.values()}
    assert {str(i) for i in answered} <= set(stored.confusion)
    worst_honest = min(stored.reliability(str(h.id)) for h in honest if h.id in answered)
    assert stored.reliability(str(spammer.id)) < worst_honest


# --- ADAPTIVE ---------------------------------------------------------------------------------

# The answers each sample would get, in order: unanimous, a 7:1 majority, and an even split.
STREAMS = {
    "p1": ["pos"] * 8,
    "p3": ["neg", "neg", "pos", "neg", "neg", "neg", "neg", "neg"],
    "p4": ["pos", "neg"] * 4,
}
WIDE: dict[str, Any] = {"min_peers": 4, "min_agreement": 0.75, "max_peers": 8}


async def answer_while_open(fakes: Fakes, given: Given, task: OpenTask) -> None:
    """Annotator i gives the i-th answer of each sample's stream to the samples still open."""
    for i in range(max(len(s) for s in STREAMS.values())):
        still = {k for k, (state, *_) in tallies(fakes, task).items() if state is OPEN}
        if not still:
            return
        [who] = await given.annotators(1)
        await submit(fakes, who, task, by_key(task, **{k: STREAMS[k][i] for k in still}))


async def test_adaptive_asks_fewer_answers_than_fixed_for_the_same_decisions(
    fakes: Fakes, given: Given
) -> None:
    # Given the same rule, fixed and adaptive, and the same stream of answers to both
    fixed = await given.open_task(**WIDE)
    adaptive = await given.open_task(**WIDE, redundancy="ADAPTIVE")
    for task in (fixed, adaptive):
        await answer_while_open(fakes, given, task)
    spent = {t.id: tallies(fakes, t) for t in (fixed, adaptive)}
    # Then both decide every sample alike
    decisions = {t: {k: v[:2] for k, v in by_sample.items()} for t, by_sample in spent.items()}
    assert (
        decisions[fixed.id]
        == decisions[adaptive.id]
        == {
            "p1": (ACCEPTED, "pos"),
            "p3": (ACCEPTED, "neg"),
            "p4": (DISPUTED, None),
        }
    )
    # And adaptive spends fewer answers per accepted label: 13 / 2 against 16 / 2
    total = {t: sum(v[2] for v in by_sample.values()) for t, by_sample in spent.items()}
    assert (total[fixed.id], total[adaptive.id]) == (16, 13)
    for task in (fixed, adaptive):
        assert fakes.db.committed.batches[task.batch.id].status is BatchStatus.RESOLVED


@pytest.mark.parametrize("seed", range(5))
def test_adaptive_never_decides_otherwise_than_fixed(seed: int) -> None:
    # Given random rules and random answer streams, some easy and some hard
    rng = random.Random(seed)
    for _ in range(200):
        min_peers = rng.randint(1, 6)
        max_peers = rng.randint(min_peers, 12)
        agreement = rng.choice([0.51, 0.6, 0.75, 0.8, 1.0])
        p = rng.random()
        stream = [rng.choices(LABELS, [p, 1 - p])[0] for _ in range(max_peers)]
        fixed = feed(PeerRule(min_peers, agreement, max_peers), stream)
        adaptive = feed(
            PeerRule(min_peers, agreement, max_peers, redundancy=Redundancy.ADAPTIVE), stream
        )
        # Then adaptive decides alike, never after more answers
        assert (adaptive.state, adaptive.resolved_label) == (fixed.state, fixed.resolved_label)
        assert adaptive.answer_count <= fixed.answer_count


def feed(rule: PeerRule, stream: list[str]) -> Sample:
    """A sample answered from `stream` until the rule decides it."""
    sample = Sample(1, 1, "k", SampleKind.POOL, state=OPEN)
    for who, label in enumerate(stream):
        if sample.state is not OPEN:
            break
        sample.count_answer(label, rule, who)
    return sample


# --- late answers (openedAt) ------------------------------------------------------------------


async def resolve(fakes: Fakes, given: Given, task: OpenTask) -> None:
    for who in await given.annotators(2):
        await submit(fakes, who, task, every(task, "pos"))
    assert fakes.db.committed.batches[task.batch.id].status is BatchStatus.RESOLVED


@pytest.mark.parametrize("run_next", [False, True], ids=["training", "collecting-next"])
async def test_answers_to_a_batch_decided_meanwhile_are_kept_as_evidence_once(
    fakes: Fakes, given: Given, run_next: bool
) -> None:
    # Given batch 0 decided while one more annotator had it open (the task trains, or
    # already collects batch 1)
    task = await given.open_task()
    opened = datetime.now(UTC) - timedelta(seconds=30)
    await resolve(fakes, given, task)
    if run_next:
        await rounds.run_training_round(fakes.ctx, task.id, 1)
    before, due = tallies(fakes, task), len(fakes.bus.of(RoundDue))
    [late] = await given.annotators(1)
    # When it sends its answers, saying when it opened the batch
    done = await submit(fakes, late, task, every(task, "neg"), opened)
    # Then they are stored as evidence: counted 0, no tally or decision changed, no round due
    assert (done.accepted, done.votes) == (3, 0)
    mine = [a for a in fakes.db.committed.answers.values() if a.annotator_id == late.id]
    assert sorted(a.sample_id for a in mine) == sorted(s.id for s in task.samples.values())
    assert not any(a.counted for a in mine)
    assert tallies(fakes, task) == before and len(fakes.bus.of(RoundDue)) == due
    # And its retry says the same and stores nothing again
    again = await submit(fakes, late, task, every(task, "neg"), opened)
    assert (again.accepted, again.votes) == (done.accepted, done.votes)
    assert len(fakes.db.committed.answers_to(task.batch.id)) == 6 + 3


@pytest.mark.parametrize(
    ("run_next", "refusal"),
    [(False, NotCollecting), (True, Conflict)],
    ids=["training: TASK_LOCKED", "collecting-next: CONFLICT"],
)
async def test_a_stale_batch_is_refused_without_opened_at_or_opened_after_it_was_decided(
    fakes: Fakes, given: Given, run_next: bool, refusal: type[Exception]
) -> None:
    task = await given.open_task()
    await resolve(fakes, given, task)
    if run_next:
        await rounds.run_training_round(fakes.ctx, task.id, 1)
    stored = len(fakes.db.committed.answers)
    [late] = await given.annotators(1)
    now = datetime.now(UTC)
    # (decided two minutes ago: "now" is after it by more than a phone's clock may be ahead)
    fakes.db.committed.batches[task.batch.id].resolved_at = now - timedelta(minutes=2)
    too_long_ago = now - timedelta(seconds=LATE_ANSWERS_S + 60)
    for opened in (None, now, too_long_ago):
        with pytest.raises(refusal):
            await submit(fakes, late, task, every(task, "neg"), opened)
    assert len(fakes.db.committed.answers) == stored


async def test_opened_at_in_the_future_is_bad_input_and_stores_nothing(
    fakes: Fakes, given: Given
) -> None:
    task = await given.open_task()
    [a] = await given.annotators(1)
    future = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        await submit(fakes, a, task, every(task, "neg"), future)
    assert refused.value.field == "openedAt"
    assert not fakes.db.committed.answers
    assert {v[2] for v in tallies(fakes, task).values()} == {0}


async def test_opened_at_on_an_open_batch_counts_the_answers_as_votes(
    fakes: Fakes, given: Given
) -> None:
    task = await given.open_task()
    a, b = await given.annotators(2)
    opened = datetime.now(UTC) - timedelta(seconds=5)
    first = await submit(fakes, a, task, every(task, "neg"), opened)
    await submit(fakes, b, task, every(task, "neg"), opened)
    assert first.votes == 3
    assert {v for v in tallies(fakes, task).values()} == {(ACCEPTED, "neg", 2)}
