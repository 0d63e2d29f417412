"""From a sample to network tensors: normalisation and consistent geometric augmentation.

Input normalisation: both images are centred and scaled by the first image's mean and standard
deviation (per sample), so that their relative brightness is kept; the network sees
``[2, H, W]`` (pre, post).
"""

from __future__ import annotations

import numpy as np


def normalise_pair(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
    """``float32 [2, H, W]``: (pre, post) centred and scaled by pre's statistics."""
    pre = np.asarray(pre, dtype=np.float32)
    post = np.asarray(post, dtype=np.float32)
    mean, std = pre.mean(), pre.std() + 1e-6
    return np.stack([(pre - mean) / std, (post - mean) / std])


def rotate_displacement(displacement: np.ndarray, quarter_turns: int) -> np.ndarray:
    """Rotate a ``[2, H, W]`` (east, north) field with its grid, as ``numpy.rot90``.

    ``numpy.rot90`` turns the grid counter-clockwise: a vector pointing east then points north,
    one pointing north points west, so ``(E, N) -> (-N, E)`` per quarter turn.
    """
    out = np.rot90(displacement, quarter_turns, axes=(1, 2))
    east, north = out[0], out[1]
    for _ in range(quarter_turns % 4):
        east, north = -north, east
    return np.stack([east, north])


def flip_displacement(displacement: np.ndarray) -> np.ndarray:
    """Mirror a ``[2, H, W]`` field left-right with its grid: east changes sign."""
    out = displacement[:, :, ::-1]
    return np.stack([-out[0], out[1]])


def augment(
    images: np.ndarray,
    displacement: np.ndarray,
    valid: np.ndarray,
    rng: np.random.Generator,
    crop: int | None,
):
    """A random crop, quarter turn and flip, applied alike to images, displacement and mask.

    Parameters
    ----------
    images : numpy.ndarray
        ``[2, H, W]`` (pre, post).
    displacement : numpy.ndarray
        ``[2, H, W]`` (east, north), pixels.
    valid : numpy.ndarray
        ``[H, W]``.
    rng : numpy.random.Generator
    crop : int or None
        Side of the random crop (None: the whole sample).
    """
    height, width = valid.shape
    if crop is not None:
        row, col = rng.integers(height - crop + 1), rng.integers(width - crop + 1)
        window = (slice(row, row + crop), slice(col, col + crop))
        images = images[(slice(None), *window)]
        displacement = displacement[(slice(None), *window)]
        valid = valid[window]
    turns = int(rng.integers(4))
    images = np.rot90(images, turns, axes=(1, 2))
    displacement = rotate_displacement(displacement, turns)
    valid = np.rot90(valid, turns)
    if rng.integers(2):
        images, valid = images[:, :, ::-1], valid[:, ::-1]
        displacement = flip_displacement(displacement)
    return (
        np.ascontiguousarray(images),
        np.ascontiguousarray(displacement),
        np.ascontiguousarray(valid),
    )
