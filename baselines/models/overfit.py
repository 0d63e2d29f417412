"""Overfitting one fixed batch: the check that a network, its loss and its optimiser can fit.

A network that cannot drive its error on a handful of training samples far below the
zero-displacement prediction has a bug (wiring, loss, initialisation, learning rate) that no
amount of data will fix.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from baselines.models.loss import absolute_error_sums, multiscale_loss


@dataclass(frozen=True)
class OverfitProgress:
    """The state after ``step`` optimiser steps on the fixed batch.

    Attributes
    ----------
    step : int
    loss : float
        Multiscale loss of the last step.
    mae_px : float
        Mean absolute error of the full-resolution prediction (eval mode) over the valid
        pixels of the batch, pixels.
    seconds : float
        Since the first step.
    """

    step: int
    loss: float
    mae_px: float
    seconds: float


def overfit_batch(
    model: torch.nn.Module,
    images: torch.Tensor,
    target: torch.Tensor,
    valid: torch.Tensor,
    steps: int,
    learning_rate: float = 3e-4,
    every: int = 25,
) -> Iterator[OverfitProgress]:
    """Train on one batch with AdamW (no weight decay), reporting every ``every`` steps.

    Parameters
    ----------
    model : torch.nn.Module
        A network of :mod:`baselines.models`, trained in place.
    images, target, valid : torch.Tensor
        ``[B, 2, H, W]`` normalised pairs, ``[B, 2, H, W]`` displacement (pixels) and
        ``[B, 1, H, W]`` valid mask.
    steps : int
        Optimiser steps at most; the caller may stop iterating earlier.
    learning_rate : float
    every : int
        Steps between reports (the last step is always reported).

    Yields
    ------
    OverfitProgress
    """
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    start = time.perf_counter()
    for step in range(1, steps + 1):
        model.train()
        loss = multiscale_loss(model(images), target, valid)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % every == 0 or step == steps:
            model.eval()
            with torch.no_grad():
                total, count = absolute_error_sums(model(images), target, valid)
            yield OverfitProgress(
                step, float(loss.detach()), total / max(count, 1.0), time.perf_counter() - start
            )
