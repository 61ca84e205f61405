"""The whole image classifier as one module (pixels in, probabilities out), and its exports.

A deployed model must compute what the round's model computed: the module chains the ImageNet
normalisation, the (frozen or fine-tuned) encoder, the head's feature standardisation, the head
and a softmax, so a user feeds it plain RGB pixels in [0, 1] and nothing else.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

ONNX_OPSET = 17  # onnxruntime >= 1.12 runs it; the legacy exporter's best-tested opset
INPUT_NAME, OUTPUT_NAME = "image", "probabilities"


class WholeImageClassifier(nn.Module):
    """float32 (n, 3, size, size) RGB in [0, 1] -> float32 (n, classes) probabilities."""

    image_mean: torch.Tensor
    image_std: torch.Tensor
    feature_mean: torch.Tensor
    feature_scale: torch.Tensor

    def __init__(
        self,
        encoder: nn.Module,
        head: nn.Module,
        feature_mean: np.ndarray,
        feature_scale: np.ndarray,
        image_mean: tuple[float, ...],
        image_std: tuple[float, ...],
    ) -> None:
        super().__init__()
        self.encoder, self.head = encoder, head
        self.register_buffer("image_mean", torch.tensor(image_mean).view(1, 3, 1, 1))
        self.register_buffer("image_std", torch.tensor(image_std).view(1, 3, 1, 1))
        self.register_buffer("feature_mean", torch.as_tensor(feature_mean, dtype=torch.float32))
        self.register_buffer("feature_scale", torch.as_tensor(feature_scale, dtype=torch.float32))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = (image - self.image_mean) / self.image_std
        z = (self.encoder(x) - self.feature_mean) / self.feature_scale
        return torch.softmax(self.head(z), dim=1)


def _example(size: int) -> torch.Tensor:
    # Two images, not one: a batch of one lets a tracer fold the batch size into the graph.
    return torch.rand(2, 3, size, size, generator=torch.Generator().manual_seed(0))


def export_onnx(module: nn.Module, size: int, path: Path) -> None:
    """Write `module` as ONNX with a variable batch size (input "image", output
    "probabilities")."""
    module = module.eval()
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript-based exporter: deprecated in favour of torch.export's, which needs
        # the onnxscript package and gives the same graph for these plain conv nets.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (_example(size),),
            str(path),
            dynamo=False,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
            opset_version=ONNX_OPSET,
        )


def export_torchscript(module: nn.Module, size: int, path: Path) -> None:
    """Write `module` as a traced TorchScript file (`torch.jit.load(path)(images)`)."""
    module = module.eval()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracing is deprecated, still what C++/mobile load
        traced: Any = torch.jit.trace(module, (_example(size),))
        traced.save(str(path))
