"""The round outbox (relay, leases) on both databases, and the Redis event bus on real Redis."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from apptest import LABELS, OpenTask
from sqlalchemy import update

from activecrowds.adapters import tables as t
from activecrowds.adapters.redis_bus import RedisEventBus, channel_for, decode, encode
from activecrowds.bootstrap import App
from activecrowds.domain.events import (
    LockReason,
    NewBatchAvailable,
    RoundCompleted,
    TaskDeleted,
    TaskLocked,
)
from activecrowds.domain.model import (
    Caller,
    RoundStatus,
    Task,
    TaskStatus,
    task_from_snapshot,
    task_snapshot,
)
from activecrowds.services.answers import submit_answers
from activecrowds.services.outbox import relay_rounds
from activecrowds.services.rounds import run_training_round


class Sent:
    """A task queue that only records what it was handed (the relay is what is under test)."""

    def __init__(self) -> None:
        self.rounds: list[tuple[int, int]] = []

    async def enqueue_round(self, task_id: int, number: int) -> None:
        self.rounds.append((task_id, number))


async def _set_round(app: App, task_id: int, number: int, **values: object) -> None:
    async with app.engine.begin() as conn:
        c = t.rounds.c
        await conn.execute(
            update(t.rounds).where(c.task_id == task_id, c.number == number).values(**values)
        )


async def test_relay_resends_only_rounds_nobody_started_or_holds(
    app: App,
    make_task: Callable[..., Awaitable[OpenTask]],
    annotators: Callable[[int], Awaitable[list[tuple[Caller, str]]]],
) -> None:
    # Given a batch resolved through a context whose queue only records
    task = await make_task("outbox", min_peers=1, max_peers=1)
    sent = Sent()
    ctx = dataclasses.replace(app.ctx, queue=sent, resend_after_s=60)
    ((caller, _),) = await annotators(1)
    answers = [(s.id, LABELS[0]) for s in task.samples]
    await submit_answers(ctx, caller, task.id, task.batch.id, answers)
    assert sent.rounds == [(task.id, 1)]  # sent once, after commit
    # Then a relay pass right after sends nothing (it was just sent)
    assert await relay_rounds(ctx) == []
    # When it is still due long after: the relay sends it again
    now = dataclasses.replace(ctx, resend_after_s=0)
    assert await relay_rounds(now) == [(task.id, 1)]
    # A running round whose runner's lease lasts is neither re-sent nor run twice
    lease = datetime.now(UTC) + timedelta(minutes=5)
    await _set_round(app, task.id, 1, status=RoundStatus.RUNNING, lease_until=lease)
    assert await relay_rounds(now) == []
    assert await run_training_round(app.ctx, task.id, 1) is False
    # Once the lease runs out (its runner died), the relay sends it and it runs once
    await _set_round(app, task.id, 1, lease_until=datetime.now(UTC) - timedelta(seconds=1))
    assert await relay_rounds(now) == [(task.id, 1)]
    assert await run_training_round(app.ctx, task.id, 1) is True
    assert await run_training_round(app.ctx, task.id, 1) is False
    assert await relay_rounds(now) == []


def test_events_survive_the_wire() -> None:
    for event in (
        TaskLocked(1, LockReason.SUBMITTED, 7),
        TaskLocked(2, LockReason.TRAINING),
        NewBatchAvailable(3, 11, 2),
        RoundCompleted(3, 2),
    ):
        assert decode(encode(event)) == event
    # A deleted task travels whole: subscribers can no longer read it from the database
    task = Task(
        5, "Doomed", "d", "IMAGE", "BINARY_CLASSIFICATION", ["a", "b"], "/data/x",
        {"batch_size": 3}, TaskStatus.COLLECTING, created_at=datetime.now(UTC),
    )  # fmt: skip
    travelled = decode(encode(TaskDeleted(5, task_snapshot(task))))
    assert isinstance(travelled, TaskDeleted)
    assert task_from_snapshot(travelled.task) == task
    assert channel_for("redis://127.0.0.1:6379/5") == "activecrowds:5:events"


async def test_redis_bus_delivers_in_order_to_every_process() -> None:
    # Two buses stand for two processes (a worker publishing, a replica listening)
    url = "redis://127.0.0.1:6379/14"
    publisher, listener = RedisEventBus(url), RedisEventBus(url)
    received: list[object] = []

    async def listen() -> None:
        async for event in listener.subscribe():
            received.append(event)
            if len(received) == 50:
                return

    task = asyncio.create_task(listen())
    await asyncio.wait_for(listener.connected.wait(), 10)
    sent = [RoundCompleted(9, n) for n in range(50)]
    for i in range(0, 50, 10):
        await publisher.publish(sent[i : i + 10])
    await asyncio.wait_for(task, 10)
    assert received == sent
    await publisher.close()
    await listener.close()


async def test_a_failed_attempt_waits_for_its_retry_not_the_relay(
    app: App,
    make_task: Callable[..., Awaitable[OpenTask]],
    annotators: Callable[[int], Awaitable[list[tuple[Caller, str]]]],
) -> None:
    # Given round 1 due, and a model that cannot train
    task = await make_task("retry", min_peers=1, max_peers=1)
    sent = Sent()
    ctx = dataclasses.replace(app.ctx, queue=sent, resend_after_s=0, retry_wait_s=60)
    ((caller, _),) = await annotators(1)
    answers = [(s.id, LABELS[1]) for s in task.samples]
    await submit_answers(ctx, caller, task.id, task.batch.id, answers)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("out of memory")

    failing = dataclasses.replace(ctx, build_model=broken)
    # When an attempt fails
    with pytest.raises(RuntimeError):
        await run_training_round(failing, task.id, 1)
    # Then the round is due again for the queue's retry, which the relay does not pre-empt
    assert await relay_rounds(ctx) == []
    assert await run_training_round(ctx, task.id, 1) is True  # the retry claims and runs it
