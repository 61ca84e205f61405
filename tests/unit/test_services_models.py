"""What rounds leave their owner: a stored model per round (kept or pruned) and the latest
model's prediction for every pool sample, read a page at a time beside the crowd's labels.

The stand-in model (standins.Script) is unsure (50/50) about p1, p3 and p4 and 95% sure of
"neg" for the rest, so margin puts p1, p3, p4 in batch 0; the labels are ["neg", "pos"].
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fakes import Fakes
from standins import EVAL, Given, Script

from activecrowds.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationError
from activecrowds.domain.model import ADMIN
from activecrowds.domain.predictions import (
    CrowdState,
    Cursor,
    PredictionFilter,
    PredictionOrder,
)
from activecrowds.services import models
from activecrowds.services.answers import submit_answers
from activecrowds.services.context import Context
from activecrowds.services.rounds import run_training_round
from activecrowds_ml.artifacts import ModelFormat, labels_digest


def by_key(fakes: Fakes, task_id: int) -> dict[str, tuple[str, float, int]]:
    """The stored predictions of a task: sample key -> (label, confidence, round)."""
    tables = fakes.db.committed
    return {
        tables.samples[p.sample_id].key: (p.label, p.confidence, p.round_number)
        for p in tables.predictions.values()
        if p.task_id == task_id
    }


def store(ctx: Context) -> Path:
    """The context's model store (every test context here has one)."""
    assert ctx.models_dir is not None
    return ctx.models_dir


async def answer(fakes: Fakes, given: Given, task_id: int, crowd: dict[str, list[str]]) -> None:
    """Each annotator i answers crowd[key][i] for the current batch's samples."""
    task = given.current(task_id)
    people = await given.annotators(max(len(v) for v in crowd.values()))
    for i, who in enumerate(people):
        answers = [(task.samples[k].id, labels[i]) for k, labels in crowd.items()]
        await submit_answers(fakes.ctx, who, task_id, task.batch.id, answers)


async def test_round_0_predicts_every_pool_sample_and_stores_its_model(
    fakes: Fakes, given: Given
) -> None:
    task = await given.open_task()
    # Then each pool sample has round 0's prediction: its most probable label and its share
    assert by_key(fakes, task.id) == {
        "p0": ("neg", 0.95, 0),
        "p1": ("neg", 0.5, 0),  # 50/50: the first label of equals
        "p2": ("neg", 0.95, 0),
        "p3": ("neg", 0.5, 0),
        "p4": ("neg", 0.5, 0),
    }
    # And the round's model is stored, its metadata saying what it learned from
    (stored,) = fakes.db.committed.models.values()
    assert (stored.task_id, stored.round_number, stored.eval_accuracy) == (task.id, 0, 0.5)
    folder = store(fakes.ctx) / stored.path
    meta = json.loads((folder / "metadata.json").read_text())
    assert (meta["task_id"], meta["round"], meta["labels"]) == (task.id, 0, ["neg", "pos"])
    seeds = [s for s in fakes.db.committed.samples.values() if s.kind.value == "SEED"]
    assert meta["trained_on"]["count"] == 2
    digest = labels_digest([s.key for s in seeds], [str(s.label) for s in seeds])
    assert meta["trained_on"]["sha256"] == digest
    assert meta["metrics"]["eval"] == EVAL.to_dict()
    assert stored.size == (folder / "metadata.json").stat().st_size  # a stand-in: no weights


async def test_the_next_round_replaces_them_and_shows_the_crowds_labels(
    fakes: Fakes, given: Given, script: Script
) -> None:
    task = await given.open_task(max_peers=2, min_agreement=1.0)
    # When the crowd accepts p1 as pos and p3 as neg and splits on p4, and round 1 runs
    await answer(
        fakes, given, task.id, {"p1": ["pos"] * 2, "p3": ["neg"] * 2, "p4": ["pos", "neg"]}
    )
    script.unsure = {"p0"}
    assert await run_training_round(fakes.ctx, task.id, 1)
    # Then every pool sample, asked or not, has round 1's prediction
    assert by_key(fakes, task.id) == {
        "p0": ("neg", 0.5, 1),
        "p1": ("neg", 0.95, 1),
        "p2": ("neg", 0.95, 1),
        "p3": ("neg", 0.95, 1),
        "p4": ("neg", 0.95, 1),
    }
    page = await models.predictions(fakes.ctx, ADMIN, task.id, PredictionFilter())
    states = {p.sample.key: (p.crowd_state, p.crowd_label, p.disagrees) for p in page.items}
    assert states == {
        "p0": (CrowdState.UNLABELLED, None, False),
        "p1": (CrowdState.ACCEPTED, "pos", True),  # the crowd says pos, the model neg
        "p2": (CrowdState.UNLABELLED, None, False),
        "p3": (CrowdState.ACCEPTED, "neg", False),
        "p4": (CrowdState.DISPUTED, None, False),
    }
    errors = await models.predictions(
        fakes.ctx, ADMIN, task.id, PredictionFilter(disagreements=True)
    )
    assert [p.sample.key for p in errors.items] == ["p1"] and errors.total == 1


async def test_pages_follow_confidence_and_never_repeat_or_skip(fakes: Fakes, given: Given) -> None:
    task = await given.open_task()
    seen, after, pages = [], None, 0
    while True:
        page = await models.predictions(
            fakes.ctx, ADMIN, task.id, PredictionFilter(), after=after, first=2
        )
        seen += [(p.prediction.confidence, p.sample.key) for p in page.items]
        pages += 1
        assert page.total == 5
        if not page.has_next:
            break
        after = Cursor.of(page.items[-1])
    assert pages == 3
    # most certain first, ties by sample id (the later first, in the same direction)
    assert seen == [(0.95, "p2"), (0.95, "p0"), (0.5, "p4"), (0.5, "p3"), (0.5, "p1")]
    least = PredictionFilter(order=PredictionOrder.CONFIDENCE_ASC, max_confidence=0.6)
    page = await models.predictions(fakes.ctx, ADMIN, task.id, least)
    assert [p.sample.key for p in page.items] == ["p1", "p3", "p4"]
    sure = PredictionFilter(label="neg", min_confidence=0.9, state=CrowdState.UNLABELLED)
    page = await models.predictions(fakes.ctx, ADMIN, task.id, sure)
    assert [p.sample.key for p in page.items] == ["p2", "p0"]


@pytest.mark.parametrize(
    ("where", "first", "field"),
    [
        (PredictionFilter(label="maybe"), None, "label"),
        (PredictionFilter(min_confidence=-0.1), None, "minConfidence"),
        (PredictionFilter(max_confidence=1.5), None, "maxConfidence"),
        (PredictionFilter(min_confidence=0.8, max_confidence=0.2), None, "minConfidence"),
        (PredictionFilter(state=CrowdState.DISPUTED, disagreements=True), None, "state"),
        (PredictionFilter(), 0, "first"),
        (PredictionFilter(), 101, "first"),
    ],
)
async def test_bad_filters_are_refused_by_name(
    fakes: Fakes, given: Given, where: PredictionFilter, first: int | None, field: str
) -> None:
    task = await given.open_task()
    with pytest.raises(ValidationError) as refused:
        await models.predictions(fakes.ctx, ADMIN, task.id, where, first=first)
    assert refused.value.field == field


async def test_only_the_admin_reads_predictions_and_models(fakes: Fakes, given: Given) -> None:
    task = await given.open_task()
    (annotator,) = await given.annotators(1)
    (stored,) = fakes.db.committed.models.values()
    for who, error in ((None, Unauthenticated), (annotator, Forbidden)):
        with pytest.raises(error):
            await models.predictions(fakes.ctx, who, task.id, PredictionFilter())
        with pytest.raises(error):
            await models.model_file(fakes.ctx, who, stored.id, ModelFormat.METADATA)
    with pytest.raises(NotFound):
        await models.predictions(fakes.ctx, ADMIN, task.id + 100, PredictionFilter())
    found = await models.model_file(fakes.ctx, ADMIN, stored.id, ModelFormat.METADATA)
    assert found.path.name == "metadata.json"
    assert found.filename == f"task-{task.id}-round-0-metadata.json"
    # a stand-in model has no weights, so no export either: said, not a server error
    for fmt in (ModelFormat.WEIGHTS, ModelFormat.ONNX):
        with pytest.raises(NotFound, match=fmt.value):
            await models.model_file(fakes.ctx, ADMIN, stored.id, fmt)
    with pytest.raises(NotFound):
        await models.model_file(fakes.ctx, ADMIN, stored.id + 100, ModelFormat.METADATA)


async def test_old_models_are_pruned_but_the_newest_and_the_best_stay(
    fakes: Fakes, given: Given, script: Script
) -> None:
    ctx = fakes.replace(models_keep=1)
    fakes.ctx = ctx
    given.fakes = fakes
    # Given round 0 scores best on the eval set, rounds 1 and 2 worse
    script.eval = dataclasses.replace(EVAL, accuracy=0.9)
    task = await given.open_task(max_peers=2, min_agreement=1.0, batch_size=3)
    await answer(fakes, given, task.id, {"p1": ["pos"] * 2, "p3": ["neg"] * 2, "p4": ["neg"] * 2})
    script.eval = dataclasses.replace(EVAL, accuracy=0.6)
    assert await run_training_round(ctx, task.id, 1)
    await answer(fakes, given, task.id, {"p0": ["neg"] * 2, "p2": ["neg"] * 2})
    round_1 = store(ctx) / next(
        m.path for m in fakes.db.committed.models.values() if m.round_number == 1
    )
    assert round_1.is_dir()
    script.eval = dataclasses.replace(EVAL, accuracy=0.7)
    assert await run_training_round(ctx, task.id, 2)
    # Then with one to keep, the newest (2) and the best (0) stay, and round 1's folder is gone
    kept = sorted(m.round_number for m in fakes.db.committed.models.values())
    assert kept == [0, 2]
    assert not round_1.exists()
    for m in fakes.db.committed.models.values():
        assert (store(ctx) / m.path / "metadata.json").is_file()


async def test_a_context_without_a_model_store_keeps_predictions_only(
    fakes: Fakes, given: Given
) -> None:
    fakes.ctx = fakes.replace(models_dir=None)
    given.fakes = fakes
    task = await given.open_task()
    assert fakes.db.committed.models == {}
    assert len(by_key(fakes, task.id)) == 5


async def test_deleting_a_task_removes_its_models_and_predictions(
    fakes: Fakes, given: Given
) -> None:
    from activecrowds.services.tasks import delete_task

    task = await given.open_task()
    other = await given.open_task()
    assert fakes.ctx.models_dir is not None
    folder = fakes.ctx.models_dir / f"task-{task.id}"
    assert folder.is_dir()
    assert await delete_task(fakes.ctx, ADMIN, task.id)
    assert not folder.exists()
    assert {m.task_id for m in fakes.db.committed.models.values()} == {other.id}
    assert {p.task_id for p in fakes.db.committed.predictions.values()} == {other.id}
    assert (fakes.ctx.models_dir / f"task-{other.id}").is_dir()


def test_the_model_store_and_how_many_to_keep_are_settings(tmp_path: Path) -> None:
    from activecrowds.config import load_settings

    base = {"ACTIVECROWDS_DATA_DIR": str(tmp_path / "data"), "ACTIVECROWDS_ADMIN_TOKEN": "x"}
    default = load_settings(base)
    assert default.models_dir == (tmp_path / "data" / "models").resolve()
    assert default.models_keep == 5
    mounted = {
        **base,
        "ACTIVECROWDS_MODELS_DIR": str(tmp_path / "bucket"),
        "ACTIVECROWDS_MODELS_KEEP": "2",
    }
    chosen = load_settings(mounted)
    assert (chosen.models_dir, chosen.models_keep) == ((tmp_path / "bucket").resolve(), 2)
    with pytest.raises(ValidationError, match="ACTIVECROWDS_MODELS_KEEP"):
        load_settings({**base, "ACTIVECROWDS_MODELS_KEEP": "-1"})
