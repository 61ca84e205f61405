"""One active-learning round: train -> evaluate -> test -> score the pool -> pick the next batch.

The server's training round and the offline simulation both call `run_round`, so a simulated
curve measures the very code that picks samples for a real crowd, seed rule included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from activecrowds_ml.errors import ValidationError
from activecrowds_ml.metrics import Metrics

if TYPE_CHECKING:
    from activecrowds_ml.models.base import Model
    from activecrowds_ml.storage import Record
    from activecrowds_ml.strategies import QueryStrategy

Labelled = tuple[Sequence["Record"], Sequence[str]]
"""Records and their labels, in the same order."""

# A prime above any plausible number of rounds: distinct (scenario seed, round) pairs never share
# a stream, so runs with neighbouring seeds stay independent (with `seed + number`, seed 1's
# round 0 would break ties exactly like seed 0's round 1).
_SEED_STRIDE = 10_007


@dataclass(frozen=True)
class Prediction:
    """The model's most probable label for one record, and that label's probability."""

    label: str
    confidence: float


def predictions(proba: Any, labels: Sequence[str]) -> list[Prediction]:
    """One Prediction per row of a (n, len(labels)) probability array (first of equals)."""
    best = proba.argmax(axis=1)
    return [Prediction(labels[int(j)], float(proba[i, j])) for i, j in enumerate(best)]


@dataclass(frozen=True)
class RoundResult:
    """What a round produced: eval and test scores, the pool samples to ask about next, and
    what the trained model predicts for the pool (and for `also_predict`)."""

    eval: Metrics
    test: Metrics
    picked: list[int]  # indices into the `pool` given to `run_round`, best first
    train_size: int
    # One per `pool` record when the pool was scored (k > 0), in its order; else empty.
    pool_predictions: list[Prediction] = field(default_factory=list)
    also_predictions: list[Prediction] = field(default_factory=list)  # one per `also_predict`


def round_seed(scenario_seed: int, number: int) -> int:
    """The seed that breaks ties (and drives random picks) in round `number` of a scenario.

    A scenario with seed 0 gets `number` itself.
    """
    return scenario_seed * _SEED_STRIDE + number


def run_round(
    model: Model,
    strategy: QueryStrategy,
    *,
    train: Labelled,
    eval_set: Labelled,
    test_set: Labelled,
    pool: Sequence[Record],
    k: int,
    seed: int,
    number: int,
    also_predict: Sequence[Record] = (),
) -> RoundResult:
    """Train `model`, score it on the eval and test sets, then pick up to `k` pool samples.

    Args:
        model: an untrained or earlier-trained model; training replaces what it learned.
        strategy: the query strategy that ranks the pool.
        train: the records to train on (seed set plus accepted labels) and their labels.
        eval_set: held-out records and labels to watch rounds by.
        test_set: held-out records and labels whose scores are reported, never used to choose.
        pool: unlabelled records to pick from; their order gives the meaning of `picked`.
        k: how many to pick; 0 (or an empty pool) skips scoring the pool.
        seed: the scenario's seed.
        number: the round number (0 trains on the seed set alone).
        also_predict: more records to predict with the trained model (the server's: pool
            samples the crowd already answered, so an owner sees both labels).

    Returns:
        The eval and test metrics, the picked pool indices (at most k, distinct, best first;
        empty when k is 0 or the pool is empty), how many records were trained on, and the
        predictions for the pool (from the probabilities the strategy ranked) and for
        `also_predict`.

    Raises:
        ValidationError: train records and labels differ in length, are empty or hold an unknown
            label; k < 0; or the strategy needs something the model cannot give (embeddings).
        ModelError: training itself failed.
    """
    if k < 0:
        raise ValidationError(f"k must be >= 0; got {k}", "k")  # before a costly training
    records, labels = train
    model.train(records, labels)
    evaluation = model.evaluate(*eval_set)
    test = model.test(*test_set)
    picked: list[int] = []
    on_pool: list[Prediction] = []
    if k and pool:
        view = model.pool_view(strategy, pool, records)
        picked = [int(i) for i in strategy.select(view, k, seed=round_seed(seed, number))]
        on_pool = predictions(view.proba, model.labels)
    also = predictions(model.predict_proba(also_predict), model.labels) if also_predict else []
    return RoundResult(evaluation, test, picked, len(records), on_pool, also)
