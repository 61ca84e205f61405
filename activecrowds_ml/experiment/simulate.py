"""The paper's experiment without a server: a simulated crowd labels what each strategy asks for.

Per seed: split the labelled examples (seed, eval, test), score the whole-pool model (trained on
every pool sample with its true label), then for each strategy run the server's round
(`activecrowds_ml.round.run_round`: train -> evaluate -> test -> pick a batch), let the crowd
answer the batch under the scenario's rule (`consensus.decide_sample`, as the live loop does),
and repeat until the label budget is spent. Accepted labels join the training set; disputed ones
are dropped (their labels still count against the budget).

Crowd integrity: with item difficulty on, a sample's difficulty is one minus the margin of a
model trained on the other half of the pool with true labels (out of fold, so it is not
flattered by having seen the sample). With gold_share > 0, gold_size pool samples (their truth is
known in a simulation; the live server uses `Split.gold`) are set aside as control questions and
`gold_per_batch` of them are mixed into each batch; they are answered like any sample, their
answers suspend annotators under the live rule (`consensus.gold_suspended`) and anchor the
Dawid-Skene estimate, which is refitted after each batch. Gold answers count as answers, never
as labels.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from activecrowds_ml.errors import DatasetError, ValidationError
from activecrowds_ml.experiment.batch import CrowdLedger, ask_batch
from activecrowds_ml.experiment.crowd import CrowdConfig, SimulatedCrowd
from activecrowds_ml.experiment.world import (
    Reference,
    World,
    build,
    compute_reference,
    make_world,
    reference_key,
)
from activecrowds_ml.round import Labelled, RoundResult, run_round
from activecrowds_ml.scenario import Category, Scenario, TrainingMode, gold_per_batch
from activecrowds_ml.stopping import agreement
from activecrowds_ml.storage import Dataset, Record, Split
from activecrowds_ml.strategies import QueryStrategy, get_strategy

if TYPE_CHECKING:
    from activecrowds_ml.metrics import Metrics
    from activecrowds_ml.models.base import Model


@dataclass(frozen=True)
class SimulationConfig:
    """Everything one simulation run needs; `base` carries sizes, peers, model and mode."""

    dataset: Path
    strategies: tuple[str, ...] = ("margin", "random")
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    budget: int = 450
    base: Scenario = field(default_factory=Scenario)
    crowd: CrowdConfig = field(default_factory=CrowdConfig)
    cache_dir: Path | None = None
    device: str | None = None
    threads: int | None = None  # torch CPU threads; None: 1 in head mode, torch's default else

    @property
    def torch_threads(self) -> int | None:
        """Threads to run with: head mode multiplies small matrices, where more threads cost
        more than they give (5x slower with 2 threads on 2 busy cores, measured)."""
        if self.threads is None and self.base.training_mode is TrainingMode.HEAD:
            return 1
        return self.threads

    def scenario(self, strategy: str, seed: int) -> Scenario:
        """The scenario of one (strategy, seed) run."""
        return self.base.replace(query_strategy=strategy, seed=seed)

    def split(self, dataset: Dataset, seed: int) -> Split:
        """The labelled sets of one seed: gold left out, so seed, eval and test are those of
        the same run without gold (control questions come from the pool, see the module)."""
        plain = self.scenario(self.strategies[0], seed).replace(gold_share=0.0, gold_size=0)
        return dataset.split(plain)

    @property
    def rounds(self) -> int:
        """Query rounds after round 0 (ceil of the budget left after the seed over batch size)."""
        return -(-(self.budget - self.base.initial_train_size) // self.base.batch_size)


@dataclass(frozen=True)
class CurveRow:
    """One row of the learning curve, plus what happened in the round."""

    strategy: str
    seed: int
    round: int
    labelled: int  # labels spent: initial seed + samples the crowd was asked about
    accuracy: float  # on the test set
    f1: float
    train_size: int  # accepted labels actually trained on
    disputed: int
    wrong_accepted: int
    eval_accuracy: float
    seconds: float
    answers: int = 0  # every answer so far, gold included
    gold_answers: int = 0
    suspended: int = 0  # annotators suspended by the gold rule so far
    # Cohen's kappa between this round's predictions on the whole pool and the previous
    # round's, as the server's plateau rule computes it; None: round 0, or no plateau rule.
    agreement: float | None = None


@dataclass
class SimulationResult:
    """Curves, the whole-pool reference and the final test metrics of each run."""

    config: SimulationConfig
    labels: tuple[str, ...]
    name: str = ""
    rounds: list[CurveRow] = field(default_factory=list)
    whole_pool: dict[int, Metrics] = field(default_factory=dict)
    pool_sizes: dict[int, int] = field(default_factory=dict)
    final: dict[tuple[str, int], Metrics] = field(default_factory=dict)
    seconds: float = 0.0


def prepare(config: SimulationConfig, dataset: Dataset | None = None) -> Dataset:
    """Check everything up front (dataset, sizes, strategies, crowd, model) before any training.

    Raises:
        DatasetError: missing or malformed dataset, or too few labelled / pool samples.
        ValidationError: a bad option (the message names it).
        ModelError: unknown model or missing weights.
    """
    from activecrowds_ml.models import build_model

    dataset = dataset or Dataset.load(config.dataset)
    _check_options(config, dataset)
    for strategy in config.strategies:
        get_strategy(strategy)
    for seed in config.seeds:
        _check_pool(config, simulation_pool(dataset, config.split(dataset, seed)))
    build_model(config.base, dataset.labels, cache_dir=config.cache_dir, device=config.device)
    return dataset


def _check_options(config: SimulationConfig, dataset: Dataset) -> None:
    base = config.base
    kind = Category.IMAGE if dataset.kind == "image" else Category.TEXT
    if base.category is not kind:
        raise ValidationError(
            f"the dataset holds {dataset.kind}s, the scenario {base.category.value}", "category"
        )
    if not config.strategies or not config.seeds:
        raise ValidationError("give at least one strategy and one seed", "strategies")
    if config.budget < base.initial_train_size:
        raise ValidationError(
            f"budget ({config.budget}) must be >= the initial size ({base.initial_train_size})",
            "budget",
        )
    if base.min_peers > config.crowd.annotators:
        raise ValidationError(
            f"peers ({base.min_peers}) cannot exceed annotators ({config.crowd.annotators})",
            "min_peers",
        )


def _check_pool(config: SimulationConfig, pool: Sequence[Record]) -> None:
    wanted = config.budget - config.base.initial_train_size + config.base.gold_size
    if len(pool) < wanted:
        gold = f" and {config.base.gold_size} gold" if config.base.gold_size else ""
        raise DatasetError(
            f"the budget{gold} needs {wanted} pool samples with a known truth; the dataset has "
            f"{len(pool)} (pool records need `truth`, or add labelled examples)"
        )


def simulation_pool(dataset: Dataset, split: Split) -> list[Record]:
    """Pool records the crowd can answer: those with `truth`, plus labelled ones left over."""
    pool = [r for r in dataset.pool if r.truth is not None]
    pool += [replace(r, label=None, truth=r.label) for r in split.rest]
    return pool


def run_simulation(
    config: SimulationConfig,
    dataset: Dataset,
    progress: Callable[[str], None] | None = None,
    references: dict[tuple[object, ...], Reference] | None = None,
) -> SimulationResult:
    """Run every (seed, strategy); `progress` is called once per trained model with a note.

    `references` (filled in as they are computed) lets a caller comparing crowd rules on the
    same seeds train the whole-pool and difficulty models once.
    """
    with torch_threads(config.torch_threads):
        return _run_all(config, dataset, progress or (lambda _note: None), references or {})


@contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """Run with `threads` torch CPU threads (None: unchanged), restoring the old number."""
    import torch

    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _run_all(
    config: SimulationConfig,
    dataset: Dataset,
    tick: Callable[[str], None],
    references: dict[tuple[object, ...], Reference],
) -> SimulationResult:
    started = time.perf_counter()
    result = SimulationResult(config, dataset.labels, dataset.name)
    for seed in config.seeds:
        split = config.split(dataset, seed)
        pool = simulation_pool(dataset, split)
        result.pool_sizes[seed] = len(pool)
        key = reference_key(config, seed)
        if key not in references:
            references[key] = compute_reference(config, dataset.labels, seed, split, pool)
        result.whole_pool[seed] = references[key].whole_pool
        tick(f"seed {seed} whole pool")
        world = make_world(config, dataset.labels, seed, split, pool, references[key].difficulty)
        for strategy in config.strategies:
            rows, final = run_loop(config, dataset.labels, strategy, world, tick)
            result.rounds += rows
            result.final[(strategy, seed)] = final
    result.seconds = time.perf_counter() - started
    return result


@dataclass
class _Run:
    """The moving parts of one (strategy, seed) run."""

    scenario: Scenario
    train: list[Record]
    left: list[Record]
    spent: int
    crowd: CrowdLedger = field(default_factory=CrowdLedger)


def run_loop(
    config: SimulationConfig,
    labels: Sequence[str],
    strategy_name: str,
    world: World,
    tick: Callable[[str], None],
) -> tuple[list[CurveRow], Metrics]:
    """One active-learning run: rounds until the budget; returns the rows and the final test."""
    scenario = config.scenario(strategy_name, world.seed)
    strategy = get_strategy(strategy_name)
    crowd = SimulatedCrowd(labels, config.crowd, _crowd_seed(world.seed, strategy_name))
    model = build(config, scenario, labels)
    run = _Run(scenario, list(world.split.seed), list(world.pool), len(world.split.seed))
    rows: list[CurveRow] = []
    batch: list[Record] = []
    number, split, seed = 0, world.split, world.seed
    # The plateau rule's stop set: the whole pool, asked or not (the server predicts it too).
    stop_set = list(world.pool) if scenario.plateau_agreement is not None else []
    predicted: dict[str, str] = {}
    while True:
        started = time.perf_counter()
        _ask(crowd, batch, world, run, number)
        result = _round(model, strategy, run, split, config.budget, number, stop_set)
        row = _row(number, run, result, time.perf_counter() - started)
        now = {r.id: p.label for r, p in zip(stop_set, result.also_predictions, strict=True)}
        kappa = agreement(predicted, now, labels) if predicted and now else None
        rows.append(replace(row, agreement=kappa))
        predicted = now
        batch = _take(run, result.picked)
        tick(f"{strategy_name} seed {seed} round {number}")
        if not batch:
            return rows, result.test
        number += 1


def _round(
    model: Model,
    strategy: QueryStrategy,
    run: _Run,
    split: Split,
    budget: int,
    number: int,
    stop_set: Sequence[Record] = (),
) -> RoundResult:
    """The server's round on the labels accepted so far, asking no more than the budget allows."""
    k = min(run.scenario.batch_size, budget - run.spent, len(run.left))
    return run_round(
        model,
        strategy,
        train=_labelled(run.train),
        eval_set=_labelled(split.eval),
        test_set=_labelled(split.test),
        pool=run.left,
        k=k,
        seed=run.scenario.seed,
        number=number,
        also_predict=stop_set,
    )


def _crowd_seed(seed: int, strategy: str) -> list[int]:
    # crc32, not hash(): str hashes change between processes.
    return [seed, zlib.crc32(strategy.encode())]


def _labelled(records: Sequence[Record]) -> Labelled:
    return records, [str(r.label) for r in records]


def _take(run: _Run, picked: Sequence[int]) -> list[Record]:
    """Move the picked pool samples out of the pool; asking about them spends the budget."""
    chosen = set(picked)
    batch = [r for i, r in enumerate(run.left) if i in chosen]
    run.left = [r for i, r in enumerate(run.left) if i not in chosen]
    run.spent += len(batch)
    return batch


def _ask(crowd: SimulatedCrowd, batch: Sequence[Record], world: World, run: _Run, n: int) -> None:
    """The crowd answers the batch, with gold_per_batch control questions mixed in."""
    if not batch:
        return
    k = min(gold_per_batch(run.scenario), len(world.gold))
    gold = [world.gold[i] for i in crowd.rng.choice(len(world.gold), k, replace=False)] if k else []
    before = len(run.crowd.accepted)
    ask_batch(crowd, run.scenario.peer_rule, batch, gold, world.difficulty, run.crowd, n)
    run.train += run.crowd.accepted[before:]


def _row(number: int, run: _Run, result: RoundResult, seconds: float) -> CurveRow:
    return CurveRow(
        strategy=run.scenario.query_strategy,
        seed=run.scenario.seed,
        round=number,
        labelled=run.spent,
        accuracy=result.test.accuracy,
        f1=result.test.f1,
        train_size=result.train_size,
        disputed=run.crowd.disputed,
        wrong_accepted=run.crowd.wrong,
        eval_accuracy=result.eval.accuracy,
        seconds=seconds,
        answers=run.crowd.answers,
        gold_answers=run.crowd.gold_answers,
        suspended=len(run.crowd.gold.suspended),
    )
