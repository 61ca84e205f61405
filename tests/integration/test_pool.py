"""The PostgreSQL connection pool: a connection the server closed is never handed to a request."""

from __future__ import annotations

import asyncio
import os

import asyncpg
from sqlalchemy import text

from activecrowds.adapters import db

PG_SERVER = os.environ.get("ACTIVECROWDS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


async def test_a_pooled_connection_the_server_closed_is_replaced(postgres_url: str) -> None:
    # Given a pool holding one idle connection
    engine = db.create_engine(postgres_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            pid = (await conn.execute(text("select pg_backend_pid()"))).scalar_one()
        # When the server ends it (a restart, an idle timeout, an administrator)
        admin = await asyncpg.connect(PG_SERVER + "/postgres")
        try:
            assert await admin.fetchval("select pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        await asyncio.sleep(0.3)  # its socket is closed by now
        # Then the next request gets a live connection, not an error
        async with engine.connect() as conn:
            assert (await conn.execute(text("select pg_backend_pid()"))).scalar_one() != pid
    finally:
        await engine.dispose()
