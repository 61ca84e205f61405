"""Request bodies: at most MAX_BODY bytes, arriving within the read timeout, or no request.

The limit is counted on the stream, not taken from Content-Length: a chunked body declares no
length. The body is read whole before the app sees the request (the GraphQL view buffers it
anyway), so a body over the limit is answered 413 and never reaches a resolver, and a client
that stops sending mid-body gets 408 instead of holding a task. Upload routes (`streamed`
path prefixes) read their bodies themselves, under their own limits (server/uploads.py), and so
do multipart POSTs to `multipart` paths (/graphql's file uploads, admin only: server/classify.py).
"""

from __future__ import annotations

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 1 << 20  # 1 MiB: far more than any valid request needs


class _TooLarge(Exception):
    """The body went past MAX_BODY."""


class _Disconnected(Exception):
    """The client went away before its body was complete."""


class BodyLimit:
    """Reads each HTTP body first: refuses one over `max_body` (413) or late (408)."""

    def __init__(
        self,
        app: ASGIApp,
        read_timeout_s: float,
        max_body: int = MAX_BODY,
        streamed: tuple[str, ...] = (),
        multipart: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.read_timeout_s = read_timeout_s
        self.max_body = max_body
        self.streamed = streamed
        self.multipart = multipart  # paths whose multipart POSTs are limited by the app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._passes(scope):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        try:
            if declared.isdigit() and int(declared) > self.max_body:
                raise _TooLarge
            body = await asyncio.wait_for(self._read(receive), self.read_timeout_s)
        except _TooLarge:
            await _refuse(413, "request body too large", scope, receive, send)
            return
        except TimeoutError:
            await _refuse(408, "request body not sent in time", scope, receive, send)
            return
        except _Disconnected:
            return
        await self.app(scope, _replay(body, receive), send)

    def _passes(self, scope: Scope) -> bool:
        """A POST whose handler reads (and limits) its own body: to an upload route, or a
        multipart one to a `multipart` path (GraphQL uploads: server/classify.py)."""
        if scope.get("method") != "POST":
            return False
        path = str(scope.get("path", ""))
        if path.startswith(self.streamed):
            return True
        kind = dict(scope.get("headers") or []).get(b"content-type", b"")
        return path in self.multipart and kind.lower().startswith(b"multipart/form-data")

    async def _read(self, receive: Receive) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body read already, then whatever the client sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(status: int, error: str, scope: Scope, receive: Receive, send: Send) -> None:
    # The rest of the body is not read: the connection closes after this answer.
    response = JSONResponse({"error": error}, status_code=status, headers={"Connection": "close"})
    await response(scope, receive, send)
