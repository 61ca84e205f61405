"""Dawid-Skene as a live rule: a crowd's estimated confusion matrices, posteriors, decisions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from activecrowds_ml.consensus import (
    Answer,
    PeerRule,
    SampleState,
    WorkerModel,
    decide_posterior,
    decide_sample,
    estimate_workers,
)
from activecrowds_ml.errors import ValidationError

LABELS = ("no", "yes")
DS_FIXED = PeerRule(3, 0.9, 6, aggregation="DAWID_SKENE")
DS_ADAPTIVE = PeerRule(3, 0.9, 6, aggregation="DAWID_SKENE", redundancy="ADAPTIVE")


def test_posterior_is_bayes_with_each_annotators_row() -> None:
    # Given a prior 60/40 and two annotators of known confusion matrices
    model = WorkerModel(
        ("a", "b"),
        (0.6, 0.4),
        {"x": ((0.9, 0.1), (0.2, 0.8)), "y": ((0.7, 0.3), (0.4, 0.6))},
    )
    # When x says "a" and y says "b"
    posterior = model.posterior([("x", "a"), ("y", "b")])
    # Then P(a) = 0.6*0.9*0.3 / (0.6*0.9*0.3 + 0.4*0.2*0.6) = 0.162 / 0.21
    assert posterior["a"] == pytest.approx(0.162 / 0.21)
    assert posterior["b"] == pytest.approx(0.048 / 0.21)
    # and an unknown label changes nothing, nor does underflow: 2,000 answers stay finite
    assert model.posterior([("x", "a"), ("y", "b"), ("x", "maybe")]) == posterior
    many = model.posterior([("x", "a")] * 1000 + [("y", "b")] * 1000)
    assert many["a"] == pytest.approx(1.0) and np.isfinite(many["b"])


def test_unknown_annotators_get_the_default_matrix() -> None:
    model = WorkerModel.uniform(["a", "b", "c"], default_accuracy=0.7)
    expected = [[0.7, 0.15, 0.15], [0.15, 0.7, 0.15], [0.15, 0.15, 0.7]]
    np.testing.assert_allclose(model.matrix("nobody"), expected)
    assert model.reliability("nobody") == pytest.approx(0.7)
    assert model.posterior([]) == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})


def test_reliability_is_expected_accuracy_under_the_prior() -> None:
    model = WorkerModel(LABELS, (0.75, 0.25), {"w": ((0.9, 0.1), (0.5, 0.5))})
    assert model.reliability("w") == pytest.approx(0.75 * 0.9 + 0.25 * 0.5)


def test_json_round_trip_and_bad_shapes() -> None:
    model = WorkerModel(LABELS, (0.3, 0.7), {"w1": ((0.8, 0.2), (0.1, 0.9))}, 0.65)
    again = WorkerModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again == model
    with pytest.raises(ValidationError, match="rows must be non-negative and sum to 1"):
        WorkerModel(LABELS, (0.5, 0.5), {"w": ((0.8, 0.3), (0.1, 0.9))})
    with pytest.raises(ValidationError, match="shape"):
        WorkerModel(LABELS, (0.2, 0.3, 0.5))
    with pytest.raises(ValidationError, match="not a worker model"):
        WorkerModel.from_dict({"labels": ["no", "yes"]})


def _crowd(
    seed: int, spammers: int = 2, good: int = 8, samples: int = 200
) -> tuple[dict[str, str], list[Answer]]:
    """`good` annotators right 90% of the time and `spammers` who always say "no"."""
    rng = np.random.default_rng(seed)
    truth = {f"s{i}": str(rng.choice(LABELS)) for i in range(samples)}
    answers = []
    for w in range(good + spammers):
        for sample, label in truth.items():
            if w >= good:
                given = "no"
            else:
                given = label if rng.random() < 0.9 else ("no" if label == "yes" else "yes")
            answers.append(Answer(sample, f"w{w}", given))
    return truth, answers


def test_estimate_workers_tells_a_spammer_from_careful_annotators() -> None:
    # Given 8 annotators right 90% of the time and 2 who always say "no"
    _, answers = _crowd(seed=0)
    # When their confusion matrices are estimated
    model = estimate_workers(answers, LABELS)
    # Then the careful ones are near 90% and the spammers near chance
    assert all(0.85 < model.reliability(f"w{w}") < 0.95 for w in range(8))
    assert all(model.reliability(f"w{w}") < 0.6 for w in (8, 9))
    # and a spammer's "no" weighs nothing against one careful "yes"
    assert model.posterior([("w8", "no"), ("w0", "yes")])["yes"] > 0.85


def _swapping_crowd(seed: int) -> tuple[dict[str, str], list[Answer]]:
    """2 careful annotators (95%) and 3 who nearly always give the other label."""
    rng = np.random.default_rng(seed)
    truth = {f"s{i}": str(rng.choice(LABELS)) for i in range(120)}
    other = {"no": "yes", "yes": "no"}
    answers = []
    for w in range(5):
        accuracy = 0.95 if w < 2 else 0.05
        for sample, label in truth.items():
            given = label if rng.random() < accuracy else other[label]
            answers.append(Answer(sample, f"w{w}", given))
    return truth, answers


def test_gold_anchors_the_estimate_when_the_majority_is_wrong() -> None:
    # Given a crowd whose majority swaps the labels consistently
    truth, answers = _swapping_crowd(seed=3)
    gold = dict(list(truth.items())[:15])

    def accuracy(model: WorkerModel) -> float:
        by_sample: dict[str, list[tuple[str, str]]] = {}
        for a in answers:
            by_sample.setdefault(a.sample, []).append((a.annotator, a.label))
        posteriors = {s: model.posterior(v) for s, v in by_sample.items()}
        right = [max(p, key=p.__getitem__) == truth[s] for s, p in posteriors.items()]
        return float(np.mean(right))

    # When the workers are estimated without and with 15 control questions
    blind, anchored = estimate_workers(answers, LABELS), estimate_workers(answers, LABELS, gold)
    # Then without gold the crowd's consistent lie wins; with it the truth does
    assert accuracy(blind) < 0.2
    assert accuracy(anchored) > 0.95
    assert anchored.reliability("w0") > 0.85 and anchored.reliability("w2") < 0.15


def test_estimate_workers_from_almost_nothing() -> None:
    # One answer: a matrix, but nowhere near certain
    one = estimate_workers([Answer("s", "w", "yes")], ["no", "yes", "maybe"])
    assert one.labels == ("no", "yes", "maybe")
    assert 0.5 < one.confusion["w"][1][1] < 0.95
    assert one.confusion["w"][0] == pytest.approx((0.7, 0.15, 0.15))  # no evidence: default
    # One annotator, a label nobody used, a gold sample: still a valid model
    answers = [Answer(f"s{i}", "w", "no") for i in range(5)]
    model = estimate_workers(answers, (*LABELS, "maybe"), gold={"s0": "yes"})
    assert set(model.confusion) == {"w"} and len(model.prior) == 3
    assert estimate_workers([], LABELS) == WorkerModel.uniform(LABELS)


def test_decide_posterior_fixed_waits_for_min_peers_adaptive_does_not() -> None:
    confident = {"no": 0.02, "yes": 0.98}
    assert decide_posterior(confident, 2, DS_FIXED).state is SampleState.OPEN
    decision = decide_posterior(confident, 2, DS_ADAPTIVE)
    assert (decision.state, decision.label, decision.share) == (SampleState.ACCEPTED, "yes", 0.98)
    assert decide_posterior(confident, 1, DS_ADAPTIVE).state is SampleState.OPEN
    assert decide_posterior(confident, 3, DS_FIXED).state is SampleState.ACCEPTED
    unsure = {"no": 0.4, "yes": 0.6}
    assert decide_posterior(unsure, 5, DS_ADAPTIVE).state is SampleState.OPEN
    assert decide_posterior(unsure, 6, DS_ADAPTIVE).state is SampleState.DISPUTED


def test_decide_sample_weighs_answers_by_the_workers() -> None:
    # Given a careful annotator and two the model knows to be unreliable
    careful, coin = ((0.95, 0.05), (0.05, 0.95)), ((0.5, 0.5), (0.5, 0.5))
    model = WorkerModel(LABELS, (0.5, 0.5), {"c": careful, "u1": coin, "u2": coin})
    answers = [("u1", "no"), ("u2", "no"), ("c", "yes")]
    # Then the peer rule follows the votes, Dawid-Skene the careful one
    votes = decide_sample(answers, PeerRule(3, 0.6, 6))
    assert (votes.state, votes.label) == (SampleState.ACCEPTED, "no")
    weighed = decide_sample(answers, DS_ADAPTIVE, model)
    assert (weighed.state, weighed.label) == (SampleState.ACCEPTED, "yes")
    # and with no model every annotator counts the same (default accuracy)
    assert decide_sample(answers, DS_FIXED, None).label == "no"


def test_decide_sample_without_a_model_is_not_certain_after_one_label() -> None:
    # Two "yes" from unknown annotators, labels not given: as a binary task at 70% each
    decision = decide_sample([("a", "yes"), ("b", "yes")], DS_ADAPTIVE, None)
    assert decision.share == pytest.approx(0.49 / (0.49 + 0.09))
    assert (decision.state, decision.label) == (SampleState.OPEN, "yes")
