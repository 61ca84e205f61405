"""Dramatiq middleware: the application's life in a worker process, and rounds that fail for good.

Dramatiq's AsyncIO middleware runs one event-loop thread; the async actors run on it, and so does
everything here (bootstrap, the outbox relay, recording a failure), so the engine's connection
pool only ever sees one loop. Order in the broker's list matters: `before_` hooks run in list
order and `after_` hooks in reverse, so AsyncIO goes first (its loop starts first, stops last)
and RoundFailures goes before Retries (it hears of a message after Retries has judged it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any

from dramatiq import Broker, Middleware, Worker
from dramatiq.asyncio import EventLoopThread, get_event_loop_thread
from dramatiq.broker import MessageProxy
from dramatiq.middleware import MiddlewareError

from activecrowds.adapters.dramatiq_queue import ROUND_ACTOR
from activecrowds.bootstrap import App, bootstrap
from activecrowds.config import Settings
from activecrowds.services import rounds
from activecrowds.services.context import Context
from activecrowds.services.failures import failure_reason
from activecrowds.services.outbox import run_relay

RecordFailure = Callable[[int, int, str], Awaitable[None]]


class BootFailed(MiddlewareError):
    """The application could not be wired; a MiddlewareError, so worker.start() raises it."""


def event_loop() -> EventLoopThread:
    """The loop thread of Dramatiq's AsyncIO middleware (running from worker boot to shutdown)."""
    thread = get_event_loop_thread()
    if thread is None:
        raise RuntimeError("dramatiq.middleware.AsyncIO must come before this middleware")
    return thread


class AppLifecycle(Middleware):
    """Wires the application before the first message, runs the outbox relay while the worker
    works, and closes the application once the worker threads have stopped."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._app: App | None = None
        self._relay: Future[None] | None = None

    @property
    def ctx(self) -> Context:
        """The services' context, from worker boot on."""
        if self._app is None:
            raise RuntimeError("the worker has not booted")
        return self._app.ctx

    async def record_failure(self, task_id: int, number: int, error: str) -> None:
        """The round and its task are FAILED with `error` (and TaskFailed is published)."""
        await rounds.record_round_failure(self.ctx, task_id, number, error)

    def before_worker_boot(self, broker: Broker, worker: Worker) -> None:
        # Not after boot: worker threads take messages as soon as they start.
        wiring = bootstrap(self.settings, resume_rounds=False)
        try:
            self._app = event_loop().run_coroutine(wiring)
        except Exception as exc:
            raise BootFailed(f"the worker could not start: {exc!r}") from exc

    def after_worker_boot(self, broker: Broker, worker: Worker) -> None:
        # The relay sends the rounds nobody took; a fraction of resend_after_s keeps it prompt.
        interval = max(0.2, min(5.0, self.settings.resend_after_s / 4))
        relay = run_relay(self.ctx, interval)
        self._relay = asyncio.run_coroutine_threadsafe(relay, event_loop().loop)

    def before_worker_shutdown(self, broker: Broker, worker: Worker) -> None:
        # A process going away sends nothing more; another worker's relay takes over.
        if self._relay is not None:
            self._relay.cancel()

    def after_worker_shutdown(self, broker: Broker, worker: Worker) -> None:
        # A round still running past the stop timeout is abandoned: its lease runs out and a
        # relay re-sends it.
        if self._app is not None:
            event_loop().run_coroutine(self._app.close())
            self._app = None


class RoundFailures(Middleware):
    """Once Retries gives up on a round's message, records the round FAILED with the reason
    taken from the exception itself (what the last attempt raised)."""

    def __init__(self, record: RecordFailure) -> None:
        self._record = record

    def after_process_message(
        self,
        broker: Broker,
        message: MessageProxy,
        *,
        result: Any | None = None,
        exception: BaseException | None = None,
    ) -> None:
        # `failed` is Retries' verdict: no attempt is left. A failure to record is logged by
        # Dramatiq; the round stays due, so a relay re-sends it and the retries start over.
        if exception is None or not message.failed or message.actor_name != ROUND_ACTOR:
            return
        task_id, number = message.args
        event_loop().run_coroutine(self._record(task_id, number, failure_reason(exception)))
