"""The in-process task queue and the in-memory event bus."""

from __future__ import annotations

import asyncio

from activecrowds.adapters.bus import InMemoryEventBus
from activecrowds.adapters.queue import InProcessQueue
from activecrowds.domain.errors import ModelError
from activecrowds.domain.events import RoundDue, TaskCreated
from activecrowds.services.failures import failure_reason


async def test_rounds_run_in_order_one_at_a_time_and_a_failure_does_not_stop_the_queue() -> None:
    ran: list[tuple[int, int]] = []
    running = 0

    async def handler(task_id: int, number: int) -> None:
        nonlocal running
        running += 1
        assert running == 1
        await asyncio.sleep(0.001)
        running -= 1
        if number == 1:
            raise RuntimeError("boom")
        ran.append((task_id, number))

    queue = InProcessQueue()
    queue.bind(handler)
    for n in range(4):
        await queue.enqueue_round(7, n)
    await queue.join()
    assert ran == [(7, 0), (7, 2), (7, 3)]
    await queue.close()


async def test_a_failed_round_is_reported_with_the_reason_the_worker_gives() -> None:
    # Given a queue whose rounds cannot read their images
    async def handler(task_id: int, number: int) -> None:
        raise ModelError("cannot read image x.png")

    failures: list[tuple[int, int, str]] = []

    async def on_failure(task_id: int, number: int, error: str) -> None:
        failures.append((task_id, number, error))

    queue = InProcessQueue()
    queue.bind(handler, on_failure)
    # When a round runs
    await queue.enqueue_round(7, 1)
    await queue.join()
    # Then its one attempt is reported failed, worded as a Dramatiq worker words it
    assert failures == [(7, 1, failure_reason(ModelError("cannot read image x.png")))]
    assert failures[0][2] == "ModelError: cannot read image x.png"
    await queue.close()


async def test_bus_delivers_in_order_to_every_subscriber() -> None:
    bus = InMemoryEventBus()
    one, two = bus.subscribe(), bus.subscribe()
    first = asyncio.ensure_future(anext(one))
    second = asyncio.ensure_future(anext(two))
    await asyncio.sleep(0)
    await bus.publish([TaskCreated(1), RoundDue(1, 0)])
    assert await first == TaskCreated(1) and await second == TaskCreated(1)
    assert await anext(one) == RoundDue(1, 0)
    await one.aclose()
    await two.aclose()


async def test_keyed_locks_serialise_per_key_and_forget_idle_keys() -> None:
    from activecrowds.services.gate import KeyedLocks

    gate = KeyedLocks()
    inside: dict[str, int] = {"a": 0, "b": 0}
    most: dict[str, int] = {"a": 0, "b": 0}

    async def work(key: str) -> None:
        async with gate.hold(key):
            inside[key] += 1
            most[key] = max(most[key], inside[key])
            await asyncio.sleep(0.001)
            inside[key] -= 1

    await asyncio.gather(*(work(k) for k in "abababab"))
    assert most == {"a": 1, "b": 1}
    assert len(gate) == 0
