"""The HTTP server's own limits: a deadline for headers, the idle timeout, a connection cap;
and the GIL's switch interval, for the event loop beside the thread preparing documents.

uvicorn closes a connection idle between requests (keep-alive, 5 s) and answers 503 past its
concurrency cap, but sets no deadline for a request's headers: a client that connects and never
finishes them holds its connection, and its place under the cap, forever. HeaderDeadline closes
a connection whose request headers are not complete `read_timeout_s` after it connected or sent
the request's first byte; dribbling bytes does not move the deadline. A body has its own deadline
(limits.py), a WebSocket its connection_init timeout (app.py).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from activecrowds.config import Settings

KEEP_ALIVE_S = 5  # uvicorn's default, said here: the idle timeout between requests
# The event loop shares the GIL with the thread that prepares documents (graphql/documents.py).
# Python hands the GIL over every 5 ms by default, so while a document is being prepared each
# step of the loop waits up to 5 ms for it (20 steps: +100 ms on a request). Every 0.5 ms
# instead: measured, a loop step's wait drops from 5-7 ms to 0.7 ms (p50).
GIL_SWITCH_S = 0.0005


class ServerConfig(uvicorn.Config):
    """uvicorn's configuration with the settings' read timeout and connection cap."""

    def __init__(self, app: Any, settings: Settings, **options: Any) -> None:
        super().__init__(
            app,
            http=HeaderDeadline,
            limit_concurrency=settings.max_connections,
            timeout_keep_alive=KEEP_ALIVE_S,
            # X-Forwarded-For is read by the app, from ACTIVECROWDS_TRUSTED_PROXIES only
            # (uvicorn's own default trusts 127.0.0.1, or its FORWARDED_ALLOW_IPS variable).
            proxy_headers=False,
            **options,
        )
        self.header_timeout_s = settings.read_timeout_s

    def load(self) -> None:
        """uvicorn's loading, once in each serving process, and the GIL's switch interval."""
        super().load()
        sys.setswitchinterval(GIL_SWITCH_S)


class HeaderDeadline(HttpToolsProtocol):
    """uvicorn's HTTP protocol, closing connections whose request headers come too late."""

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.header_timeout_s: float = getattr(config, "header_timeout_s", Settings.read_timeout_s)
        self._deadline: asyncio.TimerHandle | None = None
        self._awaited_after: object = None  # the request before the one whose headers are due

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        # Bytes while no request runs start the next request: its headers are due from now.
        idle = self.cycle is None or self.cycle.response_complete
        if idle and (self._deadline is None or self._awaited_after is not self.cycle):
            self._arm()
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._awaited_after = self.cycle
        self._deadline = self.loop.call_later(self.header_timeout_s, self._expire)

    def _expire(self) -> None:
        self._deadline = None
        started = self.cycle is not self._awaited_after  # the headers came: a request runs
        upgraded = self.transport.get_protocol() is not self  # now a WebSocket
        if not (started or upgraded or self.transport.is_closing()):
            self.transport.close()
