"""The reference task: Fashion-MNIST "long-sleeved top" (pullover, coat, shirt) vs the rest.

It mirrors the paper's protocol (5,270 images, about a third positive, 1,000 held out for
evaluation and test, 30 initial labels, the rest as the crowd's pool) with data that ships in a
Debian package (`dataset-fashion-mnist`).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from activecrowds_ml.errors import DatasetError
from activecrowds_ml.storage import FILES_DIR, META_FILE, Record, write_dataset

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
POSITIVE_CLASSES = (2, 4, 6)  # pullover, coat, shirt
LABELS = ("not_long_sleeved", "long_sleeved")  # binary: the second label is the positive class
PAPER_SIZE = 5270
PAPER_LABELLED = 1030  # 500 eval + 500 test + 30 initial, as in the paper


@dataclass(frozen=True)
class DemoReport:
    """What the demo wrote."""

    root: Path
    labelled: int
    pool: int
    positive_share: float


def read_idx(path: Path) -> np.ndarray:
    """An idx (ubyte) array from a gzip file, e.g. Fashion-MNIST images (n, 28, 28) or labels.

    Raises:
        DatasetError: the file is missing or not an idx file.
    """
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DatasetError(
            f"cannot read {path} ({exc}); install it with `apt-get install dataset-fashion-mnist`"
        ) from None
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise DatasetError(f"{path} is not an unsigned-byte idx file")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise DatasetError(f"{path}: idx header says {shape}, body has {body.size} bytes")
    return body.reshape(shape)


def write_demo(
    dest: str | Path,
    size: int = PAPER_SIZE,
    seed: int = 0,
    labelled: int | None = None,
    source: Path = FASHION_DIR,
) -> DemoReport:
    """Write the reference task as a dataset folder: `labelled` examples with labels, the rest
    as the pool with its hidden `truth` (for the simulated crowd).

    Args:
        size: images drawn (fixed seed) from the 60,000 training images.
        labelled: how many keep their label; default scales the paper's 1,030 of 5,270.

    Raises:
        DatasetError: bad sizes, a non-empty dest, or Fashion-MNIST missing.
    """
    root = Path(dest).expanduser().resolve()
    n_labelled = round(size * PAPER_LABELLED / PAPER_SIZE) if labelled is None else labelled
    _check(root, size, n_labelled)
    images = read_idx(source / "train-images-idx3-ubyte.gz")
    classes = read_idx(source / "train-labels-idx1-ubyte.gz")
    if size > len(images):
        raise DatasetError(f"size must be at most {len(images)}; got {size}")
    chosen = np.random.default_rng(seed).choice(len(images), size=size, replace=False)
    records = [_write_image(root, int(i), images[i], int(classes[i])) for i in chosen]
    lab = [Record(r.id, file=r.file, label=r.truth) for r in records[:n_labelled]]
    write_dataset(root, "fashion-long-sleeved", "image", LABELS, lab, records[n_labelled:])
    positive = float(np.isin(classes[chosen], POSITIVE_CLASSES).mean())
    return DemoReport(root, n_labelled, size - n_labelled, positive)


def _check(root: Path, size: int, labelled: int) -> None:
    if size < 2:
        raise DatasetError(f"size must be at least 2; got {size}")
    if not 0 < labelled < size:
        raise DatasetError(f"labelled must be between 1 and size - 1 ({size - 1}); got {labelled}")
    if (root / META_FILE).exists() or (root.is_dir() and any(root.iterdir())):
        raise DatasetError(f"{root} is not empty; write the demo into a new folder")


def _write_image(root: Path, index: int, pixels: np.ndarray, klass: int) -> Record:
    from PIL import Image

    path = root / FILES_DIR / f"fmnist-train-{index:05d}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, mode="L").save(path)
    truth = LABELS[1] if klass in POSITIVE_CLASSES else LABELS[0]
    return Record(path.stem, file=str(path), truth=truth)
