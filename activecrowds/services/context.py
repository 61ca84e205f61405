"""What services need from the outside world (ports), bundled; bootstrap builds the real one."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from activecrowds.domain.events import Event, RoundDue
from activecrowds.services.gate import KeyedLocks

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from activecrowds.adapters.repositories import (
        AnnotatorRepository,
        AnswerRepository,
        BatchRepository,
        RoundRepository,
        SampleRepository,
        TaskRepository,
    )


class UnitOfWork(Protocol):
    """One transaction and its repositories (the repository classes are the port contract)."""

    tasks: TaskRepository
    samples: SampleRepository
    batches: BatchRepository
    answers: AnswerRepository
    rounds: RoundRepository
    annotators: AnnotatorRepository
    events: list[Event]

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def collect(self, event: Event) -> None: ...

    async def commit(self) -> None: ...


class TaskQueue(Protocol):
    """Sends `run_training_round(task_id, number)` somewhere that will run it (ids only)."""

    async def enqueue_round(self, task_id: int, number: int) -> None: ...


class EventBus(Protocol):
    """Publishes committed events to whoever listens (subscriptions, dashboards)."""

    async def publish(self, events: Sequence[Event]) -> None: ...


@dataclass
class Context:
    """The ports and settings every service receives as its first argument."""

    uow: Callable[..., UnitOfWork]  # uow(write=False) for read-only work
    queue: TaskQueue
    bus: EventBus
    admin_token_hash: str
    datasets_dir: Path
    cache_dir: Path
    device: str | None = None  # None: CUDA when present, else CPU
    build_model: Callable[..., Any] | None = None  # None: activecrowds_ml.models.build_model
    gate: KeyedLocks = field(default_factory=KeyedLocks)  # in-process queueing per batch
    round_lease_s: float = 60.0  # a running round is its runner's this long, renewed meanwhile
    resend_after_s: float = 60.0  # the relay re-sends a round not started this long after sending
    retry_wait_s: float = 360.0  # after a failed attempt, the relay waits this long for the retry


async def commit_and_publish(ctx: Context, uow: UnitOfWork) -> None:
    """Commit, then hand every event to the bus and due rounds to the queue.

    Nothing is sent before the commit: a rolled-back transaction never starts a round. The
    DUE round row is the durable record if the process dies in between (see pending_rounds).
    """
    await uow.commit()
    events, uow.events = list(uow.events), []
    # Publish before sending: what the round publishes then always comes after (per-task order).
    if events:
        await ctx.bus.publish(events)
    for event in events:
        if isinstance(event, RoundDue):
            try:
                await ctx.queue.enqueue_round(event.task_id, event.number)
            except Exception as exc:  # committed: the DUE row stays, and the relay sends it
                log.warning("round %s of task %s not sent: %r", event.number, event.task_id, exc)
