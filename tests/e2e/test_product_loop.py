"""The loop's product on real processes (PostgreSQL, Redis, a server and a Dramatiq worker):
a dataset of real photos comes in over HTTP, the crowd labels, round 2's model goes out as ONNX
and predicts in onnxruntime what the API says, the labels go out as JSONL with every stored
answer exactly once, and photos sent to the running task join its pool."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from livetest import (
    CREATE,
    LABELS,
    SUBMIT,
    Api,
    Cluster,
    fashion_input,
    free_redis_db,
    live_env,
    pg_fetch,
    redis_flushed,
)

from activecrowds_ml.experiment.demo import FASHION_DIR, POSITIVE_CLASSES, read_idx

ROUNDS = """query($t: ID!) { task(id: $t) { status
  rounds { number model { id downloadUrl } }
  currentBatch { id number samples { id mediaUrl } } } }"""
PREDICTIONS = """query($t: ID!, $after: String) {
  predictions(taskId: $t, first: 100, after: $after, state: UNLABELLED) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { label confidence roundNumber sample { id mediaUrl } } } } }"""


def png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(out, format="PNG")
    return out.getvalue()


class Photos:
    """Real Fashion-MNIST photos as PNG bytes with their true labels, each drawn once."""

    def __init__(self) -> None:
        self.images = read_idx(FASHION_DIR / "train-images-idx3-ubyte.gz")
        self.classes = read_idx(FASHION_DIR / "train-labels-idx1-ubyte.gz")
        self.order = iter(np.random.default_rng(7).permutation(len(self.images)))
        self.truth: dict[str, str] = {}  # sha256 of the PNG -> its true label

    def take(self, n: int, label: str | None = None) -> list[tuple[str, bytes]]:
        """n photos (of `label` when given) as (file name, PNG bytes)."""
        taken: list[tuple[str, bytes]] = []
        for index in self.order:
            truth = LABELS[int(self.classes[index] in POSITIVE_CLASSES)]
            if label is not None and truth != label:
                continue
            content = png(self.images[index])
            self.truth[hashlib.sha256(content).hexdigest()] = truth
            taken.append((f"photo-{int(index):05d}.png", content))
            if len(taken) == n:
                return taken
        raise AssertionError("ran out of photos")


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, live_database: str) -> Iterator[Cluster]:
    data_dir = tmp_path_factory.mktemp("product")
    try:
        with Cluster.started(
            live_env(data_dir, live_database, redis_flushed(free_redis_db()))
        ) as running:
            yield running
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


async def upload(base: str, token: str, path: str, body: bytes) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/zip"}
    async with httpx.AsyncClient(timeout=120) as client:
        return await client.post(base + path, content=body, headers=headers)


async def fetch(url: str) -> bytes:
    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.get(url)
    response.raise_for_status()
    return response.content


async def answer_batch(api: Api, crowd: list[Api], task_id: str, photos: Photos) -> None:
    """Every annotator answers the current batch with each photo's true label."""
    task = (await api.call(ROUNDS, {"t": task_id}))["task"]
    batch = task["currentBatch"]
    answers = []
    for sample in batch["samples"]:
        content = await fetch(sample["mediaUrl"])
        truth = photos.truth[hashlib.sha256(content).hexdigest()]
        answers.append({"sampleId": sample["id"], "label": truth})
    request = {"t": task_id, "b": batch["id"], "a": answers}
    for annotator in crowd:
        await annotator.call(SUBMIT, request)


async def pool(api: Api, task_id: str) -> list[dict[str, Any]]:
    """Every unlabelled pool sample's latest prediction, page by page."""
    nodes, after = [], None
    while True:
        page = (await api.call(PREDICTIONS, {"t": task_id, "after": after}))["predictions"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def prepared(content: bytes, size: int) -> np.ndarray:
    """One image as the model's metadata says: RGB, bilinear to size x size, /255, CHW."""
    from PIL import Image

    with Image.open(io.BytesIO(content)) as img:
        rgb = img.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(rgb, dtype=np.float32).transpose(2, 0, 1) / 255.0


async def test_photos_in_model_and_labels_out(cluster: Cluster) -> None:
    import onnxruntime

    base, token = cluster.bases[0], cluster.admin_token
    admin = Api(base, token)
    photos = Photos()
    # Given a zip of class folders and an unlabelled/ folder of real photos, uploaded over HTTP
    entries = {
        f"{label}/{name}": content for label in LABELS for name, content in photos.take(25, label)
    }
    entries |= {f"unlabelled/{name}": content for name, content in photos.take(120)}
    sent = await upload(
        base, token, "/datasets?name=quake&labels=" + ",".join(LABELS), zipped(entries)
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["labelled"] == 50 and sent.json()["pool"] == 120
    # And a task on it (its labelled photos exactly the seed, eval and test sets: any more would
    # join the pool), answered by a crowd of two that always tells the truth
    scenario = {"initialTrainSize": 10, "evalSize": 20, "testSize": 20, "batchSize": 10}
    values = fashion_input("quake", minPeers=2, maxPeers=2, **scenario)
    task_id = (await admin.call(CREATE, {"input": values}))["createTask"]["id"]
    crowd = [Api(base, t) for t in await admin.register(2)]
    for number in (0, 1):
        await admin.wait_until(task_id, "COLLECTING", number, timeout=180)
        await answer_batch(admin, crowd, task_id, photos)
    await admin.wait_until(task_id, "COLLECTING", 2, timeout=180)

    # When the owner downloads round 2's model as ONNX
    rounds = (await admin.call(ROUNDS, {"t": task_id}))["task"]["rounds"]
    (round_2,) = [r for r in rounds if r["number"] == 2]
    bearer = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=300) as client:
        onnx = await client.get(round_2["model"]["downloadUrl"], headers=bearer)
        meta_url = round_2["model"]["downloadUrl"].replace("/onnx", "/metadata")
        meta = (await client.get(meta_url, headers=bearer)).json()
    assert onnx.status_code == 200, onnx.text
    # Then it predicts in onnxruntime what the API says of every pool photo
    predicted = await pool(admin, task_id)
    # (the pool is what two batches left, the open batch's photos included)
    assert len(predicted) == 120 - 20 and {p["roundNumber"] for p in predicted} == {2}
    session = onnxruntime.InferenceSession(onnx.content, providers=["CPUExecutionProvider"])
    size = int(meta["model"]["input"]["height"])
    images = np.stack([prepared(await fetch(p["sample"]["mediaUrl"]), size) for p in predicted])
    (probabilities,) = session.run(["probabilities"], {"image": images})
    assert [meta["labels"][i] for i in probabilities.argmax(axis=1)] == [
        p["label"] for p in predicted
    ]
    np.testing.assert_allclose(
        probabilities.max(axis=1), [p["confidence"] for p in predicted], atol=1e-4
    )

    # When 100 new photos from the field are sent to the running task
    new = photos.take(100)
    added = await upload(
        base, token, f"/tasks/{task_id}/samples", zipped({f"unlabelled/{n}": c for n, c in new})
    )
    assert added.status_code in (200, 201), added.text
    assert added.json()["pool"] == 100
    # Then the next round's pool holds them, scored by that round's model
    await answer_batch(admin, crowd, task_id, photos)
    await admin.wait_until(task_id, "COLLECTING", 3, timeout=180)
    after = await pool(admin, task_id)
    assert {p["roundNumber"] for p in after} == {3}
    assert len(after) == 120 - 30 + 100
    shown = {hashlib.sha256(await fetch(p["sample"]["mediaUrl"])).hexdigest() for p in after}
    assert {hashlib.sha256(content).hexdigest() for _, content in new} <= shown

    # When the owner exports the labels as JSONL
    async with httpx.AsyncClient(timeout=120) as client:
        exported = await client.get(f"{base}/export/{task_id}.jsonl", headers=bearer)
    assert exported.status_code == 200
    records = [json.loads(line) for line in exported.text.splitlines()]
    # Then every answer stored is in it exactly once, with who gave it and what
    stored = await pg_fetch(
        cluster.env["ACTIVECROWDS_DATABASE_URL"],
        "SELECT a.sample_id, a.annotator_id, a.label FROM answers a"
        " JOIN samples s ON s.id = a.sample_id WHERE s.task_id = $1",
        int(task_id),
    )
    given = sorted(
        (r["sample_id"], a["annotator_id"], a["label"]) for r in records for a in r["answers"]
    )
    assert given == sorted((s, a, label) for s, a, label in stored)
    assert len(stored) == 3 * 10 * 2
    assert len(records) == 50 + 120 + 100
