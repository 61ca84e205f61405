"""Models: the base contract and the image and text classifiers (built by `build_model`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activecrowds_ml.errors import ModelError
from activecrowds_ml.scenario import Category, Scenario

if TYPE_CHECKING:
    from activecrowds_ml.models.base import Model

TEXT_MODELS = ("minilm-l6",)


def known_models(category: Category) -> list[str]:
    """Model names accepted for a category."""
    if category is Category.TEXT:
        return list(TEXT_MODELS)
    from activecrowds_ml.models.backbones import known_names

    return known_names()


def check_model(scenario: Scenario) -> None:
    """Refuse a model name `build_model` would refuse, without loading any weights.

    Args:
        scenario: category and pretrained_model are used.

    Raises:
        ModelError: unknown model name (the message lists the known ones), a weights file that
            does not exist, or a category without a model.
    """
    name = scenario.pretrained_model
    if scenario.category is Category.TEXT:
        if name.strip().lower() not in TEXT_MODELS:
            raise ModelError(f"unknown text model {name!r}; known: {', '.join(TEXT_MODELS)}")
    elif scenario.category is Category.IMAGE:
        from activecrowds_ml.models.backbones import parse_image_model

        parse_image_model(name)
    else:
        raise ModelError(f"no model for category {scenario.category.value}")


def build_model(
    scenario: Scenario,
    labels: Sequence[str],
    *,
    cache_dir: Path | None = None,
    device: str | None = None,
    **options: Any,
) -> Model:
    """The classifier a scenario asks for: image or text by category, backbone by name.

    Args:
        scenario: category, pretrained_model, training_mode and seed are used.
        labels: class names in probability-column order (binary: the second is positive).
        cache_dir: feature cache folder; None uses `features.default_cache_dir()`.
        device: torch device; None picks "cuda" when available, else "cpu".
        **options: passed to the classifier, e.g. input_size=96, batch_size=32,
            finetune_epochs=1, head_config=HeadConfig(...), progress=False.

    Returns:
        An untrained ImageClassifier or TextClassifier.

    Raises:
        ModelError: unknown model name (the message lists the known ones), missing or unfit
            weights file, or pretrained weights that cannot be downloaded.
        ValidationError: fewer than two distinct labels.
    """
    check_model(scenario)
    if scenario.category is Category.IMAGE:
        from activecrowds_ml.models.image import ImageClassifier

        _check_options(ImageClassifier, options)
        return ImageClassifier(
            labels=tuple(labels),
            seed=scenario.seed,
            model_name=scenario.pretrained_model,
            training_mode=scenario.training_mode,
            cache_dir=cache_dir,
            device=device,
            **options,
        )
    from activecrowds_ml.models.text import TextClassifier

    _check_options(TextClassifier, options)
    return TextClassifier(
        labels=tuple(labels),
        seed=scenario.seed,
        training_mode=scenario.training_mode,
        cache_dir=cache_dir,
        device=device,
        **options,
    )


def _check_options(cls: type, options: dict[str, Any]) -> None:
    import dataclasses

    allowed = {f.name for f in dataclasses.fields(cls)} - {"labels", "seed", "info"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ModelError(f"unknown model options {unknown}; allowed: {', '.join(sorted(allowed))}")
