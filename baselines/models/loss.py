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


def absolute_error_sums(
    predicted: torch.Tensor, target: torch.Tensor, valid: torch.Tensor
) -> tuple[float, float]:
    """Sum of ``|predicted - target|`` over both components of the valid pixels, and the count
    of terms: the pieces of the evaluation's MAE (pixels), additive over batches."""
    return float(((predicted - target).abs() * valid).sum()), 2 * float(valid.sum())


def multiscale_loss(
    flows: list[torch.Tensor],
    target: torch.Tensor,
    valid: torch.Tensor | None = None,
    weights: tuple[float, ...] = SCALE_WEIGHTS,
) -> torch.Tensor:
    """Weighted sum of the end-point errors of the flows (finest first) against the target.

    The target (and the valid mask, kept where at least half valid) is area-averaged to each
    flow's size. A network with one output (the refiner) is trained on its end-point error
    alone: ``weights`` are for the five scales of the FlowNet family.
    """
    if len(flows) == 1:
        return end_point_error(flows[0], target, valid)
    total = flows[0].new_zeros(())
    for flow, weight in zip(flows, weights, strict=True):
        size = flow.shape[-2:]
        mask = None if valid is None else (downsample(valid, size) >= 0.5).to(flow.dtype)
        total = total + weight * end_point_error(flow, downsample(target, size), mask)
    return total
