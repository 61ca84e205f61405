"""Batch-aware strategies: a batch of near-duplicates teaches the model one thing, not thirty."""

from __future__ import annotations

import numpy as np

from activecrowds_ml.strategies.base import PoolView, QueryStrategy
from activecrowds_ml.strategies.uncertainty import Margin


def _k_center_greedy(points: np.ndarray, centers: np.ndarray, k: int, first: int) -> np.ndarray:
    """Greedy k-center: repeatedly take the point farthest from everything chosen so far."""
    if len(centers):
        dist = _min_sq_dist(points, centers)
        first = int(np.argmax(dist))
    else:
        dist = np.full(len(points), np.inf)
    chosen = [first]
    dist = np.minimum(dist, ((points - points[first]) ** 2).sum(axis=1))
    while len(chosen) < k:
        nxt = int(np.argmax(dist))
        chosen.append(nxt)
        dist = np.minimum(dist, ((points - points[nxt]) ** 2).sum(axis=1))
    return np.asarray(chosen, dtype=np.int64)


def _min_sq_dist(points: np.ndarray, centers: np.ndarray, chunk: int = 2048) -> np.ndarray:
    out = np.empty(len(points))
    c2 = (centers**2).sum(axis=1)
    for start in range(0, len(points), chunk):
        p = points[start : start + chunk]
        d = (p**2).sum(axis=1)[:, None] - 2 * p @ centers.T + c2[None, :]
        out[start : start + chunk] = d.min(axis=1)
    return np.maximum(out, 0.0)


class CoreSet(QueryStrategy):
    """Core-set by k-center greedy over embeddings (Sener & Savarese, 2018).

    Covers the pool: each pick is the sample farthest from the labelled set and the picks so far.
    """

    name = "coreset"
    needs_embeddings = True

    def score(self, pool: PoolView) -> np.ndarray:
        assert pool.embeddings is not None
        centers = _labelled(pool)
        if not len(centers):
            return np.zeros(len(pool))
        return _min_sq_dist(pool.embeddings, centers)

    def pick(self, pool: PoolView, k: int, seed: int) -> np.ndarray:
        assert pool.embeddings is not None
        first = int(np.random.default_rng(seed).integers(len(pool)))
        return _k_center_greedy(pool.embeddings, _labelled(pool), k, first)


class MarginCoreSet(QueryStrategy):
    """Diverse uncertainty: k-center greedy over the `factor * k` samples with smallest margin.

    Uncertainty decides which region to look in; k-center keeps the batch from piling onto one
    ambiguous cluster (in the spirit of Cluster-Margin, Citovsky et al., 2021).
    """

    name = "margin_coreset"
    needs_embeddings = True
    factor = 5

    def score(self, pool: PoolView) -> np.ndarray:
        return Margin().score(pool)

    def pick(self, pool: PoolView, k: int, seed: int) -> np.ndarray:
        assert pool.embeddings is not None
        candidates = Margin().select(pool, min(len(pool), self.factor * k), seed)
        first = 0  # the single most uncertain sample anchors the batch
        picked = _k_center_greedy(pool.embeddings[candidates], np.empty((0, 1)), k, first)
        return candidates[picked]


def _labelled(pool: PoolView) -> np.ndarray:
    if pool.labelled_embeddings is None:
        return np.empty((0, 1))
    return pool.labelled_embeddings
