"""Stopping rules: the pure decision the server's rounds and the simulation share."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activecrowds_ml import Scenario, ValidationError
from activecrowds_ml.stopping import (
    PRIORITY,
    FinishedReason,
    Progress,
    StoppingRules,
    agreement,
    plateaued,
    stop_reason,
)

R = FinishedReason


def progress(labels: int = 60, pool_left: int = 100, **more: Any) -> Progress:
    return Progress(labels=labels, pool_left=pool_left, **more)


def test_with_no_rule_on_only_an_empty_pool_stops() -> None:
    assert stop_reason(StoppingRules(), progress(eval_accuracy=1.0, agreements=[1.0] * 9)) is None
    assert stop_reason(StoppingRules(), progress(pool_left=0)) is R.POOL_EXHAUSTED


def test_label_budget_counts_the_labels_spent() -> None:
    rules = StoppingRules(label_budget=90)
    assert stop_reason(rules, progress(labels=89)) is None
    assert stop_reason(rules, progress(labels=90)) is R.LABEL_BUDGET
    assert stop_reason(rules, progress(labels=120)) is R.LABEL_BUDGET  # lowered below spent
    assert rules.labels_left(60) == 30
    assert rules.labels_left(95) == 0
    assert StoppingRules().labels_left(60) is None


def test_target_accuracy_is_the_eval_accuracy_reaching_it() -> None:
    rules = StoppingRules(target_accuracy=0.9)
    assert stop_reason(rules, progress(eval_accuracy=0.899)) is None
    assert stop_reason(rules, progress(eval_accuracy=0.9)) is R.TARGET_ACCURACY
    assert stop_reason(rules, progress(eval_accuracy=None)) is None


def test_plateau_needs_a_full_window_of_agreements_whose_mean_reaches_the_threshold() -> None:
    rules = StoppingRules(plateau_agreement=0.95, plateau_window=3)
    assert stop_reason(rules, progress(agreements=[None, 0.99, 0.99])) is None
    assert stop_reason(rules, progress(agreements=[None, 0.9, 0.98, 0.97, 0.96])) is R.PLATEAU
    assert stop_reason(rules, progress(agreements=[None, 0.99, 0.99, 0.99, 0.8])) is None
    # A round with nothing to compare with breaks the window (as KappaAverage restarts).
    assert not plateaued([1.0, None, 1.0], 0.5, 3)


def test_a_goal_met_is_reported_before_a_resource_spent() -> None:
    rules = StoppingRules(label_budget=60, target_accuracy=0.8, plateau_agreement=0.9)
    everything = progress(labels=60, pool_left=0, eval_accuracy=0.85, agreements=[0.95] * 3)
    assert stop_reason(rules, everything) is R.TARGET_ACCURACY
    assert PRIORITY[-1] is R.POOL_EXHAUSTED and set(PRIORITY) == set(R)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"label_budget": 0}, "label_budget"),
        ({"label_budget": True}, "label_budget"),
        ({"label_budget": 12.5}, "label_budget"),
        ({"target_accuracy": 0}, "target_accuracy"),
        ({"target_accuracy": 1.01}, "target_accuracy"),
        ({"target_accuracy": float("nan")}, "target_accuracy"),
        ({"plateau_agreement": -0.2}, "plateau_agreement"),
        ({"plateau_agreement": "0.9"}, "plateau_agreement"),
        ({"plateau_window": 0}, "plateau_window"),
    ],
)
def test_bad_rules_name_the_scenario_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        Scenario(**change)
    assert err.value.field == field


def test_a_budget_must_buy_at_least_one_crowd_label() -> None:
    with pytest.raises(ValidationError, match="seed set") as err:
        Scenario(initial_train_size=30, label_budget=30)
    assert err.value.field == "label_budget"
    scenario = Scenario(initial_train_size=30, label_budget=31, plateau_agreement=0.99)
    assert scenario.stopping == StoppingRules(31, None, 0.99, 3)
    assert Scenario(**scenario.to_dict()) == scenario  # stored and read back as tasks are


def test_agreement_is_cohens_kappa_on_the_samples_both_rounds_predicted() -> None:
    labels = ["no", "yes"]
    before = {1: "yes", 2: "yes", 3: "no", 4: "no", 9: "yes"}
    after = {1: "yes", 2: "no", 3: "no", 4: "no", 5: "yes"}  # 9 gone, 5 new: not compared
    # Over samples 1-4: observed 3/4; chance (2/4 * 1/4) + (2/4 * 3/4) = 1/2: kappa 0.5.
    assert agreement(before, after, labels) == pytest.approx(0.5)
    assert agreement(before, before, labels) == 1.0
    assert agreement({1: "no", 2: "no"}, {1: "no", 2: "no"}, labels) == 1.0  # one label only
    assert agreement({1: "no"}, {2: "no"}, labels) is None


@given(
    st.dictionaries(st.integers(0, 30), st.sampled_from("abc"), min_size=1),
    st.dictionaries(st.integers(0, 30), st.sampled_from("abc"), min_size=1),
)
def test_agreement_is_symmetric_bounded_and_one_exactly_when_nothing_changed(
    before: dict[int, str], after: dict[int, str]
) -> None:
    labels = ["a", "b", "c"]
    kappa = agreement(before, after, labels)
    shared = before.keys() & after.keys()
    if not shared:
        assert kappa is None
        return
    assert kappa is not None and -1.0 <= kappa <= 1.0
    assert kappa == pytest.approx(agreement(after, before, labels))
    unchanged = all(before[k] == after[k] for k in shared)
    assert (kappa >= 1.0 - 1e-12) is unchanged


rules_st = st.builds(
    StoppingRules,
    label_budget=st.none() | st.integers(1, 500),
    target_accuracy=st.none() | st.floats(0.01, 1.0),
    plateau_agreement=st.none() | st.floats(0.01, 1.0),
    plateau_window=st.integers(1, 4),
)
progress_st = st.builds(
    Progress,
    labels=st.integers(0, 600),
    pool_left=st.integers(0, 3),
    eval_accuracy=st.none() | st.floats(0.0, 1.0),
    agreements=st.lists(st.none() | st.floats(-1.0, 1.0), max_size=6),
)


@given(rules_st, progress_st)
def test_the_loop_stops_exactly_when_some_rule_holds_and_says_which(
    rules: StoppingRules, now: Progress
) -> None:
    holding = [r for r in R if rules.holds(r, now)]
    reason = stop_reason(rules, now)
    assert (reason is None) == (not holding)
    if reason is not None:
        assert reason in holding
        assert all(PRIORITY.index(reason) <= PRIORITY.index(r) for r in holding)


@given(rules_st, progress_st)
def test_turning_a_rule_off_never_stops_a_loop_that_ran_on(
    rules: StoppingRules, now: Progress
) -> None:
    off = StoppingRules(plateau_window=rules.plateau_window)
    if stop_reason(rules, now) is None:
        assert stop_reason(off, now) is None


@given(rules_st, st.integers(0, 600))
def test_a_capped_batch_never_spends_past_the_budget(rules: StoppingRules, spent: int) -> None:
    left = rules.labels_left(spent)
    if rules.label_budget is None:
        assert left is None
    else:
        assert left is not None and left >= 0
        assert spent + left == max(spent, rules.label_budget)
