"""Upload routes read their own bodies under their own limits (server/uploads.py)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.downloads import refused
from server.limits import BodyLimit
from server.uploads import (
    UPLOAD_PATHS,
    Limits,
    UploadRefused,
    form_files,
    receive_file,
    receive_form,
)

LIMITS = Limits(max_bytes=1000, max_files=2, read_timeout_s=2.0)


def app(folder: Path) -> Starlette:
    async def raw(request: Request) -> Response:
        try:
            path = await receive_file(request, LIMITS, folder)
        except UploadRefused as exc:
            return refused(str(exc), exc.code)
        return JSONResponse({"size": path.stat().st_size})

    async def form(request: Request) -> Response:
        try:
            found = await receive_form(request, LIMITS)
        except UploadRefused as exc:
            return refused(str(exc), exc.code)
        try:
            names = [upload.filename for upload in form_files(found, "files")]
        finally:
            await found.close()
        return JSONResponse({"names": names})

    routes = [
        Route("/datasets", raw, methods=["POST"]),
        Route("/classify/1", form, methods=["POST"]),
    ]
    star = Starlette(routes=routes)
    # The global limit (10 bytes here) would refuse every upload: these paths are let by.
    star.add_middleware(BodyLimit, read_timeout_s=2.0, max_body=10, streamed=UPLOAD_PATHS)
    return star


@pytest.fixture
def client(tmp_path: Path) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app(tmp_path))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_a_body_within_the_upload_limit_is_written_to_disk(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    response = await client.post("/datasets", content=b"x" * 900)
    assert response.status_code == 200 and response.json() == {"size": 900}
    assert [p.stat().st_size for p in tmp_path.iterdir()] == [900]


async def test_a_body_over_the_limit_is_refused_and_leaves_no_file(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    async def chunks():  # no Content-Length: counted on the stream
        for _ in range(5):
            yield b"x" * 300

    response = await client.post("/datasets", content=chunks())
    assert response.status_code == 413 and response.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert list(tmp_path.iterdir()) == []


async def test_an_empty_body_is_refused(client: httpx.AsyncClient, tmp_path: Path) -> None:
    response = await client.post("/datasets", content=b"")
    assert response.status_code == 400 and "empty" in response.json()["error"]
    assert list(tmp_path.iterdir()) == []


async def test_form_files_arrive_by_name_and_too_many_are_refused(
    client: httpx.AsyncClient,
) -> None:
    two = [("files", ("a.png", b"1")), ("files", ("b.png", b"2"))]
    response = await client.post("/classify/1", files=two)
    assert response.json() == {"names": ["a.png", "b.png"]}
    response = await client.post("/classify/1", files=[*two, ("files", ("c.png", b"3"))])
    assert response.status_code == 400 and response.json()["code"] == "BAD_USER_INPUT"
    response = await client.post("/classify/1", content=b"not a form")
    assert response.status_code == 400 and "multipart" in response.json()["error"]


async def test_other_routes_keep_the_global_limit(tmp_path: Path) -> None:
    star = app(tmp_path)
    star.router.routes.append(Route("/graphql", lambda r: JSONResponse({}), methods=["POST"]))
    transport = httpx.ASGITransport(app=star)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/graphql", content=b"x" * 11)
    assert response.status_code == 413
