"""Where a real two-date pair can serve as ground truth, and how well its dates are aligned.

A pixel of a pair is valid where the two dates show the same, unmoved texture. The test is the
local normalised cross-correlation (NCC) at zero lag of the two high-passed images: on stable
bedrock it is about 0.9, on the moving glacier, the sea and under haze it drops to about 0
(the histogram of the Yahtse pair is bimodal with its trough near 0.4). Pixels above a
threshold are valid; small islands of either class are removed.

The global co-registration of a pair (the seed paper's first step) is measured by phase
correlation on stable tiles: the median offset and its spread, in pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from skimage.registration import phase_cross_correlation

from baselines.generator.scenes import ScenePair


def highpass(image: np.ndarray, sigma_px: float) -> np.ndarray:
    """Image minus its Gaussian blur: removes illumination and haze gradients."""
    image = np.asarray(image, dtype=np.float64)
    return image - ndi.gaussian_filter(image, sigma_px)


def local_correlation(
    pre: np.ndarray, post: np.ndarray, window_px: int = 15, sigma_px: float = 3.0
) -> np.ndarray:
    """Zero-lag normalised cross-correlation of two images in a sliding window, ``[H, W]``."""
    a, b = highpass(pre, sigma_px), highpass(post, sigma_px)

    def mean(x: np.ndarray) -> np.ndarray:
        return ndi.uniform_filter(x, window_px)

    return mean(a * b) / np.sqrt(mean(a * a) * mean(b * b) + 1e-12)


def pair_validity(
    pre: np.ndarray,
    post: np.ndarray,
    threshold: float = 0.5,
    window_px: int = 15,
    min_region_px: int = 400,
) -> np.ndarray:
    """Boolean mask of a pair's stable, well-correlated pixels.

    Parameters
    ----------
    pre, post : numpy.ndarray
        ``[H, W]`` images on the same grid.
    threshold : float
        Smallest local correlation of a valid pixel.
    window_px : int
        Side of the correlation window.
    min_region_px : int
        Valid or invalid regions smaller than this are absorbed by their surroundings.

    Returns
    -------
    numpy.ndarray
        ``bool [H, W]``; pixels with no signal (value 0) in either date are invalid.
    """
    valid = local_correlation(pre, post, window_px) >= threshold
    for value in (False, True):
        labels, count = ndi.label(valid == value)
        sizes = ndi.sum_labels(np.ones_like(labels), labels, np.arange(1, count + 1))
        small = np.flatnonzero(sizes < min_region_px) + 1
        valid[np.isin(labels, small)] = not value
    return valid & (np.asarray(pre) > 0) & (np.asarray(post) > 0)


@dataclass(frozen=True)
class Coregistration:
    """Offset of the second date relative to the first over stable tiles, pixels.

    ``row_px, col_px`` is the median shift that registers post onto pre, as given by
    scikit-image's ``phase_cross_correlation``; ``spread_px`` the median absolute deviation of
    the tiles' shifts (both components together); ``tiles`` how many tiles were used.
    """

    row_px: float
    col_px: float
    spread_px: float
    tiles: int


def coregistration(
    pre: np.ndarray, post: np.ndarray, valid: np.ndarray, tile_px: int = 128
) -> Coregistration:
    """Measure a pair's global co-registration on tiles that are at least 95 % valid.

    Each tile is high-passed and Hann-windowed (without the window, phase correlation of
    non-periodic tiles is biased towards whole pixels by a few hundredths of a pixel).
    """
    window_2d = np.outer(np.hanning(tile_px), np.hanning(tile_px))
    shifts = []
    for row in range(0, pre.shape[0] - tile_px + 1, tile_px):
        for col in range(0, pre.shape[1] - tile_px + 1, tile_px):
            window = (slice(row, row + tile_px), slice(col, col + tile_px))
            if valid[window].mean() < 0.95:
                continue
            shift, _, _ = phase_cross_correlation(
                window_2d * highpass(pre[window], 3.0),
                window_2d * highpass(post[window], 3.0),
                upsample_factor=100,
            )
            shifts.append(shift)
    if not shifts:
        return Coregistration(float("nan"), float("nan"), float("nan"), 0)
    shifts = np.asarray(shifts)
    median = np.median(shifts, axis=0)
    spread = float(np.median(np.abs(shifts - median)))
    return Coregistration(float(median[0]), float(median[1]), spread, len(shifts))


def pair_report(pair: ScenePair) -> tuple[np.ndarray, Coregistration]:
    """The validity mask of a pair and its co-registration."""
    valid = pair_validity(pair.pre.image, pair.post.image)
    return valid, coregistration(pair.pre.image, pair.post.image, valid)
