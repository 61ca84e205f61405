"""Uncertainty sampling over class probabilities (Settles, 2009) and the random baseline."""

from __future__ import annotations

import numpy as np

from activecrowds_ml.strategies.base import PoolView, QueryStrategy


def entropy(proba: np.ndarray, axis: int = -1) -> np.ndarray:
    """Shannon entropy in nats; 0 log 0 counts as 0."""
    p = np.clip(proba, 1e-12, 1.0)
    return -(proba * np.log(p)).sum(axis=axis)


class RandomSampling(QueryStrategy):
    """The baseline: every sample is equally worth asking about."""

    name = "random"

    def score(self, pool: PoolView) -> np.ndarray:
        return np.zeros(len(pool))


class LeastConfidence(QueryStrategy):
    """Asks where the top class is least probable."""

    name = "least_confidence"

    def score(self, pool: PoolView) -> np.ndarray:
        return 1.0 - pool.proba.max(axis=1)


class Margin(QueryStrategy):
    """Asks where the two most probable classes are closest (the paper's choice)."""

    name = "margin"

    def score(self, pool: PoolView) -> np.ndarray:
        top2 = np.sort(pool.proba, axis=1)[:, -2:]
        return -(top2[:, 1] - top2[:, 0])


class Entropy(QueryStrategy):
    """Asks where the predicted distribution carries the most entropy."""

    name = "entropy"

    def score(self, pool: PoolView) -> np.ndarray:
        return entropy(pool.proba)


class BALD(QueryStrategy):
    """Bayesian Active Learning by Disagreement over MC-dropout passes (Houlsby et al., 2011).

    Mutual information between the label and the weights: the entropy of the mean prediction
    minus the mean entropy of the passes. High where the passes disagree, not merely where the
    model is unsure.
    """

    name = "bald"
    needs_mc = True

    def score(self, pool: PoolView) -> np.ndarray:
        assert pool.mc_proba is not None
        mean = pool.mc_proba.mean(axis=0)
        return entropy(mean) - entropy(pool.mc_proba).mean(axis=0)
