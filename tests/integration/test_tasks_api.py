"""Tasks over GraphQL: create (with its dataset snapshot), read, update, delete, and refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apptest import LABELS, Api
from sqlalchemy import func, select

from activecrowds.adapters import tables as t
from activecrowds.bootstrap import App

TASK_FIELDS = """
  id title description category subcategory labels status lastError coverImageUrl
  scenario { pretrainedModel initialTrainSize batchSize evalSize testSize queryStrategy
             minPeers minAgreement maxPeers }
  currentBatch { id number status samples { id mediaUrl text answerCount resolvedLabel state } }
  lockedForMe labelledCount poolRemaining
  rounds { number trainSize accuracy precision recall f1 confusionMatrix startedAt finishedAt }
"""
CREATE = f"mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ {TASK_FIELDS} }} }}"
GET = f"query($id: ID!) {{ task(id: $id) {{ {TASK_FIELDS} }} }}"
UPDATE = """mutation($id: ID!, $input: UpdateTaskInput!) {
  updateTask(id: $id, input: $input) {
    id title scenario { minPeers minAgreement batchSize queryStrategy } } }"""
DELETE = "mutation($id: ID!) { deleteTask(id: $id) }"


def task_input(folder: Path, **overrides: Any) -> dict[str, Any]:
    values = {
        "title": "Dark or bright",
        "description": "Is the square dark or bright?",
        "category": "IMAGE",
        "subcategory": "BINARY_CLASSIFICATION",
        "labels": LABELS,
        "dataset": str(folder),
        "initialTrainSize": 10,
        "batchSize": 4,
        "evalSize": 10,
        "testSize": 10,
        "queryStrategy": "MARGIN",
        "minPeers": 2,
        "minAgreement": 1.0,
        "maxPeers": 3,
    }
    return {**values, **overrides}


async def count(app: App, table: t.Table) -> int:
    async with app.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_create_task_snapshots_the_dataset_and_runs_round_0(
    app: App, api: Api, image_dataset: Path
) -> None:
    # Given an admin creating a task over a 60-labelled / 40-pool dataset
    created = (await api.call(CREATE, {"input": task_input(image_dataset)}))["createTask"]
    assert created["status"] == "TRAINING" and created["lockedForMe"] is True
    assert created["scenario"]["pretrainedModel"] == "efficientnet-lite0"
    # When round 0 has run in the background
    await app.queue.join()
    task = (await api.call(GET, {"id": created["id"]}))["task"]
    # Then a batch of 4 is open, round 0 is recorded, and the counts add up
    assert task["status"] == "COLLECTING"
    batch = task["currentBatch"]
    assert batch["number"] == 0 and batch["status"] == "OPEN" and len(batch["samples"]) == 4
    assert all(s["state"] == "OPEN" and s["answerCount"] == 0 for s in batch["samples"])
    # Media URLs start with the configured address (the default), not the Host header
    assert all(s["mediaUrl"].startswith("http://127.0.0.1:8000/media/") for s in batch["samples"])
    [round0] = task["rounds"]
    assert round0["number"] == 0 and round0["trainSize"] == 10 and round0["finishedAt"]
    assert sum(map(sum, round0["confusionMatrix"])) == 10  # the test set
    assert task["labelledCount"] == 10
    assert task["poolRemaining"] == 40 + 30 - 4  # pool + labelled not drawn, minus the batch
    # The snapshot: labels kept for seed/eval/test, never for pool samples
    async with app.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(t.samples.c.kind, t.samples.c.label).where(
                    t.samples.c.task_id == int(created["id"])
                )
            )
        ).all()
    kinds = [r.kind.value for r in rows]
    assert (kinds.count("SEED"), kinds.count("EVAL"), kinds.count("TEST")) == (10, 10, 10)
    assert kinds.count("POOL") == 70
    assert all((r.label is None) == (r.kind.value == "POOL") for r in rows)


async def test_update_task_changes_fields_and_refuses_bad_values(
    app: App, api: Api, make_task: Any
) -> None:
    open_task = await make_task()
    tid = str(open_task.id)
    changes = {
        "title": "Renamed",
        "minPeers": 3,
        "maxPeers": 5,
        "batchSize": 6,
        "queryStrategy": "ENTROPY",
    }
    updated = (await api.call(UPDATE, {"id": tid, "input": changes}))["updateTask"]
    assert updated["title"] == "Renamed"
    assert updated["scenario"] == {
        "minPeers": 3,
        "minAgreement": 1.0,
        "batchSize": 6,
        "queryStrategy": "ENTROPY",
    }
    # A value out of range is refused and nothing changes
    assert (
        await api.error(UPDATE, {"id": tid, "input": {"minAgreement": 1.5, "title": "X"}})
        == "BAD_USER_INPUT"
    )
    assert await api.error(UPDATE, {"id": tid, "input": {"maxPeers": 1}}) == "BAD_USER_INPUT"
    assert await api.error(UPDATE, {"id": tid, "input": {"title": ""}}) == "BAD_USER_INPUT"
    again = (await api.call(GET, {"id": tid}))["task"]
    assert again["title"] == "Renamed" and again["scenario"]["minAgreement"] == 1.0
    assert await api.error(UPDATE, {"id": "999999", "input": {"title": "x"}}) == "NOT_FOUND"


async def test_delete_task_removes_it_with_its_answers(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    open_task = await make_task()
    [(_, token)] = await annotators(1)
    answers = [{"sampleId": str(s.id), "label": "dark"} for s in open_task.samples]
    submit = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
      submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }"""
    await api.call(
        submit, {"t": str(open_task.id), "b": str(open_task.batch.id), "a": answers}, token
    )
    before = await count(app, t.answers)
    assert (await api.call(DELETE, {"id": str(open_task.id)}))["deleteTask"] is True
    assert (await api.call(GET, {"id": str(open_task.id)}))["task"] is None
    assert await count(app, t.answers) == before - 4
    async with app.engine.connect() as conn:
        left = await conn.execute(
            select(func.count()).select_from(t.samples).where(t.samples.c.task_id == open_task.id)
        )
        assert left.scalar_one() == 0
    assert await api.error(DELETE, {"id": str(open_task.id)}) == "NOT_FOUND"


async def test_lists_filter_and_categories_count(api: Api, make_task: Any) -> None:
    open_task = await make_task(title="listed")
    listed = (
        await api.call("{ tasks(category: IMAGE, status: COLLECTING) { id status category } }")
    )["tasks"]
    assert str(open_task.id) in {x["id"] for x in listed}
    assert all(x["status"] == "COLLECTING" and x["category"] == "IMAGE" for x in listed)
    none = (await api.call("{ tasks(category: TEXT) { id } }"))["tasks"]
    assert none == []
    cats = (await api.call("{ categories { category subcategories { subcategory taskCount } } }"))[
        "categories"
    ]
    by_name = {c["category"]: c for c in cats}
    assert set(by_name) == {"IMAGE", "TEXT", "AUDIO", "OTHER"}
    image = {s["subcategory"]: s["taskCount"] for s in by_name["IMAGE"]["subcategories"]}
    assert image["BINARY_CLASSIFICATION"] >= 1 and image["OBJECT_DETECTION"] == 0
    assert (await api.call('{ task(id: "nope") { id } }'))["task"] is None


async def test_bad_task_input_is_refused_and_stores_nothing(
    app: App, api: Api, image_dataset: Path, tmp_path: Path
) -> None:
    before = await count(app, t.tasks), await count(app, t.samples)
    bad = [
        {"minAgreement": 1.5},
        {"minAgreement": 0.5},
        {"minPeers": 0},
        {"maxPeers": 1},
        {"batchSize": 0},
        {"labels": ["dark", "purple"]},
        {"labels": ["dark"]},
        {"labels": ["dark", "dark"]},
        {"title": ""},
        {"title": "x" * 201},
        {"dataset": str(tmp_path / "missing")},
        {"dataset": "no-such-dataset"},
        {"testSize": 100},  # the dataset has 60 labelled examples
        {"subcategory": "OBJECT_DETECTION"},
        {"category": "TEXT"},  # an image dataset
        {"pretrainedModel": "alexnet-9000"},
        {"coverImageUrl": "javascript:alert(1)"},
    ]
    for overrides in bad:
        code = await api.error(CREATE, {"input": task_input(image_dataset, **overrides)})
        assert code == "BAD_USER_INPUT", overrides
    # Wrong types and unknown enum values fail GraphQL validation: the same code
    for overrides in (
        {"minPeers": "ten"},
        {"minAgreement": "high"},
        {"queryStrategy": "MAGIC"},
        {"labels": "dark"},
        {"batchSize": 2.5},
    ):
        code = await api.error(CREATE, {"input": task_input(image_dataset, **overrides)})
        assert code == "BAD_USER_INPUT", overrides
    assert await api.error("{ tasks { nosuchfield } }") == "BAD_USER_INPUT"
    assert (await count(app, t.tasks), await count(app, t.samples)) == before


TIMES = """query($id: ID!) { task(id: $id) { rounds { startedAt finishedAt } }
  annotators { createdAt } invites { createdAt } }"""


async def test_every_time_carries_its_zone(api: Api, make_task: Any, annotators: Any) -> None:
    # Given a task whose round 0 ran, and an annotator enrolled by invite
    task = await make_task()
    await annotators(1)
    # When a client reads the times (SQLite keeps none, PostgreSQL keeps one)
    got = await api.call(TIMES, {"id": str(task.id)})
    times = [r[k] for r in got["task"]["rounds"] for k in ("startedAt", "finishedAt")]
    times += [a["createdAt"] for a in got["annotators"]] + [i["createdAt"] for i in got["invites"]]
    # Then each says it is UTC, as JavaScript's Date needs to read it right
    assert times and all(time is not None for time in times), got
    for time in times:
        assert datetime.fromisoformat(time).utcoffset() == timedelta(0), time
