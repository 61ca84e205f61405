"""When a task's loop stops: a label budget, a target eval accuracy, a plateau, an empty pool.

One pure decision, `stop_reason`, taken at the end of every round by the server's round
recording and, rule by rule, by the offline simulation (so a simulated curve shows where each
rule would have stopped a live task).

- LABEL_BUDGET: labels spent (the seed set plus every pool sample asked of the crowd, disputed
  ones included: their answers were paid for too) reach the budget. The same count as the
  simulation's `labelled` axis and its `--budget`, so a budget means the same number in both.
- TARGET_ACCURACY: the round's eval accuracy reaches the target. The eval set, not the test
  set: the test set only reports, it never decides anything.
- PLATEAU: the model's predictions on the pool stop changing. Each round's agreement is Cohen's
  kappa between its predictions and the previous round's on the same pool samples (every pool
  sample, asked or not: a fixed "stop set" as in Bloodgood & Vijay-Shanker 2009); the rule holds
  when the mean of the last `plateau_window` agreements reaches `plateau_agreement` - small-text's
  KappaAverage (small_text/stopping_criteria/kappa.py, window 3, kappa 0.99 by default).
- POOL_EXHAUSTED: no pool sample is left to ask about (always on).

When several hold at once the reason reported is the first in `PRIORITY`: a goal met (accuracy,
then a stable model) says more to the owner than a resource spent (budget, then pool).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from activecrowds_ml.errors import ValidationError

K = TypeVar("K", bound=Hashable)

DEFAULT_PLATEAU_WINDOW = 3  # small-text's KappaAverage default


class FinishedReason(StrEnum):
    """Why a task finished: the one vocabulary of the server, its API and the simulation."""

    POOL_EXHAUSTED = "POOL_EXHAUSTED"
    LABEL_BUDGET = "LABEL_BUDGET"
    TARGET_ACCURACY = "TARGET_ACCURACY"
    PLATEAU = "PLATEAU"


PRIORITY = (
    FinishedReason.TARGET_ACCURACY,
    FinishedReason.PLATEAU,
    FinishedReason.LABEL_BUDGET,
    FinishedReason.POOL_EXHAUSTED,
)


# The Scenario field that turns each optional rule on (the pool running out needs none).
RULE_FIELDS: dict[FinishedReason, str] = {
    FinishedReason.LABEL_BUDGET: "label_budget",
    FinishedReason.TARGET_ACCURACY: "target_accuracy",
    FinishedReason.PLATEAU: "plateau_agreement",
}


@dataclass(frozen=True)
class Progress:
    """Where a loop stands at the end of a round."""

    labels: int  # labels spent: seed set + pool samples asked of the crowd
    pool_left: int  # pool samples never asked: what a next batch could hold
    eval_accuracy: float | None = None
    # One per round so far, oldest first; None where there was nothing to compare with.
    agreements: Sequence[float | None] = ()


def _share(value: object, field: str) -> None:
    """A number in (0, 1]: an accuracy or an agreement worth stopping at."""
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None or not math.isfinite(number) or not 0 < number <= 1:
        raise ValidationError(f"{field} must be a number in (0, 1]; got {value!r}", field)


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class StoppingRules:
    """A task's stopping rules; None turns a rule off (the pool running out always stops).

    Field names are the Scenario's, so a ValidationError names the scenario field.

    Raises:
        ValidationError: a budget under 1, an accuracy or agreement outside (0, 1], a window
            under 1.
    """

    label_budget: int | None = None
    target_accuracy: float | None = None
    plateau_agreement: float | None = None
    plateau_window: int = DEFAULT_PLATEAU_WINDOW

    def __post_init__(self) -> None:
        budget, window = self.label_budget, self.plateau_window
        if budget is not None and (not _integer(budget) or budget < 1):
            raise ValidationError(
                f"label_budget must be an integer >= 1; got {budget!r}", "label_budget"
            )
        if self.target_accuracy is not None:
            _share(self.target_accuracy, "target_accuracy")
        if self.plateau_agreement is not None:
            _share(self.plateau_agreement, "plateau_agreement")
        if not _integer(window) or window < 1:
            raise ValidationError(
                f"plateau_window must be an integer >= 1; got {window!r}", "plateau_window"
            )

    def holds(self, reason: FinishedReason, progress: Progress) -> bool:
        """True when the rule behind `reason` is on and met by `progress`."""
        if reason is FinishedReason.POOL_EXHAUSTED:
            return progress.pool_left <= 0
        if reason is FinishedReason.LABEL_BUDGET:
            return self.label_budget is not None and progress.labels >= self.label_budget
        if reason is FinishedReason.TARGET_ACCURACY:
            accuracy, target = progress.eval_accuracy, self.target_accuracy
            return target is not None and accuracy is not None and accuracy >= target
        threshold = self.plateau_agreement
        return threshold is not None and plateaued(
            progress.agreements, threshold, self.plateau_window
        )

    def enabled(self) -> list[FinishedReason]:
        """The optional rules turned on, in PRIORITY order."""
        return [
            r for r in PRIORITY if r in RULE_FIELDS and getattr(self, RULE_FIELDS[r]) is not None
        ]

    def labels_left(self, labels: int) -> int | None:
        """How many more labels the budget allows after `labels` spent (None: no budget)."""
        return None if self.label_budget is None else max(0, self.label_budget - labels)


def stop_reason(rules: StoppingRules, progress: Progress) -> FinishedReason | None:
    """Why the loop stops after this round (the first in PRIORITY that holds), or None."""
    return next((r for r in PRIORITY if rules.holds(r, progress)), None)


def plateaued(agreements: Sequence[float | None], threshold: float, window: int) -> bool:
    """True when the last `window` agreements all exist and their mean reaches `threshold`.

    As KappaAverage: nothing before `window` comparisons exist, and a round that had none to
    compare with (None) breaks the window rather than counting as agreement.
    """
    last = list(agreements[-window:])
    if len(last) < window or any(a is None for a in last):
        return False
    return sum(a for a in last if a is not None) / window >= threshold


def agreement(
    previous: Mapping[K, str], current: Mapping[K, str], labels: Sequence[str]
) -> float | None:
    """Cohen's kappa between two rounds' predicted labels on the samples both predicted.

    Identical predictions give 1.0 (kappa itself is undefined when both rounds predict one
    label everywhere; small-text's `_adapted_cohen_kappa_score` does the same). None when no
    sample was predicted by both.

    Args:
        previous: sample -> label predicted by the earlier round.
        current: sample -> label predicted by this round.
        labels: the task's labels (kappa's label set, so both sides count the same classes).
    """
    from sklearn.metrics import cohen_kappa_score

    shared = [key for key in current if key in previous]
    if not shared:
        return None
    before = [previous[key] for key in shared]
    after = [current[key] for key in shared]
    if before == after:
        return 1.0
    kappa = float(cohen_kappa_score(before, after, labels=list(labels)))
    return kappa if math.isfinite(kappa) else None
