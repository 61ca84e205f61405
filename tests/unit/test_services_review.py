"""The owner's review of the crowd's labels, against the in-memory ports (standins.SCENARIO:
accepted at 2 answers 75 % agreeing, disputed at 4; batch 0 holds p1, p3, p4)."""

from __future__ import annotations

import pytest
from fakes import Fakes
from standins import Given, OpenTask, Script
from test_services_answers import pairs, submit, tallies

from activecrowds.domain.errors import Forbidden, NotDecided, NotFound, ValidationError
from activecrowds.domain.model import ADMIN, Review, SampleKind, SampleState
from activecrowds.services import rounds
from activecrowds.services.review import review_sample

OPEN, ACCEPTED, DISPUTED = SampleState.OPEN, SampleState.ACCEPTED, SampleState.DISPUTED
DISCARDED = SampleState.DISCARDED


async def decided_batch(fakes: Fakes, given: Given) -> OpenTask:
    """Batch 0 resolved: p1 accepted as pos, p3 disputed (2:2), p4 accepted as neg."""
    task = await given.open_task()
    a, b, c, d = await given.annotators(4)
    await submit(fakes, a, task, pairs(task, p1="pos", p3="pos", p4="neg"))
    await submit(fakes, b, task, pairs(task, p1="pos", p3="neg", p4="neg"))
    await submit(fakes, c, task, pairs(task, p3="pos"))
    await submit(fakes, d, task, pairs(task, p3="neg"))
    assert tallies(fakes, task) == {
        "p1": (ACCEPTED, "pos", 2),
        "p3": (DISPUTED, None, 4),
        "p4": (ACCEPTED, "neg", 2),
    }
    return task


async def test_a_disputed_sample_decided_by_the_owner_trains_the_next_round(
    fakes: Fakes, given: Given, script: Script
) -> None:
    task = await decided_batch(fakes, given)
    p3 = task.samples["p3"]
    # When the owner decides the disputed p3 is neg and takes p4 out
    shown = await review_sample(fakes.ctx, ADMIN, p3.id, Review.DECIDE, "neg")
    assert (shown.state, shown.resolved_label) == (ACCEPTED, "neg")
    await review_sample(fakes.ctx, ADMIN, task.samples["p4"].id, Review.DISCARD, None)
    # Then both are stored so, the crowd's votes kept as they were
    assert tallies(fakes, task) == {
        "p1": (ACCEPTED, "pos", 2),
        "p3": (ACCEPTED, "neg", 4),
        "p4": (DISCARDED, None, 2),
    }
    assert fakes.db.committed.samples[p3.id].votes == {"pos": 2, "neg": 2}
    # And round 1 trains on p1 (the crowd's) and p3 (the owner's), never on p4
    assert await rounds.run_training_round(fakes.ctx, task.id, 1)
    (train,) = script.calls_to("train")[-1:]
    trained = dict(zip(train.ids, train.labels, strict=True))
    assert trained["p1"] == "pos" and trained["p3"] == "neg" and "p4" not in trained


async def test_an_accepted_label_is_corrected_and_a_discarded_one_decided_again(
    fakes: Fakes, given: Given
) -> None:
    task = await decided_batch(fakes, given)
    p1 = task.samples["p1"].id
    await review_sample(fakes.ctx, ADMIN, p1, Review.DECIDE, "neg")
    assert tallies(fakes, task)["p1"] == (ACCEPTED, "neg", 2)
    await review_sample(fakes.ctx, ADMIN, p1, Review.DISCARD, None)
    await review_sample(fakes.ctx, ADMIN, p1, Review.DECIDE, "pos")
    assert tallies(fakes, task)["p1"] == (ACCEPTED, "pos", 2)


async def test_what_the_crowd_has_not_decided_is_not_reviewed(fakes: Fakes, given: Given) -> None:
    task = await given.open_task()
    (a,) = await given.annotators(1)
    await submit(fakes, a, task, pairs(task, p1="pos"))
    before = tallies(fakes, task)
    # Still open in the open batch: the crowd's answers are under way
    with pytest.raises(NotDecided):
        await review_sample(fakes.ctx, ADMIN, task.samples["p1"].id, Review.DECIDE, "pos")
    # Never asked: it would stay in the pool and be asked after the owner decided it
    unasked = [
        s
        for s in fakes.db.committed.samples.values()
        if s.task_id == task.id and s.kind is SampleKind.POOL and s.batch_id is None
    ]
    with pytest.raises(NotDecided):
        await review_sample(fakes.ctx, ADMIN, unasked[0].id, Review.DISCARD, None)
    assert tallies(fakes, task) == before


async def test_bad_reviews_are_refused_and_change_nothing(fakes: Fakes, given: Given) -> None:
    task = await decided_batch(fakes, given)
    before = tallies(fakes, task)
    p3 = task.samples["p3"].id
    seed = next(
        s
        for s in fakes.db.committed.samples.values()
        if s.task_id == task.id and s.kind is SampleKind.SEED
    )
    (annotator,) = await given.annotators(1)
    with pytest.raises(ValidationError, match="label must be one of"):
        await review_sample(fakes.ctx, ADMIN, p3, Review.DECIDE, "maybe")
    with pytest.raises(ValidationError, match="label must be one of"):
        await review_sample(fakes.ctx, ADMIN, p3, Review.DECIDE, None)
    with pytest.raises(ValidationError, match="takes no label"):
        await review_sample(fakes.ctx, ADMIN, p3, Review.DISCARD, "neg")
    with pytest.raises(ValidationError, match="seed sample"):
        await review_sample(fakes.ctx, ADMIN, seed.id, Review.DECIDE, "neg")
    with pytest.raises(NotFound):
        await review_sample(fakes.ctx, ADMIN, 10**6, Review.DECIDE, "neg")
    with pytest.raises(Forbidden):
        await review_sample(fakes.ctx, annotator, p3, Review.DECIDE, "neg")
    assert tallies(fakes, task) == before
