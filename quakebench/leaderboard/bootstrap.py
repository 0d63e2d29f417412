"""Bootstrap intervals over samples, and paired differences between methods (pure NumPy).

Every leaderboard metric is a ratio of sums over samples: ``mae`` is the sum of absolute
errors over twice the sum of valid pixel counts; the fault-offset bias is the sum of predicted
over the sum of true offsets, minus one. A replicate draws the samples with replacement and
recomputes the ratio of the drawn sums: the sample, not the pixel, is the independent unit
(pixels of one sample share its scene and its earthquake). Two methods scored on the same
samples are compared on the same draws (a paired bootstrap), which cancels the difficulty
they share: a difference much smaller than either method's interval can still be real.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Estimate:
    """A point estimate and its bootstrap percentile interval (None where undefined)."""

    value: float | None
    low: float | None
    high: float | None

    @property
    def high_below_zero(self) -> bool:
        """Whether the whole interval is negative (the first of a pair is significantly less)."""
        return self.high is not None and self.high < 0

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly on one side of zero."""
        if self.low is None or self.high is None:
            return False
        return self.low > 0 or self.high < 0


def resampling_weights(num_samples: int, replicates: int, seed: int) -> np.ndarray:
    """``[replicates, num_samples]``: how often each sample is drawn in each replicate."""
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(num_samples, np.full(num_samples, 1 / num_samples), size=replicates)
    return draws.astype(np.float64)


def block_resampling_weights(blocks: np.ndarray, replicates: int, seed: int) -> np.ndarray:
    """``[replicates, num_samples]`` for a block bootstrap: blocks are drawn with replacement,
    and a sample counts as often as its block (``blocks [num_samples]``, any labels) is drawn.

    Samples that share ground (overlapping tiles of one scene) are not independent; drawing
    them together keeps their shared error in every replicate.
    """
    labels, block_of = np.unique(blocks, return_inverse=True)
    return resampling_weights(len(labels), replicates, seed)[:, block_of]


def ratio(numerator: np.ndarray, denominator: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``sum(w * numerator) / sum(w * denominator)`` for each row of ``weights``; NaN if 0/0."""
    top, bottom = weights @ numerator, weights @ denominator
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom != 0, top / np.where(bottom != 0, bottom, 1), np.nan)


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def estimate(point: float, replicates: np.ndarray, confidence: float) -> Estimate:
    """``point`` with the percentile interval of its ``replicates`` (NaN replicates dropped)."""
    replicates = replicates[np.isfinite(replicates)]
    if not math.isfinite(point) or replicates.size == 0:
        return Estimate(_finite_or_none(point), None, None)
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(replicates, [tail, 100 - tail])
    return Estimate(float(point), float(low), float(high))


def ratio_estimate(
    numerator: np.ndarray,
    denominator: np.ndarray,
    weights: np.ndarray,
    confidence: float,
    offset: float = 0.0,
) -> Estimate:
    """The ratio of sums over all samples (plus ``offset``), with its bootstrap interval."""
    point = ratio(numerator, denominator, np.ones((1, len(numerator))))[0] + offset
    return estimate(point, ratio(numerator, denominator, weights) + offset, confidence)


def paired_difference(
    first: tuple[np.ndarray, np.ndarray],
    second: tuple[np.ndarray, np.ndarray],
    weights: np.ndarray,
    confidence: float,
    relative: bool = False,
) -> Estimate:
    """``ratio(first) - ratio(second)`` on the same draws of the same samples, with its interval;
    ``relative``: ``ratio(first) / ratio(second) - 1``, how much larger the first is as a
    fraction of the second.

    ``first`` and ``second`` are ``(numerator, denominator)`` per sample, in the same sample
    order.
    """

    def compare(draws: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            a, b = ratio(*first, draws), ratio(*second, draws)
            return a / b - 1 if relative else a - b

    return estimate(compare(np.ones((1, len(first[0]))))[0], compare(weights), confidence)
