"""Classify an owner's new photos or texts with a task's round model, adding nothing to the task.

The latest round's stored model answers unless a round is chosen; each input is prepared as
training prepared the task's samples (activecrowds_ml.classify), so a pool photo sent here
gets the probabilities its round stored. Nothing is written: no sample, no feature, no row.

Who may call: the admin only. The model is the task's product, paid for with the crowd's
labels; an annotator who could query it would see what the model thinks of the very photos it
is asked to label, and could copy the model instead of looking (the peer rule cannot tell that
from agreement), and anyone else could spend the server's CPU on their photos. The edge checks
the token before it reads a byte of the body, so an anonymous caller costs the headers only.

Loading a model costs (a backbone built, weights read), so each server process keeps a few
loaded (`LoadedModels`, least recently used out). Inference runs in a thread, never on the
event loop, one request at a time per process: torch already spreads one batch over the
cores, and two at once only slow each other down.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from activecrowds.domain.errors import NotFound, ValidationError
from activecrowds.domain.model import Caller, Role
from activecrowds.domain.predictions import ModelArtifact
from activecrowds.services.auth import require
from activecrowds.services.context import Context
from activecrowds_ml.artifacts import load_model
from activecrowds_ml.classify import Classification, Input, classify
from activecrowds_ml.models.base import Model

Loader = Callable[[Path], Model]


class LoadedModels:
    """Round models kept loaded in this process, the least recently used dropped past
    `capacity`; one whose folder is gone (its task deleted, its round pruned) is dropped at
    the next request, and is never served meanwhile (each request looks the model up first).
    """

    def __init__(self, capacity: int = 2) -> None:
        self.capacity = max(capacity, 1)
        self.loads = 0  # models loaded from disk (tests and benchmarks read it)
        self._models: OrderedDict[int, tuple[Path, Model]] = OrderedDict()
        self._loading = asyncio.Lock()  # one load at a time: never the same model twice
        self._running = asyncio.Semaphore(1)

    async def get(self, model_id: int, folder: Path, load: Loader) -> Model:
        """The model stored in `folder`, loaded (off the event loop) unless it is held."""
        for held, (where, _) in list(self._models.items()):
            if not where.is_dir():
                del self._models[held]
        async with self._loading:
            found = self._models.get(model_id)
            if found is None or found[0] != folder:
                found = (folder, await asyncio.to_thread(load, folder))
                self.loads += 1
                self._models[model_id] = found
            self._models.move_to_end(model_id)
            while len(self._models) > self.capacity:
                self._models.popitem(last=False)
            return found[1]

    async def classify(self, model: Model, inputs: Sequence[Input]) -> list[Classification]:
        """activecrowds_ml.classify in a thread, one call at a time in this process."""
        async with self._running:
            return await asyncio.to_thread(classify, model, inputs)

    def held(self) -> list[int]:
        """The ids of the models held, least recently used first."""
        return list(self._models)


@dataclass(frozen=True)
class Classified:
    """Which model answered, its labels (in probability order), and one result per input."""

    model: ModelArtifact
    labels: tuple[str, ...]
    results: list[Classification]


async def classify_inputs(
    ctx: Context,
    caller: Caller | None,
    loaded: LoadedModels,
    task_id: int,
    inputs: Sequence[Input],
    round_number: int | None = None,
    max_inputs: int = 64,
) -> Classified:
    """ADMIN. Label probabilities for each input from the task's latest (or the chosen
    round's) stored model, in the order sent; nothing is stored.

    Raises:
        Unauthenticated, Forbidden: not the admin.
        NotFound: no such task, no stored model for that round (or none yet).
        ValidationError: no inputs, more than `max_inputs`. InputError (a ValidationError):
            bad inputs, each named.
    """
    require(caller, Role.ADMIN)
    check_count(len(inputs), max_inputs)
    artifact = await chosen_model(ctx, task_id, round_number)
    root = ctx.models_dir
    folder = (root / artifact.path).resolve() if root is not None else Path("/nonexistent")
    if root is None or not folder.is_relative_to(root.resolve()) or not folder.is_dir():
        raise NotFound(f"round {artifact.round_number}'s model files are gone from the store")
    model = await loaded.get(artifact.id, folder, lambda f: _load(ctx, f))
    results = await loaded.classify(model, inputs)
    return Classified(artifact, tuple(model.labels), results)


def check_count(count: int, max_inputs: int) -> None:
    """Raise ValidationError past `max_inputs` (before any file is copied, where it can)."""
    if count > max_inputs:
        raise ValidationError(f"at most {max_inputs} inputs per request; got {count}", "files")


async def chosen_model(ctx: Context, task_id: int, round_number: int | None) -> ModelArtifact:
    """The task's stored model of `round_number`, or its latest (None).

    Raises:
        NotFound: no such task, or no stored model for that round (the message lists those
            there are).
    """
    async with ctx.uow(write=False) as uow:
        task = await uow.tasks.get(task_id)
        stored = (await uow.rounds.models([task_id])).get(task_id, []) if task else []
    if task is None:
        raise NotFound(f"no task {task_id}")
    if not stored:
        raise NotFound(f"task {task_id} has no stored model yet (round 0 is still training)")
    if round_number is None:
        return max(stored, key=lambda m: m.round_number)
    for artifact in stored:
        if artifact.round_number == round_number:
            return artifact
    kept = ", ".join(str(m.round_number) for m in stored)
    raise NotFound(f"task {task_id} has no stored model for round {round_number} (stored: {kept})")


def _load(ctx: Context, folder: Path) -> Model:
    return load_model(folder, cache_dir=ctx.cache_dir, device=ctx.device)
