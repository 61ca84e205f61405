"""Submissions that queue for one batch are applied together: one transaction, each on its own.

Holding the batch's key in the gate stands in for a submission still running: whatever arrives
meanwhile waits, and the next holder applies all of it (standins.SCENARIO: batch 0 holds
p1, p3, p4; two agreeing peers accept a sample).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest
from fake_repositories import FakeAnswerRepository
from fakes import Fakes
from standins import Given, OpenTask

from activecrowds.domain.errors import AlreadyAnswered, NotCollecting, NotFound, ValidationError
from activecrowds.domain.events import AnswersSubmitted, RoundDue
from activecrowds.domain.model import Caller, SampleState
from activecrowds.services.answers import Submitted, submit_answers
from activecrowds.services.gate import KeyedLocks


def every(task: OpenTask, label: str) -> list[tuple[int, str]]:
    return [(s.id, label) for s in task.samples.values()]


async def queued(fakes: Fakes, task: OpenTask, *sends: Awaitable[Submitted]) -> list[Any]:
    """Start `sends` while the batch is held, let them queue, then release it."""
    async with fakes.ctx.gate.hold(("batch", task.batch.id)):
        running = [asyncio.ensure_future(send) for send in sends]
        await asyncio.sleep(0.01)
        assert not any(r.done() for r in running)  # all of them wait for the batch
    return list(await asyncio.gather(*running, return_exceptions=True))


async def send(
    fakes: Fakes, who: Caller, task: OpenTask, answers: Any, task_id: int | None = None
) -> Submitted:
    return await submit_answers(fakes.ctx, who, task_id or task.id, task.batch.id, answers)


async def test_queued_submissions_are_stored_in_one_transaction_each_judged_alone(
    fakes: Fakes, given: Given
) -> None:
    # Given an open batch and four annotators
    task = await given.open_task()
    a, b, c, d = await given.annotators(4)
    commits = fakes.db.commits
    p1 = task.samples["p1"].id
    # When, while the batch is held, a answers, a retries the same, b answers twice
    # differently, c sends an unknown label and d names the wrong task
    results = await queued(
        fakes,
        task,
        send(fakes, a, task, every(task, "pos")),
        send(fakes, a, task, list(reversed(every(task, "pos")))),
        send(fakes, b, task, [(p1, "pos")]),
        send(fakes, b, task, [(p1, "neg")]),
        send(fakes, c, task, [(p1, "meh")]),
        send(fakes, d, task, every(task, "pos"), task_id=task.id + 1000),
    )
    # Then each got its own answer, as if they had come one after another
    assert [type(r) for r in results] == [
        Submitted,
        Submitted,
        Submitted,
        AlreadyAnswered,
        ValidationError,
        NotFound,
    ]
    assert [r.accepted for r in results[:3]] == [3, 3, 1]
    # And what was accepted was stored in one commit, each answer once
    assert fakes.db.commits == commits + 1
    stored = fakes.db.committed.answers_to(task.batch.id)
    assert sorted((x.annotator_id, x.label) for x in stored) == [
        (a.id, "pos"),
        (a.id, "pos"),
        (a.id, "pos"),
        (b.id, "pos"),
    ]
    p1_now = fakes.db.committed.samples[p1]
    assert (p1_now.state, p1_now.answer_count) == (SampleState.ACCEPTED, 2)
    assert [e.annotator_id for e in fakes.bus.of(AnswersSubmitted)] == [a.id, b.id]


async def test_the_submission_that_resolves_a_group_is_the_last_one_counted(
    fakes: Fakes, given: Given
) -> None:
    task = await given.open_task()
    crowd = await given.annotators(4)
    results = await queued(fakes, task, *(send(fakes, w, task, every(task, "pos")) for w in crowd))
    assert [type(r) for r in results] == [Submitted, Submitted, NotCollecting, NotCollecting]
    assert fakes.bus.of(RoundDue) == [RoundDue(task.id, 0), RoundDue(task.id, 1)]
    assert len(fakes.db.committed.answers_to(task.batch.id)) == 6


async def test_a_failed_write_fails_the_whole_group_and_stores_nothing(
    fakes: Fakes, given: Given, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = await given.open_task()
    a, b = await given.annotators(2)

    async def broken(*_: object) -> None:
        raise ConnectionResetError("database went away")

    monkeypatch.setattr(FakeAnswerRepository, "add_many", broken)
    results = await queued(
        fakes, task, send(fakes, a, task, every(task, "pos")), send(fakes, b, task, [(0, "x")])
    )
    # The refused one keeps its own reason; the accepted one shares the failure
    assert [type(r) for r in results] == [ConnectionResetError, ValidationError]
    assert fakes.db.committed.answers_to(task.batch.id) == []
    monkeypatch.undo()
    assert (await send(fakes, a, task, every(task, "pos"))).accepted == 3


async def test_a_submission_cancelled_while_it_waits_is_never_applied(
    fakes: Fakes, given: Given
) -> None:
    task = await given.open_task()
    [a] = await given.annotators(1)
    async with fakes.ctx.gate.hold(("batch", task.batch.id)):
        waiting = asyncio.ensure_future(send(fakes, a, task, every(task, "pos")))
        await asyncio.sleep(0.01)
        waiting.cancel()
        await asyncio.sleep(0.01)
    assert waiting.cancelled()
    assert fakes.db.committed.answers_to(task.batch.id) == []
    assert len(fakes.ctx.gate) == 0


async def test_a_group_goes_on_when_the_request_running_it_is_cancelled() -> None:
    gate, ran, release = KeyedLocks(), list[list[str]](), asyncio.Event()

    async def run(items: list[str]) -> None:
        await release.wait()
        ran.append(items)

    first = asyncio.ensure_future(gate.gather("k", "first", run))
    await asyncio.sleep(0.01)
    first.cancel()  # e.g. its client went away while the group was being written
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.sleep(0.01)
    assert ran == [["first"]] and first.cancelled()
