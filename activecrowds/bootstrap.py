"""The one place that wires adapters to services, from settings."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from activecrowds.adapters import db
from activecrowds.adapters.bus import InMemoryEventBus
from activecrowds.adapters.queue import InProcessQueue
from activecrowds.adapters.uow import SqlUnitOfWork
from activecrowds.config import Settings, load_settings
from activecrowds.services.auth import hash_token
from activecrowds.services.context import Context
from activecrowds.services.rounds import pending_rounds, record_round_failure, run_training_round

log = logging.getLogger(__name__)


@dataclass
class App:
    """The wired application: settings, engine, ports and the services' context."""

    settings: Settings
    engine: AsyncEngine
    ctx: Context
    queue: InProcessQueue
    bus: InMemoryEventBus

    @property
    def media_key(self) -> bytes:
        """Signs media URLs; derived from the admin token so nothing else needs keeping."""
        token = self.settings.admin_token.encode()
        return hmac.new(token, b"activecrowds-media", hashlib.sha256).digest()

    async def close(self) -> None:
        await self.queue.close()
        await self.engine.dispose()


async def bootstrap(
    settings: Settings | None = None,
    *,
    migrate: bool = True,
    resume_rounds: bool = True,
    build_model: Callable[..., Any] | None = None,
) -> App:
    """Migrate the database, build engine, queue and bus, and re-send rounds left due."""
    settings = settings or load_settings()
    if migrate:
        await asyncio.to_thread(db.upgrade, settings.database_url)
    engine = db.create_engine(settings.database_url)
    queue, bus = InProcessQueue(), InMemoryEventBus()

    def uow(write: bool = True) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, write=write)

    ctx = Context(
        uow=uow,
        queue=queue,
        bus=bus,
        admin_token_hash=hash_token(settings.admin_token),
        datasets_dir=settings.datasets_dir,
        cache_dir=settings.cache_dir,
        device=None if settings.device == "auto" else settings.device,
        build_model=build_model,
    )
    queue.bind(lambda task_id, number: run_round_or_fail(ctx, task_id, number))
    if resume_rounds:
        for task_id, number in await pending_rounds(ctx):
            await queue.enqueue_round(task_id, number)
    return App(settings, engine, ctx, queue, bus)


async def run_round_or_fail(ctx: Context, task_id: int, number: int) -> None:
    """The in-process queue's handler: one attempt; a failure marks the task FAILED."""
    try:
        await run_training_round(ctx, task_id, number)
    except Exception as exc:
        log.exception("round %s of task %s failed", number, task_id)
        await record_round_failure(ctx, task_id, number, f"{type(exc).__name__}: {exc}")
