"""Signed media URLs (an <img> cannot send headers) and the route that serves a sample's image."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import time
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from activecrowds.bootstrap import App
from activecrowds.domain.errors import NotFound, Refusal
from activecrowds.services import auth, queries
from server.graphql.ids import as_id, whole_number

VALID_FOR = 24 * 3600
BUCKET = 3600  # expiry rounded to the hour: a sample's URL stays the same for an hour (caches)
MIN_WIDTH, MAX_WIDTH = 32, 2048
EXPIRY_DIGITS = 12  # a Unix time in seconds, for the next 30,000 years
# Private: the URL is a capability for one annotator; an hour matches the URL's own stable period.
CACHE = {"Cache-Control": "private, max-age=3600"}


class BadWidth(Exception):
    """The `w` query parameter is not a width this route serves."""


def sign(key: bytes, message: str) -> str:
    """The signature a URL carries (`sig`) for `message`, which names what it opens and until."""
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]


def expiry(now: float | None, valid_for: int, bucket: int) -> int:
    """When a URL signed now expires: at least `valid_for` from now, rounded up to `bucket`."""
    now = time.time() if now is None else now
    return (int(now) // bucket) * bucket + valid_for + bucket


def signed(key: bytes, message: Callable[[int], str], expires: str | None, sig: str | None) -> bool:
    """True for an unexpired `expires` whose `sig` signs message(expires) with `key`."""
    when = whole_number(expires, EXPIRY_DIGITS)
    if when is None or not sig or when < time.time():
        return False
    return hmac.compare_digest(sign(key, message(when)).encode(), sig.encode())  # sig: any text


def signed_query(
    key: bytes, message: Callable[[int], str], valid_for: int, bucket: int, now: float | None
) -> str:
    """The query (`exp=...&sig=...`) that opens what message(expiry) names until its expiry."""
    expires = expiry(now, valid_for, bucket)
    return f"exp={expires}&sig={sign(key, message(expires))}"


def _message(task_id: int, sample_id: int) -> Callable[[int], str]:
    # The task is signed too: a URL handed out for one task's sample never opens another
    # task's, even where a database gave a deleted sample's id to a new one.
    return lambda expires: f"{task_id}:{sample_id}:{expires}"


def media_url(
    base_url: str, key: bytes, task_id: int, sample_id: int, now: float | None = None
) -> str:
    """An absolute URL for a sample's image, valid for about a day without a header."""
    query = signed_query(key, _message(task_id, sample_id), VALID_FOR, BUCKET, now)
    return f"{base_url.rstrip('/')}/media/{sample_id}?{query}"


def signature_ok(
    key: bytes, task_id: int, sample_id: int, expires: str | None, sig: str | None
) -> bool:
    """True for an unexpired URL signed with `key` for this sample of this task."""
    return signed(key, _message(task_id, sample_id), expires, sig)


def preview_width(raw: str | None) -> int | None:
    """The requested preview width (`w`), None for the original image.

    Raises:
        BadWidth: not a whole number between MIN_WIDTH and MAX_WIDTH.
    """
    if raw is None:
        return None
    width = whole_number(raw, len(str(MAX_WIDTH)))
    if width is None or not MIN_WIDTH <= width <= MAX_WIDTH:
        raise BadWidth(
            f"w must be a whole number of pixels from {MIN_WIDTH} to {MAX_WIDTH}, got {raw!r}"
        )
    return width


def render_preview(path: Path, width: int) -> tuple[bytes, str] | None:
    """The image scaled down to `width` (aspect kept) as (bytes, media type); None if not wider."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # EXIF: shown rotated by 90
        if (image.height if turned else image.width) <= width:
            return None  # never upscale: the original is already small enough
        image.draft("RGB", (width, width))  # JPEG: decode at a reduced scale, much faster
        shown = ImageOps.exif_transpose(image)
        if shown.mode not in ("RGB", "RGBA", "L", "LA"):
            # Palette or 16-bit: resample in full colour, keeping transparency if there is any.
            shown = shown.convert("RGBA" if "transparency" in shown.info else "RGB")
        height = max(1, round(shown.height * width / shown.width))
        small = shown.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if small.mode in ("RGBA", "LA"):
        small.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    small.save(out, "JPEG", quality=80, optimize=True, progressive=True)
    return out.getvalue(), "image/jpeg"


def _error(message: str, code: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message, "code": code}, status_code=status)


async def serve_media(request: Request) -> Response:
    """GET /media/{sample_id}[?w=N]: the image or an N px wide preview, signed or with a token."""
    app: App = request.app.state.activecrowds
    sample_id = as_id(str(request.path_params["sample_id"]))
    if sample_id is None:  # no row can have this id: nothing to hide about it
        return _error("no such sample", "NOT_FOUND", 404)
    found = await queries.sample_file(app.ctx, sample_id)
    try:
        await _check_caller(app, request, found)
        width = preview_width(request.query_params.get("w"))
        if found is None or found.path is None:
            raise NotFound("no such sample, or it has no image")
    except (BadWidth, *Refusal) as exc:
        return refused(exc)
    return await serve_image(found.path, width)


def refused(exc: Exception) -> JSONResponse:
    """The answer to a request for an image that is refused, with its code."""
    from server.graphql.errors import code_of

    if isinstance(exc, BadWidth):
        return _error(str(exc), "BAD_USER_INPUT", 400)
    code = code_of(exc)
    status = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404}.get(code, 400)
    return _error(str(exc), code, status)


async def serve_image(path: Path, width: int | None) -> Response:
    """The image, or a `width` px wide preview of it."""
    if width is None:
        return FileResponse(path, headers=CACHE)
    return await _preview(path, width)


async def _check_caller(app: App, request: Request, found: queries.SampleFile | None) -> None:
    """Pass a URL signed for this sample of its task; anything else needs a bearer token.

    A sample that does not exist is refused like a bad signature, before anything is said
    about it: without a token, no one learns which ids exist.

    Raises:
        Unauthenticated: neither a valid signature nor a valid token.
    """
    exp, sig = request.query_params.get("exp"), request.query_params.get("sig")
    if found and signature_ok(app.media_key, found.task_id, found.sample_id, exp, sig):
        return
    token = auth.bearer_token(request.headers.get("authorization"))
    auth.require(await auth.authenticate(app.ctx, token))


async def _preview(path: Path, width: int) -> Response:
    """The scaled-down image, decoded off the event loop (Pillow holds the CPU)."""
    from PIL import UnidentifiedImageError

    try:
        preview = await asyncio.to_thread(render_preview, path, width)
    except (UnidentifiedImageError, OSError, ValueError):
        return _error(
            "this sample's file is not an image that can be scaled", "UNSUPPORTED_MEDIA", 415
        )
    if preview is None:
        return FileResponse(path, headers=CACHE)
    content, media_type = preview
    return Response(content, media_type=media_type, headers=CACHE)
