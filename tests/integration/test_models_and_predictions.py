"""A task's products over the API, on SQLite and PostgreSQL: the latest model's predictions for
its pool (pages, filters, the crowd's labels beside them) and each round's stored model, whose
files only the admin downloads."""

from __future__ import annotations

import json
from typing import Any

from apptest import LABELS, Api

from activecrowds.bootstrap import App
from activecrowds.services.answers import submit_answers

PAGE = """query($t: ID!, $first: Int, $after: String, $label: String, $min: Float,
                 $max: Float, $state: CrowdState, $dis: Boolean! = false,
                 $order: PredictionOrder! = CONFIDENCE_DESC) {
  predictions(taskId: $t, first: $first, after: $after, label: $label, minConfidence: $min,
              maxConfidence: $max, state: $state, disagreements: $dis, order: $order) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { label confidence roundNumber crowdState crowdLabel disagrees
                          sample { id state resolvedLabel } } }
  }
}"""
MODELS = """query($t: ID!) { task(id: $t) { rounds { number model {
  id roundNumber size createdAt meta: downloadUrl(format: METADATA) onnx: downloadUrl } } } }"""
POOL = """query($t: ID!) { task(id: $t) { poolRemaining } }"""


def truth(sample: Any) -> str:
    """The squares dataset: file NNN.png is dark for even NNN, bright for odd."""
    return LABELS[int(str(sample.file).split("/")[-1][:3]) % 2]


async def everything(api: Api, task_id: int, **variables: Any) -> list[dict[str, Any]]:
    """Every prediction matching the variables, read 7 at a time."""
    nodes, after = [], None
    while True:
        page = await api.call(PAGE, {"t": str(task_id), "first": 7, "after": after, **variables})
        found = page["predictions"]
        assert found["pageInfo"]["hasPreviousPage"] is (after is not None)
        nodes += [e["node"] for e in found["edges"]]
        if not found["pageInfo"]["hasNextPage"]:
            assert len(nodes) == found["totalCount"]
            return nodes
        after = found["pageInfo"]["endCursor"]
        assert after == found["edges"][-1]["cursor"]


async def test_predictions_cover_the_pool_page_by_page_beside_the_crowds_labels(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task()
    unasked = (await api.call(POOL, {"t": str(task.id)}))["task"]["poolRemaining"]
    pool = unasked + len(task.samples)
    # Round 0 predicted every pool sample, each once, most certain first
    nodes = await everything(api, task.id)
    assert len(nodes) == pool and len({n["sample"]["id"] for n in nodes}) == pool
    confidences = [n["confidence"] for n in nodes]
    assert confidences == sorted(confidences, reverse=True)
    assert all(n["roundNumber"] == 0 and n["crowdState"] == "UNLABELLED" for n in nodes)
    assert all(n["label"] in LABELS and 0.5 <= n["confidence"] <= 1 for n in nodes)
    # When the crowd labels batch 0, both agreeing with the truth but for one planted error
    (a, _), (b, _) = await annotators(2)
    planted = task.samples[0]
    wrong = LABELS[1 - LABELS.index(truth(planted))]
    answers = [(s.id, wrong if s is planted else truth(s)) for s in task.samples]
    for who in (a, b):
        await submit_answers(app.ctx, who, task.id, task.batch.id, answers)
    await app.queue.join()
    # Then round 1's predictions replace round 0's, and the accepted samples show both labels
    nodes = await everything(api, task.id, state="ACCEPTED")
    assert {n["sample"]["id"] for n in nodes} == {str(s.id) for s in task.samples}
    assert all(n["roundNumber"] == 1 for n in nodes)
    crowd = {n["sample"]["id"]: n["crowdLabel"] for n in nodes}
    assert crowd == {str(sid): label for sid, label in answers}
    # and the model, trained on the planted label among the truth, still disagrees with it
    errors = await everything(api, task.id, dis=True)
    assert [n["sample"]["id"] for n in errors] == [str(planted.id)]
    assert errors[0]["label"] == truth(planted) and errors[0]["disagrees"] is True
    # Filters: unlabelled ones (never asked, or open in batch 1), a label, a confidence range
    unlabelled = await everything(api, task.id, state="UNLABELLED")
    assert len(unlabelled) == pool - len(task.samples)
    sure = await everything(api, task.id, label="bright", min=0.6, max=0.99, order="CONFIDENCE_ASC")
    assert all(n["label"] == "bright" and 0.6 <= n["confidence"] <= 0.99 for n in sure)
    assert [n["confidence"] for n in sure] == sorted(n["confidence"] for n in sure)


async def test_bad_prediction_queries_are_refused_with_their_code(
    api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task()
    [(_, token)] = await annotators(1)
    t = str(task.id)
    assert await api.error(PAGE, {"t": t}, token) == "FORBIDDEN"
    assert await api.error(PAGE, {"t": t}, None) == "UNAUTHENTICATED"
    assert await api.error(PAGE, {"t": "99999999"}) == "NOT_FOUND"
    for bad in (
        {"first": 0},
        {"first": 101},
        {"after": "not-a-cursor"},
        {"label": "grey"},
        {"min": 0.9, "max": 0.1},
        {"max": 2.0},
        {"state": "DISPUTED", "dis": True},
    ):
        assert await api.error(PAGE, {"t": t, **bad}) == "BAD_USER_INPUT", bad


async def test_each_round_stores_a_model_only_the_admin_downloads(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task()
    [(_, token)] = await annotators(1)
    rounds = (await api.call(MODELS, {"t": str(task.id)}))["task"]["rounds"]
    (first,) = rounds
    model = first["model"]
    assert model["roundNumber"] == 0 and model["size"] > 0 and model["createdAt"]
    assert model["meta"].endswith(f"/models/{model['id']}/metadata")
    assert model["onnx"].endswith(f"/models/{model['id']}/onnx")
    # An annotator sees the round, not its model
    theirs = (await api.call(MODELS, {"t": str(task.id)}, token))["task"]["rounds"]
    assert theirs[0]["model"] is None
    # The download: refused without the admin's token, the file's bytes with it
    path = f"/models/{model['id']}/metadata"
    admin = {"Authorization": "Bearer test-admin-token"}
    anonymous = await api.client.get(path)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "UNAUTHENTICATED")
    refused = await api.client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")
    got = await api.client.get(path, headers=admin)
    assert got.status_code == 200
    assert f"task-{task.id}-round-0-metadata.json" in got.headers["content-disposition"]
    assert app.ctx.models_dir is not None
    folder = next((app.ctx.models_dir / f"task-{task.id}").iterdir())
    assert got.content == (folder / "metadata.json").read_bytes()
    meta = json.loads(got.content)
    assert meta["labels"] == LABELS and meta["trained_on"]["count"] == 10
    assert len(got.content) == model["size"]  # the tiny test model has no weights to store
    # What it does not have is said, by name; a bad format or id is refused
    for fmt, status, code in (
        ("onnx", 404, "NOT_FOUND"),
        ("weights", 404, "NOT_FOUND"),
        ("pickle", 400, "BAD_USER_INPUT"),
    ):
        answer = await api.client.get(f"/models/{model['id']}/{fmt}", headers=admin)
        assert (answer.status_code, answer.json()["code"]) == (status, code), fmt
    assert (await api.client.get("/models/99999999/onnx", headers=admin)).status_code == 404
    assert (await api.client.get("/models/x/onnx", headers=admin)).status_code == 404
