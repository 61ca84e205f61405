"""A simulated crowd: careful annotators, spammers and colluders answer until the rule decides.

Careful annotators give the true label with their own accuracy, less on hard items: at
difficulty d (0 easy, 1 on the decision boundary) and strength s their accuracy falls
linearly towards chance, `accuracy - s * d * (accuracy - 1/K)`. That makes exactly the samples
margin sampling asks about the ones a real crowd gets wrong. Spammers ignore the item (always
one label, or uniformly random); colluders all give the same wrong label on every item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from activecrowds_ml.consensus import (
    Decision,
    PeerRule,
    SampleState,
    WorkerModel,
    decide_sample,
    gold_suspended,
)
from activecrowds_ml.errors import ValidationError


class Spam(StrEnum):
    ONE_LABEL = "one_label"  # always the same label, whatever the item
    RANDOM = "random"  # a uniformly random label
    MIXED = "mixed"  # half of the spammers each way


class Role(StrEnum):
    CAREFUL = "careful"
    ONE_LABEL = "one_label"
    RANDOM = "random"
    COLLUDER = "colluder"


@dataclass(frozen=True)
class CrowdConfig:
    """Who is in the crowd: how many annotators, careful ones' accuracy range (uniform), how
    much item difficulty costs them, and the shares of spammers and colluders.

    Raises:
        ValidationError: fewer than one annotator, an accuracy outside [0, 1] or low > high,
            a share or difficulty outside [0, 1], or spammers + colluders > 1.
    """

    annotators: int = 20
    accuracy: tuple[float, float] = (0.9, 0.9)
    difficulty: float = 0.0
    spammers: float = 0.0
    spam: Spam = Spam.MIXED
    colluders: float = 0.0

    def __post_init__(self) -> None:
        if self.annotators < 1:
            raise ValidationError(f"annotators must be >= 1; got {self.annotators}", "annotators")
        low, high = self.accuracy
        if not 0 <= low <= high <= 1:
            raise ValidationError(
                f"annotator accuracy must be in [0, 1] (low <= high); got {low}-{high}",
                "annotator_accuracy",
            )
        for name in ("difficulty", "spammers", "colluders"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValidationError(f"{name} must be in [0, 1]", name)
        if self.spammers + self.colluders > 1:
            raise ValidationError("spammers + colluders must be <= 1", "colluders")
        object.__setattr__(self, "spam", Spam(str(self.spam).lower()))

    def roles(self) -> list[Role]:
        """Each annotator's role, careful ones first (the crowd shuffles who is who)."""
        spam = round(self.annotators * self.spammers)
        colluders = round(self.annotators * self.colluders)
        one_label = {Spam.ONE_LABEL: spam, Spam.RANDOM: 0, Spam.MIXED: (spam + 1) // 2}[self.spam]
        return (
            [Role.CAREFUL] * (self.annotators - spam - colluders)
            + [Role.ONE_LABEL] * one_label
            + [Role.RANDOM] * (spam - one_label)
            + [Role.COLLUDER] * colluders
        )


@dataclass
class GoldCheck:
    """Each annotator's answers on control questions, and who the live rule has suspended."""

    right: Counter[str] = field(default_factory=Counter)
    seen: Counter[str] = field(default_factory=Counter)
    suspended: set[str] = field(default_factory=set)

    def score(self, answers: Sequence[tuple[str, str]], truth: str) -> None:
        """Count answers to one gold question; suspend whoever falls under the live rule."""
        for annotator, label in answers:
            self.seen[annotator] += 1
            self.right[annotator] += label == truth
            if gold_suspended(self.right[annotator], self.seen[annotator]):
                self.suspended.add(annotator)


class SimulatedCrowd:
    """The crowd of `config`, seeded: roles, accuracies and fixed labels are drawn once.

    Each sample is shown to the annotators not suspended, in a fresh random order, one answer
    at a time, until `decide_sample` accepts or disputes it (or nobody is left: disputed).
    """

    def __init__(self, labels: Sequence[str], config: CrowdConfig, seed: int | list[int]) -> None:
        self.labels = tuple(labels)
        self.config = config
        self.rng = np.random.default_rng(seed)
        self.accuracy = self.rng.uniform(*config.accuracy, size=config.annotators)
        # Roles come from a child stream, so a crowd of careful annotators answers exactly as
        # it did before roles existed.
        cast = np.random.default_rng(self.rng.bit_generator.seed_seq.spawn(1)[0])  # type: ignore[attr-defined]
        self.roles = [config.roles()[i] for i in cast.permutation(config.annotators)]
        self.fixed = [self.labels[i] for i in cast.integers(len(labels), size=len(self.roles))]
        self.ids = [f"a{i}" for i in range(config.annotators)]

    def answer(self, annotator: int, truth: str, difficulty: float = 0.0) -> str:
        """One annotator's label for a sample whose true label is `truth`."""
        role = self.roles[annotator]
        if role is Role.ONE_LABEL:
            return self.fixed[annotator]
        if role is Role.RANDOM:
            return self.labels[int(self.rng.integers(len(self.labels)))]
        others = [lab for lab in self.labels if lab != truth]
        if role is Role.COLLUDER:
            return others[self.labels.index(truth) % len(others)]  # the same for all of them
        chance = 1 / len(self.labels)
        p = self.accuracy[annotator]
        p -= self.config.difficulty * difficulty * (p - chance)
        if self.rng.random() < p:
            return truth
        return others[int(self.rng.integers(len(others)))]

    def ask(
        self,
        truth: str,
        rule: PeerRule,
        workers: WorkerModel | None = None,
        difficulty: float = 0.0,
        suspended: frozenset[str] | set[str] = frozenset(),
    ) -> tuple[Decision, list[tuple[str, str]]]:
        """Ask annotators until `rule` decides; the decision (never OPEN) and the answers."""
        answers: list[tuple[str, str]] = []
        decision = decide_sample(answers, rule, workers)
        for i in self.rng.permutation(self.config.annotators):
            if self.ids[i] in suspended:
                continue
            answers.append((self.ids[i], self.answer(int(i), truth, difficulty)))
            decision = decide_sample(answers, rule, workers)
            if decision.state is not SampleState.OPEN:
                return decision, answers
            if len(answers) >= rule.max_peers:
                break
        return Decision(SampleState.DISPUTED, None, decision.answers, decision.share), answers

    def label(self, truth: str, rule: PeerRule) -> Decision:
        """Ask until `rule` decides, with the default worker model; never OPEN on return."""
        return self.ask(truth, rule)[0]
