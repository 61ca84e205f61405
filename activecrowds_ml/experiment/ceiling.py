"""A strong ceiling: the best test accuracy the frozen features allow with every pool label.

"Whole pool" used to mean the small-data head, unchanged, on 4,000+ samples. A plain logistic
regression on the same features scored higher, so active learning "beat the whole pool" on a
weak yardstick. Here the candidates are the head under a few settings and a linear probe
(sklearn's LogisticRegression) under a grid of C, all trained on the seed set plus the pool's
true labels; the one with the best eval accuracy is the ceiling, and its test accuracy is the
number reported (the test set never chooses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from activecrowds_ml.models.base import compute_metrics
from activecrowds_ml.models.head import Head, HeadConfig

if TYPE_CHECKING:
    from activecrowds_ml.experiment.simulate import SimulationConfig
    from activecrowds_ml.metrics import Metrics
    from activecrowds_ml.storage import Record, Split

# The old small-data head (fixed decay, class-weighted: the old "whole pool" figure, first),
# and one with a tenth of the decay and no class weights (more data needs less of a prior);
# the scenario's own head is always a candidate too. Each fit costs 2-8 s on 4,000 samples.
HEAD_GRID = (
    HeadConfig(decay_until=0, class_weighted=True),
    HeadConfig(weight_decay=3e-3, decay_until=0, class_weighted=False),
)
PROBE_C = (0.01, 0.03, 0.1, 0.3)


@dataclass(frozen=True)
class Candidate:
    """One model trained on every pool label: its name, eval accuracy and test metrics."""

    name: str
    family: str  # "head" or "probe"
    eval_accuracy: float
    test: Metrics


@dataclass(frozen=True)
class Ceiling:
    """Every candidate, and the one the eval set chose."""

    candidates: tuple[Candidate, ...]

    def best(self, family: str | None = None) -> Candidate:
        """The candidate with the best eval accuracy (of one family, or of all)."""
        pool = [c for c in self.candidates if family is None or c.family == family]
        return max(pool, key=lambda c: c.eval_accuracy)

    @property
    def accuracy(self) -> float:
        """Test accuracy of the eval set's choice."""
        return self.best().test.accuracy


def strong_ceiling(
    config: SimulationConfig,
    labels: Sequence[str],
    seed: int,
    split: Split,
    pool: Sequence[Record],
    head: HeadConfig | None = None,
) -> Ceiling:
    """Train every candidate on the seed set plus the pool's truth; score on eval and test.

    Args:
        head: the scenario's own head settings, added to the grid (default: HeadConfig()).
    """
    from activecrowds_ml.experiment.world import build

    model = build(config, config.scenario(config.strategies[0], seed), labels)
    features = model.features  # type: ignore[attr-defined]
    train = list(split.seed) + [replace(r, label=r.truth, truth=None) for r in pool]
    x, y = features(train), _index(train, labels)
    sets = [(features(s), [str(r.label) for r in s]) for s in (split.eval, split.test)]
    grid = dict.fromkeys((*HEAD_GRID, head or HeadConfig()))
    out = [_head(x, y, sets, labels, cfg, seed) for cfg in grid]
    out += [_probe(x, y, sets, labels, c, seed) for c in PROBE_C]
    return Ceiling(tuple(out))


def _index(records: Sequence[Record], labels: Sequence[str]) -> np.ndarray:
    return np.array([list(labels).index(str(r.label)) for r in records], dtype=np.int64)


Sets = list[tuple[np.ndarray, list[str]]]


def _scores(
    name: str, family: str, predict: object, sets: Sets, labels: Sequence[str]
) -> Candidate:
    positive = labels[1] if len(labels) == 2 else None
    pred = [[labels[i] for i in predict(x).argmax(axis=1)] for x, _ in sets]  # type: ignore[operator]
    (_, eval_truth), (_, test_truth) = sets
    evaluation = compute_metrics(eval_truth, pred[0], labels, positive)
    return Candidate(
        name, family, evaluation.accuracy, compute_metrics(test_truth, pred[1], labels, positive)
    )


def _head(
    x: np.ndarray, y: np.ndarray, sets: Sets, labels: Sequence[str], cfg: HeadConfig, seed: int
) -> Candidate:
    head = Head(x.shape[1], len(labels), cfg, seed)
    head.fit(x, y)
    weights = "" if cfg.class_weighted else ", unweighted"
    name = f"head (decay {cfg.decay(len(y)):.2g}, {cfg.epochs} epochs{weights})"
    return _scores(name, "head", head.predict_proba, sets, labels)


def _probe(
    x: np.ndarray, y: np.ndarray, sets: Sets, labels: Sequence[str], c: float, seed: int
) -> Candidate:
    from sklearn.linear_model import LogisticRegression

    # The head's standardisation: each feature's spread shrunk toward the average one.
    mean, std = x.mean(axis=0), x.std(axis=0)
    scale = std + std.mean() + 1e-6
    probe = LogisticRegression(C=c, max_iter=500, random_state=seed)
    probe.fit((x - mean) / scale, y)

    def predict(z: np.ndarray) -> np.ndarray:
        out = np.zeros((len(z), len(labels)))
        out[:, probe.classes_] = probe.predict_proba((z - mean) / scale)
        return out

    return _scores(f"linear probe (C={c:g})", "probe", predict, sets, labels)
