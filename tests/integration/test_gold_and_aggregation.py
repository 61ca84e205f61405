"""Over GraphQL, on SQLite and PostgreSQL: agreement figures, control questions, late answers,
and the bad input createTask refuses.

The tasks' rule (apptest.SCENARIO): 4 pool samples per batch, accepted with 2 answers that
all agree, disputed at 3.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pytest
from apptest import LABELS, Api, OpenTask, RecordingBus, current
from sqlalchemy import select

from activecrowds.adapters import tables as t
from activecrowds.bootstrap import App
from activecrowds.domain.events import AnnotatorSuspended
from activecrowds.domain.model import Sample, SampleKind
from activecrowds.services.answers import submit_answers

SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!, $o: DateTime) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a, openedAt: $o) { accepted counted } }"""
FIGURES = "answers evidence accepted disputed alpha disputedShare answersPerLabel"
AGREEMENT = f"""query($id: ID!) {{ task(id: $id) {{
  agreement {{ {FIGURES} }}
  currentBatch {{ number status agreement {{ {FIGURES} }} }}
  rounds {{ number agreement {{ {FIGURES} }} }} }} }}"""
PROGRESS = """query($id: ID!) { task(id: $id) { labelledCount poolRemaining
  currentBatch { number status samples { id state answerCount resolvedLabel } } } }"""
CREATE = "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }"
TASKS = "{ tasks { id } }"
SUSPENDED = "{ annotators(status: SUSPENDED) { id goldAnswers goldAccuracy statusReason } }"
GOLD: dict[str, Any] = {"gold_share": 0.5, "gold_size": 8}  # 4 control questions per batch


def answers(pairs: list[tuple[Sample, str]]) -> list[dict[str, str]]:
    return [{"sampleId": str(s.id), "label": label} for s, label in pairs]


def submit_vars(
    task: OpenTask, pairs: list[tuple[Sample, str]], opened: datetime | None = None
) -> dict[str, Any]:
    return {
        "t": str(task.id),
        "b": str(task.batch.id),
        "a": answers(pairs),
        "o": opened.isoformat() if opened else None,
    }


def pool(task: OpenTask) -> list[Sample]:
    return [s for s in task.samples if s.kind is SampleKind.POOL]


def gold(task: OpenTask) -> list[Sample]:
    return [s for s in task.samples if s.kind is SampleKind.GOLD]


async def submitted(api: Api, token: str, task: OpenTask, pairs: Any, **kw: Any) -> Any:
    return (await api.call(SUBMIT, submit_vars(task, pairs, **kw), token))["submitAnswers"]


async def tallies(app: App, batch_id: int) -> dict[int, tuple[Any, ...]]:
    """Per sample id, as stored: (state, resolved label, answer count)."""
    s = t.samples.c
    query = select(s.id, s.state, s.resolved_label, s.answer_count).where(s.batch_id == batch_id)
    async with app.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return {r[0]: (str(r[1]), r[2], r[3]) for r in rows}


async def counted_flags(app: App, annotator_id: int) -> dict[int, bool]:
    a = t.answers.c
    query = select(a.sample_id, a.counted).where(a.annotator_id == annotator_id)
    async with app.engine.connect() as conn:
        return {r[0]: bool(r[1]) for r in (await conn.execute(query)).all()}


def expected_alpha(given: Mapping[str, Sequence[str | None]]) -> float:
    """Nominal alpha from the `krippendorff` package: annotators x units, nan where absent."""
    code = {label: i for i, label in enumerate(LABELS)}
    data = [[np.nan if v is None else code[v] for v in row] for row in given.values()]
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


# --- agreement --------------------------------------------------------------------------------


async def test_agreement_figures_match_a_hand_count_and_are_the_admins_alone(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task("agreement")
    s0, s1, s2, s3 = task.samples
    (_, a), (_, b), (_, c), (_, late) = await annotators(4)
    opened = datetime.now(UTC) - timedelta(seconds=20)
    # Given a and b agree on s0 and s2 and disagree on s1 and s3
    await submitted(api, a, task, [(s0, "dark"), (s1, "dark"), (s2, "bright"), (s3, "dark")])
    await submitted(api, b, task, [(s0, "dark"), (s1, "bright"), (s2, "bright"), (s3, "bright")])
    got = (await api.call(AGREEMENT, {"id": str(task.id)}))["task"]
    # Then batch 0's figures: 8 votes, s0 and s2 accepted, nothing disputed yet
    partial = got["currentBatch"]["agreement"]
    ab: dict[str, list[str | None]] = {
        "a": ["dark", "dark", "bright", "dark"],
        "b": ["dark", "bright", "bright", "bright"],
    }
    assert {k: partial[k] for k in ("answers", "evidence", "accepted", "disputed")} == {
        "answers": 8,
        "evidence": 0,
        "accepted": 2,
        "disputed": 0,
    }
    assert partial["disputedShare"] == 0.0 and partial["answersPerLabel"] == 4.0
    assert partial["alpha"] == pytest.approx(expected_alpha(ab))
    # When c's third answers dispute s1 and s3 (the batch resolves), and a latecomer's
    # answers are kept as evidence
    await submitted(api, c, task, [(s1, "dark"), (s3, "bright")])
    await app.queue.join()
    late_done = await submitted(
        api, late, task, [(s, "bright") for s in task.samples], opened=opened
    )
    assert late_done == {"accepted": 4, "counted": 0}
    # Then round 1's figures are batch 0's: 10 votes, 4 kept as evidence, 2 accepted and
    # 2 disputed, 5 votes per accepted label, alpha over the votes only
    got = (await api.call(AGREEMENT, {"id": str(task.id)}))["task"]
    rounds = {r["number"]: r["agreement"] for r in got["rounds"]}
    assert rounds[0] is None
    abc = {**ab, "c": [None, "dark", None, "bright"]}
    figures = rounds[1]
    assert {k: figures[k] for k in ("answers", "evidence", "accepted", "disputed")} == {
        "answers": 10,
        "evidence": 4,
        "accepted": 2,
        "disputed": 2,
    }
    assert figures["disputedShare"] == 0.5 and figures["answersPerLabel"] == 5.0
    assert figures["alpha"] == pytest.approx(expected_alpha(abc))
    assert expected_alpha(abc) != pytest.approx(expected_alpha(ab))  # c's answers mattered
    # And the task's figures are the same while batch 1 has no answers
    assert got["currentBatch"]["number"] == 1 and got["agreement"] == figures
    # And an annotator asking for any of them is refused, and sees none of them
    hidden = {"agreement": None}
    for query, nothing in (
        ("task(id: $id) { agreement { alpha } }", hidden),
        ("task(id: $id) { currentBatch { agreement { answers } } }", {"currentBatch": hidden}),
        ("task(id: $id) { rounds { agreement { accepted } } }", {"rounds": [hidden, hidden]}),
    ):
        result = await api.post(f"query($id: ID!) {{ {query} }}", {"id": str(task.id)}, a)
        assert {e["extensions"]["code"] for e in result["errors"]} == {"FORBIDDEN"}
        assert result["data"] == {"task": nothing}


# --- control questions ------------------------------------------------------------------------


async def test_a_spammer_is_suspended_by_control_questions_and_its_open_votes_stop_counting(
    app: App, api: Api, make_task: Any, annotators: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (at 85% confidence, so that 8 control answers can convict: 4 of 8 right is 90% likely
    # to come from an accuracy under 70%; the default 95% waits for more evidence)
    monkeypatch.setattr(app.ctx, "gold", dataclasses.replace(app.ctx.gold, confidence=0.85))
    # Given a task with 4 control questions per batch, and one without
    task = await make_task("gold", **GOLD)
    plain = await make_task("plain")
    assert (len(pool(task)), len(gold(task))) == (4, 4)
    (spammer, spam), (_, h1), (_, h2), (_, h3) = await annotators(4)
    # When an annotator who always says "dark" answers batch 0: 2 of 4 control answers right,
    # too few to judge; it and h1 decide the pool as "dark"
    done = await submitted(api, spam, task, [(s, "dark") for s in task.samples])
    assert done == {"accepted": 8, "counted": 8}
    await submitted(api, h1, task, [(s, "dark") for s in pool(task)])
    # Then the batch resolved on its pool samples alone; control questions are not labels
    await app.queue.join()
    got = (await api.call(PROGRESS, {"id": str(task.id)}))["task"]
    assert got["currentBatch"]["number"] == 1
    assert got["labelledCount"] == 10 + 4
    assert got["poolRemaining"] == 40 + (60 - 30 - GOLD["gold_size"]) - 2 * 4  # batches 0, 1
    # And the spammer also keeps plain's s0 and s2 open against h1 and h2; s1 is accepted
    p0, p1, p2, p3 = plain.samples
    await submitted(api, spam, plain, [(s, "dark") for s in plain.samples])
    await submitted(api, h1, plain, [(p0, "bright"), (p1, "dark")])
    await submitted(api, h2, plain, [(p2, "bright")])
    # When it answers batch 1 of the gold task: now 4 of 8 right (50 %, under 70 %)
    first, task = task, await current(app, task.id)
    before = await tallies(app, task.batch.id)
    done = await submitted(api, spam, task, [(s, "dark") for s in task.samples])
    # Then its answers are kept as evidence only, and it is suspended automatically
    assert done == {"accepted": 8, "counted": 0}
    assert await tallies(app, task.batch.id) == before
    [profile] = [p for p in (await api.call(SUSPENDED))["annotators"] if p["id"] == str(spammer.id)]
    assert (profile["goldAnswers"], profile["goldAccuracy"]) == (8, 0.5)
    assert "4 of 8" in profile["statusReason"]
    assert isinstance(app.bus, RecordingBus)
    events = [e for e in app.bus.published if isinstance(e, AnnotatorSuspended)]
    assert [e.automatic for e in events if e.annotator_id == spammer.id] == [True]
    # And its votes on plain's open samples were taken back; s1, decided, keeps its vote
    assert await tallies(app, plain.batch.id) == {
        p0.id: ("OPEN", None, 1),
        p1.id: ("ACCEPTED", "dark", 2),
        p2.id: ("OPEN", None, 1),
        p3.id: ("OPEN", None, 0),
    }
    flags = await counted_flags(app, spammer.id)
    assert [flags[s.id] for s in plain.samples] == [False, True, False, False]
    assert all(flags[s.id] for s in first.samples)  # batch 0 had resolved: left alone
    # And the crowd's figures leave control questions out: 4 pool answers kept as evidence
    figures = (await api.call(AGREEMENT, {"id": str(task.id)}))["task"]["currentBatch"]
    assert figures["agreement"]["answers"] == 0 and figures["agreement"]["evidence"] == 4
    # And its token is refused from now on, while the honest crowd carries on
    assert await api.error(SUBMIT, submit_vars(plain, [(p3, "dark")]), spam) == "UNAUTHENTICATED"
    assert await api.error(SUBMIT, submit_vars(task, [(task.samples[0], "dark")]), spam) == (
        "UNAUTHENTICATED"
    )
    await submitted(api, h3, plain, [(p0, "bright")])
    assert (await tallies(app, plain.batch.id))[p0.id] == ("ACCEPTED", "bright", 2)


# --- late answers (openedAt) ------------------------------------------------------------------


async def test_late_answers_are_evidence_and_a_stale_batch_is_refused_as_the_contract_says(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task("late")
    (a, _), (b, _), (_, c), (_, d) = await annotators(4)

    class Hold:
        """A queue that keeps rounds due (as if the worker had not started them yet)."""

        async def enqueue_round(self, task_id: int, number: int) -> None:
            return None

    # Given batch 0 resolved, its round due but not started: the task trains
    opened = datetime.now(UTC) - timedelta(seconds=30)
    held = dataclasses.replace(app.ctx, queue=Hold())
    for who in (a, b):
        await submit_answers(
            held, who, task.id, task.batch.id, [(s.id, "dark") for s in task.samples]
        )
    before = await tallies(app, task.batch.id)
    everything = [(s, "bright") for s in task.samples]
    # Then a stale batch without openedAt is TASK_LOCKED; openedAt in the future is bad input
    assert await api.error(SUBMIT, submit_vars(task, everything), c) == "TASK_LOCKED"
    future = datetime.now(UTC) + timedelta(hours=1)
    assert await api.error(SUBMIT, submit_vars(task, everything, future), c) == "BAD_USER_INPUT"
    # And with openedAt before the decision, the answers are kept, none as a vote, once
    assert await submitted(api, c, task, everything, opened=opened) == {"accepted": 4, "counted": 0}
    assert await submitted(api, c, task, everything, opened=opened) == {"accepted": 4, "counted": 0}
    # When batch 1 opens, batch 0 is a CONFLICT without openedAt, evidence with it
    await app.queue.enqueue_round(task.id, 1)
    await app.queue.join()
    assert (await current(app, task.id)).batch.number == 1
    assert await api.error(SUBMIT, submit_vars(task, everything), d) == "CONFLICT"
    assert await submitted(api, d, task, everything, opened=opened) == {"accepted": 4, "counted": 0}
    # Then batch 0's tallies never moved, and each late answer is stored once, uncounted
    assert await tallies(app, task.batch.id) == before
    for token_holder in (c, d):
        me = (await api.call("{ me { id } }", token=token_holder))["me"]["id"]
        flags = await counted_flags(app, int(me))
        assert sorted(flags) == sorted(s.id for s in task.samples)
        assert not any(flags.values())


# --- bad input --------------------------------------------------------------------------------


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
        "minPeers": 2,
        "minAgreement": 1.0,
        "maxPeers": 3,
    }
    return {**values, **overrides}


@pytest.mark.parametrize(
    "overrides",
    [
        {"goldShare": 0.6, "goldSize": 8},
        {"goldShare": -0.1, "goldSize": 8},
        {"goldShare": 0.2},  # no goldSize to draw them from
        {"goldShare": 0.2, "goldSize": -1},
        {"aggregation": "MAJORITY_VOTE"},
        {"redundancy": "SOMETIMES"},
        {"goldShare": 0.5, "goldSize": 31},  # more than the 30 labelled left after the splits
    ],
    ids=[
        "share-over-half",
        "share-negative",
        "share-without-size",
        "size-negative",
        "unknown-aggregation",
        "unknown-redundancy",
        "gold-larger-than-the-dataset",
    ],
)
async def test_bad_gold_and_aggregation_input_is_refused_and_changes_nothing(
    app: App, api: Api, image_dataset: Path, overrides: dict[str, Any]
) -> None:
    before = (await api.call(TASKS))["tasks"]
    code = await api.error(CREATE, {"input": task_input(image_dataset, **overrides)})
    assert code == "BAD_USER_INPUT"
    assert (await api.call(TASKS))["tasks"] == before
