"""The correlator refiner: a small full-resolution network that undoes the correlator's smear.

A 32 px window that straddles a rupture reads a blend of both sides, so the correlator turns a
step of a few pixels into a ramp as wide as its window (16 px on the `mini` board) while it
reads 0.005 px far from it. The refiner keeps the correlator's field and learns a correction:

1. the correlator (:func:`baselines.imagery.correlate.correlate`, step 1, the baseline's
   defaults) maps the pair: a field ``u`` and its SNR;
2. ``post`` is warped back by ``u`` onto ``pre``'s grid (bilinear): where ``u`` is right the
   difference with ``pre`` is noise, next to the rupture it shows where the ramp is wrong;
3. a stack of dilated 3 x 3 convolutions (receptive field 69 px, wider than the window's
   smear) reads ``pre``, that difference, ``u`` and the SNR, and adds its correction to ``u``.

It reads only the pair: the correlator's outputs are computed from it, without gradients. Its
last layer starts at zero, so an untrained refiner is the correlator.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from baselines.correlator.config import CorrelatorConfig
from baselines.imagery.correlate import correlate

CHANNELS = 32
"""Features of every hidden layer."""

DILATIONS = (1, 2, 4, 8, 16, 1)
"""Dilations of the residual 3 x 3 convolutions: a receptive field of 69 px."""

FIELD_SCALE_PX = 2.0
"""The correlator's field enters divided by this (the stream's fields are 0.3-2 px RMS)."""


def correlator_features(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The correlator's field ``[B, 2, H, W]`` (east, north; pixels) and SNR ``[B, 1, H, W]``
    of normalised pairs ``[B, 2, H, W]``, on their device."""
    pairs = images.detach().float().cpu().numpy()
    maps = [correlate(pre, post, CorrelatorConfig()) for pre, post in pairs]
    field = torch.from_numpy(np.stack([m[0] for m in maps])).to(images)
    snr = torch.from_numpy(np.stack([m[1] for m in maps]))[:, None].to(images)
    return field, snr


def warp_back(image: torch.Tensor, field: torch.Tensor) -> torch.Tensor:
    """``image(q + u(q))`` for images ``[B, 1, H, W]`` and fields ``[B, 2, H, W]`` (east =
    +col, north = -row): the second date moved back onto the first (bilinear, edges clamped)."""
    height, width = image.shape[-2:]
    rows = torch.arange(height, device=image.device, dtype=image.dtype)[:, None]
    cols = torch.arange(width, device=image.device, dtype=image.dtype)[None, :]
    x = (cols + field[:, 0]) * (2 / max(width - 1, 1)) - 1
    y = (rows - field[:, 1]) * (2 / max(height - 1, 1)) - 1
    grid = torch.stack([x, y], dim=-1)
    return F.grid_sample(image, grid, mode="bilinear", padding_mode="border", align_corners=True)


class CorrelatorRefiner(nn.Module):
    """The correlator's field plus a learned correction (see the module).

    In training mode ``forward`` returns ``[field]``, the one scale, as the FlowNet family
    returns its flows finest first.
    """

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(5, CHANNELS, 3, padding=1)
        self.blocks = nn.ModuleList(
            nn.Conv2d(CHANNELS, CHANNELS, 3, padding=d, dilation=d) for d in DILATIONS
        )
        self.head = nn.Conv2d(CHANNELS, 2, 3, padding=1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, images: torch.Tensor) -> torch.Tensor | list[torch.Tensor]:
        with torch.no_grad():
            field, snr = correlator_features(images)
            pre = images[:, :1]
            difference = warp_back(images[:, 1:], field) - pre
        x = torch.cat([pre, difference, field / FIELD_SCALE_PX, snr], dim=1)
        x = F.leaky_relu(self.stem(x), 0.1)
        for block in self.blocks:
            x = x + F.leaky_relu(block(x), 0.1)
        refined = field + self.head(x)
        return [refined] if self.training else refined


def refiner() -> CorrelatorRefiner:
    """The correlator refiner (about 58,000 parameters)."""
    return CorrelatorRefiner()
