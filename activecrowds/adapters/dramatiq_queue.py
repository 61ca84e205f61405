"""The Dramatiq task queue on Redis: servers send round messages (ids only) to the `training`
queue; `activecrowds worker` processes (worker/) declare the actors and run them."""

from __future__ import annotations

import asyncio
from typing import Any

TRAINING_QUEUE = "training"
ROUND_ACTOR = "run_training_round"


def make_broker(url: str) -> Any:
    """A Redis broker (nothing connects until a message is sent or fetched)."""
    from dramatiq.brokers.redis import RedisBroker

    return RedisBroker(url=url)


def round_message(task_id: int, number: int) -> Any:
    """The message `run_training_round(task_id, number)` on the training queue."""
    from dramatiq import Message

    return Message(
        queue_name=TRAINING_QUEUE,
        actor_name=ROUND_ACTOR,
        args=(task_id, number),
        kwargs={},
        options={},
    )


class DramatiqQueue:
    """The TaskQueue port over a Dramatiq broker; raises when the broker cannot be reached."""

    def __init__(self, broker: Any) -> None:
        self.broker = broker

    async def enqueue_round(self, task_id: int, number: int) -> None:
        await asyncio.to_thread(self.broker.enqueue, round_message(task_id, number))

    async def join(self) -> None:
        """Nothing to wait for here: rounds run in other processes."""

    async def close(self) -> None:
        await asyncio.to_thread(self.broker.close)
