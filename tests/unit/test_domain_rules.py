"""Domain rules: what a valid submission is, when a caller is locked, label lists."""

from __future__ import annotations

import pytest

from activecrowds.domain.model import TaskStatus, locked_for
from activecrowds.domain.rules import (
    MAX_ANSWERS,
    labels_problem,
    same_submission,
    submission_problem,
)

BATCH = {1, 2, 3}
LABELS = {"cat", "dog"}


def test_a_valid_submission_has_no_problem() -> None:
    assert submission_problem([(1, "cat"), (2, "dog")], BATCH, LABELS) is None


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ([], "answers"),
        ([(1, "cat")] * (MAX_ANSWERS + 1), "answers"),
        ([(1, "cat"), (1, "dog")], "sampleId"),
        ([(1, "cat"), (9, "cat")], "sampleId"),
        ([(1, "cat"), (2, "cow")], "label"),
    ],
)
def test_bad_submissions_name_the_field(answers: list[tuple[int, str]], field: str) -> None:
    problem = submission_problem(answers, BATCH, LABELS)
    assert problem is not None and problem[0] == field


def test_a_retry_is_the_same_answers_in_any_order() -> None:
    assert same_submission({1: "cat", 2: "dog"}, [(2, "dog"), (1, "cat")])
    assert not same_submission({1: "cat", 2: "dog"}, [(1, "cat")])
    assert not same_submission({1: "cat"}, [(1, "dog")])


def test_locked_when_answered_or_nothing_to_answer() -> None:
    assert not locked_for(TaskStatus.COLLECTING, has_open_batch=True, answered=False)
    assert locked_for(TaskStatus.COLLECTING, has_open_batch=True, answered=True)
    for status in (TaskStatus.TRAINING, TaskStatus.FINISHED, TaskStatus.FAILED):
        assert locked_for(status, has_open_batch=True, answered=False)
    assert locked_for(TaskStatus.COLLECTING, has_open_batch=False, answered=False)


@pytest.mark.parametrize(
    "labels",
    [["cat"], ["cat", "cat"], ["cat", " "], ["cat", "x" * 101], [str(i) for i in range(101)]],
)
def test_bad_label_lists(labels: list[str]) -> None:
    assert labels_problem(labels) is not None


def test_good_label_list() -> None:
    assert labels_problem(["cat", "dog", "bird"]) is None
