"""Who may do what; and nested fields cost a bounded number of SQL statements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apptest import ADMIN_TOKEN, Api
from edgetest import INVITE
from sqlalchemy import event

from activecrowds.bootstrap import App
from activecrowds.domain.model import ADMIN
from activecrowds.services import tasks

CREATE = """mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }"""
DELETE = "mutation($id: ID!) { deleteTask(id: $id) }"
UPDATE = 'mutation($id: ID!) { updateTask(id: $id, input: {title: "x"}) { id } }'
REGISTER = """mutation($name: String!, $invite: String) {
  registerAnnotator(name: $name, invite: $invite) { token annotator { name role } } }"""
SUBMIT = """mutation($t: ID!, $b: ID!) {
  submitAnswers(taskId: $t, batchId: $b, answers: [{sampleId: "1", label: "dark"}]) {
    accepted } }"""


async def test_roles_and_tokens(
    api: Api, make_task: Any, annotators: Any, image_dataset: Path
) -> None:
    task = await make_task()
    [(caller, token)] = await annotators(1)
    tid = {"id": str(task.id)}
    minimal = {
        "title": "t",
        "description": "",
        "category": "IMAGE",
        "subcategory": "BINARY_CLASSIFICATION",
        "labels": ["dark", "bright"],
        "dataset": str(image_dataset),
    }
    # An annotator may read and answer, but not create, update or delete
    assert await api.error(CREATE, {"input": minimal}, token) == "FORBIDDEN"
    assert await api.error(DELETE, tid, token) == "FORBIDDEN"
    assert await api.error(UPDATE, tid, token) == "FORBIDDEN"
    me = (await api.call("{ me { id name role } }", token=token))["me"]
    assert me == {"id": str(caller.id), "name": "annotator 0", "role": "ANNOTATOR"}
    assert (await api.call("{ me { role } }"))["me"]["role"] == "ADMIN"
    # The admin does not answer batches
    assert await api.error(SUBMIT, {"t": str(task.id), "b": str(task.batch.id)}) == "FORBIDDEN"
    # No token, or a wrong one, is refused for everything but registerAnnotator
    for query, variables in (
        ("{ tasks { id } }", None),
        ("{ me { id } }", None),
        ("{ categories { category } }", None),
        (DELETE, tid),
    ):
        assert await api.error(query, variables, token=None) == "UNAUTHENTICATED"
        assert await api.error(query, variables, token="not-a-token") == "UNAUTHENTICATED"
    # Registering needs no token, only an invite the admin made
    code = (await api.call(INVITE))["createInvite"]["code"]
    assert await api.error(REGISTER, {"name": "  ", "invite": code}, None) == "BAD_USER_INPUT"
    registered = await api.call(REGISTER, {"name": "Ada", "invite": code}, token=None)
    new = registered["registerAnnotator"]
    assert new["annotator"] == {"name": "Ada", "role": "ANNOTATOR"} and len(new["token"]) > 30
    assert (await api.call("{ me { name } }", token=new["token"]))["me"]["name"] == "Ada"
    # An invite enrols annotators, it gives no power: the new one cannot make invites either
    assert await api.error(INVITE, token=new["token"]) == "FORBIDDEN"


async def test_tokens_are_stored_hashed(app: App, annotators: Any) -> None:
    from sqlalchemy import select

    from activecrowds.adapters import tables as t

    [(_, token)] = await annotators(1)
    async with app.engine.connect() as conn:
        stored = [r[0] for r in await conn.execute(select(t.annotators.c.token_hash))]
    assert token not in stored and ADMIN_TOKEN not in stored
    assert all(len(h) == 64 for h in stored)


LIST = """{ tasks { id title status lockedForMe labelledCount poolRemaining
  scenario { batchSize } rounds { number accuracy confusionMatrix }
  currentBatch { id number status samples { id mediaUrl answerCount state resolvedLabel } } } }"""


async def test_listing_100_tasks_with_batches_takes_a_bounded_number_of_statements(
    app: App, api: Api, image_dataset: Path, annotators: Any
) -> None:
    # Given at least 100 tasks, each with an open batch of samples and a finished round
    for i in range(100):
        cmd = tasks.CreateTask(
            f"bulk {i}",
            "",
            ["dark", "bright"],
            str(image_dataset),
            {
                "initial_train_size": 4,
                "eval_size": 4,
                "test_size": 4,
                "batch_size": 3,
                "query_strategy": "random",
            },
        )
        await tasks.create_task(app.ctx, ADMIN, cmd)
    await app.queue.join()
    [(_, token)] = await annotators(1)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(app.engine.sync_engine, "before_cursor_execute", count)
    try:
        listed = (await api.call(LIST, token=token))["tasks"]
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", count)
    # Then the whole tree arrives in one query per kind of thing (+ the token lookup)
    assert len(listed) >= 100
    assert all(x["currentBatch"] and len(x["currentBatch"]["samples"]) >= 1 for x in listed)
    assert all(x["rounds"] for x in listed)
    data_statements = [
        s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "PRAGMA"))
    ]
    print(f"{len(listed)} tasks listed with {len(data_statements)} SQL statements")
    assert len(data_statements) <= 7, data_statements
