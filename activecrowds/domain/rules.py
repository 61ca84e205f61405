"""Rules that need no I/O: what a valid submission is, which categories exist, limits."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

# Subcategories listed per category in the API (the server may not train all of them yet).
SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    "IMAGE": (
        "BINARY_CLASSIFICATION",
        "MULTICLASS_CLASSIFICATION",
        "OBJECT_DETECTION",
        "IMAGE_CAPTIONING",
    ),
    "TEXT": ("BINARY_CLASSIFICATION", "MULTICLASS_CLASSIFICATION"),
    "AUDIO": ("BINARY_CLASSIFICATION", "MULTICLASS_CLASSIFICATION"),
    "OTHER": ("BINARY_CLASSIFICATION", "MULTICLASS_CLASSIFICATION"),
}

MAX_ANSWERS = 500  # per submission; a batch is far smaller in practice
MAX_LABELS = 100
MAX_LABEL_LENGTH = 100
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_NAME_LENGTH = 100
MAX_KEY_LENGTH = 200  # a sample's record id in its dataset
# An annotator who opened a batch before the crowd finished it gets this long from opening it
# to send its answers: they are kept as evidence of its quality instead of being refused.
LATE_ANSWERS_S = 600.0
CLOCK_SKEW_S = 60.0  # how far ahead of ours a client's clock may be
MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL: a larger one names nothing
NUL = "\x00"  # no PostgreSQL text column stores it, and no file path may hold it


def submission_problem(
    answers: Sequence[tuple[int, str]],
    batch_samples: Collection[int],
    labels: Collection[str],
) -> tuple[str, str] | None:
    """(field, message) of the first thing wrong with a submission, or None when it is valid."""
    if not answers:
        return "answers", "answers must not be empty"
    if len(answers) > MAX_ANSWERS:
        return "answers", f"at most {MAX_ANSWERS} answers per submission; got {len(answers)}"
    seen: set[int] = set()
    for sample_id, label in answers:
        if sample_id in seen:
            return "sampleId", f"sample {sample_id} is answered twice"
        seen.add(sample_id)
        if sample_id not in batch_samples:
            return "sampleId", f"sample {sample_id} is not in this batch"
        if label not in labels:
            return "label", f"label {label!r} is not one of {sorted(labels)}"
    return None


def same_submission(stored: Mapping[int, str], answers: Sequence[tuple[int, str]]) -> bool:
    """True when `answers` is exactly what this annotator already stored (a retry)."""
    return dict(answers) == dict(stored) and len(answers) == len(stored)


def labels_problem(labels: Sequence[str]) -> str | None:
    """What is wrong with a task's label list, or None."""
    if len(labels) < 2:
        return "a task needs at least two labels"
    if len(labels) > MAX_LABELS:
        return f"at most {MAX_LABELS} labels"
    if len(set(labels)) != len(labels):
        return "labels must be distinct"
    if any(not lab.strip() or len(lab) > MAX_LABEL_LENGTH for lab in labels):
        return f"labels must be non-empty and at most {MAX_LABEL_LENGTH} characters"
    return None


def batch_size_problem(batch_size: int) -> str | None:
    """What is wrong with a batch size, or None: one submission must be able to answer a batch."""
    if batch_size > MAX_ANSWERS:
        return f"batchSize must be at most {MAX_ANSWERS} (the answers one submission takes)"
    return None


def nul_problem(texts: Mapping[str, str | Sequence[str] | None]) -> tuple[str, str] | None:
    """(field, message) for the first text, or list of texts, holding a NUL character; or None."""
    for name, value in texts.items():
        values = [value] if isinstance(value, str) else value or []
        if any(NUL in v for v in values):
            return name, f"{name} must not contain NUL characters"
    return None
