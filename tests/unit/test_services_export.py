"""A task's export on the fakes: every stored answer once (annotator, label, whether it counted),
each sample in its split with its decided label, the round it joined training and the latest
prediction; only the admin exports, and an unknown format or task changes nothing.

The stand-in model puts p1, p3, p4 in batch 0 (see test_services_models.py); labels neg/pos.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import pytest
from fakes import Fakes
from standins import Given

from activecrowds.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationError
from activecrowds.domain.model import ADMIN
from activecrowds.services import crowd, export
from activecrowds.services.answers import submit_answers
from activecrowds.services.export import ExportFormat
from activecrowds.services.rounds import run_training_round


async def download(fakes: Fakes, task_id: int, fmt: ExportFormat) -> bytes:
    found = await export.export(fakes.ctx, ADMIN, task_id, fmt)
    return b"".join([chunk async for chunk in found.body])


async def crowd_task(fakes: Fakes, given: Given) -> int:
    """Batch 0: p1 accepted as pos, p3 as neg, p4 disputed; round 1 ran. Then in batch 1 a
    third annotator answers and is suspended, so its answers stay as evidence only."""
    task = await given.open_task(max_peers=2, min_agreement=1.0)
    a, b, c = await given.annotators(3)
    s = task.samples
    await submit_answers(
        fakes.ctx,
        a,
        task.id,
        task.batch.id,
        [(s[k].id, v) for k, v in (("p1", "pos"), ("p3", "neg"), ("p4", "pos"))],
    )
    await submit_answers(
        fakes.ctx,
        b,
        task.id,
        task.batch.id,
        [(s[k].id, v) for k, v in (("p1", "pos"), ("p3", "neg"), ("p4", "neg"))],
    )
    assert await run_training_round(fakes.ctx, task.id, 1)
    nxt = given.current(task.id)
    await submit_answers(
        fakes.ctx, c, task.id, nxt.batch.id, [(x.id, "pos") for x in nxt.samples.values()]
    )
    await crowd.suspend_annotator(fakes.ctx, ADMIN, c.id)
    return task.id


async def test_every_stored_answer_appears_once_with_its_annotator_and_count(
    fakes: Fakes, given: Given
) -> None:
    task_id = await crowd_task(fakes, given)
    rows = [
        json.loads(line)
        for line in (await download(fakes, task_id, ExportFormat.JSONL)).splitlines()
    ]
    tables = fakes.db.committed
    ours = {i for i, s in tables.samples.items() if s.task_id == task_id}
    held = sorted(
        (a.sample_id, a.annotator_id, a.label, a.counted)
        for a in tables.answers.values()
        if a.sample_id in ours
    )
    exported = sorted(
        (r["sample_id"], x["annotator_id"], x["label"], x["counted"])
        for r in rows
        for x in r["answers"]
    )
    assert exported == held and len(held) == 3 * 2 + 2
    assert [r["sample_id"] for r in rows] == sorted(ours)  # each sample once, in id order
    assert any(not counted for *_, counted in held)  # the suspended one's


async def test_each_sample_is_in_its_split_with_its_label_round_and_prediction(
    fakes: Fakes, given: Given
) -> None:
    task_id = await crowd_task(fakes, given)
    rows = {
        r["key"]: r
        for r in map(json.loads, (await download(fakes, task_id, ExportFormat.JSONL)).splitlines())
    }
    picked = {
        k: (r["split"], r["label"], r["state"], r["trained_from_round"], r["agreement"])
        for k, r in rows.items()
        if k in ("p1", "p3", "p4")
    }
    assert picked == {
        "p1": ("crowd", "pos", "ACCEPTED", 1, 1.0),
        "p3": ("crowd", "neg", "ACCEPTED", 1, 1.0),
        "p4": ("crowd", None, "DISPUTED", None, 0.5),
    }
    by_split: dict[str, int] = {}
    for r in rows.values():
        by_split[r["split"]] = by_split.get(r["split"], 0) + 1
    assert by_split == {"seed": 2, "eval": 2, "test": 2, "crowd": 5}  # 3 in batch 0, 2 in 1
    assert all(r["label"] is not None for r in rows.values() if r["split"] != "crowd")
    assert {r["trained_from_round"] for r in rows.values() if r["split"] == "seed"} == {0}
    # The pool carries round 1's predictions; labelled samples have none
    pool = [r for r in rows.values() if r["split"] == "crowd"]
    assert all(r["prediction_round"] == 1 and r["predicted_label"] for r in pool)
    assert all(r["predicted_label"] is None for r in rows.values() if r["split"] != "crowd")
    # Batch 1's answers were uncounted: no agreement from them
    batch_1 = [r for r in pool if r["key"] not in picked]
    assert all(r["agreement"] is None and r["state"] == "OPEN" for r in batch_1)


async def test_the_csv_is_one_row_per_sample_with_the_answers_as_json(
    fakes: Fakes, given: Given
) -> None:
    task_id = await crowd_task(fakes, given)
    lines = (await download(fakes, task_id, ExportFormat.JSONL)).splitlines()
    table = list(
        csv.DictReader(io.StringIO((await download(fakes, task_id, ExportFormat.CSV)).decode()))
    )
    assert [json.loads(x["answers"]) for x in table] == [json.loads(r)["answers"] for r in lines]
    assert [x["key"] for x in table] == [json.loads(r)["key"] for r in lines]


def test_a_format_is_named_by_its_name_or_extension_and_others_are_refused() -> None:
    assert export.parse_format("zip") is ExportFormat.IMAGEFOLDER
    assert export.parse_format("CSV") is ExportFormat.CSV
    with pytest.raises(ValidationError, match="unknown export format 'xlsx'; known: jsonl"):
        export.parse_format("xlsx")


async def test_only_the_admin_exports_a_task_that_exists(fakes: Fakes, given: Given) -> None:
    task = await given.open_task()
    (someone,) = await given.annotators(1)
    before = fakes.db.committed
    with pytest.raises(Unauthenticated):
        await export.export(fakes.ctx, None, task.id, ExportFormat.JSONL)
    with pytest.raises(Forbidden):
        await export.export(fakes.ctx, someone, task.id, ExportFormat.JSONL)
    with pytest.raises(NotFound, match="no task 999"):
        await export.export(fakes.ctx, ADMIN, 999, ExportFormat.CSV)
    # a text task has no image folder
    with pytest.raises(ValidationError, match="image folder is for image tasks"):
        await export.export(fakes.ctx, ADMIN, task.id, ExportFormat.IMAGEFOLDER)
    assert fakes.db.committed is before


def test_the_image_folder_puts_training_labels_in_folders_and_the_pool_in_unlabelled() -> None:
    from activecrowds.services.export_writers import folder_entry

    def entry(split: str, label: str | None, key: str = "a/b", file: str = "f/x.JPG") -> str | None:
        return folder_entry({"split": split, "label": label, "key": key, "file": file})

    assert entry("seed", "cat") == "cat/a_b.JPG"
    assert entry("crowd", "..") == "__/a_b.JPG"  # a label is never a path
    assert entry("crowd", None) == entry("pool", None) == "unlabelled/a_b.JPG"
    assert entry("seed", "cat", key="x.jpg") == "cat/x.jpg"  # the key's own extension
    assert entry("eval", "cat") is entry("gold", "cat") is entry("test", "cat") is None


async def test_the_zip_holds_the_files_and_names_those_it_could_not_take(tmp_path: Path) -> None:
    from activecrowds.services.export_writers import image_folder

    dataset = tmp_path / "dataset"
    (dataset / "img").mkdir(parents=True)
    (dataset / "img" / "a.png").write_bytes(b"a's bytes")
    (tmp_path / "secret.png").write_bytes(b"outside the dataset")

    def sample(key: str, file: str) -> dict[str, Any]:
        return {"split": "seed", "label": "cat", "key": key, "file": file}

    async def chunks() -> AsyncGenerator[list[dict[str, Any]], None]:
        yield [sample("a", "img/a.png"), sample("gone", "img/gone.png")]
        yield [sample("out", "../secret.png")]

    raw = b"".join([part async for part in image_folder(chunks(), dataset)])
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        assert archive.namelist() == ["cat/a.png", "missing.txt"]
        assert archive.read("cat/a.png") == b"a's bytes"
        assert archive.read("missing.txt") == b"gone\nout\n"
