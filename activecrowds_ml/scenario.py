"""A scenario: the frozen, validated configuration of one task's active-learning loop."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from activecrowds_ml.consensus import Aggregation, PeerRule, Redundancy, parse_enum
from activecrowds_ml.errors import ValidationError
from activecrowds_ml.stopping import DEFAULT_PLATEAU_WINDOW, StoppingRules


class Category(StrEnum):
    IMAGE = "IMAGE"
    TEXT = "TEXT"
    AUDIO = "AUDIO"
    OTHER = "OTHER"


class Subcategory(StrEnum):
    BINARY_CLASSIFICATION = "BINARY_CLASSIFICATION"
    MULTICLASS_CLASSIFICATION = "MULTICLASS_CLASSIFICATION"
    OBJECT_DETECTION = "OBJECT_DETECTION"
    IMAGE_CAPTIONING = "IMAGE_CAPTIONING"


class TrainingMode(StrEnum):
    HEAD = "head"  # frozen backbone, cached features, small head
    FINETUNE = "finetune"  # the whole network


# What the ML core can train today; the rest are listed in the API but refused.
TRAINABLE: dict[Category, frozenset[Subcategory]] = {
    Category.IMAGE: frozenset(
        {Subcategory.BINARY_CLASSIFICATION, Subcategory.MULTICLASS_CLASSIFICATION}
    ),
    Category.TEXT: frozenset(
        {Subcategory.BINARY_CLASSIFICATION, Subcategory.MULTICLASS_CLASSIFICATION}
    ),
}

DEFAULT_MODEL = {Category.IMAGE: "efficientnet-lite0", Category.TEXT: "minilm-l6"}


MAX_GOLD_SHARE = 0.5  # above this, control questions would outnumber the samples to label


def _int_at_least(value: Any, low: int, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValidationError(f"{field} must be an integer >= {low}; got {value!r}", field)


@dataclass(frozen=True)
class Scenario:
    """One task's loop: how much to label up front, per round, how to pick, when a label counts.

    Raises:
        ValidationError: on construction, naming the bad field and its allowed range.
    """

    initial_train_size: int = 30
    batch_size: int = 30
    eval_size: int = 500
    test_size: int = 500
    query_strategy: str = "margin"
    category: Category = Category.IMAGE
    subcategory: Subcategory = Subcategory.BINARY_CLASSIFICATION
    min_peers: int = 10
    min_agreement: float = 0.8
    max_peers: int = 20
    pretrained_model: str = ""  # empty: the category's default backbone
    training_mode: TrainingMode = TrainingMode.HEAD
    seed: int = 0
    aggregation: Aggregation = Aggregation.PEER_RULE
    redundancy: Redundancy = Redundancy.FIXED
    gold_share: float = 0.0  # share of each batch that is control questions with a known label
    gold_size: int = 0  # labelled examples set aside as control questions
    # Stopping rules (activecrowds_ml.stopping); None: off. The pool running out always stops.
    label_budget: int | None = None  # labels spent, the seed set included
    target_accuracy: float | None = None  # eval accuracy
    plateau_agreement: float | None = None  # mean kappa of consecutive rounds' pool predictions
    plateau_window: int = DEFAULT_PLATEAU_WINDOW  # rounds that mean is taken over

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name, cls in (
            ("category", Category),
            ("subcategory", Subcategory),
            ("training_mode", TrainingMode),
            ("aggregation", Aggregation),
            ("redundancy", Redundancy),
        ):
            set_(self, name, parse_enum(cls, getattr(self, name), name))
        for field in ("initial_train_size", "batch_size", "eval_size", "test_size", "min_peers"):
            _int_at_least(getattr(self, field), 1, field)
        _int_at_least(self.max_peers, self.min_peers, "max_peers")
        _int_at_least(self.seed, 0, "seed")
        agreement = self.min_agreement
        if isinstance(agreement, bool) or not isinstance(agreement, int | float):
            raise ValidationError("min_agreement must be a number in (0.5, 1]", "min_agreement")
        if not 0.5 < agreement <= 1:
            raise ValidationError(
                f"min_agreement must be in (0.5, 1]; got {agreement!r}", "min_agreement"
            )
        self._check_strategy()
        self._check_gold()
        self._check_stopping()
        if self.subcategory not in TRAINABLE.get(self.category, frozenset()):
            raise ValidationError(
                f"{self.category.value}/{self.subcategory.value} cannot be trained yet; "
                "supported: IMAGE or TEXT with BINARY_ or MULTICLASS_CLASSIFICATION",
                "subcategory",
            )
        if not self.pretrained_model:
            set_(self, "pretrained_model", DEFAULT_MODEL[self.category])

    def _check_strategy(self) -> None:
        from activecrowds_ml.strategies import STRATEGIES

        name = str(self.query_strategy).lower()
        if name not in STRATEGIES:
            allowed = ", ".join(sorted(STRATEGIES))
            raise ValidationError(
                f"query_strategy must be one of {allowed}; got {self.query_strategy!r}",
                "query_strategy",
            )
        object.__setattr__(self, "query_strategy", name)

    def _check_gold(self) -> None:
        share = self.gold_share
        if isinstance(share, bool) or not isinstance(share, int | float):
            raise ValidationError("gold_share must be a number in [0, 0.5]", "gold_share")
        if not 0 <= share <= MAX_GOLD_SHARE:
            raise ValidationError(
                f"gold_share must be in [0, {MAX_GOLD_SHARE}]; got {share!r}", "gold_share"
            )
        _int_at_least(self.gold_size, 0, "gold_size")
        if share > 0 and self.gold_size < 1:
            raise ValidationError(
                f"gold_size must be an integer >= 1 when gold_share > 0; got {self.gold_size!r}",
                "gold_size",
            )

    def _check_stopping(self) -> None:
        budget = self.stopping.label_budget
        if budget is not None and budget <= self.initial_train_size:
            raise ValidationError(
                f"label_budget counts the seed set: it must be more than initial_train_size"
                f" ({self.initial_train_size}); got {budget}",
                "label_budget",
            )

    @property
    def stopping(self) -> StoppingRules:
        """When this scenario's loop stops (validated on construction)."""
        return StoppingRules(
            self.label_budget, self.target_accuracy, self.plateau_agreement, self.plateau_window
        )

    @property
    def peer_rule(self) -> PeerRule:
        """The rule that decides this scenario's samples."""
        return PeerRule(
            self.min_peers, self.min_agreement, self.max_peers, self.aggregation, self.redundancy
        )

    def replace(self, **changes: Any) -> Scenario:
        """A validated copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (enums as their values)."""
        out = dataclasses.asdict(self)
        for key, value in out.items():
            if isinstance(value, Enum):
                out[key] = value.value
        return out


def gold_per_batch(scenario: Scenario) -> int:
    """Control questions added on top of each batch's batch_size pool samples, so that they make
    up gold_share of the batch: batch_size x share / (1 - share), rounded."""
    share = scenario.gold_share
    return round(scenario.batch_size * share / (1 - share))
