"""Krippendorff's alpha over a task's answers: 1 for agreement, about 0 for chance."""

from __future__ import annotations

import numpy as np
import pytest

from activecrowds_ml.agreement import krippendorff_alpha
from activecrowds_ml.consensus import Answer

LABELS = ("no", "yes")


def _answers(rows: dict[str, str]) -> list[Answer]:
    """{sample: "labels of its annotators"} with y/n letters, one annotator per letter."""
    full = {"y": "yes", "n": "no"}
    return [
        Answer(sample, f"w{i}", full[c]) for sample, cs in rows.items() for i, c in enumerate(cs)
    ]


def test_full_agreement_is_one_and_systematic_disagreement_negative() -> None:
    assert krippendorff_alpha(_answers({"s1": "yyy", "s2": "nnn"}), LABELS) == pytest.approx(1)
    assert krippendorff_alpha(_answers({"s1": "yn", "s2": "ny"}), LABELS) == pytest.approx(-0.5)


def test_a_coin_flipping_crowd_is_near_zero() -> None:
    rng = np.random.default_rng(0)
    answers = [
        Answer(f"s{i}", f"w{w}", str(rng.choice(LABELS))) for i in range(400) for w in range(5)
    ]
    alpha = krippendorff_alpha(answers, LABELS)
    assert alpha is not None and abs(alpha) < 0.05


def test_undefined_cases_are_none_and_single_answers_are_left_out() -> None:
    assert krippendorff_alpha([], LABELS) is None
    assert krippendorff_alpha(_answers({"s1": "y", "s2": "n"}), LABELS) is None  # no pairs
    assert krippendorff_alpha(_answers({"s1": "yy", "s2": "yy"}), LABELS) is None  # one label
    # a sample with one answer changes nothing
    paired = _answers({"s1": "yyn", "s2": "nnn"})
    assert krippendorff_alpha(paired + _answers({"s3": "y"}), LABELS) == krippendorff_alpha(
        paired, LABELS
    )
