"""The model contract every task type implements: train, evaluate, test, predict, embed."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from activecrowds_ml.errors import ValidationError
from activecrowds_ml.metrics import Metrics
from activecrowds_ml.storage import Record
from activecrowds_ml.strategies import PoolView, QueryStrategy


def compute_metrics(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str], positive: str | None
) -> Metrics:
    """Accuracy, precision, recall, F1 and the confusion matrix of predictions against truth."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    if len(truth) != len(predicted):
        raise ValidationError("truth and predictions differ in length", "labels")
    if not truth:
        raise ValidationError("cannot score an empty set", "labels")
    average, pos = ("binary", positive) if positive is not None else ("macro", 1)
    p, r, f, _ = precision_recall_fscore_support(
        truth, predicted, labels=list(labels), average=average, pos_label=pos, zero_division=0
    )
    cm = confusion_matrix(truth, predicted, labels=list(labels))
    acc = float(np.mean(np.asarray(truth) == np.asarray(predicted)))
    return Metrics(acc, float(p), float(r), float(f), cm.tolist(), list(labels), len(truth))


@dataclass
class Model(ABC):
    """A classifier over dataset records; `labels` fixes the column order of probabilities.

    For binary tasks the second label is the positive class (precision/recall/F1 refer to it).
    """

    labels: tuple[str, ...]
    seed: int = 0
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.labels) < 2 or len(set(self.labels)) != len(self.labels):
            raise ValidationError("a classifier needs at least two distinct labels", "labels")

    @abstractmethod
    def train(self, records: Sequence[Record], labels: Sequence[str]) -> None:
        """Fit on labelled records (replaces what an earlier call learned).

        Raises:
            ValidationError: lengths differ, a label is unknown, or no records.
            ModelError: training itself failed.
        """

    @abstractmethod
    def predict_proba(self, records: Sequence[Record]) -> np.ndarray:
        """Class probabilities, shape (len(records), len(labels)), rows sum to 1."""

    def predict_proba_uncached(self, records: Sequence[Record]) -> np.ndarray:
        """`predict_proba` for records that are not the task's (classify): nothing about them
        is kept. A model that caches nothing need not override it."""
        return self.predict_proba(records)

    def predict_proba_mc(self, records: Sequence[Record], passes: int = 10) -> np.ndarray:
        """Probabilities from `passes` stochastic forward passes (MC dropout), (passes, n, c).

        A model without dropout repeats its deterministic prediction (BALD then scores 0).
        """
        return np.repeat(self.predict_proba(records)[None], passes, axis=0)

    def embed(self, records: Sequence[Record]) -> np.ndarray | None:
        """Feature vectors (n, dim) where the model has them; None otherwise."""
        return None

    def checkpoint(self) -> dict[str, Any] | None:
        """What reloading the trained model needs (tensors and plain values, for
        `torch.save`); None: this kind of model cannot be saved (artifacts then keep only
        its metadata)."""
        return None

    def describe(self) -> dict[str, Any]:
        """How to rebuild this model and feed it: its kind, backbone and input (artifact
        metadata)."""
        return {"kind": type(self).__name__}

    def deployable(self) -> Any:
        """The whole classifier as one torch module (input tensor -> probabilities), for
        export; None where the model has none (the reason is in `describe()["export"]`)."""
        return None

    def predict(self, records: Sequence[Record]) -> list[str]:
        """The most probable label per record."""
        idx = self.predict_proba(records).argmax(axis=1)
        return [self.labels[i] for i in idx]

    @property
    def positive(self) -> str | None:
        return self.labels[1] if len(self.labels) == 2 else None

    def evaluate(self, records: Sequence[Record], labels: Sequence[str]) -> Metrics:
        """Scores on a held-out evaluation set (used to watch rounds)."""
        return compute_metrics(list(labels), self.predict(records), self.labels, self.positive)

    def test(self, records: Sequence[Record], labels: Sequence[str]) -> Metrics:
        """Scores on the test set: the number reported per round, never used to choose."""
        return self.evaluate(records, labels)

    def check_labels(self, records: Sequence[Record], labels: Sequence[str]) -> None:
        """Raise ValidationError unless records and labels pair up with known labels."""
        if not records:
            raise ValidationError("cannot train on zero records", "records")
        if len(records) != len(labels):
            raise ValidationError("records and labels differ in length", "labels")
        unknown = set(labels) - set(self.labels)
        if unknown:
            raise ValidationError(f"unknown labels {sorted(unknown)}", "labels")

    def pool_view(
        self,
        strategy: QueryStrategy,
        pool: Sequence[Record],
        labelled: Sequence[Record] = (),
        mc_passes: int = 10,
    ) -> PoolView:
        """Gather what `strategy` needs about the pool, computing only that."""
        proba = self.predict_proba(pool)
        mc = self.predict_proba_mc(pool, mc_passes) if strategy.needs_mc else None
        emb = lab_emb = None
        if strategy.needs_embeddings:
            emb = self.embed(pool)
            lab_emb = self.embed(labelled) if labelled else None
            if emb is None:
                raise ValidationError(f"{strategy.name} needs a model with embeddings", "model")
        return PoolView(proba, mc, emb, lab_emb)
