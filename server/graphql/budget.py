"""An amount each caller may spend per minute (query cost, CPU time preparing documents), and
one turn at a time per caller.

A fixed window per caller, as GitHub's rate limit: the whole amount comes back when the caller's
minute is up. Kept in this process: each server replica counts its own callers.
"""

from __future__ import annotations

import time
from collections.abc import Callable

WINDOW_S = 60.0
MAX_CALLERS = 100_000  # past this many, finished windows are forgotten


class Budget:
    """`per_minute` for each key, spent by `spend` and back in full when the key's minute ends."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._windows: dict[str, tuple[float, float]] = {}  # key -> (window start, spent)

    def remaining(self, key: str) -> float:
        return self.per_minute - self._current(key)[1]

    def resets_in(self, key: str) -> float:
        """Seconds until `key` has its whole budget again."""
        return max(0.0, self._current(key)[0] + WINDOW_S - self.clock())

    def spend(self, key: str, amount: float) -> None:
        """Take `amount` from the key's minute (a negative amount gives back)."""
        start, spent = self._current(key)
        self._windows[key] = (start, spent + amount)

    def _current(self, key: str) -> tuple[float, float]:
        now = self.clock()
        window = self._windows.get(key)
        if window is not None and now - window[0] < WINDOW_S:
            return window
        if len(self._windows) >= MAX_CALLERS:
            self._windows = {k: w for k, w in self._windows.items() if now - w[0] < WINDOW_S}
        self._windows[key] = (now, 0.0)
        return self._windows[key]
