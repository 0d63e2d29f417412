"""Short training runs that check a network can learn: overfitting one batch, and learning
from a stream of batches judged on held-out ones.

A network that cannot drive its error on a handful of training samples far below the
zero-displacement prediction has a bug (wiring, loss, initialisation, learning rate) that no
amount of data will fix; one that fits but does not beat zero on held-out pairs has memorised.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import torch

from baselines.models.loss import absolute_error_sums, multiscale_loss

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]
"""``[B, 2, H, W]`` normalised pairs, ``[B, 2, H, W]`` displacement (east, north; pixels) and
``[B, 1, H, W]`` valid mask."""


@dataclass(frozen=True)
class FitProgress:
    """The state after ``step`` optimiser steps.

    Attributes
    ----------
    step : int
    loss : float
        Multiscale loss of the last step.
    mae_px : float
        Mean absolute error of the full-resolution prediction (eval mode) on the evaluation
        batch, over its valid pixels, pixels.
    seconds : float
        Since the first step.
    """

    step: int
    loss: float
    mae_px: float
    seconds: float


def fit_batches(
    model: torch.nn.Module,
    batches: Iterable[Batch],
    evaluation: Batch,
    learning_rate: float = 3e-4,
    weight_decay: float = 0.0,
    every: int = 25,
) -> Iterator[FitProgress]:
    """One AdamW step per batch, reporting the MAE on ``evaluation`` every ``every`` steps.

    Parameters
    ----------
    model : torch.nn.Module
        A network of :mod:`baselines.models`, trained in place.
    batches : iterable of Batch
        Training batches; the run ends with them (the caller may stop iterating earlier).
    evaluation : Batch
        Scored in eval mode at each report.
    learning_rate, weight_decay : float
    every : int
        Steps between reports.

    Yields
    ------
    FitProgress
    """
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    start = time.perf_counter()
    for step, (images, target, valid) in enumerate(batches, start=1):
        model.train()
        loss = multiscale_loss(model(images), target, valid)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % every == 0:
            model.eval()
            with torch.no_grad():
                total, count = absolute_error_sums(model(evaluation[0]), *evaluation[1:])
            yield FitProgress(
                step, float(loss.detach()), total / max(count, 1.0), time.perf_counter() - start
            )


def overfit_batch(
    model: torch.nn.Module,
    batch: Batch,
    steps: int,
    learning_rate: float = 3e-4,
    every: int = 25,
) -> Iterator[FitProgress]:
    """Train on one batch for ``steps`` steps (no weight decay), scoring that same batch."""
    return fit_batches(model, itertools.repeat(batch, steps), batch, learning_rate, every=every)
