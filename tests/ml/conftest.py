"""Shared fixtures for ML tests: tiny real image data sets written as PNG files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from activecrowds_ml.experiment.demo import read_idx
from activecrowds_ml.storage import Record

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


def fashion_records(
    folder: Path, classes: dict[int, str], per_class: int, seed: int = 0, split: str = "t10k"
) -> list[Record]:
    """Write `per_class` real Fashion-MNIST images of each class as PNG; Records with truth."""
    from PIL import Image

    images = read_idx(FASHION_DIR / f"{split}-images-idx3-ubyte.gz")
    targets = read_idx(FASHION_DIR / f"{split}-labels-idx1-ubyte.gz")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    for cls, name in classes.items():
        for i in rng.choice(np.flatnonzero(targets == cls), per_class, replace=False):
            path = folder / f"{name}-{i}.png"
            Image.fromarray(images[i], mode="L").save(path)
            records.append(Record(id=f"{split}-{i}", file=str(path), truth=name))
    order = rng.permutation(len(records))
    return [records[i] for i in order]


@pytest.fixture(scope="session")
def tiny_images(tmp_path_factory: pytest.TempPathFactory) -> list[Record]:
    """80 real grayscale Fashion-MNIST images: 40 trousers, 40 bags (shuffled)."""
    folder = tmp_path_factory.mktemp("fashion")
    return fashion_records(folder, {1: "trouser", 8: "bag"}, per_class=40)


@pytest.fixture(scope="session")
def feature_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One feature cache shared by the ML tests (features are computed once per session)."""
    return tmp_path_factory.mktemp("feature-cache")
