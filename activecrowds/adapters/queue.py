"""The in-process task queue: rounds run one at a time on the server's event loop.

The embedded default needs no broker. The training itself runs in a worker thread (see
services.rounds), so the server keeps answering while a model trains. dramatiq_queue has the
same port for separate worker processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from activecrowds.services.failures import failure_reason

log = logging.getLogger(__name__)

RoundHandler = Callable[[int, int], Awaitable[object]]
FailureHandler = Callable[[int, int, str], Awaitable[object]]


class InProcessQueue:
    """FIFO of (task id, round number): each round gets one attempt; a failure is reported to
    `on_failure` with its reason (no retries here, unlike Dramatiq: one process, one try)."""

    def __init__(self) -> None:
        self._handler: RoundHandler | None = None
        self._on_failure: FailureHandler | None = None
        self._queue: asyncio.Queue[tuple[int, int]] | None = None
        self._runner: asyncio.Task[None] | None = None

    def bind(self, handler: RoundHandler, on_failure: FailureHandler | None = None) -> None:
        """Set what runs a round and what records its failure (bootstrap wires
        services.rounds.run_training_round and record_round_failure here)."""
        self._handler, self._on_failure = handler, on_failure

    async def enqueue_round(self, task_id: int, number: int) -> None:
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._runner = asyncio.create_task(self._run(), name="activecrowds-rounds")
        await self._queue.put((task_id, number))

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            task_id, number = await self._queue.get()
            try:
                await self._attempt(task_id, number)
            except Exception:  # recording the failure failed too; never let the loop die
                log.exception("round %s of task %s: failure not recorded", number, task_id)
            finally:
                self._queue.task_done()

    async def _attempt(self, task_id: int, number: int) -> None:
        if self._handler is None:
            return
        try:
            await self._handler(task_id, number)
        except Exception as exc:
            log.exception("round %s of task %s failed", number, task_id)
            if self._on_failure is not None:
                await self._on_failure(task_id, number, failure_reason(exc))

    async def join(self) -> None:
        """Wait until every enqueued round has run (tests, shutdown)."""
        if self._queue is not None:
            await self._queue.join()

    async def close(self) -> None:
        """Stop the runner; rounds still queued stay DUE in the database."""
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        self._queue, self._runner = None, None
