"""GET /export/{task_id}.{jsonl|csv|zip}: a task's labels, for the admin's bearer token only
(as model downloads: a script or dashboard sends the header)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from activecrowds.bootstrap import App
from activecrowds.domain.errors import Refusal
from activecrowds.domain.model import Role
from activecrowds.services import auth, export
from server.downloads import STATUS
from server.graphql.ids import as_id


async def serve_export(request: Request) -> Response:
    """The export streamed with a download name; errors as {"error", "code"} before it starts."""
    from server.graphql.errors import code_of

    app: App = request.app.state.activecrowds
    try:
        # Who asks comes first: nobody without the admin's token learns which tasks exist.
        token = auth.bearer_token(request.headers.get("authorization"))
        caller = auth.require(await auth.authenticate(app.ctx, token), Role.ADMIN)
        fmt = export.parse_format(str(request.path_params["ext"]))
        task_id = as_id(str(request.path_params["task_id"]))
        if task_id is None:
            return _error("no such task", "NOT_FOUND")
        found = await export.export(app.ctx, caller, task_id, fmt)
    except Refusal as exc:
        return _error(str(exc), code_of(exc))
    disposition = f'attachment; filename="{found.filename}"'
    headers = {"Content-Disposition": disposition, "Cache-Control": "private, no-cache"}
    return StreamingResponse(found.body, media_type=found.media_type, headers=headers)


def _error(message: str, code: str) -> JSONResponse:
    return JSONResponse({"error": message, "code": code}, status_code=STATUS.get(code, 400))
