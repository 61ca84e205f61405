"""The SQL unit of work: one transaction, its repositories, and the events it collected."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from activecrowds.adapters.db import BEGIN_KEY
from activecrowds.adapters.repositories import (
    AnnotatorRepository,
    AnswerRepository,
    BatchRepository,
    InviteRepository,
    LeaseRepository,
    RoundRepository,
    SampleRepository,
    TaskRepository,
)
from activecrowds.domain.events import Event
from activecrowds.services import ports


class SqlUnitOfWork(ports.UnitOfWork):
    """`async with uow: ...; await uow.commit()`; leaving without commit rolls back.

    On SQLite a writing unit of work starts with BEGIN IMMEDIATE (the database's one write lock,
    waited for with a busy timeout); on PostgreSQL rows are locked with SELECT ... FOR UPDATE.
    A reading one on PostgreSQL runs in autocommit: under READ COMMITTED each statement sees its
    own snapshot anyway, so BEGIN and ROLLBACK would only add two round trips.
    """

    def __init__(self, engine: AsyncEngine, *, write: bool = True) -> None:
        self.engine = engine
        self.write = write
        self.events: list[Event] = []
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        conn = await self.engine.connect()
        dialect = self.engine.dialect.name
        if self.write and dialect == "sqlite":
            conn.info[BEGIN_KEY] = "BEGIN IMMEDIATE"
        if self.write or dialect == "sqlite":
            await conn.begin()
        else:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
        self._conn = conn
        self.tasks = TaskRepository(conn)
        self.samples = SampleRepository(conn)
        self.batches = BatchRepository(conn)
        self.answers = AnswerRepository(conn)
        self.rounds = RoundRepository(conn)
        self.annotators = AnnotatorRepository(conn)
        self.invites = InviteRepository(conn)
        self.leases = LeaseRepository(conn)
        self.events = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if conn.in_transaction():
                await conn.rollback()
        finally:
            conn.info.pop(BEGIN_KEY, None)
            await conn.close()

    async def commit(self) -> None:
        assert self._conn is not None, "commit outside `async with`"
        await self._conn.commit()
