"""Time one active-learning round in head mode on a 5,000-sample pool, plus feature throughput.

    .venv/bin/python bench/round.py [--pool 5000] [--sizes 30,150,450] [--strategy margin]
                                    [--cache-dir DIR] [--threads N] [--finetune]

Writes real Fashion-MNIST images (long-sleeved vs not) as PNG into a temporary folder, extracts
backbone features once (cold cache: images/s), then per labelled size N trains the head on N
samples, predicts the whole pool and picks 30 by margin, and prints the median of a few repeats.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from activecrowds_ml.experiment.demo import FASHION_DIR, LABELS, POSITIVE_CLASSES, read_idx
from activecrowds_ml.models import build_model
from activecrowds_ml.models.base import Model
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


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def round_times(
    model: Model, pool: list[Record], n: int, repeats: int, strategy_name: str
) -> dict[str, float]:
    """Median seconds of train / predict (what the strategy needs) / select for N labelled."""
    strategy = get_strategy(strategy_name)
    rows: dict[str, list[float]] = {"train": [], "predict": [], "select": [], "total": []}
    for r in range(repeats):
        labelled = [pool[i] for i in np.random.default_rng(r).choice(len(pool), n, False)]
        t_train, _ = timed(model.train, labelled, [x.truth for x in labelled])
        t_pred, view = timed(model.pool_view, strategy, pool, labelled)
        t_sel, _ = timed(strategy.select, view, 30, r)
        for key, val in zip(rows, (t_train, t_pred, t_sel), strict=False):
            rows[key].append(val)
        rows["total"].append(t_train + t_pred + t_sel)
    return {k: statistics.median(v) for k, v in rows.items()}


def print_rounds(model: Model, pool: list[Record], sizes: list[int], args: Any) -> None:
    print(f"\nround on a {len(pool)}-sample pool, {args.strategy}, median of {args.repeats} (s)")
    print(f"{'N':>5} {'train':>7} {'predict':>8} {'select':>7} {'total':>7}")
    for n in sizes:
        t = round_times(model, pool, n, args.repeats, args.strategy)
        print(f"{n:>5} {t['train']:>7.2f} {t['predict']:>8.2f} {t['select']:>7.3f} "
              f"{t['total']:>7.2f}")  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pool", type=int, default=5000)
    parser.add_argument("--sizes", default="30,150,450")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--strategy", default="margin")
    parser.add_argument("--model", default="efficientnet-lite0")
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: a temp folder")
    parser.add_argument("--threads", type=int, default=None, help="torch threads to encode")
    parser.add_argument("--finetune", action="store_true", help="also time one FINETUNE round")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        images, cache = Path(tmp) / "images", args.cache_dir or Path(tmp) / "cache"
        images.mkdir()
        pool = write_pool(images, args.pool)
        scenario = Scenario(pretrained_model=args.model)
        options = {"cache_dir": cache, "device": "cpu", "threads": args.threads}
        model = build_model(scenario, LABELS, **options)
        cold, _ = timed(model.features, pool)  # type: ignore[attr-defined]
        warm, _ = timed(build_model(scenario, LABELS, **options).features, pool)  # type: ignore[attr-defined]
        encoded, threads = model.encoded, model.threads  # type: ignore[attr-defined]
        size = model.info["input_size"]
        print(f"feature extraction ({args.model}, {size} px, cpu, {threads or 'default'} threads): "
              f"{cold:.1f} s for {encoded} images = {encoded / cold:.0f} images/s")  # fmt: skip
        print(f"cached features read from disk by a new model: {warm:.2f} s for {len(pool)}")
        print_rounds(model, pool, sizes, args)
        if args.finetune:
            tuned = build_model(scenario.replace(training_mode="finetune"), LABELS, **options)
            print("\nFINETUNE (5 epochs):", end="")
            print_rounds(tuned, pool, sizes[:1], argparse.Namespace(**{**vars(args), "repeats": 1}))


if __name__ == "__main__":
    main()
