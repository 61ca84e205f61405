"""The Starlette app: /graphql (POST, GET with GraphiQL, WebSocket), /media/{id},
/models/{id}/{format}, /classify/{taskId} (POST),
/export/{taskId}.{jsonl|csv|zip}, POST /datasets, GET /datasets/{name}/files/{file},
POST /tasks/{taskId}/samples, /healthz."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from cross_web import AsyncHTTPRequestAdapter
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from activecrowds.adapters.rate_limits import RateLimiter, rate_limiter
from activecrowds.bootstrap import App, bootstrap
from activecrowds.config import Settings, load_settings
from activecrowds.services import auth, queries
from activecrowds.services.classify import LoadedModels
from activecrowds.services.demo import ensure_demo_task
from server.classify import GraphQLUploads, serve_classify
from server.dataset_files import serve_dataset_file
from server.datasets import add_samples, upload_dataset
from server.downloads import serve_model
from server.exports import serve_export
from server.graphql.context import (
    RequestContext,
    authenticate_connection,
    build_context,
    callers_of,
)
from server.graphql.documents import ADMITTED
from server.graphql.gate import REFUSALS, Gate, Who
from server.graphql.schema import Schema, build_schema
from server.graphql.subscriptions.feed import EventFeed
from server.graphql.subscriptions.transport import SharedEventsTransport
from server.graphql.trusted import Manifest
from server.headers import SecurityHeaders, page_policy
from server.limits import BodyLimit
from server.media import serve_media
from server.ratelimit import RateLimits
from server.static import static_routes
from server.uploads import UPLOAD_PATHS


class TransportWS(SharedEventsTransport):
    """graphql-transport-ws, each subscribe message's document admitted by the gate first."""

    view: GraphQLApp

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self.connection_acknowledged:
            await super().handle_subscribe(message)  # refuses it
            return
        payload = message["payload"]
        who = Who.of(self.context)
        gate = self.view.gate
        try:
            admission = await gate.admit(
                who, payload.get("query"), payload.get("operationName"), payload.get("extensions")
            )
        except REFUSALS as refusal:
            errors = gate.refused(who, refusal).errors or []
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [e.formatted for e in errors]}
            )
            return
        if admission is not None:
            message = {**message, "payload": {**payload, "query": admission.text}}
        token = ADMITTED.set(admission)  # the operation's task copies it when created
        try:
            await super().handle_subscribe(message)
        finally:
            ADMITTED.reset(token)


class GraphQLApp(GraphQL[RequestContext, None]):
    """Strawberry's ASGI app with our per-request context and the gate before every document."""

    graphql_transport_ws_handler_class = TransportWS

    def __init__(self, schema: Schema, gate: Gate, settings: Settings) -> None:
        # graphql-transport-ws only (API.md): the older graphql-ws has no connection_init timeout.
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_s),
            graphql_ide="graphiql" if settings.graphiql else None,
            # Safe without CSRF worries: only the bearer header authenticates, never a cookie;
            # GraphQLUploads lets only the admin's multipart requests in, under size limits.
            multipart_uploads_enabled=True,
        )
        self.gate = gate

    async def get_context(self, request: Request | WebSocket, response: Any) -> RequestContext:
        token = auth.bearer_token(request.headers.get("authorization"))
        return await build_context(request, token)

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        """Refuse a WebSocket (4403) without a valid token in connection_init or headers."""
        if not await authenticate_connection(context):
            raise ConnectionRejectionError()
        return UNSET

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        who = Who.of(context)
        try:
            admission = await self.gate.admit(
                who, request_data.query, request_data.operation_name, request_data.extensions
            )
        except REFUSALS as refusal:
            return self.gate.refused(who, refusal)
        if admission is not None:
            request_data.query = admission.text
        token = ADMITTED.set(admission)
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        finally:
            ADMITTED.reset(token)


async def healthz(request: Request) -> Response:
    """200 when the database answers."""
    await queries.ping(request.app.state.activecrowds.ctx)
    return JSONResponse({"status": "ok"})


def create_app(
    app: App | None = None,
    settings: Settings | None = None,
    build_model: Callable[..., Any] | None = None,
    demo_dataset: Path | None = None,
    limiter: RateLimiter | None = None,
) -> Starlette:
    """The ASGI app; without `app` it bootstraps one (migrations included) at startup, and
    with `demo_dataset` creates the demo task there when no task exists yet. Rate limits are
    counted by `limiter` (its owner closes it), else by one the settings choose."""
    settings = app.settings if app is not None else settings or load_settings()
    schema = build_schema(introspection=settings.graphiql)
    counts = limiter or rate_limiter(settings.redis_url)
    manifest = Manifest.load(settings.trusted_documents)
    gate = Gate(schema.documents, manifest, settings, RateLimits(counts, settings))
    graphql = GraphQLApp(schema, gate, settings)

    @asynccontextmanager
    async def lifespan(star: Starlette) -> AsyncIterator[None]:
        wired = app or await bootstrap(settings, build_model=build_model)
        star.state.activecrowds = wired
        star.state.feed = EventFeed(wired.ctx, wired.bus)
        # Suspensions and revoked tokens made on any replica end cached sign-ins here.
        watch = asyncio.ensure_future(callers_of(star.state).watch(wired.bus))
        if demo_dataset is not None:
            await ensure_demo_task(wired.ctx, demo_dataset)
        try:
            yield
        finally:
            watch.cancel()
            schema.documents.close()
            if limiter is None:
                await counts.close()
            if app is None:
                await wired.close()

    routes = [
        Route("/graphql", GraphQLUploads(graphql), methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),  # graphql-transport-ws, for subscriptions
        Route("/media/{sample_id}", serve_media, methods=["GET"]),  # any text: media.py reads it
        Route("/models/{model_id}/{fmt}", serve_model, methods=["GET"]),  # admin: downloads.py
        Route("/export/{task_id}.{ext}", serve_export, methods=["GET"]),  # admin: exports.py
        Route("/datasets", upload_dataset, methods=["POST"]),  # admin: datasets.py
        # Signed or admin: dataset_files.py (a `file` with slashes, as the dataset lists it)
        Route("/datasets/{name}/files/{file:path}", serve_dataset_file, methods=["GET"]),
        Route("/tasks/{task_id}/samples", add_samples, methods=["POST"]),  # admin: datasets.py
        Route("/classify/{task_id}", serve_classify, methods=["POST"]),  # admin: classify.py
        Route("/healthz", healthz, methods=["GET"]),
        *static_routes(),  # the console at /, the annotator app at /app/: after the API's
    ]
    star = Starlette(routes=routes, lifespan=lifespan)
    star.state.classify_models = LoadedModels()  # this process's loaded round models
    if app is not None:
        star.state.activecrowds = app
        star.state.feed = EventFeed(app.ctx, app.bus)
    star.add_middleware(
        BodyLimit,
        read_timeout_s=settings.read_timeout_s,
        streamed=UPLOAD_PATHS,
        multipart=("/graphql",),
    )
    star.add_middleware(SecurityHeaders, page=page_policy(graphql.graphql_ide_html))
    if settings.cors_origins:
        # Bearer tokens in a header, never cookies: no credentials mode; a preflight is
        # answered before the body limit or any resolver runs.
        star.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Content-Disposition", "Retry-After"],
            max_age=600,
        )
    if settings.trusted_proxies:  # outermost: everything after sees the client's address
        star.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return star
