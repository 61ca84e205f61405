"""Datasets on disk: labelled examples per class and an unlabelled pool, for images and text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Record:
    """One sample: an image file or a text; `label` when labelled; `truth` only in simulations
    (the hidden ground truth of a pool sample, used by simulated crowds and never shown)."""

    id: str
    file: str | None = None  # absolute path of an image
    text: str | None = None
    label: str | None = None
    truth: str | None = None
