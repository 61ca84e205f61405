"""What a task's rounds produced, for its owner: each round's stored model (and its files), and
the latest model's prediction for every pool sample, beside the crowd's label."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from activecrowds.domain.errors import ModelError, NotFound, ValidationError
from activecrowds.domain.model import Caller, Role
from activecrowds.domain.pages import Page, page_size
from activecrowds.domain.predictions import (
    Cursor,
    ModelArtifact,
    PredictedSample,
    PredictionFilter,
)
from activecrowds.services.auth import require
from activecrowds.services.context import Context
from activecrowds_ml.artifacts import EXPORT_FILES, ModelFormat, export, file_of, remove


def task_folder(task_id: int) -> str:
    """Where a task's round models live, under ctx.models_dir."""
    return f"task-{task_id}"


def round_folder(task_id: int, number: int, attempt: int) -> str:
    """One attempt's model folder: two runners of one round (a lease that ran out) never
    write into the same folder; the one whose outcome is not recorded removes its own."""
    return f"{task_folder(task_id)}/round-{number}-attempt-{attempt}"


async def forget_task(ctx: Context, task_id: int) -> None:
    """Remove a deleted task's model folders (its rows went with the task)."""
    if ctx.models_dir is not None:
        await asyncio.to_thread(remove, ctx.models_dir / task_folder(task_id))


async def round_models(ctx: Context, task_ids: Sequence[int]) -> dict[int, list[ModelArtifact]]:
    """Each task's stored models, oldest round first (the caller is checked by whoever asks)."""
    async with ctx.uow(write=False) as uow:
        return await uow.rounds.models(task_ids)


@dataclass(frozen=True)
class ModelFile:
    """A file of a stored model, and the name a download should save it as."""

    path: Path
    filename: str


async def model_file(
    ctx: Context, caller: Caller | None, model_id: int, fmt: ModelFormat
) -> ModelFile:
    """ADMIN. One file of a round's model; an ONNX or TorchScript export is made on first
    request (seconds on a CPU, off the event loop) and kept beside the weights.

    Raises:
        Unauthenticated, Forbidden: not the admin.
        NotFound: no such model (or pruned, or its folder gone), or a format it has not (a
            text model has no ONNX: the message says why).
    """
    require(caller, Role.ADMIN)
    async with ctx.uow(write=False) as uow:
        found = await uow.rounds.get_model(model_id)
    root = ctx.models_dir
    if found is None or root is None:
        raise NotFound(f"no model {model_id}")
    folder = (root / found.path).resolve()
    if not folder.is_relative_to(root.resolve()) or not folder.is_dir():
        raise NotFound(f"model {model_id}'s files are gone from the model store")
    if fmt.value in EXPORT_FILES:
        try:
            path = await asyncio.to_thread(export, folder, fmt.value, cache_dir=ctx.cache_dir)
        except ModelError as exc:
            raise NotFound(str(exc)) from None
    else:
        path = folder / file_of(fmt)
        if not path.is_file():
            raise NotFound(f"model {model_id} has no {fmt.value} file (not a savable model)")
    name = f"task-{found.task_id}-round-{found.round_number}-{path.name}"
    return ModelFile(path, name)


PredictionPage = Page[PredictedSample]


async def predictions(
    ctx: Context,
    caller: Caller | None,
    task_id: int,
    where: PredictionFilter,
    after: Cursor | None = None,
    first: int | None = None,
) -> PredictionPage:
    """ADMIN. The latest round's predictions for a task's pool samples, filtered and sorted
    by confidence, a page at a time (keyset: a page never repeats or skips a sample while
    the predictions stay the same).

    Raises:
        Unauthenticated, Forbidden: not the admin.
        NotFound: no such task.
        ValidationError: a page size outside 1..MAX_PAGE, an unknown label, a bad
            confidence range, or disagreements asked with another state.
    """
    require(caller, Role.ADMIN)
    limit = page_size(first)
    async with ctx.uow(write=False) as uow:
        task = await uow.tasks.get(task_id)
        if task is None:
            raise NotFound(f"no task {task_id}")
        where.check(task.labels)
        found = await uow.samples.predictions(task_id, where, after, limit + 1)
        total = await uow.samples.count_predictions(task_id, where)
    return Page.of(found, limit, total)


def parse_format(raw: str) -> ModelFormat:
    """A format named in a download URL. Raises ValidationError listing the known ones."""
    try:
        return ModelFormat(raw.lower())
    except ValueError:
        known = ", ".join(f.value for f in ModelFormat)
        raise ValidationError(f"unknown model format {raw!r}; known: {known}", "format") from None
