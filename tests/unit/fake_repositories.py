"""In-memory repositories (`services.ports`) over one transaction's copy of the rows.

Each follows its SQL twin in activecrowds/adapters/repositories.py: the same ordering, the same
rows touched (an update of a missing row does nothing), the schema's unique keys and foreign
keys (IntegrityError), deletes that cascade, and copies in and out, never shared objects.
"""

from __future__ import annotations

import builtins
import copy
import dataclasses
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from fake_tables import AnswerRow, IntegrityError, Repository, by_id, copies, now, stored_test

from activecrowds.domain import model as m
from activecrowds.domain.crowd import AnnotatorStatus, Invite, Lease
from activecrowds.domain.history import MyAnswer, SampleFilter
from activecrowds.domain.predictions import (
    Cursor,
    ModelArtifact,
    PredictedSample,
    Prediction,
    PredictionFilter,
    PredictionOrder,
)
from activecrowds.services.ports import (
    AnnotatorFigures,
    NewInvite,
    NewTask,
    PoolAnswer,
    TaskChanges,
    TaskProgress,
    TaskQuery,
)


class FakeTaskRepository(Repository):
    async def add(self, task: NewTask) -> m.Task:
        created = now()
        row = m.Task(
            id=self.tx.next_id("tasks"),
            **dataclasses.asdict(task),
            created_at=created,
            updated_at=created,
        )
        self.tx.writable().tasks[row.id] = row
        return copy.deepcopy(row)

    async def get(self, task_id: int, *, lock: bool = False) -> m.Task | None:
        return copy.deepcopy(self.tx.tables.tasks.get(task_id))

    async def get_many(self, ids: Iterable[int]) -> dict[int, m.Task]:
        rows = self.tx.tables.tasks
        return {i: copy.deepcopy(rows[i]) for i in set(ids) if i in rows}

    async def list(
        self,
        category: str | None = None,
        subcategory: str | None = None,
        status: m.TaskStatus | None = None,
    ) -> builtins.list[m.Task]:
        found = [
            t
            for t in by_id(self.tx.tables.tasks)
            if category in (None, t.category)
            and subcategory in (None, t.subcategory)
            and status in (None, t.status)
        ]
        return copies(reversed(found))

    async def save_status(self, task: m.Task) -> None:
        values = {"last_error": task.last_error, "finished_reason": task.finished_reason}
        self._set(task.id, status=task.status, **values)

    async def save_workers(self, task_id: int, workers: dict[str, Any]) -> None:
        self._set(task_id, workers=copy.deepcopy(workers))

    async def change(self, task_id: int, changes: TaskChanges) -> None:
        values = {k: v for k, v in dataclasses.asdict(changes).items() if v is not None}
        self._set(task_id, **values)

    def _set(self, task_id: int, **values: Any) -> None:
        row = self.tx.writable().tasks.get(task_id)
        if row is not None:
            for name, value in {**values, "updated_at": now()}.items():
                setattr(row, name, copy.deepcopy(value))

    async def delete(self, task_id: int) -> bool:
        tables = self.tx.writable()
        if tables.tasks.pop(task_id, None) is None:
            return False
        # ON DELETE CASCADE: samples, batches, rounds, models, predictions; answers to them
        every: tuple[dict[int, Any], ...] = (tables.samples, tables.batches, tables.rounds)
        for rows in (*every, tables.models, tables.predictions):
            for row_id in [i for i, row in rows.items() if row.task_id == task_id]:
                del rows[row_id]
        for answer in list(tables.answers.values()):
            if answer.sample_id not in tables.samples or answer.batch_id not in tables.batches:
                del tables.answers[answer.id]
        for row_id, (batch_id, _) in list(tables.leases.items()):
            if batch_id not in tables.batches:
                del tables.leases[row_id]
        return True

    async def count_by_category(self) -> dict[tuple[str, str], int]:
        counts: defaultdict[tuple[str, str], int] = defaultdict(int)
        for t in self.tx.tables.tasks.values():
            counts[(t.category, t.subcategory)] += 1
        return dict(counts)

    def _matching(self, where: TaskQuery) -> builtins.list[m.Task]:
        return [
            t
            for t in by_id(self.tx.tables.tasks)
            if where.category in (None, t.category)
            and where.subcategory in (None, t.subcategory)
            and where.status in (None, t.status)
            and (where.visible is None or t.id in where.visible)
        ]

    async def page(self, where: TaskQuery, before: int | None, limit: int) -> builtins.list[m.Task]:
        found = [t for t in reversed(self._matching(where)) if before is None or t.id < before]
        return copies(found[:limit])

    async def count(self, where: TaskQuery) -> int:
        return len(self._matching(where))


class FakeSampleRepository(Repository):
    async def add_many(self, task_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
        tables = self.tx.writable()
        self._require(tables.tasks, task_id, "task")
        keys = {s.key for s in tables.samples.values() if s.task_id == task_id}
        new = []
        for row in rows:
            if row["key"] in keys:
                raise IntegrityError(f"unique (task_id, key): {row['key']!r} twice")
            keys.add(row["key"])
            values = {**copy.deepcopy(dict(row)), "kind": m.SampleKind(row["kind"])}
            new.append(m.Sample(id=self.tx.next_id("samples"), task_id=task_id, **values))
        tables.samples.update((s.id, s) for s in new)

    async def get(self, sample_id: int) -> m.Sample | None:
        return copy.deepcopy(self.tx.tables.samples.get(sample_id))

    async def in_batches(self, batch_ids: Iterable[int]) -> dict[int, list[m.Sample]]:
        wanted = set(batch_ids)
        out: defaultdict[int, list[m.Sample]] = defaultdict(list)
        for s in self._where(lambda s: s.batch_id in wanted):
            assert s.batch_id is not None
            out[s.batch_id].append(s)
        return out

    async def of_kind(self, task_id: int, kinds: Iterable[m.SampleKind]) -> list[m.Sample]:
        wanted = set(kinds)
        return self._where(lambda s: s.task_id == task_id and s.kind in wanted)

    async def accepted(self, task_id: int) -> list[m.Sample]:
        return self._where(lambda s: s.task_id == task_id and s.state is m.SampleState.ACCEPTED)

    async def remaining_pool(self, task_id: int) -> list[m.Sample]:
        return self._where(
            lambda s: (
                s.task_id == task_id
                and s.kind is m.SampleKind.POOL
                and s.batch_id is None
                and s.state is None
            )
        )

    async def waiting(self, task_id: int) -> list[m.Sample]:
        return self._where(
            lambda s: (
                s.task_id == task_id
                and s.kind is m.SampleKind.POOL
                and s.batch_id is None
                and s.state is m.SampleState.OPEN
            )
        )

    async def place(self, sample_ids: Sequence[int], batch_id: int | None) -> None:
        rows = self.tx.writable().samples
        for sample_id in sample_ids:
            if sample_id in rows:
                rows[sample_id].batch_id = batch_id

    def _where(self, keep: Callable[[m.Sample], bool]) -> list[m.Sample]:
        return copies(s for s in by_id(self.tx.tables.samples) if keep(s))

    async def assign_batch(self, sample_ids: Sequence[int], batch_id: int) -> int:
        tables = self.tx.writable()
        self._require(tables.batches, batch_id, "batch")
        moved = [tables.samples[i] for i in set(sample_ids) if i in tables.samples]
        moved = [s for s in moved if s.batch_id is None]
        for s in moved:
            s.batch_id, s.state, s.answer_count = batch_id, m.SampleState.OPEN, 0
        return len(moved)

    async def save_kinds(self, samples: Sequence[m.Sample]) -> None:
        rows = self.tx.writable().samples
        for sample in samples:
            if sample.id in rows:
                rows[sample.id].kind, rows[sample.id].label = sample.kind, sample.label

    async def get_many(self, sample_ids: Iterable[int]) -> dict[int, m.Sample]:
        rows = self.tx.tables.samples
        return {i: copy.deepcopy(rows[i]) for i in set(sample_ids) if i in rows}

    async def save_tallies(self, samples: Sequence[m.Sample]) -> None:
        rows = self.tx.writable().samples
        for s in samples:
            if s.id in rows:
                row = rows[s.id]
                row.state, row.resolved_label = s.state, s.resolved_label
                row.answer_count, row.votes = s.answer_count, copy.deepcopy(s.votes)

    async def progress(self, task_ids: Iterable[int]) -> dict[int, TaskProgress]:
        wanted = set(task_ids)
        out: dict[int, TaskProgress] = {}
        for s in self.tx.tables.samples.values():
            if s.task_id in wanted:
                labelled, unpicked, spent = out.get(s.task_id, TaskProgress(0, 0, 0))
                seed, pool = s.kind is m.SampleKind.SEED, s.kind is m.SampleKind.POOL
                labelled += seed or s.state is m.SampleState.ACCEPTED
                unpicked += pool and not s.asked
                spent += seed or (pool and s.asked)
                out[s.task_id] = TaskProgress(labelled, unpicked, spent)
        return out

    async def save_predictions(self, task_id: int, predictions: Sequence[Prediction]) -> None:
        tables = self.tx.writable()
        for sample_id in [i for i, p in tables.predictions.items() if p.task_id == task_id]:
            del tables.predictions[sample_id]
        for p in predictions:
            self._require(tables.samples, p.sample_id, "sample")
            if p.sample_id in tables.predictions:
                raise IntegrityError(f"primary key: sample {p.sample_id} predicted twice")
            tables.predictions[p.sample_id] = p

    async def predicted_labels(self, task_id: int) -> dict[int, str]:
        found = self.tx.tables.predictions.values()
        return {p.sample_id: p.label for p in found if p.task_id == task_id}

    def _predicted(self, task_id: int, where: PredictionFilter) -> list[PredictedSample]:
        tables = self.tx.tables
        found = [
            PredictedSample(copy.deepcopy(tables.samples[i]), p)
            for i, p in tables.predictions.items()
            if p.task_id == task_id and tables.samples[i].kind is m.SampleKind.POOL
        ]
        return [f for f in found if where.keeps(f)]

    async def predictions(
        self, task_id: int, where: PredictionFilter, after: Cursor | None, limit: int
    ) -> builtins.list[PredictedSample]:
        desc = where.order is PredictionOrder.CONFIDENCE_DESC
        found = sorted(
            self._predicted(task_id, where),
            key=lambda f: (f.prediction.confidence, f.sample.id),
            reverse=desc,
        )
        if after is not None:
            found = [f for f in found if after.before(f, where.order)]
        return found[:limit]

    async def count_predictions(self, task_id: int, where: PredictionFilter) -> int:
        return len(self._predicted(task_id, where))

    async def page(
        self, task_id: int, where: SampleFilter, after: int | None, limit: int
    ) -> builtins.list[m.Sample]:
        found = self._where(lambda s: s.task_id == task_id and where.keeps(s))
        return [s for s in found if after is None or s.id > after][:limit]

    async def count_where(self, task_id: int, where: SampleFilter) -> int:
        return len(self._where(lambda s: s.task_id == task_id and where.keeps(s)))

    async def export_rows(
        self, task_id: int, chunk: int
    ) -> AsyncIterator[builtins.list[dict[str, Any]]]:
        tables = self.tx.tables
        ids = sorted(i for i, s in tables.samples.items() if s.task_id == task_id)
        answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for a in by_id(tables.answers):
            answers[a.sample_id].append(
                {"annotator_id": a.annotator_id, "label": a.label}
                | {"created_at": a.created_at, "counted": a.counted}
            )
        for start in range(0, len(ids), chunk):
            rows = []
            for i in ids[start : start + chunk]:
                sample = tables.samples[i]
                values = {f.name: getattr(sample, f.name) for f in dataclasses.fields(sample)}
                del values["answers"]  # not a column
                batch = tables.batches.get(sample.batch_id) if sample.batch_id else None
                found = tables.predictions.get(i)
                rows.append(
                    copy.deepcopy(values)
                    | {"batch_number": batch.number if batch else None}
                    | {"predicted": found.label if found else None}
                    | {"confidence": found.confidence if found else None}
                    | {"prediction_round": found.round_number if found else None}
                    | {"answers": copy.deepcopy(answers[i])}
                )
            yield rows


class FakeBatchRepository(Repository):
    async def add(self, task_id: int, number: int) -> m.Batch:
        tables = self.tx.writable()
        self._require(tables.tasks, task_id, "task")
        if any((b.task_id, b.number) == (task_id, number) for b in tables.batches.values()):
            raise IntegrityError(f"unique (task_id, number): batch {number} of task {task_id}")
        batch = m.Batch(self.tx.next_id("batches"), task_id, number, created_at=now())
        tables.batches[batch.id] = batch
        return copy.deepcopy(batch)

    async def get(self, batch_id: int, *, lock: bool = False) -> m.Batch | None:
        return copy.deepcopy(self.tx.tables.batches.get(batch_id))

    async def lock_with_task(self, batch_id: int) -> tuple[m.Batch, m.Task] | None:
        batch = self.tx.tables.batches.get(batch_id)
        task = self.tx.tables.tasks.get(batch.task_id) if batch else None
        return (copy.deepcopy(batch), copy.deepcopy(task)) if batch and task else None

    async def latest(self, task_ids: Iterable[int]) -> dict[int, m.Batch]:
        wanted, out = set(task_ids), dict[int, m.Batch]()
        for b in self.tx.tables.batches.values():
            if b.task_id in wanted and (b.task_id not in out or b.number > out[b.task_id].number):
                out[b.task_id] = b
        return {task_id: copy.deepcopy(b) for task_id, b in out.items()}

    async def resolve(self, batch_id: int) -> None:
        batch = self.tx.writable().batches.get(batch_id)
        if batch is not None:
            batch.status, batch.resolved_at = m.BatchStatus.RESOLVED, now()

    async def page(self, task_id: int, before: int | None, limit: int) -> builtins.list[m.Batch]:
        mine = [b for b in self.tx.tables.batches.values() if b.task_id == task_id]
        found = sorted(mine, key=lambda b: b.number, reverse=True)
        return copies([b for b in found if before is None or b.number < before][:limit])

    async def count(self, task_id: int) -> int:
        return sum(b.task_id == task_id for b in self.tx.tables.batches.values())


class FakeAnswerRepository(Repository):
    async def add_many(
        self,
        batch_id: int,
        answers: Mapping[int, Sequence[tuple[int, str]]],
        *,
        counted: bool = True,
    ) -> None:
        tables = self.tx.writable()
        self._require(tables.batches, batch_id, "batch")
        taken = {(a.sample_id, a.annotator_id) for a in tables.answers.values()}
        for annotator_id, pairs in answers.items():  # one statement: all rows or none
            self._require(tables.annotators, annotator_id, "annotator")
            for sample_id, _ in pairs:
                self._require(tables.samples, sample_id, "sample")
                if (sample_id, annotator_id) in taken:
                    raise IntegrityError(f"unique (sample_id, annotator_id): {sample_id} twice")
                taken.add((sample_id, annotator_id))
        for annotator_id, pairs in answers.items():
            for sample_id, label in pairs:
                row_id = self.tx.next_id("answers")
                tables.answers[row_id] = AnswerRow(
                    row_id, sample_id, batch_id, annotator_id, label, now(), counted
                )

    async def of_task(self, task_id: int) -> list[tuple[int, int, str]]:
        tables = self.tx.tables
        return [
            (a.sample_id, a.annotator_id, a.label)
            for a in by_id(tables.answers)
            if tables.samples[a.sample_id].task_id == task_id
        ]

    async def on_pool(
        self, task_id: int, numbers: Iterable[int] | None = None
    ) -> builtins.list[PoolAnswer]:
        tables, wanted = self.tx.tables, set(numbers) if numbers is not None else None
        out = []
        for a in by_id(tables.answers):
            sample, batch = tables.samples[a.sample_id], tables.batches[a.batch_id]
            if batch.task_id != task_id or sample.kind is not m.SampleKind.POOL:
                continue
            if wanted is None or batch.number in wanted:
                out.append(
                    PoolAnswer(
                        batch.number, a.sample_id, a.annotator_id, a.label, a.counted, sample.state
                    )
                )
        return out

    async def counted_in_batch(self, batch_id: int) -> dict[int, list[tuple[int, str]]]:
        out: dict[int, list[tuple[int, str]]] = {}
        for a in by_id(self.tx.tables.answers):
            if a.batch_id == batch_id and a.counted:
                out.setdefault(a.sample_id, []).append((a.annotator_id, a.label))
        return out

    async def of_annotators(
        self, batch_id: int, annotator_ids: Iterable[int]
    ) -> dict[int, dict[int, str]]:
        wanted, out = set(annotator_ids), dict[int, dict[int, str]]()
        for a in by_id(self.tx.tables.answers):
            if a.batch_id == batch_id and a.annotator_id in wanted:
                out.setdefault(a.annotator_id, {})[a.sample_id] = a.label
        return out

    async def answerers(self, batch_id: int) -> set[int]:
        return {a.annotator_id for a in self.tx.tables.answers.values() if a.batch_id == batch_id}

    def _mine(self, annotator_id: int, keep: Callable[[AnswerRow], bool]) -> list[MyAnswer]:
        batches = self.tx.tables.batches
        return [
            MyAnswer(
                a.id,
                a.sample_id,
                a.batch_id,
                batches[a.batch_id].number,
                a.label,
                a.created_at,
                a.counted,
            )
            for a in by_id(self.tx.tables.answers)
            if a.annotator_id == annotator_id and keep(a)
        ]

    def _to_task(self, task_id: int) -> Callable[[AnswerRow], bool]:
        return lambda a: self.tx.tables.batches[a.batch_id].task_id == task_id

    async def mine(
        self, annotator_id: int, task_id: int, before: int | None, limit: int
    ) -> builtins.list[MyAnswer]:
        found = reversed(self._mine(annotator_id, self._to_task(task_id)))
        return [a for a in found if before is None or a.id < before][:limit]

    async def count_mine(self, annotator_id: int, task_id: int) -> int:
        return len(self._mine(annotator_id, self._to_task(task_id)))

    async def mine_in_batches(
        self, annotator_id: int, batch_ids: Iterable[int]
    ) -> dict[int, builtins.list[MyAnswer]]:
        wanted, out = set(batch_ids), dict[int, list[MyAnswer]]()
        found = self._mine(annotator_id, lambda a: a.batch_id in wanted)
        for a in sorted(found, key=lambda a: (a.batch_id, a.sample_id)):
            out.setdefault(a.batch_id, []).append(a)
        return out

    async def counted_on_open(self, annotator_id: int) -> dict[int, dict[int, str]]:
        tables, out = self.tx.tables, dict[int, dict[int, str]]()
        for a in by_id(tables.answers):
            open_ = tables.samples[a.sample_id].state is m.SampleState.OPEN
            open_ = open_ and tables.batches[a.batch_id].status is m.BatchStatus.OPEN
            if a.annotator_id == annotator_id and a.counted and open_:
                out.setdefault(a.batch_id, {})[a.sample_id] = a.label
        return out

    async def on_decided(self, annotator_id: int) -> int:
        tables = self.tx.tables
        decided = (m.SampleState.ACCEPTED, m.SampleState.DISPUTED)
        return sum(
            a.annotator_id == annotator_id
            and a.counted
            and tables.samples[a.sample_id].state in decided
            for a in tables.answers.values()
        )

    async def uncount(self, annotator_id: int, sample_ids: Iterable[int]) -> None:
        tables, wanted = self.tx.writable(), set(sample_ids)
        for row_id, a in list(tables.answers.items()):
            if a.annotator_id == annotator_id and a.sample_id in wanted:
                tables.answers[row_id] = dataclasses.replace(a, counted=False)

    async def uncount_sample(self, sample_id: int) -> None:
        tables = self.tx.writable()
        for row_id, a in list(tables.answers.items()):
            if a.sample_id == sample_id:
                tables.answers[row_id] = dataclasses.replace(a, counted=False)

    async def given(
        self, annotator_ids: Iterable[int], sample_ids: Iterable[int]
    ) -> dict[int, set[int]]:
        who, which, out = set(annotator_ids), set(sample_ids), dict[int, set[int]]()
        for a in self.tx.tables.answers.values():
            if a.annotator_id in who and a.sample_id in which:
                out.setdefault(a.annotator_id, set()).add(a.sample_id)
        return out

    async def answered_batches(self, annotator_id: int, batch_ids: Iterable[int]) -> set[int]:
        wanted = set(batch_ids)
        answers = self.tx.tables.answers.values()
        return {a.batch_id for a in answers if a.annotator_id == annotator_id} & wanted


class FakeRoundRepository(Repository):
    async def add_due(self, task_id: int, number: int) -> None:
        tables = self.tx.writable()
        self._require(tables.tasks, task_id, "task")
        if tables.round_of(task_id, number) is not None:
            raise IntegrityError(f"unique (task_id, number): round {number} of task {task_id}")
        row = m.Round(self.tx.next_id("rounds"), task_id, number, m.RoundStatus.DUE, sent_at=now())
        tables.rounds[row.id] = row

    async def get(self, task_id: int, number: int, *, lock: bool = False) -> m.Round | None:
        return copy.deepcopy(self.tx.tables.round_of(task_id, number))

    async def save(self, round_: m.Round) -> None:
        rows = self.tx.writable().rounds
        if round_.id in rows:
            stored = copy.deepcopy(round_)
            stored.task_id, stored.number = rows[round_.id].task_id, rows[round_.id].number
            stored.test = stored_test(round_.test, round_.eval)
            rows[round_.id] = stored

    async def mark_sent(self, round_id: int, at: datetime) -> None:
        row = self.tx.writable().rounds.get(round_id)
        if row is not None:
            row.sent_at = at

    async def to_send(
        self, now: datetime, sent_before: datetime, limit: int = 100
    ) -> list[m.Round]:
        found = [
            r
            for r in by_id(self.tx.tables.rounds)
            if r.status in (m.RoundStatus.DUE, m.RoundStatus.RUNNING)
            and (r.lease_until is None or r.lease_until < now)
            and (r.sent_at is None or r.sent_at < sent_before)
        ]
        return copies(found[:limit])

    async def of_tasks(self, task_ids: Iterable[int]) -> dict[int, list[m.Round]]:
        wanted = set(task_ids)
        out: defaultdict[int, list[m.Round]] = defaultdict(list)
        for r in sorted(self.tx.tables.rounds.values(), key=lambda r: (r.task_id, r.number)):
            if r.task_id in wanted:
                out[r.task_id].append(copy.deepcopy(r))
        return out

    async def pending(self) -> list[tuple[int, int]]:
        waiting = (m.RoundStatus.DUE, m.RoundStatus.RUNNING)
        rounds = by_id(self.tx.tables.rounds)
        return [(r.task_id, r.number) for r in rounds if r.status in waiting]

    async def release_leases(self) -> None:
        for r in self.tx.writable().rounds.values():
            r.lease_until = None

    async def add_model(
        self, task_id: int, round_number: int, path: str, size: int, eval_accuracy: float | None
    ) -> ModelArtifact:
        tables = self.tx.writable()
        self._require(tables.tasks, task_id, "task")
        if any(
            (r.task_id, r.round_number) == (task_id, round_number) for r in tables.models.values()
        ):
            raise IntegrityError(f"unique (task_id, round_number): model of round {round_number}")
        row = ModelArtifact(
            self.tx.next_id("round_models"), task_id, round_number, path, size, eval_accuracy, now()
        )
        tables.models[row.id] = row
        return row

    async def models(self, task_ids: Iterable[int]) -> dict[int, builtins.list[ModelArtifact]]:
        wanted = set(task_ids)
        out: defaultdict[int, list[ModelArtifact]] = defaultdict(list)
        for r in sorted(self.tx.tables.models.values(), key=lambda r: (r.task_id, r.round_number)):
            if r.task_id in wanted:
                out[r.task_id].append(r)
        return out

    async def get_model(self, model_id: int) -> ModelArtifact | None:
        return self.tx.tables.models.get(model_id)

    async def delete_models(self, model_ids: Iterable[int]) -> None:
        rows = self.tx.writable().models
        for i in list(model_ids):
            rows.pop(i, None)


class FakeAnnotatorRepository(Repository):
    async def add(self, name: str, role: m.Role, token_hash: str, **extra: Any) -> m.Annotator:
        tables = self.tx.writable()
        if any(a.token_hash == token_hash for a in tables.annotators.values()):
            raise IntegrityError("unique (token_hash)")
        if extra.get("invite_id") is not None:
            self._require(tables.invites, extra["invite_id"], "invite")
        annotator = m.Annotator(
            self.tx.next_id("annotators"), name, role, token_hash, now(), **extra
        )
        tables.annotators[annotator.id] = annotator
        return copy.deepcopy(annotator)

    async def by_token_hash(self, token_hash: str) -> m.Annotator | None:
        found = [a for a in self.tx.tables.annotators.values() if a.token_hash == token_hash]
        return copy.deepcopy(found[0]) if found else None

    async def get(self, annotator_id: int, *, lock: bool = False) -> m.Annotator | None:
        found = self.tx.tables.annotators.get(annotator_id)
        return copy.deepcopy(found) if found else None

    async def get_many(self, ids: Iterable[int], *, lock: bool = False) -> dict[int, m.Annotator]:
        rows = self.tx.tables.annotators
        return {i: copy.deepcopy(rows[i]) for i in sorted(set(ids)) if i in rows}

    async def list(self, status: AnnotatorStatus | None = None) -> builtins.list[m.Annotator]:
        rows = by_id(self.tx.tables.annotators)
        keep = [a for a in rows if a.role is m.Role.ANNOTATOR]
        return copies(a for a in keep if status is None or a.status is status)

    async def save(self, annotator: m.Annotator) -> None:
        tables = self.tx.writable()
        self._require(tables.annotators, annotator.id, "annotator")
        if any(
            a.token_hash == annotator.token_hash and a.id != annotator.id
            for a in tables.annotators.values()
        ):
            raise IntegrityError("unique (token_hash)")
        row = tables.annotators[annotator.id]
        for name in (
            "status",
            "status_reason",
            "token_hash",
            "token_expires_at",
            "gold_answers",
            "gold_correct",
        ):
            setattr(row, name, getattr(annotator, name))

    async def figures(self, ids: Iterable[int]) -> dict[int, AnnotatorFigures]:
        tables, wanted = self.tx.tables, set(ids)
        out: dict[int, AnnotatorFigures] = {}
        for who in sorted(wanted):
            mine = [a for a in tables.answers.values() if a.annotator_id == who]
            if not mine:
                continue
            samples = [tables.samples[a.sample_id] for a in mine]
            accepted = [
                (a, s)
                for a, s in zip(mine, samples, strict=True)
                if s.state is m.SampleState.ACCEPTED and s.kind is m.SampleKind.POOL
            ]
            out[who] = AnnotatorFigures(
                answers=len(mine),
                tasks=len({s.task_id for s in samples}),
                on_accepted=len(accepted),
                agreeing=sum(a.label == s.resolved_label for a, s in accepted),
                last_answer_at=max(a.created_at for a in mine),
            )
        return out

    async def page(
        self, status: AnnotatorStatus | None, after: int | None, limit: int
    ) -> builtins.list[m.Annotator]:
        found = await self.list(status)
        return [a for a in found if after is None or a.id > after][:limit]

    async def count(self, status: AnnotatorStatus | None = None) -> int:
        return len(await self.list(status))


class FakeLeaseRepository(Repository):
    async def of_batch(self, batch_id: int) -> builtins.list[Lease]:
        return [lease for b, lease in by_id(self.tx.tables.leases) if b == batch_id]

    async def release(self, annotator_id: int) -> None:
        tables = self.tx.writable()
        for row_id, (_, lease) in list(tables.leases.items()):
            if lease.annotator_id == annotator_id:
                del tables.leases[row_id]

    async def close(self, batch_id: int) -> None:
        tables = self.tx.writable()
        for row_id, (b, _) in list(tables.leases.items()):
            if b == batch_id:
                del tables.leases[row_id]

    async def take(
        self, batch_id: int, annotator_id: int, sample_ids: Sequence[int], until: datetime
    ) -> None:
        tables = self.tx.writable()
        self._require(tables.batches, batch_id, "batch")
        for row_id, (b, lease) in list(tables.leases.items()):
            if b == batch_id and lease.annotator_id == annotator_id:
                del tables.leases[row_id]
        for sample_id in sample_ids:
            self._require(tables.samples, sample_id, "sample")
            lease = Lease(sample_id, annotator_id, until)
            tables.leases[self.tx.next_id("leases")] = (batch_id, lease)


class FakeInviteRepository(Repository):
    async def add(self, invite: NewInvite) -> Invite:
        tables = self.tx.writable()
        if any(i.code_hash == invite.code_hash for i in tables.invites.values()):
            raise IntegrityError("unique (code_hash)")
        row = Invite(self.tx.next_id("invites"), created_at=now(), **dataclasses.asdict(invite))
        tables.invites[row.id] = row
        return copy.deepcopy(row)

    async def by_code_hash(self, code_hash: str, *, lock: bool = False) -> Invite | None:
        found = [i for i in self.tx.tables.invites.values() if i.code_hash == code_hash]
        return copy.deepcopy(found[0]) if found else None

    async def get(self, invite_id: int, *, lock: bool = False) -> Invite | None:
        found = self.tx.tables.invites.get(invite_id)
        return copy.deepcopy(found) if found else None

    async def list(self) -> builtins.list[Invite]:
        return copies(reversed(by_id(self.tx.tables.invites)))

    async def save(self, invite: Invite) -> None:
        tables = self.tx.writable()
        self._require(tables.invites, invite.id, "invite")
        row = tables.invites[invite.id]
        row.uses, row.revoked_at = invite.uses, invite.revoked_at
