"""A network whose pair without motion gives no motion: ``f(pre, post) - f(pre, pre)``.

Trained on sub-pixel fields, a network's output on a still pair is not zero: it depends on the
texture (0.05-0.2 px measured, above the targets' size). Subtracting its output on the pair
``(pre, pre)`` removes that offset by construction, at twice the compute; both pairs go
through the network as one batch.
"""

from __future__ import annotations

import torch
from torch import nn


class StillSubtracted(nn.Module):
    """``network(pre, post) - network(pre, pre)``, at every scale in training mode."""

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, images: torch.Tensor) -> torch.Tensor | list[torch.Tensor]:
        batch = images.shape[0]
        still = images[:, :1].expand(-1, 2, -1, -1)
        out = self.network(torch.cat([images, still]))
        if isinstance(out, list):
            return [flow[:batch] - flow[batch:] for flow in out]
        return out[:batch] - out[batch:]
