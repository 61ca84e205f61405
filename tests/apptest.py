"""Test helpers shared by the integration tests: a tiny image dataset, a tiny model, an API client.

Integration tests run twice, on SQLite and on a real PostgreSQL database created for this run
(`ac_test_<random>`, dropped at the end). Rounds use a small brightness model so that round 0
takes milliseconds; one HTTP test drives the real default model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from activecrowds.adapters.bus import InMemoryEventBus
from activecrowds.bootstrap import App
from activecrowds.domain.events import Event
from activecrowds.domain.model import ADMIN, Batch, Sample, Task
from activecrowds.services import queries
from activecrowds_ml.models.base import Model
from activecrowds_ml.storage import Record, write_dataset

ADMIN_TOKEN = "test-admin-token"


class RecordingBus(InMemoryEventBus):
    """The in-memory bus, keeping every event published so a test can look back at them."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[Event] = []

    async def publish(self, events: Sequence[Event]) -> None:
        self.published.extend(events)
        await super().publish(events)


LABELS = ["dark", "bright"]


def write_image_dataset(root: Path, labelled: int = 60, pool: int = 40) -> Path:
    """PNG squares, dark or bright with noise: easy to learn, quick to load."""
    from PIL import Image

    rng = np.random.default_rng(0)
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    records = []
    for i in range(labelled + pool):
        label = LABELS[i % 2]
        base = 60 if label == "dark" else 190
        pixels = np.clip(rng.normal(base, 40, (16, 16, 3)), 0, 255).astype("uint8")
        path = files / f"{i:03d}.png"
        Image.fromarray(pixels).save(path)
        is_labelled = i < labelled
        records.append(
            Record(
                f"img{i:03d}",
                file=str(path),
                label=label if is_labelled else None,
                truth=None if is_labelled else label,
            )
        )
    write_dataset(root, "squares", "image", LABELS, records[:labelled], records[labelled:])
    return root


@cache
def _brightness(path: str) -> float:
    from PIL import Image

    with Image.open(path) as img:
        return float(np.asarray(img.convert("L"), dtype=np.float32).mean() / 255.0)


class BrightnessModel(Model):
    """A real (if tiny) classifier: per-label mean brightness, softmax over distances."""

    centres: np.ndarray | None = None

    def train(self, records: Sequence[Record], labels: Sequence[str]) -> None:
        self.check_labels(records, labels)
        x = np.array([_brightness(str(r.file)) for r in records])
        y = np.array(labels)
        self.centres = np.array(
            [x[y == lab].mean() if (y == lab).any() else 0.5 for lab in self.labels]
        )

    def predict_proba(self, records: Sequence[Record]) -> np.ndarray:
        assert self.centres is not None
        x = np.array([_brightness(str(r.file)) for r in records])[:, None]
        logits = -((x - self.centres[None, :]) ** 2) * 50
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def embed(self, records: Sequence[Record]) -> np.ndarray | None:
        return np.array([[_brightness(str(r.file))] for r in records])


def tiny_model(scenario: Any, labels: Sequence[str], **_: Any) -> Model:
    """build_model stand-in for fast rounds (same contract as activecrowds_ml's)."""
    return BrightnessModel(labels=tuple(labels), seed=scenario.seed)


@dataclass
class OpenTask:
    """A task whose round 0 ran: its open batch and that batch's samples."""

    task: Task
    batch: Batch
    samples: list[Sample]

    @property
    def id(self) -> int:
        return self.task.id


SCENARIO = {
    "initial_train_size": 10,
    "eval_size": 10,
    "test_size": 10,
    "batch_size": 4,
    "min_peers": 2,
    "min_agreement": 1.0,
    "max_peers": 3,
    "query_strategy": "margin",
}


async def current(app: App, task_id: int) -> OpenTask:
    """The task as stored now, with its newest batch and samples."""
    task = await queries.get_task(app.ctx, ADMIN, task_id)
    assert task is not None
    batch = (await queries.latest_batches(app.ctx, [task_id]))[task_id]
    samples = (await queries.batch_samples(app.ctx, [batch.id]))[batch.id]
    return OpenTask(task, batch, samples)


class Api:
    """POSTs GraphQL to the app in-process (ASGI); `call` returns data, `error` the first error."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = ADMIN_TOKEN
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {"query": query, "variables": variables or {}}
        response = await self.client.post("/graphql", json=body, headers=headers)
        result: dict[str, Any] = response.json()
        return result

    async def call(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = ADMIN_TOKEN
    ) -> dict[str, Any]:
        result = await self.post(query, variables, token)
        assert not result.get("errors"), result["errors"]
        data: dict[str, Any] = result["data"]
        return data

    async def error(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = ADMIN_TOKEN
    ) -> str:
        """The `extensions.code` of the (expected) error."""
        result = await self.post(query, variables, token)
        assert result.get("errors"), f"expected an error, got {result}"
        return str(result["errors"][0]["extensions"]["code"])
