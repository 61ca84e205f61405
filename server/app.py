"""The Starlette app: /graphql (POST, GET with GraphiQL), /media/{id}, /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET, UnsetType

from activecrowds.bootstrap import App, bootstrap
from activecrowds.config import Settings
from activecrowds.services import auth, queries
from activecrowds.services.demo import ensure_demo_task
from server.graphql.context import RequestContext, authenticate_connection, build_context
from server.graphql.schema import build_schema
from server.graphql.subscriptions.feed import EventFeed
from server.graphql.subscriptions.transport import SharedEventsTransport
from server.media import serve_media

MAX_BODY = 1 << 20  # 1 MiB: far more than any valid request needs


class GraphQLApp(GraphQL[RequestContext, None]):
    """Strawberry's ASGI app with our per-request context."""

    graphql_transport_ws_handler_class = SharedEventsTransport

    async def get_context(self, request: Request | WebSocket, response: Any) -> RequestContext:
        token = auth.bearer_token(request.headers.get("authorization"))
        return await build_context(request, token)

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        """Refuse a WebSocket (4403) without a valid token in connection_init or headers."""
        if not await authenticate_connection(context):
            raise ConnectionRejectionError()
        return UNSET


async def healthz(request: Request) -> Response:
    """200 when the database answers."""
    await queries.ping(request.app.state.activecrowds.ctx)
    return JSONResponse({"status": "ok"})


class BodyLimit:
    """Refuse requests declaring a body larger than MAX_BODY before reading it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers") or []).get(b"content-length", b"0")
            if length.isdigit() and int(length) > MAX_BODY:
                response = JSONResponse({"error": "request body too large"}, status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(
    app: App | None = None,
    settings: Settings | None = None,
    build_model: Callable[..., Any] | None = None,
    demo_dataset: Path | None = None,
) -> Starlette:
    """The ASGI app; without `app` it bootstraps one (migrations included) at startup, and
    with `demo_dataset` creates the demo task there when no task exists yet."""

    @asynccontextmanager
    async def lifespan(star: Starlette) -> AsyncIterator[None]:
        wired = app or await bootstrap(settings, build_model=build_model)
        star.state.activecrowds = wired
        star.state.feed = EventFeed(wired.ctx, wired.bus)
        if demo_dataset is not None:
            await ensure_demo_task(wired.ctx, demo_dataset)
        try:
            yield
        finally:
            if app is None:
                await wired.close()

    graphql = GraphQLApp(build_schema())
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),  # graphql-transport-ws, for subscriptions
        Route("/media/{sample_id}", serve_media, methods=["GET"]),  # any text: media.py reads it
        Route("/healthz", healthz, methods=["GET"]),
    ]
    star = Starlette(routes=routes, lifespan=lifespan)
    if app is not None:
        star.state.activecrowds = app
        star.state.feed = EventFeed(app.ctx, app.bus)
    star.add_middleware(BodyLimit)
    return star
