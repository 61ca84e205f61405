"""Image classifier: a pretrained backbone plus a small head, or the whole network fine-tuned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from activecrowds_ml.errors import DatasetError
from activecrowds_ml.models.backbones import BackboneSpec, load_backbone, parse_image_model
from activecrowds_ml.models.base import Model
from activecrowds_ml.models.features import FeatureCache, default_cache_dir, file_key
from activecrowds_ml.models.head import Head, HeadConfig
from activecrowds_ml.scenario import TrainingMode
from activecrowds_ml.storage import Record

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def pick_device(device: str | None) -> str:
    """The given device, else "cuda" when available, else "cpu"."""
    if device:
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def load_image(path: str, size: int) -> torch.Tensor:
    """One image as uint8 (3, size, size): any mode converted to RGB, resized bilinearly.

    Raises:
        DatasetError: the file is missing or not an image.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            rgb = img.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
    except (OSError, UnidentifiedImageError) as exc:
        raise DatasetError(f"cannot read image {path}: {exc}") from None
    return torch.from_numpy(np.asarray(rgb, dtype=np.uint8).copy()).permute(2, 0, 1)


def normalise(batch: torch.Tensor) -> torch.Tensor:
    """uint8 (n, 3, h, w) -> float, ImageNet mean/std normalised."""
    mean = torch.tensor(IMAGENET_MEAN, device=batch.device).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, device=batch.device).view(1, 3, 1, 1)
    return (batch.float() / 255.0 - mean) / std


@dataclass(eq=False)
class ImageClassifier(Model):
    """Classifies image records (`Record.file`) with a named backbone.

    Args:
        labels: class names; fixes the column order of probabilities.
        seed: seeds head init, dropout and fine-tuning shuffles.
        model_name: `efficientnet-lite0` (packaged ImageNet weights), `resnet18|34|50`
            (torchvision download), `<arch>@/path/weights.pth`, or `<arch>-random`.
        training_mode: HEAD (frozen backbone, cached features) or FINETUNE (whole network).
        input_size: images are resized to input_size x input_size pixels.
        cache_dir: where head-mode features are cached (default: `default_cache_dir()`).
        device: torch device; None picks cuda when available.
        batch_size: images per backbone forward pass.
        head_config: size and schedule of the head.
        finetune_epochs, finetune_lr: fine-tuning schedule (FINETUNE mode only).
        progress: show a progress bar while extracting many features.

    Raises:
        ModelError: unknown model name, missing or unfit weights file, download failure.
    """

    model_name: str = "efficientnet-lite0"
    training_mode: TrainingMode = TrainingMode.HEAD
    input_size: int = 64
    cache_dir: Path | None = None
    device: str | None = None
    batch_size: int = 64
    head_config: HeadConfig = field(default_factory=HeadConfig)
    finetune_epochs: int = 3
    finetune_lr: float = 3e-4
    progress: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        self.training_mode = TrainingMode(self.training_mode)
        self.spec: BackboneSpec = parse_image_model(self.model_name)
        self.device = pick_device(self.device)
        self.backbone: Any = load_backbone(self.spec, self.seed).to(self.device)
        self.encoded = 0  # images passed through the backbone (tests read it)
        key = f"{self.spec.identity(self.seed)}|size={self.input_size}"
        root = Path(self.cache_dir) if self.cache_dir else default_cache_dir()
        self.cache = FeatureCache(root, self.spec.arch, key, self.spec.dim)
        self.head = Head(self.spec.dim, len(self.labels), self.head_config, self.seed)
        self.finetuned: Any = None  # the fine-tuned backbone copy after FINETUNE training
        self.info.update(model=self.model_name, training_mode=self.training_mode.value)

    # -- features ---------------------------------------------------------------------------

    def _encode(self, paths: Sequence[str], backbone: Any) -> np.ndarray:
        """Backbone features of image files, in batches, without gradients."""
        out = []
        backbone.eval()
        with torch.inference_mode():
            for i in range(0, len(paths), self.batch_size):
                part = paths[i : i + self.batch_size]
                batch = torch.stack([load_image(p, self.input_size) for p in part])
                out.append(backbone(normalise(batch.to(self.device))).float().cpu().numpy())
                self.encoded += len(part)
        return np.concatenate(out) if out else np.empty((0, self.spec.dim), np.float32)

    def features(self, records: Sequence[Record]) -> np.ndarray:
        """Frozen-backbone features of records, from the cache when there (n, dim)."""
        paths = [_file(r) for r in records]
        keys = [file_key(p) for p in paths]
        return self.cache.get(
            keys,
            lambda idx: self._encode([paths[i] for i in idx], self.backbone),
            chunk=max(self.batch_size * 4, 256),
            progress=self.progress,
        )

    def embed(self, records: Sequence[Record]) -> np.ndarray:
        """Backbone features (the fine-tuned backbone's after FINETUNE training)."""
        if self.finetuned is not None:
            return self._encode([_file(r) for r in records], self.finetuned)
        return self.features(records)

    # -- training and prediction ------------------------------------------------------------

    def train(self, records: Sequence[Record], labels: Sequence[str]) -> None:
        """Fit the head (HEAD) or the whole network (FINETUNE) on labelled records."""
        self.check_labels(records, labels)
        y = np.array([self.labels.index(lab) for lab in labels], dtype=np.int64)
        # FINETUNE starts from the head fitted on frozen features (linear probe, then
        # fine-tune), which keeps the first epochs from wrecking the pretrained features.
        self.finetuned = None
        self.head.fit(self.features(records), y)
        if self.training_mode is TrainingMode.FINETUNE:
            from activecrowds_ml.models.finetune import finetune

            self.finetuned = finetune(self, [_file(r) for r in records], y)

    def _head_input(self, records: Sequence[Record]) -> np.ndarray:
        return self.embed(records)

    def predict_proba(self, records: Sequence[Record]) -> np.ndarray:
        """Class probabilities (n, len(labels)); rows sum to 1."""
        return self.head.predict_proba(self._head_input(records))

    def predict_proba_mc(self, records: Sequence[Record], passes: int = 10) -> np.ndarray:
        """MC-dropout samples (passes, n, len(labels)) from the head's dropout layers."""
        return self.head.predict_proba_mc(self._head_input(records), passes)


def _file(record: Record) -> str:
    if not record.file:
        raise DatasetError(f"image record {record.id!r} has no file")
    return record.file
