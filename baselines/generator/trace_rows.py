"""Sample rows that follow the surface trace, and interpolation from them on one side only.

Coordinates are the fault's along-strike ``s`` and across-strike ``n`` (horizontal, right of
strike), in pixels. The trace is the curve ``n = g(s)``. On each side, row ``j`` is the curve
``n = G_j(s) + side * m_j`` at a distance level ``m_j`` from it, where ``G_j`` is the trace
smoothed over a length that grows with ``m_j``: next to the trace the rows follow every bend of
it, far away they ignore bends shorter than their own sample spacing, so that the field along
each row stays smooth enough for cubic interpolation. A pixel's level ``m`` solves
``n = G(s, m) + side * m`` with ``G`` interpolated linearly between levels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicSpline

from baselines.generator.portable_math import gaussian_filter1d

Curve = Callable[[np.ndarray], np.ndarray]

FINE_STEP_PX = 0.25
"""Sampling step of the smoothed trace curves."""

LEVEL_ITERATIONS = 4
"""Fixed-point iterations solving for a pixel's level (the curves vary slowly with level)."""


def trace_curve(trace_s: np.ndarray, trace_n: np.ndarray) -> Curve:
    """A smooth curve ``n(s)`` through the trace vertices, extended linearly beyond the tips."""
    spline = CubicSpline(trace_s, trace_n, bc_type="natural")
    lo, hi = trace_s[0], trace_s[-1]
    slope_lo, slope_hi = spline(lo, 1), spline(hi, 1)

    def curve(s: np.ndarray) -> np.ndarray:
        s = np.asarray(s, dtype=float)
        extension = np.where(s < lo, (s - lo) * slope_lo, 0.0) + np.where(
            s > hi, (s - hi) * slope_hi, 0.0
        )
        return spline(np.clip(s, lo, hi)) + extension

    return curve


def row_levels(band: float, near_spacing: float, ratio: float, reach: float) -> np.ndarray:
    """Distances of the rows from the trace, from ``band`` until past ``reach`` (4 at least)."""
    levels = [band]
    while len(levels) < 4 or levels[-1] < reach:
        levels.append(levels[-1] + max(near_spacing, ratio * levels[-1]))
    return np.asarray(levels)


def lagrange_weights(x: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Cubic Lagrange weights ``[N, 4]`` at ``x [N]`` for per-point nodes ``[N, 4]``."""
    weights = np.ones_like(nodes)
    for q in range(4):
        for r in range(4):
            if r != q:
                weights[:, q] *= (x - nodes[:, r]) / (nodes[:, q] - nodes[:, r])
    return weights


@dataclass(frozen=True)
class SideRows:
    """The sample rows on one side of the trace.

    Attributes
    ----------
    side : float
        +1 right of the trace (increasing ``n``), -1 left.
    levels : numpy.ndarray
        ``[J]`` distance levels ``m_j``, increasing.
    curves : list of (numpy.ndarray, numpy.ndarray)
        ``(s, G_j(s))``: row ``j``'s smoothed trace, tabulated finely enough for linear
        interpolation.
    starts, steps : numpy.ndarray
        ``[J]``: row ``j`` has samples at ``s = starts[j] + i * steps[j]``, ``i < counts[j]``.
    counts : numpy.ndarray
        ``[J]`` samples per row.
    """

    side: float
    levels: np.ndarray
    curves: list[tuple[np.ndarray, np.ndarray]]
    starts: np.ndarray
    steps: np.ndarray
    counts: np.ndarray

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """``(s, n)`` of every sample, row by row."""
        s_rows = [
            a + d * np.arange(c)
            for a, d, c in zip(self.starts, self.steps, self.counts, strict=True)
        ]
        n_rows = [
            np.interp(s, *curve) + self.side * level
            for s, curve, level in zip(s_rows, self.curves, self.levels, strict=True)
        ]
        return np.concatenate(s_rows), np.concatenate(n_rows)

    def sample_levels(self) -> np.ndarray:
        """The level of every sample, row by row (as :meth:`points`)."""
        return np.repeat(self.levels, self.counts)

    def level_of(self, s: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The level ``m`` of points ``(s, n)`` on this side (solves ``n = G(s, m) + side m``).

        Each iteration reads only the two curves around a point's current level.
        """
        m = self.side * (n - np.interp(s, *self.curves[0]))
        for _ in range(LEVEL_ITERATIONS):
            j = np.clip(np.searchsorted(self.levels, m) - 1, 0, len(self.levels) - 2)
            t = np.clip((m - self.levels[j]) / (self.levels[j + 1] - self.levels[j]), 0.0, 1.0)
            offset = np.empty_like(m)
            order = np.argsort(j, kind="stable")
            bounds = np.searchsorted(j[order], np.arange(len(self.levels)))
            for level in range(len(self.levels) - 1):
                at = order[bounds[level] : bounds[level + 1]]
                if at.size:
                    lower = np.interp(s[at], *self.curves[level])
                    upper = np.interp(s[at], *self.curves[level + 1])
                    offset[at] = (1 - t[at]) * lower + t[at] * upper
            m = self.side * (n - offset)
        return m

    def interpolate(self, values: np.ndarray, s: np.ndarray, m: np.ndarray) -> np.ndarray:
        """Interpolate row values ``[P, 3]`` (ordered as :meth:`points`) to points ``(s, m)``.

        Cubic splines along each row, cubic Lagrange across the four nearest rows.
        """
        bounds = np.concatenate([[0], np.cumsum(self.counts)])
        interval = np.searchsorted(self.levels, m, side="right") - 1
        first = np.clip(interval - 1, 0, len(self.levels) - 4)
        # Points sorted by their first row: those row j serves are one contiguous range.
        order = np.argsort(first, kind="stable")
        first, s = first[order], s[order]
        starts = np.searchsorted(first, np.arange(len(self.levels) + 1))
        weights = lagrange_weights(m[order], self.levels[first[:, None] + np.arange(4)])
        out = np.zeros((s.size, values.shape[1]))
        for j in range(len(self.levels)):
            use = slice(starts[max(j - 3, 0)], starts[j + 1])
            if use.start == use.stop:
                continue
            knots = self.starts[j] + self.steps[j] * np.arange(self.counts[j])
            if s[use].min() < knots[0] or s[use].max() > knots[-1]:
                raise RuntimeError(f"row {j} does not cover the pixels that need it")
            spline = CubicSpline(knots, values[bounds[j] : bounds[j + 1]], axis=0)
            rows = np.arange(use.start, use.stop)
            out[use] += weights[rows, j - first[use], None] * spline(s[use])
        unsorted = np.empty_like(out)
        unsorted[order] = out
        return unsorted


def smoothed_curve(
    curve: Curve, s_range: tuple[float, float], step: float, sigma: float
) -> tuple[np.ndarray, np.ndarray]:
    """``curve`` smoothed by a Gaussian of width ``sigma``, tabulated over ``s_range``.

    The table spacing grows with ``sigma`` (a smooth curve needs few samples) and it reaches
    far enough beyond ``s_range`` that the smoothing's end effects miss the rows.
    """
    spacing = max(FINE_STEP_PX, sigma / 4)
    margin = 8 * step + 4 * sigma
    s = np.arange(s_range[0] - margin, s_range[1] + margin + spacing, spacing)
    n = curve(s)
    if sigma > 0:
        n = gaussian_filter1d(n, sigma / spacing)
    return s, n


def build_side_rows(
    side: float,
    curve: Curve,
    s_range: tuple[float, float],
    levels: np.ndarray,
    near_spacing: float,
    ratio: float,
    near_tile: Callable[[np.ndarray, np.ndarray, float], np.ndarray],
) -> SideRows:
    """Rows on one side of the trace, each trimmed to the part near the tile.

    Parameters
    ----------
    side : float
        +1 or -1.
    curve : callable
        The trace ``g(s)``.
    s_range : (float, float)
        Along-strike extent of the pixels to serve.
    levels : numpy.ndarray
        Distance levels of the rows (see :func:`row_levels`).
    near_spacing, ratio : float
        Sample spacing along a row is ``max(near_spacing, ratio * level)``.
    near_tile : callable
        ``near_tile(s, n, margin)`` is True for points within ``margin`` of the tile.
    """
    steps = np.maximum(near_spacing, ratio * levels)
    curves, starts, counts = [], [], []
    for level, step in zip(levels, steps, strict=True):
        curve_j = smoothed_curve(curve, s_range, step, 2.0 * (step - near_spacing))
        s = np.arange(s_range[0] - 4 * step, s_range[1] + 5 * step, step)
        n = np.interp(s, *curve_j) + side * level
        # Keep the samples whose 4-row, 4-sample neighbourhood can reach a pixel.
        near = np.flatnonzero(near_tile(s, n, 4 * step + 2 * level))
        lo, hi = (near.min(), near.max()) if near.size else (0, 0)
        lo, hi = max(min(lo - 4, hi - 8), 0), min(hi + 4, s.size - 1)
        curves.append(curve_j)
        starts.append(s[lo])
        counts.append(hi - lo + 1)
    return SideRows(
        side=side,
        levels=levels,
        curves=curves,
        starts=np.asarray(starts),
        steps=steps,
        counts=np.asarray(counts),
    )
