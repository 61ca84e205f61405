"""The realistic simulated crowd: spammers, colluders, hard items, gold, and the rules on it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from mltest import InstantModel
from PIL import Image

from activecrowds_ml import models
from activecrowds_ml.consensus import PeerRule
from activecrowds_ml.errors import ValidationError
from activecrowds_ml.experiment.crowd import CrowdConfig, GoldCheck, Role, SimulatedCrowd, Spam
from activecrowds_ml.experiment.simulate import SimulationConfig, run_simulation
from activecrowds_ml.experiment.summary import crowd_quality
from activecrowds_ml.scenario import Scenario
from activecrowds_ml.storage import Dataset, Record, write_dataset
from cli import main

LABELS = ("low", "high")


def test_spammers_and_colluders_answer_as_configured() -> None:
    # Given 10 annotators: 2 one-label spammers, 2 colluders, 6 careful and always right
    config = CrowdConfig(10, (1.0, 1.0), spammers=0.2, spam=Spam.ONE_LABEL, colluders=0.2)
    crowd = SimulatedCrowd(LABELS, config, seed=0)
    assert Counter(crowd.roles) == {Role.CAREFUL: 6, Role.ONE_LABEL: 2, Role.COLLUDER: 2}
    # When each answers 50 samples of either label
    truths = [LABELS[i % 2] for i in range(50)]
    answers = {a: [crowd.answer(a, t) for t in truths] for a in range(10)}
    # Then careful ones are right, spammers never change, colluders agree on the wrong label
    for a, role in enumerate(crowd.roles):
        if role is Role.CAREFUL:
            assert answers[a] == truths
        elif role is Role.ONE_LABEL:
            assert len(set(answers[a])) == 1
        else:
            assert all(given != t for given, t in zip(answers[a], truths, strict=True))
    colluders = [answers[a] for a, role in enumerate(crowd.roles) if role is Role.COLLUDER]
    assert colluders[0] == colluders[1]


def test_hard_items_bring_careful_annotators_to_chance() -> None:
    crowd = SimulatedCrowd(LABELS, CrowdConfig(1, (0.9, 0.9), difficulty=1.0), seed=1)
    easy = np.mean([crowd.answer(0, "low", difficulty=0.0) == "low" for _ in range(4000)])
    hard = np.mean([crowd.answer(0, "low", difficulty=1.0) == "low" for _ in range(4000)])
    assert easy == pytest.approx(0.9, abs=0.02)
    assert hard == pytest.approx(0.5, abs=0.03)


def test_a_mixed_spam_crowd_has_both_kinds() -> None:
    roles = CrowdConfig(20, spammers=0.2).roles()
    assert Counter(roles) == {Role.CAREFUL: 16, Role.ONE_LABEL: 2, Role.RANDOM: 2}
    with pytest.raises(ValidationError) as err:
        CrowdConfig(10, spammers=0.6, colluders=0.5)
    assert err.value.field == "colluders"


def test_gold_check_suspends_once_sure_the_accuracy_is_under_seventy_percent() -> None:
    check = GoldCheck()
    for right in (True, False, True, False):  # 2 of 4: too early to judge
        check.score([("a", "yes" if right else "no")], "yes")
    assert check.suspended == set()
    check.score([("a", "yes"), ("b", "no")], "yes")  # a: 3 of 5 = 60%, maybe bad luck
    assert check.suspended == set()
    for _ in range(3):  # 3 of 8: under 70% with 97.5% confidence
        check.score([("a", "no")], "yes")
    assert check.suspended == {"a"} and check.seen["a"] == 8
    for _ in range(7):
        check.score([("c", "yes")], "yes")
    for _ in range(3):
        check.score([("c", "no")], "yes")
    assert "c" not in check.suspended  # 7 of 10 is exactly 70%: kept


def test_suspended_annotators_are_never_asked() -> None:
    crowd = SimulatedCrowd(LABELS, CrowdConfig(12), seed=2)
    suspended = {f"a{i}" for i in range(4)}
    for _ in range(20):
        _, answers = crowd.ask("low", PeerRule(5, 0.8, 8), suspended=suspended)
        assert not {a for a, _ in answers} & suspended


@pytest.fixture
def digits(tmp_path: Path) -> Path:
    """sklearn's 8x8 digits as PNG: 0-4 low, 5-9 high; 60 labelled, 240 pool with truth."""
    from sklearn.datasets import load_digits

    data = load_digits()
    (tmp_path / "files").mkdir()
    records = []
    for i in range(300):
        path = tmp_path / "files" / f"{i}.png"
        Image.fromarray((data.images[i] * 15).astype(np.uint8), mode="L").save(path)
        label = LABELS[int(data.target[i] >= 5)]
        records.append(Record(str(i), file=str(path), label=label))
    pool = [Record(r.id, file=r.file, truth=r.label) for r in records[60:]]
    return write_dataset(tmp_path, "digits", "image", LABELS, records[:60], pool)


def _config(root: Path, **scenario: object) -> SimulationConfig:
    base = Scenario(initial_train_size=10, batch_size=20, eval_size=10, test_size=30, **scenario)
    crowd = CrowdConfig(20, (0.9, 0.9), difficulty=0.5, spammers=0.2, colluders=0.1)
    return SimulationConfig(root, ("margin",), (0, 1), 110, base, crowd)


def test_dawid_skene_adaptive_with_gold_labels_as_well_for_far_fewer_answers(
    digits: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a digits task, a crowd with 20% spammers and 10% colluders on items of varied
    # difficulty, and a model that answers instantly
    monkeypatch.setattr(models, "build_model", lambda _s, labels, **_: InstantModel(labels))
    dataset = Dataset.load(digits)
    # When the paper's rule and Dawid-Skene (adaptive, gold-anchored) label the same batches
    paper = run_simulation(_config(digits), dataset)
    weighed = run_simulation(
        _config(
            digits,
            aggregation="DAWID_SKENE",
            redundancy="ADAPTIVE",
            min_agreement=0.999,
            gold_share=0.1,
            gold_size=20,
        ),
        dataset,
    )
    fixed, adaptive = crowd_quality(paper, "margin"), crowd_quality(weighed, "margin")
    # Then Dawid-Skene's labels are as right with at most half the answers each
    assert adaptive.accuracy[0] >= fixed.accuracy[0] - 0.01
    assert adaptive.answers_per_label[0] <= fixed.answers_per_label[0] / 2
    # and gold was asked, counted among the answers, and suspended the worst annotators
    last = [r for r in weighed.rounds if r.round == max(x.round for x in weighed.rounds)]
    assert all(0 < r.gold_answers < r.answers for r in last)
    assert adaptive.suspended >= 2
    assert all(r.gold_answers == 0 and r.suspended == 0 for r in paper.rounds)


def test_simulate_command_takes_the_crowd_options(
    digits: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "build_model", lambda _s, labels, **_: InstantModel(labels))
    args = ["simulate", "--dataset", str(digits), "--out", str(tmp_path / "out"), "--seeds", "1"]
    args += ["--budget", "50", "--batch-size", "20", "--initial-size", "10", "--eval-size", "10"]
    args += ["--test-size", "30", "--difficulty", "0.5", "--spammers", "0.2", "--spam", "random"]
    args += ["--aggregation", "dawid_skene", "--redundancy", "adaptive", "--agreement", "0.99"]
    args += ["--gold-share", "0.1", "--gold-size", "10", "--no-progress"]
    assert main(args) == 0
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "20% spammers (random)" in summary and "difficulty 0.5" in summary
    assert "a Dawid-Skene posterior >= 0.99" in summary and "gold 10% of each batch" in summary
    assert "answers per accepted label" in summary
    header = (tmp_path / "out" / "details.csv").read_text().splitlines()[0]
    assert {"answers", "gold_answers", "suspended"} <= set(header.split(","))
    with pytest.raises(SystemExit):
        main([*args, "--spammers", "1.5"])
