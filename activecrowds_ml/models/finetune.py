"""Fine-tuning the whole image network: light augmentation, AdamW, a few epochs."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from activecrowds_ml.models.head import class_weights

if TYPE_CHECKING:
    from activecrowds_ml.models.image import ImageClassifier


def augment(batch: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random horizontal flips and shifts of up to 1/8 of the side (reflect-padded)."""
    n, _, h, w = batch.shape
    flip = torch.rand(n, generator=gen) < 0.5
    batch = torch.where(flip.view(n, 1, 1, 1).to(batch.device), batch.flip(3), batch)
    pad = max(1, h // 8)
    padded = nn.functional.pad(batch, (pad, pad, pad, pad), mode="reflect")
    dy, dx = (int(v) for v in torch.randint(0, 2 * pad + 1, (2,), generator=gen))
    return padded[:, :, dy : dy + h, dx : dx + w]


def _freeze_batchnorm(net: nn.Module) -> None:
    # Small labelled sets give noisy batch statistics: keep the pretrained ones.
    for m in net.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eval()


def finetune(clf: ImageClassifier, paths: Sequence[str], y: np.ndarray) -> Any:
    """Train a copy of clf's backbone together with clf.head.net; returns the new backbone."""
    from activecrowds_ml.models.image import load_image, normalise

    device = str(clf.device)
    head = clf.head
    backbone = copy.deepcopy(clf.backbone).to(device)
    net = head._net().to(device)
    mean = torch.as_tensor(head.mean, dtype=torch.float32, device=device)
    scale = torch.as_tensor(head.scale, dtype=torch.float32, device=device)
    pixels = torch.stack([load_image(p, clf.input_size) for p in paths])
    targets = torch.as_tensor(y, dtype=torch.long)
    params = list(backbone.parameters()) + list(net.parameters())
    opt = torch.optim.AdamW(params, lr=clf.finetune_lr, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(y, len(clf.labels)).to(device))
    gen = torch.Generator().manual_seed(clf.seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(clf.seed)
        for _ in range(clf.finetune_epochs):
            backbone.train()
            _freeze_batchnorm(backbone)
            net.train()
            order = torch.randperm(len(paths), generator=gen)
            for i in range(0, len(order), clf.batch_size):
                idx = order[i : i + clf.batch_size]
                x = normalise(augment(pixels[idx], gen).to(device))
                loss = loss_fn(net((backbone(x) - mean) / scale), targets[idx].to(device))
                opt.zero_grad()
                loss.backward()
                opt.step()
    head.net = net.cpu().eval()
    return backbone.eval()
