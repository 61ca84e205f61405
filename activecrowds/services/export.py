"""A task's labels out, for its owner: every sample with its split, decided label, state,
every answer, agreement, the round it joined training and the latest prediction.

One code path for the CLI and HTTP: `export` checks the caller, task and format before a byte
is sent, then streams the records a chunk at a time (the repository's keyset pages by sample
id), so a task of any size is never held in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from activecrowds.domain.crowd import aware
from activecrowds.domain.errors import NotFound, ValidationError
from activecrowds.domain.history import SampleSplit
from activecrowds.domain.model import Caller, Role, SampleKind, SampleState, Task
from activecrowds.services import export_writers as writers
from activecrowds.services.auth import require
from activecrowds.services.context import Context
from activecrowds_ml.scenario import Category

CHUNK = 1000  # samples per database page: a few hundred KB of rows at a time


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    IMAGEFOLDER = "imagefolder"  # a zip of <label>/<key>.<ext> and unlabelled/

    @property
    def extension(self) -> str:
        """The download's file extension (the HTTP route names a format by it)."""
        return "zip" if self is ExportFormat.IMAGEFOLDER else self.value

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES = {
    ExportFormat.JSONL: "application/x-ndjson",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.IMAGEFOLDER: "application/zip",
}


def parse_format(raw: str) -> ExportFormat:
    """A format by name (CLI) or by extension (URL). Raises ValidationError naming the known."""
    name = raw.lower()
    for fmt in ExportFormat:
        if name in (fmt.value, fmt.extension):
            return fmt
    known = ", ".join(f"{f.value} (.{f.extension})" for f in ExportFormat)
    raise ValidationError(f"unknown export format {raw!r}; known: {known}", "format")


def split_of(kind: SampleKind, batch_number: int | None) -> str:
    """seed, eval, test, gold by kind; a pool sample is "crowd" once picked into a batch."""
    return SampleSplit.of(kind, batch_number is not None).value


def decided_label(row: dict[str, Any]) -> str | None:
    """The label the task holds for a sample: the dataset's for labelled kinds, the crowd's
    for an accepted pool sample, none otherwise (undecided or disputed)."""
    label: str | None = row["label"] if row["kind"] is not SampleKind.POOL else None
    if row["kind"] is SampleKind.POOL and row["state"] is SampleState.ACCEPTED:
        label = row["resolved_label"]
    return label


def agreement(answers: list[dict[str, Any]]) -> float | None:
    """The share of the most given label among counted answers (None: no counted answer)."""
    counts = Counter(a["label"] for a in answers if a["counted"])
    total = sum(counts.values())
    return max(counts.values()) / total if total else None


def trained_from_round(row: dict[str, Any]) -> int | None:
    """The round whose model first trained on the sample: 0 for seed samples; an accepted
    crowd sample of batch n joins the training set of round n + 1; others never train."""
    if row["kind"] is SampleKind.SEED:
        return 0
    if row["kind"] is SampleKind.POOL and row["state"] is SampleState.ACCEPTED:
        return int(row["batch_number"]) + 1
    return None


def record(row: dict[str, Any]) -> dict[str, Any]:
    """One exported sample as JSON values (the repository's row in, no database types out)."""
    answers = [
        {
            "annotator_id": a["annotator_id"],
            "label": a["label"],
            "at": _iso(a["created_at"]),
            "counted": bool(a["counted"]),
        }
        for a in row["answers"]
    ]
    state = row["state"]
    return {
        "sample_id": row["id"],
        "key": row["key"],
        "file": row["file"],
        "text": row["text"],
        "split": split_of(row["kind"], row["batch_number"]),
        "label": decided_label(row),
        "state": state.value if state is not None else None,
        "agreement": agreement(row["answers"]),
        "trained_from_round": trained_from_round(row),
        "predicted_label": row["predicted"],
        "confidence": row["confidence"],
        "prediction_round": row["prediction_round"],
        "answers": answers,
    }


def _iso(moment: Any) -> str | None:
    found = aware(moment)
    return found.isoformat() if found is not None else None


@dataclass(frozen=True)
class Export:
    """A checked export: its download name and type, and the body as it is streamed."""

    filename: str
    media_type: str
    body: AsyncGenerator[bytes, None]  # close it when a download ends early


async def export(ctx: Context, caller: Caller | None, task_id: int, fmt: ExportFormat) -> Export:
    """ADMIN. The task's samples in `fmt`, streamed.

    Raises (before anything is streamed):
        Unauthenticated, Forbidden: not the admin.
        NotFound: no such task.
        ValidationError: an image folder asked of a text task.
    """
    require(caller, Role.ADMIN)
    async with ctx.uow(write=False) as uow:
        task = await uow.tasks.get(task_id)
    if task is None:
        raise NotFound(f"no task {task_id}")
    if fmt is ExportFormat.IMAGEFOLDER and task.category != Category.IMAGE:
        raise ValidationError("an image folder is for image tasks; use jsonl or csv", "format")
    filename = f"task-{task.id}-labels.{fmt.extension}"
    return Export(filename, fmt.media_type, _body(ctx, task, fmt))


async def records(ctx: Context, task_id: int) -> AsyncGenerator[list[dict[str, Any]], None]:
    """The task's records, a chunk at a time, in sample id order (one read transaction: on
    SQLite one snapshot; on PostgreSQL each chunk is read as committed when it is read)."""
    async with ctx.uow(write=False) as uow:
        async for rows in uow.samples.export_rows(task_id, CHUNK):
            yield [record(r) for r in rows]


def _body(ctx: Context, task: Task, fmt: ExportFormat) -> AsyncGenerator[bytes, None]:
    chunks = records(ctx, task.id)
    if fmt is ExportFormat.JSONL:
        return writers.jsonl(chunks)
    if fmt is ExportFormat.CSV:
        return writers.csv_rows(chunks)
    return writers.image_folder(chunks, Path(task.dataset))
