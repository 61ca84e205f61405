"""A dataset's membership for one task: which records are seed, eval, test and pool."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from activecrowds.domain.errors import DatasetError, ValidationError
from activecrowds.domain.model import SampleKind
from activecrowds.domain.rules import MAX_KEY_LENGTH, nul_problem
from activecrowds_ml.scenario import Category, Scenario

if TYPE_CHECKING:
    from activecrowds_ml.storage import Dataset

KIND_OF_CATEGORY = {Category.IMAGE: "image", Category.TEXT: "text"}


@dataclass(frozen=True)
class Snapshot:
    """Sample rows to store (file paths relative to `root`); pool rows carry no label."""

    root: Path
    rows: list[dict[str, Any]]


def resolve_dataset(datasets_dir: Path, dataset: str) -> Path:
    """A bare name is a folder under the data dir's datasets/; anything else is a path.

    Raises:
        ValidationError: empty. DatasetError: a `~user` path of a user this server lacks.
    """
    name = dataset.strip()
    if not name:
        raise ValidationError("dataset must name a dataset or give its path", "dataset")
    if "/" not in name and "\\" not in name and name not in (".", ".."):
        return datasets_dir / name
    try:
        return Path(name).expanduser()
    except RuntimeError:  # "~nobody/...": no such user, so no such home
        raise _no_dataset(dataset) from None


def _no_dataset(dataset: str) -> DatasetError:
    # Names only what the caller gave, and reads the same whatever is at that path (nothing, a
    # file, an unreadable folder, a folder without a dataset): the server's files are not the
    # caller's business, and a resolved path would show where symlinks lead.
    return DatasetError(
        f"no dataset {dataset.strip()!r} on this server: give the name of a folder in the "
        "data dir's datasets/, or a dataset folder's path"
    )


def _open(datasets_dir: Path, dataset: str) -> Dataset:
    """The dataset a createTask names.

    Raises:
        DatasetError: no readable dataset there (see `_no_dataset`), or a malformed one.
    """
    from activecrowds_ml.storage import META_FILE, Dataset

    path = resolve_dataset(datasets_dir, dataset)
    try:
        if (path / META_FILE).is_file():
            return Dataset.load(path)
    except (OSError, UnicodeDecodeError):  # there, but unreadable as a dataset
        pass
    raise _no_dataset(dataset)


def take_snapshot(datasets_dir: Path, name: str, scenario: Scenario, labels: list[str]) -> Snapshot:
    """Load the dataset `name` and split it by the scenario (blocking file I/O: run in a thread).

    Raises:
        DatasetError: none there, malformed, too small, or a record holding a NUL character or
            an id longer than a sample key holds.
        ValidationError: labels or kind differ.
    """
    dataset = _open(datasets_dir, name)
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
    asked = [
        *(_row(dataset.root, r, SampleKind.POOL) for r in pool),
        *(_row(dataset.root, r, SampleKind.GOLD) for r in split.gold),
    ]
    if split.gold:
        # Ids follow insertion order and annotators see ids: control questions are spread
        # among the pool's, so neither their ids nor their place in a batch gives them away.
        order = np.random.default_rng(scenario.seed).permutation(len(asked))
        asked = [asked[i] for i in order]
    rows = [
        *(_row(dataset.root, r, SampleKind.SEED) for r in split.seed),
        *(_row(dataset.root, r, SampleKind.EVAL) for r in split.eval),
        *(_row(dataset.root, r, SampleKind.TEST) for r in split.test),
        *asked,
    ]
    return Snapshot(dataset.root, rows)


def _row(root: Path, record: Any, kind: SampleKind) -> dict[str, Any]:
    file = Path(record.file).relative_to(root).as_posix() if record.file else None
    if problem := nul_problem({"id": record.id, "file": file, "text": record.text}):
        raise DatasetError(f"record {record.id!r}: {problem[1]}")
    if len(record.id) > MAX_KEY_LENGTH:
        raise DatasetError(
            f"record {record.id[:40]!r}...: ids are at most {MAX_KEY_LENGTH} characters;"
            f" this one has {len(record.id)}"
        )
    # The label of a pool record (its hidden truth in simulations) is never stored.
    label = record.label if kind is not SampleKind.POOL else None
    return {"key": record.id, "kind": kind, "file": file, "text": record.text, "label": label}
