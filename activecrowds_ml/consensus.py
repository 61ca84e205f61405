"""Crowd answers -> a label: the paper's peer rule, and Dawid-Skene as an option."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from activecrowds_ml.errors import ValidationError


class SampleState(StrEnum):
    OPEN = "OPEN"  # needs more answers
    ACCEPTED = "ACCEPTED"  # enough peers agree: the label goes into training
    DISPUTED = "DISPUTED"  # max peers reached without agreement: left out of training


@dataclass(frozen=True)
class PeerRule:
    """A label is accepted with >= min_peers answers of which >= min_agreement share agree.

    Raises:
        ValidationError: min_peers < 1, max_peers < min_peers, or min_agreement outside (0.5, 1].
    """

    min_peers: int = 10
    min_agreement: float = 0.8
    max_peers: int = 20

    def __post_init__(self) -> None:
        if self.min_peers < 1:
            raise ValidationError("min_peers must be >= 1", "min_peers")
        if self.max_peers < self.min_peers:
            raise ValidationError("max_peers must be >= min_peers", "max_peers")
        if not 0.5 < self.min_agreement <= 1:
            raise ValidationError("min_agreement must be in (0.5, 1]", "min_agreement")


@dataclass(frozen=True)
class Decision:
    """Where one sample stands: its state, the leading label and its share of the answers."""

    state: SampleState
    label: str | None
    answers: int
    share: float


def decide(votes: Mapping[str, int], rule: PeerRule) -> Decision:
    """Apply the peer rule to one sample's vote counts (label -> number of annotators).

    Agreement > 0.5 means at most one label can reach it, so the decision never depends on the
    order of the answers; ties below that are broken by label name, for determinism.
    """
    n = sum(votes.values())
    if n == 0:
        return Decision(SampleState.OPEN, None, 0, 0.0)
    label = min(votes, key=lambda lab: (-votes[lab], lab))
    share = votes[label] / n
    # A tiny epsilon keeps 8/10 >= 0.8 true despite binary floating point.
    if n >= rule.min_peers and share + 1e-9 >= rule.min_agreement:
        return Decision(SampleState.ACCEPTED, label, n, share)
    if n >= rule.max_peers:
        return Decision(SampleState.DISPUTED, None, n, share)
    return Decision(SampleState.OPEN, label, n, share)


@dataclass(frozen=True)
class Answer:
    """One annotator's label for one sample."""

    sample: str
    annotator: str
    label: str


def majority_vote(answers: Iterable[Answer]) -> dict[str, str]:
    """The most common label per sample (ties broken by label name, for determinism)."""
    votes: dict[str, Counter[str]] = {}
    for a in answers:
        votes.setdefault(a.sample, Counter())[a.label] += 1
    return {s: max(sorted(c), key=lambda lab: c[lab]) for s, c in votes.items()}


def dawid_skene(answers: Iterable[Answer], n_iter: int = 100) -> dict[str, str]:
    """Labels estimated with per-annotator confusion matrices (Dawid & Skene, 1979).

    Uses crowd-kit's implementation: an annotator who is often wrong, or systematically swaps
    two classes, counts for less, so a reliable minority can outvote an unreliable majority.

    Raises:
        ValidationError: no answers.
    """
    import pandas as pd
    from crowdkit.aggregation import DawidSkene

    rows = [(a.sample, a.annotator, a.label) for a in answers]
    if not rows:
        raise ValidationError("dawid_skene needs at least one answer", "answers")
    frame = pd.DataFrame(rows, columns=["task", "worker", "label"])
    result = DawidSkene(n_iter=n_iter).fit_predict(frame)
    return {str(task): str(label) for task, label in result.items()}


def annotator_accuracy(answers: Iterable[Answer], labels: dict[str, str]) -> dict[str, float]:
    """Share of each annotator's answers that match `labels` (e.g. accepted or estimated ones)."""
    hits: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for a in answers:
        if a.sample in labels:
            seen[a.annotator] += 1
            hits[a.annotator] += a.label == labels[a.sample]
    return {w: hits[w] / seen[w] for w in seen}
