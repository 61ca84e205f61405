"""Admin use cases: create, update and delete tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from activecrowds.domain.errors import NotFound, ValidationError
from activecrowds.domain.events import (
    LockReason,
    RoundDue,
    TaskCreated,
    TaskDeleted,
    TaskLocked,
    TaskUpdated,
)
from activecrowds.domain.model import Caller, Role, Task, TaskStatus, task_snapshot
from activecrowds.domain.rules import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    batch_size_problem,
    labels_problem,
    nul_problem,
)
from activecrowds.services import models
from activecrowds.services.auth import require
from activecrowds.services.context import Context, commit_and_publish
from activecrowds.services.ports import NewTask, TaskChanges
from activecrowds.services.snapshot import take_snapshot
from activecrowds_ml.models import check_model
from activecrowds_ml.scenario import Scenario

# Scenario fields an admin may change on a running task (they apply from the next decision
# or round on; the seed/eval/test split is fixed at creation).
UPDATABLE_SCENARIO = (
    "min_peers",
    "min_agreement",
    "max_peers",
    "query_strategy",
    "batch_size",
    "aggregation",
    "redundancy",
    "gold_share",
    # Stopping rules (activecrowds_ml.stopping): checked when each round ends, so a running
    # task whose new rule already holds finishes at the end of its next round; the batch open
    # meanwhile is answered and trained on first (its labels are paid for already).
    "label_budget",
    "target_accuracy",
    "plateau_agreement",
    "plateau_window",
)


@dataclass(frozen=True)
class CreateTask:
    """Everything createTask takes; `scenario` holds Scenario keyword arguments."""

    title: str
    description: str
    labels: list[str]
    dataset: str
    scenario: dict[str, Any]
    cover_image_url: str | None = None


@dataclass(frozen=True)
class UpdateTask:
    """Fields to change; None leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    cover_image_url: str | None = None
    scenario: dict[str, Any] = field(default_factory=dict)


def _check_cover(url: str | None) -> None:
    if url is not None and (len(url) > 2000 or not url.startswith(("https://", "http://"))):
        raise ValidationError("coverImageUrl must be an http(s) URL", "coverImageUrl")


def _refuse_nul(texts: Mapping[str, str | Sequence[str] | None]) -> None:
    if problem := nul_problem(texts):
        raise ValidationError(problem[1], problem[0])


def _check_text(title: str | None, description: str | None, cover: str | None) -> None:
    _refuse_nul({"title": title, "description": description, "coverImageUrl": cover})
    _check_cover(cover)
    if title is not None and not 0 < len(title.strip()) <= MAX_TITLE_LENGTH:
        raise ValidationError(f"title must be 1 to {MAX_TITLE_LENGTH} characters", "title")
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            f"description must be at most {MAX_DESCRIPTION_LENGTH} characters", "description"
        )


def _check_scenario(scenario: Scenario) -> Scenario:
    if problem := batch_size_problem(scenario.batch_size):
        raise ValidationError(problem, "batchSize")
    return scenario


def _check_new(cmd: CreateTask) -> Scenario:
    """The scenario of a valid createTask command (the dataset is checked when it is read)."""
    _check_text(cmd.title, cmd.description, cmd.cover_image_url)
    model = cmd.scenario.get("pretrained_model")
    _refuse_nul({"labels": cmd.labels, "dataset": cmd.dataset, "pretrainedModel": model})
    if problem := labels_problem(cmd.labels):
        raise ValidationError(problem, "labels")
    scenario = _check_scenario(Scenario(**cmd.scenario))
    check_model(scenario)
    return scenario


async def create_task(ctx: Context, caller: Caller | None, cmd: CreateTask) -> Task:
    """Validate, snapshot the dataset's membership, store the task and schedule round 0.

    Raises:
        ValidationError / DatasetError / ModelError: bad input; nothing is stored.
    """
    require(caller, Role.ADMIN)
    scenario = _check_new(cmd)
    labels = list(cmd.labels)
    snapshot = await asyncio.to_thread(
        take_snapshot, ctx.datasets_dir, cmd.dataset, scenario, labels
    )
    async with ctx.uow() as uow:
        task = await uow.tasks.add(
            NewTask(
                title=cmd.title.strip(),
                description=cmd.description,
                category=scenario.category.value,
                subcategory=scenario.subcategory.value,
                labels=list(cmd.labels),
                dataset=str(snapshot.root),
                scenario=scenario.to_dict(),
                status=TaskStatus.TRAINING,
                cover_image_url=cmd.cover_image_url,
            )
        )
        await uow.samples.add_many(task.id, snapshot.rows)
        await uow.rounds.add_due(task.id, 0)
        # Round 0 locks the task as every round does, so that a dashboard watching it hears
        # "training" first and then the round.
        uow.collect(TaskCreated(task.id), TaskLocked(task.id, LockReason.TRAINING))
        uow.collect(RoundDue(task.id, 0))
        await commit_and_publish(ctx, uow)
    return task


async def update_task(ctx: Context, caller: Caller | None, task_id: int, cmd: UpdateTask) -> Task:
    """Change a task's texts, cover, peer rule, strategy or batch size.

    Raises:
        NotFound: no such task. ValidationError: a value out of range; nothing changes.
    """
    require(caller, Role.ADMIN)
    _check_text(cmd.title, cmd.description, cmd.cover_image_url)
    unknown = set(cmd.scenario) - set(UPDATABLE_SCENARIO)
    if unknown:
        raise ValidationError(f"cannot change {sorted(unknown)} after creation", "input")
    async with ctx.uow() as uow:
        task = await uow.tasks.get(task_id, lock=True)
        if task is None:
            raise NotFound(f"task {task_id} does not exist")
        scenario = _check_scenario(Scenario(**task.scenario).replace(**cmd.scenario))
        changes = TaskChanges(
            scenario=scenario.to_dict(),
            title=cmd.title.strip() if cmd.title is not None else None,
            description=cmd.description,
            cover_image_url=cmd.cover_image_url,
        )
        await uow.tasks.change(task_id, changes)
        uow.collect(TaskUpdated(task_id))
        updated = await uow.tasks.get(task_id)
        await commit_and_publish(ctx, uow)
    assert updated is not None
    return updated


async def delete_task(ctx: Context, caller: Caller | None, task_id: int) -> bool:
    """Remove a task with its samples, answers, rounds and stored models; a pending round
    finds nothing to do.

    Raises:
        NotFound: no such task.
    """
    require(caller, Role.ADMIN)
    async with ctx.uow() as uow:
        task = await uow.tasks.get(task_id)
        if task is None or not await uow.tasks.delete(task_id):
            raise NotFound(f"task {task_id} does not exist")
        uow.collect(TaskDeleted(task_id, task_snapshot(task)))
        await commit_and_publish(ctx, uow)
    await models.forget_task(ctx, task_id)
    return True
