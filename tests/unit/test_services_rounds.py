"""run_training_round, record_round_failure and pending_rounds with a stand-in model.

The stand-in (standins.Script) reports fixed scores and is unsure about p1, p3 and p4, so the
margin strategy picks exactly those for batch 0.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fakes import Fakes
from standins import EVAL, LABELS, TEST, Given, Script

from activecrowds.domain.errors import ModelError
from activecrowds.domain.events import (
    LockReason,
    NewBatchAvailable,
    RoundCompleted,
    TaskFailed,
    TaskFinished,
    TaskLocked,
)
from activecrowds.domain.model import (
    ADMIN,
    Round,
    RoundStatus,
    SampleKind,
    SampleState,
    TaskStatus,
)
from activecrowds.services import queries
from activecrowds.services.answers import submit_answers
from activecrowds.services.outbox import relay_rounds
from activecrowds.services.ports import TaskProgress
from activecrowds.services.rounds import pending_rounds, record_round_failure, run_training_round
from activecrowds.services.tasks import delete_task
from activecrowds_ml.metrics import Metrics
from activecrowds_ml.stopping import FinishedReason


def now() -> datetime:
    return datetime.now(UTC)


def stored_round(fakes: Fakes, task_id: int, number: int) -> Round:
    found = fakes.db.committed.round_of(task_id, number)
    assert found is not None
    return found


def keys(fakes: Fakes, task_id: int, kind: SampleKind) -> list[str]:
    samples = fakes.db.committed.samples.values()
    return [s.key for s in samples if s.task_id == task_id and s.kind is kind]


async def another_runner(fakes: Fakes, task_id: int, number: int, at: datetime) -> None:
    """A runner elsewhere claims the round at `at` (for the context's lease)."""
    async with fakes.db.uow() as uow:
        round_ = await uow.rounds.get(task_id, number)
        assert round_ is not None and round_.claim(at, fakes.ctx.round_lease_s)
        await uow.rounds.save(round_)
        await uow.commit()


async def lapse_lease(fakes: Fakes, task_id: int, number: int) -> None:
    """The runner's lease on the round runs out (it could not renew)."""
    async with fakes.db.uow() as uow:
        lapsed = await uow.rounds.get(task_id, number)
        assert lapsed is not None
        lapsed.lease_until = now() - timedelta(seconds=1)
        await uow.rounds.save(lapsed)
        await uow.commit()


async def released(script: Script, run: asyncio.Future[bool]) -> bool:
    """Let the held training finish; what run_training_round returned."""
    script.hold.set()
    return await run


async def training(script: Script) -> None:
    """Wait until the stand-in has started training (it then waits for script.hold)."""
    assert await asyncio.to_thread(script.training.wait, 5)


async def test_claiming_marks_the_round_running_for_one_leased_attempt(
    fakes: Fakes, given: Given, script: Script
) -> None:
    # Given round 0 due, and a model that trains until told to stop
    task = await given.task()
    script.hold = threading.Event()
    before = now()
    # When a runner starts it
    run = asyncio.ensure_future(run_training_round(fakes.ctx, task.id, 0))
    await training(script)
    # Then, while it trains, the round is RUNNING: first attempt, leased to this runner
    claimed = stored_round(fakes, task.id, 0)
    assert (claimed.status, claimed.attempts) == (RoundStatus.RUNNING, 1)
    assert claimed.started_at is not None and before <= claimed.started_at <= now()
    lease = timedelta(seconds=fakes.ctx.round_lease_s)
    assert claimed.lease_until is not None
    assert before + lease <= claimed.lease_until <= now() + lease
    assert fakes.db.committed.tasks[task.id].status is TaskStatus.TRAINING
    assert await released(script, run) is True


async def test_round_0_trains_on_the_seed_and_opens_batch_0_with_the_picked_samples(
    fakes: Fakes, given: Given, script: Script
) -> None:
    task = await given.task()
    published = len(fakes.bus.published)
    assert await run_training_round(fakes.ctx, task.id, 0) is True
    # The round is DONE with the model's scores, as the typed Metrics
    done = stored_round(fakes, task.id, 0)
    assert (done.status, done.train_size, done.attempts) == (RoundStatus.DONE, 2, 1)
    assert isinstance(done.test, Metrics) and isinstance(done.eval, Metrics)
    assert (done.test, done.eval) == (TEST, EVAL)
    assert done.finished_at is not None and (done.lease_until, done.error) == (None, None)
    # The model saw the seed (with its labels), the eval and test sets, then the whole pool
    seed = keys(fakes, task.id, SampleKind.SEED)
    [train] = script.calls_to("train")
    assert train.ids == seed and train.labels == [LABELS[int(k[1:]) % 2] for k in seed]
    assert script.calls_to("evaluate")[0].ids == keys(fakes, task.id, SampleKind.EVAL)
    assert script.calls_to("test")[0].ids == keys(fakes, task.id, SampleKind.TEST)
    assert script.calls_to("pool_view")[0].ids == ["p0", "p1", "p2", "p3", "p4"]
    assert len(script.builds) == 1 and script.builds[0]["labels"] == LABELS
    # Batch 0 is open with the samples the model was unsure about, no answers yet
    [batch] = fakes.db.committed.batches.values()
    samples = fakes.db.committed.samples_of(batch.id)
    assert (batch.number, sorted(s.key for s in samples)) == (0, ["p1", "p3", "p4"])
    assert {(s.state, s.answer_count) for s in samples} == {(SampleState.OPEN, 0)}
    # The task collects, and the crowd hears of it after the round's completion
    assert fakes.db.committed.tasks[task.id].status is TaskStatus.COLLECTING
    assert fakes.bus.published[published:] == [
        RoundCompleted(task.id, 0),
        NewBatchAvailable(task.id, batch.id, 0),
    ]
    progress = await queries.task_progress(fakes.ctx, [task.id])
    assert progress == {task.id: TaskProgress(labelled=2, unpicked=2, spent=2 + 3)}


async def test_a_finished_round_is_not_run_again(
    fakes: Fakes, given: Given, script: Script
) -> None:
    task = await given.open_task()
    published, done = list(fakes.bus.published), stored_round(fakes, task.id, 0)
    assert await run_training_round(fakes.ctx, task.id, 0) is False
    assert len(script.builds) == 1 and fakes.bus.published == published
    assert stored_round(fakes, task.id, 0) == done
    assert len(fakes.db.committed.batches) == 1


async def test_a_failed_round_and_a_missing_one_are_skipped(
    fakes: Fakes, given: Given, script: Script
) -> None:
    task = await given.task()
    await record_round_failure(fakes.ctx, task.id, 0, "ModelError: gone")
    assert await run_training_round(fakes.ctx, task.id, 0) is False
    assert await run_training_round(fakes.ctx, task.id, 7) is False
    assert await run_training_round(fakes.ctx, 99, 0) is False
    assert script.builds == [] and stored_round(fakes, task.id, 0).attempts == 0


async def test_a_round_held_by_a_live_lease_is_left_to_its_runner(
    fakes: Fakes, given: Given, script: Script
) -> None:
    task = await given.task()
    await another_runner(fakes, task.id, 0, at=now())
    assert await run_training_round(fakes.ctx, task.id, 0) is False
    assert script.builds == []
    held = stored_round(fakes, task.id, 0)
    assert (held.status, held.attempts) == (RoundStatus.RUNNING, 1)


async def test_a_round_whose_runner_died_is_taken_over_once_its_lease_ran_out(
    fakes: Fakes, given: Given
) -> None:
    # Given a runner that claimed round 0 two leases ago and never came back
    task = await given.task()
    await another_runner(fakes, task.id, 0, at=now() - 2 * timedelta(seconds=60))
    # When it is run again, this runner takes it over: the second attempt
    assert await run_training_round(fakes.ctx, task.id, 0) is True
    done = stored_round(fakes, task.id, 0)
    assert (done.status, done.attempts) == (RoundStatus.DONE, 2)


async def test_accepted_labels_train_the_next_round_and_an_empty_pool_finishes_the_task(
    fakes: Fakes, given: Given, script: Script
) -> None:
    # Given batch 0 holds the whole pool, two peers must agree, and at most two answer
    task = await given.open_task(batch_size=5, min_agreement=1.0, max_peers=2)
    a, b = await given.annotators(2)
    crowd = {"p0": "pos", "p1": "pos", "p2": "neg", "p3": "neg"}
    ids = {s.key: s.id for s in task.samples.values()}
    # When they agree on p0-p3 and split on p4 (disputed), round 1 becomes due and runs
    for who, p4 in ((a, "pos"), (b, "neg")):
        answers = [(ids[k], label) for k, label in {**crowd, "p4": p4}.items()]
        await submit_answers(fakes.ctx, who, task.id, task.batch.id, answers)
    published = len(fakes.bus.published)
    assert await run_training_round(fakes.ctx, task.id, 1) is True
    # Then it trained on the seed plus the crowd's accepted labels, leaving p4 out
    train = script.calls_to("train")[-1]
    assert train.ids[:2] == keys(fakes, task.id, SampleKind.SEED)
    assert dict(zip(train.ids[2:], train.labels[2:], strict=True)) == crowd
    assert len(train.ids) == 6 and stored_round(fakes, task.id, 1).train_size == 6
    # And with nothing left to ask, the task is finished: no pool scored, no batch 1
    assert len(script.calls_to("pool_view")) == 1  # round 0's only
    assert fakes.db.committed.tasks[task.id].status is TaskStatus.FINISHED
    assert [b.number for b in fakes.db.committed.batches.values()] == [0]
    assert fakes.bus.published[published:] == [
        RoundCompleted(task.id, 1),
        TaskLocked(task.id, LockReason.FINISHED),
        TaskFinished(task.id, FinishedReason.POOL_EXHAUSTED),
    ]


async def test_a_failed_attempt_hands_the_round_back_for_the_queues_retry(
    fakes: Fakes, given: Given, script: Script
) -> None:
    # Given round 0 due, and a model that runs out of memory
    task = await given.task()
    script.error = ModelError("out of memory")
    ctx = fakes.replace(retry_wait_s=360, resend_after_s=0)
    published, before = len(fakes.bus.published), now()
    # When an attempt fails, the error reaches the caller (the queue retries it)
    with pytest.raises(ModelError, match="out of memory"):
        await run_training_round(ctx, task.id, 0)
    # Then the round is DUE again: sent just now, and left alone for the retry's wait
    back = stored_round(fakes, task.id, 0)
    assert (back.status, back.attempts) == (RoundStatus.DUE, 1)
    assert back.sent_at is not None and before <= back.sent_at <= now()
    wait = timedelta(seconds=360)
    assert back.lease_until is not None and before + wait <= back.lease_until <= now() + wait
    assert fakes.db.committed.tasks[task.id].status is TaskStatus.TRAINING
    assert len(fakes.bus.published) == published and fakes.db.committed.batches == {}
    assert await relay_rounds(ctx) == []  # the relay does not pre-empt the retry
    # When the retry comes (the model recovered), it claims the round at once
    script.error = None
    assert await run_training_round(ctx, task.id, 0) is True
    assert stored_round(fakes, task.id, 0).attempts == 2


@pytest.mark.parametrize("meanwhile", ["task deleted", "another runner finished", "failed"])
async def test_a_round_settled_while_it_trained_is_not_recorded_twice(
    fakes: Fakes, given: Given, script: Script, meanwhile: str
) -> None:
    # Given round 0 training
    task = await given.task()
    script.hold = threading.Event()
    run = asyncio.ensure_future(run_training_round(fakes.ctx, task.id, 0))
    await training(script)
    # When, meanwhile, the round is settled elsewhere
    if meanwhile == "task deleted":
        await delete_task(fakes.ctx, ADMIN, task.id)
    elif meanwhile == "failed":  # given up on once this runner's lease lapsed
        await lapse_lease(fakes, task.id, 0)
        await record_round_failure(fakes.ctx, task.id, 0, "ModelError: given up")
    else:
        async with fakes.db.uow() as uow:
            round_ = await uow.rounds.get(task.id, 0)
            assert round_ is not None
            uow.collect(*round_.finish(9, EVAL, EVAL, now()))
            await uow.rounds.save(round_)
            await uow.commit()
    settled = fakes.db.committed.round_of(task.id, 0)
    published = len(fakes.bus.published)
    script.hold.set()
    # Then this runner's outcome is dropped: nothing recorded, opened or announced
    assert await run is False
    assert fakes.db.committed.round_of(task.id, 0) == settled
    assert fakes.db.committed.batches == {} and len(fakes.bus.published) == published


async def test_a_long_training_keeps_renewing_its_lease(
    fakes: Fakes, given: Given, script: Script
) -> None:
    task = await given.task()
    ctx = fakes.replace(round_lease_s=0.06)  # renewed every 20 ms
    script.hold = threading.Event()
    run = asyncio.ensure_future(run_training_round(ctx, task.id, 0))
    await training(script)
    first = stored_round(fakes, task.id, 0).lease_until
    await asyncio.sleep(0.1)
    renewed = stored_round(fakes, task.id, 0)
    assert first is not None and renewed.lease_until is not None
    assert renewed.lease_until > first and renewed.status is RoundStatus.RUNNING
    assert await released(script, run) is True


async def test_the_last_failure_fails_the_round_and_its_task_with_the_reason(
    fakes: Fakes, given: Given, script: Script
) -> None:
    # Given an attempt that failed and was handed back
    task = await given.task()
    script.error = ModelError("cannot read review 3")
    with pytest.raises(ModelError):
        await run_training_round(fakes.ctx, task.id, 0)
    # When the worker gives up on it
    reason = "ModelError: cannot read review 3"
    await record_round_failure(fakes.ctx, task.id, 0, reason)
    # Then round and task are FAILED with the reason, and the owner is told once
    failed = stored_round(fakes, task.id, 0)
    assert (failed.status, failed.error, failed.lease_until) == (RoundStatus.FAILED, reason, None)
    stored = fakes.db.committed.tasks[task.id]
    assert (stored.status, stored.last_error) == (TaskStatus.FAILED, reason)
    assert fakes.bus.of(TaskFailed) == [TaskFailed(task.id, reason)]
    await record_round_failure(fakes.ctx, task.id, 0, "again")
    assert fakes.bus.of(TaskFailed) == [TaskFailed(task.id, reason)]
    assert await run_training_round(fakes.ctx, task.id, 0) is False


async def test_pending_rounds_are_due_or_interrupted_ones_and_lose_their_leases(
    fakes: Fakes, given: Given
) -> None:
    # Given two tasks' round 0 due, one of them left RUNNING by a process that died
    first, second = await given.task(), await given.task()
    done = await given.task()
    assert await run_training_round(fakes.ctx, done.id, 0)
    await another_runner(fakes, first.id, 0, at=now())
    # When this process restarts, both are pending, and nobody holds either any more
    assert await pending_rounds(fakes.ctx) == [(first.id, 0), (second.id, 0)]
    assert {r.lease_until for r in fakes.db.committed.rounds.values()} == {None}
    assert await run_training_round(fakes.ctx, first.id, 0) is True


async def test_the_relay_resends_a_round_nobody_started(fakes: Fakes, given: Given) -> None:
    task = await given.task()
    assert await relay_rounds(fakes.ctx) == []  # just sent by create_task
    later = fakes.replace(resend_after_s=-1)  # as if a long time had passed
    assert await relay_rounds(later) == [(task.id, 0)]
    assert fakes.queue.sent == [(task.id, 0), (task.id, 0)]


async def test_a_runner_that_lost_its_lease_leaves_the_new_runners_claim_alone(
    fakes: Fakes, given: Given, script: Script
) -> None:
    # Given runner A training round 0, its lease lapsed (it could not renew), and runner B
    # having taken the round over
    task = await given.task()
    script.hold, script.error = threading.Event(), ModelError("out of memory")
    run = asyncio.ensure_future(run_training_round(fakes.ctx, task.id, 0))
    await training(script)
    await lapse_lease(fakes, task.id, 0)
    await another_runner(fakes, task.id, 0, at=now())
    # When A's training fails
    script.hold.set()
    with pytest.raises(ModelError):
        await run
    # Then B still holds the round: it is not made DUE for A's retry to run a third copy
    held = stored_round(fakes, task.id, 0)
    assert (held.status, held.attempts) == (RoundStatus.RUNNING, 2)
    # And A's retries running out does not fail the round B is training
    await record_round_failure(fakes.ctx, task.id, 0, "ModelError: out of memory")
    assert stored_round(fakes, task.id, 0).status is RoundStatus.RUNNING


async def test_the_worker_and_the_simulation_run_the_same_round_function(
    fakes: Fakes, given: Given, script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given round 0 due, and the ML core's round wrapped to log each call
    from activecrowds_ml import round as ml_round
    from activecrowds_ml.experiment import simulate

    task = await given.task()
    calls: list[tuple[int, int, ml_round.RoundResult]] = []
    real = ml_round.run_round

    def logged(*args: Any, **kwargs: Any) -> ml_round.RoundResult:
        result = real(*args, **kwargs)
        calls.append((kwargs["seed"], kwargs["number"], result))
        return result

    monkeypatch.setattr(ml_round, "run_round", logged)
    # When the worker runs it
    assert await run_training_round(fakes.ctx, task.id, 0) is True
    # Then it went through run_round once, with the scenario's seed, and opened what it picked
    ((seed, number, result),) = calls
    assert (seed, number) == (task.scenario["seed"], 0)
    assert result.test == stored_round(fakes, task.id, 0).test
    assert len(given.current(task.id).samples) == len(result.picked)
    # and the simulation calls that very function (tests/ml/test_simulate.py logs its calls)
    assert simulate.run_round is real
