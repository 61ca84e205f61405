"""What image and text classifiers share: a pretrained encoder, a feature cache, a small head."""

from __future__ import annotations

import copy
import dataclasses
import os
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from activecrowds_ml.models.base import Model
from activecrowds_ml.models.features import FeatureCache, default_cache_dir
from activecrowds_ml.models.head import Head, HeadConfig, build_mlp, torch_threads
from activecrowds_ml.scenario import TrainingMode
from activecrowds_ml.storage import Record


def pick_device(device: str | None) -> str:
    """The given device, else "cuda" when available, else "cpu"."""
    if device:
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def cpu_threads(threads: int | None, device: str) -> int | None:
    """Torch threads for encoding: as given; else 1 on a CPU with at most 2 cores, else None.

    On a small machine shared with a server, worker and database, OpenMP threads wait on
    each other at every op: fine-tuning 16 images took 17 s with 2 threads and 0.5 s with 1
    (features: 41 vs 165 images/s). None keeps torch's default on bigger machines and GPUs.
    """
    if threads is not None or device != "cpu":
        return threads
    return 1 if (os.cpu_count() or 1) <= 2 else None


@dataclass(eq=False)
class EncoderClassifier(Model):
    """A frozen (HEAD) or fine-tuned (FINETUNE) encoder with a dropout MLP head on top.

    Subclasses load `self.encoder` in `_setup` (returning its name, weights key and feature
    size), and say how to key, encode and fine-tune their records.
    """

    training_mode: TrainingMode = TrainingMode.HEAD
    cache_dir: Path | None = None
    device: str | None = None
    batch_size: int = 64
    head_config: HeadConfig = field(default_factory=HeadConfig)
    # 5 epochs at 1e-4 beat the frozen head by ~1.5 points with 150 labels (Fashion-MNIST,
    # 64 px); 3 epochs at 3e-4 fell 6 points below it: too hot for a few hundred images.
    finetune_epochs: int = 5
    finetune_lr: float = 1e-4
    progress: bool = True
    threads: int | None = None  # torch CPU threads to encode and fine-tune; see cpu_threads

    def __post_init__(self) -> None:
        super().__post_init__()
        self.training_mode = TrainingMode(self.training_mode)
        self.device = pick_device(self.device)
        self.threads = cpu_threads(self.threads, self.device)
        self.encoded = 0  # samples passed through the encoder (tests and benchmarks read it)
        self.finetuned: Any = None  # the fine-tuned encoder copy after FINETUNE training
        self.encoder: Any = None
        name, key, self.dim = self._setup()
        self.weights_key = key  # which encoder weights (and input size): artifacts record it
        root = Path(self.cache_dir) if self.cache_dir else default_cache_dir()
        self.cache = FeatureCache(root, name, key, self.dim)
        self.head = Head(self.dim, len(self.labels), self.head_config, self.seed)
        self.info.update(training_mode=self.training_mode.value, feature_dim=self.dim)

    @abstractmethod
    def _setup(self) -> tuple[str, str, int]:
        """Load the encoder; return (short name, cache key of its weights, feature dim)."""

    @abstractmethod
    def _key(self, record: Record) -> str:
        """The cache key of one sample's content."""

    @abstractmethod
    def _encode(self, records: Sequence[Record], encoder: Any) -> np.ndarray:
        """Features of records through `encoder`, in batches, without gradients."""

    @abstractmethod
    def _finetune(self, records: Sequence[Record], y: np.ndarray) -> Any:
        """Fine-tune a copy of the encoder together with the head; return the copy."""

    def features(self, records: Sequence[Record]) -> np.ndarray:
        """Frozen-encoder features (n, dim), computed only for samples not cached yet."""
        keys = [self._key(r) for r in records]
        return self.cache.get(
            keys,
            lambda idx: self._encode_with_threads([records[i] for i in idx], self.encoder),
            chunk=max(self.batch_size * 4, 256),
            progress=self.progress,
        )

    def embed(self, records: Sequence[Record]) -> np.ndarray:
        """Encoder features (the fine-tuned encoder's after FINETUNE training)."""
        if self.finetuned is not None:
            return self._encode_with_threads(records, self.finetuned)
        return self.features(records)

    def _encode_with_threads(self, records: Sequence[Record], encoder: Any) -> np.ndarray:
        with torch_threads(self.threads):
            return self._encode(records, encoder)

    def train(self, records: Sequence[Record], labels: Sequence[str]) -> None:
        """Fit the head (HEAD) or the whole network (FINETUNE) on labelled records."""
        self.check_labels(records, labels)
        y = np.array([self.labels.index(lab) for lab in labels], dtype=np.int64)
        # FINETUNE starts from the head fitted on frozen features (linear probe, then
        # fine-tune), which keeps the first steps from wrecking the pretrained features.
        self.finetuned = None
        self.head.fit(self.features(records), y)
        if self.training_mode is TrainingMode.FINETUNE:
            with torch_threads(self.threads):
                self.finetuned = self._finetune(records, y)

    def predict_proba(self, records: Sequence[Record]) -> np.ndarray:
        """Class probabilities (n, len(labels)) in `labels` order; rows sum to 1."""
        return self.head.predict_proba(self.embed(records))

    def predict_proba_uncached(self, records: Sequence[Record]) -> np.ndarray:
        """Probabilities straight from the encoder to the head, past the feature cache: what
        is sent to be classified is neither stored nor kept in memory."""
        encoder = self.finetuned if self.finetuned is not None else self.encoder
        return self.head.predict_proba(self._encode_with_threads(records, encoder))

    def predict_proba_mc(self, records: Sequence[Record], passes: int = 10) -> np.ndarray:
        """MC-dropout samples (passes, n, len(labels)) from the head's dropout layers."""
        return self.head.predict_proba_mc(self.embed(records), passes)

    def checkpoint(self) -> dict[str, Any]:
        """The head, its feature standardisation and (after FINETUNE) the tuned encoder.

        A frozen encoder is not saved: its name and `weights_key` rebuild it (the packaged
        weights are ~18 MB that every round would copy unchanged).
        """
        net = self.head._net()
        encoder = self.finetuned
        return {
            "head": {k: v.detach().cpu() for k, v in net.state_dict().items()},
            "feature_mean": torch.as_tensor(np.asarray(self.head.mean, dtype=np.float32)),
            "feature_scale": torch.as_tensor(np.asarray(self.head.scale, dtype=np.float32)),
            "encoder": None
            if encoder is None
            else {k: v.detach().cpu() for k, v in encoder.state_dict().items()},
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Take back what `checkpoint` saved, into a model built with the same settings."""
        net = build_mlp(self.dim, len(self.labels), self.head_config)
        net.load_state_dict(state["head"])
        self.head.net = net.eval()
        self.head.mean = state["feature_mean"].numpy()
        self.head.scale = state["feature_scale"].numpy()
        self.finetuned = None
        if state.get("encoder") is not None:
            tuned = copy.deepcopy(self.encoder)
            tuned.load_state_dict(state["encoder"])
            self.finetuned = tuned.eval()

    def describe(self) -> dict[str, Any]:
        """Everything `artifacts.load_model` needs to rebuild this model, and its input."""
        return {
            "kind": type(self).__name__,
            "model_name": getattr(self, "model_name", ""),
            "training_mode": self.training_mode.value,
            "seed": self.seed,
            "weights_key": self.weights_key,
            "feature_dim": self.dim,
            "options": {"head_config": dataclasses.asdict(self.head_config), **self._options()},
            "input": self._input(),
            "export": self._export_note(),
        }

    def _options(self) -> dict[str, Any]:
        """Build options beyond the head's that change what the model computes."""
        return {}

    @abstractmethod
    def _input(self) -> dict[str, Any]:
        """What one input is and how it is prepared (for whoever deploys an export)."""

    @abstractmethod
    def _export_note(self) -> dict[str, Any]:
        """Which export formats this model has, and why not where it has none."""
