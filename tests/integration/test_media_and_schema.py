"""Media route (signed URL or bearer token, never outside the dataset), migrations, schema file."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from apptest import ADMIN_TOKEN, Api
from sqlalchemy import update

from activecrowds.adapters import tables as t
from activecrowds.bootstrap import App
from server.graphql.schema import schema_sdl

ROOT = Path(__file__).resolve().parents[2]
MEDIA = """query($id: ID!) { task(id: $id) { currentBatch { samples { id mediaUrl } } } }"""


async def test_media_urls_serve_the_image_and_nothing_else(
    app: App, api: Api, make_task: Any, annotators: Any, image_dataset: Path
) -> None:
    task = await make_task()
    [(_, token)] = await annotators(1)
    samples = (await api.call(MEDIA, {"id": str(task.id)}, token))["task"]["currentBatch"][
        "samples"
    ]
    url = urlsplit(samples[0]["mediaUrl"])
    bearer = {"Authorization": f"Bearer {token}"}
    # The signed URL works without a header (an <img> tag) and returns the PNG
    response = await api.client.get(f"{url.path}?{url.query}")
    assert response.status_code == 200
    assert response.content == (image_dataset / task.samples[0].file).read_bytes()
    # A tampered signature, another sample's signature, an expired one, or none: refused
    params = parse_qs(url.query)
    other = urlsplit(samples[1]["mediaUrl"]).path
    for bad in (
        f"{url.path}?exp={params['exp'][0]}&sig={'0' * 32}",
        f"{other}?{url.query}",
        url.path,
        f"{url.path}?exp=1&sig={params['sig'][0]}",
    ):
        assert (await api.client.get(bad)).status_code == 401, bad
    # A bearer header works instead of a signature
    assert (await api.client.get(url.path, headers=bearer)).status_code == 200
    assert (await api.client.get("/media/99999999", headers=bearer)).status_code == 404
    # Even a sample row pointing outside its dataset folder cannot reach that file
    async with app.engine.begin() as conn:
        await conn.execute(
            update(t.samples)
            .where(t.samples.c.id == task.samples[0].id)
            .values(file="../../../../../../etc/passwd")
        )
    escaped = await api.client.get(url.path, headers=bearer)
    assert escaped.status_code == 404 and b"root:" not in escaped.content


async def test_healthz_and_graphiql(api: Api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    page = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    got = await api.client.get(
        "/graphql",
        params={"query": "{ me { role } }"},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert got.json()["data"] == {"me": {"role": "ADMIN"}}


async def test_oversized_request_body_is_refused(api: Api) -> None:
    body = b'{"query": "' + b"x" * (2 << 20) + b'"}'
    headers = {"Content-Type": "application/json"}
    response = await api.client.post("/graphql", content=body, headers=headers)
    assert response.status_code == 413


def test_schema_file_is_the_exported_schema() -> None:
    stored = (ROOT / "schema.graphql").read_text()
    assert stored == schema_sdl(), "schema.graphql is stale: run python -m server.graphql.export"


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
def test_migrated_schema_equals_the_models(dialect: str, request: pytest.FixtureRequest) -> None:
    """Autogenerate against a freshly migrated database finds nothing to do."""
    import asyncio

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine

    from activecrowds.adapters.db import upgrade
    from activecrowds.adapters.tables import metadata

    url = request.getfixturevalue(f"{dialect}_url")
    upgrade(url)

    def compare(sync: Any) -> list[Any]:
        context = MigrationContext.configure(sync, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async def diff() -> list[Any]:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            result = await conn.run_sync(compare)
        await engine.dispose()
        return result

    assert asyncio.run(diff()) == []
