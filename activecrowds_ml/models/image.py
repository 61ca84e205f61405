"""Image classifier: a pretrained backbone plus a small head, or the whole network fine-tuned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from activecrowds_ml.errors import DatasetError
from activecrowds_ml.models.backbones import BackboneSpec, load_backbone, parse_image_model
from activecrowds_ml.models.encoder import EncoderClassifier
from activecrowds_ml.models.features import file_key
from activecrowds_ml.storage import Record

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


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
    """uint8 (n, 3, h, w) -> float, ImageNet mean/std normalised, channels-last."""
    mean = torch.tensor(IMAGENET_MEAN, device=batch.device).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, device=batch.device).view(1, 3, 1, 1)
    out = (batch.float() / 255.0 - mean) / std
    # Channels-last lets oneDNN run EfficientNet's depthwise convs ~4x faster on CPU.
    return out.contiguous(memory_format=torch.channels_last)


@dataclass(eq=False)
class ImageClassifier(EncoderClassifier):
    """Classifies image records (`Record.file`) with a named backbone.

    Args:
        labels: class names; fixes the column order of probabilities.
        seed: seeds random init, the head, dropout and fine-tuning shuffles.
        model_name: `efficientnet-lite0` (packaged ImageNet weights), `resnet18|34|50`
            (torchvision download), `<arch>@/path/weights.pth`, or `<arch>-random`.
        input_size: images are resized to input_size x input_size pixels.
        training_mode: HEAD (frozen backbone, cached features) or FINETUNE (whole network).
        cache_dir: where frozen features are cached (default: `default_cache_dir()`).
        device: torch device; None picks cuda when available.
        batch_size: images per forward pass (and per fine-tuning step).
        head_config: size and schedule of the head.
        finetune_epochs, finetune_lr: fine-tuning schedule (FINETUNE only).
        progress: show a progress bar while extracting many features on a terminal.
        threads: torch CPU threads while encoding and fine-tuning (None: 1 on a CPU with
            at most 2 cores, where more threads are many times slower when busy; else
            torch's default).

    Raises:
        ModelError: unknown model name, missing or unfit weights file, download failure.
    """

    model_name: str = "efficientnet-lite0"
    # 96 px, not 64: on Fashion-MNIST (binary) and sklearn digits (10 classes) it added 1-8
    # points of accuracy at 50-450 labels for about twice the one-off feature-extraction time.
    input_size: int = 96

    def _setup(self) -> tuple[str, str, int]:
        self.spec: BackboneSpec = parse_image_model(self.model_name)
        backbone = load_backbone(self.spec, self.seed)
        self.encoder = backbone.to(self.device, memory_format=torch.channels_last)
        self.info.update(model=self.model_name, input_size=self.input_size)
        key = f"{self.spec.identity(self.seed)}|size={self.input_size}"
        return self.spec.arch, key, self.spec.dim

    def _key(self, record: Record) -> str:
        return file_key(_file(record))

    def _encode(self, records: Sequence[Record], encoder: Any) -> np.ndarray:
        out = []
        encoder.eval()
        with torch.inference_mode():
            for i in range(0, len(records), self.batch_size):
                part = records[i : i + self.batch_size]
                batch = torch.stack([load_image(_file(r), self.input_size) for r in part])
                out.append(encoder(normalise(batch.to(self.device))).float().cpu().numpy())
                self.encoded += len(part)
        return np.concatenate(out) if out else np.empty((0, self.dim), np.float32)

    def _finetune(self, records: Sequence[Record], y: np.ndarray) -> Any:
        import copy

        from activecrowds_ml.models.finetune import augment, finetune

        encoder = copy.deepcopy(self.encoder)
        pixels = torch.stack([load_image(_file(r), self.input_size) for r in records])
        gen = torch.Generator().manual_seed(self.seed)
        device = str(self.device)

        def encode(idx: torch.Tensor) -> torch.Tensor:
            return encoder(normalise(augment(pixels[idx], gen).to(device)))

        finetune(
            encoder, encode, self.head, y, epochs=self.finetune_epochs, lr=self.finetune_lr,
            batch_size=self.batch_size, seed=self.seed, device=device,
        )  # fmt: skip
        return encoder

    def _options(self) -> dict[str, Any]:
        return {"input_size": self.input_size}

    def _input(self) -> dict[str, Any]:
        return {
            "kind": "image",
            "tensor": "float32 (batch, 3, height, width), channels first",
            "height": self.input_size,
            "width": self.input_size,
            "color": "RGB (any other mode converted first, as PIL's convert('RGB'))",
            "resize": "straight to height x width, bilinear (PIL), aspect ratio not kept",
            "range": [0.0, 1.0],
            "scale": "pixel value / 255",
            "normalisation": {
                "mean": list(IMAGENET_MEAN),
                "std": list(IMAGENET_STD),
                "where": "inside the exported graph: do not normalise again",
            },
            "output": "probabilities (batch, classes) in the order of `labels`, rows sum to 1",
        }

    def _export_note(self) -> dict[str, Any]:
        return {"formats": ["onnx", "torchscript"], "unavailable": None}

    def deployable(self) -> Any:
        """Pixels in [0, 1] -> probabilities: normalisation, encoder, head, softmax (CPU)."""
        import copy

        from activecrowds_ml.models.export import WholeImageClassifier

        encoder = copy.deepcopy(self.finetuned if self.finetuned is not None else self.encoder)
        encoder = encoder.cpu().to(memory_format=torch.contiguous_format).eval()
        head = copy.deepcopy(self.head._net()).cpu().eval()
        return WholeImageClassifier(
            encoder, head, self.head.mean, self.head.scale, IMAGENET_MEAN, IMAGENET_STD
        ).eval()


def _file(record: Record) -> str:
    if not record.file:
        raise DatasetError(f"image record {record.id!r} has no file")
    return record.file
