"""Shared fixtures: a tiny image dataset, throwaway databases, and the wired app on each DB.

Integration tests run twice, on SQLite and on a real PostgreSQL database created for this run
(`ac_test_<random>`, dropped at the end). Rounds use a small brightness model so that round 0
takes milliseconds; one HTTP test drives the real default model.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from apptest import (
    ADMIN_TOKEN,
    LABELS,
    SCENARIO,
    Api,
    OpenTask,
    RecordingBus,
    current,
    tiny_model,
    write_image_dataset,
)

from activecrowds.bootstrap import App, bootstrap
from activecrowds.config import Settings
from activecrowds.domain.model import ADMIN, Caller
from activecrowds.services import auth, crowd, tasks

PG_SERVER = os.environ.get("ACTIVECROWDS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


@pytest.fixture(scope="session")
def image_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100 images: 60 labelled (seed/eval/test come from these), 40 in the pool."""
    return write_image_dataset(tmp_path_factory.mktemp("squares"))


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_SERVER + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run (dropped at the end)."""
    name = f"ac_test_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_SERVER.replace("postgresql://", "postgresql+asyncpg://") + "/" + name
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each integration test runs on both databases."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture(scope="session")
async def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[App]:
    """The wired application (migrated with Alembic), rounds on the tiny model."""
    data_dir = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir, database_url, ADMIN_TOKEN)
    wired = await bootstrap(settings, build_model=tiny_model, bus=RecordingBus())
    yield wired
    await wired.close()


@pytest.fixture
def make_task(app: App, image_dataset: Path) -> Callable[..., Awaitable[OpenTask]]:
    """Create a task (admin), run its round 0, return it with the open batch."""

    async def make(title: str = "squares", **scenario: Any) -> OpenTask:
        cmd = tasks.CreateTask(
            title, "dark or bright?", LABELS, str(image_dataset), {**SCENARIO, **scenario}
        )
        task = await tasks.create_task(app.ctx, ADMIN, cmd)
        await app.queue.join()
        return await current(app, task.id)

    return make


@pytest.fixture
def annotators(app: App) -> Callable[[int], Awaitable[list[tuple[Caller, str]]]]:
    """Register n annotators with one invite (for every task); returns (caller, token) pairs."""

    async def make(n: int) -> list[tuple[Caller, str]]:
        out = []
        invite = await crowd.create_invite(app.ctx, ADMIN, max_uses=n)
        for i in range(n):
            done = await auth.register_annotator(app.ctx, f"annotator {i}", invite.code)
            out.append((done.caller, done.token))
        return out

    return make


@pytest.fixture(scope="session")
async def api(app: App) -> AsyncIterator[Api]:
    import httpx

    from server.app import create_app

    transport = httpx.ASGITransport(app=create_app(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client)
