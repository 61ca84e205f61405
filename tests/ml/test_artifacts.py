"""Model artifacts: saved and loaded back, exported whole (ONNX, TorchScript), kept or pruned."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from mltest import InstantModel

from activecrowds_ml import artifacts
from activecrowds_ml.errors import ModelError
from activecrowds_ml.metrics import Metrics
from activecrowds_ml.models import build_model
from activecrowds_ml.models.image import ImageClassifier
from activecrowds_ml.scenario import Scenario, TrainingMode
from activecrowds_ml.storage import Record

LABELS = ("trouser", "bag")
SCORES = Metrics(0.9, 0.8, 0.7, 0.75, [[4, 1], [0, 5]], list(LABELS), 10)


def truths(records: list[Record]) -> list[str]:
    return [str(r.truth) for r in records]


def pixels(records: list[Record], size: int) -> np.ndarray:
    """The images prepared as an artifact's metadata says, with PIL and numpy only."""
    from PIL import Image

    out = []
    for r in records:
        with Image.open(str(r.file)) as img:
            rgb = img.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
        out.append(np.asarray(rgb, dtype=np.float32).transpose(2, 0, 1) / 255.0)
    return np.stack(out)


def save(model: ImageClassifier | InstantModel, folder: Path, train: list[Record]) -> int:
    return artifacts.save_artifact(
        model,
        folder,
        eval=SCORES,
        test=SCORES,
        train_ids=[r.id for r in train],
        train_labels=truths(train),
        about={"task_id": 7, "round": 2},
    )


@pytest.fixture(scope="module")
def saved(
    tiny_images: list[Record], feature_cache_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ImageClassifier, Path]:
    """The default model (EfficientNet-Lite0, head mode) trained on 40 images, and its artifact."""
    model = build_model(Scenario(), LABELS, cache_dir=feature_cache_dir, progress=False)
    assert isinstance(model, ImageClassifier)
    model.train(tiny_images[:40], truths(tiny_images[:40]))
    folder = tmp_path_factory.mktemp("artifacts") / "round-2"
    save(model, folder, tiny_images[:40])
    return model, folder


def test_metadata_says_what_the_model_is_and_what_it_learned_from(saved, tiny_images):
    _, folder = saved
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["labels"] == ["trouser", "bag"]
    assert (meta["task_id"], meta["round"]) == (7, 2)
    assert meta["model"]["model_name"] == "efficientnet-lite0"
    assert meta["model"]["training_mode"] == TrainingMode.HEAD.value
    assert meta["model"]["input"]["height"] == meta["model"]["input"]["width"] == 96
    assert meta["model"]["input"]["normalisation"]["mean"] == [0.485, 0.456, 0.406]
    assert meta["metrics"]["eval"]["accuracy"] == 0.9
    assert meta["trained_on"]["count"] == 40
    shuffled = list(reversed(tiny_images[:40]))
    digest = artifacts.labels_digest([r.id for r in shuffled], truths(shuffled))
    assert meta["trained_on"]["sha256"] == digest  # the same labels in any order
    relabelled = ["bag" if t == "trouser" else "trouser" for t in truths(shuffled)]
    assert artifacts.labels_digest([r.id for r in shuffled], relabelled) != digest
    assert meta["export"]["formats"] == ["onnx", "torchscript"]
    # head mode keeps the packaged backbone out of the weights: the head is small
    assert (folder / "weights.pt").stat().st_size < 1_000_000
    assert artifacts.folder_size(folder) == sum(p.stat().st_size for p in folder.iterdir())


def test_a_loaded_artifact_predicts_what_the_model_predicted(saved, tiny_images, feature_cache_dir):
    model, folder = saved
    loaded = artifacts.load_model(folder, cache_dir=feature_cache_dir)
    np.testing.assert_allclose(
        loaded.predict_proba(tiny_images), model.predict_proba(tiny_images), atol=1e-9
    )


def test_onnx_export_gives_the_models_probabilities_in_onnxruntime(saved, tiny_images):
    import onnxruntime

    model, folder = saved
    started = time.perf_counter()
    path = artifacts.export(folder, "onnx")
    took = time.perf_counter() - started
    assert path == folder / "model.onnx"
    size = json.loads((folder / "metadata.json").read_text())["model"]["input"]["height"]
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    held_out = tiny_images[40:]
    (got,) = session.run(["probabilities"], {"image": pixels(held_out, size)})
    np.testing.assert_allclose(got, model.predict_proba(held_out), atol=1e-4)
    assert [LABELS[i] for i in got.argmax(axis=1)] == model.predict(held_out)
    # asked again, the file is served as it is
    stamp = path.stat().st_mtime_ns
    assert artifacts.export(folder, "onnx").stat().st_mtime_ns == stamp
    print(f"onnx export {took:.1f} s, {path.stat().st_size / 1e6:.1f} MB")


def test_torchscript_export_runs_any_batch_size(saved, tiny_images):
    model, folder = saved
    path = artifacts.export(folder, "torchscript")
    module = torch.jit.load(str(path))
    some = tiny_images[:3]  # traced with two images
    with torch.no_grad():
        got = module(torch.from_numpy(pixels(some, 96))).numpy()
    np.testing.assert_allclose(got, model.predict_proba(some), atol=1e-4)


def test_finetuned_encoder_travels_in_the_weights(tiny_images, feature_cache_dir, tmp_path):
    model = build_model(
        Scenario(training_mode=TrainingMode.FINETUNE),
        LABELS,
        cache_dir=feature_cache_dir,
        progress=False,
        finetune_epochs=1,
        batch_size=8,
    )
    train = tiny_images[:8]
    model.train(train, truths(train))
    save(model, tmp_path / "tuned", train)
    loaded = artifacts.load_model(tmp_path / "tuned", cache_dir=feature_cache_dir)
    some = tiny_images[40:48]
    np.testing.assert_allclose(loaded.predict_proba(some), model.predict_proba(some), atol=1e-6)


def test_a_model_that_cannot_be_saved_keeps_its_metadata_only(tmp_path):
    model = InstantModel(LABELS)
    size = save(model, tmp_path / "instant", [Record("a", truth="bag")])
    meta = artifacts.read_metadata(tmp_path / "instant")
    assert meta["weights"] is None and meta["export"]["formats"] == []
    assert meta["export"]["unavailable"]
    assert size == (tmp_path / "instant" / "metadata.json").stat().st_size
    with pytest.raises(ModelError, match="no onnx export"):
        artifacts.export(tmp_path / "instant", "onnx")
    with pytest.raises(ModelError, match="not saved with its weights"):
        artifacts.load_model(tmp_path / "instant")
    with pytest.raises(ModelError, match="unknown export format"):
        artifacts.export(tmp_path / "instant", "pickle")


def test_retention_keeps_the_newest_and_the_best():
    evals: dict[int, float | None] = {0: 0.70, 1: 0.91, 2: 0.80, 3: 0.85, 4: 0.84, 5: None}
    assert artifacts.retained(evals, keep=2) == {5, 4, 1}  # 1 is the best
    assert artifacts.retained(evals, keep=0) == {5, 1}  # never fewer than newest and best
    assert artifacts.retained(evals, keep=10) == set(evals)
    assert artifacts.retained({0: 0.9, 1: 0.9, 2: 0.5}, keep=1) == {2, 1}  # later of equals
    assert artifacts.retained({}, keep=3) == set()


def test_a_text_model_is_saved_with_weights_but_says_why_it_has_no_export(tmp_path):
    from test_models import FOOD, WEATHER

    from activecrowds_ml.scenario import Category

    train = [Record(f"w{i}", text=t, truth="weather") for i, t in enumerate(WEATHER[:4])]
    train += [Record(f"f{i}", text=t, truth="food") for i, t in enumerate(FOOD[:4])]
    scenario = Scenario(category=Category.TEXT)
    model = build_model(scenario, ("weather", "food"), cache_dir=tmp_path, progress=False)
    model.train(train, truths(train))
    artifacts.save_artifact(
        model,
        tmp_path / "text",
        eval=SCORES,
        test=SCORES,
        train_ids=[r.id for r in train],
        train_labels=truths(train),
    )
    meta = artifacts.read_metadata(tmp_path / "text")
    assert meta["weights"] == "weights.pt" and meta["model"]["input"]["kind"] == "text"
    assert meta["export"]["formats"] == [] and "tokeniser" in meta["export"]["unavailable"]
    with pytest.raises(ModelError, match="tokeniser"):
        artifacts.export(tmp_path / "text", "onnx")
    loaded = artifacts.load_model(tmp_path / "text", cache_dir=tmp_path)
    np.testing.assert_allclose(loaded.predict_proba(train), model.predict_proba(train), atol=1e-9)
