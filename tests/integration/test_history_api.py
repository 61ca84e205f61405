"""A task's history over the API, on SQLite and PostgreSQL: pages of tasks, batches, samples
(the disputed ones across the task), annotators, and an annotator's own answers, never
another's; and the answer progress an admin's dashboard hears live, coalesced, over the
graphql-transport-ws protocol (the in-process sockets of test_shared_events)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

from apptest import ADMIN_TOKEN, Api, OpenTask
from starlette.applications import Starlette
from test_shared_events import Socket, listening

from activecrowds.bootstrap import App
from activecrowds.domain.model import ADMIN
from activecrowds.services import auth, crowd
from server.app import create_app

SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }"""
PAGE = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount"
BATCHES = f"""query($t: ID!, $first: Int, $after: String) {{ task(id: $t) {{
  batchConnection(first: $first, after: $after) {{ {PAGE}
    edges {{ cursor node {{ id number status createdAt resolvedAt
      samples {{ id state }} myAnswers {{ sampleId label }} }} }} }} }} }}"""
SAMPLES = f"""query($t: ID!, $first: Int, $after: String, $state: [SampleState!],
                  $split: SampleSplit) {{ task(id: $t) {{
  sampleConnection(first: $first, after: $after, state: $state, split: $split) {{ {PAGE}
    edges {{ cursor node {{ id state split votes {{ label count }} }} }} }} }} }}"""
TASKS = f"""query($first: Int, $after: String) {{ taskConnection(first: $first, after: $after) {{
  {PAGE} edges {{ cursor node {{ id title }} }} }} }}"""
ANNOTATORS = f"""query($first: Int, $after: String) {{
  annotatorConnection(first: $first, after: $after) {{ {PAGE}
    edges {{ cursor node {{ id name }} }} }} }}"""
MINE = f"""query($t: ID!, $first: Int, $after: String) {{
  myAnswers(taskId: $t, first: $first, after: $after) {{ {PAGE}
    edges {{ cursor node {{ sampleId batchId batchNumber label answeredAt counted }} }} }} }}"""
CURRENT = """query($t: ID!) { task(id: $t) { currentBatch { myAnswers { sampleId label }
  samples { id split votes { label } } } } }"""


async def every(
    api: Api, query: str, path: str, variables: dict[str, Any], token: str = ADMIN_TOKEN
) -> list[dict[str, Any]]:
    """Every node of a connection, read 3 at a time, each page's cursors checked."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await api.call(query, {**variables, "first": 3, "after": after}, token)
        found = data
        for key in path.split("."):
            found = found[key]
        info = found["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        assert len(found["edges"]) <= 3
        nodes += [e["node"] for e in found["edges"]]
        if not info["hasNextPage"]:
            assert len(nodes) == found["totalCount"]
            return nodes
        assert info["endCursor"] == found["edges"][-1]["cursor"]
        after = info["endCursor"]


def answers(task: OpenTask, *labels: str) -> dict[str, Any]:
    pairs = [
        {"sampleId": str(s.id), "label": lab} for s, lab in zip(task.samples, labels, strict=True)
    ]
    return {"t": str(task.id), "b": str(task.batch.id), "a": pairs}


async def test_batches_and_samples_read_back_page_by_page_with_the_disputed_ones(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    # Given a batch of four where two annotators agree on two samples and not on two others
    task = await make_task(min_peers=2, max_peers=2)
    (_, a), (_, b) = await annotators(2)
    await api.call(SUBMIT, answers(task, "dark", "dark", "dark", "dark"), a)
    await api.call(SUBMIT, answers(task, "dark", "dark", "bright", "bright"), b)
    await app.queue.join()  # round 1 opens batch 1
    t = {"t": str(task.id)}
    # Then the batches come newest first, batch 0 resolved with its four samples
    batches = await every(api, BATCHES, "task.batchConnection", t)
    assert [x["number"] for x in batches] == [1, 0]
    old = batches[1]
    assert old["status"] == "RESOLVED" and old["resolvedAt"] and old["createdAt"]
    assert [s["id"] for s in old["samples"]] == [str(s.id) for s in task.samples]
    assert old["myAnswers"] == []  # the admin answered nothing
    # And `state: DISPUTED` finds the two the crowd split on, with their votes
    disputed = await every(api, SAMPLES, "task.sampleConnection", {**t, "state": ["DISPUTED"]})
    assert [n["id"] for n in disputed] == [str(s.id) for s in task.samples[2:]]
    assert all(n["split"] == "CROWD" for n in disputed)
    assert all(
        n["votes"] == [{"label": "bright", "count": 1}, {"label": "dark", "count": 1}]
        for n in disputed
    )
    # And every sample is listed once, in id order; the seed set by its split
    everything = await every(api, SAMPLES, "task.sampleConnection", t)
    ids = [int(n["id"]) for n in everything]
    assert ids == sorted(set(ids)) and len(ids) == 100
    seed = await every(api, SAMPLES, "task.sampleConnection", {**t, "split": "SEED"})
    assert len(seed) == 10 and all(n["state"] == "OPEN" for n in seed)
    accepted = await every(api, SAMPLES, "task.sampleConnection", {**t, "state": ["ACCEPTED"]})
    assert [n["id"] for n in accepted] == [str(s.id) for s in task.samples[:2]]


async def test_an_annotator_reads_back_its_own_answers_and_nobody_elses(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    # Given two annotators who answered the open batch differently
    task = await make_task(min_peers=5, max_peers=5)
    (_, a), (_, b) = await annotators(2)
    await api.call(SUBMIT, answers(task, "dark", "dark", "bright", "dark"), a)
    await api.call(SUBMIT, answers(task, "bright", "bright", "bright", "bright"), b)
    t = {"t": str(task.id)}
    # Then each reads its own answers on the batch (the app after a restart), and only those
    for token, labels in ((a, ["dark", "dark", "bright", "dark"]), (b, ["bright"] * 4)):
        batch = (await api.call(CURRENT, t, token))["task"]["currentBatch"]
        assert batch["myAnswers"] == [
            {"sampleId": str(s.id), "label": lab}
            for s, lab in zip(task.samples, labels, strict=True)
        ]
        # nor how the others voted, nor which sample is a control question
        assert all(s["split"] is None and s["votes"] is None for s in batch["samples"])
        mine = await every(api, MINE, "myAnswers", t, token)
        assert sorted(n["label"] for n in mine) == sorted(labels)
        assert {n["batchNumber"] for n in mine} == {0} and all(n["counted"] for n in mine)
        assert all(n["answeredAt"].endswith("+00:00") for n in mine)
    # And the admin has no answers of its own to read, and reads the crowd's another way
    assert (await api.call(MINE, t))["myAnswers"]["totalCount"] == 0
    admin = (await api.call(CURRENT, t))["task"]["currentBatch"]
    assert admin["myAnswers"] == [] and {s["split"] for s in admin["samples"]} == {"CROWD"}
    # While the admin-only lists are refused to annotators, and everything to anonymous callers
    assert await api.error(SAMPLES, t, a) == "FORBIDDEN"
    assert await api.error(ANNOTATORS, {}, a) == "FORBIDDEN"
    for query, variables in ((MINE, t), (TASKS, {}), (BATCHES, t)):
        assert await api.error(query, variables, None) == "UNAUTHENTICATED"


async def test_tasks_and_annotators_page_by_what_the_caller_may_see(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    # Given two tasks and an annotator invited to the first only
    first, second = await make_task("first"), await make_task("second")
    invite = await crowd.create_invite(app.ctx, ADMIN, task_ids=[first.id])
    done = await auth.register_annotator(app.ctx, "invited", invite.code)
    await annotators(4)
    # Then the admin pages through every task, newest first; the annotator sees its one
    listed = [int(n["id"]) for n in await every(api, TASKS, "taskConnection", {})]
    assert listed == sorted(listed, reverse=True) and {first.id, second.id} <= set(listed)
    theirs = await every(api, TASKS, "taskConnection", {}, done.token)
    assert [n["id"] for n in theirs] == [str(first.id)]
    assert await api.error(MINE, {"t": str(second.id)}, done.token) == "NOT_FOUND"
    assert (await api.call(BATCHES, {"t": str(second.id)}, done.token))["task"] is None
    # And the crowd, oldest first, every annotator once
    crowd_ids = [int(n["id"]) for n in await every(api, ANNOTATORS, "annotatorConnection", {})]
    assert crowd_ids == sorted(set(crowd_ids)) and done.caller.id in crowd_ids


def cursor(kind: str, *position: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([kind, *position]).encode()).decode().rstrip("=")


async def test_bad_pages_are_refused_and_big_ones_cost_what_they_may_return(
    api: Api, make_task: Any
) -> None:
    task = await make_task()
    t = {"t": str(task.id)}
    batches = (await api.call(BATCHES, t))["task"]["batchConnection"]
    from_batches = batches["pageInfo"]["endCursor"]
    for query, variables in (
        (BATCHES, {**t, "first": 0}),
        (SAMPLES, {**t, "first": 101}),
        (TASKS, {"after": "not-a-cursor"}),
        (SAMPLES, {**t, "after": from_batches}),  # another connection's cursor
        (SAMPLES, {**t, "after": cursor("samples", 2**40)}),  # beyond any id
        (SAMPLES, {**t, "after": cursor("samples", True)}),
        (MINE, {**t, "after": cursor("answers", 1, 2)}),
        (ANNOTATORS, {"after": cursor("annotators", "1")}),
    ):
        assert await api.error(query, variables) == "BAD_USER_INPUT", variables
    # A page of pages of pages is measured as full pages before it runs, and refused
    nested = """{ taskConnection { edges { node { batchConnection { edges { node {
      samples { id } } } } } } } }"""
    assert await api.error(nested) == "QUERY_TOO_COMPLEX"


PROGRESS = """subscription($id: ID!, $progress: Boolean!) {
  taskEvents(taskId: $id, progress: $progress) { __typename
    ... on BatchProgress { batch { id number } samples answers decided accepted disputed }
    ... on TaskLocked { reason task { currentBatch { myAnswers { sampleId label } } } } } }"""


async def events_until(socket: Socket, done: Any, timeout: float = 10) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not got or not done(got[-1]):
        got.append((await socket.data(max(0.1, deadline - time.monotonic())))["taskEvents"])
    return got


async def test_an_admin_dashboard_hears_a_batch_fill_up_coalesced_and_annotators_do_not(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    # Given an admin listening with progress, an admin without it, and two annotators whose
    # documents read their own answers
    star: Starlette = create_app(app)
    task = await make_task(min_peers=2, max_peers=2)
    (_, a), (_, b) = await annotators(2)
    v = {"id": str(task.id)}
    watching = await Socket.subscribe(star, ADMIN_TOKEN, PROGRESS, {**v, "progress": True})
    plain = await Socket.subscribe(star, ADMIN_TOKEN, PROGRESS, {**v, "progress": False})
    crowd_sockets = [
        await Socket.subscribe(star, token, PROGRESS, {**v, "progress": False}) for token in (a, b)
    ]
    refused = await Socket.subscribe(star, a, PROGRESS, {**v, "progress": True})
    await listening(star, 4)
    try:
        error = await refused.receive()
        [problem] = error["payload"]["errors"]  # an annotator asking for progress
        assert problem["extensions"]["code"] == "FORBIDDEN", error
        # When the two annotators answer: two samples agreed, two disputed, the batch resolves
        await api.call(SUBMIT, answers(task, "dark", "dark", "dark", "dark"), a)
        await api.call(SUBMIT, answers(task, "dark", "dark", "bright", "bright"), b)
        # Then the dashboard's last progress is the batch decided, 8 answers in
        got = await events_until(watching, lambda e: e.get("decided") == 4)
        final = got[-1]
        assert final["batch"]["number"] == 0 and final["answers"] == 8
        assert (final["samples"], final["accepted"], final["disputed"]) == (4, 2, 2)
        assert next(e["answers"] for e in got if e["__typename"] == "BatchProgress") in (4, 8)
        # While the annotators and the admin without progress get no progress at all, and
        # each annotator's own answers in the TRAINING lock are its own (rendered per caller)
        training = {}
        for socket in (plain, *crowd_sockets):
            events = await events_until(socket, lambda e: e.get("reason") == "TRAINING")
            assert all(e["__typename"] != "BatchProgress" for e in events)
            training[socket] = events[-1]["task"]["currentBatch"]["myAnswers"]
        given = (["dark"] * 4, ["dark", "dark", "bright", "bright"])
        for socket, labels in zip(crowd_sockets, given, strict=True):
            expected = [
                {"sampleId": str(s.id), "label": lab}
                for s, lab in zip(task.samples, labels, strict=True)
            ]
            assert training[socket] == expected
        assert training[plain] == []
    finally:
        for socket in (watching, plain, *crowd_sockets, refused):
            await socket.close()


async def test_progress_is_coalesced_to_a_few_a_second_and_the_last_state_always_arrives(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    # Given a dashboard listening while twelve annotators answer one batch, one after another
    star: Starlette = create_app(app)
    task = await make_task(min_peers=20, max_peers=20)
    crowd_tokens = [token for _, token in await annotators(12)]
    watching = await Socket.subscribe(
        star, ADMIN_TOKEN, PROGRESS, {"id": str(task.id), "progress": True}
    )
    await listening(star, 1)
    try:
        started = time.monotonic()
        for token in crowd_tokens:
            await api.call(SUBMIT, answers(task, "dark", "dark", "dark", "dark"), token)
        # Then the last figures arrive (48 answers in, nothing decided yet) ...
        got = await events_until(watching, lambda e: e.get("answers") == 48)
        took = time.monotonic() - started
        # ... after fewer events than submissions, at most about four a second
        assert all(e["__typename"] == "BatchProgress" for e in got)
        counts = [e["answers"] for e in got]
        assert counts == sorted(counts) and len(counts) <= took / 0.25 + 2, (counts, took)
        assert got[-1]["decided"] == 0
        await asyncio.sleep(0.5)
        assert watching.idle()  # nothing held back, nothing sent twice
    finally:
        await watching.close()
