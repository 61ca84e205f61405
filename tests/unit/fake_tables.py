"""The rows the in-memory repositories keep, the transaction they share, and their plumbing."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from activecrowds.domain.crowd import Invite, Lease
from activecrowds.domain.model import Annotator, Batch, Round, Sample, Task
from activecrowds.domain.predictions import ModelArtifact, Prediction
from activecrowds_ml.metrics import Metrics

T = TypeVar("T")


def now() -> datetime:
    return datetime.now(UTC)


class IntegrityError(Exception):
    """A write the schema refuses (unique key, missing referenced row), as the database would."""


@dataclass(frozen=True)
class AnswerRow:
    """One stored answer (the answers table has no domain class)."""

    id: int
    sample_id: int
    batch_id: int
    annotator_id: int
    label: str
    created_at: datetime
    counted: bool = True


@dataclass
class Tables:
    """Every row, by id: what one transaction sees, or what is committed."""

    tasks: dict[int, Task] = field(default_factory=dict)
    samples: dict[int, Sample] = field(default_factory=dict)
    batches: dict[int, Batch] = field(default_factory=dict)
    answers: dict[int, AnswerRow] = field(default_factory=dict)
    rounds: dict[int, Round] = field(default_factory=dict)
    annotators: dict[int, Annotator] = field(default_factory=dict)
    invites: dict[int, Invite] = field(default_factory=dict)
    leases: dict[int, tuple[int, Lease]] = field(default_factory=dict)  # id -> (batch id, lease)
    models: dict[int, ModelArtifact] = field(default_factory=dict)
    predictions: dict[int, Prediction] = field(default_factory=dict)  # by sample id

    def round_of(self, task_id: int, number: int) -> Round | None:
        """Round `number` of a task, or None."""
        found = [r for r in self.rounds.values() if (r.task_id, r.number) == (task_id, number)]
        return found[0] if found else None

    def samples_of(self, batch_id: int) -> list[Sample]:
        """A batch's samples in id order."""
        return [s for _, s in sorted(self.samples.items()) if s.batch_id == batch_id]

    def answers_to(self, batch_id: int) -> list[AnswerRow]:
        """A batch's answers in id order."""
        return [a for _, a in sorted(self.answers.items()) if a.batch_id == batch_id]


class Transaction:
    """What the repositories of one unit of work share: its copy of the rows, and its rules."""

    def __init__(self, tables: Tables, next_id: Callable[[str], int], write: bool) -> None:
        self._tables, self.next_id, self.write, self.open = tables, next_id, write, True

    @property
    def tables(self) -> Tables:
        assert self.open, "a repository used after its unit of work ended"
        return self._tables

    def writable(self) -> Tables:
        assert self.write, "a write inside a read-only unit of work (uow(write=False))"
        return self.tables


def copies(rows: Iterable[T]) -> list[T]:
    return [copy.deepcopy(row) for row in rows]


def by_id(rows: Mapping[int, T]) -> list[T]:
    return [row for _, row in sorted(rows.items())]


class Repository:
    """Shared plumbing: the transaction, and the check of a foreign key."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def _require(self, rows: Mapping[int, Any], row_id: int | None, what: str) -> None:
        if row_id is not None and row_id not in rows:
            raise IntegrityError(f"foreign key: no {what} {row_id}")


def stored_test(test: Metrics | None, evaluation: Metrics | None) -> Metrics | None:
    """The test scores as the SQL columns keep them: no labels or size of their own (the eval
    scores' labels, and the confusion matrix's sum), exactly as RoundRepository reads them."""
    if test is None:
        return None
    matrix = [list(row) for row in test.confusion_matrix]
    labels = list(evaluation.labels) if evaluation else []
    size = sum(sum(row) for row in matrix)
    return Metrics(test.accuracy, test.precision, test.recall, test.f1, matrix, labels, size)
