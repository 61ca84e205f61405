"""The label-efficiency study's pieces: cold start, the head's decay, labels-to-reach, ceiling."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from activecrowds_ml.experiment.ceiling import strong_ceiling
from activecrowds_ml.experiment.crowd import CrowdConfig
from activecrowds_ml.experiment.simulate import CurveRow, SimulationConfig
from activecrowds_ml.experiment.summary import (
    budget_points,
    labels_to_reach,
    median_labels,
    spread,
)
from activecrowds_ml.experiment.tasks import TWEET_LABELS, write_fashion_pair, write_tweets
from activecrowds_ml.models.head import HeadConfig
from activecrowds_ml.scenario import Scenario
from activecrowds_ml.storage import Dataset, Record, Split
from activecrowds_ml.strategies import KMeansMargin, PoolView


def blobs(per: int, centres: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    where = rng.normal(0, 10, (centres, 8))
    cluster = np.repeat(np.arange(centres), per)
    return where[cluster] + rng.normal(0, 0.5, (len(cluster), 8)), cluster


def test_kmeans_margin_first_batch_covers_every_cluster() -> None:
    # Given 6 tight clusters, one of which the model is unsure about everywhere
    x, cluster = blobs(50, 6)
    proba = np.where(cluster[:, None] == 0, [0.5, 0.5], [0.99, 0.01])
    few = PoolView(proba, embeddings=x, labelled_embeddings=x[:6])
    # When a batch of 6 is picked with fewer than two batches labelled
    picked = KMeansMargin().select(few, 6, seed=0)
    # Then it takes one sample from each cluster, where margin would take six from cluster 0
    assert sorted(cluster[picked]) == [0, 1, 2, 3, 4, 5]
    many = PoolView(proba, embeddings=x, labelled_embeddings=x[:12])
    assert set(cluster[KMeansMargin().select(many, 6, seed=0)]) == {0}


def test_decay_shrinks_with_n_only_above_decay_until() -> None:
    cfg = HeadConfig(weight_decay=0.03, decay_until=300)
    assert cfg.decay(30) == cfg.decay(300) == 0.03
    assert cfg.decay(3000) == pytest.approx(0.003)
    assert HeadConfig(decay_until=0).decay(3000) == HeadConfig().weight_decay
    assert HeadConfig().decay(3000) < HeadConfig().decay(300)


def row(strategy: str, seed: int, labelled: int, accuracy: float) -> CurveRow:
    return CurveRow(strategy, seed, 0, labelled, accuracy, accuracy, labelled, 0, 0, 0.0, 0.0)


def test_labels_to_reach_per_seed_with_median_and_range() -> None:
    rows = [row("m", s, n, a) for s, curve in enumerate([(0.8, 0.9, 0.95), (0.8, 0.85, 0.9)])
            for n, a in zip((30, 60, 90), curve, strict=True)]  # fmt: skip
    needed = [labels_to_reach(rows, "m", s, 0.9) for s in (0, 1)]
    assert needed == [60, 90]
    assert spread(needed, 90) == "75 [60-90]"
    never = [labels_to_reach(rows, "m", s, 0.95) for s in (0, 1)]
    assert never == [90, None] and np.isinf(median_labels(never))
    assert spread(never, 90) == ">90 [90->90]"
    assert spread([None, None], 90) == ">90"


def test_budget_points_sit_on_the_round_grid() -> None:
    config = SimulationConfig(dataset=Path("x"), budget=600)
    assert budget_points(config) == [90, 210, 390, 600]


def test_ceiling_picks_on_eval_among_heads_and_probes(
    tiny_images: list[Record], feature_cache_dir: Path
) -> None:
    # Given 80 real images: 20 eval, 20 test, 4 seed, the rest the pool with hidden truth
    labelled = [replace(r, label=r.truth, truth=None) for r in tiny_images[:44]]
    split = Split(tuple(labelled[:4]), tuple(labelled[4:24]), tuple(labelled[24:44]), ())
    labels = ("trouser", "bag")
    base = Scenario(initial_train_size=4, eval_size=20, test_size=20)
    config = SimulationConfig(
        Path("x"), base=base, crowd=CrowdConfig(), cache_dir=feature_cache_dir
    )
    # When the ceiling is computed
    ceiling = strong_ceiling(config, labels, 0, split, tiny_images[44:])
    # Then it holds both families and reports the test accuracy of the eval set's choice
    families = {c.family for c in ceiling.candidates}
    assert families == {"head", "probe"}
    best = max(ceiling.candidates, key=lambda c: c.eval_accuracy)
    assert ceiling.accuracy == best.test.accuracy and ceiling.accuracy > 0.9


def test_tweets_task_is_three_confident_distinct_classes(tmp_path: Path) -> None:
    dataset = Dataset.load(write_tweets(tmp_path / "tweets", size=1200))
    assert dataset.labels == TWEET_LABELS and dataset.kind == "text"
    assert len(dataset.labelled) == 1030 and len(dataset.pool) == 170
    texts = [r.text for r in (*dataset.labelled, *dataset.pool)]
    assert len(set(texts)) == len(texts)
    assert all(r.truth in TWEET_LABELS for r in dataset.pool)


def test_fashion_pair_task_holds_only_its_two_classes(tmp_path: Path) -> None:
    dataset = Dataset.load(write_fashion_pair(tmp_path / "pair", size=1100))
    assert dataset.labels == ("tshirt_top", "shirt") and dataset.kind == "image"
    counts = dataset.count_by_label()
    assert set(counts) == {"tshirt_top", "shirt"} and min(counts.values()) > 400
    assert all(Path(str(r.file)).is_file() for r in dataset.pool)
