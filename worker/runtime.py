"""An event loop in a thread of the worker process: the async services run there, and
Dramatiq's worker threads wait for their results."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from activecrowds.bootstrap import App, bootstrap
from activecrowds.config import Settings
from activecrowds.services.context import Context
from activecrowds.services.outbox import run_relay

T = TypeVar("T")


class Runtime:
    """The wired application (Dramatiq queue, Redis bus) and the outbox relay, on one loop."""

    def __init__(self, settings: Settings, build_model: Any = None) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="ac-loop", daemon=True)
        self._thread.start()
        self.app: App = self.run(bootstrap(settings, resume_rounds=False, build_model=build_model))
        interval = max(0.2, min(5.0, settings.resend_after_s / 4))
        self._relay: Future[None] = asyncio.run_coroutine_threadsafe(
            run_relay(self.app.ctx, interval), self.loop
        )

    @property
    def ctx(self) -> Context:
        return self.app.ctx

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the loop and wait for its result (from any thread)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        self._relay.cancel()
        self.run(self.app.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
