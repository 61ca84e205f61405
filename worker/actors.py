"""The actors: each takes ids only and calls one service."""

from __future__ import annotations

from typing import Any

from activecrowds.adapters.dramatiq_queue import FAILED_ACTOR, ROUND_ACTOR, TRAINING_QUEUE
from activecrowds.config import Settings
from activecrowds.services import rounds
from worker.runtime import Runtime


def failure_reason(message: dict[str, Any]) -> str:
    """The last line of the final attempt's traceback, e.g. 'OSError: cannot read x.png'."""
    lines = str(message.get("options", {}).get("traceback") or "").strip().splitlines()
    if not lines:
        return "the round failed"
    kind, _, text = lines[-1].partition(": ")
    return f"{kind.rsplit('.', 1)[-1]}: {text}"  # without the exception's module path


def declare_actors(broker: Any, runtime: Runtime, settings: Settings) -> None:
    """Register the actors on `broker`, retried per the settings, then reported as failed."""
    import dramatiq

    def run_training_round(task_id: int, number: int) -> None:
        """Run round `number` of a task; a finished round, or one running elsewhere, is skipped."""
        runtime.run(rounds.run_training_round(runtime.ctx, task_id, number))

    def round_failed(message: dict[str, Any], retries: dict[str, Any]) -> None:
        """The round's last retry failed: the task is FAILED with the reason (and TaskFailed)."""
        task_id, number = message["args"]
        error = failure_reason(message)
        runtime.run(rounds.record_round_failure(runtime.ctx, task_id, number, error))

    dramatiq.actor(
        broker=broker,
        actor_name=ROUND_ACTOR,
        queue_name=TRAINING_QUEUE,
        max_retries=settings.round_retries,
        min_backoff=settings.retry_backoff_ms,
        max_backoff=max(settings.retry_backoff_ms, 300_000),
        on_retry_exhausted=FAILED_ACTOR,
        time_limit=24 * 3600 * 1000,  # fine-tuning may take hours; the lease guards the rest
    )(run_training_round)
    dramatiq.actor(broker=broker, actor_name=FAILED_ACTOR, queue_name=TRAINING_QUEUE)(round_failed)
