"""The owner sends a sample back to the crowd (Review.REASK), against the in-memory ports
(standins.SCENARIO: accepted at 2 answers 75 % agreeing, disputed at 4; batch 0 holds p1, p3,
p4)."""

from __future__ import annotations

import pytest
from fakes import Fakes
from standins import Given
from test_services_answers import pairs, submit
from test_services_review import decided_batch

from activecrowds.domain.errors import NotCollecting, NotDecided, ValidationError
from activecrowds.domain.model import ADMIN, Review, SampleState, TaskStatus
from activecrowds.services import queries, rounds
from activecrowds.services.review import review_sample

OPEN = SampleState.OPEN


async def test_a_sample_sent_back_while_training_waits_and_joins_the_next_batch(
    fakes: Fakes, given: Given
) -> None:
    # Given batch 0 resolved with p3 disputed (2:2), and round 1 not yet run
    task = await given.open_task()
    a, b, c, d, fresh = await given.annotators(5)
    await submit(fakes, a, task, pairs(task, p1="pos", p3="pos", p4="neg"))
    await submit(fakes, b, task, pairs(task, p1="pos", p3="neg", p4="neg"))
    await submit(fakes, c, task, pairs(task, p3="pos"))
    await submit(fakes, d, task, pairs(task, p3="neg"))
    p3 = task.samples["p3"].id
    assert fakes.db.committed.samples[p3].state is SampleState.DISPUTED
    before = (await queries.task_progress(fakes.ctx, [task.id]))[task.id]
    # When the owner sends p3 back to the crowd
    shown = await review_sample(fakes.ctx, ADMIN, p3, Review.REASK, None)
    # Then it waits, open with no votes, in no batch; its answers kept but no longer counted
    stored = fakes.db.committed.samples[p3]
    waiting = (stored.state, stored.batch_id, stored.answer_count, stored.votes)
    assert waiting == (OPEN, None, 0, None)
    assert (shown.state, shown.resolved_label) == (OPEN, None)
    answers = [x for x in fakes.db.committed.answers.values() if x.sample_id == p3]
    assert len(answers) == 4 and not any(x.counted for x in answers)
    # and it still counts as asked: no pool sample left over, no label given back to a budget
    assert (await queries.task_progress(fakes.ctx, [task.id]))[task.id] == before
    # and it cannot be sent back again, nor decided, until the crowd has decided it
    with pytest.raises(NotDecided):
        await review_sample(fakes.ctx, ADMIN, p3, Review.REASK, None)
    # When round 1 opens batch 1, then p3 is in it besides what the strategy picked
    assert await rounds.run_training_round(fakes.ctx, task.id, 1)
    batch_1 = given.current(task.id)
    assert batch_1.batch.number == 1 and "p3" in batch_1.samples and len(batch_1.samples) > 1
    # and an annotator who answered it before is not handed it, nor may answer it again
    assert p3 not in {s.id for s in await queries.hand_out(fakes.ctx, a, batch_1.batch.id)}
    with pytest.raises(ValidationError, match=f"sample {p3}"):
        await submit(fakes, a, batch_1, [(p3, "neg")])
    # while a fresh annotator is handed it, and its answer counts
    assert p3 in {s.id for s in await queries.hand_out(fakes.ctx, fresh, batch_1.batch.id)}
    await submit(fakes, fresh, batch_1, [(p3, "pos")])
    assert fakes.db.committed.samples[p3].votes == {"pos": 1}
    assert len([x for x in fakes.db.committed.answers.values() if x.sample_id == p3]) == 5


async def test_reask_takes_no_label_and_a_finished_task_refuses_it(
    fakes: Fakes, given: Given
) -> None:
    task = await decided_batch(fakes, given)
    p3 = task.samples["p3"].id
    with pytest.raises(ValidationError) as bad:
        await review_sample(fakes.ctx, ADMIN, p3, Review.REASK, "pos")
    assert bad.value.field == "label"
    fakes.db.committed.tasks[task.id].status = TaskStatus.FINISHED
    with pytest.raises(NotCollecting):
        await review_sample(fakes.ctx, ADMIN, p3, Review.REASK, None)
    assert fakes.db.committed.samples[p3].state is SampleState.DISPUTED
