"""Scenario validation: every bad value is refused with the field and its range."""

from __future__ import annotations

from typing import Any

import pytest

from activecrowds_ml import Category, Scenario, Subcategory, TrainingMode, ValidationError


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
