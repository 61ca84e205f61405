"""The one place that wires adapters to services, from settings."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from activecrowds.adapters import db
from activecrowds.adapters.bus import InMemoryEventBus
from activecrowds.adapters.dramatiq_queue import DramatiqQueue, make_broker
from activecrowds.adapters.queue import InProcessQueue
from activecrowds.adapters.redis_bus import RedisEventBus
from activecrowds.adapters.uow import SqlUnitOfWork
from activecrowds.config import Settings, load_settings
from activecrowds.domain.crowd import GoldPolicy
from activecrowds.domain.events import Event
from activecrowds.services.auth import hash_token
from activecrowds.services.context import Context
from activecrowds.services.ports import EventBus, TaskQueue
from activecrowds.services.rounds import pending_rounds, record_round_failure, run_training_round


class RoundQueue(TaskQueue, Protocol):
    async def join(self) -> None: ...

    async def close(self) -> None: ...


class Bus(EventBus, Protocol):
    def subscribe(self) -> AsyncIterator[Event]: ...

    async def close(self) -> None: ...


@dataclass
class App:
    """The wired application: settings, engine, ports and the services' context."""

    settings: Settings
    engine: AsyncEngine
    ctx: Context
    queue: RoundQueue
    bus: Bus

    @property
    def media_key(self) -> bytes:
        """Signs media URLs; derived from the admin token so nothing else needs keeping."""
        token = self.settings.admin_token.encode()
        return hmac.new(token, b"activecrowds-media", hashlib.sha256).digest()

    async def close(self) -> None:
        await self.queue.close()
        await self.bus.close()
        await self.engine.dispose()


async def bootstrap(
    settings: Settings | None = None,
    *,
    migrate: bool = True,
    resume_rounds: bool = True,
    build_model: Callable[..., Any] | None = None,
    queue: RoundQueue | None = None,
    bus: Bus | None = None,
) -> App:
    """Migrate the database, build engine, queue and bus, and re-send rounds left due.

    Without Redis (the embedded default) rounds run in this process and events stay in it; with
    ACTIVECROWDS_REDIS_URL rounds go to Dramatiq workers and events to Redis pub/sub, and the
    workers' outbox relay re-sends rounds (so `resume_rounds` applies to the embedded default).
    A `queue` or `bus` given replaces the one the settings would choose (tests pass fakes).
    """
    settings = settings or load_settings()
    if migrate:
        await asyncio.to_thread(db.upgrade, settings.database_url)
    engine = db.create_engine(settings.database_url)
    queue = _queue(settings) if queue is None else queue
    bus = _bus(settings) if bus is None else bus

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
        round_lease_s=settings.round_lease_s,
        resend_after_s=settings.resend_after_s,
        retry_wait_s=settings.retry_wait_s,
        open_registration=settings.open_registration,
        token_ttl_s=settings.token_ttl_days * 86_400 or None,
        gold=GoldPolicy(
            settings.gold_min_answers, settings.gold_min_accuracy, settings.gold_confidence
        ),
        base_url=settings.base_url,
        models_dir=settings.models_dir,
        models_keep=settings.models_keep,
    )
    if isinstance(queue, InProcessQueue):
        queue.bind(partial(run_training_round, ctx), partial(record_round_failure, ctx))
        if resume_rounds:
            for task_id, number in await pending_rounds(ctx):
                await queue.enqueue_round(task_id, number)
    return App(settings, engine, ctx, queue, bus)


def _queue(settings: Settings) -> RoundQueue:
    """Rounds in this process, or on Dramatiq workers when Redis is set."""
    if settings.redis_url is None:
        return InProcessQueue()
    return DramatiqQueue(make_broker(settings.redis_url))


def _bus(settings: Settings) -> Bus:
    """Events within this process, or over Redis pub/sub when Redis is set."""
    if settings.redis_url is None:
        return InMemoryEventBus()
    return RedisEventBus(settings.redis_url)
