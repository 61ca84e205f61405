"""Answer progress, coalesced: from this process at most one BatchProgress per task every
PROGRESS_INTERVAL_S, and the latest figures always handed on.

Every submission's transaction publishes its batch's figures; a crowd answering one batch
publishes hundreds a second, and a dashboard needs a few. They are coalesced here, in each
server's feed, rather than where answers are stored: a submission never waits for a timer or
shares state with other replicas (the figures travel in the event, so the newest replaces
the others whole and nothing is read to merge them), every replica hears every event on the
bus anyway, and only a process with an admin listening spends anything on them (one read of
the task and batch per delivery). Held progress goes out before the task's next other event,
so subscribers still see a task's events in the order they happened.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

from activecrowds.domain.events import BatchProgress

PROGRESS_INTERVAL_S = 0.25  # at most 4 progress events a second per task, per process
KEPT_TASKS = 1000  # tasks whose last delivery time is remembered before old ones are pruned


class Coalescer:
    """Holds each task's newest BatchProgress (per batch) until its interval is over."""

    def __init__(self, interval: float, due: Callable[[int], None]) -> None:
        self.interval = interval
        self._due = due  # called with a task id when what it holds may go out
        self._last: dict[int, float] = {}  # task id -> when progress last went out
        self._held: dict[int, dict[int, BatchProgress]] = {}  # task id -> batch id -> newest
        self._timers: dict[int, asyncio.TimerHandle] = {}

    def hold(self, event: BatchProgress) -> bool:
        """False: send it now (its task's interval is over). True: held, to go out when
        `due` is called for its task or before the task's next other event."""
        loop = asyncio.get_running_loop()
        now, task = loop.time(), event.task_id
        if task not in self._held and now - self._last.get(task, -math.inf) >= self.interval:
            self._last[task] = now
            self._prune(now)
            return False
        self._held.setdefault(task, {})[event.batch_id] = event  # the newest replaces
        if task not in self._timers:
            delay = max(0.0, self._last[task] + self.interval - now)
            self._timers[task] = loop.call_later(delay, self._due, task)
        return True

    def held(self, task_id: int) -> BatchProgress | None:
        """The newest progress the task holds, if any (still held)."""
        held = self._held.get(task_id)
        return next(reversed(held.values())) if held else None

    def take(self, task_id: int) -> list[BatchProgress]:
        """What the task holds (a batch's newest figures each, oldest batch first), handed
        on now."""
        timer = self._timers.pop(task_id, None)
        if timer is not None:
            timer.cancel()
        held = self._held.pop(task_id, None)
        if not held:
            return []
        self._last[task_id] = asyncio.get_running_loop().time()
        return list(held.values())

    def clear(self) -> None:
        """Drop everything held (nobody listens any more)."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._held.clear()
        self._last.clear()

    def _prune(self, now: float) -> None:
        if len(self._last) <= KEPT_TASKS:
            return
        for task, at in list(self._last.items()):
            if now - at >= self.interval and task not in self._held:
                del self._last[task]
