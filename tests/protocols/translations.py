"""Real-image crops under uniform translations: the simplest displacement field to learn.

A network that learns these and beats the zero prediction on crops it has never seen is
measuring displacement from the pair, not memorising samples: the check that its whole
training path (normalisation, augmentation, loss, optimiser) generalises. FlowNet's own
training begins with such simple motions before realistic ones (Ilg et al. 2017).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from baselines.generator.samples.patches import crop_origin
from baselines.imagery.scenes import BUNDLED_CATALOG, read_catalog
from baselines.imagery.warp import warp
from baselines.models.loss import absolute_error_sums
from quakebench.data.transforms import augment, normalise_pair
from tests.protocols.fit import FitProgress, fit_batches

MAX_CROP_DRAWS = 1000
"""Random crops tried before giving up on an image that is mostly no-data."""

SPLINE_REACH_PX = 3
"""Half-support of the quintic warping spline: the margin beyond the largest shift."""


def translated_pair(
    image: np.ndarray, size: int, amplitude_px: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One crop of ``image`` and its copy translated by a uniform random displacement.

    Parameters
    ----------
    image : numpy.ndarray
        A single-band scene (0 is no data; crops containing it are drawn again).
    size : int
        Crop side, pixels.
    amplitude_px : float
        Each component of the displacement is uniform in ``[-amplitude_px, amplitude_px]``.
    rng : numpy.random.Generator

    Returns
    -------
    images : numpy.ndarray
        ``float32 [2, size, size]``: normalised (pre, post) with ``post(q) = pre(q - u)``.
    displacement : numpy.ndarray
        ``float32 [2, size, size]`` (east, north), pixels.
    valid : numpy.ndarray
        ``float32 [size, size]``, all ones.

    Raises
    ------
    ValueError
        If no crop free of no-data is found.
    """
    margin = int(np.ceil(amplitude_px)) + SPLINE_REACH_PX + 1
    side = size + 2 * margin
    for _ in range(MAX_CROP_DRAWS):
        row, col = crop_origin(image.shape, side, rng)
        window = np.asarray(image[row : row + side, col : col + side], dtype=np.float32)
        if window.min() > 0:
            break
    else:
        raise ValueError(f"no {side} x {side} crop without no-data in {MAX_CROP_DRAWS} draws")
    displacement = np.empty((2, size, size), np.float32)
    displacement[:] = rng.uniform(-amplitude_px, amplitude_px, 2).astype(np.float32)[:, None, None]
    pre = window[margin:-margin, margin:-margin]
    post = warp(window, displacement, margin)
    return normalise_pair(pre, post), displacement, np.ones((size, size), np.float32)


def translation_batch(
    image: np.ndarray, count: int, size: int, amplitude_px: float, rng: np.random.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``count`` translated pairs, each under a random quarter turn and flip, as tensors.

    The augmentation turns the displacement vectors with the images, so a training path that
    got it wrong could not learn these.
    """
    pairs = [
        augment(*translated_pair(image, size, amplitude_px, rng), rng, crop=None)
        for _ in range(count)
    ]
    images, displacement, valid = (np.stack([p[k] for p in pairs]) for k in range(3))
    return (
        torch.from_numpy(images),
        torch.from_numpy(displacement),
        torch.from_numpy(valid[:, None]),
    )


def learn_translations(
    model: torch.nn.Module,
    amplitude_px: float,
    steps: int,
    learning_rate: float = 1e-4,
    every: int = 50,
) -> Iterator[tuple[FitProgress, float]]:
    """Train on translated crops of unseen texture, scored on held-out crops.

    The protocol of the generalisation check: batches of 8 fresh 64 px crops from the top half
    of the bundled two-date pair's first image (seeded stream 0), AdamW with weight decay
    4e-4; 32 held-out crops from its bottom half (seed 1).

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place.
    amplitude_px : float
        Largest shift of each component, pixels.
    steps : int
    learning_rate : float
    every : int
        Steps between reports.

    Yields
    ------
    progress : FitProgress
        ``mae_px`` is the held-out MAE.
    zero_mae_px : float
        The zero prediction's MAE on the same held-out crops.
    """
    _, pairs = read_catalog(BUNDLED_CATALOG)
    image = np.asarray(pairs[0].pre.image)
    half = image.shape[0] // 2
    held_out = translation_batch(image[half:], 32, 64, amplitude_px, np.random.default_rng(1))
    total, count = absolute_error_sums(torch.zeros_like(held_out[1]), *held_out[1:])
    rng = np.random.default_rng(0)
    batches = (translation_batch(image[:half], 8, 64, amplitude_px, rng) for _ in range(steps))
    for progress in fit_batches(
        model, batches, held_out, learning_rate, weight_decay=4e-4, every=every
    ):
        yield progress, total / count
