"""The query-strategy contract: score what the model says about the pool, then pick k."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from activecrowds_ml.errors import ValidationError


@dataclass(frozen=True)
class PoolView:
    """What a strategy may look at: class probabilities, optional MC samples and embeddings.

    `proba` is (n, classes). `mc_proba` is (passes, n, classes) from stochastic forward passes
    (MC dropout); `embeddings` is (n, dim). Strategies declare which of them they need.
    """

    proba: np.ndarray
    mc_proba: np.ndarray | None = None
    embeddings: np.ndarray | None = None
    labelled_embeddings: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.proba.shape[0])


class QueryStrategy(ABC):
    """Ranks pool samples by how much labelling them should help; higher score first."""

    name: str = ""
    needs_mc: bool = False
    needs_embeddings: bool = False

    @abstractmethod
    def score(self, pool: PoolView) -> np.ndarray:
        """One informativeness score per pool sample (higher = ask the crowd first)."""

    def select(self, pool: PoolView, k: int, seed: int = 0) -> np.ndarray:
        """Indices of the k samples to label, best first.

        Args:
            pool: probabilities (and whatever else the strategy needs) for the pool.
            k: how many to pick; capped at the pool size.
            seed: breaks ties (and drives random choices) reproducibly.

        Returns:
            An int array of distinct pool indices, length min(k, len(pool)).

        Raises:
            ValidationError: k < 0, or an input the strategy needs is missing or malformed.
        """
        _check(pool, k, self)
        k = min(k, len(pool))
        if k == 0:
            return np.empty(0, dtype=np.int64)
        return self.pick(pool, k, seed)

    def pick(self, pool: PoolView, k: int, seed: int) -> np.ndarray:
        """Choose 1 <= k <= len(pool) samples from checked inputs; by default the top scores.

        Batch-aware strategies override this to choose the batch as a whole.
        """
        return top_k(self.score(pool), k, seed)


def top_k(scores: np.ndarray, k: int, seed: int) -> np.ndarray:
    """The k best scores; equal scores are ordered by a seeded shuffle, not by position."""
    rng = np.random.default_rng(seed)
    tiebreak = rng.permutation(len(scores))
    # lexsort sorts by the last key first: score descending, then the random tiebreak.
    order = np.lexsort((tiebreak, -np.round(scores, 12)))
    return order[:k].astype(np.int64)


def _check(pool: PoolView, k: int, strategy: QueryStrategy) -> None:
    if k < 0:
        raise ValidationError(f"k must be >= 0; got {k}", "k")
    proba = pool.proba
    if proba.ndim != 2 or proba.shape[1] < 2:
        raise ValidationError(f"proba must be (n, classes>=2); got shape {proba.shape}", "proba")
    if strategy.needs_mc and pool.mc_proba is None:
        raise ValidationError(f"{strategy.name} needs MC-dropout samples (mc_proba)", "mc_proba")
    if strategy.needs_embeddings and pool.embeddings is None:
        raise ValidationError(f"{strategy.name} needs embeddings", "embeddings")
