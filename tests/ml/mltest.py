"""Test helpers shared by the ML tests: a model that answers instantly and logs what it is asked."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from activecrowds_ml.models.base import Model
from activecrowds_ml.storage import Record


@dataclass
class InstantModel(Model):
    """Probabilities from a hash of each record's id: no features, no training, fixed answers.

    `calls` logs ("train" | "predict", number of records) in order.
    """

    calls: list[tuple[str, int]] = field(default_factory=list)

    def train(self, records: Sequence[Record], labels: Sequence[str]) -> None:
        self.check_labels(records, labels)
        self.calls.append(("train", len(records)))

    def predict_proba(self, records: Sequence[Record]) -> np.ndarray:
        self.calls.append(("predict", len(records)))
        first = np.array([zlib.crc32(r.id.encode()) % 1000 / 1000 for r in records])
        others = len(self.labels) - 1
        return np.column_stack([first, *[(1 - first) / others] * others])
