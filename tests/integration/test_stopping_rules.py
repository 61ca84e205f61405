"""Stopping rules over GraphQL on the real database (SQLite and PostgreSQL): a task finishes
with `finishedReason`, and migration 0007 adds the columns an existing database needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from apptest import Api, RecordingBus
from test_tasks_api import task_input

from activecrowds.adapters.db import alembic_config, upgrade
from activecrowds.bootstrap import App
from activecrowds.domain.events import TaskFinished
from activecrowds_ml.stopping import FinishedReason

CREATE = "mutation($input: CreateTaskInput!) { createTask(input: $input) { id status } }"
GET = """query($id: ID!) { task(id: $id) {
  status finishedReason lockedForMe
  scenario { labelBudget targetAccuracy plateauAgreement plateauWindow }
  currentBatch { id number samples { id } }
  rounds { number poolAgreement } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateTaskInput!) { updateTask(id: $id, input: $input) {
  status finishedReason
  scenario { labelBudget targetAccuracy plateauAgreement plateauWindow } } }"""
SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }"""


async def created(app: App, api: Api, folder: Path, **rules: Any) -> dict[str, Any]:
    """A task made through createTask with these rules, once its round 0 has run."""
    made = (await api.call(CREATE, {"input": task_input(folder, **rules)}))["createTask"]
    await app.queue.join()
    task: dict[str, Any] = (await api.call(GET, {"id": made["id"]}))["task"]
    return {**task, "id": made["id"]}


async def answer_batch(app: App, api: Api, task: dict[str, Any], tokens: list[str]) -> None:
    """Two annotators agree on every sample of the open batch; the next round then runs."""
    batch = task["currentBatch"]
    answers = [{"sampleId": s["id"], "label": "dark"} for s in batch["samples"]]
    for token in tokens:
        await api.call(SUBMIT, {"t": task["id"], "b": batch["id"], "a": answers}, token)
    await app.queue.join()


async def test_a_task_spends_its_label_budget_and_finishes_saying_why(
    app: App, api: Api, image_dataset: Path, annotators: Any
) -> None:
    # Given a budget of 12 labels on a seed set of 10, batches of 4
    task = await created(app, api, image_dataset, labelBudget=12, plateauAgreement=0.99)
    assert task["scenario"] == {
        "labelBudget": 12,
        "targetAccuracy": None,
        "plateauAgreement": 0.99,
        "plateauWindow": 3,
    }
    # Then batch 0 asks for the 2 labels left, and the task has not finished yet
    assert (task["status"], task["finishedReason"]) == ("COLLECTING", None)
    assert len(task["currentBatch"]["samples"]) == 2
    assert task["rounds"] == [{"number": 0, "poolAgreement": None}]
    # When the crowd labels them and round 1 runs
    bus = app.bus
    assert isinstance(bus, RecordingBus)
    published = len(bus.published)
    await answer_batch(app, api, task, [token for _, token in await annotators(2)])
    # Then the task is finished for its budget, with no batch after batch 0
    done = (await api.call(GET, {"id": task["id"]}))["task"]
    assert (done["status"], done["finishedReason"]) == ("FINISHED", "LABEL_BUDGET")
    assert done["lockedForMe"] is True and done["currentBatch"]["number"] == 0
    # And round 1 compared its pool predictions with round 0's
    kappa = done["rounds"][1]["poolAgreement"]
    assert isinstance(kappa, float) and -1.0 <= kappa <= 1.0
    finished = [e for e in bus.published[published:] if isinstance(e, TaskFinished)]
    assert finished == [TaskFinished(int(task["id"]), FinishedReason.LABEL_BUDGET)]


async def test_update_task_sets_and_clears_rules_and_a_rule_met_finishes_at_the_rounds_end(
    app: App, api: Api, image_dataset: Path, annotators: Any
) -> None:
    # Given a task collecting batch 0 with no rules on
    task = await created(app, api, image_dataset)
    assert task["status"] == "COLLECTING"
    ids = {"id": task["id"]}
    # When the admin sets a plateau, then turns it off with an explicit null
    on = await api.call(UPDATE, {**ids, "input": {"plateauAgreement": 0.9, "plateauWindow": 2}})
    assert on["updateTask"]["scenario"]["plateauAgreement"] == 0.9
    off = await api.call(UPDATE, {**ids, "input": {"plateauAgreement": None, "title": "t"}})
    assert off["updateTask"]["scenario"]["plateauAgreement"] is None
    assert off["updateTask"]["scenario"]["plateauWindow"] == 2  # left out: unchanged
    # And sets a target any model meets: the open batch stays open meanwhile
    met = await api.call(UPDATE, {**ids, "input": {"targetAccuracy": 0.01}})
    assert (met["updateTask"]["status"], met["updateTask"]["finishedReason"]) == (
        "COLLECTING",
        None,
    )
    # Then the round that trains on batch 0 finishes the task for its target
    await answer_batch(app, api, task, [token for _, token in await annotators(2)])
    done = (await api.call(GET, ids))["task"]
    assert (done["status"], done["finishedReason"]) == ("FINISHED", "TARGET_ACCURACY")


async def test_bad_rules_are_refused_and_change_nothing(
    app: App, api: Api, image_dataset: Path
) -> None:
    for bad in ({"labelBudget": 10}, {"targetAccuracy": 1.5}, {"plateauWindow": 0}):
        assert await api.error(CREATE, {"input": task_input(image_dataset, **bad)}) == (
            "BAD_USER_INPUT"
        )
    task = await created(app, api, image_dataset, labelBudget=30)
    for bad in ({"labelBudget": 5}, {"plateauAgreement": -1.0}):
        code = await api.error(UPDATE, {"id": task["id"], "input": bad})
        assert code == "BAD_USER_INPUT"
    after = (await api.call(GET, {"id": task["id"]}))["task"]
    assert after["scenario"]["labelBudget"] == 30 and after["scenario"]["plateauAgreement"] is None


def test_migration_0007_gives_finished_tasks_their_only_reason_and_goes_back(
    tmp_path: Path,
) -> None:
    from alembic import command

    # Given a database at 0006 with a finished task and a collecting one
    path = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url, "0006")
    insert = (
        "INSERT INTO tasks (title, description, category, subcategory, labels, dataset,"
        " scenario, status) VALUES (?, '', 'IMAGE', 'BINARY_CLASSIFICATION', '[]', '/d', '{}', ?)"
    )
    with sqlite3.connect(path) as conn:
        conn.execute(insert, ("done", "FINISHED"))
        conn.execute(insert, ("busy", "COLLECTING"))
        conn.execute(
            "INSERT INTO rounds (task_id, number, status, confusion_matrix)"
            " VALUES (1, 0, 'DONE', '[]')"
        )
    # When it is migrated to 0007
    upgrade(url, "0007")
    with sqlite3.connect(path) as conn:
        reasons = conn.execute("SELECT title, finished_reason FROM tasks ORDER BY id").fetchall()
        agreement = conn.execute("SELECT pool_agreement FROM rounds").fetchall()
    # Then the finished task finished for the only reason there was; nothing else changed
    assert reasons == [("done", "POOL_EXHAUSTED"), ("busy", None)]
    assert agreement == [(None,)]
    # And the migration goes back, keeping the rows
    command.downgrade(alembic_config(url), "0006")
    with sqlite3.connect(path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(tasks)")]
        assert "finished_reason" not in columns
        assert conn.execute("SELECT count(*) FROM tasks").fetchone() == (2,)
