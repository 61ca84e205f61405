"""submitAnswers: the peer rule, idempotent retries, all-or-nothing refusals, concurrency."""

from __future__ import annotations

import asyncio
import dataclasses
from functools import partial
from typing import Any

from apptest import Api, OpenTask, current
from sqlalchemy import func, select

from activecrowds.adapters import tables as t
from activecrowds.bootstrap import App
from activecrowds.domain.events import NewBatchAvailable, RoundDue
from activecrowds.domain.model import SampleState, TaskStatus
from activecrowds.services.answers import submit_answers
from activecrowds.services.gate import KeyedLocks

SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) {
    accepted task { id status lockedForMe currentBatch { id } } } }"""
BATCH = """query($id: ID!) { task(id: $id) { status lockedForMe
  currentBatch { id number status samples { id answerCount state resolvedLabel } } } }"""


def variables(
    task: OpenTask, labels: list[str] | str, batch_id: int | None = None
) -> dict[str, Any]:
    if isinstance(labels, str):
        labels = [labels] * len(task.samples)
    answers = [
        {"sampleId": str(s.id), "label": lab} for s, lab in zip(task.samples, labels, strict=False)
    ]
    return {"t": str(task.id), "b": str(batch_id or task.batch.id), "a": answers}


async def answer_count(app: App, task: OpenTask) -> int:
    async with app.engine.connect() as conn:
        query = (
            select(func.count()).select_from(t.answers).where(t.answers.c.batch_id == task.batch.id)
        )
        return int((await conn.execute(query)).scalar_one())


async def test_peer_rule_accepts_keeps_open_and_disputes(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    # Given min 2 peers, full agreement, at most 3 peers
    task = await make_task()
    (_, a), (_, b), (_, c) = await annotators(3)
    s0, s1, s2, s3 = (str(s.id) for s in task.samples)
    # When annotator a labels all four, b agrees on s0 only and disagrees on s1
    await api.call(SUBMIT, variables(task, "dark"), a)
    await api.call(
        SUBMIT,
        variables(task, ["dark", "bright", "dark", "dark"])
        | {"a": [{"sampleId": s0, "label": "dark"}, {"sampleId": s1, "label": "bright"}]},
        b,
    )
    states = {
        s["id"]: s
        for s in (await api.call(BATCH, {"id": str(task.id)}, a))["task"]["currentBatch"]["samples"]
    }
    # Then s0 is accepted, s1 (1:1) and the once-answered s2, s3 stay open, their labels hidden
    assert (states[s0]["state"], states[s0]["resolvedLabel"], states[s0]["answerCount"]) == (
        "ACCEPTED",
        "dark",
        2,
    )
    assert (states[s1]["state"], states[s1]["resolvedLabel"], states[s1]["answerCount"]) == (
        "OPEN",
        None,
        2,
    )
    assert states[s2]["state"] == "OPEN" and states[s2]["resolvedLabel"] is None
    # When c answers s1 (the third and last peer allowed) without full agreement
    await api.call(SUBMIT, variables(task, []) | {"a": [{"sampleId": s1, "label": "dark"}]}, c)
    states = {
        s["id"]: s
        for s in (await api.call(BATCH, {"id": str(task.id)}, a))["task"]["currentBatch"]["samples"]
    }
    # Then s1 is disputed at max peers and the batch is still open (s2, s3 need a second peer)
    assert (states[s1]["state"], states[s1]["answerCount"]) == ("DISPUTED", 3)
    assert states[s3]["state"] == "OPEN"


async def test_resolved_batch_starts_exactly_one_round_that_trains_on_accepted_labels(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task()
    (_, a), (_, b) = await annotators(2)
    first = await api.call(SUBMIT, variables(task, "bright"), a)
    assert first["submitAnswers"]["accepted"] == 4
    assert first["submitAnswers"]["task"]["lockedForMe"] is True
    other = await api.call(BATCH, {"id": str(task.id)}, b)
    assert other["task"]["lockedForMe"] is False  # b has not answered yet
    # When the second peer agrees on every sample, the batch is resolved
    published = len(app.bus.published)
    second = (await api.call(SUBMIT, variables(task, "bright"), b))["submitAnswers"]
    assert second["task"]["status"] == "TRAINING" and second["task"]["lockedForMe"] is True
    await app.queue.join()
    # Then round 1 ran once, on seed + the 4 accepted labels, and batch 1 is open
    after = await current(app, task.id)
    assert after.task.status is TaskStatus.COLLECTING and after.batch.number == 1
    events = app.bus.published[published:]
    assert [e for e in events if isinstance(e, RoundDue) and e.task_id == task.id] == [
        RoundDue(task.id, 1)
    ]
    assert (
        len([e for e in events if isinstance(e, NewBatchAvailable) and e.task_id == task.id]) == 1
    )
    rounds = (
        await api.call(
            "query($id: ID!) { task(id: $id) { rounds { number trainSize } labelledCount } }",
            {"id": str(task.id)},
        )
    )["task"]
    assert rounds["rounds"] == [{"number": 0, "trainSize": 10}, {"number": 1, "trainSize": 14}]
    assert rounds["labelledCount"] == 14
    assert not {s.id for s in after.samples} & {s.id for s in task.samples}


async def test_identical_retry_returns_the_same_payload_and_counts_nothing_twice(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task()
    [(_, token)] = await annotators(1)
    first = await api.call(SUBMIT, variables(task, "dark"), token)
    again = await api.call(SUBMIT, variables(task, "dark"), token)
    assert again == first
    assert await answer_count(app, task) == 4
    counts = (await api.call(BATCH, {"id": str(task.id)}, token))["task"]["currentBatch"]["samples"]
    assert [s["answerCount"] for s in counts] == [1, 1, 1, 1]
    # A different second submission is a conflict and changes nothing; the error says which
    refused = await api.post(SUBMIT, variables(task, "bright"), token)
    assert refused["errors"][0]["extensions"] == {"code": "CONFLICT", "reason": "ALREADY_ANSWERED"}
    assert await answer_count(app, task) == 4


async def test_bad_submissions_are_refused_whole(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    task, other = await make_task(), await make_task()
    [(_, token)] = await annotators(1)
    good = variables(task, "dark")["a"]
    foreign = {"sampleId": str(other.samples[0].id), "label": "dark"}
    cases = {
        "BAD_USER_INPUT": [
            [*good[:3], {"sampleId": "99999999", "label": "dark"}],  # unknown sample
            [*good[:3], foreign],  # a sample of another batch
            [*good[:3], {"sampleId": good[3]["sampleId"], "label": "grey"}],  # unknown label
            [*good[:3], {"sampleId": "abc", "label": "dark"}],  # malformed id
            [*good, good[0]],  # the same sample twice
            [],  # empty
            good * 126,  # oversized (504 answers)
        ],
    }
    for code, lists in cases.items():
        for answers in lists:
            got = await api.error(
                SUBMIT, {"t": str(task.id), "b": str(task.batch.id), "a": answers}, token
            )
            assert got == code, answers[-1:]
    assert (
        await api.error(SUBMIT, {**variables(task, "dark"), "b": "99999999"}, token) == "NOT_FOUND"
    )
    assert (
        await api.error(SUBMIT, {**variables(task, "dark"), "t": str(other.id)}, token)
        == "NOT_FOUND"
    )
    assert (
        await api.error(SUBMIT, {**variables(task, "dark"), "a": [{"sampleId": 1}]}, token)
        == "BAD_USER_INPUT"
    )
    # Nothing was stored: the annotator can still submit, and it counts once
    assert await answer_count(app, task) == 0
    assert (await api.call(SUBMIT, variables(task, "dark"), token))["submitAnswers"][
        "accepted"
    ] == 4


async def test_stale_batch_and_training_task_are_refused(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task()
    (_, a), (_, b), (_, c) = await annotators(3)

    class Hold:
        """A queue that keeps rounds due (as if the worker had not started them yet)."""

        async def enqueue_round(self, task_id: int, number: int) -> None:
            return None

    held = dataclasses.replace(app.ctx, queue=Hold())
    pairs = [(s.id, "dark") for s in task.samples]
    await submit_answers(held, (await api_caller(app, a)), task.id, task.batch.id, pairs)
    await submit_answers(held, (await api_caller(app, b)), task.id, task.batch.id, pairs)
    # The batch is resolved and round 1 is due but not run: the task is training
    assert await api.error(SUBMIT, variables(task, "dark"), c) == "TASK_LOCKED"
    assert (await api.call(BATCH, {"id": str(task.id)}, c))["task"]["lockedForMe"] is True
    await app.queue.enqueue_round(task.id, 1)
    await app.queue.join()
    # Now batch 1 is open; batch 0 is stale, and the error says so apart from a clash
    refused = await api.post(SUBMIT, variables(task, "dark"), c)
    assert refused["errors"][0]["extensions"] == {"code": "CONFLICT", "reason": "BATCH_CLOSED"}
    after = await current(app, task.id)
    assert after.samples[0].state is SampleState.OPEN


async def api_caller(app: App, token: str) -> Any:
    from activecrowds.services.auth import authenticate

    return await authenticate(app.ctx, token)


async def test_twenty_annotators_at_once_every_answer_once_batch_resolved_once(
    app: App, make_task: Any, annotators: Any
) -> None:
    # Given a batch that resolves only when all 20 peers have answered
    task = await make_task(min_peers=20, max_peers=20, min_agreement=0.8)
    crowd = await annotators(20)
    published = len(app.bus.published)
    pairs = [(s.id, "bright") for s in task.samples]
    # When all 20 submit at the same moment
    # (each with its own in-process gate, as if on 20 server replicas: only the DB serialises)
    replicas = [dataclasses.replace(app.ctx, gate=KeyedLocks()) for _ in crowd]
    results = await asyncio.gather(
        *(
            submit_answers(ctx, caller, task.id, task.batch.id, pairs)
            for ctx, (caller, _) in zip(replicas, crowd, strict=True)
        )
    )
    # Then every answer is stored once, each sample counts 20, and exactly one round is due
    assert all(r.accepted == 4 for r in results)
    assert sum(r.task.status is TaskStatus.TRAINING for r in results) == 1
    assert await answer_count(app, task) == 80
    async with app.engine.connect() as conn:
        counts = (
            await conn.execute(
                select(t.samples.c.answer_count, t.samples.c.state, t.samples.c.votes).where(
                    t.samples.c.batch_id == task.batch.id
                )
            )
        ).all()
        rounds = (
            await conn.execute(select(t.rounds.c.number).where(t.rounds.c.task_id == task.id))
        ).all()
    assert all(c.answer_count == 20 and c.state is SampleState.ACCEPTED for c in counts)
    assert all(c.votes == {"bright": 20} for c in counts)
    assert sorted(r.number for r in rounds) == [0, 1]
    due = [e for e in app.bus.published[published:] if isinstance(e, RoundDue)]
    assert due == [RoundDue(task.id, 1)]
    await app.queue.join()
    assert (await current(app, task.id)).batch.number == 1


async def test_task_finishes_when_the_pool_runs_out(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    # Given a batch as large as the whole pool and one peer deciding each sample
    task = await make_task(batch_size=100, min_peers=1, max_peers=1)
    assert len(task.samples) == 70
    [(_, token)] = await annotators(1)
    await api.call(SUBMIT, variables(task, "dark"), token)
    await app.queue.join()
    # Then round 1 trains on everything and, with nothing left to ask, the task is finished
    after = (await api.call(BATCH, {"id": str(task.id)}, token))["task"]
    assert after["status"] == "FINISHED" and after["lockedForMe"] is True
    assert after["currentBatch"]["number"] == 0  # no new batch was opened


async def test_a_failing_round_marks_the_task_failed_with_the_reason(
    app: App, api: Api, make_task: Any
) -> None:
    from activecrowds.adapters.queue import InProcessQueue
    from activecrowds.domain.errors import ModelError
    from activecrowds.services.rounds import record_round_failure, run_training_round

    def broken(*_: Any, **__: Any) -> Any:
        raise ModelError("weights file is corrupt")

    task = await make_task(min_peers=1, max_peers=1)
    async with app.engine.begin() as conn:  # as if its batch had just been resolved
        await conn.execute(
            t.rounds.insert().values(task_id=task.id, number=1, status="DUE", confusion_matrix=[])
        )
    ctx = dataclasses.replace(app.ctx, build_model=broken)
    queue = InProcessQueue()  # wired as bootstrap wires the embedded default
    queue.bind(partial(run_training_round, ctx), partial(record_round_failure, ctx))
    await queue.enqueue_round(task.id, 1)
    await queue.join()
    await queue.close()
    got = (
        await api.call(
            "query($id: ID!) { task(id: $id) { status lastError lockedForMe } }",
            {"id": str(task.id)},
        )
    )["task"]
    assert got == {
        "status": "FAILED",
        "lastError": "ModelError: weights file is corrupt",
        "lockedForMe": True,
    }


async def test_running_a_finished_round_again_changes_nothing(app: App, make_task: Any) -> None:
    from activecrowds.services.rounds import run_training_round

    task = await make_task()
    # Round 0 already ran: a second delivery (a retried message) is skipped
    assert await run_training_round(app.ctx, task.id, 0) is False
    # A round nobody marked due, or of a task that does not exist, is skipped too
    assert await run_training_round(app.ctx, task.id, 5) is False
    assert await run_training_round(app.ctx, 99999999, 0) is False
    after = await current(app, task.id)
    assert after.batch.id == task.batch.id and after.task.status is TaskStatus.COLLECTING
    async with app.engine.connect() as conn:
        batches = await conn.execute(
            select(func.count()).select_from(t.batches).where(t.batches.c.task_id == task.id)
        )
    assert batches.scalar_one() == 1
