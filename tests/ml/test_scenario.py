"""Scenario validation: every bad value is refused with the field and its range."""

from __future__ import annotations

from typing import Any

import pytest

from activecrowds_ml import Category, Scenario, Subcategory, TrainingMode, ValidationError
from activecrowds_ml.consensus import Aggregation, PeerRule, Redundancy
from activecrowds_ml.scenario import gold_per_batch


def test_defaults_are_the_papers_protocol() -> None:
    s = Scenario()
    assert (s.initial_train_size, s.batch_size, s.min_peers, s.min_agreement) == (30, 30, 10, 0.8)
    assert s.query_strategy == "margin"
    assert s.pretrained_model == "efficientnet-lite0"
    assert Scenario(category="TEXT").pretrained_model == "minilm-l6"


def test_strings_become_enums_and_names_are_normalised() -> None:
    s = Scenario(
        category="image",
        subcategory="MULTICLASS_CLASSIFICATION",
        training_mode="FINETUNE",
        query_strategy="ENTROPY",
    )
    assert s.category is Category.IMAGE
    assert s.subcategory is Subcategory.MULTICLASS_CLASSIFICATION
    assert s.training_mode is TrainingMode.FINETUNE
    assert s.query_strategy == "entropy"


@pytest.mark.parametrize(
    ("change", "field", "hint"),
    [
        ({"batch_size": 0}, "batch_size", ">= 1"),
        ({"initial_train_size": -3}, "initial_train_size", ">= 1"),
        ({"eval_size": 2.5}, "eval_size", "integer"),
        ({"min_agreement": 1.5}, "min_agreement", "(0.5, 1]"),
        ({"min_agreement": 0.5}, "min_agreement", "(0.5, 1]"),
        ({"min_peers": 5, "max_peers": 3}, "max_peers", ">= 5"),
        ({"query_strategy": "psychic"}, "query_strategy", "margin"),
        ({"category": "SMELL"}, "category", "IMAGE"),
        ({"training_mode": "dream"}, "training_mode", "head"),
        ({"subcategory": "OBJECT_DETECTION"}, "subcategory", "cannot be trained"),
        ({"category": "AUDIO"}, "subcategory", "cannot be trained"),
    ],
)
def test_bad_values_name_the_field(change: dict[str, Any], field: str, hint: str) -> None:
    with pytest.raises(ValidationError) as err:
        Scenario(**change)
    assert err.value.field == field
    assert hint in str(err.value)


def test_frozen_and_replace_revalidates() -> None:
    s = Scenario()
    with pytest.raises(AttributeError):
        s.batch_size = 3  # type: ignore[misc]
    assert s.replace(batch_size=10).batch_size == 10
    with pytest.raises(ValidationError):
        s.replace(batch_size=0)


def test_to_dict_round_trips() -> None:
    s = Scenario(seed=4, query_strategy="bald")
    assert Scenario(**s.to_dict()) == s


def test_crowd_integrity_options_default_to_the_papers_rule() -> None:
    s = Scenario()
    assert (s.aggregation, s.redundancy, s.gold_share, s.gold_size) == (
        Aggregation.PEER_RULE,
        Redundancy.FIXED,
        0.0,
        0,
    )
    assert gold_per_batch(s) == 0
    assert s.peer_rule == PeerRule(10, 0.8, 20)


def test_crowd_integrity_options_are_parsed_in_any_case_and_kept_as_values() -> None:
    s = Scenario(aggregation="dawid_skene", redundancy="Adaptive", gold_share=0.1, gold_size=40)
    assert (s.aggregation, s.redundancy) == (Aggregation.DAWID_SKENE, Redundancy.ADAPTIVE)
    assert s.peer_rule.aggregation is Aggregation.DAWID_SKENE
    out = s.to_dict()
    assert (out["aggregation"], out["redundancy"]) == ("DAWID_SKENE", "ADAPTIVE")
    assert type(out["aggregation"]) is str
    assert Scenario(**out) == s


@pytest.mark.parametrize(
    ("share", "batch", "gold"), [(0.1, 30, 3), (0.25, 30, 10), (0.5, 30, 30), (0.05, 10, 1)]
)
def test_gold_is_that_share_of_the_batch_on_top_of_it(share: float, batch: int, gold: int) -> None:
    s = Scenario(gold_share=share, gold_size=50, batch_size=batch)
    assert gold_per_batch(s) == gold


@pytest.mark.parametrize(
    ("change", "field", "hint"),
    [
        ({"gold_share": 0.6, "gold_size": 10}, "gold_share", "[0, 0.5]"),
        ({"gold_share": -0.1, "gold_size": 10}, "gold_share", "[0, 0.5]"),
        ({"gold_share": True, "gold_size": 10}, "gold_share", "number"),
        ({"gold_share": 0.1}, "gold_size", ">= 1 when gold_share > 0"),
        ({"gold_size": -1}, "gold_size", ">= 0"),
        ({"aggregation": "median"}, "aggregation", "PEER_RULE, DAWID_SKENE"),
        ({"redundancy": "often"}, "redundancy", "FIXED, ADAPTIVE"),
    ],
)
def test_bad_crowd_integrity_values_name_the_field(
    change: dict[str, Any], field: str, hint: str
) -> None:
    with pytest.raises(ValidationError) as err:
        Scenario(**change)
    assert err.value.field == field
    assert hint in str(err.value)
