"""The training round: train on seed + accepted labels, evaluate, test, open the next batch.

Three steps so that no transaction stays open while a model trains: claim the round (short
transaction), train and pick (no database), record the outcome (short transaction, re-checking
the round under its row lock). Running a round twice is safe: a finished round is skipped, and
the unique (task, number) key on batches stops a second batch.

Stopping: the outcome is recorded against the task's stopping rules as they stand when the
round ends (`activecrowds_ml.stopping.stop_reason`, read under the task's lock, so an
updateTask made while the round trained counts): a rule that holds finishes the task instead
of opening a batch. A budget also caps the next batch, so that it never buys labels past the
budget. The plateau rule needs the previous round's pool predictions: the claim reads them
before this round replaces them, and each round keeps only its agreement with them (one
number on the round), so memory stays one round's predictions however long the task runs.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from activecrowds.domain.crowd import pick_gold
from activecrowds.domain.events import Event
from activecrowds.domain.model import Sample, SampleKind, Task, TaskStatus
from activecrowds.domain.predictions import ModelArtifact, Prediction
from activecrowds.services.context import Context, commit_and_publish
from activecrowds.services.models import round_folder
from activecrowds.services.ports import UnitOfWork
from activecrowds_ml.artifacts import remove, retained
from activecrowds_ml.consensus import Answer, estimate_workers
from activecrowds_ml.metrics import Metrics
from activecrowds_ml.scenario import Scenario, gold_per_batch
from activecrowds_ml.stopping import FinishedReason, Progress, agreement, stop_reason

log = logging.getLogger(__name__)


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Plan:
    """What one round works on, read in the claiming transaction."""

    task_id: int
    number: int
    attempt: int  # the round's `attempts` after this runner's claim: whose lease it is
    scenario: dict[str, Any]
    labels: list[str]
    root: Path
    train: list[Sample]
    eval: list[Sample]
    test: list[Sample]
    pool: list[Sample]
    asked: list[Sample]  # pool samples already asked of the crowd: predicted too
    gold: dict[int, str]  # control questions not yet asked: sample id -> label
    answers: list[Answer]  # every answer so far, to estimate each annotator's reliability
    truth: dict[str, str]  # control questions answered so far: sample id -> label
    spent: int = 0  # labels spent: seed samples + pool samples asked of the crowd
    previous: dict[int, str] = field(default_factory=dict)  # last round's predicted labels


@dataclass(frozen=True)
class SavedModel:
    """The round's model artifact: its folder under ctx.models_dir, and its size in bytes."""

    path: str
    size: int


@dataclass(frozen=True)
class Outcome:
    """What training produced: eval and test metrics, the pool samples picked next, the
    crowd's estimated reliability (None before anyone answered), the model's predictions for
    every pool sample, and its stored artifact (None: not stored)."""

    eval: Metrics
    test: Metrics
    picked: list[int]
    workers: dict[str, Any] | None = None
    predictions: list[Prediction] = field(default_factory=list)
    model: SavedModel | None = None
    agreement: float | None = None  # kappa with the previous round's predictions


async def run_training_round(ctx: Context, task_id: int, number: int) -> bool:
    """Run round `number` of a task; False when there is nothing to do (done, or task gone).

    Raises:
        whatever training raises (ModelError, ...): the caller retries or records the failure.
    """
    plan = await _claim(ctx, task_id, number)
    if plan is None:
        return False
    try:
        outcome = await _train_holding_lease(ctx, plan)
    except Exception:  # (cancelled at shutdown: the lease runs out, and the relay re-sends)
        await _hand_back(ctx, plan)
        raise
    return await _record(ctx, plan, outcome)


async def _claim(ctx: Context, task_id: int, number: int) -> Plan | None:
    async with ctx.uow() as uow:
        round_ = await uow.rounds.get(task_id, number, lock=True)
        task = await uow.tasks.get(task_id)
        if round_ is None or task is None or not round_.claim(now(), ctx.round_lease_s):
            return None
        await uow.rounds.save(round_)
        if task.status is not TaskStatus.TRAINING:
            task.start_training()  # a retry after FAILED: the owner sees it train again
            await uow.tasks.save_status(task)
        plan = await _plan(uow, task, number, round_.attempts)
        await uow.commit()
    return plan


async def _plan(uow: UnitOfWork, task: Task, number: int, attempt: int) -> Plan:
    held_out = [SampleKind.SEED, SampleKind.EVAL, SampleKind.TEST, SampleKind.GOLD]
    fixed = await uow.samples.of_kind(task.id, held_out)
    by_kind = {kind: [s for s in fixed if s.kind is kind] for kind in held_out}
    accepted = await uow.samples.accepted(task.id)
    pool = await uow.samples.remaining_pool(task.id)
    every_pool = await uow.samples.of_kind(task.id, [SampleKind.POOL])
    gold = by_kind[SampleKind.GOLD]
    answers = [Answer(str(s), str(a), lab) for s, a, lab in await uow.answers.of_task(task.id)]
    asked = [s for s in gold if s.batch_id is not None]
    asked_pool = [s for s in every_pool if s.asked]
    return Plan(
        task_id=task.id,
        number=number,
        attempt=attempt,
        scenario=task.scenario,
        labels=task.labels,
        root=Path(task.dataset),
        train=by_kind[SampleKind.SEED] + accepted,
        eval=by_kind[SampleKind.EVAL],
        test=by_kind[SampleKind.TEST],
        pool=pool,
        asked=asked_pool,
        gold={s.id: s.label for s in gold if s.batch_id is None and s.label is not None},
        answers=answers,
        truth={str(s.id): s.label for s in asked if s.label is not None},
        spent=len(by_kind[SampleKind.SEED]) + len(asked_pool),
        previous=await uow.samples.predicted_labels(task.id),
    )


async def _train_holding_lease(ctx: Context, plan: Plan) -> Outcome:
    """Train in a thread, renewing the round's lease meanwhile: a runner that dies stops
    renewing, and the relay hands the round to another once the lease runs out."""
    training = asyncio.ensure_future(asyncio.to_thread(_train_and_pick, ctx, plan))
    while True:
        done, _ = await asyncio.wait({training}, timeout=ctx.round_lease_s / 3)
        if done:
            return training.result()
        async with ctx.uow() as uow:
            round_ = await uow.rounds.get(plan.task_id, plan.number, lock=True)
            if round_ is not None and round_.renew(now(), ctx.round_lease_s, plan.attempt):
                await uow.rounds.save(round_)
            await uow.commit()


async def _hand_back(ctx: Context, plan: Plan) -> None:
    """After a failed attempt: due again, for the queue's retry to claim; the relay leaves it
    alone for `retry_wait_s` (the retry's backoff), re-sending only if the retry never comes."""
    async with ctx.uow() as uow:
        round_ = await uow.rounds.get(plan.task_id, plan.number, lock=True)
        if round_ is not None and round_.hand_back(now(), ctx.retry_wait_s, plan.attempt):
            await uow.rounds.save(round_)
        await uow.commit()


def _records(plan: Plan, samples: list[Sample]) -> list[Any]:
    """The samples as the ML core's records (files resolved in the task's dataset folder)."""
    from activecrowds_ml.storage import Record

    return [
        Record(s.key, file=str(plan.root / s.file) if s.file else None, text=s.text)
        for s in samples
    ]


def _labelled(plan: Plan, samples: list[Sample]) -> tuple[list[Any], list[str]]:
    return _records(plan, samples), [s.training_label() for s in samples]


def _train_and_pick(ctx: Context, plan: Plan) -> Outcome:
    """The CPU/GPU-heavy part (runs in a thread): the ML core's round, as the simulation runs it."""
    from activecrowds_ml.models import build_model
    from activecrowds_ml.round import run_round
    from activecrowds_ml.strategies import get_strategy

    build = ctx.build_model or build_model
    scenario = Scenario(**plan.scenario)
    model = build(scenario, plan.labels, cache_dir=ctx.cache_dir, device=ctx.device)
    train = _labelled(plan, plan.train)
    result = run_round(
        model,
        get_strategy(scenario.query_strategy),
        train=train,
        eval_set=_labelled(plan, plan.eval),
        test_set=_labelled(plan, plan.test),
        pool=_records(plan, plan.pool),
        k=scenario.batch_size,
        seed=scenario.seed,
        number=plan.number,
        also_predict=_records(plan, plan.asked),
    )
    picked = [plan.pool[i].id for i in result.picked]
    predicted = [
        *zip(plan.pool, result.pool_predictions, strict=False),
        *zip(plan.asked, result.also_predictions, strict=True),
    ]
    predictions = [
        Prediction(s.id, plan.task_id, plan.number, p.label, p.confidence) for s, p in predicted
    ]
    saved = _save_model(ctx, plan, model, result, [s.key for s in plan.train], train[1])
    now_predicted = {p.sample_id: p.label for p in predictions}
    kappa = agreement(plan.previous, now_predicted, plan.labels)
    return Outcome(result.eval, result.test, picked, _workers(plan), predictions, saved, kappa)


def _save_model(
    ctx: Context,
    plan: Plan,
    model: Any,
    result: Any,
    train_ids: list[str],
    train_labels: list[str],
) -> SavedModel | None:
    """Store the trained model as this attempt's artifact; None when the context keeps no
    models or storing failed (logged: the crowd's loop goes on, `Round.model` stays null)."""
    if ctx.models_dir is None:
        return None
    from activecrowds_ml.artifacts import save_artifact

    path = round_folder(plan.task_id, plan.number, plan.attempt)
    try:
        size = save_artifact(
            model,
            ctx.models_dir / path,
            eval=result.eval,
            test=result.test,
            train_ids=train_ids,
            train_labels=train_labels,
            about={"task_id": plan.task_id, "round": plan.number},
        )
    except Exception:
        log.exception("round %s of task %s: model not stored", plan.number, plan.task_id)
        return None
    return SavedModel(path, size)


def _workers(plan: Plan) -> dict[str, Any] | None:
    """Dawid-Skene over every answer so far, anchored by the control questions' labels."""
    if not plan.answers:
        return None
    return estimate_workers(plan.answers, plan.labels, plan.truth).to_dict()


async def _record(ctx: Context, plan: Plan, outcome: Outcome) -> bool:
    mine = [outcome.model.path] if outcome.model else []
    committing = False  # from here on a row may name the folder: never remove it then
    try:
        async with ctx.uow() as uow:
            round_ = await uow.rounds.get(plan.task_id, plan.number, lock=True)
            task = await uow.tasks.get(plan.task_id, lock=True)
            if round_ is None or task is None or round_.final:
                return False  # deleted meanwhile, or a concurrent run finished first
            train_size, kappa = len(plan.train), outcome.agreement
            uow.collect(*round_.finish(train_size, outcome.test, outcome.eval, now(), kappa))
            await uow.rounds.save(round_)
            reason = await _stop_reason(uow, task, plan, outcome)
            uow.collect(*await _open_next(uow, task, plan, outcome.picked, reason))
            await uow.tasks.save_status(task)
            if outcome.workers is not None:
                await uow.tasks.save_workers(task.id, outcome.workers)
            await uow.samples.save_predictions(task.id, outcome.predictions)
            pruned = await _store_model(ctx, uow, plan, outcome)
            committing = True
            await commit_and_publish(ctx, uow)
    finally:
        if not committing:
            await _drop(ctx, mine)
    await _drop(ctx, [m.path for m in pruned])
    return True


async def _store_model(
    ctx: Context, uow: UnitOfWork, plan: Plan, outcome: Outcome
) -> list[ModelArtifact]:
    """Record the round's model and forget those the retention rule lets go (their folders
    are removed once this commits); returns the forgotten ones."""
    if outcome.model is not None:
        saved = outcome.model
        accuracy = outcome.eval.accuracy
        await uow.rounds.add_model(plan.task_id, plan.number, saved.path, saved.size, accuracy)
    stored = (await uow.rounds.models([plan.task_id])).get(plan.task_id, [])
    keep = retained({m.round_number: m.eval_accuracy for m in stored}, ctx.models_keep)
    pruned = [m for m in stored if m.round_number not in keep]
    await uow.rounds.delete_models(m.id for m in pruned)
    return pruned


async def _drop(ctx: Context, paths: list[str]) -> None:
    """Remove model folders no row names (off the event loop: a folder may be large)."""
    if ctx.models_dir is None or not paths:
        return
    root = ctx.models_dir

    def remove_all() -> None:
        for path in paths:
            remove(root / path)

    await asyncio.to_thread(remove_all)


async def _stop_reason(
    uow: UnitOfWork, task: Task, plan: Plan, outcome: Outcome
) -> FinishedReason | None:
    """Whether the task's rules (as they stand now) stop it after this round, and why."""
    earlier = (await uow.rounds.of_tasks([task.id])).get(task.id, [])
    before = [r.pool_agreement for r in earlier if r.number < plan.number]  # in order
    progress = Progress(
        labels=plan.spent,
        pool_left=len(plan.pool),
        eval_accuracy=outcome.eval.accuracy,
        agreements=[*before, outcome.agreement],
    )
    return stop_reason(Scenario(**task.scenario).stopping, progress)


async def _open_next(
    uow: UnitOfWork, task: Task, plan: Plan, picked: list[int], reason: FinishedReason | None
) -> list[Event]:
    # Samples the owner sent back to the crowd while no batch was open: already paid for.
    waiting = [s.id for s in await uow.samples.waiting(task.id)]
    if reason is FinishedReason.POOL_EXHAUSTED and waiting:
        reason = None
    if reason is not None or not (picked or waiting):
        return task.finish(reason or FinishedReason.POOL_EXHAUSTED)
    left = Scenario(**task.scenario).stopping.labels_left(plan.spent)  # a budget caps it
    batch = await uow.batches.add(plan.task_id, plan.number)
    gold = pick_gold(plan.gold, gold_per_batch(Scenario(**plan.scenario)), plan.number)
    await uow.samples.assign_batch(picked[:left] + waiting + gold, batch.id)
    return task.open_batch(batch)


async def record_round_failure(ctx: Context, task_id: int, number: int, error: str) -> None:
    """Mark the round and its task FAILED with the reason (after the last retry)."""
    async with ctx.uow() as uow:
        round_ = await uow.rounds.get(task_id, number, lock=True)
        task = await uow.tasks.get(task_id, lock=True)
        if round_ is None or task is None or round_.final or round_.held(now()):
            return  # finished meanwhile, or another runner took it over and still trains
        round_.fail(error)
        await uow.rounds.save(round_)
        uow.collect(*task.fail(error))
        await uow.tasks.save_status(task)
        await commit_and_publish(ctx, uow)


async def pending_rounds(ctx: Context) -> list[tuple[int, int]]:
    """Rounds marked due (or left running by a dead process): what a restart must send again.

    Only for the embedded default, where this process is the only runner: it drops every
    lease. With separate workers the outbox relay (services.outbox) does this job instead.
    """
    async with ctx.uow() as uow:
        await uow.rounds.release_leases()
        found = await uow.rounds.pending()
        await uow.commit()
    return found
