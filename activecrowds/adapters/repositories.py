"""The SQL repositories (`services.ports`) over one connection: domain objects in and out."""

from __future__ import annotations

import builtins
import dataclasses
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from activecrowds.adapters import statements as sql
from activecrowds.adapters import tables as t
from activecrowds.domain.crowd import Invite, Lease
from activecrowds.domain.history import MyAnswer, SampleFilter
from activecrowds.domain.model import (
    Annotator,
    AnnotatorStatus,
    Batch,
    BatchStatus,
    Role,
    Round,
    RoundStatus,
    Sample,
    SampleKind,
    SampleState,
    Task,
    TaskStatus,
)
from activecrowds.domain.predictions import (
    CrowdState,
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
from activecrowds_ml.metrics import Metrics


class Repository:
    """Shared plumbing: one connection, inside the unit of work's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn


class TaskRepository(Repository):
    async def add(self, task: NewTask) -> Task:
        """Insert a task and return it with its id and timestamps."""
        query = insert(t.tasks).values(**dataclasses.asdict(task)).returning(t.tasks)
        return Task(**(await self.conn.execute(query)).one()._mapping)

    async def get(self, task_id: int, *, lock: bool = False) -> Task | None:
        """The task, or None; `lock` takes its row lock until commit (PostgreSQL)."""
        query = sql.TASK_LOCKED if lock else sql.TASK
        row = (await self.conn.execute(query, {"task_id": task_id})).first()
        return Task(**row._mapping) if row else None

    async def get_many(self, ids: Iterable[int]) -> dict[int, Task]:
        rows = await self.conn.execute(select(t.tasks).where(t.tasks.c.id.in_(list(ids))))
        return {r.id: Task(**r._mapping) for r in rows}

    async def list(
        self,
        category: str | None = None,
        subcategory: str | None = None,
        status: TaskStatus | None = None,
    ) -> list[Task]:
        """Tasks matching the filters, newest first."""
        query = select(t.tasks).order_by(t.tasks.c.id.desc())
        for column, value in (("category", category), ("subcategory", subcategory)):
            if value is not None:
                query = query.where(t.tasks.c[column] == value)
        if status is not None:
            query = query.where(t.tasks.c.status == status)
        return [Task(**r._mapping) for r in await self.conn.execute(query)]

    async def save_status(self, task: Task) -> None:
        values = {"last_error": task.last_error, "finished_reason": task.finished_reason}
        await self._set(task.id, status=task.status, **values)

    async def save_workers(self, task_id: int, workers: dict[str, Any]) -> None:
        """The crowd's estimated reliability, as the last round left it."""
        query = update(t.tasks).where(t.tasks.c.id == task_id).values(workers=workers)
        await self.conn.execute(query)

    async def change(self, task_id: int, changes: TaskChanges) -> None:
        values = {k: v for k, v in dataclasses.asdict(changes).items() if v is not None}
        await self._set(task_id, **values)

    async def _set(self, task_id: int, **values: Any) -> None:
        query = update(t.tasks).where(t.tasks.c.id == task_id)
        await self.conn.execute(query.values(**values, updated_at=func.now()))

    async def delete(self, task_id: int) -> bool:
        result = await self.conn.execute(delete(t.tasks).where(t.tasks.c.id == task_id))
        return bool(result.rowcount)

    async def count_by_category(self) -> dict[tuple[str, str], int]:
        """Number of tasks per (category, subcategory)."""
        c = t.tasks.c
        query = select(c.category, c.subcategory, func.count()).group_by(c.category, c.subcategory)
        return {(r[0], r[1]): int(r[2]) for r in await self.conn.execute(query)}

    async def page(self, where: TaskQuery, before: int | None, limit: int) -> builtins.list[Task]:
        """Keyset page on the id, newest first."""
        query = select(t.tasks).where(*_tasks_where(where))
        if before is not None:
            query = query.where(t.tasks.c.id < before)
        rows = await self.conn.execute(query.order_by(t.tasks.c.id.desc()).limit(limit))
        return [Task(**r._mapping) for r in rows]

    async def count(self, where: TaskQuery) -> int:
        query = select(func.count()).select_from(t.tasks).where(*_tasks_where(where))
        return int((await self.conn.execute(query)).scalar_one())


class SampleRepository(Repository):
    async def add_many(self, task_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
        """Bulk insert (one executemany); rows carry key, kind, file, text, label."""
        if rows:
            await self.conn.execute(insert(t.samples), [{**r, "task_id": task_id} for r in rows])

    async def get_many(self, sample_ids: Iterable[int]) -> dict[int, Sample]:
        query = select(t.samples).where(t.samples.c.id.in_(list(sample_ids)))
        return {r.id: Sample(**r._mapping) for r in await self.conn.execute(query)}

    async def get(self, sample_id: int) -> Sample | None:
        row = (
            await self.conn.execute(select(t.samples).where(t.samples.c.id == sample_id))
        ).first()
        return Sample(**row._mapping) if row else None

    async def in_batches(self, batch_ids: Iterable[int]) -> dict[int, list[Sample]]:
        """Samples of each batch, in id order."""
        rows = await self.conn.execute(sql.SAMPLES_IN_BATCHES, {"batch_ids": list(batch_ids)})
        out: dict[int, list[Sample]] = defaultdict(list)
        for r in rows:
            out[r.batch_id].append(Sample(**r._mapping))
        return out

    async def of_kind(self, task_id: int, kinds: Iterable[SampleKind]) -> list[Sample]:
        query = (
            select(t.samples)
            .where(t.samples.c.task_id == task_id, t.samples.c.kind.in_(list(kinds)))
            .order_by(t.samples.c.id)
        )
        return [Sample(**r._mapping) for r in await self.conn.execute(query)]

    async def accepted(self, task_id: int) -> list[Sample]:
        """Pool samples the crowd labelled (they join the training set)."""
        c = t.samples.c
        query = select(t.samples).where(c.task_id == task_id, c.state == SampleState.ACCEPTED)
        return [Sample(**r._mapping) for r in await self.conn.execute(query.order_by(c.id))]

    async def remaining_pool(self, task_id: int) -> list[Sample]:
        """Pool samples never picked into a batch, in id order (the strategy's candidates)."""
        c = t.samples.c
        query = select(t.samples).where(
            c.task_id == task_id, c.kind == SampleKind.POOL, c.batch_id.is_(None)
        )
        # A sample asked again waits with a state: it is no candidate, the next batch takes it.
        query = query.where(c.state.is_(None))
        return [Sample(**r._mapping) for r in await self.conn.execute(query.order_by(c.id))]

    async def waiting(self, task_id: int) -> list[Sample]:
        """Pool samples asked again (REASK) while no batch was open, in id order."""
        c = t.samples.c
        query = select(t.samples).where(
            c.task_id == task_id,
            c.kind == SampleKind.POOL,
            c.batch_id.is_(None),
            c.state == SampleState.OPEN,
        )
        return [Sample(**r._mapping) for r in await self.conn.execute(query.order_by(c.id))]

    async def place(self, sample_ids: Sequence[int], batch_id: int | None) -> None:
        """Move these samples into `batch_id` (None: out of every batch, waiting)."""
        query = update(t.samples).where(t.samples.c.id.in_(list(sample_ids)))
        await self.conn.execute(query.values(batch_id=batch_id))

    async def assign_batch(self, sample_ids: Sequence[int], batch_id: int) -> int:
        """Put still-unpicked samples into a batch; returns how many moved."""
        c = t.samples.c
        query = (
            update(t.samples)
            .where(c.id.in_(list(sample_ids)), c.batch_id.is_(None))
            .values(batch_id=batch_id, state=SampleState.OPEN, answer_count=0)
        )
        return int((await self.conn.execute(query)).rowcount)

    async def save_kinds(self, samples: Sequence[Sample]) -> None:
        """Store each sample's kind and label (pool samples the admin made control questions)."""
        for sample in samples:
            query = update(t.samples).where(t.samples.c.id == sample.id)
            await self.conn.execute(query.values(kind=sample.kind, label=sample.label))

    async def save_tallies(self, samples: Sequence[Sample]) -> None:
        """Store votes, answer count, state and resolved label per sample: one statement (on
        PostgreSQL an UPDATE ... FROM arrays, elsewhere one executemany)."""
        if not samples:
            return
        if self.conn.dialect.name == "postgresql":
            await self.conn.execute(sql.UPDATE_TALLIES, _tally_arrays(samples))
            return
        names = ("state", "resolved_label", "answer_count", "votes")
        # "sid": a bind parameter may not share a column's name in an UPDATE's WHERE.
        query = (
            update(t.samples)
            .where(t.samples.c.id == bindparam("sid"))
            .values({name: bindparam(name) for name in names})
        )
        rows = [{"sid": s.id, **{name: getattr(s, name) for name in names}} for s in samples]
        await self.conn.execute(query, rows)

    async def progress(self, task_ids: Iterable[int]) -> dict[int, TaskProgress]:
        """Per task: labelled (seed + accepted), pool samples never picked, labels spent."""
        c = t.samples.c
        seed_or_accepted = (c.kind == SampleKind.SEED) | (c.state == SampleState.ACCEPTED)
        # Sample.asked: in a batch, or sent back to the crowd and waiting for the next one.
        picked = c.batch_id.isnot(None) | c.state.isnot(None)
        asked = and_(c.kind == SampleKind.POOL, picked)
        counts = [
            func.sum(case((seed_or_accepted, 1), else_=0)),
            func.sum(case((and_(c.kind == SampleKind.POOL, ~picked), 1), else_=0)),
            func.sum(case(((c.kind == SampleKind.SEED) | asked, 1), else_=0)),
        ]
        query = select(c.task_id, *counts).where(c.task_id.in_(list(task_ids))).group_by(c.task_id)
        rows = await self.conn.execute(query)
        return {r[0]: TaskProgress(*(int(n or 0) for n in r[1:])) for r in rows}

    async def save_predictions(self, task_id: int, predictions: Sequence[Prediction]) -> None:
        """Replace the task's predictions (the latest round's, all of one round): one delete,
        one insert (from arrays on PostgreSQL, an executemany elsewhere)."""
        await self.conn.execute(delete(t.predictions).where(t.predictions.c.task_id == task_id))
        if not predictions:
            return
        if self.conn.dialect.name == "postgresql":  # one statement from arrays
            arrays = {
                "task_id": task_id,
                "round_number": predictions[0].round_number,
                "sample_ids": [p.sample_id for p in predictions],
                "labels": [p.label for p in predictions],
                "confidences": [p.confidence for p in predictions],
            }
            await self.conn.execute(sql.INSERT_PREDICTIONS, arrays)
            return
        rows = [dataclasses.asdict(p) for p in predictions]
        await self.conn.execute(insert(t.predictions), rows)

    async def predicted_labels(self, task_id: int) -> dict[int, str]:
        p = t.predictions.c
        query = select(p.sample_id, p.label).where(p.task_id == task_id)
        return {r[0]: r[1] for r in await self.conn.execute(query)}

    async def predictions(
        self, task_id: int, where: PredictionFilter, after: Cursor | None, limit: int
    ) -> list[PredictedSample]:
        """A page of predictions with their samples, keyset-paginated on (confidence, id)."""
        p = t.predictions.c
        query = select(t.samples, p.round_number, p.label.label("predicted"), p.confidence)
        query = query.join(t.predictions, p.sample_id == t.samples.c.id)
        query = query.where(*_predicted(task_id, where))
        desc = where.order is PredictionOrder.CONFIDENCE_DESC
        if after is not None:
            c, i = after.confidence, after.sample_id
            if desc:
                query = query.where((p.confidence < c) | ((p.confidence == c) & (p.sample_id < i)))
            else:
                query = query.where((p.confidence > c) | ((p.confidence == c) & (p.sample_id > i)))
        order = (p.confidence.desc(), p.sample_id.desc()) if desc else (p.confidence, p.sample_id)
        out = []
        for row in await self.conn.execute(query.order_by(*order).limit(limit)):
            values = dict(row._mapping)
            found = Prediction(
                values["id"],
                task_id,
                values.pop("round_number"),
                values.pop("predicted"),
                values.pop("confidence"),
            )
            out.append(PredictedSample(Sample(**values), found))
        return out

    async def count_predictions(self, task_id: int, where: PredictionFilter) -> int:
        query = select(func.count()).select_from(
            t.predictions.join(t.samples, t.predictions.c.sample_id == t.samples.c.id)
        )
        return int((await self.conn.execute(query.where(*_predicted(task_id, where)))).scalar_one())

    async def page(
        self, task_id: int, where: SampleFilter, after: int | None, limit: int
    ) -> builtins.list[Sample]:
        """Keyset page on the sample id."""
        query = select(t.samples).where(*_samples_where(task_id, where))
        if after is not None:
            query = query.where(t.samples.c.id > after)
        rows = await self.conn.execute(query.order_by(t.samples.c.id).limit(limit))
        return [Sample(**r._mapping) for r in rows]

    async def count_where(self, task_id: int, where: SampleFilter) -> int:
        query = select(func.count()).select_from(t.samples)
        query = query.where(*_samples_where(task_id, where))
        return int((await self.conn.execute(query)).scalar_one())

    async def export_rows(self, task_id: int, chunk: int) -> AsyncIterator[list[dict[str, Any]]]:
        """Keyset pages on the sample id: one query for a page's samples (with their batch
        number and prediction), one for their answers."""
        s, p, a = t.samples.c, t.predictions.c, t.answers.c
        page = (
            select(
                t.samples,
                t.batches.c.number.label("batch_number"),
                p.label.label("predicted"),
                p.confidence,
                p.round_number.label("prediction_round"),
            )
            .outerjoin(t.batches, t.batches.c.id == s.batch_id)
            .outerjoin(t.predictions, p.sample_id == s.id)
            .where(s.task_id == task_id, s.id > bindparam("after"))
            .order_by(s.id)
            .limit(chunk)
        )
        answers = (
            select(a.sample_id, a.annotator_id, a.label, a.created_at, a.counted)
            .where(a.sample_id.in_(bindparam("ids", expanding=True)))
            .order_by(a.sample_id, a.id)
        )
        after = 0
        while True:
            rows = [dict(r._mapping) for r in await self.conn.execute(page, {"after": after})]
            if not rows:
                return
            by_sample: dict[int, list[dict[str, Any]]] = {r["id"]: [] for r in rows}
            for r in await self.conn.execute(answers, {"ids": list(by_sample)}):
                by_sample[r.sample_id].append(
                    {
                        "annotator_id": r.annotator_id,
                        "label": r.label,
                        "created_at": r.created_at,
                        "counted": r.counted,
                    }
                )
            for row in rows:
                row["answers"] = by_sample[row["id"]]
            yield rows
            if len(rows) < chunk:
                return
            after = rows[-1]["id"]


class BatchRepository(Repository):
    async def add(self, task_id: int, number: int) -> Batch:
        query = (
            insert(t.batches)
            .values(task_id=task_id, number=number, status=BatchStatus.OPEN)
            .returning(t.batches)
        )
        return Batch(**(await self.conn.execute(query)).one()._mapping)

    async def get(self, batch_id: int, *, lock: bool = False) -> Batch | None:
        """The batch, or None; `lock` serialises submissions to it until commit (PostgreSQL)."""
        query = sql.BATCH_LOCKED if lock else sql.BATCH
        row = (await self.conn.execute(query, {"batch_id": batch_id})).first()
        return Batch(**row._mapping) if row else None

    async def lock_with_task(self, batch_id: int) -> tuple[Batch, Task] | None:
        """The batch, its row locked until commit (PostgreSQL), and its task: one statement.

        The task comes from the statement's snapshot, which may predate a submission that
        committed while this one waited for the lock: only while the batch is still open is
        the task known to be as stored (nothing else changes a collecting task's status).
        """
        query = sql.BATCH_LOCKED_WITH_TASK
        row = (await self.conn.execute(query, {"batch_id": batch_id})).first()
        if row is None:
            return None
        values = row._mapping
        task = Task(**{c.name: values[sql.TASK_PREFIX + c.name] for c in t.tasks.c})
        return Batch(**{c.name: values[c.name] for c in t.batches.c}), task

    async def latest(self, task_ids: Iterable[int]) -> dict[int, Batch]:
        """Each task's newest batch (the open one while collecting)."""
        rows = await self.conn.execute(sql.NEWEST_BATCHES, {"task_ids": list(task_ids)})
        return {r.task_id: Batch(**r._mapping) for r in rows}

    async def resolve(self, batch_id: int) -> None:
        query = (
            update(t.batches)
            .where(t.batches.c.id == batch_id)
            .values(status=BatchStatus.RESOLVED, resolved_at=func.now())
        )
        await self.conn.execute(query)

    async def page(self, task_id: int, before: int | None, limit: int) -> builtins.list[Batch]:
        """Keyset page on the batch number (the unique (task, number) key), newest first."""
        c = t.batches.c
        query = select(t.batches).where(c.task_id == task_id)
        if before is not None:
            query = query.where(c.number < before)
        rows = await self.conn.execute(query.order_by(c.number.desc()).limit(limit))
        return [Batch(**r._mapping) for r in rows]

    async def count(self, task_id: int) -> int:
        query = select(func.count()).select_from(t.batches).where(t.batches.c.task_id == task_id)
        return int((await self.conn.execute(query)).scalar_one())


class AnswerRepository(Repository):
    async def add_many(
        self,
        batch_id: int,
        answers: Mapping[int, Sequence[tuple[int, str]]],
        *,
        counted: bool = True,
    ) -> None:
        """One INSERT for every annotator's answers (on PostgreSQL from arrays: one statement
        whatever the count, prepared once); `counted` False keeps them as evidence only."""
        rows = [(a, s, lab) for a, pairs in answers.items() for s, lab in pairs]
        if not rows:
            return
        if self.conn.dialect.name != "postgresql" or not counted:
            names = ("annotator_id", "sample_id", "label")
            values = [
                {"batch_id": batch_id, "counted": counted, **dict(zip(names, r, strict=True))}
                for r in rows
            ]
            await self.conn.execute(insert(t.answers), values)
            return
        annotators, samples, labels = (list(column) for column in zip(*rows, strict=True))
        arrays = {"annotators": annotators, "samples": samples, "labels": labels}
        await self.conn.execute(sql.INSERT_ANSWERS, {"batch_id": batch_id, **arrays})

    async def of_task(self, task_id: int) -> list[tuple[int, int, str]]:
        """Every answer to the task's samples, counted or not: (sample, annotator, label)."""
        a, s = t.answers.c, t.samples.c
        query = (
            select(a.sample_id, a.annotator_id, a.label)
            .join(t.samples, s.id == a.sample_id)
            .where(s.task_id == task_id)
            .order_by(a.id)
        )
        return [(r[0], r[1], r[2]) for r in await self.conn.execute(query)]

    async def on_pool(self, task_id: int, numbers: Iterable[int] | None = None) -> list[PoolAnswer]:
        """Answers to the task's pool samples (of batches `numbers`, None: all), with each
        sample's state: what agreement figures are counted from."""
        a, s, b = t.answers.c, t.samples.c, t.batches.c
        query = (
            select(b.number, a.sample_id, a.annotator_id, a.label, a.counted, s.state)
            .join(t.samples, s.id == a.sample_id)
            .join(t.batches, b.id == a.batch_id)
            .where(b.task_id == task_id, s.kind == SampleKind.POOL)
            .order_by(a.id)
        )
        if numbers is not None:
            query = query.where(b.number.in_(list(numbers)))
        return [PoolAnswer(*r) for r in await self.conn.execute(query)]

    async def counted_in_batch(self, batch_id: int) -> dict[int, list[tuple[int, str]]]:
        """The batch's counted answers: sample id -> [(annotator id, label)] in answer order."""
        a = t.answers.c
        query = (
            select(a.sample_id, a.annotator_id, a.label)
            .where(a.batch_id == batch_id, a.counted)
            .order_by(a.id)
        )
        out: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for sample_id, annotator_id, label in await self.conn.execute(query):
            out[sample_id].append((annotator_id, label))
        return dict(out)

    async def of_annotators(
        self, batch_id: int, annotator_ids: Iterable[int]
    ) -> dict[int, dict[int, str]]:
        """What these annotators answered in this batch: annotator id -> sample id -> label."""
        given = {"batch_id": batch_id, "annotator_ids": list(annotator_ids)}
        out: dict[int, dict[int, str]] = defaultdict(dict)
        for annotator_id, sample_id, label in await self.conn.execute(
            sql.ANSWERS_OF_ANNOTATORS, given
        ):
            out[annotator_id][sample_id] = label
        return dict(out)

    async def answered_batches(self, annotator_id: int, batch_ids: Iterable[int]) -> set[int]:
        """Which of these batches the annotator has answered."""
        given = {"annotator_id": annotator_id, "batch_ids": list(batch_ids)}
        return {r[0] for r in await self.conn.execute(sql.ANSWERED_BATCHES, given)}

    async def answerers(self, batch_id: int) -> set[int]:
        """Every annotator who answered this batch."""
        return {r[0] for r in await self.conn.execute(sql.ANSWERERS, {"batch_id": batch_id})}

    async def mine(
        self, annotator_id: int, task_id: int, before: int | None, limit: int
    ) -> builtins.list[MyAnswer]:
        """Keyset page on the answer id, newest first."""
        query = _my_answers(annotator_id).where(t.batches.c.task_id == task_id)
        if before is not None:
            query = query.where(t.answers.c.id < before)
        rows = await self.conn.execute(query.order_by(t.answers.c.id.desc()).limit(limit))
        return [MyAnswer(*r) for r in rows]

    async def count_mine(self, annotator_id: int, task_id: int) -> int:
        a, b = t.answers.c, t.batches.c
        query = (
            select(func.count())
            .select_from(t.answers.join(t.batches, b.id == a.batch_id))
            .where(a.annotator_id == annotator_id, b.task_id == task_id)
        )
        return int((await self.conn.execute(query)).scalar_one())

    async def mine_in_batches(
        self, annotator_id: int, batch_ids: Iterable[int]
    ) -> dict[int, builtins.list[MyAnswer]]:
        """By the (batch, annotator) index: one query for every batch asked."""
        a = t.answers.c
        query = _my_answers(annotator_id).where(a.batch_id.in_(list(batch_ids)))
        out: dict[int, list[MyAnswer]] = defaultdict(list)
        for r in await self.conn.execute(query.order_by(a.batch_id, a.sample_id)):
            found = MyAnswer(*r)
            out[found.batch_id].append(found)
        return dict(out)

    async def counted_on_open(self, annotator_id: int) -> dict[int, dict[int, str]]:
        """The annotator's counted answers on samples still OPEN in open batches: batch ->
        sample -> label (a control question stays OPEN after its batch resolved)."""
        a, s, b = t.answers.c, t.samples.c, t.batches.c
        query = (
            select(a.batch_id, a.sample_id, a.label)
            .join(t.samples, s.id == a.sample_id)
            .join(t.batches, b.id == a.batch_id)
            .where(a.annotator_id == annotator_id, a.counted, s.state == SampleState.OPEN)
            .where(b.status == BatchStatus.OPEN)
        )
        out: dict[int, dict[int, str]] = defaultdict(dict)
        for batch_id, sample_id, label in await self.conn.execute(query):
            out[batch_id][sample_id] = label
        return dict(out)

    async def on_decided(self, annotator_id: int) -> int:
        """How many of the annotator's counted answers are on samples already decided."""
        a, s = t.answers.c, t.samples.c
        query = (
            select(func.count())
            .select_from(t.answers.join(t.samples, s.id == a.sample_id))
            .where(
                a.annotator_id == annotator_id,
                a.counted,
                s.state.in_([SampleState.ACCEPTED, SampleState.DISPUTED]),
            )
        )
        return int((await self.conn.execute(query)).scalar_one())

    async def uncount(self, annotator_id: int, sample_ids: Iterable[int]) -> None:
        """Keep these answers as evidence only: they no longer count as votes."""
        a = t.answers.c
        query = update(t.answers).where(
            a.annotator_id == annotator_id, a.sample_id.in_(list(sample_ids))
        )
        await self.conn.execute(query.values(counted=False))

    async def uncount_sample(self, sample_id: int) -> None:
        """Every answer to this sample stays as evidence only (it is asked again)."""
        query = update(t.answers).where(t.answers.c.sample_id == sample_id)
        await self.conn.execute(query.values(counted=False))

    async def given(
        self, annotator_ids: Iterable[int], sample_ids: Iterable[int]
    ) -> dict[int, set[int]]:
        """Annotator id -> which of these samples it has answered, in any batch (by the
        unique (sample, annotator) key)."""
        a = t.answers.c
        query = select(a.annotator_id, a.sample_id).where(
            a.sample_id.in_(list(sample_ids)), a.annotator_id.in_(list(annotator_ids))
        )
        out: dict[int, set[int]] = defaultdict(set)
        for annotator_id, sample_id in await self.conn.execute(query):
            out[annotator_id].add(sample_id)
        return dict(out)


class RoundRepository(Repository):
    async def add_due(self, task_id: int, number: int) -> None:
        """Mark a round due and sent now (RoundDue sends it after commit; else the relay)."""
        values = {"task_id": task_id, "number": number, "status": RoundStatus.DUE}
        now = datetime.now(UTC)
        await self.conn.execute(insert(t.rounds).values(**values, confusion_matrix=[], sent_at=now))

    async def to_send(self, now: datetime, sent_before: datetime, limit: int = 100) -> list[Round]:
        """Due or abandoned (lease over) rounds not sent since `sent_before`; row-locked."""
        c = t.rounds.c
        query = (
            select(t.rounds)
            .where(
                c.status.in_([RoundStatus.DUE, RoundStatus.RUNNING]),
                (c.lease_until.is_(None)) | (c.lease_until < now),
                (c.sent_at.is_(None)) | (c.sent_at < sent_before),
            )
            .order_by(c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_round(r._mapping) for r in await self.conn.execute(query)]

    async def get(self, task_id: int, number: int, *, lock: bool = False) -> Round | None:
        c = t.rounds.c
        query = select(t.rounds).where(c.task_id == task_id, c.number == number)
        row = (await self.conn.execute(query.with_for_update() if lock else query)).first()
        return _round(row._mapping) if row else None

    async def save(self, round_: Round) -> None:
        test, evaluation = round_.test, round_.eval
        values = {
            "status": round_.status,
            "train_size": round_.train_size,
            "attempts": round_.attempts,
            "error": round_.error,
            "started_at": round_.started_at,
            "finished_at": round_.finished_at,
            "sent_at": round_.sent_at,
            "lease_until": round_.lease_until,
            "accuracy": test.accuracy if test else None,
            "precision": test.precision if test else None,
            "recall": test.recall if test else None,
            "f1": test.f1 if test else None,
            "confusion_matrix": test.confusion_matrix if test else [],
            "eval_metrics": evaluation.to_dict() if evaluation else None,
            "pool_agreement": round_.pool_agreement,
        }
        await self._set(round_.id, **values)

    async def mark_sent(self, round_id: int, at: datetime) -> None:
        await self._set(round_id, sent_at=at)

    async def _set(self, round_id: int, **values: Any) -> None:
        await self.conn.execute(update(t.rounds).where(t.rounds.c.id == round_id).values(**values))

    async def of_tasks(self, task_ids: Iterable[int]) -> dict[int, list[Round]]:
        """Each task's rounds in order."""
        c = t.rounds.c
        query = select(t.rounds).where(c.task_id.in_(list(task_ids))).order_by(c.task_id, c.number)
        out: dict[int, list[Round]] = defaultdict(list)
        for r in await self.conn.execute(query):
            out[r.task_id].append(_round(r._mapping))
        return out

    async def pending(self) -> list[tuple[int, int]]:
        """(task id, round number) of rounds due or interrupted while running."""
        c = t.rounds.c
        query = select(c.task_id, c.number).where(
            c.status.in_([RoundStatus.DUE, RoundStatus.RUNNING])
        )
        return [(r[0], r[1]) for r in await self.conn.execute(query.order_by(c.id))]

    async def release_leases(self) -> None:
        """Forget every runner's lease (the only process restarted: nobody holds a round)."""
        await self.conn.execute(update(t.rounds).values(lease_until=None))

    async def add_model(
        self, task_id: int, round_number: int, path: str, size: int, eval_accuracy: float | None
    ) -> ModelArtifact:
        values = {
            "task_id": task_id,
            "round_number": round_number,
            "path": path,
            "size": size,
            "eval_accuracy": eval_accuracy,
        }
        query = insert(t.round_models).values(**values).returning(t.round_models)
        return ModelArtifact(**(await self.conn.execute(query)).one()._mapping)

    async def models(self, task_ids: Iterable[int]) -> dict[int, builtins.list[ModelArtifact]]:
        """Each task's stored models, oldest round first."""
        c = t.round_models.c
        query = (
            select(t.round_models)
            .where(c.task_id.in_(list(task_ids)))
            .order_by(c.task_id, c.round_number)
        )
        out: dict[int, list[ModelArtifact]] = defaultdict(list)
        for r in await self.conn.execute(query):
            out[r.task_id].append(ModelArtifact(**r._mapping))
        return out

    async def get_model(self, model_id: int) -> ModelArtifact | None:
        query = select(t.round_models).where(t.round_models.c.id == model_id)
        row = (await self.conn.execute(query)).first()
        return ModelArtifact(**row._mapping) if row else None

    async def delete_models(self, model_ids: Iterable[int]) -> None:
        ids = list(model_ids)
        if ids:
            await self.conn.execute(delete(t.round_models).where(t.round_models.c.id.in_(ids)))


class AnnotatorRepository(Repository):
    async def add(self, name: str, role: Role, token_hash: str, **extra: Any) -> Annotator:
        """Insert an annotator; `extra`: invite_id, task_ids, token_expires_at."""
        values = {"name": name, "role": role, "token_hash": token_hash, **extra}
        query = insert(t.annotators).values(**values).returning(t.annotators)
        return Annotator(**(await self.conn.execute(query)).one()._mapping)

    async def by_token_hash(self, token_hash: str) -> Annotator | None:
        query = sql.ANNOTATOR_BY_TOKEN
        row = (await self.conn.execute(query, {"token_hash": token_hash})).first()
        return Annotator(**row._mapping) if row else None

    async def get(self, annotator_id: int, *, lock: bool = False) -> Annotator | None:
        """The annotator, or None; `lock` takes its row lock until commit (PostgreSQL)."""
        query = select(t.annotators).where(t.annotators.c.id == annotator_id)
        row = (await self.conn.execute(query.with_for_update() if lock else query)).first()
        return Annotator(**row._mapping) if row else None

    async def get_many(self, ids: Iterable[int], *, lock: bool = False) -> dict[int, Annotator]:
        """The annotators found; `lock` takes their row locks in id order (PostgreSQL)."""
        query = select(t.annotators).where(t.annotators.c.id.in_(list(ids)))
        if lock:
            query = query.order_by(t.annotators.c.id).with_for_update()
        return {r.id: Annotator(**r._mapping) for r in await self.conn.execute(query)}

    async def list(self, status: AnnotatorStatus | None = None) -> builtins.list[Annotator]:
        """Annotators (not admins), oldest first."""
        query = select(t.annotators).where(t.annotators.c.role == Role.ANNOTATOR)
        if status is not None:
            query = query.where(t.annotators.c.status == status)
        rows = await self.conn.execute(query.order_by(t.annotators.c.id))
        return [Annotator(**r._mapping) for r in rows]

    async def save(self, annotator: Annotator) -> None:
        """Store what the domain changes: status, token, control figures."""
        values = {
            name: getattr(annotator, name)
            for name in (
                "status",
                "status_reason",
                "token_hash",
                "token_expires_at",
                "gold_answers",
                "gold_correct",
            )
        }
        query = update(t.annotators).where(t.annotators.c.id == annotator.id)
        await self.conn.execute(query.values(**values))

    async def figures(self, ids: Iterable[int]) -> dict[int, AnnotatorFigures]:
        """Per annotator: answers, tasks, and agreement with the labels decided since."""
        a, s = t.answers.c, t.samples.c
        decided = and_(s.state == SampleState.ACCEPTED, s.kind == SampleKind.POOL)
        query = (
            select(
                a.annotator_id,
                func.count(),
                func.count(func.distinct(s.task_id)),
                func.sum(case((decided, 1), else_=0)),
                func.sum(case((and_(decided, a.label == s.resolved_label), 1), else_=0)),
                func.max(a.created_at),
            )
            .join(t.samples, s.id == a.sample_id)
            .where(a.annotator_id.in_(list(ids)))
            .group_by(a.annotator_id)
        )
        return {
            r[0]: AnnotatorFigures(int(r[1]), int(r[2]), int(r[3] or 0), int(r[4] or 0), r[5])
            for r in await self.conn.execute(query)
        }

    async def page(
        self, status: AnnotatorStatus | None, after: int | None, limit: int
    ) -> builtins.list[Annotator]:
        """Keyset page on the id, oldest first."""
        query = select(t.annotators).where(*_annotators_where(status))
        if after is not None:
            query = query.where(t.annotators.c.id > after)
        rows = await self.conn.execute(query.order_by(t.annotators.c.id).limit(limit))
        return [Annotator(**r._mapping) for r in rows]

    async def count(self, status: AnnotatorStatus | None = None) -> int:
        query = select(func.count()).select_from(t.annotators)
        return int((await self.conn.execute(query.where(*_annotators_where(status)))).scalar_one())


class LeaseRepository(Repository):
    async def of_batch(self, batch_id: int) -> builtins.list[Lease]:
        c = t.leases.c
        query = select(c.sample_id, c.annotator_id, c.until).where(c.batch_id == batch_id)
        return [Lease(*r) for r in await self.conn.execute(query)]

    async def release(self, annotator_id: int) -> None:
        """The annotator holds nothing any more, in any batch."""
        await self.conn.execute(delete(t.leases).where(t.leases.c.annotator_id == annotator_id))

    async def close(self, batch_id: int) -> None:
        """Nobody holds anything of this batch any more (it resolved)."""
        await self.conn.execute(delete(t.leases).where(t.leases.c.batch_id == batch_id))

    async def take(
        self, batch_id: int, annotator_id: int, sample_ids: Sequence[int], until: datetime
    ) -> None:
        """The annotator holds these samples of the batch until then (and no others of it)."""
        c = t.leases.c
        await self.conn.execute(
            delete(t.leases).where(c.batch_id == batch_id, c.annotator_id == annotator_id)
        )
        if sample_ids:
            rows = [
                {"batch_id": batch_id, "sample_id": s, "annotator_id": annotator_id, "until": until}
                for s in sample_ids
            ]
            await self.conn.execute(insert(t.leases), rows)


class InviteRepository(Repository):
    async def add(self, invite: NewInvite) -> Invite:
        query = insert(t.invites).values(**dataclasses.asdict(invite)).returning(t.invites)
        return Invite(**(await self.conn.execute(query)).one()._mapping)

    async def by_code_hash(self, code_hash: str, *, lock: bool = False) -> Invite | None:
        """The invite, or None; `lock` takes its row lock until commit (PostgreSQL)."""
        query = select(t.invites).where(t.invites.c.code_hash == code_hash)
        row = (await self.conn.execute(query.with_for_update() if lock else query)).first()
        return Invite(**row._mapping) if row else None

    async def get(self, invite_id: int, *, lock: bool = False) -> Invite | None:
        query = select(t.invites).where(t.invites.c.id == invite_id)
        row = (await self.conn.execute(query.with_for_update() if lock else query)).first()
        return Invite(**row._mapping) if row else None

    async def list(self) -> builtins.list[Invite]:
        rows = await self.conn.execute(select(t.invites).order_by(t.invites.c.id.desc()))
        return [Invite(**r._mapping) for r in rows]

    async def save(self, invite: Invite) -> None:
        query = update(t.invites).where(t.invites.c.id == invite.id)
        await self.conn.execute(query.values(uses=invite.uses, revoked_at=invite.revoked_at))


def _predicted(task_id: int, where: PredictionFilter) -> list[Any]:
    """The WHERE clauses of a filter over predictions joined with their samples
    (PredictionFilter.keeps says the same in Python)."""
    p, s = t.predictions.c, t.samples.c
    clauses: list[Any] = [p.task_id == task_id, s.kind == SampleKind.POOL]
    if where.label is not None:
        clauses.append(p.label == where.label)
    if where.min_confidence is not None:
        clauses.append(p.confidence >= where.min_confidence)
    if where.max_confidence is not None:
        clauses.append(p.confidence <= where.max_confidence)
    if where.state is CrowdState.UNLABELLED:
        clauses.append(s.state.is_(None) | (s.state == SampleState.OPEN))
    elif where.state is CrowdState.ACCEPTED:
        clauses.append(s.state == SampleState.ACCEPTED)
    elif where.state is CrowdState.DISPUTED:
        clauses.append(s.state == SampleState.DISPUTED)
    if where.disagreements:
        clauses += [s.state == SampleState.ACCEPTED, s.resolved_label != p.label]
    return clauses


def _tasks_where(where: TaskQuery) -> list[Any]:
    c = t.tasks.c
    clauses: list[Any] = []
    for column, value in (("category", where.category), ("subcategory", where.subcategory)):
        if value is not None:
            clauses.append(c[column] == value)
    if where.status is not None:
        clauses.append(c.status == where.status)
    if where.visible is not None:
        clauses.append(c.id.in_(sorted(where.visible)))
    return clauses


def _samples_where(task_id: int, where: SampleFilter) -> list[Any]:
    """The WHERE clauses of a sample filter (SampleFilter.keeps says the same in Python)."""
    c = t.samples.c
    clauses: list[Any] = [c.task_id == task_id]
    if where.states:
        state = c.state.in_(sorted(where.states))
        # A sample never asked has no state: it reads OPEN, as the API shows it.
        clauses.append(state | c.state.is_(None) if SampleState.OPEN in where.states else state)
    if where.split is not None:
        clauses.append(c.kind == where.split.kind)
        if where.split.asked is not None:
            clauses.append(c.batch_id.isnot(None) if where.split.asked else c.batch_id.is_(None))
    return clauses


def _annotators_where(status: AnnotatorStatus | None) -> list[Any]:
    c = t.annotators.c
    clauses: list[Any] = [c.role == Role.ANNOTATOR]
    if status is not None:
        clauses.append(c.status == status)
    return clauses


def _my_answers(annotator_id: int) -> Any:
    """One annotator's answers as MyAnswer's fields, with their batch's number."""
    a, b = t.answers.c, t.batches.c
    return (
        select(a.id, a.sample_id, a.batch_id, b.number, a.label, a.created_at, a.counted)
        .join(t.batches, b.id == a.batch_id)
        .where(a.annotator_id == annotator_id)
    )


def _tally_arrays(samples: Sequence[Sample]) -> dict[str, list[Any]]:
    """The parameters of sql.UPDATE_TALLIES: one array per column, a sample per position."""
    return {
        "ids": [s.id for s in samples],
        "states": [s.state.name if s.state else None for s in samples],
        "labels": [s.resolved_label for s in samples],
        "counts": [s.answer_count for s in samples],
        "votes": [json.dumps(s.votes) if s.votes is not None else None for s in samples],
    }


def _round(row: Mapping[Any, Any]) -> Round:
    """A round from its row; the test scores live in columns, the eval scores in JSON.

    The test set's size and label order are not columns of their own: the size is the sum of
    the confusion matrix and the labels are those of the eval scores (the same model's).
    """
    values = dict(row)
    scores = {name: values.pop(name) for name in ("accuracy", "precision", "recall", "f1")}
    matrix = values.pop("confusion_matrix") or []
    evaluation = values.pop("eval_metrics")
    values["eval"] = Metrics.from_dict(evaluation) if evaluation else None
    values["test"] = None
    if scores["accuracy"] is not None:
        labels = list(evaluation["labels"]) if evaluation else []
        size = sum(sum(r) for r in matrix)
        values["test"] = Metrics(**scores, confusion_matrix=matrix, labels=labels, size=size)
    return Round(**values)
