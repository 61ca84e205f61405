"""Rate limits: how many times a key (a caller, an address) may do something per window.

A fixed window per key, as GitHub's rate limit and the gate's budgets count: the window starts
at the key's first hit and the whole allowance comes back when it ends. One request checks
several keys at once (its address, its caller, what it does) and is counted against all of
them or, when any is full, against none: a caller refused by its own limit does not use up
the address it shares with others behind one NAT.

In the embedded default the counts live in this process; with Redis every replica and server
process counts in the same keys (`activecrowds:rl:<key>`), one Lua script per request, so a
limit holds however many replicas a load balancer spreads a client over. A Redis outage must
not stop annotators: while Redis does not answer, each process counts on its own (fails open
to per-process limits) and logs a warning at most every LOG_EVERY_S.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

log = logging.getLogger(__name__)

WINDOW_S = 60.0
KEY_PREFIX = "activecrowds:rl:"
MAX_KEYS = 100_000  # in memory: past this many, finished windows are forgotten
REDIS_TIMEOUT_S = 0.5  # a request waits no longer than this for Redis before counting locally
RETRY_REDIS_S = 1.0  # after a failure, Redis is tried again this much later
LOG_EVERY_S = 60.0


@dataclass(frozen=True)
class Hit:
    """`cost` more of what `key` may do `limit` times per window."""

    key: str
    limit: int
    cost: int = 1


class RateLimiter(Protocol):
    """Counts hits per key and window; refuses the hits that do not fit."""

    async def hit(self, hits: Sequence[Hit]) -> float | None:
        """Count every hit when each fits in its key's window: None. Else count none, and
        return the seconds until the fullest key's window ends."""
        ...

    async def close(self) -> None: ...


class InMemoryRateLimiter:
    """Windows in this process; `hit` never awaits, so one event loop counts it atomically."""

    def __init__(
        self, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window_s = window_s
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window start, used)

    async def hit(self, hits: Sequence[Hit]) -> float | None:
        return self.hit_now(hits)

    def hit_now(self, hits: Sequence[Hit]) -> float | None:
        """`hit`, synchronously."""
        now = self.clock()
        windows = [self._current(h.key, now) for h in hits]
        waits = [
            start + self.window_s - now
            for h, (start, used) in zip(hits, windows, strict=True)
            if used + h.cost > h.limit
        ]
        if waits:
            return max(waits)
        for h, (start, used) in zip(hits, windows, strict=True):
            self._windows[h.key] = (start, used + h.cost)
        return None

    async def close(self) -> None:
        self._windows.clear()

    def _current(self, key: str, now: float) -> tuple[float, int]:
        window = self._windows.get(key)
        if window is not None and now - window[0] < self.window_s:
            return window
        if len(self._windows) >= MAX_KEYS:
            self._windows = {k: w for k, w in self._windows.items() if now - w[0] < self.window_s}
        return (now, 0)


# KEYS: the counters; ARGV: the window in ms, then each key's limit and cost. Checks every key
# first and counts only when all fit; returns 0, or the longest wait in ms.
HIT_SCRIPT = """
local window = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local used = tonumber(redis.call('GET', key) or '0')
  if used + tonumber(ARGV[2 * i + 1]) > tonumber(ARGV[2 * i]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then ttl = window end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('INCRBY', key, ARGV[2 * i + 1])
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, window) end
end
return 0
"""


class RedisRateLimiter:
    """Windows in Redis, shared by every process using it; per-process while Redis is away."""

    def __init__(self, url: str, prefix: str = KEY_PREFIX, window_s: float = WINDOW_S) -> None:
        self.url = url
        self.prefix = prefix
        self.window_s = window_s
        self._client: Redis | None = None
        self._script: AsyncScript | None = None
        self._local = InMemoryRateLimiter(window_s)
        self._retry_at = 0.0  # monotonic time before which Redis is not asked again
        self._logged_at = -math.inf

    async def hit(self, hits: Sequence[Hit]) -> float | None:
        if not hits:
            return None
        if time.monotonic() < self._retry_at:
            return self._local.hit_now(hits)
        args = [int(self.window_s * 1000)]
        for h in hits:
            args += [h.limit, h.cost]
        try:
            keys = [self.prefix + h.key for h in hits]
            wait_ms = await self._hit_script()(keys, args)
        except Exception as error:  # redis.RedisError, OSError: fail open, see the docstring
            self._unavailable(error)
            return self._local.hit_now(hits)
        return int(wait_ms) / 1000 if int(wait_ms) > 0 else None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = self._script = None

    def _hit_script(self) -> AsyncScript:
        """HIT_SCRIPT on a client created on first use, in the loop that uses it; sent by its
        hash (EVALSHA), in full only when Redis does not know it yet."""
        if self._script is None:
            import redis.asyncio as redis

            self._client = redis.from_url(
                self.url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
            )
            self._script = self._client.register_script(HIT_SCRIPT)
        return self._script

    def _unavailable(self, error: Exception) -> None:
        now = time.monotonic()
        self._retry_at = now + RETRY_REDIS_S
        if now - self._logged_at >= LOG_EVERY_S:
            self._logged_at = now
            log.warning("rate limits: Redis unavailable (%r); counting in this process", error)


def rate_limiter(redis_url: str | None) -> RateLimiter:
    """In this process in the embedded default; in Redis, across replicas, when it is set."""
    if redis_url is None:
        return InMemoryRateLimiter()
    return RedisRateLimiter(redis_url)
