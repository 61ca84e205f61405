"""How much the crowd agrees beyond chance: Krippendorff's alpha over a task's answers.

Per-annotator agreement with decided labels is `consensus.annotator_accuracy`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from activecrowds_ml.consensus import Answer


def krippendorff_alpha(answers: Iterable[Answer], labels: Sequence[str]) -> float | None:
    """Nominal Krippendorff's alpha (1: perfect agreement, 0: chance, < 0: worse than chance).

    Uses the `krippendorff` package. A sample with fewer than two answers has no pair to agree
    on and is left out; answers with a label outside `labels` are ignored.

    Returns:
        alpha, or None where it is undefined: no sample with two answers, or a single label
        used throughout (no disagreement is expected, so none can be measured).
    """
    import krippendorff

    index = {label: i for i, label in enumerate(labels)}
    counts: dict[str, np.ndarray] = {}
    for a in answers:
        if a.label in index:
            counts.setdefault(a.sample, np.zeros(len(labels)))[index[a.label]] += 1
    paired = [c for c in counts.values() if c.sum() >= 2]
    if not paired or np.count_nonzero(np.sum(paired, axis=0)) < 2:
        return None
    alpha = krippendorff.alpha(
        value_counts=np.array(paired),
        value_domain=list(range(len(labels))),
        level_of_measurement="nominal",
    )
    return None if math.isnan(alpha) else float(alpha)
