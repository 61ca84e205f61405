"""Over GraphQL, on SQLite and PostgreSQL: the owner sends a disputed sample back to the crowd
(reviewSample REASK). It joins the open batch with no votes, only annotators who never answered
it are handed it, and the old answers stay in the export, no longer counted.

The tasks' rule (apptest.SCENARIO): 4 pool samples per batch, accepted with 2 answers that
all agree, disputed at 3.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from apptest import ADMIN_TOKEN, Api, current
from test_review_api import REVIEW, answer, review

from activecrowds.bootstrap import App
from activecrowds.domain.errors import ValidationError
from activecrowds.services import queries
from activecrowds.services.answers import submit_answers


async def test_a_disputed_sample_sent_back_is_decided_again_by_fresh_eyes(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task("reask")
    _, s1, _, _ = task.samples
    (a, ta), (b, tb), (c, tc), (d, _), (e, _) = await annotators(5)
    # Given the crowd disputes s1 (2 dark, 1 bright) and batch 0 resolves; batch 1 opens
    await answer(api, ta, task, ["dark", "dark", "bright", "dark"])
    await answer(api, tb, task, ["dark", "bright", "bright", "dark"])
    await answer(api, tc, task, ["dark", "dark", "bright", "dark"])
    await app.queue.join()
    batch_1 = await current(app, task.id)
    assert batch_1.batch.number == 1
    # A label is refused with REASK, as with DISCARD
    assert await api.error(REVIEW, review(s1.id, "REASK", "dark")) == "BAD_USER_INPUT"
    # When the owner sends s1 back to the crowd
    sent = (await api.call(REVIEW, review(s1.id, "REASK")))["reviewSample"]
    # Then it is open again with no votes, in the open batch
    assert sent == {
        "id": str(s1.id),
        "state": "OPEN",
        "resolvedLabel": None,
        "answerCount": 0,
        "votes": [],
    }
    now = await current(app, task.id)
    assert now.batch.id == batch_1.batch.id
    assert s1.id in {s.id for s in now.samples}
    # and an annotator who answered it before is not handed it; a fresh one is
    assert s1.id not in {s.id for s in await queries.hand_out(app.ctx, a, now.batch.id)}
    assert s1.id in {s.id for s in await queries.hand_out(app.ctx, d, now.batch.id)}
    # and an earlier answerer's answer to it is refused, naming it, storing nothing
    with pytest.raises(ValidationError, match=f"sample {s1.id}"):
        await submit_answers(app.ctx, a, task.id, now.batch.id, [(s1.id, "bright")])
    # When two fresh annotators agree on it, it is decided again
    for who in (d, e):
        await submit_answers(app.ctx, who, task.id, now.batch.id, [(s1.id, "bright")])
    got = await api.client.get(
        f"/export/{task.id}.jsonl", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    rows = {r["sample_id"]: r for r in map(json.loads, got.text.splitlines())}
    row = rows[s1.id]
    assert (row["state"], row["label"]) == ("ACCEPTED", "bright")
    # and the old answers are still exported, not counted; the fresh ones counted
    given = {(x["annotator_id"], x["label"], x["counted"]) for x in row["answers"]}
    assert given == {
        (a.id, "dark", False),
        (b.id, "bright", False),
        (c.id, "dark", False),
        (d.id, "bright", True),
        (e.id, "bright", True),
    }


async def test_a_sample_sent_back_as_its_batch_resolves_is_in_the_next_batch(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task("reask-wait")
    _, s1, _, _ = task.samples
    tokens = [token for _, token in await annotators(3)]
    # Given s1 is disputed and batch 0 resolves (its round may or may not have run yet: the
    # sample waits for batch 1, or joins it; the unit tests pin the waiting case)
    await answer(api, tokens[0], task, ["dark", "dark", "bright", "dark"])
    await answer(api, tokens[1], task, ["dark", "bright", "bright", "dark"])
    await app.queue.join()
    await answer(api, tokens[2], task, ["dark", "dark", "bright", "dark"])
    sent = (await api.call(REVIEW, review(s1.id, "REASK")))["reviewSample"]
    assert (sent["state"], sent["answerCount"]) == ("OPEN", 0)
    # When the round opens batch 1, then s1 is in it besides what the strategy picked
    await app.queue.join()
    batch_1 = await current(app, task.id)
    assert batch_1.batch.number == 1
    assert s1.id in {s.id for s in batch_1.samples}
    assert len(batch_1.samples) > 1
