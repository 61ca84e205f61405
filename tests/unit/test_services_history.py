"""Looking back at a task a page at a time (services.history), over the in-memory unit of work;
and the answer progress dashboards hear, coalesced per task (subscriptions/coalesce.py).

Batch 0 of the stand-in task holds p1, p3 and p4 (the samples the scripted model is unsure
about); the labels are ["neg", "pos"].
"""

from __future__ import annotations

import asyncio

import pytest
from fakes import Fakes
from standins import Given, OpenTask

from activecrowds.adapters.redis_bus import decode, encode
from activecrowds.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationError
from activecrowds.domain.events import BatchProgress
from activecrowds.domain.history import SampleFilter, SampleSplit
from activecrowds.domain.model import ADMIN, Caller, SampleState
from activecrowds.domain.pages import Page
from activecrowds.services import auth, crowd, history
from activecrowds.services.answers import submit_answers
from activecrowds.services.ports import TaskQuery
from activecrowds.services.rounds import run_training_round
from server.graphql.subscriptions.coalesce import Coalescer


async def answer(fakes: Fakes, who: Caller, task: OpenTask, **labels: str) -> None:
    pairs = [(task.samples[key].id, label) for key, label in labels.items()]
    await submit_answers(fakes.ctx, who, task.id, task.batch.id, pairs)


async def disputed_task(fakes: Fakes, given: Given) -> tuple[OpenTask, list[Caller]]:
    """Batch 0 decided: p1 accepted, p3 and p4 disputed (two answers each, no agreement)."""
    task = await given.open_task(min_peers=2, max_peers=2, min_agreement=1.0)
    a, b = await given.annotators(2)
    await answer(fakes, a, task, p1="pos", p3="pos", p4="pos")
    await answer(fakes, b, task, p1="pos", p3="neg", p4="neg")
    return task, [a, b]


async def pages_of(read: object, first: int = 1) -> list[object]:
    """Every item, `first` a page, each page starting after the last one's position."""
    items: list[object] = []
    after = None
    while True:
        page = await read(after, first)
        assert isinstance(page, Page) and len(page.items) <= first
        items += page.items
        if not page.has_next:
            assert len(items) == page.total
            return items
        after = page.items[-1]


async def test_the_disputed_samples_of_a_task_come_a_page_at_a_time(
    fakes: Fakes, given: Given
) -> None:
    task, _ = await disputed_task(fakes, given)
    disputed = SampleFilter(frozenset({SampleState.DISPUTED}))

    async def read(after: object, first: int) -> Page[object]:
        position = getattr(after, "id", None)
        return await history.sample_page(fakes.ctx, ADMIN, task.id, disputed, position, first)

    found = await pages_of(read)
    assert [s.key for s in found] == ["p3", "p4"]
    splits = {
        split: (await history.sample_page(fakes.ctx, ADMIN, task.id, SampleFilter(split=split)))
        for split in SampleSplit
    }
    assert {k: v.total for k, v in splits.items()} == {
        SampleSplit.SEED: 2,
        SampleSplit.EVAL: 2,
        SampleSplit.TEST: 2,
        SampleSplit.GOLD: 0,
        SampleSplit.CROWD: 3,
        SampleSplit.POOL: 2,
    }
    # OPEN reads as the API shows it: the never-asked samples too, none of the decided ones
    opened = SampleFilter(frozenset({SampleState.OPEN}))
    assert (await history.sample_page(fakes.ctx, ADMIN, task.id, opened)).total == 8


async def test_batches_come_newest_first(fakes: Fakes, given: Given) -> None:
    task, _ = await disputed_task(fakes, given)
    assert await run_training_round(fakes.ctx, task.id, 1)

    async def read(after: object, first: int) -> Page[object]:
        position = getattr(after, "number", None)
        return await history.batch_page(fakes.ctx, ADMIN, task.id, position, first)

    assert [b.number for b in await pages_of(read)] == [1, 0]


async def test_an_annotator_reads_its_own_answers_and_never_another_s(
    fakes: Fakes, given: Given
) -> None:
    task, (a, b) = await disputed_task(fakes, given)
    mine = await history.my_answers(fakes.ctx, a, task.id, first=2)
    assert mine.total == 3 and mine.has_next and len(mine.items) == 2
    rest = await history.my_answers(fakes.ctx, a, task.id, after=mine.items[-1].id, first=2)
    answers = mine.items + rest.items
    assert [x.id for x in answers] == sorted((x.id for x in answers), reverse=True)
    by_key = {s.id: k for k, s in task.samples.items()}
    assert {by_key[x.sample_id]: x.label for x in answers} == {
        "p1": "pos",
        "p3": "pos",
        "p4": "pos",
    }
    # The loader behind Batch.myAnswers: keyed by the caller, one batch's answers each
    keys = [(a.id, task.batch.id), (b.id, task.batch.id)]
    loaded = await history.answers_of(fakes.ctx, keys)
    assert [x.label for x in loaded[(b.id, task.batch.id)]] == ["pos", "neg", "neg"]
    assert all(x.batch_number == 0 for x in loaded[(a.id, task.batch.id)])
    # The admin has none; a task outside an annotator's invite is not found
    assert (await history.my_answers(fakes.ctx, ADMIN, task.id)).total == 0
    elsewhere = await given.task()
    invite = await crowd.create_invite(fakes.ctx, ADMIN, task_ids=[elsewhere.id])
    outsider = (await auth.register_annotator(fakes.ctx, "outsider", invite.code)).caller
    with pytest.raises(NotFound):
        await history.my_answers(fakes.ctx, outsider, task.id)
    with pytest.raises(NotFound):
        await history.batch_page(fakes.ctx, outsider, task.id)


async def test_who_may_read_what(fakes: Fakes, given: Given) -> None:
    task, (a, _) = await disputed_task(fakes, given)
    with pytest.raises(Forbidden):
        await history.sample_page(fakes.ctx, a, task.id, SampleFilter())
    with pytest.raises(Forbidden):
        await history.annotator_page(fakes.ctx, a)
    with pytest.raises(Unauthenticated):
        await history.task_page(fakes.ctx, None, TaskQuery())
    for first in (0, 101):
        with pytest.raises(ValidationError):
            await history.batch_page(fakes.ctx, ADMIN, task.id, first=first)
    # The crowd a page at a time, with its figures
    crowd_page = await history.annotator_page(fakes.ctx, ADMIN, first=1)
    assert crowd_page.total == 2 and crowd_page.has_next
    assert crowd_page.items[0].annotator.id == a.id and crowd_page.items[0].figures.answers == 3


async def test_an_annotator_lists_only_the_tasks_its_invite_covers(
    fakes: Fakes, given: Given
) -> None:
    first, second = await given.task(), await given.task()
    invite = await crowd.create_invite(fakes.ctx, ADMIN, task_ids=[first.id])
    invited = (await auth.register_annotator(fakes.ctx, "invited", invite.code)).caller
    everything = await history.task_page(fakes.ctx, ADMIN, TaskQuery(), first=1)
    assert [t.id for t in everything.items] == [second.id] and everything.total == 2
    theirs = await history.task_page(fakes.ctx, invited, TaskQuery())
    assert [t.id for t in theirs.items] == [first.id] and theirs.total == 1
    # Asking for the other task's id finds nothing rather than widening the invite
    other = await history.task_page(fakes.ctx, invited, TaskQuery(visible=frozenset({second.id})))
    assert other.items == [] and other.total == 0


async def test_each_submission_publishes_its_batch_s_progress(fakes: Fakes, given: Given) -> None:
    task = await given.open_task(min_peers=2, max_peers=2, min_agreement=1.0)
    a, b = await given.annotators(2)
    await answer(fakes, a, task, p1="pos", p3="pos", p4="pos")
    await answer(fakes, a, task, p1="pos", p3="pos", p4="pos")  # a retry: nothing new
    await answer(fakes, b, task, p1="pos", p3="neg")
    progress = fakes.bus.of(BatchProgress)
    assert [(p.answers, p.accepted, p.disputed, p.decided) for p in progress] == [
        (3, 0, 0, 0),
        (5, 1, 1, 2),
    ]
    assert {(p.task_id, p.batch_id, p.number, p.samples) for p in progress} == {
        (task.id, task.batch.id, 0, 3)
    }
    # It crosses replicas on the Redis bus as it left
    assert decode(encode(progress[-1])) == progress[-1]


async def test_a_suspension_that_takes_answers_back_publishes_the_batch_s_progress(
    fakes: Fakes, given: Given
) -> None:
    # Given two annotators' answers on an open batch (nothing decided yet)
    task = await given.open_task(min_peers=3, max_peers=3, min_agreement=1.0)
    a, b = await given.annotators(2)
    await answer(fakes, a, task, p1="pos", p3="pos", p4="pos")
    await answer(fakes, b, task, p1="pos", p3="neg")
    assert fakes.bus.of(BatchProgress)[-1].answers == 5
    # When the owner suspends one of them
    await crowd.suspend_annotator(fakes.ctx, ADMIN, b.id)
    # Then dashboards hear that its two answers no longer count
    last = fakes.bus.of(BatchProgress)[-1]
    assert (last.batch_id, last.answers, last.decided) == (task.batch.id, 3, 0)


def progress(answers: int, batch_id: int = 1, task_id: int = 1) -> BatchProgress:
    return BatchProgress(task_id, batch_id=batch_id, answers=answers)


async def test_progress_is_held_within_its_interval_and_the_newest_goes_out() -> None:
    due: list[int] = []
    coalescer = Coalescer(0.05, due.append)
    # The first goes out at once; the rest within the interval are held, the newest kept
    assert coalescer.hold(progress(1)) is False
    assert [coalescer.hold(progress(n)) for n in (2, 3, 4)] == [True, True, True]
    assert coalescer.hold(progress(1, task_id=2)) is False  # another task has its own pace
    assert coalescer.held(1) == progress(4)
    await asyncio.sleep(0.08)
    assert due == [1]  # the timer says task 1 may go out now
    assert coalescer.take(1) == [progress(4)] and coalescer.take(1) == []
    # Taken before its timer (the task's next other event), a batch's newest each, in order
    await asyncio.sleep(0.06)
    assert coalescer.hold(progress(5)) is False
    coalescer.hold(progress(6))
    coalescer.hold(progress(1, batch_id=2))
    coalescer.hold(progress(7))
    assert coalescer.take(1) == [progress(7), progress(1, batch_id=2)]
    await asyncio.sleep(0.08)
    assert due == [1]  # its timer was cancelled with the take
    coalescer.hold(progress(8))
    coalescer.clear()
    await asyncio.sleep(0.08)
    assert due == [1] and coalescer.take(1) == []
