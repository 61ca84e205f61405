"""The ports and settings every service receives, bundled; bootstrap builds the real one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from activecrowds.domain.crowd import GoldPolicy
from activecrowds.domain.events import RoundDue
from activecrowds.services.gate import KeyedLocks
from activecrowds.services.ports import EventBus, TaskQueue, UnitOfWork

log = logging.getLogger(__name__)


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
    open_registration: bool = False  # registerAnnotator without an invite
    token_ttl_s: float | None = None  # an annotator token's life; None: forever
    gold: GoldPolicy = field(default_factory=GoldPolicy)  # when control answers suspend
    base_url: str = "http://127.0.0.1:8000"  # where clients reach the server (invite links)
    models_dir: Path | None = None  # where rounds store their models; None: they store none
    models_keep: int = 5  # newest models kept per task (the newest and the best always stay)


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
