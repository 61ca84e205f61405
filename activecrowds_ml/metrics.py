"""Scores of a model on a labelled set: plain values, so they travel from the ML core to storage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Metrics:
    """Scores on a labelled set; precision/recall/F1 are for the positive class when binary,
    macro-averaged otherwise. `confusion_matrix[i][j]`: true labels[i] predicted as labels[j]."""

    accuracy: float
    precision: float
    recall: float
    f1: float
    confusion_matrix: list[list[int]]
    labels: list[str]
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "confusion_matrix": self.confusion_matrix,
            "labels": self.labels,
            "size": self.size,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metrics:
        """The metrics back from `to_dict` (e.g. read from a JSON column)."""
        return cls(
            accuracy=float(data["accuracy"]),
            precision=float(data["precision"]),
            recall=float(data["recall"]),
            f1=float(data["f1"]),
            confusion_matrix=[[int(v) for v in row] for row in data["confusion_matrix"]],
            labels=[str(lab) for lab in data.get("labels", [])],
            size=int(data.get("size", 0)),
        )
