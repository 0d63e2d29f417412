"""Where a real two-date pair can serve as ground truth, and how well its dates are aligned.

A pixel of a pair is valid where the two dates show the same, unmoved texture. The test is the
local normalised cross-correlation (NCC) at zero lag of the two high-passed images: on stable
bedrock it is about 0.9, on the moving glacier, the sea and under haze it drops to about 0
(the histogram of the Yahtse pair is bimodal with its trough near 0.4). Pixels above a
threshold are valid; small islands of either class are removed.

Zero-lag correlation cannot see slow motion: ice that moves a fraction of a pixel keeps its
texture. So phase correlation (the shared imagery engine, with the frozen settings
:data:`MOTION_CORRELATION`, never the correlator baseline's defaults) also maps the real
displacement between the dates (every ``MOTION_STEP_PX``-th pixel), the pair's global
co-registration is removed, and pixels whose
residual departs from zero by more than ``MOTION_K`` times the robust noise of the stable area
(1.4826 x its median absolute deviation) are excluded as moving.

The global co-registration of a pair (the seed paper's first step) is measured by phase
correlation on stable tiles: the median offset and its spread, in pixels.

Texture: a pixel is textured where the local standard deviation of the high-passed image
(``TEXTURE_WINDOW_PX``) is at least ``TEXTURE_K`` times the image's noise level. The noise is
Immerkaer's (1996) estimate (the mean absolute response to a kernel that cancels planes and
quadrics, times sqrt(pi/2) / 6) taken in the quietest 5 % of the scene's 15-pixel windows: open
water, smooth cloud, snow. Those, and saturated areas, are not textured; a correlator finds no
signal there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from skimage.registration import phase_cross_correlation

from baselines.imagery.correlate import correlate
from baselines.imagery.scenes import ScenePair
from baselines.imagery.settings import CorrelationSettings

TEXTURE_WINDOW_PX = 15
TEXTURE_K = 3.0
"""Textured: local standard deviation of the high-passed image >= 3 x the noise level."""

MOTION_K = 3.0
"""Moving: real displacement beyond 3 x the stable area's robust noise (either component)."""

MOTION_STEP_PX = 8
"""The real displacement between the dates is mapped every 8th pixel (32-pixel windows)."""

MOTION_CORRELATION = CorrelationSettings(
    window=32,
    step=MOTION_STEP_PX,
    coarse_window=64,
    coarse_step=16,
    max_frequency=0.35,
    iterations=3,
    taper_beta=0.5,
    device=None,
    transform="window",
)
"""How the motion mask maps the real displacement: a constant of the data contract (it decides
which pixels of a pair are valid), frozen apart from the correlator baseline's defaults."""


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
    valid = absorb_small_regions(
        local_correlation(pre, post, window_px) >= threshold, min_region_px
    )
    return valid & (np.asarray(pre) > 0) & (np.asarray(post) > 0)


def absorb_small_regions(mask: np.ndarray, min_region_px: int = 400) -> np.ndarray:
    """``mask`` where regions of either class smaller than ``min_region_px`` join their
    surroundings (first holes are filled, then islands removed)."""
    mask = mask.copy()
    for value in (False, True):
        labels, count = ndi.label(mask == value)
        sizes = ndi.sum_labels(np.ones_like(labels), labels, np.arange(1, count + 1))
        small = np.flatnonzero(sizes < min_region_px) + 1
        mask[np.isin(labels, small)] = not value
    return mask


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


def noise_level(image: np.ndarray) -> float:
    """Noise standard deviation of an image, from its quietest 5 % of 15-pixel windows.

    Immerkaer (1996): the kernel ``[[1, -2, 1], [-2, 4, -2], [1, -2, 1]]`` cancels planes and
    quadrics; on white noise of standard deviation s its response has mean absolute value
    ``6 s sqrt(2 / pi)``.
    """
    kernel = np.array([[1.0, -2.0, 1.0], [-2.0, 4.0, -2.0], [1.0, -2.0, 1.0]])
    response = np.abs(ndi.convolve(np.asarray(image, dtype=np.float64), kernel))
    activity = ndi.uniform_filter(response, TEXTURE_WINDOW_PX)
    signal = ndi.binary_erosion(np.asarray(image) > 0, iterations=2)
    if not signal.any():
        return float("inf")
    return float(np.percentile(activity[signal], 5) * np.sqrt(np.pi / 2) / 6)


def textured(image: np.ndarray) -> np.ndarray:
    """``bool [H, W]``: where the image has texture above its noise (see the module)."""
    high = highpass(image, 3.0)
    local_std = np.sqrt(np.maximum(ndi.uniform_filter(high * high, TEXTURE_WINDOW_PX), 0))
    return (local_std >= TEXTURE_K * noise_level(image)) & (np.asarray(image) > 0)


@dataclass(frozen=True)
class PairQuality:
    """Where a pair can serve as ground truth, and why not elsewhere.

    Attributes
    ----------
    valid : numpy.ndarray
        ``bool [H, W]``: correlated and not moving.
    correlated : numpy.ndarray
        ``bool [H, W]``: zero-lag correlation test passed (:func:`pair_validity`).
    moving : numpy.ndarray
        ``bool [H, W]``: correlated, but moving beyond the noise.
    noise_px : float
        Robust noise of the real displacement on the stable area, pixels.
    registration : Coregistration
    """

    valid: np.ndarray
    correlated: np.ndarray
    moving: np.ndarray
    noise_px: float
    registration: Coregistration

    @property
    def decorrelated_fraction(self) -> float:
        """Fraction of the pair's pixels excluded for decorrelation (or no signal)."""
        return float(1 - self.correlated.mean())

    @property
    def moving_fraction(self) -> float:
        """Fraction of the pair's pixels excluded for motion."""
        return float(self.moving.mean())


def real_displacement(
    pre: np.ndarray, post: np.ndarray, registration: Coregistration
) -> np.ndarray:
    """``[2, H, W]`` real displacement between the dates less the co-registration, pixels.

    Measured by the correlator every ``MOTION_STEP_PX`` pixels and repeated to full size.
    The co-registration shift ``(row, col)`` registers post onto pre, so the global motion of
    date 2 is ``(east, north) = (-col, +row)``.
    """
    measured, _ = correlate(pre, post, MOTION_CORRELATION)
    glob = np.array([-registration.col_px, registration.row_px])[:, None, None]
    full = np.repeat(np.repeat(measured - glob, MOTION_STEP_PX, 1), MOTION_STEP_PX, 2)
    return full[:, : pre.shape[0], : pre.shape[1]]


def pair_quality(pair: ScenePair) -> PairQuality:
    """The validity of a pair: correlated, co-registered, then not moving (see the module)."""
    correlated = pair_validity(pair.pre.image, pair.post.image)
    registration = coregistration(pair.pre.image, pair.post.image, correlated)
    residual = real_displacement(
        np.asarray(pair.pre.image, np.float32), np.asarray(pair.post.image, np.float32),
        registration,
    )  # fmt: skip
    stable = residual[:, correlated]
    noise = float(1.4826 * np.median(np.abs(stable - np.median(stable, axis=1, keepdims=True))))
    moving = correlated & (np.abs(residual).max(axis=0) > MOTION_K * noise)
    valid = absorb_small_regions(correlated & ~moving) & correlated
    return PairQuality(valid, correlated, correlated & ~valid, noise, registration)
