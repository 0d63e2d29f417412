"""Optional transforms of samples: random crops, quarter turns and flips, normalisation.

Geometric transforms move the images, the mask **and the vectors** together, so the warping
relation ``post(q) = pre(q - u(q))`` still holds afterwards (a quarter turn turns east into
north). Normalisation belongs to the model: :func:`normalise_pair` centres and scales both
images by the first image's mean and standard deviation (per sample), keeping their relative
brightness; a network sees ``[2, H, W]`` (pre, post).

The transform classes act on the sample dicts of :mod:`quakebench.data.torch_dataset` and take
the sample's random generator, so an augmented epoch is reproducible whatever the number of
loading processes::

    transform = Compose([RandomCrop(256), RandomDihedral(), NormalisedPair()])
"""

from __future__ import annotations

from collections.abc import Sequence

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
    sample = {
        "pre": images[0],
        "post": images[1],
        "displacement": displacement,
        "valid": valid,
        "rupture": np.empty((0, 2)),
    }
    if crop is not None:
        sample = RandomCrop(crop)(sample, rng)
    sample = RandomDihedral()(sample, rng)
    return np.stack([sample["pre"], sample["post"]]), sample["displacement"], sample["valid"]


class RandomCrop:
    """A random ``size x size`` window of every per-pixel field (the rupture follows)."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        height, width = sample["valid"].shape
        if self.size > min(height, width):
            raise ValueError(f"crop {self.size} px exceeds the {height} x {width} px sample")
        row = int(rng.integers(height - self.size + 1))
        col = int(rng.integers(width - self.size + 1))
        window = (slice(row, row + self.size), slice(col, col + self.size))
        out = dict(sample)
        for name in ("pre", "post", "valid"):
            out[name] = sample[name][window]
        out["displacement"] = sample["displacement"][(slice(None), *window)]
        out["rupture"] = sample["rupture"] - np.array([col, row], dtype=np.float64)
        return out


class RandomDihedral:
    """One of the 8 symmetries of the square: a random quarter turn, then a flip half the time.

    Images, mask and displacement vectors turn together, and so does the rupture trace.
    """

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        turns, flip = int(rng.integers(4)), bool(rng.integers(2))
        out = dict(sample)
        height, width = sample["valid"].shape
        x, y = sample["rupture"][:, 0], sample["rupture"][:, 1]
        for _ in range(turns):  # numpy.rot90: (x, y) -> (y, W - 1 - x), then H and W swap
            x, y = y, width - 1 - x
            height, width = width, height
        for name in ("pre", "post", "valid"):
            out[name] = np.rot90(sample[name], turns)
        out["displacement"] = rotate_displacement(sample["displacement"], turns)
        if flip:
            for name in ("pre", "post", "valid"):
                out[name] = out[name][:, ::-1]
            out["displacement"] = flip_displacement(out["displacement"])
            x = width - 1 - x
        for name in ("pre", "post", "valid", "displacement"):
            out[name] = np.ascontiguousarray(out[name])
        out["rupture"] = np.column_stack([x, y])
        return out


class NormalisedPair:
    """Add ``images``: ``float32 [2, H, W]``, the pair normalised by :func:`normalise_pair`."""

    def __call__(self, sample: dict, rng: np.random.Generator | None = None) -> dict:
        return {**sample, "images": normalise_pair(sample["pre"], sample["post"])}


class Compose:
    """Apply transforms in turn, each with the same generator."""

    def __init__(self, transforms: Sequence) -> None:
        self.transforms = list(transforms)

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        for transform in self.transforms:
            sample = transform(sample, rng)
        return sample
