"""A dataset's membership for one task: which records are seed, eval, test and pool."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activecrowds.domain.errors import DatasetError, ValidationError
from activecrowds.domain.model import SampleKind
from activecrowds_ml.scenario import Category, Scenario

KIND_OF_CATEGORY = {Category.IMAGE: "image", Category.TEXT: "text"}


@dataclass(frozen=True)
class Snapshot:
    """Sample rows to store (file paths relative to `root`); pool rows carry no label."""

    root: Path
    rows: list[dict[str, Any]]


def resolve_dataset(datasets_dir: Path, dataset: str) -> Path:
    """A bare name is a folder under the data dir's datasets/; anything else is a path."""
    dataset = dataset.strip()
    if not dataset:
        raise ValidationError("dataset must name a dataset or give its path", "dataset")
    if "/" not in dataset and "\\" not in dataset and dataset not in (".", ".."):
        return datasets_dir / dataset
    return Path(dataset).expanduser()


def take_snapshot(path: Path, scenario: Scenario, labels: list[str]) -> Snapshot:
    """Load the dataset and split it by the scenario (blocking file I/O: run in a thread).

    Raises:
        DatasetError: missing, malformed or too small. ValidationError: labels or kind differ.
    """
    from activecrowds_ml.storage import Dataset

    dataset = Dataset.load(path)
    if set(labels) != set(dataset.labels):
        raise ValidationError(
            f"labels must be the dataset's labels {list(dataset.labels)}; got {labels}", "labels"
        )
    if KIND_OF_CATEGORY.get(scenario.category) != dataset.kind:
        raise ValidationError(
            f"a {scenario.category.value} task needs an {KIND_OF_CATEGORY.get(scenario.category)} "
            f"dataset; {dataset.name} is {dataset.kind}",
            "category",
        )
    split = dataset.split(scenario)
    pool = dataset.pool + split.rest
    if not pool:
        raise DatasetError(f"{dataset.name} has nothing left for the crowd to label")
    rows = [
        *(_row(dataset.root, r, SampleKind.SEED) for r in split.seed),
        *(_row(dataset.root, r, SampleKind.EVAL) for r in split.eval),
        *(_row(dataset.root, r, SampleKind.TEST) for r in split.test),
        *(_row(dataset.root, r, SampleKind.POOL) for r in pool),
    ]
    return Snapshot(dataset.root, rows)


def _row(root: Path, record: Any, kind: SampleKind) -> dict[str, Any]:
    file = Path(record.file).relative_to(root).as_posix() if record.file else None
    # The label of a pool record (its hidden truth in simulations) is never stored.
    label = record.label if kind is not SampleKind.POOL else None
    return {"key": record.id, "kind": kind, "file": file, "text": record.text, "label": label}
