"""Stopping rules in the simulation: each rule's stop read off the runs, in the summary and plot."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from mltest import InstantModel

from activecrowds_ml import models
from activecrowds_ml.experiment.cli import _stop_rules
from activecrowds_ml.experiment.demo import write_demo
from activecrowds_ml.experiment.simulate import CurveRow, SimulationConfig, run_simulation
from activecrowds_ml.experiment.stops import stop_points, summarize
from activecrowds_ml.scenario import Scenario
from activecrowds_ml.stopping import FinishedReason, StoppingRules
from activecrowds_ml.storage import Dataset
from cli import main

R = FinishedReason


def row(seed: int, n: int, eval_accuracy: float, kappa: float | None) -> CurveRow:
    labelled = 30 + 30 * n
    return CurveRow("margin", seed, n, labelled, eval_accuracy - 0.01, 0.0, labelled, 0, 0,
                    eval_accuracy, 0.1, agreement=kappa)  # fmt: skip


def test_each_rule_stops_a_run_at_the_first_round_where_it_alone_holds() -> None:
    rows = [
        row(0, 0, 0.80, None), row(0, 1, 0.86, 0.90), row(0, 2, 0.91, 0.97), row(0, 3, 0.92, 0.99),
        row(1, 0, 0.70, None), row(1, 1, 0.75, 0.50), row(1, 2, 0.80, 0.60), row(1, 3, 0.85, 0.70),
    ]  # fmt: skip
    rules = StoppingRules(label_budget=90, target_accuracy=0.9, plateau_agreement=0.95,
                          plateau_window=2)  # fmt: skip
    found = {(p.seed, p.reason): p.row.round if p.row else None for p in stop_points(rows, rules)}
    assert found == {
        (0, R.TARGET_ACCURACY): 2,
        (0, R.PLATEAU): 3,  # mean of 0.97 and 0.99; at round 2 it was (0.90 + 0.97) / 2
        (0, R.LABEL_BUDGET): 2,
        (1, R.TARGET_ACCURACY): None,
        (1, R.PLATEAU): None,
        (1, R.LABEL_BUDGET): 2,
    }
    target = next(s for s in summarize(stop_points(rows, rules)) if s.reason is R.TARGET_ACCURACY)
    assert (target.stopped, target.runs, target.labelled) == (1, 2, 90)
    assert target.accuracy == pytest.approx(0.90) and target.final_accuracy == pytest.approx(0.91)


def test_the_simulation_measures_agreement_on_the_whole_pool_only_for_a_plateau_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_demo(tmp_path / "demo", size=120, labelled=60)
    dataset = Dataset.load(tmp_path / "demo")
    monkeypatch.setattr(models, "build_model", lambda _s, labels, **_: InstantModel(labels))
    base = Scenario(initial_train_size=10, batch_size=15, eval_size=10, test_size=20)
    plain = SimulationConfig(tmp_path / "demo", seeds=(0,), budget=40, base=base)
    assert {r.agreement for r in run_simulation(plain, dataset).rounds} == {None}
    # A model whose predictions never change agrees fully with itself from round 1 on
    ruled = base.replace(plateau_agreement=0.99, plateau_window=1)
    config = SimulationConfig(tmp_path / "demo", seeds=(0,), budget=40, base=ruled)
    rows = run_simulation(config, dataset).rounds
    assert [(r.strategy, r.agreement) for r in rows if r.strategy == "margin"] == [
        ("margin", None),
        ("margin", 1.0),
        ("margin", 1.0),
    ]
    [margin, _random] = [p for p in stop_points(rows, ruled.stopping)]
    assert (margin.reason, margin.row and margin.row.round) == (R.PLATEAU, 1)


def test_simulate_stop_marks_each_rule_in_the_summary_and_the_plot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_demo(tmp_path / "demo", size=120, labelled=60)
    monkeypatch.setattr(models, "build_model", lambda _s, labels, **_: InstantModel(labels))
    out = tmp_path / "out"
    args = ["simulate", "--dataset", str(tmp_path / "demo"), "--out", str(out), "--seeds", "2"]
    args += ["--budget", "40", "--batch-size", "15", "--initial-size", "10"]
    args += ["--eval-size", "10", "--test-size", "20", "--no-progress"]
    args += ["--stop", "label_budget=25,plateau=0.99,plateau_window=1"]
    assert main(args) == 0
    summary = (out / "summary.md").read_text()
    assert "## Stopping rules" in summary
    assert "| PLATEAU | margin | 2/2 | 25 |" in summary  # round 1: 10 seed + 15 asked
    assert "| LABEL_BUDGET | random | 2/2 | 25 |" in summary
    assert "## Stopping rules" in capsys.readouterr().out
    assert (out / "learning_curve.png").read_bytes()[:4] == b"\x89PNG"


def test_stop_rules_are_named_as_the_servers_finished_reasons() -> None:
    assert _stop_rules("label_budget=300, plateau=0.99,plateau_window=2") == {
        "label_budget": 300,
        "plateau_agreement": 0.99,
        "plateau_window": 2,
    }
    assert _stop_rules("target_accuracy=0.93") == {"target_accuracy": 0.93}
    for bad in ("patience=3", "plateau=high", "label_budget=1.5"):
        with pytest.raises(argparse.ArgumentTypeError):
            _stop_rules(bad)
