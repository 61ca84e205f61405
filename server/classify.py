"""POST /classify/{taskId}?round=N: label probabilities for an owner's photos (or texts) from a
round's model, for the admin's bearer token only; and the gate in front of multipart requests
to /graphql, which carry the `classify` mutation's files.

The body is read only once the admin is known (`admin_of` first): anyone else is refused on
the headers and the connection closed, nothing of the body read. Then it streams in under the
classify limits (settings classify_max_mb, classify_max_files), the files spooled to disk and
copied into a folder of their own for the request, removed when it is answered.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.datastructures import State, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from activecrowds.bootstrap import App
from activecrowds.config import Settings
from activecrowds.domain.errors import Refusal, ValidationError
from activecrowds.services.classify import (
    Classified,
    LoadedModels,
    check_count,
    classify_inputs,
)
from activecrowds_ml.classify import Input
from server.downloads import STATUS, admin_of, path_id, refused
from server.graphql.ids import whole_number
from server.uploads import (
    MB,
    Limits,
    UploadRefused,
    counted,
    declared_length,
    receive_file,
    receive_form,
    save_upload,
)

Item = UploadFile | str  # what a request sends to classify: a file, or a text


def classify_limits(settings: Settings) -> Limits:
    """What one classify request may send (multipart or JSON, REST or GraphQL)."""
    return Limits(
        settings.classify_max_mb * MB, settings.classify_max_files, settings.read_timeout_s
    )


def loaded_models(state: State) -> LoadedModels:
    """This server process's loaded round models (made with the app: server.app)."""
    found: LoadedModels = state.classify_models
    return found


async def serve_classify(request: Request) -> Response:
    """{"model": {"id", "round"}, "labels", "results": [...]} in the order sent; errors as
    {"error", "code"} and, for bad inputs, "bad": [{"file", "reason"}]."""
    from server.graphql.errors import code_of

    app: App = request.app.state.activecrowds
    try:
        caller = await admin_of(request)
        task_id = path_id(request, "task_id", "task")
        round_number = parse_round(request.query_params.get("round"))
        async with request_inputs(request, classify_limits(app.settings)) as inputs:
            done = await classify_inputs(
                app.ctx, caller, loaded_models(request.app.state), task_id, inputs,
                round_number, app.settings.classify_max_files,
            )  # fmt: skip
    except Refusal as exc:
        return refused(str(exc), code_of(exc), **bad_of(exc))
    return JSONResponse(as_json(done), headers={"Cache-Control": "no-store"})


def parse_round(raw: str | None) -> int | None:
    """The `round` query parameter. Raises ValidationError unless a whole number."""
    if raw is None or raw == "":
        return None
    number = whole_number(raw, 9)
    if number is None:
        raise ValidationError(f"round must be a whole number; got {raw!r}", "round")
    return number


@asynccontextmanager
async def request_inputs(request: Request, limits: Limits) -> AsyncIterator[list[Input]]:
    """The inputs sent, in order: multipart fields `files` and `texts`, or a JSON body
    {"texts": [...]}; every file they left on disk is removed after.

    Raises:
        UploadRefused: too large, too slow, too many files, neither multipart nor JSON.
        ValidationError: nothing sent; a JSON body that is not {"texts": [strings]}.
    """
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        async with saved(await _json_texts(request, limits), limits.max_files) as inputs:
            yield inputs
        return
    if not kind.startswith("multipart/form-data"):
        raise UploadRefused(
            "send images as multipart/form-data (field `files`), texts as field `texts` or as"
            ' JSON {"texts": [...]}'
        )
    form = await receive_form(request, limits)
    try:
        items: list[tuple[str, Item]] = []
        texts = 0
        for key, value in form.multi_items():
            if key == "files" and isinstance(value, UploadFile):
                items.append((value.filename or f"files[{len(items) - texts}]", value))
            elif key == "texts" and isinstance(value, str):
                items.append((f"texts[{texts}]", value))
                texts += 1
        async with saved(items, limits.max_files) as inputs:
            yield inputs
    finally:
        await form.close()  # deletes the spooled files


async def _json_texts(request: Request, limits: Limits) -> list[tuple[str, Item]]:
    folder = Path(tempfile.mkdtemp(prefix="classify-"))
    try:
        path = await receive_file(request, limits, folder, ".json")
        data = await asyncio.to_thread(lambda: json.loads(path.read_bytes()))
    except ValueError:
        raise ValidationError('the body is not JSON: send {"texts": [...]}', "texts") from None
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)
    texts = data.get("texts") if isinstance(data, dict) else None
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise ValidationError('send {"texts": ["...", ...]}: a list of strings', "texts")
    return [(f"texts[{i}]", t) for i, t in enumerate(texts)]


@asynccontextmanager
async def saved(items: Sequence[tuple[str, Item]], max_inputs: int) -> AsyncIterator[list[Input]]:
    """The items as classify inputs, each file copied into a folder of this request's (its
    name never used as a path); the folder is removed after.

    Raises:
        ValidationError: nothing sent, or more than `max_inputs` (nothing copied).
    """
    check_count(len(items), max_inputs)
    if not items:
        raise ValidationError(
            "nothing to classify: send images as multipart field `files` (texts: `texts`)",
            "files",
        )
    folder = Path(tempfile.mkdtemp(prefix="classify-"))
    try:
        inputs = []
        for name, item in items:
            if isinstance(item, str):
                inputs.append(Input(name, text=item))
            else:
                inputs.append(Input(name, file=await save_upload(item, folder)))
        yield inputs
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


def as_json(done: Classified) -> dict[str, Any]:
    return {
        "model": {"id": str(done.model.id), "round": done.model.round_number},
        "labels": list(done.labels),
        "results": [
            {
                "file": r.name,
                "label": r.label,
                "confidence": r.confidence,
                "probabilities": r.probabilities,
            }
            for r in done.results
        ],
    }


def bad_of(error: BaseException) -> dict[str, object]:
    """{"bad": [{"file", "reason"}]} for a refusal that names bad inputs; else nothing."""
    bad = getattr(error, "bad", None)
    if not bad:
        return {}
    return {"bad": [{"file": b.name, "reason": b.reason} for b in bad]}


class GraphQLUploads:
    """Multipart requests to /graphql (the GraphQL multipart request spec: `classify`'s files)
    from the admin only, their bodies under the classify limits; other requests pass as is.

    BodyLimit lets multipart POSTs to /graphql by (photos exceed its 1 MiB), so they are
    bounded here: the admin's token first (anyone else refused on the headers, the
    connection closed), then the body counted as Strawberry reads it. Strawberry refuses
    multipart unless enabled because a multipart POST is a CORS "simple request": a site
    could post one with the victim's cookies. Nothing here reads cookies; a bearer header is
    the only credential, and a cross-site form cannot send one.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_multipart(scope):
            await self.app(scope, receive, send)
            return
        from server.graphql.errors import code_of

        request = Request(scope, receive)
        try:
            await admin_of(request)
        except Refusal as exc:
            await graphql_refusal(str(exc), code_of(exc))(scope, receive, send)
            return
        limits = classify_limits(request.app.state.activecrowds.settings)
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            limited = counted(receive, limits, declared_length(request))
            await self.app(scope, limited, sending)
        except UploadRefused as exc:
            if started:
                raise
            await graphql_refusal(str(exc), exc.code)(scope, receive, send)


def is_multipart(scope: Scope) -> bool:
    """A multipart/form-data POST (GraphQL uploads)."""
    if scope["type"] != "http" or scope.get("method") != "POST":
        return False
    kind = dict(scope.get("headers") or []).get(b"content-type", b"")
    return kind.lower().startswith(b"multipart/form-data")


def graphql_refusal(message: str, code: str) -> JSONResponse:
    """A GraphQL error response to a request refused before (or while) its body was read: the
    connection closes, the rest of the body is never read."""
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    headers = {"Connection": "close"}
    return JSONResponse(body, status_code=STATUS.get(code, 400), headers=headers)
