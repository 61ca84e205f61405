"""The actors: each takes ids only and calls one service."""

from __future__ import annotations

from collections.abc import Callable

import dramatiq
from dramatiq import Broker

from activecrowds.adapters.dramatiq_queue import ROUND_ACTOR, TRAINING_QUEUE
from activecrowds.config import Settings
from activecrowds.services import rounds
from activecrowds.services.context import Context


def declare_actors(broker: Broker, ctx: Callable[[], Context], settings: Settings) -> None:
    """Register the actors on `broker`, retried with backoff per the settings.

    `ctx` gives the services' context once the worker has booted (see AppLifecycle); what
    happens after the last retry is RoundFailures' job.
    """

    async def run_training_round(task_id: int, number: int) -> None:
        """Run round `number` of a task; a finished round, or one running elsewhere, is skipped."""
        await rounds.run_training_round(ctx(), task_id, number)

    dramatiq.actor(
        broker=broker,
        actor_name=ROUND_ACTOR,
        queue_name=TRAINING_QUEUE,
        max_retries=settings.round_retries,
        min_backoff=settings.retry_backoff_ms,
        max_backoff=max(settings.retry_backoff_ms, 300_000),
        time_limit=24 * 3600 * 1000,  # fine-tuning may take hours; the lease guards the rest
    )(run_training_round)
