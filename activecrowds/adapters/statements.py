"""The statements every request runs, built once with bound parameters.

Building a SQLAlchemy statement and working out its cache key costs more than running it on a
local PostgreSQL (0.4 of the 0.7 ms of the batch-with-task join, measured): the statements of
the submission, authentication and event paths are built here once and executed with their
parameters. Each is what the repository method that runs it describes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BindParameter,
    Float,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    cast,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeEngine

from activecrowds.adapters import tables as t

TASK_PREFIX = "task__"  # the task's columns beside the batch's in one row (batches has task_id)

TASK = select(t.tasks).where(t.tasks.c.id == bindparam("task_id"))
TASK_LOCKED = TASK.with_for_update()
BATCH = select(t.batches).where(t.batches.c.id == bindparam("batch_id"))
BATCH_LOCKED = BATCH.with_for_update()
BATCH_LOCKED_WITH_TASK = (
    select(*t.batches.c, *(c.label(TASK_PREFIX + c.name) for c in t.tasks.c))
    .join(t.tasks, t.tasks.c.id == t.batches.c.task_id)
    .where(t.batches.c.id == bindparam("batch_id"))
    .with_for_update(of=t.batches)
)
SAMPLES_IN_BATCHES = (
    select(t.samples)
    .where(t.samples.c.batch_id.in_(bindparam("batch_ids", expanding=True)))
    .order_by(t.samples.c.id)
)
ANSWERS_OF_ANNOTATORS = select(
    t.answers.c.annotator_id, t.answers.c.sample_id, t.answers.c.label
).where(
    t.answers.c.batch_id == bindparam("batch_id"),
    t.answers.c.annotator_id.in_(bindparam("annotator_ids", expanding=True)),
)
ANSWERED_BATCHES = (
    select(t.answers.c.batch_id)
    .where(
        t.answers.c.annotator_id == bindparam("annotator_id"),
        t.answers.c.batch_id.in_(bindparam("batch_ids", expanding=True)),
    )
    .distinct()
)
ANSWERERS = (
    select(t.answers.c.annotator_id).where(t.answers.c.batch_id == bindparam("batch_id")).distinct()
)
ANNOTATOR_BY_TOKEN = select(t.annotators).where(
    t.annotators.c.token_hash == bindparam("token_hash")
)


def _newest_batches() -> Select[Any]:
    c = t.batches.c
    newest = (
        select(c.task_id, func.max(c.number).label("number"))
        .where(c.task_id.in_(bindparam("task_ids", expanding=True)))
        .group_by(c.task_id)
        .subquery()
    )
    return select(t.batches).join(
        newest, (c.task_id == newest.c.task_id) & (c.number == newest.c.number)
    )


NEWEST_BATCHES = _newest_batches()


def _array(name: str, item: type[TypeEngine[Any]]) -> BindParameter[Any]:
    return bindparam(name, type_=ARRAY(item))


# PostgreSQL: every row of a write from arrays, one statement whatever the count.
_ANSWERS = (
    func.unnest(_array("annotators", Integer), _array("samples", Integer), _array("labels", String))
    .table_valued("annotator_id", "sample_id", "label")
    .render_derived("given")
)
INSERT_ANSWERS = insert(t.answers).from_select(
    ["batch_id", "annotator_id", "sample_id", "label"],
    select(
        bindparam("batch_id", type_=Integer),
        _ANSWERS.c.annotator_id,
        _ANSWERS.c.sample_id,
        _ANSWERS.c.label,
    ),
)
_TALLIES = (
    func.unnest(
        _array("ids", Integer),
        _array("states", String),
        _array("labels", String),
        _array("counts", Integer),
        _array("votes", Text),
    )
    .table_valued("id", "state", "resolved_label", "answer_count", "votes")
    .render_derived("given")
)
UPDATE_TALLIES = (
    update(t.samples)
    .where(t.samples.c.id == _TALLIES.c.id)
    .values(
        state=_TALLIES.c.state,
        resolved_label=_TALLIES.c.resolved_label,
        answer_count=_TALLIES.c.answer_count,
        votes=cast(_TALLIES.c.votes, JSON),
    )
)

# A round's predictions for its whole pool (thousands of rows) inside the record transaction.
_PREDICTIONS = (
    func.unnest(
        _array("sample_ids", Integer), _array("labels", String), _array("confidences", Float)
    )
    .table_valued("sample_id", "label", "confidence")
    .render_derived("given")
)
INSERT_PREDICTIONS = insert(t.predictions).from_select(
    ["task_id", "round_number", "sample_id", "label", "confidence"],
    select(
        bindparam("task_id", type_=Integer),
        bindparam("round_number", type_=Integer),
        _PREDICTIONS.c.sample_id,
        _PREDICTIONS.c.label,
        _PREDICTIONS.c.confidence,
    ),
)
