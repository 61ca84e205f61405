"""What the runs of one seed share: the whole-pool reference, item difficulty, gold questions.

Item difficulty is one minus the margin of a model that never saw the sample: the pool (with
true labels) is cut in two halves, each predicting the other. The simulation draws its control
questions from the pool, whose truth it knows, so a dataset needs no labelled examples beyond
test, eval and seed (the live server draws them from `Split.gold`); gold comes off the pool
after the reference is computed, so runs with and without gold share one reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from activecrowds_ml.storage import Record, Split, split_labelled

if TYPE_CHECKING:
    from activecrowds_ml.experiment.simulate import SimulationConfig
    from activecrowds_ml.metrics import Metrics
    from activecrowds_ml.models.base import Model
    from activecrowds_ml.scenario import Scenario


@dataclass(frozen=True)
class Reference:
    """Per seed: test metrics trained on the whole pool's truth, and each sample's difficulty
    (empty when the crowd ignores difficulty)."""

    whole_pool: Metrics
    difficulty: Mapping[str, float]


@dataclass(frozen=True)
class World:
    """What every strategy of one seed shares: the split, the pool the crowd can answer, the
    control questions set aside from it, and each pool sample's difficulty."""

    seed: int
    split: Split
    pool: list[Record]
    gold: list[Record]
    difficulty: Mapping[str, float]


def reference_key(config: SimulationConfig, seed: int) -> tuple[object, ...]:
    """What a Reference depends on: reuse one only where all of this is equal."""
    base = config.base
    return (
        config.dataset,
        seed,
        base.pretrained_model,
        base.training_mode,
        config.crowd.difficulty > 0,
    )


def compute_reference(
    config: SimulationConfig, labels: Sequence[str], seed: int, split: Split, pool: Sequence[Record]
) -> Reference:
    """The whole-pool metrics and, if the crowd feels difficulty, every sample's difficulty."""
    whole = whole_pool_metrics(config, labels, seed, split, pool)
    difficulty = (
        item_difficulty(config, labels, seed, split, pool) if config.crowd.difficulty else {}
    )
    return Reference(whole, difficulty)


def whole_pool_metrics(
    config: SimulationConfig, labels: Sequence[str], seed: int, split: Split, pool: Sequence[Record]
) -> Metrics:
    """Test metrics of a model trained on the seed set plus every pool sample's true label."""
    model = _trained(config, labels, seed, split, pool)
    return model.test(split.test, [str(r.label) for r in split.test])


def item_difficulty(
    config: SimulationConfig, labels: Sequence[str], seed: int, split: Split, pool: Sequence[Record]
) -> dict[str, float]:
    """1 - (top probability - second) for each pool sample, from the half it was not in."""
    halves = [list(pool[0::2]), list(pool[1::2])]
    out: dict[str, float] = {}
    for train, other in ((halves[0], halves[1]), (halves[1], halves[0])):
        if other:
            top2 = np.sort(_trained(config, labels, seed, split, train).predict_proba(other))[
                :, -2:
            ]
            out.update(
                zip((r.id for r in other), (1 - top2[:, 1] + top2[:, 0]).tolist(), strict=True)
            )
    return out


def make_world(
    config: SimulationConfig,
    labels: Sequence[str],
    seed: int,
    split: Split,
    pool: list[Record],
    difficulty: Mapping[str, float],
) -> World:
    """Set gold_size pool samples aside as control questions (stratified, seeded)."""
    gold: list[Record] = []
    if config.base.gold_size:
        as_labelled = [replace(r, label=r.truth) for r in pool]
        drawn = split_labelled(as_labelled, labels, {"gold": config.base.gold_size}, seed)
        chosen = {r.id for r in drawn.gold}
        gold = [r for r in pool if r.id in chosen]
        pool = [r for r in pool if r.id not in chosen]
    return World(seed, split, pool, gold, difficulty)


def build(config: SimulationConfig, scenario: Scenario, labels: Sequence[str]) -> Model:
    """A fresh model of `scenario` with the simulation's cache and device."""
    from activecrowds_ml.models import build_model

    return build_model(scenario, labels, cache_dir=config.cache_dir, device=config.device)


def _trained(
    config: SimulationConfig, labels: Sequence[str], seed: int, split: Split, pool: Sequence[Record]
) -> Model:
    model = build(config, config.scenario(config.strategies[0], seed), labels)
    train = list(split.seed) + [replace(r, label=r.truth, truth=None) for r in pool]
    model.train(train, [str(r.label) for r in train])
    return model
