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


class KMeansMargin(QueryStrategy):
    """Cold start by clustering, then margin: while the labelled set is smaller than two
    batches, ask the pool sample nearest each of k k-means centres; afterwards, plain margin.

    A model trained on 30 labels is unsure in the wrong places: its first margin batch often
    piles onto one confusion and leaves whole regions of the pool unseen. Representatives of
    k clusters cover the pool the way a stratified sample would, without knowing the classes.
    """

    name = "kmeans_margin"
    needs_embeddings = True
    cold_batches = 2  # diversity while fewer than this many batches' worth are labelled

    def score(self, pool: PoolView) -> np.ndarray:
        return Margin().score(pool)

    def pick(self, pool: PoolView, k: int, seed: int) -> np.ndarray:
        labelled = 0 if pool.labelled_embeddings is None else len(pool.labelled_embeddings)
        if labelled >= self.cold_batches * k or k < 2:
            return Margin().pick(pool, k, seed)
        assert pool.embeddings is not None
        return representatives(pool.embeddings, k, seed)


def representatives(points: np.ndarray, k: int, seed: int) -> np.ndarray:
    """The point nearest each of k k-means centres (distinct; topped up by the next nearest)."""
    from sklearn.cluster import KMeans

    x = np.asarray(points, dtype=np.float64)
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + x.std(axis=0).mean() + 1e-9)
    km = KMeans(n_clusters=k, n_init=1, max_iter=100, random_state=seed).fit(x)
    centres = km.cluster_centers_
    dist = (x**2).sum(axis=1)[:, None] - 2 * x @ centres.T + (centres**2).sum(axis=1)[None]
    chosen: list[int] = []
    for c in range(k):
        for i in np.argsort(dist[:, c]):
            if int(i) not in chosen:
                chosen.append(int(i))
                break
    return np.asarray(chosen, dtype=np.int64)
