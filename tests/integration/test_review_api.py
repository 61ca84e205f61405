"""Over GraphQL, on SQLite and PostgreSQL: the owner decides a disputed sample, corrects an
accepted one or discards it, and the next round trains on the owner's labels.

The tasks' rule (apptest.SCENARIO): 4 pool samples per batch, accepted with 2 answers that
all agree, disputed at 3.
"""

from __future__ import annotations

from typing import Any

from apptest import Api, OpenTask, current

from activecrowds.bootstrap import App

SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }"""
REVIEW = """mutation($s: ID!, $action: SampleReview!, $label: String) {
  reviewSample(sampleId: $s, action: $action, label: $label) {
    id state resolvedLabel answerCount votes { label count } } }"""
ROUNDS = "query($id: ID!) { task(id: $id) { rounds { number trainSize } } }"
COUNTS = "query($id: ID!) { task(id: $id) { labelledCount labelsSpent poolRemaining } }"


async def answer(api: Api, token: str, task: OpenTask, labels: list[str]) -> None:
    pairs = [
        {"sampleId": str(s.id), "label": label}
        for s, label in zip(task.samples, labels, strict=True)
    ]
    variables = {"t": str(task.id), "b": str(task.batch.id), "a": pairs}
    await api.call(SUBMIT, variables, token)


def review(sample_id: int, action: str, label: str | None = None) -> dict[str, Any]:
    return {"s": str(sample_id), "action": action, "label": label}


async def train_sizes(api: Api, task: OpenTask) -> dict[int, int]:
    rounds = (await api.call(ROUNDS, {"id": str(task.id)}))["task"]["rounds"]
    return {r["number"]: r["trainSize"] for r in rounds}


async def test_the_owners_decisions_train_the_next_round(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task("review")
    _, s1, s2, s3 = task.samples
    (_, a), (_, b), (_, c) = await annotators(3)
    # Given the crowd accepts s0, s2, s3 and disputes s1 (batch 0 resolves, round 1 runs)
    await answer(api, a, task, ["dark", "dark", "bright", "dark"])
    await answer(api, b, task, ["dark", "bright", "bright", "dark"])
    # An annotator may not review; what the crowd has not decided is not reviewed
    assert await api.error(REVIEW, review(s1.id, "DECIDE", "dark"), a) == "FORBIDDEN"
    refused = await api.post(REVIEW, review(s1.id, "DECIDE", "dark"))
    assert refused["errors"][0]["extensions"] == {"code": "CONFLICT", "reason": "NOT_DECIDED"}
    await answer(api, c, task, ["dark", "dark", "bright", "dark"])
    await app.queue.join()
    assert (await current(app, task.id)).batch.number == 1
    before = await train_sizes(api, task)
    # The disputed sample cost a label (a budget counts it, as it does batch 1's, asked now)
    # but trains nothing
    counts = (await api.call(COUNTS, {"id": str(task.id)}))["task"]
    assert (counts["labelledCount"], counts["labelsSpent"]) == (10 + 3, 10 + 4 + 4)
    # When the owner decides s1, corrects s2 and discards s3
    decided = (await api.call(REVIEW, review(s1.id, "DECIDE", "bright")))["reviewSample"]
    assert decided == {
        "id": str(s1.id),
        "state": "ACCEPTED",
        "resolvedLabel": "bright",
        "answerCount": 3,
        "votes": [{"label": "bright", "count": 1}, {"label": "dark", "count": 2}],
    }
    corrected = (await api.call(REVIEW, review(s2.id, "DECIDE", "dark")))["reviewSample"]
    assert (corrected["state"], corrected["resolvedLabel"]) == ("ACCEPTED", "dark")
    discarded = (await api.call(REVIEW, review(s3.id, "DISCARD")))["reviewSample"]
    assert (discarded["state"], discarded["resolvedLabel"]) == ("DISCARDED", None)
    counts = (await api.call(COUNTS, {"id": str(task.id)}))["task"]
    assert (counts["labelledCount"], counts["labelsSpent"]) == (10 + 3, 10 + 4 + 4)
    # Bad input is refused and changes nothing
    for bad in (
        review(s1.id, "DECIDE", "grey"),
        review(s1.id, "DECIDE"),
        review(s3.id, "DISCARD", "dark"),
    ):
        assert await api.error(REVIEW, bad) == "BAD_USER_INPUT"
    assert await api.error(REVIEW, review(10**6, "DECIDE", "dark")) == "NOT_FOUND"
    # Then round 2 trains on one more label than round 1 (s1 in, s3 out), s2 as the owner said
    open_now = await current(app, task.id)
    for token in (a, b):
        await answer(api, token, open_now, ["dark"] * len(open_now.samples))
    await app.queue.join()
    after = await train_sizes(api, task)
    assert after[2] == before[1] + len(open_now.samples) + 1 - 1
