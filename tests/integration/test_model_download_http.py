"""A round's real model, downloaded as ONNX from a real `activecrowds serve` (embedded default,
the real default model), predicts in onnxruntime what the predictions query says, on the very
images the media URLs serve, prepared as the model's metadata says."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from test_http_server import SQUARES, Server, serve_squares, wait_for

QUERY = """query($t: ID!) {
  task(id: $t) { rounds { number model {
    id size onnx: downloadUrl meta: downloadUrl(format: METADATA) } } }
  predictions(taskId: $t, first: 100) {
    totalCount edges { node { label confidence sample { id mediaUrl } } } }
}"""
CREATE = """mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, image_dataset: Path) -> Iterator[Server]:
    yield from serve_squares(tmp_path_factory, image_dataset)


def graphql(server: Server, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    body = {"query": query, "variables": variables}
    answer = httpx.post(server.url + "/graphql", json=body, headers=headers, timeout=60).json()
    assert not answer.get("errors"), answer["errors"]
    data: dict[str, Any] = answer["data"]
    return data


def prepared(content: bytes, size: int) -> np.ndarray:
    """One image as the metadata's `input` says: RGB, bilinear to size x size, /255, CHW."""
    from PIL import Image

    with Image.open(io.BytesIO(content)) as img:
        rgb = img.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(rgb, dtype=np.float32).transpose(2, 0, 1) / 255.0


async def test_the_downloaded_onnx_model_predicts_what_the_api_says(server: Server) -> None:
    import onnxruntime

    values = dict(SQUARES)
    task_id = graphql(server, CREATE, {"input": values})["createTask"]["id"]
    await wait_for(server, task_id, 0)
    found = graphql(server, QUERY, {"t": task_id})
    (round_0,) = found["task"]["rounds"]
    model = round_0["model"]
    assert model is not None and model["size"] > 0
    bearer = {"Authorization": f"Bearer {server.admin_token}"}
    meta = httpx.get(model["meta"], headers=bearer, timeout=60).json()
    assert meta["labels"] == ["dark", "bright"] and meta["round"] == 0
    started = time.perf_counter()
    onnx = httpx.get(model["onnx"], headers=bearer, timeout=180)
    took = time.perf_counter() - started
    assert onnx.status_code == 200, onnx.text
    assert httpx.get(model["onnx"], timeout=60).status_code == 401  # never without the token
    session = onnxruntime.InferenceSession(onnx.content, providers=["CPUExecutionProvider"])
    nodes = [e["node"] for e in found["predictions"]["edges"]]
    assert len(nodes) == found["predictions"]["totalCount"] > 20
    size = meta["model"]["input"]["height"]
    images = np.stack(
        [prepared(httpx.get(n["sample"]["mediaUrl"], timeout=60).content, size) for n in nodes]
    )
    (proba,) = session.run(["probabilities"], {"image": images})
    labels = [meta["labels"][i] for i in proba.argmax(axis=1)]
    assert labels == [n["label"] for n in nodes]
    np.testing.assert_allclose(proba.max(axis=1), [n["confidence"] for n in nodes], atol=1e-4)
    print(f"ONNX export on first download: {took:.1f} s, {len(onnx.content) / 1e6:.1f} MB")
