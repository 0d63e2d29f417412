"""The correlator refiner: a small full-resolution network that undoes the correlator's smear.

A 32 px window that straddles a rupture reads a blend of both sides, so the correlator turns a
step of a few pixels into a ramp as wide as its window (16 px on the `mini` board) while it
reads 0.005 px far from it. Dense Lucas-Kanade with a Gaussian window of a pixel or two reads
the step within a few pixels of the trace, but in weak texture it reads noise. The refiner
learns where to trust which, and what all of them miss:

1. the correlator (:func:`baselines.imagery.correlate.correlate`, step 1, the baseline's
   defaults) maps the pair: a field ``u`` and its SNR;
2. :func:`baselines.imagery.lucas_kanade.lucas_kanade` refines ``u`` with windows of 1 and
   2.5 px, to ``v1`` and ``v2``, and gives each pixel's texture;
3. a stack of dilated 3 x 3 convolutions (receptive field 69 px) reads ``pre``, the SNR, the
   texture, ``u / s`` and ``(vk - u) / s``, with ``s`` the RMS of ``u`` over the image, and
   gives weights ``gk`` and a correction ``c``: the field is ``u + sum gk (vk - u) + s c``.

Dividing by ``s`` makes the network's input the same for a pair whose displacement is ten
times larger (the correlator and Lucas-Kanade are linear in a small displacement), so what it
learns on one amplitude holds on another. It reads only the pair: the features are computed
from it, without gradients. Its last layer starts at zero, so an untrained refiner is the
correlator.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from baselines.correlator.config import CorrelatorConfig
from baselines.imagery.correlate import correlate
from baselines.imagery.lucas_kanade import lucas_kanade

CHANNELS = 32
"""Features of every hidden layer."""

DILATIONS = (1, 2, 4, 8, 16, 1)
"""Dilations of the residual 3 x 3 convolutions: a receptive field of 69 px."""

SCALE_FLOOR_PX = 1e-3
"""Smallest field scale ``s``: keeps the division finite for a pair that does not move."""

TEXTURE_FLOOR = 1e-4
"""Added to the texture before its logarithm (normalised intensity squared per pixel squared)."""

MAX_CHANGE_PX = 1.0
"""Lucas-Kanade's changes to the correlator's field are clipped to this: on a real second
date, clouds or weak texture can send the solve pixels away."""

INPUT_CLIP = 20.0
"""The network's field inputs, in units of ``s``, are clipped to this. A change between
``INPUT_CLIP s`` and ``MAX_CHANGE_PX`` reads as ``INPUT_CLIP s`` to the network but enters the
estimate whole, times its weight: the texture input is what tells such outliers apart."""

LUCAS_KANADE_SIGMAS_PX = (1.0, 2.5)
"""Gaussian windows of the Lucas-Kanade fields: the sharper reads closer to the trace, the
wider is quieter in weak texture."""


def pair_features(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Of normalised pairs ``[B, 2, H, W]``: the correlator's field ``[B, 2, H, W]`` (east,
    north; pixels), the Lucas-Kanade fields ``[B, 2 K, H, W]`` (one per window of
    :data:`LUCAS_KANADE_SIGMAS_PX`) and ``[B, 2, H, W]`` of SNR and log texture, on their
    device."""
    fields, refined, maps = [], [], []
    for pre, post in images.detach().float().cpu().numpy():
        field, snr = correlate(pre, post, CorrelatorConfig())
        lk = lucas_kanade(pre, post, field, LUCAS_KANADE_SIGMAS_PX)
        fields.append(field)
        refined.append(np.concatenate([lk_field for lk_field, _ in lk]))
        texture = lk[0][1]  # the sharpest window's
        maps.append(np.stack([snr, np.log10(np.clip(texture, 0, None) + TEXTURE_FLOOR)]))
    return tuple(torch.from_numpy(np.stack(a)).to(images) for a in (fields, refined, maps))


class CorrelatorRefiner(nn.Module):
    """The correlator's field, Lucas-Kanade's where it is trusted, and a learned correction.

    In training mode ``forward`` returns ``[field]``, the one scale, as the FlowNet family
    returns its flows finest first.
    """

    def __init__(self) -> None:
        super().__init__()
        sigmas = len(LUCAS_KANADE_SIGMAS_PX)
        self.stem = nn.Conv2d(5 + 2 * sigmas, CHANNELS, 3, padding=1)
        self.blocks = nn.ModuleList(
            nn.Conv2d(CHANNELS, CHANNELS, 3, padding=d, dilation=d) for d in DILATIONS
        )
        self.head = nn.Conv2d(CHANNELS, sigmas + 2, 3, padding=1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, images: torch.Tensor) -> torch.Tensor | list[torch.Tensor]:
        with torch.no_grad():
            field, refined, maps = pair_features(images)
            scale = field.square().mean((1, 2, 3), keepdim=True).sqrt().clamp(min=SCALE_FLOOR_PX)
            changes = refined - field.repeat(1, len(LUCAS_KANADE_SIGMAS_PX), 1, 1)
            changes = changes.clamp(-MAX_CHANGE_PX, MAX_CHANGE_PX).unflatten(1, (-1, 2))
            fields = torch.cat([field, changes.flatten(1, 2)], 1) / scale
        x = torch.cat([images[:, :1], maps, fields.clamp(-INPUT_CLIP, INPUT_CLIP)], dim=1)
        x = F.leaky_relu(self.stem(x), 0.1)
        for block in self.blocks:
            x = x + F.leaky_relu(block(x), 0.1)
        out = self.head(x)
        weights, correction = out[:, :-2], out[:, -2:]
        estimate = field + (weights[:, :, None] * changes).sum(1) + scale * correction
        return [estimate] if self.training else estimate


def refiner() -> CorrelatorRefiner:
    """The correlator refiner (59,268 parameters)."""
    return CorrelatorRefiner()
