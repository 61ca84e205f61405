"""In-memory fakes of the ports the services own: unit of work, repositories, queue, event bus.

`FakeDatabase` holds the committed state. Each unit of work works on a deep copy of it and swaps
its copy in on commit: leaving without commit rolls back, and a domain object a service changes
without saving never reaches the store. Writing units of work run one at a time (as on SQLite,
where each begins IMMEDIATE); ids come from counters that a rollback never rewinds. The
repositories (fake_repositories.py, rows in fake_tables.py) follow the SQL ones: id order, the
schema's constraints, and the same round trip of a round's scores.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fake_repositories import (
    FakeAnnotatorRepository,
    FakeAnswerRepository,
    FakeBatchRepository,
    FakeInviteRepository,
    FakeLeaseRepository,
    FakeRoundRepository,
    FakeSampleRepository,
    FakeTaskRepository,
)
from fake_tables import AnswerRow, IntegrityError, Tables, Transaction

from activecrowds.domain.events import Event
from activecrowds.services import ports
from activecrowds.services.auth import hash_token
from activecrowds.services.context import Context

ADMIN_TOKEN = "unit-admin-token"
WRITER_WAIT_S = 5.0  # far beyond any unit test: a longer wait means units of work nest

E = TypeVar("E", bound=Event)

__all__ = [
    "ADMIN_TOKEN",
    "AnswerRow",
    "FakeBus",
    "FakeDatabase",
    "FakeQueue",
    "FakeUnitOfWork",
    "Fakes",
    "IntegrityError",
    "Tables",
    "fake_context",
]


class FakeDatabase:
    """The committed state, the id counters, and the one writer's lock."""

    def __init__(self) -> None:
        self.committed = Tables()
        self.commits = 0
        self._ids: defaultdict[str, Iterator[int]] = defaultdict(lambda: itertools.count(1))
        self.writer = asyncio.Lock()

    def uow(self, write: bool = True) -> FakeUnitOfWork:
        """A unit of work (Context.uow): `uow(write=False)` refuses every write."""
        return FakeUnitOfWork(self, write=write)

    def next_id(self, table: str) -> int:
        return next(self._ids[table])


class FakeUnitOfWork(ports.UnitOfWork):
    """`async with uow: ...; await uow.commit()`; leaving without commit rolls back."""

    def __init__(self, db: FakeDatabase, *, write: bool = True) -> None:
        self.db, self.write = db, write
        self.events: list[Event] = []
        self._tx: Transaction | None = None

    async def __aenter__(self) -> FakeUnitOfWork:
        assert self._tx is None, "a unit of work entered twice"
        if self.write:
            try:
                await asyncio.wait_for(self.db.writer.acquire(), WRITER_WAIT_S)
            except TimeoutError:
                raise AssertionError("a writing unit of work inside another one") from None
        tx = self._tx = Transaction(copy.deepcopy(self.db.committed), self.db.next_id, self.write)
        self.tasks, self.samples = FakeTaskRepository(tx), FakeSampleRepository(tx)
        self.batches, self.answers = FakeBatchRepository(tx), FakeAnswerRepository(tx)
        self.rounds, self.annotators = FakeRoundRepository(tx), FakeAnnotatorRepository(tx)
        self.invites, self.leases = FakeInviteRepository(tx), FakeLeaseRepository(tx)
        self.events = []
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._tx is None:
            return
        self._tx.open, self._tx = False, None  # what was not committed is dropped with the copy
        if self.write:
            self.db.writer.release()

    async def commit(self) -> None:
        assert self._tx is not None, "commit outside `async with`"
        if self.write:
            self.db.committed = copy.deepcopy(self._tx.tables)
            self.db.commits += 1


class FakeQueue:
    """A task queue that records what it was handed; `error` makes the next sends fail."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, int]] = []
        self.error: Exception | None = None
        self.on_send: Callable[[int, int], None] | None = None  # sees the state when sent

    async def enqueue_round(self, task_id: int, number: int) -> None:
        if self.error is not None:
            raise self.error
        if self.on_send is not None:
            self.on_send(task_id, number)
        self.sent.append((task_id, number))


class FakeBus:
    """An event bus that records every publish call."""

    def __init__(self) -> None:
        self.calls: list[list[Event]] = []
        self.on_publish: Callable[[Sequence[Event]], None] | None = None

    async def publish(self, events: Sequence[Event]) -> None:
        if self.on_publish is not None:
            self.on_publish(events)
        self.calls.append(list(events))

    @property
    def published(self) -> list[Event]:
        """Every event, in the order published."""
        return [event for call in self.calls for event in call]

    def of(self, kind: type[E]) -> list[E]:
        """The published events of one kind."""
        return [event for event in self.published if isinstance(event, kind)]


@dataclass
class Fakes:
    """A Context over in-memory ports, and the ports themselves for the test to look at."""

    db: FakeDatabase
    queue: FakeQueue
    bus: FakeBus
    ctx: Context

    def replace(self, **changes: Any) -> Context:
        """The context with some settings or ports changed (the same database)."""
        return dataclasses.replace(self.ctx, **changes)


def fake_context(tmp_path: Path, **changes: Any) -> Fakes:
    """Fakes with datasets_dir and cache_dir under `tmp_path`; `changes` set Context fields."""
    db, queue, bus = FakeDatabase(), FakeQueue(), FakeBus()
    ctx = Context(
        uow=db.uow,
        queue=queue,
        bus=bus,
        admin_token_hash=hash_token(ADMIN_TOKEN),
        datasets_dir=tmp_path / "datasets",
        cache_dir=tmp_path / "cache",
        models_dir=tmp_path / "models",
        device="cpu",
    )
    return Fakes(db, queue, bus, dataclasses.replace(ctx, **changes))
