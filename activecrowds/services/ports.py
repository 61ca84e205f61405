"""The ports the services own: what they need from storage, the task queue and the event bus.

Adapters implement them (SQL in `activecrowds.adapters`, in-memory fakes in `tests/unit`);
the services never see a connection, a row or a bind name.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, NamedTuple, Protocol

from activecrowds.domain.crowd import AnnotatorStatus, Invite, Lease
from activecrowds.domain.events import Event
from activecrowds.domain.history import MyAnswer, SampleFilter
from activecrowds.domain.model import (
    Annotator,
    Batch,
    Role,
    Round,
    Sample,
    SampleKind,
    SampleState,
    Task,
    TaskStatus,
)
from activecrowds.domain.predictions import (
    Cursor,
    ModelArtifact,
    PredictedSample,
    Prediction,
    PredictionFilter,
)


@dataclass(frozen=True)
class NewTask:
    """A task to store (the repository gives it its id and timestamps)."""

    title: str
    description: str
    category: str
    subcategory: str
    labels: list[str]
    dataset: str
    scenario: dict[str, Any]
    status: TaskStatus
    cover_image_url: str | None = None


@dataclass(frozen=True)
class TaskQuery:
    """Which tasks a list holds; None: any. `visible`: only these ids (an invite's tasks)."""

    category: str | None = None
    subcategory: str | None = None
    status: TaskStatus | None = None
    visible: frozenset[int] | None = None


@dataclass(frozen=True)
class TaskChanges:
    """Fields an admin changes on a task; None leaves a field as it is."""

    scenario: dict[str, Any]
    title: str | None = None
    description: str | None = None
    cover_image_url: str | None = None


class TaskRepository(Protocol):
    async def add(self, task: NewTask) -> Task: ...

    async def get(self, task_id: int, *, lock: bool = False) -> Task | None:
        """The task, or None; `lock` holds its row until commit."""

    async def get_many(self, ids: Iterable[int]) -> dict[int, Task]: ...

    async def list(
        self,
        category: str | None = None,
        subcategory: str | None = None,
        status: TaskStatus | None = None,
    ) -> builtins.list[Task]:
        """Tasks matching the filters, newest first."""

    async def save_status(self, task: Task) -> None:
        """Store the task's status and last error."""

    async def save_workers(self, task_id: int, workers: dict[str, Any]) -> None:
        """The crowd's estimated reliability (WorkerModel.to_dict())."""

    async def change(self, task_id: int, changes: TaskChanges) -> None: ...

    async def delete(self, task_id: int) -> bool: ...

    async def count_by_category(self) -> dict[tuple[str, str], int]: ...

    async def page(self, where: TaskQuery, before: int | None, limit: int) -> builtins.list[Task]:
        """Up to `limit` tasks matching `where`, newest first, with ids below `before`."""

    async def count(self, where: TaskQuery) -> int: ...


class TaskProgress(NamedTuple):
    """How far a task is: what the next round trains on, what is left to ask, what it cost."""

    labelled: int  # seed + crowd-accepted samples
    unpicked: int  # pool samples never asked
    spent: int  # labels spent as a budget counts them: seed + pool samples asked of the crowd


class SampleRepository(Protocol):
    async def add_many(self, task_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
        """Store dataset records (key, kind, file, text, label) as the task's samples."""

    async def get(self, sample_id: int) -> Sample | None: ...

    async def in_batches(self, batch_ids: Iterable[int]) -> dict[int, list[Sample]]:
        """Samples of each batch, in id order."""

    async def of_kind(self, task_id: int, kinds: Iterable[SampleKind]) -> list[Sample]: ...

    async def accepted(self, task_id: int) -> list[Sample]:
        """Pool samples the crowd labelled (they join the training set), in id order."""

    async def remaining_pool(self, task_id: int) -> list[Sample]:
        """Pool samples never picked into a batch, in id order (the strategy's candidates)."""

    async def waiting(self, task_id: int) -> list[Sample]:
        """Pool samples asked again (REASK) while no batch was open: the next batch takes them."""

    async def place(self, sample_ids: Sequence[int], batch_id: int | None) -> None:
        """Move these samples into `batch_id` (None: out of every batch, waiting)."""

    async def assign_batch(self, sample_ids: Sequence[int], batch_id: int) -> int:
        """Put still-unpicked samples into a batch, OPEN; returns how many moved."""

    async def save_kinds(self, samples: Sequence[Sample]) -> None:
        """Kind and label (pool samples made control questions)."""

    async def get_many(self, sample_ids: Iterable[int]) -> dict[int, Sample]: ...

    async def save_tallies(self, samples: Sequence[Sample]) -> None:
        """Store each sample's votes, answer count, state and resolved label."""

    async def progress(self, task_ids: Iterable[int]) -> dict[int, TaskProgress]:
        """Per task: its labelled, unpicked and spent counts."""

    async def save_predictions(self, task_id: int, predictions: Sequence[Prediction]) -> None:
        """Replace the task's predictions with these (the latest round's)."""

    async def predicted_labels(self, task_id: int) -> dict[int, str]:
        """The latest round's predicted label per sample id (what the next round compares
        its own predictions with, before replacing them)."""

    async def predictions(
        self, task_id: int, where: PredictionFilter, after: Cursor | None, limit: int
    ) -> builtins.list[PredictedSample]:
        """Up to `limit` of the task's pool samples with a prediction, filtered, in
        `where.order` (ties by sample id, in the same direction), after the cursor."""

    async def count_predictions(self, task_id: int, where: PredictionFilter) -> int: ...

    async def page(
        self, task_id: int, where: SampleFilter, after: int | None, limit: int
    ) -> builtins.list[Sample]:
        """Up to `limit` of the task's samples passing `where`, in id order, after `after`."""

    async def count_where(self, task_id: int, where: SampleFilter) -> int: ...

    def export_rows(self, task_id: int, chunk: int) -> AsyncIterator[builtins.list[dict[str, Any]]]:
        """The task's samples in id order, up to `chunk` rows at a time (keyset on the id: never
        the whole task in memory), as plain dicts: the sample's columns, `batch_number`, the
        latest prediction (`predicted`, `confidence`, `prediction_round`: None without one)
        and `answers`, every answer to it in id order (annotator_id, label, created_at,
        counted)."""


class BatchRepository(Protocol):
    async def add(self, task_id: int, number: int) -> Batch: ...

    async def get(self, batch_id: int, *, lock: bool = False) -> Batch | None:
        """The batch, or None; `lock` serialises submissions to it until commit."""

    async def lock_with_task(self, batch_id: int) -> tuple[Batch, Task] | None:
        """The batch, its row held until commit (submissions to it queue), and its task."""

    async def latest(self, task_ids: Iterable[int]) -> dict[int, Batch]:
        """Each task's newest batch."""

    async def resolve(self, batch_id: int) -> None: ...

    async def page(self, task_id: int, before: int | None, limit: int) -> builtins.list[Batch]:
        """Up to `limit` of the task's batches, newest first, numbered below `before`."""

    async def count(self, task_id: int) -> int: ...


class AnswerRepository(Protocol):
    async def add_many(
        self,
        batch_id: int,
        answers: Mapping[int, Sequence[tuple[int, str]]],
        *,
        counted: bool = True,
    ) -> None:
        """Store answers to one batch: annotator id -> (sample id, label) pairs, all or none;
        `counted` False keeps them as evidence of quality, not as votes."""

    async def of_task(self, task_id: int) -> list[tuple[int, int, str]]:
        """Every answer to the task, counted or not: (sample id, annotator id, label)."""

    async def on_pool(
        self, task_id: int, numbers: Iterable[int] | None = None
    ) -> builtins.list[PoolAnswer]:
        """Answers to the task's pool samples in batches `numbers` (None: all)."""

    async def counted_in_batch(self, batch_id: int) -> dict[int, list[tuple[int, str]]]:
        """Sample id -> its counted (annotator id, label) answers, in the order given."""

    async def of_annotators(
        self, batch_id: int, annotator_ids: Iterable[int]
    ) -> dict[int, dict[int, str]]:
        """What these annotators answered in this batch: annotator id -> sample id -> label."""

    async def answered_batches(self, annotator_id: int, batch_ids: Iterable[int]) -> set[int]: ...

    async def counted_on_open(self, annotator_id: int) -> dict[int, dict[int, str]]:
        """The annotator's counted answers on OPEN samples of open batches: batch -> sample
        -> label."""

    async def on_decided(self, annotator_id: int) -> int:
        """How many of its counted answers are on samples already decided."""

    async def uncount(self, annotator_id: int, sample_ids: Iterable[int]) -> None:
        """These answers stay as evidence only, no longer as votes."""

    async def uncount_sample(self, sample_id: int) -> None:
        """Every answer to this sample stays as evidence only (it is asked again)."""

    async def given(
        self, annotator_ids: Iterable[int], sample_ids: Iterable[int]
    ) -> dict[int, set[int]]:
        """Annotator id -> which of these samples it has answered, in any batch."""

    async def answerers(self, batch_id: int) -> set[int]:
        """Every annotator who answered this batch."""

    async def mine(
        self, annotator_id: int, task_id: int, before: int | None, limit: int
    ) -> builtins.list[MyAnswer]:
        """Up to `limit` of the annotator's answers to the task, newest first (by answer id),
        with ids below `before`; counted or not."""

    async def count_mine(self, annotator_id: int, task_id: int) -> int: ...

    async def mine_in_batches(
        self, annotator_id: int, batch_ids: Iterable[int]
    ) -> dict[int, builtins.list[MyAnswer]]:
        """The annotator's answers in each of these batches, in sample id order."""


class RoundRepository(Protocol):
    async def add_due(self, task_id: int, number: int) -> None:
        """Mark a round due and sent now (RoundDue sends it after commit; else the relay)."""

    async def get(self, task_id: int, number: int, *, lock: bool = False) -> Round | None: ...

    async def save(self, round_: Round) -> None:
        """Store the round's status, lease, attempts, times, scores and error."""

    async def mark_sent(self, round_id: int, at: datetime) -> None: ...

    async def to_send(self, now: datetime, sent_before: datetime, limit: int = 100) -> list[Round]:
        """Due or abandoned (lease over) rounds not sent since `sent_before`; row-locked."""

    async def of_tasks(self, task_ids: Iterable[int]) -> dict[int, list[Round]]: ...

    async def pending(self) -> list[tuple[int, int]]:
        """(task id, number) of rounds due or interrupted while running."""

    async def release_leases(self) -> None: ...

    async def add_model(
        self, task_id: int, round_number: int, path: str, size: int, eval_accuracy: float | None
    ) -> ModelArtifact: ...

    async def models(self, task_ids: Iterable[int]) -> dict[int, builtins.list[ModelArtifact]]:
        """Each task's stored models, oldest round first."""

    async def get_model(self, model_id: int) -> ModelArtifact | None: ...

    async def delete_models(self, model_ids: Iterable[int]) -> None: ...


@dataclass(frozen=True)
class NewInvite:
    """An invite's stored fields (the code itself is never stored)."""

    code_hash: str
    hint: str
    task_ids: list[int] | None
    max_uses: int
    expires_at: datetime | None
    note: str


@dataclass(frozen=True)
class AnnotatorFigures:
    """What one annotator has done: answers given, tasks answered, and of its answers on
    samples the crowd accepted, how many agree with the accepted label."""

    answers: int = 0
    tasks: int = 0
    on_accepted: int = 0
    agreeing: int = 0
    last_answer_at: datetime | None = None


@dataclass(frozen=True)
class PoolAnswer:
    """One answer to a pool sample, with the sample's state: agreement figures' input."""

    batch_number: int
    sample_id: int
    annotator_id: int
    label: str
    counted: bool
    state: SampleState | None


class AnnotatorRepository(Protocol):
    async def add(self, name: str, role: Role, token_hash: str, **extra: Any) -> Annotator:
        """`extra`: invite_id, task_ids, token_expires_at."""

    async def by_token_hash(self, token_hash: str) -> Annotator | None: ...

    async def get(self, annotator_id: int, *, lock: bool = False) -> Annotator | None: ...

    async def get_many(self, ids: Iterable[int], *, lock: bool = False) -> dict[int, Annotator]:
        """`lock` takes their row locks in id order: a submission holds its annotators before
        its batch, as a suspension does, so neither misses the other's writes."""

    async def list(self, status: AnnotatorStatus | None = None) -> builtins.list[Annotator]: ...

    async def save(self, annotator: Annotator) -> None:
        """Status, token, control figures."""

    async def figures(self, ids: Iterable[int]) -> dict[int, AnnotatorFigures]: ...

    async def page(
        self, status: AnnotatorStatus | None, after: int | None, limit: int
    ) -> builtins.list[Annotator]:
        """Up to `limit` annotators (not admins), oldest first, with ids above `after`."""

    async def count(self, status: AnnotatorStatus | None = None) -> int: ...


class LeaseRepository(Protocol):
    async def of_batch(self, batch_id: int) -> builtins.list[Lease]: ...

    async def take(
        self, batch_id: int, annotator_id: int, sample_ids: Sequence[int], until: datetime
    ) -> None:
        """The annotator holds these samples of the batch until then (and no others of it)."""

    async def release(self, annotator_id: int) -> None:
        """The annotator holds nothing any more, in any batch."""

    async def close(self, batch_id: int) -> None:
        """Nobody holds anything of this batch any more (it resolved)."""


class InviteRepository(Protocol):
    async def add(self, invite: NewInvite) -> Invite: ...

    async def by_code_hash(self, code_hash: str, *, lock: bool = False) -> Invite | None: ...

    async def get(self, invite_id: int, *, lock: bool = False) -> Invite | None: ...

    async def list(self) -> builtins.list[Invite]: ...

    async def save(self, invite: Invite) -> None:
        """Uses and revocation."""


class UnitOfWork(Protocol):
    """One transaction and its repositories; leaving it without `commit` rolls back.

    Adapters subclass it (as cosmicpython's AbstractUnitOfWork): they inherit the repository
    types and `collect`, and fill in entering, leaving and committing.
    """

    tasks: TaskRepository
    samples: SampleRepository
    batches: BatchRepository
    answers: AnswerRepository
    rounds: RoundRepository
    annotators: AnnotatorRepository
    invites: InviteRepository
    leases: LeaseRepository
    events: list[Event]

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def collect(self, *events: Event) -> None:
        """Remember events to publish once this transaction has committed."""
        self.events.extend(events)

    async def commit(self) -> None: ...


class TaskQueue(Protocol):
    """Sends `run_training_round(task_id, number)` somewhere that will run it (ids only)."""

    async def enqueue_round(self, task_id: int, number: int) -> None: ...


class EventBus(Protocol):
    """Publishes committed events to whoever listens (subscriptions, dashboards)."""

    async def publish(self, events: Sequence[Event]) -> None: ...
