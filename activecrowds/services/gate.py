"""Per-key asyncio locks: queue work on one batch inside a process before it reaches the DB.

Correctness never rests on these (the database's row lock does that, across replicas); they
keep a crowd answering one batch from piling up as lock waiters in the database, each holding a
pooled connection and all waking at every commit. `gather` goes further: what queued while the
key was held is applied together by the next holder, in one transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any


class KeyedLocks:
    """One asyncio.Lock per key, forgotten when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}
        self._queued: dict[Hashable, list[Any]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def gather(
        self, key: Hashable, item: Any, run: Callable[[list[Any]], Awaitable[None]]
    ) -> None:
        """Queue `item`; the next holder of `key` runs `run` once on everything queued by then.

        When this returns, `run` has been given `item` (by this caller or an earlier holder) or
        is running with it. `run` goes on if its caller is cancelled (it may be applying other
        callers' items): it must settle every item itself, never raise.
        """
        queue = self._queued.setdefault(key, [])
        queue.append(item)
        try:
            async with self.hold(key):
                items = self._queued.pop(key, [])
                if items:
                    await asyncio.shield(run(items))
        except BaseException:
            # Cancelled before any holder took the queue (still the key's): nobody will run
            # this item now, so it must not wait there for a later caller's run.
            if self._queued.get(key) is queue:
                queue.remove(item)
                if not queue:
                    del self._queued[key]
            raise

    def __len__(self) -> int:
        return len(self._locks)
