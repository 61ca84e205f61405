"""What the latest model says about each pool sample, next to what the crowd said; each round's
stored model.

A task keeps one prediction per pool sample: the latest round's (each round replaces them all).
An owner reads them filtered and sorted by confidence ("which buildings does the model think
collapsed, most certain first"), and where the crowd accepted another label than the model
predicts, that sample is a possible label error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from activecrowds.domain.errors import ValidationError
from activecrowds.domain.model import Sample
from activecrowds_ml.consensus import SampleState


class CrowdState(StrEnum):
    """What the crowd has decided about a pool sample."""

    UNLABELLED = "UNLABELLED"  # not decided: never asked, or its batch is still open
    ACCEPTED = "ACCEPTED"  # the crowd's label trains the next rounds
    DISPUTED = "DISPUTED"  # the crowd did not agree: left out of training
    DISCARDED = "DISCARDED"  # the owner took it out of training


def crowd_state(state: SampleState | None) -> CrowdState:
    if state is SampleState.ACCEPTED:
        return CrowdState.ACCEPTED
    if state is SampleState.DISPUTED:
        return CrowdState.DISPUTED
    if state is SampleState.DISCARDED:
        return CrowdState.DISCARDED
    return CrowdState.UNLABELLED


class PredictionOrder(StrEnum):
    CONFIDENCE_DESC = "CONFIDENCE_DESC"  # most certain first
    CONFIDENCE_ASC = "CONFIDENCE_ASC"  # least certain first


@dataclass(frozen=True)
class Prediction:
    """The latest round's most probable label for one pool sample, and its probability."""

    sample_id: int
    task_id: int
    round_number: int
    label: str
    confidence: float


@dataclass(frozen=True)
class PredictedSample:
    """A pool sample with its prediction: what the model says, and what the crowd said."""

    sample: Sample
    prediction: Prediction

    @property
    def crowd_state(self) -> CrowdState:
        return crowd_state(self.sample.state)

    @property
    def crowd_label(self) -> str | None:
        """The label the crowd accepted; None until it has."""
        accepted = self.crowd_state is CrowdState.ACCEPTED
        return self.sample.resolved_label if accepted else None

    @property
    def disagrees(self) -> bool:
        """The crowd accepted a label the model does not predict (a possible label error)."""
        return self.crowd_label is not None and self.crowd_label != self.prediction.label


@dataclass(frozen=True)
class PredictionFilter:
    """Which predictions an owner asks for, and in which order; None: any."""

    label: str | None = None  # predicted label
    min_confidence: float | None = None
    max_confidence: float | None = None
    state: CrowdState | None = None
    disagreements: bool = False  # only accepted samples whose crowd label differs
    order: PredictionOrder = PredictionOrder.CONFIDENCE_DESC

    def check(self, labels: Sequence[str]) -> None:
        """Raises ValidationError naming the field: an unknown label, a confidence outside
        [0, 1], or a range whose minimum is above its maximum."""
        if self.label is not None and self.label not in labels:
            raise ValidationError(f"label {self.label!r} is not one of {list(labels)}", "label")
        for name in ("min_confidence", "max_confidence"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and 0.0 <= value <= 1.0):
                field = "minConfidence" if name == "min_confidence" else "maxConfidence"
                raise ValidationError(f"{field} must be between 0 and 1; got {value}", field)
        low, high = self.min_confidence, self.max_confidence
        if low is not None and high is not None and low > high:
            message = f"minConfidence {low} is above maxConfidence {high}"
            raise ValidationError(message, "minConfidence")
        if self.disagreements and self.state not in (None, CrowdState.ACCEPTED):
            message = (
                "disagreements are between accepted labels and predictions: state must be"
                " ACCEPTED or unset"
            )
            raise ValidationError(message, "state")

    def keeps(self, p: PredictedSample) -> bool:
        """True when `p` passes the filter (the in-memory twin of the SQL filter)."""
        c = p.prediction.confidence
        return (
            self.label in (None, p.prediction.label)
            and (self.min_confidence is None or c >= self.min_confidence)
            and (self.max_confidence is None or c <= self.max_confidence)
            and self.state in (None, p.crowd_state)
            and (not self.disagreements or p.disagrees)
        )


@dataclass(frozen=True)
class Cursor:
    """Where a page of predictions ends: the next page starts after this one (keyset)."""

    confidence: float
    sample_id: int

    @classmethod
    def of(cls, p: PredictedSample) -> Cursor:
        return cls(p.prediction.confidence, p.sample.id)

    def before(self, p: PredictedSample, order: PredictionOrder) -> bool:
        """True when `p` comes after this cursor in `order` (ties broken by sample id)."""
        key = (p.prediction.confidence, p.sample.id)
        if order is PredictionOrder.CONFIDENCE_DESC:
            return key < (self.confidence, self.sample_id)
        return key > (self.confidence, self.sample_id)


@dataclass(frozen=True)
class ModelArtifact:
    """A round's stored model: where its folder is (under the models folder) and its size."""

    id: int
    task_id: int
    round_number: int
    path: str  # relative to the models folder
    size: int  # bytes when the round stored it (exports made later come on top)
    eval_accuracy: float | None
    created_at: datetime | None = None
