"""Stand-ins for the unit tests: a scripted model, a tiny text dataset, and Given steps.

The model is injected through `Context.build_model`, so the tests hold whether the round calls
the ML core's `run_round` or trains by hand: it implements the `Model` contract (train,
evaluate, test, pool_view over predict_proba) and records every call.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from fakes import Fakes

from activecrowds.domain.model import ADMIN, Batch, Caller, Sample, Task
from activecrowds.services import auth, crowd, rounds, tasks
from activecrowds_ml.metrics import Metrics
from activecrowds_ml.models.base import Model
from activecrowds_ml.storage import Record, write_dataset
from activecrowds_ml.strategies import PoolView, QueryStrategy

LABELS = ["neg", "pos"]
DATASET = "reviews"  # a bare name: a folder under ctx.datasets_dir
SCENARIO: dict[str, Any] = {
    "category": "TEXT",
    "subcategory": "BINARY_CLASSIFICATION",
    "initial_train_size": 2,
    "eval_size": 2,
    "test_size": 2,
    "batch_size": 3,
    "min_peers": 2,
    "min_agreement": 0.75,
    "max_peers": 4,
    "query_strategy": "margin",
}
EVAL = Metrics(0.5, 0.0, 0.0, 0.0, [[1, 0], [1, 0]], LABELS, 2)
TEST = Metrics(1.0, 1.0, 1.0, 1.0, [[1, 0], [0, 1]], LABELS, 2)


def write_text_dataset(root: Path, labelled: int = 6, pool: int = 5) -> Path:
    """A JSONL text dataset: records l0.. (labelled, alternating) and p0.. (the pool)."""
    known = [Record(f"l{i}", text=f"review {i}", label=LABELS[i % 2]) for i in range(labelled)]
    unknown = [Record(f"p{i}", text=f"unread review {i}") for i in range(pool)]
    return write_dataset(root, DATASET, "text", LABELS, known, unknown)


@dataclass(frozen=True)
class Call:
    """One call to a stand-in model: the method, the record ids and the labels it was given."""

    method: str
    ids: list[str]
    labels: list[str] = field(default_factory=list)


@dataclass
class Script:
    """What the stand-in models do; `build` is the `Context.build_model` to inject.

    `unsure`: pool keys the model is 50/50 about (margin picks them first). `error`: training
    raises it. `hold`: training waits until the test sets it (`training` says it has begun).
    """

    unsure: set[str] = field(default_factory=lambda: {"p1", "p3", "p4"})
    eval: Metrics = EVAL
    test: Metrics = TEST
    error: Exception | None = None
    hold: threading.Event | None = None
    training: threading.Event = field(default_factory=threading.Event)
    calls: list[Call] = field(default_factory=list)
    builds: list[dict[str, Any]] = field(default_factory=list)

    def build(self, scenario: Any, labels: Sequence[str], **options: Any) -> Model:
        self.builds.append({"scenario": scenario, "labels": list(labels), **options})
        return StandInModel(labels=tuple(labels), seed=scenario.seed, script=self)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]


@dataclass
class StandInModel(Model):
    """A model that learns nothing: fixed scores, a scripted pool ranking, calls recorded."""

    script: Script = field(default_factory=Script)

    def train(self, records: Sequence[Record], labels: Sequence[str]) -> None:
        self.check_labels(records, labels)
        self._record("train", records, labels)
        self.script.training.set()
        if self.script.hold is not None:
            self.script.hold.wait(timeout=5)
        if self.script.error is not None:
            raise self.script.error

    def evaluate(self, records: Sequence[Record], labels: Sequence[str]) -> Metrics:
        self._record("evaluate", records, labels)
        return self.script.eval

    def test(self, records: Sequence[Record], labels: Sequence[str]) -> Metrics:
        self._record("test", records, labels)
        return self.script.test

    def pool_view(self, strategy: QueryStrategy, pool: Sequence[Record], *rest: Any) -> PoolView:
        self._record("pool_view", pool)
        return super().pool_view(strategy, pool, *rest)

    def predict_proba(self, records: Sequence[Record]) -> np.ndarray:
        rows = [[0.5, 0.5] if r.id in self.script.unsure else [0.95, 0.05] for r in records]
        return np.array(rows)

    def _record(self, method: str, records: Sequence[Record], labels: Sequence[str] = ()) -> None:
        self.script.calls.append(Call(method, [r.id for r in records], list(labels)))


@dataclass
class OpenTask:
    """A task whose round 0 ran: its open batch and that batch's samples (by key)."""

    task: Task
    batch: Batch
    samples: dict[str, Sample]

    @property
    def id(self) -> int:
        return self.task.id


class Given:
    """Setting the scene through the services themselves (nothing written behind their back)."""

    def __init__(self, fakes: Fakes) -> None:
        self.fakes = fakes
        write_text_dataset(fakes.ctx.datasets_dir / DATASET)

    async def task(self, **scenario: Any) -> Task:
        """A new task (round 0 due, not run); `scenario` overrides SCENARIO."""
        cmd = tasks.CreateTask("Reviews", "positive?", LABELS, DATASET, {**SCENARIO, **scenario})
        return await tasks.create_task(self.fakes.ctx, ADMIN, cmd)

    async def open_task(self, **scenario: Any) -> OpenTask:
        """A new task whose round 0 ran: batch 0 holds the samples the model was unsure about."""
        task = await self.task(**scenario)
        assert await rounds.run_training_round(self.fakes.ctx, task.id, 0)
        return self.current(task.id)

    def current(self, task_id: int) -> OpenTask:
        """The task as committed now, with its newest batch."""
        tables = self.fakes.db.committed
        batch = max(
            (b for b in tables.batches.values() if b.task_id == task_id), key=lambda b: b.number
        )
        samples = {s.key: s for s in tables.samples_of(batch.id)}
        return OpenTask(tables.tasks[task_id], batch, samples)

    async def annotators(self, n: int) -> list[Caller]:
        """n annotators registered with one invite (for every task)."""
        ctx = self.fakes.ctx
        invite = await crowd.create_invite(ctx, ADMIN, max_uses=n)
        done = [await auth.register_annotator(ctx, f"annotator {i}", invite.code) for i in range(n)]
        return [d.caller for d in done]
