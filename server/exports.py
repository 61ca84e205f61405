"""GET /export/{task_id}.{jsonl|csv|zip}: a task's labels, for the admin's bearer token only
(as model downloads: a script or dashboard sends the header)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from activecrowds.bootstrap import App
from activecrowds.domain.errors import Refusal
from activecrowds.services import export
from server.downloads import admin_of, path_id, refused


async def serve_export(request: Request) -> Response:
    """The export streamed with a download name; errors as {"error", "code"} before it starts."""
    from server.graphql.errors import code_of

    app: App = request.app.state.activecrowds
    try:
        caller = await admin_of(request)
        fmt = export.parse_format(str(request.path_params["ext"]))
        task_id = path_id(request, "task_id", "task")
        found = await export.export(app.ctx, caller, task_id, fmt)
    except Refusal as exc:
        return refused(str(exc), code_of(exc))
    disposition = f'attachment; filename="{found.filename}"'
    headers = {"Content-Disposition": disposition, "Cache-Control": "private, no-cache"}
    return ClosingStream(found.body, media_type=found.media_type, headers=headers)


class ClosingStream(StreamingResponse):
    """A streamed response that closes its body however the response ends: a client gone
    mid-download must not leave the export's database connection to the garbage collector
    (Starlette stops iterating the body, but does not close it)."""

    def __init__(self, body: AsyncGenerator[bytes, None], **options: Any) -> None:
        super().__init__(body, **options)
        self.stream = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.stream.aclose()
