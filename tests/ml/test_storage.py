"""Datasets on disk: import (folders, CSV, JSONL) with bad inputs reported, the demo, splits."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from activecrowds_ml.errors import DatasetError
from activecrowds_ml.experiment.demo import LABELS, write_demo
from activecrowds_ml.experiment.importer import import_dataset
from activecrowds_ml.scenario import Scenario
from activecrowds_ml.storage import Dataset, Record, split_labelled


def _png(path: Path, value: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((8, 8), value, np.uint8), mode="L").save(path)
    return path


@pytest.fixture
def class_folders(tmp_path: Path) -> Path:
    """coat/ (3 images + 1 fake), bag/ (2 images + 1 truncated), unlabelled/ (2), a loose file."""
    src = tmp_path / "src"
    for i in range(3):
        _png(src / "coat" / f"c{i}.png", 10 * i)
    for i in range(2):
        _png(src / "bag" / f"b{i}.png", 100 + i)
        _png(src / "unlabelled" / f"u{i}.png", 200 + i)
    (src / "coat" / "fake.png").write_text("this is not an image")
    good = (src / "bag" / "b0.png").read_bytes()
    (src / "bag" / "cut.png").write_bytes(good[: len(good) // 2])
    (src / "notes.txt").write_text("a loose file")
    return src


def test_import_folder_reports_bad_files_by_name_and_keeps_the_rest(
    class_folders: Path, tmp_path: Path
) -> None:
    # Given class folders with a fake image, a truncated one and a loose file
    report = import_dataset(class_folders, tmp_path / "ds")
    # Then the good files are imported and each bad one is named with a reason
    assert (report.labelled, report.pool) == (5, 2)
    bad = {Path(source).name: reason for source, reason in report.bad}
    assert set(bad) == {"fake.png", "cut.png", "notes.txt"}
    assert "not an image" in bad["fake.png"] and "not an image" in bad["cut.png"]
    ds = Dataset.load(tmp_path / "ds")
    assert ds.kind == "image" and ds.labels == ("bag", "coat")
    assert ds.count_by_label() == {"bag": 2, "coat": 3}
    assert {r.id for r in ds.pool} == {"unlabelled/u0.png", "unlabelled/u1.png"}
    for r in ds.labelled + ds.pool:
        assert r.file is not None and Path(r.file).is_file()
        assert Path(r.file).is_relative_to(tmp_path / "ds" / "files")  # copied, not linked


def test_import_labelled_fraction_moves_the_rest_to_the_pool_with_truth(
    class_folders: Path, tmp_path: Path
) -> None:
    report = import_dataset(class_folders, tmp_path / "ds", labelled_fraction=0.5, seed=1)
    ds = Dataset.load(report.root)
    moved = [r for r in ds.pool if r.truth is not None]
    assert len(ds.labelled) + len(moved) == 5 and len(moved) >= 2
    assert all(r.label is None and r.truth in ds.labels for r in moved)


def test_import_extra_pool_folder(class_folders: Path, tmp_path: Path) -> None:
    _png(tmp_path / "more" / "m0.png", 7)
    (tmp_path / "more" / "junk.png").write_bytes(b"\x89PNG but not really")
    report = import_dataset(class_folders, tmp_path / "ds", pool=tmp_path / "more")
    assert report.pool == 3
    assert "junk.png" in {Path(source).name for source, _ in report.bad}


def test_import_csv_manifest(tmp_path: Path) -> None:
    # Given a CSV manifest with a pool row, an unknown label, a missing and a non-image file
    for name, value in (("a.png", 0), ("b.png", 50), ("c.png", 100), ("d.png", 150)):
        _png(tmp_path / "imgs" / name, value)
    (tmp_path / "imgs" / "e.png").write_text("nope")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,label\nimgs/a.png,yes\nimgs/b.png,no\nimgs/c.png,\nimgs/d.png,maybe\n"
        "imgs/missing.png,no\nimgs/e.png,yes\n"
    )
    # When imported with an explicit label order
    report = import_dataset(manifest, tmp_path / "ds", labels=["no", "yes"])
    # Then the good rows are in, the bad ones are reported by file name
    ds = Dataset.load(report.root)
    assert ds.labels == ("no", "yes")
    assert {r.id: r.label for r in ds.labelled} == {"imgs/a.png": "yes", "imgs/b.png": "no"}
    assert [r.id for r in ds.pool] == ["imgs/c.png"]
    bad = dict(report.bad)
    assert any("d.png" in s and "unknown label 'maybe'" in why for s, why in bad.items())
    assert any("missing.png" in s and "not found" in why for s, why in bad.items())
    assert any("e.png" in s and "not an image" in why for s, why in bad.items())


def test_import_jsonl_text_manifest(tmp_path: Path) -> None:
    rows = [
        {"id": "t1", "text": "great phone", "label": "positive"},
        {"id": "t2", "text": "awful battery", "label": "negative"},
        {"id": "t3", "text": "   ", "label": "negative"},
        {"id": "t4", "text": "fine I guess", "label": ""},
        {"id": "t5", "text": "meh", "label": "neutral"},
    ]
    manifest = tmp_path / "tweets.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    report = import_dataset(manifest, tmp_path / "ds", labels=["negative", "positive"])
    ds = Dataset.load(report.root)
    assert ds.kind == "text"
    assert {r.id for r in ds.labelled} == {"t1", "t2"} and [r.text for r in ds.pool] == [
        "fine I guess"
    ]
    reasons = [why for _, why in report.bad]
    assert len(reasons) == 2
    assert "empty text" in reasons[0] and "unknown label 'neutral'" in reasons[1]


def test_import_refuses_a_folder_that_holds_data(class_folders: Path, tmp_path: Path) -> None:
    import_dataset(class_folders, tmp_path / "ds")
    with pytest.raises(DatasetError, match="not empty"):
        import_dataset(class_folders, tmp_path / "ds")


@pytest.mark.parametrize(
    ("meta", "labelled", "message"),
    [
        (None, "", "missing dataset.json"),
        ({"name": "x", "kind": "video", "labels": ["a", "b"]}, "", "kind must be one of"),
        ({"kind": "text", "labels": ["a"]}, "", "at least two"),
        ({"kind": "text", "labels": ["a", "b"]}, "{oops\n", "labelled.jsonl:1: not valid JSON"),
        ({"kind": "text", "labels": ["a", "b"]}, '{"id": "1", "text": "t", "label": "c"}\n', "'c'"),
        ({"kind": "image", "labels": ["a", "b"]}, '{"id": "1", "file": "no.png", "label": "a"}\n',
         "missing"),
    ],
)  # fmt: skip
def test_load_names_what_is_wrong(
    tmp_path: Path, meta: dict[str, object] | None, labelled: str, message: str
) -> None:
    if meta is not None:
        (tmp_path / "dataset.json").write_text(json.dumps(meta))
        (tmp_path / "labelled.jsonl").write_text(labelled)
        (tmp_path / "pool.jsonl").write_text("")
    with pytest.raises(DatasetError, match=message.replace("(", r"\(")):
        Dataset.load(tmp_path)


def _records(n_pos: int, n_neg: int) -> list[Record]:
    pos = [Record(f"p{i}", text="x", label="yes") for i in range(n_pos)]
    return pos + [Record(f"n{i}", text="x", label="no") for i in range(n_neg)]


def test_split_sizes_are_exact_disjoint_stratified_and_seeded() -> None:
    records = _records(300, 700)
    sizes = {"test": 200, "eval": 100, "initial": 30}
    split = split_labelled(records, ["no", "yes"], sizes, seed=3)
    assert (len(split.test), len(split.eval), len(split.seed), len(split.rest)) == (
        200,
        100,
        30,
        670,
    )
    ids = [r.id for part in (split.test, split.eval, split.seed, split.rest) for r in part]
    assert sorted(ids) == sorted(r.id for r in records)
    assert Counter(r.label for r in split.test) == {"yes": 60, "no": 140}
    assert Counter(r.label for r in split.seed) == {"yes": 9, "no": 21}
    # the same seed gives the same sets whatever the input order; another seed differs
    again = split_labelled(records[::-1], ["no", "yes"], sizes, seed=3)
    assert again.ids() == split.ids()
    assert (
        split_labelled(records, ["no", "yes"], sizes, seed=4).ids()["test"] != split.ids()["test"]
    )
    # the test set does not move when only the initial size changes
    bigger = split_labelled(records, ["no", "yes"], {**sizes, "initial": 60}, seed=3)
    assert bigger.ids()["test"] == split.ids()["test"]


def test_split_seeds_every_class_even_a_rare_one() -> None:
    split = split_labelled(_records(3, 97), ["no", "yes"], {"test": 0, "eval": 0, "initial": 4}, 0)
    assert Counter(r.label for r in split.seed)["yes"] >= 1


def test_split_too_small_says_how_many_are_needed(tmp_path: Path) -> None:
    write_demo(tmp_path / "demo", size=40, labelled=20)
    with pytest.raises(DatasetError, match=r"needs 1030 labelled .* has 20"):
        Dataset.load(tmp_path / "demo").split(Scenario())


def test_demo_writes_the_reference_task(tmp_path: Path) -> None:
    # Given a small demo draw
    report = write_demo(tmp_path / "demo", size=120, seed=5)
    ds = Dataset.load(tmp_path / "demo")
    # Then it is a binary image task, labelled part scaled like the paper, pool with truth
    assert ds.labels == LABELS and ds.kind == "image"
    assert (report.labelled, report.pool) == (23, 97) == (len(ds.labelled), len(ds.pool))
    assert all(r.label is None and r.truth in LABELS for r in ds.pool)
    positives = sum(r.known_label == LABELS[1] for r in ds.labelled + ds.pool)
    assert positives == round(report.positive_share * 120)
    assert 0.15 < report.positive_share < 0.5  # 3 of 10 Fashion-MNIST classes
    with Image.open(ds.pool[0].file or "") as image:
        assert image.size == (28, 28)
    # and the same seed draws the same images
    write_demo(tmp_path / "again", size=120, seed=5)
    assert [r.id for r in Dataset.load(tmp_path / "again").pool] == [r.id for r in ds.pool]


def test_split_without_gold_is_the_split_tasks_already_have() -> None:
    # Given the sets drawn before gold existed (their ids' digest, computed with that code)
    sizes = {"test": 200, "eval": 100, "initial": 30}
    split = split_labelled(_records(300, 700), ["no", "yes"], {**sizes, "gold": 0}, seed=3)
    ids = split.ids()
    # Then a scenario without gold draws exactly the same sets, and an empty gold set
    assert ids.pop("gold") == [] and split.gold == ()
    digest = hashlib.sha256(json.dumps(ids, sort_keys=True).encode()).hexdigest()[:16]
    assert digest == "fc7ccaf61ad2cfbe"
    assert split_labelled(_records(300, 700), ["no", "yes"], sizes, seed=3) == split


def test_gold_is_drawn_last_disjoint_and_stratified() -> None:
    records = _records(300, 700)
    sizes = {"test": 200, "eval": 100, "initial": 30}
    plain = split_labelled(records, ["no", "yes"], sizes, seed=3)
    split = split_labelled(records, ["no", "yes"], {**sizes, "gold": 50}, seed=3)
    # test, eval and seed do not move when gold is added
    assert (split.test, split.eval, split.seed) == (plain.test, plain.eval, plain.seed)
    assert Counter(r.label for r in split.gold) == {"yes": 15, "no": 35}
    ids = [i for part in split.ids().values() for i in part]
    assert len(ids) == len(set(ids)) == len(records) and len(split.rest) == 620
    scenario = Scenario(test_size=200, eval_size=100, gold_share=0.1, gold_size=50, seed=3)
    dataset = Dataset(Path("."), "x", "text", ("no", "yes"), tuple(records), ())
    assert dataset.split(scenario) == split


def test_split_that_uses_every_labelled_example_has_an_empty_gold_set() -> None:
    # The reference task holds exactly test + eval + initial labelled examples
    sizes = {"test": 50, "eval": 40, "initial": 10, "gold": 0}
    split = split_labelled(_records(30, 70), ["no", "yes"], sizes, seed=0)
    assert (split.gold, split.rest) == ((), ())


def test_split_counts_gold_in_what_it_needs(tmp_path: Path) -> None:
    write_demo(tmp_path / "demo", size=40, labelled=20)
    scenario = Scenario(test_size=5, eval_size=5, initial_train_size=5, gold_share=0.2, gold_size=6)
    with pytest.raises(DatasetError, match=r"needs 21 labelled .*gold 6.* has 20"):
        Dataset.load(tmp_path / "demo").split(scenario)
