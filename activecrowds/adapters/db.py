"""Engines for PostgreSQL (asyncpg) and SQLite (aiosqlite), and running migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

ROOT = Path(__file__).resolve().parents[2]
BEGIN_KEY = "activecrowds_begin"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and explicit BEGIN [IMMEDIATE]."""
    if not url.startswith("sqlite"):
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        engine = create_async_engine(url, **kwargs)
        _skip_closed_connections(engine)
        return engine
    engine = create_async_engine(url, connect_args={"timeout": 60}, **kwargs)
    _sqlite_transactions(engine)
    return engine


def _skip_closed_connections(engine: AsyncEngine) -> None:
    """Never hand out a pooled connection the server has closed (a restart, an idle timeout).

    In place of pool_pre_ping, which asks the server at every checkout (BEGIN; ping; ROLLBACK:
    three round trips, a fifth of a short request's statements): asyncpg already knows when
    the server closed its socket. A connection lost without a word fails its next statement,
    and SQLAlchemy then replaces every connection of the pool.
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def _checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_conn.driver_connection.is_closed():
            raise DisconnectionError("the server closed this connection")


def _sqlite_transactions(engine: AsyncEngine) -> None:
    """Take transaction control from pysqlite so a writer can BEGIN IMMEDIATE.

    A deferred transaction that reads then writes fails with "database is locked" when another
    writer got there first; BEGIN IMMEDIATE takes the write lock up front and waits for it.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=60000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(conn.info.pop(BEGIN_KEY, "BEGIN"))


def alembic_config(url: str) -> Any:
    """An Alembic config for the project's migrations, pointed at `url`."""
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision` (blocking; call from a thread in async code)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
