"""A trained round's model on disk: its weights, what it is, and exports users deploy.

One artifact is one folder:

- `metadata.json`: the label order, the model (backbone, training mode, input preprocessing),
  the eval and test scores, the labels it was trained on (how many, and a sha256 over
  record id and label), and which export formats it has (or why none);
- `weights.pt`: the trained parts (`Model.checkpoint()`; `load_model` rebuilds the model), absent
  for a model that cannot be saved;
- `model.onnx`, `model.torchscript.pt`: the whole classifier, written by `export` on first
  request and kept. Exporting takes seconds on a CPU, so rounds never wait for it.

Folders are written under a temporary name and renamed: a reader never sees half an artifact.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activecrowds_ml.errors import ModelError

if TYPE_CHECKING:
    from activecrowds_ml.metrics import Metrics
    from activecrowds_ml.models.base import Model

FORMAT_VERSION = 1
METADATA, WEIGHTS = "metadata.json", "weights.pt"
EXPORT_FILES = {"onnx": "model.onnx", "torchscript": "model.torchscript.pt"}


class ModelFormat(StrEnum):
    """The files of an artifact a user may download."""

    METADATA = "metadata"  # metadata.json
    WEIGHTS = "weights"  # weights.pt, for `load_model`
    ONNX = "onnx"  # the whole classifier, exported on first request
    TORCHSCRIPT = "torchscript"  # the same, traced TorchScript


def file_of(fmt: ModelFormat) -> str:
    """The file name of a format in an artifact folder."""
    named = {ModelFormat.METADATA: METADATA, ModelFormat.WEIGHTS: WEIGHTS}
    return named.get(fmt) or EXPORT_FILES[fmt.value]


def labels_digest(ids: Sequence[str], labels: Sequence[str]) -> str:
    """sha256 of the training labels, independent of their order: which labels made a model."""
    lines = sorted(f"{i}\t{lab}\n" for i, lab in zip(ids, labels, strict=True))
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def save_artifact(
    model: Model,
    folder: Path,
    *,
    eval: Metrics,
    test: Metrics,
    train_ids: Sequence[str],
    train_labels: Sequence[str],
    about: Mapping[str, Any] | None = None,
) -> int:
    """Write a trained model's artifact as `folder` (which must not exist yet); its size.

    Args:
        about: what the caller knows and the model does not (task id, round number), stored
            as is in the metadata.

    Returns:
        The artifact's size in bytes (every file in it).
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}.partial")
    partial.mkdir()
    try:
        state = model.checkpoint()
        if state is not None:
            import torch  # only for a model that has weights to save

            torch.save(state, partial / WEIGHTS)
        described = model.describe()
        export = described.get("export") or {
            "formats": [],
            "unavailable": "this kind of model has no whole-classifier module to export",
        }
        if state is None:
            export = {**export, "formats": []}
        metadata = {
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            **dict(about or {}),
            "labels": list(model.labels),
            "model": described,
            "weights": WEIGHTS if state is not None else None,
            "export": export,
            "metrics": {"eval": eval.to_dict(), "test": test.to_dict()},
            "trained_on": {
                "count": len(train_ids),
                "sha256": labels_digest(train_ids, train_labels),
                "digest_of": "sorted lines 'record id<TAB>label\\n', UTF-8",
            },
        }
        (partial / METADATA).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
        os.replace(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder_size(folder)


def folder_size(folder: Path) -> int:
    """Bytes of every file in an artifact folder."""
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def read_metadata(folder: Path) -> dict[str, Any]:
    """An artifact's metadata.

    Raises:
        ModelError: the folder holds no artifact.
    """
    try:
        data: dict[str, Any] = json.loads((folder / METADATA).read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"no model artifact in {folder}: {exc}") from None
    return data


def load_model(folder: Path, *, cache_dir: Path | None = None, device: str | None = None) -> Model:
    """The trained model back from its artifact, predicting what it predicted.

    Raises:
        ModelError: no weights (a model that cannot be saved), an unknown model kind, or
            encoder weights that are not the ones it was trained with (a package upgraded,
            a weights file changed).
    """
    import torch

    from activecrowds_ml.models import build_model
    from activecrowds_ml.models.head import HeadConfig
    from activecrowds_ml.scenario import Category, Scenario

    meta = read_metadata(folder)
    model_info = meta.get("model", {})
    kinds = {"ImageClassifier": Category.IMAGE, "TextClassifier": Category.TEXT}
    kind = model_info.get("kind")
    if meta.get("weights") is None or kind not in kinds:
        raise ModelError(f"the model in {folder} ({kind}) was not saved with its weights")
    options = dict(model_info.get("options", {}))
    options["head_config"] = HeadConfig(**options.get("head_config", {}))
    scenario = Scenario(
        category=kinds[kind],
        pretrained_model=model_info["model_name"],
        training_mode=model_info["training_mode"],
        seed=model_info["seed"],
    )
    model = build_model(
        scenario, meta["labels"], cache_dir=cache_dir, device=device, progress=False, **options
    )
    rebuilt = getattr(model, "weights_key", None)
    if rebuilt != model_info.get("weights_key"):
        raise ModelError(
            f"the encoder weights changed since this model was trained: "
            f"{model_info.get('weights_key')!r} then, {rebuilt!r} now"
        )
    state = torch.load(folder / WEIGHTS, map_location="cpu", weights_only=True)
    model.restore(state)  # type: ignore[attr-defined]
    return model


def export(folder: Path, fmt: str, *, cache_dir: Path | None = None) -> Path:
    """The artifact's export in `fmt` ("onnx" or "torchscript"), written on first request.

    Raises:
        ModelError: an unknown format, or one this model has not (the reason is given).
    """
    if fmt not in EXPORT_FILES:
        raise ModelError(f"unknown export format {fmt!r}; known: {', '.join(EXPORT_FILES)}")
    path = folder / EXPORT_FILES[fmt]
    if path.is_file():
        return path
    meta = read_metadata(folder)
    note = meta.get("export", {})
    if fmt not in note.get("formats", []):
        raise ModelError(f"this model has no {fmt} export: {note.get('unavailable')}")
    from activecrowds_ml.models.export import export_onnx, export_torchscript

    model = load_model(folder, cache_dir=cache_dir, device="cpu")
    module = model.deployable()
    size = int(meta["model"]["input"]["height"])
    partial = folder / f".{path.name}.{uuid.uuid4().hex}.partial"
    try:
        (export_onnx if fmt == "onnx" else export_torchscript)(module, size, partial)
        os.replace(partial, path)  # two requests at once: the later rename wins, both whole
    finally:
        partial.unlink(missing_ok=True)
    return path


def retained(evals: Mapping[int, float | None], keep: int) -> set[int]:
    """The round numbers whose models stay: the `keep` newest, and always the newest and the
    best by eval accuracy (the later of equals), whatever `keep` says.

    Args:
        evals: round number -> eval accuracy (None: not scored).
        keep: how many of the newest to keep.
    """
    if not evals:
        return set()
    newest = sorted(evals, reverse=True)
    kept = set(newest[: max(keep, 1)])
    scored = [(acc, number) for number, acc in evals.items() if acc is not None]
    if scored:
        kept.add(max(scored)[1])
    return kept


def remove(folder: Path) -> None:
    """Delete an artifact folder (a missing one is fine)."""
    shutil.rmtree(folder, ignore_errors=True)
