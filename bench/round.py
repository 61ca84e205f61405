"""Time one active-learning round in head mode on a 5,000-sample pool, plus feature throughput.

    .venv/bin/python bench/round.py [--pool 5000] [--sizes 30,150,450] [--cache-dir DIR]

Writes real Fashion-MNIST images (long-sleeved vs not) as PNG into a temporary folder, extracts
backbone features once (cold cache: images/s), then per labelled size N trains the head on N
samples, predicts the whole pool and picks 30 by margin, and prints the median of a few repeats.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from activecrowds_ml.demo import FASHION_DIR, LABELS, POSITIVE_CLASSES, read_idx
from activecrowds_ml.models import build_model
from activecrowds_ml.scenario import Scenario
from activecrowds_ml.storage import Record
from activecrowds_ml.strategies import get_strategy


def write_pool(folder: Path, size: int, seed: int = 0) -> list[Record]:
    """`size` Fashion-MNIST training images as PNG files, with their binary truth."""
    from PIL import Image

    images = read_idx(FASHION_DIR / "train-images-idx3-ubyte.gz")
    classes = read_idx(FASHION_DIR / "train-labels-idx1-ubyte.gz")
    chosen = np.random.default_rng(seed).choice(len(images), size, replace=False)
    records = []
    for i in chosen:
        path = folder / f"{i}.png"
        Image.fromarray(images[i], mode="L").save(path)
        truth = LABELS[int(classes[i] in POSITIVE_CLASSES)]
        records.append(Record(id=str(i), file=str(path), truth=truth))
    return records


def timed(fn: object, *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args)  # type: ignore[operator]
    return time.perf_counter() - start, out


def round_times(model: object, pool: list[Record], n: int, repeats: int) -> dict[str, float]:
    """Median seconds of train / predict / select for N labelled samples."""
    strategy = get_strategy("margin")
    rows: dict[str, list[float]] = {"train": [], "predict": [], "select": [], "total": []}
    for r in range(repeats):
        labelled = [pool[i] for i in np.random.default_rng(r).choice(len(pool), n, False)]
        t_train, _ = timed(model.train, labelled, [x.truth for x in labelled])  # type: ignore[attr-defined]
        t_pred, view = timed(model.pool_view, strategy, pool)  # type: ignore[attr-defined]
        t_sel, _ = timed(strategy.select, view, 30, r)
        for key, val in zip(rows, (t_train, t_pred, t_sel), strict=False):
            rows[key].append(val)
        rows["total"].append(t_train + t_pred + t_sel)
    return {k: statistics.median(v) for k, v in rows.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=5000)
    parser.add_argument("--sizes", default="30,150,450")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="efficientnet-lite0")
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: a temp folder")
    parser.add_argument("--threads", type=int, default=None, help="torch threads to encode")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        images, cache = Path(tmp) / "images", args.cache_dir or Path(tmp) / "cache"
        images.mkdir()
        pool = write_pool(images, args.pool)
        scenario = Scenario(pretrained_model=args.model)
        model = build_model(scenario, LABELS, cache_dir=cache, device="cpu", threads=args.threads)
        cold, _ = timed(model.features, pool)
        fresh = build_model(scenario, LABELS, cache_dir=cache, device="cpu")
        warm, _ = timed(fresh.features, pool)
        print(f"feature extraction ({args.model}, 64 px, cpu, threads={args.threads}): "
              f"{cold:.1f} s for "
              f"{model.encoded} images = {model.encoded / cold:.0f} images/s")  # fmt: skip
        print(f"cached features read from disk by a new model: {warm:.2f} s for {len(pool)}")
        print(f"\nround on a {len(pool)}-sample pool (median of {args.repeats}), seconds")
        print(f"{'N':>5} {'train':>7} {'predict':>8} {'select':>7} {'total':>7}")
        for n in (int(s) for s in args.sizes.split(",")):
            t = round_times(model, pool, n, args.repeats)
            print(f"{n:>5} {t['train']:>7.2f} {t['predict']:>8.2f} {t['select']:>7.3f} "
                  f"{t['total']:>7.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
