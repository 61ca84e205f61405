"""The one training round the server and the simulation share: order of steps, picks, seeds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from mltest import InstantModel

from activecrowds_ml.errors import ValidationError
from activecrowds_ml.round import Labelled, RoundResult, round_seed, run_round
from activecrowds_ml.storage import Record
from activecrowds_ml.strategies import PoolView, get_strategy

LABELS = ("no", "yes")


def labelled(prefix: str, n: int) -> Labelled:
    return [Record(f"{prefix}{i}") for i in range(n)], [LABELS[i % 2] for i in range(n)]


def pool(n: int) -> list[Record]:
    return [Record(f"pool{i}") for i in range(n)]


def round_of(model: InstantModel, strategy: str = "margin", **changes: Any) -> RoundResult:
    """A round on 6 train, 5 eval, 4 test and 20 pool records, asking for 3; `changes` override."""
    options: dict[str, Any] = {
        "train": labelled("train", 6),
        "eval_set": labelled("eval", 5),
        "test_set": labelled("test", 4),
        "pool": pool(20),
        "k": 3,
        "seed": 0,
        "number": 0,
    }
    return run_round(model, get_strategy(strategy), **{**options, **changes})


def test_a_round_trains_evaluates_tests_then_scores_the_pool() -> None:
    model = InstantModel(LABELS)
    result = run_round(
        model,
        get_strategy("margin"),
        train=labelled("train", 6),
        eval_set=labelled("eval", 5),
        test_set=labelled("test", 4),
        pool=pool(20),
        k=3,
        seed=0,
        number=0,
    )
    assert model.calls == [("train", 6), ("predict", 5), ("predict", 4), ("predict", 20)]
    assert (result.train_size, result.eval.size, result.test.size) == (6, 5, 4)
    # margin picks the three pool samples whose probabilities are closest to 50/50
    proba = model.predict_proba(pool(20))
    closest = np.argsort(np.abs(proba[:, 0] - 0.5), kind="stable")[:3]
    assert sorted(result.picked) == sorted(closest.tolist())


def test_picks_follow_the_round_seed() -> None:
    # Random sampling depends on the pool size and the seed only: the round must use round_seed
    result = round_of(InstantModel(LABELS), "random", seed=3, number=2)
    view = PoolView(np.full((20, 2), 0.5))
    expected = get_strategy("random").select(view, 3, seed=round_seed(3, 2))
    assert result.picked == expected.tolist()
    later = round_of(InstantModel(LABELS), "random", seed=3, number=3)
    assert later.picked != result.picked


@pytest.mark.parametrize("changes", [{"k": 0}, {"pool": []}])
def test_nothing_to_pick_leaves_the_pool_unscored(changes: dict[str, Any]) -> None:
    model = InstantModel(LABELS)
    result = round_of(model, **changes)
    assert result.picked == []
    assert model.calls == [("train", 6), ("predict", 5), ("predict", 4)]


def test_negative_k_is_refused_before_training() -> None:
    model = InstantModel(LABELS)
    with pytest.raises(ValidationError, match="k must be >= 0"):
        round_of(model, k=-1)
    assert model.calls == []


def test_round_seeds_are_distinct_and_seed_zero_counts_rounds() -> None:
    seeds = {round_seed(seed, number) for seed in range(50) for number in range(500)}
    assert len(seeds) == 50 * 500
    assert [round_seed(0, n) for n in range(4)] == [0, 1, 2, 3]


def test_a_round_predicts_the_pool_it_scored_and_the_records_asked_for() -> None:
    model = InstantModel(LABELS)
    asked = [Record(f"asked{i}") for i in range(3)]
    result = round_of(model, also_predict=asked)
    # the pool's predictions come from the probabilities the strategy ranked: one more
    # prediction call only for the records asked for
    assert model.calls == [
        ("train", 6),
        ("predict", 5),
        ("predict", 4),
        ("predict", 20),
        ("predict", 3),
    ]
    for records, found in ((pool(20), result.pool_predictions), (asked, result.also_predictions)):
        proba = model.predict_proba(records)
        assert [p.label for p in found] == [LABELS[i] for i in proba.argmax(axis=1)]
        np.testing.assert_allclose([p.confidence for p in found], proba.max(axis=1))
    # nothing scored, nothing predicted
    idle = round_of(InstantModel(LABELS), k=0)
    assert idle.pool_predictions == [] and idle.also_predictions == []
