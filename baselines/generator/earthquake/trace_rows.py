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

from baselines.generator.earthquake.portable_math import gaussian_filter1d

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
    """Cubic Lagrange weights ``[N, 4]`` at ``x [N]`` on each point's own ``nodes [N, 4]``."""
    d0, d1, d2, d3 = (x - nodes[:, q] for q in range(4))
    low, high = d0 * d1, d2 * d3
    weights = np.empty((x.size, 4))
    for q, numerator in enumerate((d1 * high, d0 * high, low * d3, low * d2)):
        denominator = np.ones(x.size)
        for r in range(4):
            if r != q:
                denominator *= nodes[:, q] - nodes[:, r]
        weights[:, q] = numerator / denominator
    return weights


@dataclass(frozen=True)
class CurveTable:
    """Row curves ``G_j(s)`` tabulated on one grid ``s = start + k * step``, ``values [J, K]``.

    Every curve's own nodes lie on the grid (see :func:`smoothed_curve`), so linear
    interpolation in the table is the curve itself.
    """

    start: float
    step: float
    values: np.ndarray

    def locate(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Grid interval ``[N]`` of each ``s`` and the fraction across it."""
        position = np.clip((s - self.start) / self.step, 0.0, self.values.shape[1] - 1.0)
        index = np.minimum(position.astype(int), self.values.shape[1] - 2)
        return index, position - index

    def at(self, row: np.ndarray, index: np.ndarray, fraction: np.ndarray) -> np.ndarray:
        """``G_row(s)`` at points located by :meth:`locate`."""
        flat = row * self.values.shape[1] + index
        table = self.values.ravel()
        return table[flat] * (1.0 - fraction) + table[flat + 1] * fraction


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
    table : CurveTable
        The same curves over the pixels' along-strike extent, for finding pixels' levels.
    starts, steps : numpy.ndarray
        ``[J]``: row ``j`` has samples at ``s = starts[j] + i * steps[j]``, ``i < counts[j]``.
    counts : numpy.ndarray
        ``[J]`` samples per row.
    """

    side: float
    levels: np.ndarray
    curves: list[tuple[np.ndarray, np.ndarray]]
    table: CurveTable
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

        ``s`` must lie within the extent the rows were built for.
        """
        index, fraction = self.table.locate(s)
        m = self.side * (n - self.table.at(np.zeros_like(index), index, fraction))
        for _ in range(LEVEL_ITERATIONS):
            j = np.clip(np.searchsorted(self.levels, m) - 1, 0, len(self.levels) - 2)
            t = np.clip((m - self.levels[j]) / (self.levels[j + 1] - self.levels[j]), 0.0, 1.0)
            lower = self.table.at(j, index, fraction)
            upper = self.table.at(j + 1, index, fraction)
            m = self.side * (n - (lower + t * (upper - lower)))
        return m

    def interpolate(self, values: np.ndarray, s: np.ndarray, m: np.ndarray) -> np.ndarray:
        """Interpolate row values ``[P, 3]`` (ordered as :meth:`points`) to points ``(s, m)``.

        Cubic splines along each row, cubic Lagrange across the four nearest rows in ``log m``:
        away from the trace the field decays like a power of ``m``, and the levels are evenly
        spaced in ``log m`` there, so the interpolant errs several times less than in ``m``.
        """
        bounds = np.concatenate([[0], np.cumsum(self.counts)])
        interval = np.searchsorted(self.levels, m, side="right") - 1
        first = np.clip(interval - 1, 0, len(self.levels) - 4)
        # Points sorted by their first row: those row j serves are one contiguous range.
        order = np.argsort(first, kind="stable")
        first, s = first[order], s[order]
        starts = np.searchsorted(first, np.arange(len(self.levels) + 1))
        # A pixel just inside the first row (the band's edge) stays on the stencil's side of 0.
        log_m = np.log(np.maximum(m[order], self.levels[0] / 2))
        weights = lagrange_weights(log_m, np.log(self.levels)[first[:, None] + np.arange(4)])
        out = np.zeros((s.size, values.shape[1]))
        for j in range(len(self.levels)):
            use = slice(starts[max(j - 3, 0)], starts[j + 1])
            if use.start == use.stop:
                continue
            knots = self.starts[j] + self.steps[j] * np.arange(self.counts[j])
            if s[use].min() < knots[0] or s[use].max() > knots[-1]:
                raise RuntimeError(f"row {j} does not cover the pixels that need it")
            along = CubicSpline(knots, values[bounds[j] : bounds[j + 1]], axis=0)(s[use])
            # Row j is the k-th of the points whose first row is j - k: a contiguous block.
            for k in range(max(j - len(self.levels) + 4, 0), min(j, 3) + 1):
                block = slice(starts[j - k], starts[j - k + 1])
                part = slice(block.start - use.start, block.stop - use.start)
                out[block] += weights[block, k, None] * along[part]
        unsorted = np.empty_like(out)
        unsorted[order] = out
        return unsorted


def smoothed_curve(
    curve: Curve, s_range: tuple[float, float], step: float, sigma: float
) -> tuple[np.ndarray, np.ndarray]:
    """``curve`` smoothed by a Gaussian of width ``sigma``, tabulated over ``s_range``.

    The table spacing grows with ``sigma`` (a smooth curve needs few samples), in multiples of
    :data:`FINE_STEP_PX`, and it reaches far enough beyond ``s_range`` that the smoothing's end
    effects miss the rows.
    """
    # A multiple of the fine step from ``s_range[0]``: every node lies on the curve table's grid.
    spacing = FINE_STEP_PX * max(round(sigma / 4 / FINE_STEP_PX), 1)
    margin = np.ceil((8 * step + 4 * sigma) / spacing) * spacing
    s = s_range[0] + np.arange(-margin, s_range[1] - s_range[0] + margin + spacing, spacing)
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
    grid = s_range[0] + FINE_STEP_PX * np.arange(
        np.ceil((s_range[1] - s_range[0]) / FINE_STEP_PX) + 2
    )
    table = CurveTable(
        s_range[0], FINE_STEP_PX, np.stack([np.interp(grid, *curve_j) for curve_j in curves])
    )
    return SideRows(
        side=side,
        levels=levels,
        curves=curves,
        table=table,
        starts=np.asarray(starts),
        steps=steps,
        counts=np.asarray(counts),
    )
