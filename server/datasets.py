"""POST /datasets?name=...: a new dataset; POST /tasks/{taskId}/samples: more samples for a
running task. The admin's bearer token only (as downloads: scripts and dashboards send it).

Either route takes the body as it is (a zip, or with `Content-Type: text/csv` or
`application/x-ndjson` a manifest of texts: `curl --data-binary @photos.zip`) or as a multipart
form of files (`-F file=@photos.zip`, or images by their names with a manifest, or images
named `class/photo.jpg`), and answers with what was stored and each bad input by name, or with
{"error", "code", "bad"?} and nothing stored. Who asks, the name and the task are checked
before a byte of the body is read; the body goes to disk as it arrives, within the upload
limits (settings), and the service imports it (activecrowds.services.datasets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from activecrowds.bootstrap import App
from activecrowds.config import Settings
from activecrowds.domain.errors import Refusal
from activecrowds.services import datasets, new_samples
from activecrowds_ml.experiment.archive import ArchiveLimits
from server.downloads import admin_of, path_id, refused
from server.parts import receive_parts
from server.uploads import MB, Limits, receive_file

MANIFEST_TYPES = {
    "text/csv": ".csv",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "application/jsonlines": ".jsonl",
}
TRUE = ("1", "true", "yes")


async def upload_dataset(request: Request) -> Response:
    """201 with the new dataset's summary and the bad inputs skipped."""
    from server.graphql.errors import code_of

    app: App = request.app.state.activecrowds
    try:
        caller = await admin_of(request)
        name = datasets.check_name(app.ctx, caller, request.query_params.get("name"))
        options = _options(request, app.settings)
        async with datasets.staging(app.ctx) as folder:
            await _receive(request, app.settings, folder / "src", name)
            done = await datasets.upload_dataset(app.ctx, caller, name, folder, options)
    except datasets.UploadInvalid as exc:
        return refused(str(exc), "BAD_USER_INPUT", bad=_bad(exc.bad))
    except Refusal as exc:
        return refused(str(exc), code_of(exc))
    return JSONResponse({**_dataset(done.dataset), "bad": _bad(done.bad)}, status_code=201)


async def add_samples(request: Request) -> Response:
    """201 with the samples added (pool, labelled), the duplicates and the bad inputs skipped."""
    from server.graphql.errors import code_of

    app: App = request.app.state.activecrowds
    try:
        caller = await admin_of(request)
        task_id = path_id(request, "task_id", "task")
        await new_samples.task_taking_samples(app.ctx, caller, task_id)
        options = _options(request, app.settings)
        async with datasets.staging(app.ctx) as folder:
            await _receive(request, app.settings, folder / "src", f"task-{task_id}")
            done = await new_samples.add_samples(app.ctx, caller, task_id, folder, options)
    except datasets.UploadInvalid as exc:
        return refused(str(exc), "BAD_USER_INPUT", bad=_bad(exc.bad))
    except Refusal as exc:
        return refused(str(exc), code_of(exc))
    body = {
        "task": str(done.task_id),
        "pool": done.pool,
        "labelled": done.labelled,
        "duplicates": _bad(done.duplicates),
        "bad": _bad(done.bad),
    }
    return JSONResponse(body, status_code=201)


def _options(request: Request, settings: Settings) -> datasets.ImportOptions:
    query = request.query_params
    labels = [x.strip() for x in query.get("labels", "").split(",") if x.strip()]
    archive = ArchiveLimits(settings.unpacked_max_mb * MB, settings.upload_max_files)
    return datasets.ImportOptions(
        kind=query.get("kind") or None,
        labels=tuple(labels) or None,
        strict=query.get("strict", "").lower() in TRUE,
        archive=archive,
    )


async def _receive(request: Request, settings: Settings, src: Path, name: str) -> None:
    """The body under `src`: a form's files by their names, or the body as `name` + suffix."""
    limits = Limits(settings.upload_max_mb * MB, settings.upload_max_files, settings.read_timeout_s)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        await receive_parts(request, limits, src)
        return
    suffix = MANIFEST_TYPES.get(content_type, ".zip")
    path = await receive_file(request, limits, src, suffix=suffix)
    path.rename(src / f"{name}{suffix}")


def _dataset(d: datasets.DatasetSummary) -> dict[str, Any]:
    return {
        "name": d.name,
        "kind": d.kind,
        "labels": list(d.labels),
        "labelled": d.labelled,
        "pool": d.pool,
        "size": d.size,
        "createdAt": d.created_at.isoformat() if d.created_at else None,
        # As the datasets query gives it: one shape for the console to read.
        "labelCounts": [{"label": label, "count": n} for label, n in d.label_counts],
    }


def _bad(bad: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"file": source, "reason": reason} for source, reason in bad]
