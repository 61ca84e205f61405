"""Classifying an owner's new photos on a real `activecrowds serve` (embedded default, the real
default model) trained to round 1: POST /classify/{taskId} and the GraphQL `classify` mutation
(multipart uploads) give the labels and confidences the predictions query gives for the same
pool photos, add nothing to the task, name every bad file, and are the admin's alone; an
anonymous client is refused on its headers however large a body it announces."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from test_http_server import SQUARES, Server, _free_port, start, stop

from activecrowds_ml.storage import Record, write_dataset

MAX_MB = 4  # the server's classify limit here (the default is 64)
SETTINGS = {"ACTIVECROWDS_CLASSIFY_MAX_MB": str(MAX_MB), "ACTIVECROWDS_CLASSIFY_MAX_FILES": "32"}

CREATE = """mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }"""
TASK = """query($t: ID!) { task(id: $t) { status lastError currentBatch { id number
  samples { id } } rounds { number } } }"""
PREDICTIONS = """query($t: ID!) { predictions(taskId: $t, first: 100) {
  totalCount edges { node { label confidence roundNumber sample { id mediaUrl text } } } } }"""
INVITE = """mutation { createInvite { code } }"""
REGISTER = """mutation($i: String) { registerAnnotator(name: "Ada", invite: $i) { token } }"""
SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }"""
CLASSIFY = """mutation($t: ID!, $files: [Upload!]!, $texts: [String!], $round: Int) {
  classify(taskId: $t, files: $files, texts: $texts, round: $round) {
    model { id roundNumber } labels
    results { file label confidence probabilities { label probability } } } }"""
DELETE = """mutation($t: ID!) { deleteTask(id: $t) }"""


def texts_dataset(root: Path) -> Path:
    """40 labelled and 10 pool texts about the weather or food."""
    weather = ["rain all day in {}", "a storm is coming to {}", "sunny and warm in {}"]
    food = ["the soup in {} was great", "fresh bread from {}", "we ate pasta in {}"]
    towns = ["Lyon", "Oslo", "Pune", "Lima", "Kobe", "Bern", "Nice", "Graz", "Cork"]
    records = []
    for i in range(50):
        label = ("weather", "food")[i % 2]
        text = (weather, food)[i % 2][i % 3].format(towns[i % len(towns)]) + f" ({i})"
        records.append(Record(f"t{i}", text=text, label=label if i < 40 else None))
    return write_dataset(root, "notes", "text", ["weather", "food"], records[:40], records[40:])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, image_dataset: Path) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("classify")
    shutil.copytree(image_dataset, data_dir / "datasets" / "squares")
    texts_dataset(data_dir / "datasets" / "notes")
    running = start(data_dir, _free_port(), SETTINGS)
    try:
        yield running
    finally:
        stop(running)


def graphql(server: Server, query: str, variables: dict[str, Any], token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token or server.admin_token}"}
    body = {"query": query, "variables": variables}
    return httpx.post(server.url + "/graphql", json=body, headers=headers, timeout=120).json()


def data(server: Server, query: str, variables: dict[str, Any], token: str = "") -> Any:
    answer = graphql(server, query, variables, token)
    assert not answer.get("errors"), answer["errors"]
    return answer["data"]


def wait_for_batch(server: Server, task_id: str, number: int) -> dict[str, Any]:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        task = data(server, TASK, {"t": task_id})["task"]
        assert task["status"] != "FAILED", task["lastError"]
        batch = task["currentBatch"]
        if task["status"] == "COLLECTING" and batch and batch["number"] == number:
            return dict(task)
        time.sleep(0.5)
    raise AssertionError(f"batch {number} of task {task_id} never opened")


def trained_to_round_1(server: Server, values: dict[str, Any]) -> tuple[str, str]:
    """A task whose rounds 0 and 1 have run (an annotator answered batch 0); its id, and
    that annotator's token."""
    task_id = data(server, CREATE, {"input": values})["createTask"]["id"]
    batch = wait_for_batch(server, task_id, 0)["currentBatch"]
    code = data(server, INVITE, {})["createInvite"]["code"]
    token = httpx.post(
        server.url + "/graphql", json={"query": REGISTER, "variables": {"i": code}}, timeout=60
    ).json()["data"]["registerAnnotator"]["token"]
    label = values["labels"][1]
    answers = [{"sampleId": s["id"], "label": label} for s in batch["samples"]]
    data(server, SUBMIT, {"t": task_id, "b": batch["id"], "a": answers}, token)
    wait_for_batch(server, task_id, 1)
    return task_id, token


@pytest.fixture(scope="module")
def task(server: Server) -> tuple[str, str]:
    return trained_to_round_1(server, dict(SQUARES))


def classify(
    server: Server, task_id: str, files: list[tuple[str, bytes]], token: str | None = "", **q: Any
) -> httpx.Response:
    bearer = {} if token is None else {"Authorization": f"Bearer {token or server.admin_token}"}
    sent = [("files", (name, content, "image/png")) for name, content in files]
    url = f"{server.url}/classify/{task_id}"
    return httpx.post(url, files=sent, params=q, headers=bearer, timeout=120)


def pool_photos(server: Server, task_id: str, n: int) -> tuple[list[dict[str, Any]], list[bytes]]:
    nodes = [e["node"] for e in data(server, PREDICTIONS, {"t": task_id})["predictions"]["edges"]]
    nodes = nodes[:n]
    return nodes, [httpx.get(n["sample"]["mediaUrl"], timeout=60).content for n in nodes]


def png(size: int, seed: int) -> bytes:
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def test_twenty_pool_photos_get_the_labels_the_predictions_query_gives(
    server: Server, task: tuple[str, str]
) -> None:
    # Given round 1's predictions for 20 pool photos, and the photos as the media URLs serve
    task_id, _ = task
    nodes, photos = pool_photos(server, task_id, 20)
    assert len(nodes) == 20 and {n["roundNumber"] for n in nodes} == {1}
    before = data(server, PREDICTIONS, {"t": task_id})["predictions"]["totalCount"]
    # When the owner sends them to be classified
    files = [(f"photo-{n['sample']['id']}.png", p) for n, p in zip(nodes, photos, strict=True)]
    started = time.perf_counter()
    answer = classify(server, task_id, files)
    took = time.perf_counter() - started
    # Then each gets the label and confidence the predictions query gives, in the order sent
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["model"]["round"] == 1 and found["labels"] == ["dark", "bright"]
    results = found["results"]
    assert [r["file"] for r in results] == [name for name, _ in files]
    assert [r["label"] for r in results] == [n["label"] for n in nodes]
    np.testing.assert_allclose(
        [r["confidence"] for r in results], [n["confidence"] for n in nodes], atol=1e-4
    )
    for r in results:
        assert set(r["probabilities"]) == {"dark", "bright"}
        assert abs(sum(r["probabilities"].values()) - 1) < 1e-6
        assert r["confidence"] == r["probabilities"][r["label"]]
    # and nothing joined the task
    assert data(server, PREDICTIONS, {"t": task_id})["predictions"]["totalCount"] == before
    print(f"classify 20 photos (model loaded on first use): {took * 1000:.0f} ms")


def multipart_graphql(
    variables: dict[str, Any], files: list[tuple[str, bytes]]
) -> tuple[dict[str, str], list[tuple[str, tuple[str, bytes, str]]]]:
    """The GraphQL multipart request spec: operations, map, then the files."""
    operations = {"query": CLASSIFY, "variables": {**variables, "files": [None] * len(files)}}
    mapping = {str(i): [f"variables.files.{i}"] for i in range(len(files))}
    form = {"operations": json.dumps(operations), "map": json.dumps(mapping)}
    parts = [(str(i), (name, content, "image/png")) for i, (name, content) in enumerate(files)]
    return form, parts


def test_the_graphql_mutation_takes_uploads_past_the_body_limit_from_the_admin_only(
    server: Server, task: tuple[str, str]
) -> None:
    task_id, annotator = task
    nodes, photos = pool_photos(server, task_id, 3)
    large = png(900, 1)  # ~2.4 MB: past /graphql's 1 MiB body limit, within classify's 4 MB
    assert len(large) > 1 << 21
    files = [("a.png", photos[0]), ("b.png", photos[1]), ("large.png", large), ("c", photos[2])]
    form, parts = multipart_graphql({"t": task_id}, files)
    admin = {"Authorization": f"Bearer {server.admin_token}"}
    url = server.url + "/graphql"
    answer = httpx.post(url, data=form, files=parts, headers=admin, timeout=120).json()
    assert not answer.get("errors"), answer["errors"]
    done = answer["data"]["classify"]
    assert done["model"]["roundNumber"] == 1 and done["labels"] == ["dark", "bright"]
    assert [r["file"] for r in done["results"]] == ["a.png", "b.png", "large.png", "c"]
    mine = [done["results"][i] for i in (0, 1, 3)]
    assert [r["label"] for r in mine] == [n["label"] for n in nodes]
    np.testing.assert_allclose(
        [r["confidence"] for r in mine], [n["confidence"] for n in nodes], atol=1e-4
    )
    # A bad file: BAD_USER_INPUT naming it in extensions.bad
    form, parts = multipart_graphql({"t": task_id}, [("a.png", photos[0]), ("x.png", b"no")])
    refused = httpx.post(url, data=form, files=parts, headers=admin, timeout=60).json()
    (error,) = refused["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert [b["file"] for b in error["extensions"]["bad"]] == ["x.png"]
    # More files than a request may hold: refused, none copied
    form, parts = multipart_graphql({"t": task_id}, [(f"{i}.png", photos[0]) for i in range(33)])
    refused = httpx.post(url, data=form, files=parts, headers=admin, timeout=60).json()
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "at most 32 inputs" in refused["errors"][0]["message"]
    # Multipart from an annotator or nobody: refused before the body is read
    for headers, status, code in (
        ({"Authorization": f"Bearer {annotator}"}, 403, "FORBIDDEN"),
        ({}, 401, "UNAUTHENTICATED"),
    ):
        form, parts = multipart_graphql({"t": task_id}, [("a.png", photos[0])])
        answer = httpx.post(url, data=form, files=parts, headers=headers, timeout=60)
        assert answer.status_code == status
        assert answer.json()["errors"][0]["extensions"]["code"] == code
    # An annotator's plain JSON classify is refused too
    refused = graphql(server, CLASSIFY, {"t": task_id, "files": []}, annotator)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Past the classify limit, even the admin's upload stops at it (413)
    form, parts = multipart_graphql({"t": task_id}, [("a.png", large), ("b.png", large)])
    answer = httpx.post(url, data=form, files=parts, headers=admin, timeout=60)
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_chosen_round_answers_and_an_unknown_one_is_not_found(
    server: Server, task: tuple[str, str]
) -> None:
    task_id, _ = task
    _, photos = pool_photos(server, task_id, 2)
    files = [("a.png", photos[0]), ("b.png", photos[1])]
    first = classify(server, task_id, files, round=0)
    assert first.status_code == 200, first.text
    assert first.json()["model"]["round"] == 0
    latest = classify(server, task_id, files).json()
    assert latest["model"]["round"] == 1 and latest["model"]["id"] != first.json()["model"]["id"]
    unknown = classify(server, task_id, files, round=7)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "NOT_FOUND")
    assert "stored: 0, 1" in unknown.json()["error"]
    bad = classify(server, task_id, files, round="last")
    assert (bad.status_code, bad.json()["code"]) == (400, "BAD_USER_INPUT")
    assert classify(server, "99999999", files).status_code == 404
    assert classify(server, "x", files).status_code == 404


def test_every_bad_file_among_good_ones_is_named_and_nothing_is_classified(
    server: Server, task: tuple[str, str]
) -> None:
    task_id, _ = task
    _, photos = pool_photos(server, task_id, 2)
    whole = photos[1]
    files = [
        ("good.png", photos[0]),
        ("notes.txt", b"the north wall fell"),
        ("empty.png", b""),
        ("cut.png", whole[: len(whole) // 2]),
    ]
    answer = classify(server, task_id, files)
    assert answer.status_code == 400
    found = answer.json()
    assert found["code"] == "BAD_USER_INPUT" and "notes.txt" in found["error"]
    assert [b["file"] for b in found["bad"]] == ["notes.txt", "empty.png"]
    assert found["bad"][1]["reason"] == "an empty file"
    # once those are fixed, the truncated one is named by itself
    answer = classify(server, task_id, [files[0], files[3]])
    assert [b["file"] for b in answer.json()["bad"]] == ["cut.png"]
    # texts to an image model; nothing at all; neither multipart nor JSON
    admin = {"Authorization": f"Bearer {server.admin_token}"}
    url = f"{server.url}/classify/{task_id}"
    answer = httpx.post(url, data={"texts": "a wall"}, files=[("x", ("x", b"", ""))], headers=admin)
    assert [b["file"] for b in answer.json()["bad"]] == ["texts[0]"]
    answer = httpx.post(url, json={"texts": []}, headers=admin)
    assert answer.status_code == 400 and "nothing to classify" in answer.json()["error"]
    answer = httpx.post(url, content=b"raw", headers=admin)
    assert answer.status_code == 400 and "multipart" in answer.json()["error"]


def test_too_many_or_too_large_uploads_are_refused(server: Server, task: tuple[str, str]) -> None:
    task_id, _ = task
    _, photos = pool_photos(server, task_id, 1)
    answer = classify(server, task_id, [(f"{i}.png", photos[0]) for i in range(33)])
    assert answer.status_code == 400 and "Too many files" in answer.json()["error"]
    answer = classify(server, task_id, [("a.png", png(900, 2)), ("b.png", png(900, 3))])
    assert (answer.status_code, answer.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")
    # and the server still answers
    assert classify(server, task_id, [("a.png", photos[0])]).status_code == 200


async def test_an_anonymous_or_annotator_caller_costs_the_headers_only(
    server: Server, task: tuple[str, str]
) -> None:
    task_id, annotator = task
    host, port = server.url.removeprefix("http://").split(":")
    for path in (f"/classify/{task_id}", "/graphql"):
        for auth, status in (("", b"401"), (f"Authorization: Bearer {annotator}\r\n", b"403")):
            # Given a client that announces a 2 GB multipart body and sends a few bytes of it
            reader, writer = await asyncio.open_connection(host, int(port))
            head = (
                f"POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: {2 << 30}\r\n"
                "Content-Type: multipart/form-data; boundary=b\r\n\r\n--b\r\n"
            )
            writer.write(head.encode())
            # Then it is refused at once and the connection closed, the rest never awaited
            answer = await asyncio.wait_for(reader.read(), 10)
            assert answer.startswith(b"HTTP/1.1 " + status), (path, answer[:200])
            writer.close()
    refused = classify(server, task_id, [("a.png", b"x")], token=None)
    assert (refused.status_code, refused.json()["code"]) == (401, "UNAUTHENTICATED")
    refused = classify(server, task_id, [("a.png", b"x")], token=annotator)
    assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")


def test_a_text_task_classifies_texts_sent_as_json(server: Server) -> None:
    values = {**SQUARES, "title": "Notes", "category": "TEXT", "dataset": "notes"}
    values["labels"] = ["weather", "food"]
    task_id, _ = trained_to_round_1(server, values)
    nodes = [e["node"] for e in data(server, PREDICTIONS, {"t": task_id})["predictions"]["edges"]]
    texts = [n["sample"]["text"] for n in nodes]
    admin = {"Authorization": f"Bearer {server.admin_token}"}
    url = f"{server.url}/classify/{task_id}"
    answer = httpx.post(url, json={"texts": texts}, headers=admin, timeout=120)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["file"] for r in results] == [f"texts[{i}]" for i in range(len(texts))]
    assert [r["label"] for r in results] == [n["label"] for n in nodes]
    np.testing.assert_allclose(
        [r["confidence"] for r in results], [n["confidence"] for n in nodes], atol=1e-4
    )
    # a photo sent to a text task is named
    answer = httpx.post(url, files=[("files", ("p.png", png(8, 1)))], headers=admin, timeout=60)
    assert [b["file"] for b in answer.json()["bad"]] == ["p.png"]
    # once the task is deleted its model answers no more
    assert data(server, DELETE, {"t": task_id})["deleteTask"] is True
    gone = httpx.post(url, json={"texts": texts[:1]}, headers=admin, timeout=60)
    assert (gone.status_code, gone.json()["code"]) == (404, "NOT_FOUND")
