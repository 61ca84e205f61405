"""GET /models/{model_id}/{format}: a round's model files, for the admin's bearer token only.

No signed URLs here, unlike media: a model is the task's product, fetched by scripts and
dashboards that can send a header, and never shown in an <img>.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from activecrowds.bootstrap import App
from activecrowds.domain.errors import Refusal
from activecrowds.domain.model import Caller, Role
from activecrowds.services import auth, models
from server.graphql.ids import parse_id

STATUS = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "BAD_USER_INPUT": 400,
    "TIMEOUT": 408,
    "CONFLICT": 409,
    "PAYLOAD_TOO_LARGE": 413,
}
MEDIA_TYPES = {"metadata": "application/json", "onnx": "application/onnx"}


async def serve_model(request: Request) -> Response:
    """The file, with a download name (task, round, file); errors as {"error", "code"}."""
    from server.graphql.errors import code_of

    app: App = request.app.state.activecrowds
    try:
        caller = await admin_of(request)
        fmt = models.parse_format(str(request.path_params["fmt"]))
        model_id = path_id(request, "model_id", "model")
        found = await models.model_file(app.ctx, caller, model_id, fmt)
    except Refusal as exc:
        return refused(str(exc), code_of(exc))
    media_type = MEDIA_TYPES.get(fmt.value, "application/octet-stream")
    return FileResponse(
        found.path,
        media_type=media_type,
        filename=found.filename,
        headers={"Cache-Control": "private, no-cache"},
    )


async def admin_of(request: Request) -> Caller:
    """The admin sending the request, read from the database (never a remembered sign-in).
    Who asks is checked first: nobody without the admin's token learns which ids exist.

    Raises:
        Unauthenticated: no token or a wrong one. Forbidden: not the admin's.
    """
    app: App = request.app.state.activecrowds
    token = auth.bearer_token(request.headers.get("authorization"))
    return auth.require(await auth.authenticate(app.ctx, token), Role.ADMIN)


def path_id(request: Request, name: str, what: str) -> int:
    """The id in the path's `name`, or NotFound: a malformed id names nothing that exists."""
    return parse_id(str(request.path_params[name]), what)


def refused(message: str, code: str, **details: object) -> JSONResponse:
    """A refusal as {"error", "code", ...details}, with the HTTP status of its code. A refusal
    sent before the body was read closes the connection (the rest is never read)."""
    status = STATUS.get(code, 400)
    headers = {"Connection": "close"} if status in (408, 413) else None
    body = {"error": message, "code": code, **details}
    return JSONResponse(body, status_code=status, headers=headers)
