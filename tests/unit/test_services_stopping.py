"""Stopping rules in the server's rounds: a rule that holds at a round's end finishes the task
with its reason instead of opening a batch (services/rounds.py, activecrowds_ml.stopping)."""

from __future__ import annotations

from typing import Any

import pytest
from fakes import Fakes
from standins import SCENARIO, Given, OpenTask, Script

from activecrowds.domain.errors import ValidationError
from activecrowds.domain.events import LockReason, RoundCompleted, TaskFinished, TaskLocked
from activecrowds.domain.model import ADMIN, Caller, Round, TaskStatus
from activecrowds.services.answers import submit_answers
from activecrowds.services.rounds import run_training_round
from activecrowds.services.tasks import UpdateTask, update_task
from activecrowds_ml.stopping import FinishedReason


async def answer_all(fakes: Fakes, crowd: list[Caller], open_task: OpenTask) -> None:
    """Every annotator answers every sample of the open batch alike: each is accepted."""
    answers = [(s.id, "pos") for s in open_task.samples.values()]
    for who in crowd:
        await submit_answers(fakes.ctx, who, open_task.id, open_task.batch.id, answers)


def rounds_of(fakes: Fakes, task_id: int) -> list[Round]:
    found = [r for r in fakes.db.committed.rounds.values() if r.task_id == task_id]
    return sorted(found, key=lambda r: r.number)


def batches_of(fakes: Fakes, task_id: int) -> list[int]:
    return sorted(b.number for b in fakes.db.committed.batches.values() if b.task_id == task_id)


async def test_a_label_budget_caps_the_last_batch_and_finishes_the_task_when_spent(
    fakes: Fakes, given: Given, script: Script
) -> None:
    # Given a budget of 4 labels with a seed set of 2 and batches of 3
    opened = await given.open_task(label_budget=4)
    # Then batch 0 holds only the 2 labels the budget has left
    assert len(opened.samples) == 2
    crowd = await given.annotators(2)
    # When the crowd labels them and round 1 runs
    await answer_all(fakes, crowd, opened)
    published = len(fakes.bus.published)
    assert await run_training_round(fakes.ctx, opened.id, 1) is True
    # Then the task finished for its budget: no batch 1, and the reason is in the event
    task = fakes.db.committed.tasks[opened.id]
    assert (task.status, task.finished_reason) == (TaskStatus.FINISHED, FinishedReason.LABEL_BUDGET)
    assert batches_of(fakes, opened.id) == [0]
    assert fakes.bus.published[published:] == [
        RoundCompleted(opened.id, 1),
        TaskLocked(opened.id, LockReason.FINISHED),
        TaskFinished(opened.id, FinishedReason.LABEL_BUDGET),
    ]
    # And the last model still predicted the whole pool (what an owner classifies with)
    predicted = {p.sample_id for p in fakes.db.committed.predictions.values()}
    pool = [s for s in fakes.db.committed.samples.values() if s.key.startswith("p")]
    assert predicted == {s.id for s in pool}
    assert {p.round_number for p in fakes.db.committed.predictions.values()} == {1}


async def test_a_target_eval_accuracy_met_by_round_0_finishes_before_any_batch(
    fakes: Fakes, given: Given, script: Script
) -> None:
    # Given the model scores 0.5 on the eval set, and the target is 0.5
    task = await given.task(target_accuracy=0.5)
    assert await run_training_round(fakes.ctx, task.id, 0) is True
    done = fakes.db.committed.tasks[task.id]
    assert (done.status, done.finished_reason) == (
        TaskStatus.FINISHED,
        FinishedReason.TARGET_ACCURACY,
    )
    assert batches_of(fakes, task.id) == []
    assert fakes.bus.of(TaskFinished) == [TaskFinished(task.id, FinishedReason.TARGET_ACCURACY)]


async def test_an_unmet_target_lets_the_loop_go_on(
    fakes: Fakes, given: Given, script: Script
) -> None:
    opened = await given.open_task(target_accuracy=0.51)
    assert opened.task.status is TaskStatus.COLLECTING and opened.task.finished_reason is None
    assert fakes.bus.of(TaskFinished) == []


async def test_predictions_that_stop_changing_finish_the_task_on_a_plateau(
    fakes: Fakes, given: Given, script: Script
) -> None:
    # Given a plateau rule over 1 round, and a model whose predictions never change
    opened = await given.open_task(plateau_agreement=0.99, plateau_window=1)
    # Then round 0 had nothing to compare with: no agreement, the loop goes on
    assert rounds_of(fakes, opened.id)[0].pool_agreement is None
    assert opened.task.status is TaskStatus.COLLECTING
    crowd = await given.annotators(2)
    await answer_all(fakes, crowd, opened)
    # When round 1 predicts the pool exactly as round 0 did
    assert await run_training_round(fakes.ctx, opened.id, 1) is True
    # Then its agreement is 1 and the task finished on the plateau, with no batch 1
    assert rounds_of(fakes, opened.id)[1].pool_agreement == 1.0
    task = fakes.db.committed.tasks[opened.id]
    assert (task.status, task.finished_reason) == (TaskStatus.FINISHED, FinishedReason.PLATEAU)
    assert batches_of(fakes, opened.id) == [0]


async def test_a_budget_lowered_while_collecting_finishes_the_task_when_the_batch_is_trained(
    fakes: Fakes, given: Given, script: Script
) -> None:
    # Given a task collecting answers for batch 0 (3 samples on top of a seed of 2)
    opened = await given.open_task()
    assert len(opened.samples) == 3
    # When the admin lowers the budget to 3 labels, already spent
    await update_task(fakes.ctx, ADMIN, opened.id, UpdateTask(scenario={"label_budget": 3}))
    # Then the open batch stays open: its labels are being paid for
    assert fakes.db.committed.tasks[opened.id].status is TaskStatus.COLLECTING
    crowd = await given.annotators(2)
    await answer_all(fakes, crowd, opened)
    # And the round that trains on it finishes the task
    assert await run_training_round(fakes.ctx, opened.id, 1) is True
    task = fakes.db.committed.tasks[opened.id]
    assert (task.status, task.finished_reason) == (TaskStatus.FINISHED, FinishedReason.LABEL_BUDGET)
    assert batches_of(fakes, opened.id) == [0]


async def test_update_task_turns_a_rule_on_and_off(fakes: Fakes, given: Given) -> None:
    task = await given.task(target_accuracy=0.9)
    changed = await update_task(
        fakes.ctx, ADMIN, task.id, UpdateTask(scenario={"target_accuracy": None})
    )
    assert changed.scenario["target_accuracy"] is None
    changed = await update_task(
        fakes.ctx, ADMIN, task.id, UpdateTask(scenario={"plateau_agreement": 0.95})
    )
    assert (changed.scenario["plateau_agreement"], changed.scenario["plateau_window"]) == (0.95, 3)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"label_budget": SCENARIO["initial_train_size"]}, "label_budget"),
        ({"target_accuracy": 1.5}, "target_accuracy"),
        ({"plateau_agreement": 0}, "plateau_agreement"),
        ({"plateau_window": 0}, "plateau_window"),
    ],
)
async def test_bad_rules_are_refused_and_change_nothing(
    fakes: Fakes, given: Given, change: dict[str, Any], field: str
) -> None:
    task = await given.task()
    before = dict(fakes.db.committed.tasks[task.id].scenario)
    with pytest.raises(ValidationError) as err:
        await update_task(fakes.ctx, ADMIN, task.id, UpdateTask(scenario=change))
    assert err.value.field == field
    assert fakes.db.committed.tasks[task.id].scenario == before
    with pytest.raises(ValidationError):
        await given.task(**change)
    assert len(fakes.db.committed.tasks) == 1
