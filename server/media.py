"""Signed media URLs (an <img> cannot send headers) and the route that serves a sample's image."""

from __future__ import annotations

import hashlib
import hmac
import time

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from activecrowds.bootstrap import App
from activecrowds.errors import ActiveCrowdsError
from activecrowds.services import auth, queries

VALID_FOR = 24 * 3600
BUCKET = 3600  # expiry rounded to the hour: a sample's URL stays the same for an hour (caches)


def _signature(key: bytes, sample_id: int, expires: int) -> str:
    return hmac.new(key, f"{sample_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def media_url(base_url: str, key: bytes, sample_id: int, now: float | None = None) -> str:
    """An absolute URL for a sample's image, valid for about a day without a header."""
    now = time.time() if now is None else now
    expires = (int(now) // BUCKET) * BUCKET + VALID_FOR + BUCKET
    sig = _signature(key, sample_id, expires)
    return f"{base_url.rstrip('/')}/media/{sample_id}?exp={expires}&sig={sig}"


def signature_ok(key: bytes, sample_id: int, expires: str | None, sig: str | None) -> bool:
    """True for an unexpired URL signed with `key`."""
    if not expires or not sig or not expires.isdigit() or int(expires) < time.time():
        return False
    return hmac.compare_digest(_signature(key, sample_id, int(expires)), sig)


async def serve_media(request: Request) -> Response:
    """GET /media/{sample_id}: the image, for a valid signature or a bearer token."""
    app: App = request.app.state.activecrowds
    sample_id = int(request.path_params["sample_id"])
    params = request.query_params
    try:
        if not signature_ok(app.media_key, sample_id, params.get("exp"), params.get("sig")):
            token = auth.bearer_token(request.headers.get("authorization"))
            auth.require(await auth.authenticate(app.ctx, token))
        path = await queries.sample_file(app.ctx, sample_id)
    except ActiveCrowdsError as exc:
        from server.graphql.errors import code_of

        code = code_of(exc)
        status = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404}.get(code, 400)
        return JSONResponse({"error": str(exc), "code": code}, status_code=status)
    return FileResponse(path, headers={"Cache-Control": "private, max-age=3600"})
