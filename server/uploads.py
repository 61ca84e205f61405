"""Uploads: request bodies streamed to disk under limits of their own.

BodyLimit reads every other body whole (at most 1 MiB); the routes under UPLOAD_PATHS take
datasets and images, so it lets them by and they count here instead: on the stream, chunk by
chunk, each chunk within the read timeout, never more than the limit held or written. Who sends
is checked before the body is read (`receive_*` is called after the caller is known), so an
anonymous client costs the server its headers only.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.types import Message, Receive

from activecrowds.domain.errors import ActiveCrowdsError

# Route prefixes whose handlers read their own bodies (BodyLimit leaves them alone).
UPLOAD_PATHS = ("/datasets", "/classify/", "/tasks/")
MB = 1 << 20


class UploadRefused(ActiveCrowdsError):
    """An upload over its limits (PAYLOAD_TOO_LARGE), sent too slowly (TIMEOUT), or malformed
    (BAD_USER_INPUT); server.downloads.STATUS gives each code its HTTP status."""

    def __init__(self, message: str, code: str = "BAD_USER_INPUT") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Limits:
    """What one upload may be: bytes as sent, files in it, seconds between two chunks."""

    max_bytes: int
    max_files: int
    read_timeout_s: float

    def describe(self) -> str:
        return f"{self.max_bytes / MB:g} MB"


def too_large(limits: Limits) -> UploadRefused:
    return UploadRefused(f"upload larger than {limits.describe()}", "PAYLOAD_TOO_LARGE")


def counted(receive: Receive, limits: Limits, declared: int | None) -> Receive:
    """`receive`, refusing the body past `limits.max_bytes` and a chunk later than the timeout."""
    if declared is not None and declared > limits.max_bytes:
        raise too_large(limits)
    size = 0

    async def read() -> Message:
        nonlocal size
        try:
            message = await asyncio.wait_for(receive(), limits.read_timeout_s)
        except TimeoutError:
            raise UploadRefused("upload not sent in time", "TIMEOUT") from None
        size += len(message.get("body", b""))
        if size > limits.max_bytes:
            raise too_large(limits)
        return message

    return read


def declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length", "")
    return int(raw) if raw.isdigit() else None


async def receive_form(request: Request, limits: Limits) -> FormData:
    """The multipart form, its files spooled to disk by Starlette past 1 MiB each.

    The caller closes it (`await form.close()`), which deletes the spooled files.

    Raises:
        UploadRefused: too large, too slow, too many files, or not multipart.
    """
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UploadRefused("send the files as multipart/form-data")
    body = Request(request.scope, counted(request.receive, limits, declared_length(request)))
    try:
        return await body.form(max_files=limits.max_files, max_fields=100)
    except MultiPartException as exc:
        raise UploadRefused(f"malformed upload: {exc.message}") from None
    except HTTPException as exc:  # Starlette's wrapping of the above inside an app
        raise UploadRefused(f"malformed upload: {exc.detail}") from None
    except ClientDisconnect:
        raise UploadRefused("the upload was cut off") from None


def form_files(form: FormData, field: str | None = None) -> list[UploadFile]:
    """The files of a form (of one field when given), in the order sent."""
    return [
        value
        for key, value in form.multi_items()
        if isinstance(value, UploadFile) and (field is None or key == field)
    ]


async def receive_file(request: Request, limits: Limits, folder: Path, suffix: str = "") -> Path:
    """The body itself (e.g. `curl --data-binary @photos.zip`) written to a new file in `folder`.

    Raises:
        UploadRefused: too large, too slow, empty, or cut off; no file is left.
    """
    receive = counted(request.receive, limits, declared_length(request))
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=folder, suffix=suffix, prefix="upload-")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            async for chunk in _chunks(receive):
                await asyncio.to_thread(out.write, chunk)
        if path.stat().st_size == 0:
            raise UploadRefused("the upload is empty")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


async def save_upload(upload: UploadFile, folder: Path, suffix: str = "") -> Path:
    """A spooled form file copied to a new file in `folder` (its name never used as a path)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=folder, suffix=suffix, prefix="upload-")
    with os.fdopen(handle, "wb") as out:
        await upload.seek(0)
        while chunk := await upload.read(MB):
            await asyncio.to_thread(out.write, chunk)
    return Path(name)


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise UploadRefused("the upload was cut off")
        if chunk := message.get("body", b""):
            yield chunk
        if not message.get("more_body", False):
            return
