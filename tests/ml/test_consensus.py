"""The paper's peer rule, and where Dawid-Skene beats the majority."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activecrowds_ml.consensus import (
    Aggregation,
    Answer,
    PeerRule,
    Redundancy,
    SampleState,
    accuracy_below,
    annotator_accuracy,
    dawid_skene,
    decide,
    gold_suspended,
    majority_vote,
)
from activecrowds_ml.errors import ValidationError

PAPER = PeerRule(min_peers=10, min_agreement=0.8, max_peers=20)


def test_accepted_with_ten_peers_at_eighty_percent() -> None:
    decision = decide(Counter(["yes"] * 8 + ["no"] * 2), PAPER)
    assert (decision.state, decision.label, decision.answers) == (SampleState.ACCEPTED, "yes", 10)
    assert decision.share == pytest.approx(0.8)


def test_open_below_min_peers_even_if_unanimous() -> None:
    assert decide(Counter(["yes"] * 9), PAPER).state is SampleState.OPEN


def test_open_with_enough_peers_but_not_enough_agreement() -> None:
    assert decide(Counter(["yes"] * 7 + ["no"] * 3), PAPER).state is SampleState.OPEN


def test_disputed_at_max_peers_without_agreement() -> None:
    decision = decide(Counter(["yes"] * 11 + ["no"] * 9), PAPER)
    assert (decision.state, decision.label) == (SampleState.DISPUTED, None)


def test_late_agreement_still_accepts() -> None:
    assert decide(Counter(["yes"] * 13 + ["no"] * 3), PAPER).state is SampleState.ACCEPTED


def test_no_answers_is_open() -> None:
    assert decide(Counter([]), PAPER).state is SampleState.OPEN


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_peers": 0},
        {"min_agreement": 0.5},
        {"min_agreement": 1.5},
        {"min_peers": 5, "max_peers": 4},
    ],
)
def test_bad_rules_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        PeerRule(**kwargs)  # type: ignore[arg-type]


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=25), st.randoms())
def test_order_of_answers_never_matters(answers: list[str], rnd: object) -> None:
    shuffled = list(answers)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    # Counters built in different orders iterate their labels in different orders.
    one, two = decide(Counter(answers), PAPER), decide(Counter(shuffled), PAPER)
    assert one == two
    if one.state is SampleState.ACCEPTED:
        assert one.answers >= PAPER.min_peers and one.share + 1e-9 >= PAPER.min_agreement
    if one.state is SampleState.DISPUTED:
        assert one.answers >= PAPER.max_peers


def _crowd(seed: int = 0) -> tuple[dict[str, str], list[Answer]]:
    """3 careful annotators (95% right) and 4 who mostly swap the labels (30% right)."""
    rng = np.random.default_rng(seed)
    truth = {f"s{i}": str(rng.choice(["collapsed", "intact"])) for i in range(150)}
    other = {"collapsed": "intact", "intact": "collapsed"}
    answers = []
    for worker in range(7):
        accuracy = 0.95 if worker < 3 else 0.3
        for sample, label in truth.items():
            given_label = label if rng.random() < accuracy else other[label]
            answers.append(Answer(sample, f"w{worker}", given_label))
    return truth, answers


def test_dawid_skene_recovers_what_the_majority_gets_wrong() -> None:
    # Given a crowd whose majority is unreliable in a consistent way
    truth, answers = _crowd()
    # When both aggregations label the samples
    majority, ds = majority_vote(answers), dawid_skene(answers)
    # Then the majority is often wrong, and Dawid-Skene, which learns each annotator's
    # confusion matrix, gets back nearly every label
    wrong_by_majority = [s for s in truth if majority[s] != truth[s]]
    assert len(wrong_by_majority) > 20
    recovered = sum(ds[s] == truth[s] for s in wrong_by_majority)
    assert recovered / len(wrong_by_majority) > 0.9
    assert np.mean([ds[s] == truth[s] for s in truth]) > 0.95


def test_annotator_accuracy_singles_out_the_unreliable() -> None:
    truth, answers = _crowd(seed=1)
    accuracy = annotator_accuracy(answers, truth)
    assert min(accuracy[f"w{i}"] for i in range(3)) > 0.85
    assert max(accuracy[f"w{i}"] for i in range(3, 7)) < 0.45


def test_dawid_skene_needs_answers() -> None:
    with pytest.raises(ValidationError):
        dawid_skene([])


ADAPTIVE = PeerRule(10, 0.8, 20, redundancy="adaptive")


def test_adaptive_accepts_once_the_missing_answers_cannot_overturn_it() -> None:
    # 8 of 8 agree: even if the last 2 of 10 disagreed, 8/10 would still be 80%
    decision = decide(Counter(["yes"] * 8), ADAPTIVE)
    assert (decision.state, decision.label, decision.answers) == (SampleState.ACCEPTED, "yes", 8)
    assert decide(Counter(["yes"] * 7), ADAPTIVE).state is SampleState.OPEN
    # 8 of 9 also holds whatever the tenth says; 7 of 8 does not (7/10 if the last two disagree)
    assert decide(Counter(["yes"] * 8 + ["no"]), ADAPTIVE).state is SampleState.ACCEPTED
    assert decide(Counter(["yes"] * 7 + ["no"]), ADAPTIVE).state is SampleState.OPEN


def test_adaptive_disputes_once_no_label_can_reach_agreement() -> None:
    # 5 against 5: at best 15 of 20, below 80%, so asking on is pointless
    decision = decide(Counter(["yes"] * 5 + ["no"] * 5), ADAPTIVE)
    assert (decision.state, decision.label) == (SampleState.DISPUTED, None)
    # 4 "no" leave "yes" a chance: 16 of 20 is 80%
    assert decide(Counter(["yes"] * 5 + ["no"] * 4), ADAPTIVE).state is SampleState.OPEN


def test_fixed_is_the_default_and_names_are_read_in_any_case() -> None:
    rule = PeerRule(aggregation="dawid_skene", redundancy="Adaptive")
    assert (rule.aggregation, rule.redundancy) == (Aggregation.DAWID_SKENE, Redundancy.ADAPTIVE)
    assert (PAPER.aggregation, PAPER.redundancy) == (Aggregation.PEER_RULE, Redundancy.FIXED)
    with pytest.raises(ValidationError) as err:
        PeerRule(redundancy="sometimes")
    assert err.value.field == "redundancy" and "FIXED, ADAPTIVE" in str(err.value)


def _run(stream: list[str], rule: PeerRule) -> tuple[SampleState, str | None, int]:
    """Feed answers one at a time until the rule decides."""
    votes: Counter[str] = Counter()
    for label in stream:
        votes[label] += 1
        decision = decide(votes, rule)
        if decision.state is not SampleState.OPEN:
            return decision.state, decision.label, decision.answers
    return SampleState.OPEN, None, len(stream)


@settings(max_examples=500)
@given(
    st.integers(1, 12),
    st.integers(0, 8),
    st.sampled_from([0.51, 0.6, 2 / 3, 0.7, 0.75, 0.8, 0.9, 1.0]),
    st.lists(st.sampled_from(["a", "b", "c"]), min_size=20, max_size=20),
)
def test_adaptive_never_decides_differently_from_fixed(
    peers: int, extra: int, agreement: float, stream: list[str]
) -> None:
    # Given the same answer stream under both rules (any stream: an adaptive decision must hold
    # for every continuation, the adversarial one included)
    fixed = PeerRule(peers, agreement, peers + extra)
    adaptive = PeerRule(peers, agreement, peers + extra, redundancy=Redundancy.ADAPTIVE)
    f_state, f_label, f_answers = _run(stream, fixed)
    a_state, a_label, a_answers = _run(stream, adaptive)
    # Then both reach the same decision, and adaptive never needs more answers
    assert (a_state, a_label) == (f_state, f_label)
    assert a_answers <= f_answers


@given(st.integers(0, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_accuracy_below_is_the_beta_posterior(counts: tuple[int, int]) -> None:
    from scipy.stats import beta

    right, seen = counts
    expected = beta.cdf(0.7, right + 1, seen - right + 1)
    assert accuracy_below(0.7, right, seen) == pytest.approx(expected, abs=1e-9)


def test_gold_suspension_wants_confidence_not_a_bare_share() -> None:
    assert not gold_suspended(1, 4)  # too few to judge, however bad
    assert gold_suspended(1, 5)  # 20%: under 70% with 99.6% confidence
    assert not gold_suspended(3, 5)  # 60%, which 47% of annotators right 70% of the time score
    assert gold_suspended(10, 20)  # an always-one-label spammer on balanced questions
    assert not gold_suspended(11, 20)
    assert gold_suspended(3, 6, confidence=0.8) and not gold_suspended(3, 6)
    with pytest.raises(ValidationError):
        accuracy_below(0.7, 6, 5)
