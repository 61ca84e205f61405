"""Classifying inputs that are no task's samples: the probabilities a round stored for the same
images, nothing cached about them, and every bad input named at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from mltest import InstantModel
from test_models import FOOD, WEATHER

from activecrowds_ml import artifacts
from activecrowds_ml import classify as classifying
from activecrowds_ml.classify import Input, InputError, classify
from activecrowds_ml.errors import ModelError, ValidationError
from activecrowds_ml.metrics import Metrics
from activecrowds_ml.models import build_model
from activecrowds_ml.models.image import ImageClassifier
from activecrowds_ml.scenario import Category, Scenario
from activecrowds_ml.storage import Record

LABELS = ("trouser", "bag")
SCORES = Metrics(0.9, 0.8, 0.7, 0.75, [[4, 1], [0, 5]], list(LABELS), 10)


@pytest.fixture(scope="module")
def trained(tiny_images: list[Record], feature_cache_dir: Path) -> ImageClassifier:
    """The default model (EfficientNet-Lite0, head mode) trained on 40 real images."""
    model = build_model(Scenario(), LABELS, cache_dir=feature_cache_dir, progress=False)
    assert isinstance(model, ImageClassifier)
    train = tiny_images[:40]
    model.train(train, [str(r.truth) for r in train])
    return model


def as_inputs(records: list[Record]) -> list[Input]:
    return [Input(Path(str(r.file)).name, file=Path(str(r.file))) for r in records]


def test_a_reloaded_round_model_gives_the_probabilities_the_round_computed(
    trained: ImageClassifier, tiny_images: list[Record], feature_cache_dir: Path, tmp_path: Path
) -> None:
    # Given a round's model saved as an artifact, and what it predicted for its pool
    pool = tiny_images[40:]
    folder = tmp_path / "round-1"
    labelled = tiny_images[:40]
    artifacts.save_artifact(
        trained, folder, eval=SCORES, test=SCORES,
        train_ids=[r.id for r in labelled], train_labels=[str(r.truth) for r in labelled],
    )  # fmt: skip
    stored = trained.predict_proba(pool)
    # When copies of those images are classified by the model loaded back (as the server does)
    copies = []
    for r in pool:
        copy = tmp_path / f"sent-{Path(str(r.file)).name}"
        shutil.copyfile(str(r.file), copy)
        copies.append(Input(copy.name, file=copy))
    loaded = artifacts.load_model(folder, cache_dir=feature_cache_dir, device="cpu")
    found = classify(loaded, copies)
    # Then each gets the same probabilities, in the order sent, under its own name
    assert [c.name for c in found] == [i.name for i in copies]
    got = np.array([[c.probabilities[label] for label in LABELS] for c in found])
    np.testing.assert_allclose(got, stored, atol=1e-5)
    assert [c.label for c in found] == [LABELS[i] for i in stored.argmax(axis=1)]
    assert [c.confidence for c in found] == [max(c.probabilities.values()) for c in found]
    truth = [str(r.truth) for r in pool]
    assert np.mean([c.label == t for c, t in zip(found, truth, strict=True)]) >= 0.9


def test_nothing_about_a_classified_image_is_cached(
    trained: ImageClassifier, tiny_images: list[Record], tmp_path: Path
) -> None:
    image = tmp_path / "new.png"
    shutil.copyfile(str(tiny_images[0].file), image)
    with open(image, "ab") as f:
        f.write(b"\0")  # other bytes, the same picture: a key the cache has never seen
    computed, held = trained.cache.computed, len(trained.cache._memory)
    classify(trained, [Input("new.png", file=image)])
    assert (trained.cache.computed, len(trained.cache._memory)) == (computed, held)


def test_every_bad_input_is_named_and_none_is_classified(
    trained: ImageClassifier, tiny_images: list[Record], tmp_path: Path
) -> None:
    good = as_inputs(tiny_images[:3])
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    words = tmp_path / "notes.txt"
    words.write_text("a collapsed building")
    whole = Path(str(tiny_images[3].file)).read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole[: len(whole) // 2])
    sent = [
        good[0],
        Input("empty.png", file=empty),
        good[1],
        Input("notes.txt", file=words),
        Input("texts[0]", text="a text for an image model"),
        good[2],
        Input("gone.png", file=tmp_path / "gone.png"),
    ]
    with pytest.raises(InputError) as refused:
        classify(trained, sent)
    reasons = {b.name: b.reason for b in refused.value.bad}
    assert list(reasons) == ["empty.png", "notes.txt", "texts[0]", "gone.png"]
    assert reasons["empty.png"] == "an empty file"
    assert "not an image" in reasons["notes.txt"]
    assert "not texts" in reasons["texts[0]"]
    assert "empty.png" in str(refused.value) and refused.value.field == "files"
    # A truncated file passes the header check; decoding names it alone
    with pytest.raises(InputError) as truncated:
        classify(trained, [*good, Input("cut.png", file=cut)])
    assert [(b.name, b.reason) for b in truncated.value.bad] == [
        ("cut.png", "not a whole image (truncated or corrupt data)")
    ]
    with pytest.raises(ValidationError, match="nothing to classify"):
        classify(trained, [])


def test_a_picture_over_the_pixel_limit_is_refused_before_decoding(
    trained: ImageClassifier, tiny_images: list[Record], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(classifying, "MAX_PIXELS", 27 * 27)  # the images are 28 x 28
    with pytest.raises(InputError) as refused:
        classify(trained, as_inputs(tiny_images[:1]))
    assert "megapixels" in refused.value.bad[0].reason


def test_a_model_without_an_input_description_cannot_classify() -> None:
    with pytest.raises(ModelError, match="cannot classify"):
        classify(InstantModel(LABELS), [Input("x", text="y")])


def test_a_text_model_classifies_texts_and_utf8_files(tmp_path: Path) -> None:
    texts = WEATHER[:6] + FOOD[:6]
    train = [Record(id=str(i), text=t) for i, t in enumerate(texts)]
    model = build_model(Scenario(category=Category.TEXT), ("weather", "food"), cache_dir=tmp_path)
    model.train(train, ["weather"] * 6 + ["food"] * 6)
    note = tmp_path / "note.txt"
    note.write_text(FOOD[7], encoding="utf-8")
    found = classify(model, [Input("texts[0]", text=WEATHER[7]), Input("note.txt", file=note)])
    expected = model.predict_proba([Record("a", text=WEATHER[7]), Record("b", text=FOOD[7])])
    got = np.array([[c.probabilities[x] for x in model.labels] for c in found])
    np.testing.assert_allclose(got, expected, atol=1e-5)
    binary = tmp_path / "photo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(InputError) as refused:
        classify(model, [Input("photo.png", file=binary), Input("texts[1]", text="  ")])
    assert [(b.name, b.reason) for b in refused.value.bad] == [
        ("photo.png", "not UTF-8 text (a text model classifies texts)"),
        ("texts[1]", "an empty text"),
    ]
