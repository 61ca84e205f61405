"""Image and text classifiers on tiny real data: learning, caching, MC dropout, weights, errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageOps

from activecrowds_ml.errors import DatasetError, ModelError
from activecrowds_ml.models import build_model
from activecrowds_ml.models.image import ImageClassifier
from activecrowds_ml.models.text import TextClassifier
from activecrowds_ml.scenario import Category, Scenario
from activecrowds_ml.storage import Record

LABELS = ("trouser", "bag")


def truths(records: list[Record]) -> list[str]:
    return [str(r.truth) for r in records]


@pytest.fixture(scope="session")
def trained(tiny_images: list[Record], feature_cache_dir: Path) -> ImageClassifier:
    """The default model (EfficientNet-Lite0, head mode) trained on the first 40 images."""
    model = build_model(Scenario(), LABELS, cache_dir=feature_cache_dir)
    assert isinstance(model, ImageClassifier)
    model.train(tiny_images[:40], truths(tiny_images[:40]))
    return model


def test_head_mode_learns_from_real_images(trained: ImageClassifier, tiny_images: list[Record]):
    held_out = tiny_images[40:]
    metrics = trained.test(held_out, truths(held_out))
    assert metrics.size == 40
    assert metrics.accuracy >= 0.85  # chance is 0.5


def test_probabilities_follow_labels_and_sum_to_one(trained, tiny_images):
    proba = trained.predict_proba(tiny_images)
    assert proba.shape == (80, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert (proba >= 0).all()
    predicted = [LABELS[i] for i in proba.argmax(axis=1)]
    assert predicted == trained.predict(tiny_images)


def test_features_are_cached_on_disk_across_models(trained, tiny_images, feature_cache_dir):
    # Given a model that already saw every image, when a new model with the same backbone
    # and cache folder asks for features, then no image goes through the backbone again.
    trained.embed(tiny_images)
    fresh = build_model(Scenario(), LABELS, cache_dir=feature_cache_dir)
    assert isinstance(fresh, ImageClassifier)
    features = fresh.embed(tiny_images)
    assert fresh.encoded == 0
    assert features.shape == (80, 1280)
    np.testing.assert_array_equal(features, trained.embed(tiny_images))


def test_changed_file_is_encoded_again(trained, tiny_images, tmp_path, feature_cache_dir):
    trained.embed(tiny_images)
    copy = tmp_path / "copy.png"
    shutil.copy(str(tiny_images[0].file), copy)
    record = Record(id="copy", file=str(copy))
    model = build_model(Scenario(), LABELS, cache_dir=feature_cache_dir)
    model.embed([record])
    assert model.encoded == 0  # type: ignore[attr-defined]  # the same bytes: known already
    with Image.open(copy) as image:
        ImageOps.invert(image.convert("RGB")).save(copy)  # same path, new content
    model.embed([record])
    assert model.encoded == 1  # type: ignore[attr-defined]


def test_a_copied_data_folder_finds_its_features_computed(
    trained, tiny_images, tmp_path, feature_cache_dir
):
    # Given features computed for a data folder, when the folder is copied elsewhere (another
    # machine, a restored backup: new paths, new modification times)
    trained.embed(tiny_images)
    copies = []
    for r in tiny_images[:10]:
        dest = tmp_path / "elsewhere" / Path(str(r.file)).name
        dest.parent.mkdir(exist_ok=True)
        dest.write_bytes(Path(str(r.file)).read_bytes())
        copies.append(Record(id=r.id, file=str(dest)))
    # Then a new model finds every one of them computed: nothing goes through the backbone
    fresh = build_model(Scenario(), LABELS, cache_dir=feature_cache_dir)
    np.testing.assert_array_equal(fresh.embed(copies), trained.embed(tiny_images[:10]))
    assert fresh.encoded == 0  # type: ignore[attr-defined]


def test_mc_dropout_passes_differ_and_are_reproducible(trained, tiny_images):
    mc = trained.predict_proba_mc(tiny_images[:10], passes=5)
    assert mc.shape == (5, 10, 2)
    np.testing.assert_allclose(mc.sum(axis=2), 1.0, atol=1e-9)
    assert mc.std(axis=0).max() > 1e-4
    np.testing.assert_array_equal(mc, trained.predict_proba_mc(tiny_images[:10], passes=5))


def test_same_seed_same_model(trained, tiny_images, feature_cache_dir):
    again = build_model(Scenario(), LABELS, cache_dir=feature_cache_dir)
    again.train(tiny_images[:40], truths(tiny_images[:40]))
    np.testing.assert_allclose(
        again.predict_proba(tiny_images), trained.predict_proba(tiny_images), atol=1e-6
    )


def test_imbalanced_training_still_predicts_the_rare_class(trained, tiny_images):
    bags = [r for r in tiny_images[:40] if r.truth == "bag"][:4]
    trousers = [r for r in tiny_images[:40] if r.truth == "trouser"]
    model = build_model(Scenario(), LABELS, cache_dir=trained.cache_dir)
    model.train(trousers + bags, truths(trousers + bags))
    held_out = [r for r in tiny_images[40:] if r.truth == "bag"]
    assert model.predict(held_out).count("bag") >= len(held_out) // 2


def test_missing_image_is_a_dataset_error(trained, tmp_path):
    missing = str(tmp_path / "gone.png")
    with pytest.raises(DatasetError, match=re.escape(missing)):
        trained.predict_proba([Record(id="x", file=missing)])


def test_a_file_that_is_not_an_image_is_named(trained, tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("not pixels")
    with pytest.raises(DatasetError, match=re.escape(str(fake))):
        trained.predict_proba([Record(id="x", file=str(fake))])


def test_unknown_model_name_lists_known_ones():
    with pytest.raises(ModelError, match=r"efficientnet-lite0.*resnet18"):
        build_model(Scenario(pretrained_model="vgg16"), LABELS)
    with pytest.raises(ModelError, match="minilm-l6"):
        build_model(Scenario(category=Category.TEXT, pretrained_model="bert"), LABELS)
    with pytest.raises(ModelError, match="input_size"):
        build_model(Scenario(), LABELS, input_sise=96)


def test_missing_weights_file_is_an_error_not_random_init(tmp_path):
    path = tmp_path / "nowhere" / "resnet18.pth"
    with pytest.raises(ModelError, match=re.escape(str(path))):
        build_model(Scenario(pretrained_model=f"resnet18@{path}"), LABELS)


def test_resnet18_from_a_weights_file(tmp_path, tiny_images, feature_cache_dir):
    import torchvision

    path = tmp_path / "resnet18.pth"
    torch.save(torchvision.models.resnet18(weights=None).state_dict(), path)
    model = build_model(Scenario(pretrained_model=f"resnet18@{path}"), LABELS, cache_dir=tmp_path)
    model.train(tiny_images[:8], truths(tiny_images[:8]))
    assert model.embed(tiny_images[:4]).shape == (4, 512)  # type: ignore[union-attr]
    np.testing.assert_allclose(model.predict_proba(tiny_images[:4]).sum(axis=1), 1.0)


def test_weights_file_of_another_architecture_is_refused(tmp_path):
    import torchvision

    path = tmp_path / "resnet50.pth"
    torch.save(torchvision.models.resnet18(weights=None).state_dict(), path)
    with pytest.raises(ModelError, match="does not fit resnet50"):
        build_model(Scenario(pretrained_model=f"resnet50@{path}"), LABELS)


def test_resnet_download_failure_says_to_pass_a_weights_file(monkeypatch, tmp_path):
    from torchvision.models import ResNet18_Weights

    # Offline: point the real torchvision download at a closed local port (fails at once).
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(ResNet18_Weights.DEFAULT.value, "url", "http://127.0.0.1:9/r18.pth")
    start = time.monotonic()
    with pytest.raises(ModelError, match=r"resnet18@/path/to/weights\.pth"):
        build_model(Scenario(pretrained_model="resnet18"), LABELS)
    assert time.monotonic() - start < 30


def test_random_init_only_by_name(tiny_images, tmp_path):
    model = build_model(Scenario(pretrained_model="resnet18-random"), LABELS, cache_dir=tmp_path)
    assert model.info["model"] == "resnet18-random"
    assert model.embed(tiny_images[:2]).shape == (2, 512)  # type: ignore[union-attr]


def test_finetune_mode_trains_the_backbone(tiny_images, feature_cache_dir):
    scenario = Scenario(training_mode="finetune")
    model = build_model(
        scenario, LABELS, cache_dir=feature_cache_dir, finetune_epochs=1, batch_size=8
    )
    assert isinstance(model, ImageClassifier)
    train = tiny_images[:16]
    model.train(train, truths(train))
    proba = model.predict_proba(tiny_images[40:48])
    assert proba.shape == (8, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    # the fine-tuned backbone no longer gives the frozen features
    assert not np.allclose(model.embed(train[:4]), model.features(train[:4]))
    assert model.predict_proba_mc(train[:4], passes=3).std(axis=0).max() > 0


def test_device_defaults_to_cuda_when_present(trained):
    assert trained.device == ("cuda" if torch.cuda.is_available() else "cpu")


WEATHER = [
    "It is raining heavily this afternoon", "Snow is expected tonight in the mountains",
    "A warm sunny day with clear skies", "Strong winds and thunderstorms are coming",
    "The forecast says fog in the morning", "Temperatures will drop below freezing",
    "Light drizzle and cloudy weather all day", "A heatwave is hitting the city this week",
    "Hail fell during the storm last night", "Tomorrow will be humid with scattered showers",
]  # fmt: skip
FOOD = [
    "This pasta with tomato sauce is delicious", "I baked a chocolate cake for dessert",
    "The soup needs more salt and pepper", "We ordered sushi and fried rice",
    "Fresh bread from the bakery smells great", "She cooked a spicy vegetable curry",
    "The pizza had too much cheese on it", "Grilled salmon with lemon and herbs",
    "He made pancakes with maple syrup", "A bowl of noodles with roasted chicken",
]  # fmt: skip


def test_text_classifier_separates_topics(tmp_path):
    def records(texts: list[str], label: str) -> list[Record]:
        return [Record(id=f"{label}{i}", text=t, truth=label) for i, t in enumerate(texts)]

    weather, food = records(WEATHER, "weather"), records(FOOD, "food")
    train, held_out = weather[:6] + food[:6], weather[6:] + food[6:]
    scenario = Scenario(category=Category.TEXT)
    model = build_model(scenario, ("weather", "food"), cache_dir=tmp_path)
    assert isinstance(model, TextClassifier)
    model.train(train, truths(train))
    assert model.test(held_out, truths(held_out)).accuracy >= 0.75
    again = build_model(scenario, ("weather", "food"), cache_dir=tmp_path)
    assert again.embed(train).shape == (12, 384)  # type: ignore[union-attr]
    assert again.encoded == 0  # type: ignore[attr-defined]


def test_text_finetune_mode_gives_valid_probabilities(tmp_path):
    texts = WEATHER[:3] + FOOD[:3]
    train = [Record(id=str(i), text=t) for i, t in enumerate(texts)]
    labels = ["weather"] * 3 + ["food"] * 3
    scenario = Scenario(category=Category.TEXT, training_mode="finetune")
    model = build_model(scenario, ("weather", "food"), cache_dir=tmp_path, finetune_epochs=1)
    model.train(train, labels)
    proba = model.predict_proba(train)
    assert proba.shape == (6, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)


WRITER = """
import sys, numpy as np
from pathlib import Path
from activecrowds_ml.models.features import FeatureCache
cache = FeatureCache(Path(sys.argv[1]), "m", "key", 8)
keys = [f"k{i}" for i in range(int(sys.argv[2]), int(sys.argv[2]) + 300)]
cache.get(keys, lambda idx: np.tile(np.array(idx, np.float32)[:, None], (1, 8)), chunk=10)
"""


def test_feature_cache_survives_concurrent_writers(tmp_path):
    from activecrowds_ml.models.features import FeatureCache

    # Two processes write overlapping keys into the same cache file at the same time.
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), start])
        for start in ("0", "150")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    cache = FeatureCache(tmp_path, "m", "key", 8)
    keys = [f"k{i}" for i in range(450)]
    cache.get(keys, lambda idx: pytest.fail("every key should be cached"))
    assert cache.computed == 0
