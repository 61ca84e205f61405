"""One contract, run against every query strategy; then what each one is for."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from activecrowds_ml.errors import ValidationError
from activecrowds_ml.strategies import (
    BALD,
    STRATEGIES,
    CoreSet,
    Entropy,
    LeastConfidence,
    Margin,
    MarginCoreSet,
    PoolView,
    get_strategy,
)


def make_pool(n: int = 60, classes: int = 3, seed: int = 0) -> PoolView:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, classes)) * 2
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    mc = np.stack([np.roll(proba, shift, axis=1) * 0.5 + proba * 0.5 for shift in range(4)])
    emb = rng.normal(size=(n, 8))
    return PoolView(proba, mc, emb, rng.normal(size=(5, 8)))


@pytest.mark.parametrize("name", sorted(STRATEGIES))
class TestContract:
    def test_picks_k_distinct_valid_indices(self, name: str) -> None:
        picked = get_strategy(name).select(make_pool(), 10, seed=1)
        assert len(picked) == 10
        assert len(set(picked.tolist())) == 10
        assert picked.min() >= 0 and picked.max() < 60

    def test_same_seed_same_batch(self, name: str) -> None:
        pool = make_pool()
        first = get_strategy(name).select(pool, 7, seed=3)
        assert np.array_equal(first, get_strategy(name).select(pool, 7, seed=3))

    def test_k_larger_than_pool_takes_everything(self, name: str) -> None:
        picked = get_strategy(name).select(make_pool(n=5), 30)
        assert sorted(picked.tolist()) == [0, 1, 2, 3, 4]

    def test_k_zero_and_negative(self, name: str) -> None:
        assert len(get_strategy(name).select(make_pool(), 0)) == 0
        with pytest.raises(ValidationError):
            get_strategy(name).select(make_pool(), -1)


def test_unknown_strategy_names_the_known_ones() -> None:
    with pytest.raises(ValidationError, match="margin"):
        get_strategy("smartest")


def test_missing_inputs_are_clear_errors() -> None:
    proba = make_pool().proba
    with pytest.raises(ValidationError, match="MC-dropout"):
        BALD().select(PoolView(proba), 3)
    with pytest.raises(ValidationError, match="embeddings"):
        CoreSet().select(PoolView(proba), 3)


def test_uncertainty_strategies_pick_the_uncertain() -> None:
    proba = np.array([[0.99, 0.01], [0.5, 0.5], [0.9, 0.1], [0.45, 0.55]])
    for strategy in (LeastConfidence(), Margin(), Entropy()):
        assert sorted(strategy.select(PoolView(proba), 2).tolist()) == [1, 3]


def test_random_ties_depend_on_seed_not_position() -> None:
    pool = PoolView(np.full((100, 2), 0.5))
    batches = {tuple(get_strategy("random").select(pool, 5, seed=s)) for s in range(5)}
    assert len(batches) == 5


def test_bald_prefers_disagreement_over_plain_uncertainty() -> None:
    # Sample 0: every pass says 50/50 (aleatoric). Sample 1: passes disagree confidently.
    mc = np.array([[[0.5, 0.5], [0.99, 0.01]], [[0.5, 0.5], [0.01, 0.99]]])
    pool = PoolView(mc.mean(axis=0), mc)
    assert BALD().select(pool, 1).tolist() == [1]


def test_coreset_spreads_over_clusters() -> None:
    # Three tight clusters of 20 points: a batch of 3 should take one from each.
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0], [10, 0], [0, 10]])
    emb = np.concatenate([c + rng.normal(scale=0.1, size=(20, 2)) for c in centers])
    pool = PoolView(np.full((60, 2), 0.5), embeddings=emb)
    picked = CoreSet().select(pool, 3, seed=0)
    assert sorted({int(i) // 20 for i in picked}) == [0, 1, 2]


def test_margin_coreset_does_not_pile_onto_one_cluster() -> None:
    # The 10 most uncertain samples are near-duplicates; margin alone would take 5 of them.
    rng = np.random.default_rng(1)
    emb = np.concatenate([rng.normal(scale=0.01, size=(10, 2)), rng.normal(size=(40, 2)) * 5])
    p = np.concatenate([np.full(10, 0.5), rng.uniform(0.6, 0.7, size=40)])
    pool = PoolView(np.stack([p, 1 - p], axis=1), embeddings=emb)
    assert np.isin(Margin().select(pool, 5), np.arange(10)).all()
    assert np.isin(MarginCoreSet().select(pool, 5), np.arange(10)).sum() <= 2


def _binary(p: np.ndarray) -> PoolView:
    return PoolView(np.stack([p, 1 - p], axis=1))


@settings(max_examples=200, deadline=None)
@given(
    p=arrays(np.float64, st.integers(2, 80), elements=st.floats(0, 1)),
    k=st.integers(1, 80),
    seed=st.integers(0, 2**16),
)
def test_binary_least_confidence_margin_entropy_pick_the_same(
    p: np.ndarray, k: int, seed: int
) -> None:
    """The paper's remark: with two classes all three rank by |p - 0.5|, so they agree."""
    pool = _binary(p)
    picks = [
        set(s.select(pool, k, seed).tolist()) for s in (LeastConfidence(), Margin(), Entropy())
    ]
    assert picks[0] == picks[1] == picks[2]
