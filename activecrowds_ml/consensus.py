"""Crowd answers -> a label: the paper's peer rule, and Dawid-Skene as an option.

Two choices per task. `Aggregation`: count votes (the paper's peer rule) or weigh each answer
by its annotator's estimated confusion matrix (Dawid & Skene). `Redundancy`: ask a fixed number
of peers, or stop as soon as more answers could not change the outcome (ADAPTIVE). The live loop
and the simulation both call `decide_sample`, so both apply exactly the same rule.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from activecrowds_ml.errors import ValidationError

GOLD_MIN_ANSWERS = 5  # gold answers an annotator gives before their gold accuracy is judged
GOLD_MIN_ACCURACY = 0.7  # below this share of right gold answers, an annotator is suspended
# How sure the evidence must make us that an annotator's accuracy is under GOLD_MIN_ACCURACY.
# 0.95, judged after every answer: an annotator right 90% of the time is ever suspended with
# probability 0.19% (the bare share, "under 70% after 5", suspended 9% of them within 15
# answers), one right 80% of the time 3.7%; a coin-flipper 65% by its 15th answer, 87% by its
# 30th; one always giving the same label on balanced control questions by its 20th (10 of 20).
GOLD_CONFIDENCE = 0.95
DEFAULT_ACCURACY = 0.7  # what an annotator nobody has estimated yet is assumed to get right
ADAPTIVE_MIN_ANSWERS = 2  # Dawid-Skene + ADAPTIVE: one answer never decides a sample alone
_EPS = 1e-9  # keeps 8/10 >= 0.8 true despite binary floating point
_TINY = 1e-12  # floor of a probability before its log: a 0 in a matrix never makes -inf
_OTHER = "\x00other"  # no real label: dataset labels are non-empty printable names


class SampleState(StrEnum):
    OPEN = "OPEN"  # needs more answers
    ACCEPTED = "ACCEPTED"  # enough peers agree: the label goes into training
    DISPUTED = "DISPUTED"  # max peers reached without agreement: left out of training
    DISCARDED = "DISCARDED"  # the task's owner took it out of training (no rule decides this)


class Aggregation(StrEnum):
    PEER_RULE = "PEER_RULE"  # the paper: a share of equal votes
    DAWID_SKENE = "DAWID_SKENE"  # the posterior under each annotator's confusion matrix


class Redundancy(StrEnum):
    FIXED = "FIXED"  # at least min_peers answers, as in the paper
    ADAPTIVE = "ADAPTIVE"  # stop once further answers cannot change the outcome


E = TypeVar("E", bound=StrEnum)


def parse_enum(cls: type[E], value: Any, field_name: str) -> E:
    """`value` as a member of `cls`: the member itself, or its value in any case.

    Raises:
        ValidationError: not a value of `cls`; the message lists the allowed ones.
    """
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        for form in (value, value.upper(), value.lower()):
            if form in cls._value2member_map_:
                return cls(form)
    allowed = ", ".join(m.value for m in cls)
    raise ValidationError(f"{field_name} must be one of {allowed}; got {value!r}", field_name)


@dataclass(frozen=True)
class PeerRule:
    """A label is accepted with >= min_peers answers of which >= min_agreement share agree.

    With DAWID_SKENE, min_agreement is the posterior probability the top label needs.

    Raises:
        ValidationError: min_peers < 1, max_peers < min_peers, min_agreement outside (0.5, 1],
            or an unknown aggregation / redundancy.
    """

    min_peers: int = 10
    min_agreement: float = 0.8
    max_peers: int = 20
    aggregation: Aggregation = Aggregation.PEER_RULE
    redundancy: Redundancy = Redundancy.FIXED

    def __post_init__(self) -> None:
        if self.min_peers < 1:
            raise ValidationError("min_peers must be >= 1", "min_peers")
        if self.max_peers < self.min_peers:
            raise ValidationError("max_peers must be >= min_peers", "max_peers")
        if not 0.5 < self.min_agreement <= 1:
            raise ValidationError("min_agreement must be in (0.5, 1]", "min_agreement")
        set_ = object.__setattr__
        set_(self, "aggregation", parse_enum(Aggregation, self.aggregation, "aggregation"))
        set_(self, "redundancy", parse_enum(Redundancy, self.redundancy, "redundancy"))


@dataclass(frozen=True)
class Decision:
    """Where one sample stands: its state, the leading label and its share of the answers
    (with Dawid-Skene: the top label's posterior probability)."""

    state: SampleState
    label: str | None
    answers: int
    share: float


def decide(votes: Mapping[str, int], rule: PeerRule) -> Decision:
    """Apply the peer rule to one sample's vote counts (label -> number of annotators).

    Agreement > 0.5 means at most one label can reach it, so the decision never depends on the
    order of the answers; ties below that are broken by label name, for determinism.

    FIXED is the paper's rule: accepted at any n >= min_peers with share >= min_agreement,
    disputed at max_peers. ADAPTIVE decides earlier only when every continuation of the answer
    stream would lead FIXED to the same decision: it accepts before min_peers once the leading
    label holds min_agreement of min_peers answers even if all the missing ones disagree, and it
    disputes once no label could reach min_agreement by max_peers even if all the remaining
    answers went to it. So ADAPTIVE never decides differently from FIXED; it only asks less.
    """
    n = sum(votes.values())
    if n == 0:
        return Decision(SampleState.OPEN, None, 0, 0.0)
    label = min(votes, key=lambda lab: (-votes[lab], lab))
    top, share = votes[label], votes[label] / n
    if n >= rule.min_peers and share + _EPS >= rule.min_agreement:
        return Decision(SampleState.ACCEPTED, label, n, share)
    if n >= rule.max_peers:
        return Decision(SampleState.DISPUTED, None, n, share)
    if rule.redundancy is Redundancy.ADAPTIVE:
        # Only below min_peers: from there on FIXED's own test above is the whole rule.
        if n < rule.min_peers and top / rule.min_peers + _EPS >= rule.min_agreement:
            return Decision(SampleState.ACCEPTED, label, n, share)
        # Agreement at k answers is at most (top + k - n) / k, which grows with k: k = max_peers
        # is the best chance any label (this one leads) still has.
        if (top + rule.max_peers - n) / rule.max_peers + _EPS < rule.min_agreement:
            return Decision(SampleState.DISPUTED, None, n, share)
    return Decision(SampleState.OPEN, label, n, share)


def decide_posterior(posterior: Mapping[str, float], answers: int, rule: PeerRule) -> Decision:
    """Dawid-Skene's rule: accept the top label once its posterior reaches rule.min_agreement.

    FIXED still waits for min_peers answers, like the paper; ADAPTIVE accepts as soon as the
    posterior is confident, after at least ADAPTIVE_MIN_ANSWERS (or min_peers, if fewer), so a
    single annotator never labels a sample alone. Both dispute at max_peers without it.
    """
    if answers == 0 or not posterior:
        return Decision(SampleState.OPEN, None, answers, 0.0)
    label = min(posterior, key=lambda lab: (-posterior[lab], lab))
    p = float(posterior[label])
    needed = rule.min_peers
    if rule.redundancy is Redundancy.ADAPTIVE:
        needed = min(rule.min_peers, ADAPTIVE_MIN_ANSWERS)
    if answers >= needed and p + _EPS >= rule.min_agreement:
        return Decision(SampleState.ACCEPTED, label, answers, p)
    if answers >= rule.max_peers:
        return Decision(SampleState.DISPUTED, None, answers, p)
    return Decision(SampleState.OPEN, label, answers, p)


def decide_sample(
    answers: Sequence[tuple[str, str]], rule: PeerRule, workers: WorkerModel | None = None
) -> Decision:
    """Where one sample stands given its (annotator, label) answers: the live loop's one call.

    PEER_RULE counts the votes (`decide`); DAWID_SKENE weighs them by `workers` (an estimated
    crowd, or `WorkerModel.uniform(task labels)` before there is one; None: every annotator at
    DEFAULT_ACCURACY over the labels given so far plus one more) and applies `decide_posterior`.
    """
    if rule.aggregation is Aggregation.PEER_RULE:
        return decide(Counter(label for _, label in answers), rule)
    if workers is None:
        # Without a model the task's labels are unknown here: those given so far, and one
        # stand-in for "another label" so that a unanimous start is not already certain.
        seen = sorted({label for _, label in answers})
        workers = WorkerModel.uniform([*seen, _OTHER])
    posterior = {lab: p for lab, p in workers.posterior(answers).items() if lab != _OTHER}
    return decide_posterior(posterior, len(answers), rule)


def gold_suspended(
    right: int,
    seen: int,
    min_answers: int = GOLD_MIN_ANSWERS,
    min_accuracy: float = GOLD_MIN_ACCURACY,
    confidence: float = GOLD_CONFIDENCE,
) -> bool:
    """Whether an annotator with `right` of `seen` gold answers correct is to be suspended:
    after at least `min_answers`, once `accuracy_below` says its accuracy is under
    `min_accuracy` with probability `confidence` or more. A bare share would punish bad luck:
    3 of 5 is 60%, and an annotator right 90% of the time scores that or less 8% of the time."""
    if seen < min_answers:
        return False
    return accuracy_below(min_accuracy, right, seen) >= confidence - _EPS


def accuracy_below(threshold: float, right: int, seen: int) -> float:
    """P(accuracy < threshold) after `right` of `seen` correct, from a uniform prior.

    The posterior is Beta(right + 1, seen - right + 1), whose CDF at t is the chance of at
    least right + 1 successes in seen + 1 trials at t: plain integers, no special functions.
    """
    if not 0 <= right <= seen:
        raise ValidationError(f"right must be in 0..{seen}; got {right}", "right")
    trials = seen + 1
    return math.fsum(
        math.comb(trials, k) * threshold**k * (1 - threshold) ** (trials - k)
        for k in range(right + 1, trials + 1)
    )


@dataclass(frozen=True)
class Answer:
    """One annotator's label for one sample."""

    sample: str
    annotator: str
    label: str


Matrix = tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class WorkerModel:
    """What the crowd is estimated to be like: the class prior and, per annotator, a confusion
    matrix `[true label][given label]` (rows sum to 1). Annotators it does not know get a
    matrix with `default_accuracy` on the diagonal and the rest spread evenly.

    Raises:
        ValidationError: fewer than two labels, or a prior / matrix of the wrong shape, with
            negative entries or rows not summing to 1, or default_accuracy outside (0, 1).
    """

    labels: tuple[str, ...]
    prior: tuple[float, ...]
    confusion: Mapping[str, Matrix] = field(default_factory=dict)
    default_accuracy: float = DEFAULT_ACCURACY

    def __post_init__(self) -> None:
        k = len(self.labels)
        if k < 2 or len(set(self.labels)) != k:
            raise ValidationError("a worker model needs at least two distinct labels", "labels")
        if not 0 < self.default_accuracy < 1:
            raise ValidationError("default_accuracy must be in (0, 1)", "default_accuracy")
        _check_stochastic((self.prior,), 1, k, "prior")
        for annotator, matrix in self.confusion.items():
            _check_stochastic(matrix, k, k, f"confusion[{annotator}]")

    @classmethod
    def uniform(
        cls, labels: Sequence[str], default_accuracy: float = DEFAULT_ACCURACY
    ) -> WorkerModel:
        """A crowd nobody has estimated yet: a flat prior, every annotator at default_accuracy."""
        k = max(len(labels), 1)
        return cls(tuple(labels), (1 / k,) * len(labels), {}, default_accuracy)

    def matrix(self, annotator: str) -> Matrix:
        """The annotator's confusion matrix (the default one if the model does not know them)."""
        if annotator in self.confusion:
            return self.confusion[annotator]
        k = len(self.labels)
        off = (1 - self.default_accuracy) / (k - 1)
        return tuple(
            tuple(self.default_accuracy if i == j else off for j in range(k)) for i in range(k)
        )

    def posterior(self, answers: Iterable[tuple[str, str]]) -> dict[str, float]:
        """P(true label | these (annotator, label) answers) by Bayes, in log space.

        Answers with a label the model does not know are ignored.
        """
        index = {label: i for i, label in enumerate(self.labels)}
        log_p = [math.log(max(p, _TINY)) for p in self.prior]
        for annotator, label in answers:
            if label in index:
                m, given = self.matrix(annotator), index[label]
                log_p = [lp + math.log(max(m[k][given], _TINY)) for k, lp in enumerate(log_p)]
        top = max(log_p)
        p = [math.exp(lp - top) for lp in log_p]  # shifted: the largest term is exp(0)
        return {label: v / sum(p) for label, v in zip(self.labels, p, strict=True)}

    def reliability(self, annotator: str) -> float:
        """Expected share of right answers: sum over classes of prior x diagonal."""
        m = self.matrix(annotator)
        return float(sum(p * m[k][k] for k, p in enumerate(self.prior)))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form; `from_dict` reads it back."""
        return {
            "labels": list(self.labels),
            "prior": list(self.prior),
            "confusion": {a: [list(row) for row in m] for a, m in self.confusion.items()},
            "default_accuracy": self.default_accuracy,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkerModel:
        """The model `to_dict` wrote.

        Raises:
            ValidationError: a key is missing or a value has the wrong shape.
        """
        try:
            confusion = {
                str(a): tuple(tuple(float(v) for v in row) for row in m)
                for a, m in dict(data["confusion"]).items()
            }
            return cls(
                tuple(str(lab) for lab in data["labels"]),
                tuple(float(v) for v in data["prior"]),
                confusion,
                float(data.get("default_accuracy", DEFAULT_ACCURACY)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError(f"not a worker model: {exc}", "workers") from None


def _check_stochastic(m: Sequence[Sequence[float]], rows: int, k: int, name: str) -> None:
    if len(m) != rows or any(len(row) != k for row in m):
        raise ValidationError(f"{name} must have shape {(rows, k)} (labels x labels)", "workers")
    if any(v < 0 for row in m for v in row) or any(abs(sum(row) - 1) > 1e-6 for row in m):
        raise ValidationError(f"{name}: rows must be non-negative and sum to 1", "workers")


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
    rows = list(answers)
    if not rows:
        raise ValidationError("dawid_skene needs at least one answer", "answers")
    result = _fit_dawid_skene(rows, None, n_iter).labels_
    return {str(task): str(label) for task, label in result.items()}


def estimate_workers(
    answers: Iterable[Answer],
    labels: Sequence[str],
    gold: Mapping[str, str] | None = None,
    smoothing: float = 2.0,
) -> WorkerModel:
    """Each annotator's confusion matrix and the class prior, by Dawid-Skene (crowd-kit).

    Gold samples (sample -> known true label) are clamped to their truth in every EM step, so
    answers on control questions score annotators against the truth, not against the crowd.
    The matrices are then counted from the posteriors plus `smoothing` pseudo-answers per row
    spread like the default matrix: one answer never makes a 0/1 matrix, and a row nobody has
    evidence for stays the default one. Answers with a label outside `labels` are ignored.

    Raises:
        ValidationError: fewer than two labels.
    """
    labels = tuple(labels)
    index = {label: i for i, label in enumerate(labels)}
    rows = [a for a in answers if a.label in index]
    base = WorkerModel.uniform(labels)
    if not rows:
        return base
    known = {s: t for s, t in (gold or {}).items() if t in index}
    probas = _fit_dawid_skene(rows, known, 100).probas_.reindex(
        columns=list(labels), fill_value=0.0
    )
    import numpy as np

    task_p = {str(t): p for t, p in zip(probas.index, probas.to_numpy(float), strict=True)}
    k = len(labels)
    counts: dict[str, Any] = {}
    for a in rows:
        counts.setdefault(a.annotator, np.zeros((k, k)))[:, index[a.label]] += task_p[a.sample]
    prior = (probas.to_numpy(float).sum(axis=0) + 1) / (len(probas) + k)
    confusion = {}
    for annotator, c in counts.items():
        c = c + smoothing * np.asarray(base.matrix(annotator))
        confusion[annotator] = tuple(
            tuple(float(v) for v in row) for row in c / c.sum(axis=1, keepdims=True)
        )
    return WorkerModel(labels, tuple(float(v) for v in prior), confusion)


def _fit_dawid_skene(rows: Sequence[Answer], gold: Mapping[str, str] | None, n_iter: int) -> Any:
    """crowd-kit's fitted DawidSkene; gold tasks are clamped to their truth in every EM step."""
    import pandas as pd
    from crowdkit.aggregation import DawidSkene

    columns = ["task", "worker", "label"]
    frame = pd.DataFrame([(a.sample, a.annotator, a.label) for a in rows], columns=columns)
    tasks = set(frame["task"])
    known = {s: t for s, t in (gold or {}).items() if s in tasks}
    true_labels = pd.Series(known, dtype=object) if known else None
    return DawidSkene(n_iter=n_iter).fit(frame, true_labels=true_labels)


def annotator_accuracy(answers: Iterable[Answer], labels: Mapping[str, str]) -> dict[str, float]:
    """Share of each annotator's answers that match `labels` (e.g. accepted, gold or estimated
    ones); annotators with no answer on those samples are left out."""
    hits: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for a in answers:
        if a.sample in labels:
            seen[a.annotator] += 1
            hits[a.annotator] += a.label == labels[a.sample]
    return {w: hits[w] / seen[w] for w in seen}
