"""GET /datasets/{name}/files/{file}[?w=N]: an image of a dataset, for the console's previews
before a task is made on it (an <img> cannot send headers: the URL is signed, as /media's are).

The signature binds the dataset's name, the file's path as the dataset lists it and a short
expiry; an admin's bearer token passes too. Either way only a file the dataset's records list
is served (activecrowds.services.datasets.dataset_file), never another path of its folder.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from activecrowds.bootstrap import App
from activecrowds.domain.errors import Refusal
from activecrowds.domain.model import Role
from activecrowds.services import auth, datasets
from server.media import BadWidth, preview_width, refused, serve_image, signed, signed_query

# Short: a preview URL only serves the create form open now (the form reads it again).
VALID_FOR = 30 * 60
BUCKET = 5 * 60  # expiry rounded: a preview's URL stays the same for a few minutes (caches)
THUMB_WIDTH = 192  # what `previews` hands out: the form's thumbnails, sharp at 2x


def _message(name: str, file: str) -> Callable[[int], str]:
    # Its own prefix: no dataset file's message is ever a sample's ("task:sample:expiry").
    return lambda expires: f"dataset:{name}:{expires}:{file}"


def dataset_file_url(
    base_url: str, key: bytes, name: str, file: str, now: float | None = None
) -> str:
    """An absolute URL for a thumbnail of the dataset's `file`, valid for half an hour."""
    query = signed_query(key, _message(name, file), VALID_FOR, BUCKET, now)
    path = f"/datasets/{quote(name)}/files/{quote(file)}"
    return f"{base_url.rstrip('/')}{path}?{query}&w={THUMB_WIDTH}"


async def serve_dataset_file(request: Request) -> Response:
    """The image, or an N px wide preview of it; 401 without a valid signature or token."""
    app: App = request.app.state.activecrowds
    name, file = str(request.path_params["name"]), str(request.path_params["file"])
    query = request.query_params
    try:
        if not signed(app.media_key, _message(name, file), query.get("exp"), query.get("sig")):
            token = auth.bearer_token(request.headers.get("authorization"))
            auth.require(await auth.authenticate(app.ctx, token), Role.ADMIN)
        width = preview_width(query.get("w"))
        path = await datasets.dataset_file(app.ctx, name, file)
    except (BadWidth, *Refusal) as exc:
        return refused(exc)
    return await serve_image(path, width)
