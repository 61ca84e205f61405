"""What the application stores: tasks, their samples and batches, answers, rounds, annotators."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class TaskStatus(StrEnum):
    COLLECTING = "COLLECTING"  # a batch is open for answers
    TRAINING = "TRAINING"  # a round is due or running
    FINISHED = "FINISHED"  # the pool is exhausted
    FAILED = "FAILED"  # a round failed for good; last_error says why


class Role(StrEnum):
    ADMIN = "ADMIN"
    ANNOTATOR = "ANNOTATOR"


class SampleKind(StrEnum):
    POOL = "POOL"  # unlabelled; asked of the crowd when picked into a batch
    SEED = "SEED"  # labelled; the initial training set
    EVAL = "EVAL"  # labelled; scores each round
    TEST = "TEST"  # labelled; the reported score, never used to choose


class SampleState(StrEnum):
    OPEN = "OPEN"
    ACCEPTED = "ACCEPTED"
    DISPUTED = "DISPUTED"


class BatchStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"  # every sample accepted or disputed; the next round is due


class RoundStatus(StrEnum):
    DUE = "DUE"  # recorded in the transaction that resolved the batch; not yet started
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


@dataclass
class Task:
    """One active-learning task over a dataset snapshot."""

    id: int
    title: str
    description: str
    category: str
    subcategory: str
    labels: list[str]
    dataset: str  # absolute path of the dataset folder
    scenario: dict[str, Any]  # activecrowds_ml Scenario.to_dict()
    status: TaskStatus = TaskStatus.TRAINING
    cover_image_url: str | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


def task_snapshot(task: Task) -> dict[str, Any]:
    """The task as plain JSON values (for an event that outlives the row)."""
    out = dataclasses.asdict(task)
    out["status"] = task.status.value
    for name in ("created_at", "updated_at"):
        value = out[name]
        out[name] = value.isoformat() if value else None
    return out


def task_from_snapshot(data: dict[str, Any]) -> Task:
    """The task back from `task_snapshot`."""
    values = dict(data)
    values["status"] = TaskStatus(values["status"])
    for name in ("created_at", "updated_at"):
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    return Task(**values)


@dataclass
class Sample:
    """One dataset record in a task: pool (no label kept) or seed/eval/test (label kept)."""

    id: int
    task_id: int
    key: str  # the record id in the dataset
    kind: SampleKind
    file: str | None = None  # relative to the task's dataset folder
    text: str | None = None
    label: str | None = None  # ground truth of seed/eval/test; None for pool samples
    batch_id: int | None = None
    state: SampleState | None = None  # None until picked into a batch
    resolved_label: str | None = None
    answer_count: int = 0
    votes: dict[str, int] | None = None  # answers per label


@dataclass
class Batch:
    """The samples round `number` picked for the crowd."""

    id: int
    task_id: int
    number: int
    status: BatchStatus = BatchStatus.OPEN
    created_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass
class Round:
    """One training round: train, evaluate, test, pick the next batch."""

    id: int
    task_id: int
    number: int
    status: RoundStatus = RoundStatus.DUE
    train_size: int = 0
    accuracy: float | None = None
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    confusion_matrix: list[list[int]] = field(default_factory=list)
    eval_metrics: dict[str, Any] | None = None
    attempts: int = 0
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    sent_at: datetime | None = None  # last handed to the task queue
    lease_until: datetime | None = None  # RUNNING: its runner holds it until then


@dataclass
class Annotator:
    """Someone holding a token; only the sha256 of the token is kept."""

    id: int
    name: str
    role: Role
    token_hash: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class Caller:
    """Who sends a request; the admin is not stored (its token comes from the settings)."""

    id: int
    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


ADMIN = Caller(0, "admin", Role.ADMIN)
