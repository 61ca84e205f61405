"""The paper's experiment end to end on a tiny demo task with the real model, and its parts."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mltest import InstantModel

from activecrowds_ml import models
from activecrowds_ml.consensus import PeerRule, SampleState
from activecrowds_ml.errors import ValidationError
from activecrowds_ml.experiment import simulate
from activecrowds_ml.experiment.crowd import CrowdConfig, SimulatedCrowd
from activecrowds_ml.experiment.demo import write_demo
from activecrowds_ml.experiment.simulate import CurveRow, SimulationConfig, run_simulation
from activecrowds_ml.experiment.summary import curves
from activecrowds_ml.round import RoundResult, run_round
from activecrowds_ml.scenario import Scenario
from activecrowds_ml.storage import Dataset, Record
from cli import main

LABELS = ("no", "yes")


@pytest.fixture(scope="session")
def simulation(tmp_path_factory: pytest.TempPathFactory, feature_cache_dir: Path) -> Path:
    """`activecrowds simulate` on 200 demo images: 2 strategies x 2 seeds x 3 rounds."""
    root = tmp_path_factory.mktemp("simulate")
    write_demo(root / "demo", size=200, labelled=100)
    args = ["simulate", "--dataset", str(root / "demo"), "--out", str(root / "out")]
    args += ["--seeds", "2", "--budget", "40", "--batch-size", "15", "--initial-size", "10"]
    args += ["--eval-size", "20", "--test-size", "40", "--cache-dir", str(feature_cache_dir)]
    assert main([*args, "--no-progress"]) == 0
    return root / "out"


def test_simulate_writes_curves_plots_and_summary(simulation: Path) -> None:
    # Then the four promised files are there
    for name in ("curves.csv", "learning_curve.png", "confusion_matrix.png", "summary.md"):
        assert (simulation / name).stat().st_size > 0, name
    assert (simulation / "learning_curve.png").read_bytes()[:4] == b"\x89PNG"
    # and curves.csv has exactly the promised columns, one row per round
    with (simulation / "curves.csv").open() as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames == ["strategy", "seed", "round", "labelled", "accuracy", "f1"]
    runs = Counter((r["strategy"], r["seed"]) for r in rows)
    assert runs == {(s, seed): 3 for s in ("margin", "random") for seed in ("0", "1")}
    margin0 = [r for r in rows if r["strategy"] == "margin" and r["seed"] == "0"]
    assert [int(r["labelled"]) for r in margin0] == [10, 25, 40]
    assert all(0.5 <= float(r["accuracy"]) <= 1 and 0 <= float(r["f1"]) <= 1 for r in rows)


def test_summary_states_labels_needed_and_the_paper(simulation: Path) -> None:
    text = (simulation / "summary.md").read_text()
    assert "whole-pool accuracy" in text and "to reach 99% of it" in text
    assert "| margin |" in text and "| random |" in text
    assert "Per seed (each against its own whole-pool accuracy" in text
    assert "92.47%" in text and "315 TN, 154 TP of 500" in text


def test_the_model_learns_from_crowd_labels(simulation: Path) -> None:
    # A real model on real images: 40 labels beat the majority class on average
    with (simulation / "curves.csv").open() as f:
        last = [float(r["accuracy"]) for r in csv.DictReader(f) if r["round"] == "2"]
    assert sum(last) / len(last) > 0.75


@dataclass(frozen=True)
class Call:
    """One run_round call of a simulation: what it was given and what it returned."""

    seed: int
    number: int
    train: list[Record]
    pool: list[Record]
    result: RoundResult


def test_every_simulated_round_is_the_servers_run_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a demo task, an instant model and run_round wrapped to log every call
    write_demo(tmp_path / "demo", size=120, labelled=60)
    dataset = Dataset.load(tmp_path / "demo")
    monkeypatch.setattr(models, "build_model", lambda _s, labels, **_: InstantModel(labels))
    calls: list[Call] = []

    def logged(*args: Any, **kwargs: Any) -> RoundResult:
        result = run_round(*args, **kwargs)
        train, pool = list(kwargs["train"][0]), list(kwargs["pool"])
        calls.append(Call(kwargs["seed"], kwargs["number"], train, pool, result))
        return result

    monkeypatch.setattr(simulate, "run_round", logged)
    base = Scenario(initial_train_size=10, batch_size=15, eval_size=10, test_size=20)
    config = SimulationConfig(tmp_path / "demo", seeds=(0, 1), budget=40, base=base)
    # When the simulation runs
    rows = run_simulation(config, dataset).rounds
    # Then each curve row is one run_round call, numbered from 0 within each run
    assert [(c.seed, c.number) for c in calls] == [(r.seed, r.round) for r in rows]
    assert [c.number for c in calls] == [0, 1, 2] * 4
    assert [(c.result.test.accuracy, c.result.train_size) for c in calls] == [
        (r.accuracy, r.train_size) for r in rows
    ]
    # and the crowd is asked exactly about the samples run_round picked, within the budget
    runs = zip(calls, calls[1:], rows, rows[1:], strict=False)
    for before, after, last, row in runs:
        if after.number == 0:
            continue
        picked = {before.pool[i].id for i in before.result.picked}
        joined = {r.id for r in after.train} - {r.id for r in before.train}
        assert joined <= picked and not picked & {r.id for r in after.pool}
        assert len(picked) - len(joined) == row.disputed - last.disputed
        assert row.labelled == last.labelled + len(picked)
    assert [len(c.result.picked) for c in calls[:3]] == [15, 15, 0]


def test_a_perfect_crowd_is_accepted_after_exactly_min_peers() -> None:
    crowd = SimulatedCrowd(LABELS, CrowdConfig(20, (1.0, 1.0)), seed=0)
    decision = crowd.label("yes", PeerRule(10, 0.8, 20))
    assert decision.state is SampleState.ACCEPTED
    assert (decision.label, decision.answers) == ("yes", 10)


def test_a_coin_flipping_crowd_is_mostly_disputed_never_open() -> None:
    crowd = SimulatedCrowd(LABELS, CrowdConfig(20, (0.5, 0.5)), seed=1)
    states = Counter(crowd.label("yes", PeerRule(10, 0.8, 20)).state for _ in range(200))
    assert SampleState.OPEN not in states
    assert states[SampleState.DISPUTED] > 150


def test_a_crowd_that_is_always_wrong_agrees_on_the_wrong_label() -> None:
    crowd = SimulatedCrowd(LABELS, CrowdConfig(12, (0.0, 0.0)), seed=2)
    assert crowd.label("yes", PeerRule(10, 0.8, 12)).label == "no"


def test_crowd_is_reproducible_for_a_seed() -> None:
    def run(seed: int) -> list[str | None]:
        crowd = SimulatedCrowd(LABELS, CrowdConfig(20, (0.6, 0.95)), seed=seed)
        return [crowd.label("no", PeerRule(10, 0.8, 20)).label for _ in range(50)]

    assert run(7) == run(7)


def test_crowd_rejects_bad_accuracy() -> None:
    with pytest.raises(ValidationError, match="annotator accuracy"):
        CrowdConfig(20, (0.9, 0.7))


def _row(strategy: str, seed: int, labelled: int, accuracy: float) -> CurveRow:
    return CurveRow(strategy, seed, labelled // 30, labelled, accuracy, 0.0, labelled, 0, 0,
                       accuracy, 0.1)  # fmt: skip


def test_labels_needed_is_read_from_the_mean_curve() -> None:
    rows = [
        _row("margin", 0, 30, 0.80), _row("margin", 1, 30, 0.84),
        _row("margin", 0, 60, 0.90), _row("margin", 1, 60, 0.93),
        _row("margin", 0, 90, 0.95), _row("margin", 1, 90, 0.93),
    ]  # fmt: skip
    curve = curves(rows)["margin"]
    assert curve.first_reaching(0.915) == 60  # mean at 60 is 0.915 exactly
    assert curve.first_reaching(0.94) == 90
    assert curve.first_reaching(0.96) is None
    assert curve.at(60) == pytest.approx((0.915, 0.015))
    assert curve.at(45) is None
