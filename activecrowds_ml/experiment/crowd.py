"""A simulated crowd: annotators of known accuracy answer until the peer rule decides."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from activecrowds_ml.consensus import Decision, PeerRule, SampleState, decide
from activecrowds_ml.errors import ValidationError


@dataclass(frozen=True)
class CrowdConfig:
    """How many annotators, and the range their accuracies are drawn from (uniformly).

    Raises:
        ValidationError: fewer than one annotator or an accuracy outside [0, 1] or low > high.
    """

    annotators: int = 20
    accuracy: tuple[float, float] = (0.9, 0.9)

    def __post_init__(self) -> None:
        if self.annotators < 1:
            raise ValidationError(f"annotators must be >= 1; got {self.annotators}", "annotators")
        low, high = self.accuracy
        if not 0 <= low <= high <= 1:
            raise ValidationError(
                f"annotator accuracy must be in [0, 1] (low <= high); got {low}-{high}",
                "annotator_accuracy",
            )


class SimulatedCrowd:
    """Annotators who give the true label with their own accuracy, else a random other label.

    Each sample is shown to annotators in a fresh random order, one answer at a time, until
    the peer rule accepts or disputes it (or nobody is left to ask: disputed).
    """

    def __init__(self, labels: Sequence[str], config: CrowdConfig, seed: int | list[int]) -> None:
        self.labels = tuple(labels)
        self.config = config
        self.rng = np.random.default_rng(seed)
        self.accuracy = self.rng.uniform(*config.accuracy, size=config.annotators)

    def answer(self, annotator: int, truth: str) -> str:
        """One annotator's label for a sample whose true label is `truth`."""
        if self.rng.random() < self.accuracy[annotator]:
            return truth
        others = [lab for lab in self.labels if lab != truth]
        return others[int(self.rng.integers(len(others)))]

    def label(self, truth: str, rule: PeerRule) -> Decision:
        """Ask annotators until `rule` decides; never OPEN on return."""
        votes: Counter[str] = Counter()
        decision = decide(votes, rule)
        for annotator in self.rng.permutation(self.config.annotators)[: rule.max_peers]:
            votes[self.answer(int(annotator), truth)] += 1
            decision = decide(votes, rule)
            if decision.state is not SampleState.OPEN:
                return decision
        return Decision(SampleState.DISPUTED, None, decision.answers, decision.share)
