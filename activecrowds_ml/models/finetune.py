"""Fine-tuning a whole network (encoder + head) on a few labelled samples: AdamW, few epochs."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from activecrowds_ml.models.head import Head, class_weights


def augment(batch: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random horizontal flips and shifts of up to 1/8 of the side (reflect-padded)."""
    n, _, h, w = batch.shape
    flip = torch.rand(n, generator=gen) < 0.5
    batch = torch.where(flip.view(n, 1, 1, 1).to(batch.device), batch.flip(3), batch)
    pad = max(1, h // 8)
    padded = nn.functional.pad(batch.float(), (pad, pad, pad, pad), mode="reflect")
    dy, dx = (int(v) for v in torch.randint(0, 2 * pad + 1, (2,), generator=gen))
    return padded[:, :, dy : dy + h, dx : dx + w]


def _freeze_batchnorm(net: nn.Module) -> None:
    # Small labelled sets give noisy batch statistics: keep the pretrained ones.
    for m in net.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eval()


def finetune(
    encoder: nn.Module,
    encode: Callable[[torch.Tensor], torch.Tensor],
    head: Head,
    y: np.ndarray,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int,
    device: str,
) -> None:
    """Train `encoder` (reached through `encode(indices) -> features`) and `head.net` jointly.

    The head must already be fitted on the frozen features (its standardisation is kept);
    both are updated in place and left in eval mode, the head on the CPU.
    """
    net = head._net().to(device)
    mean = torch.as_tensor(head.mean, dtype=torch.float32, device=device)
    scale = torch.as_tensor(head.scale, dtype=torch.float32, device=device)
    targets = torch.as_tensor(y, dtype=torch.long, device=device)
    params = list(encoder.parameters()) + list(net.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(y, head.n_classes).to(device))
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for _ in range(epochs):
            encoder.train()
            _freeze_batchnorm(encoder)
            net.train()
            order = torch.randperm(len(y), generator=gen)
            for i in range(0, len(order), batch_size):
                idx = order[i : i + batch_size]
                logits = net((encode(idx).float() - mean) / scale)
                loss = loss_fn(logits, targets[idx.to(device)])
                opt.zero_grad()
                loss.backward()
                opt.step()
    encoder.eval()
    head.net = net.cpu().eval()
