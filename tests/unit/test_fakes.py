"""The in-memory unit of work keeps the promises of the SQL one the services rely on."""

from __future__ import annotations

import pytest
from fakes import FakeDatabase, IntegrityError

from activecrowds.domain.model import Role, RoundStatus, SampleKind, TaskStatus
from activecrowds.services.ports import NewTask

pytestmark = pytest.mark.usefixtures("no_infrastructure")  # no database, no network

NEW = NewTask("t", "", "TEXT", "BINARY_CLASSIFICATION", ["a", "b"], "/d", {}, TaskStatus.TRAINING)
ROWS = [{"key": k, "kind": SampleKind.POOL, "file": None, "text": k, "label": None} for k in "xy"]


async def test_only_a_commit_makes_changes_visible_and_ids_are_never_reused() -> None:
    db = FakeDatabase()
    async with db.uow() as uow:
        await uow.tasks.add(NEW)  # left without commit: rolled back
    async with db.uow() as uow:
        kept = await uow.tasks.add(NEW)
        assert await uow.tasks.get(kept.id) == kept  # its own writes are visible to it
        await uow.commit()
    assert list(db.committed.tasks) == [kept.id] == [2]


async def test_an_object_changed_without_saving_never_reaches_the_store() -> None:
    db = FakeDatabase()
    async with db.uow() as uow:
        task = await uow.tasks.add(NEW)
        await uow.rounds.add_due(task.id, 0)
        await uow.commit()
    async with db.uow() as uow:
        round_ = await uow.rounds.get(task.id, 0)
        loaded = await uow.tasks.get(task.id)
        assert round_ is not None and loaded is not None
        round_.status, loaded.status = RoundStatus.DONE, TaskStatus.FAILED
        await uow.commit()
    assert db.committed.tasks[task.id].status is TaskStatus.TRAINING
    stored = db.committed.round_of(task.id, 0)
    assert stored is not None and stored.status is RoundStatus.DUE


async def test_the_schemas_keys_are_enforced() -> None:
    db = FakeDatabase()
    async with db.uow() as uow:
        task = await uow.tasks.add(NEW)
        await uow.samples.add_many(task.id, ROWS)
        await uow.batches.add(task.id, 0)
        await uow.rounds.add_due(task.id, 0)
        await uow.annotators.add("ann", Role.ANNOTATOR, "hash")
        with pytest.raises(IntegrityError):
            await uow.samples.add_many(task.id, ROWS[:1])  # (task, key) twice
        with pytest.raises(IntegrityError):
            await uow.batches.add(task.id, 0)
        with pytest.raises(IntegrityError):
            await uow.rounds.add_due(task.id, 0)
        with pytest.raises(IntegrityError):
            await uow.annotators.add("other", Role.ANNOTATOR, "hash")
        with pytest.raises(IntegrityError):
            await uow.rounds.add_due(99, 0)  # no such task


async def test_assign_batch_moves_only_unpicked_samples_and_opens_them() -> None:
    db = FakeDatabase()
    async with db.uow() as uow:
        task = await uow.tasks.add(NEW)
        await uow.samples.add_many(task.id, ROWS)
        x, y = await uow.samples.remaining_pool(task.id)
        first, second = await uow.batches.add(task.id, 0), await uow.batches.add(task.id, 1)
        assert await uow.samples.assign_batch([x.id], first.id) == 1
        assert await uow.samples.assign_batch([x.id, y.id], second.id) == 1
        batches = await uow.samples.in_batches([first.id, second.id])
        assert [s.key for s in batches[first.id]] == ["x"]
        assert [(s.key, s.answer_count) for s in batches[second.id]] == [("y", 0)]
        # nothing labelled, nothing left to ask, both pool samples asked (a budget counts them)
        assert await uow.samples.progress([task.id]) == {task.id: (0, 0, 2)}


async def test_a_read_only_unit_of_work_refuses_writes() -> None:
    db = FakeDatabase()
    async with db.uow(write=False) as uow:
        with pytest.raises(AssertionError, match="read-only"):
            await uow.tasks.add(NEW)
