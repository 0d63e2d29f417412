"""The multiscale end-point-error loss of FlowNet and StrainNet."""

from __future__ import annotations

import torch
import torch.nn.functional as F

SCALE_WEIGHTS = (0.005, 0.01, 0.02, 0.08, 0.32)
"""Weights of the flows from finest to coarsest (FlowNet, StrainNet)."""


def downsample(field: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Area-average a ``[B, C, H, W]`` field to ``size``; displacements are not rescaled."""
    return F.adaptive_avg_pool2d(field, size)


def end_point_error(
    predicted: torch.Tensor, target: torch.Tensor, valid: torch.Tensor | None = None
) -> torch.Tensor:
    """Mean end-point error ``|predicted - target|_2`` over the (valid) pixels."""
    epe = torch.linalg.vector_norm(predicted - target, dim=1)
    if valid is None:
        return epe.mean()
    weights = valid[:, 0]
    return (epe * weights).sum() / weights.sum().clamp(min=1.0)


NEAR_FAULT_STRAIN_RATIO = 10.0
"""A pixel shears when its strain is this many times the median of its crop."""


def near_fault_mask(target: torch.Tensor, reach_px: int = 2) -> torch.Tensor:
    """``[B, 1, H, W]``: 1 within ``reach_px`` of the pixels where the true field ``[B, 2, H,
    W]`` shears, 0 elsewhere.

    A fault zone a few pixels wide takes up the whole slip, so its strain (the summed absolute
    central differences of both components) is tens of times the crop's median. The training
    truth marks it, so the trace is never needed at prediction.
    """
    padded = F.pad(target, (1, 1, 1, 1), mode="replicate")
    strain = (
        (padded[..., 2:, 1:-1] - padded[..., :-2, 1:-1]).abs()
        + (padded[..., 1:-1, 2:] - padded[..., 1:-1, :-2]).abs()
    ).sum(1, keepdim=True)
    median = strain.flatten(1).median(1).values.clamp(min=1e-12)[:, None, None, None]
    shears = (strain > NEAR_FAULT_STRAIN_RATIO * median).to(target.dtype)
    return F.max_pool2d(shears, 2 * reach_px + 1, stride=1, padding=reach_px)


def absolute_error_sums(
    predicted: torch.Tensor, target: torch.Tensor, valid: torch.Tensor
) -> tuple[float, float]:
    """Sum of ``|predicted - target|`` over both components of the valid pixels, and the count
    of terms: the pieces of the evaluation's MAE (pixels), additive over batches."""
    return float(((predicted - target).abs() * valid).sum()), 2 * float(valid.sum())


def coarse_weights(valid: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Pixel weights ``[B, 1, H, W]`` (0 = invalid) at ``size``: where at least half the fine
    pixels are valid, the mean weight of those; elsewhere 0."""
    fraction = downsample((valid > 0).to(valid.dtype), size)
    return torch.where(fraction >= 0.5, downsample(valid, size) / fraction.clamp(min=0.5), 0.0)


def multiscale_loss(
    flows: list[torch.Tensor],
    target: torch.Tensor,
    valid: torch.Tensor | None = None,
    weights: tuple[float, ...] = SCALE_WEIGHTS,
) -> torch.Tensor:
    """Weighted sum of the end-point errors of the flows (finest first) against the target.

    The target (and the valid mask, kept where at least half valid) is area-averaged to each
    flow's size. ``valid`` may weigh pixels (0 = invalid): a coarse pixel then weighs the mean
    of its valid pixels' weights. A network with one output (the refiner) is trained on its
    end-point error alone: ``weights`` are for the five scales of the FlowNet family.
    """
    if len(flows) == 1:
        return end_point_error(flows[0], target, valid)
    total = flows[0].new_zeros(())
    for flow, weight in zip(flows, weights, strict=True):
        size = flow.shape[-2:]
        mask = None if valid is None else coarse_weights(valid, size).to(flow.dtype)
        total = total + weight * end_point_error(flow, downsample(target, size), mask)
    return total
