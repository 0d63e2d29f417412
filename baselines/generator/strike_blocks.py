"""Shallow-element field at many points near the trace, block by block along strike.

Next to the trace the samples are dense, and evaluating every shallow element at each of them
dominates the cost. Split the trace into blocks along strike: for the samples of one block,
elements within ``near_px`` of it (along strike) are evaluated directly, while the others,
being at least ``near_px`` away, give a smooth field over the block, sampled on a coarse
regular grid in fault coordinates and interpolated with cubic splines. This is a one-level
treecode: the direct part keeps the discontinuity exact, the far part is smooth by
construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import map_coordinates

from baselines.generator.tde import KernelStats

ToMap = Callable[[np.ndarray, np.ndarray], np.ndarray]

GRID_PAD = 3
"""Grid nodes beyond the samples on each side, so that spline boundary effects miss them."""


@dataclass(frozen=True)
class BlockConfig:
    """Blocks along strike (pixels).

    Attributes
    ----------
    block_px : float
        Block length along strike.
    near_px : float
        Elements closer than this to a block (along strike) are evaluated directly.
    samples_per_near : float
        The far field's grid spacing is ``near_px / samples_per_near``.
    """

    block_px: float = 64.0
    near_px: float = 64.0
    samples_per_near: float = 6.0


def _far_field_on_grid(
    s: np.ndarray,
    n: np.ndarray,
    to_map: ToMap,
    triangles_m: np.ndarray,
    slip_tde_m: np.ndarray,
    spacing: float,
    stats: KernelStats,
) -> np.ndarray:
    """Field of far triangles at ``(s, n)`` from a regular grid over their bounding box."""
    s0 = s.min() - GRID_PAD * spacing
    n0 = n.min() - GRID_PAD * spacing
    shape = (
        int(np.ceil((s.max() - s0) / spacing)) + GRID_PAD + 1,
        int(np.ceil((n.max() - n0) / spacing)) + GRID_PAD + 1,
    )
    grid_s, grid_n = np.meshgrid(
        s0 + spacing * np.arange(shape[0]), n0 + spacing * np.arange(shape[1]), indexing="ij"
    )
    nodes = to_map(grid_s.ravel(), grid_n.ravel())
    values = stats.evaluate(
        "shallow_far_grids", nodes[:, 0], nodes[:, 1], triangles_m, slip_tde_m
    ).reshape(*shape, 3)
    coordinates = [(s - s0) / spacing, (n - n0) / spacing]
    return np.column_stack(
        [map_coordinates(values[..., c], coordinates, order=3, mode="nearest") for c in range(3)]
    )


def blockwise_displacement_m(
    s: np.ndarray,
    n: np.ndarray,
    to_map: ToMap,
    triangles_m: np.ndarray,
    slip_tde_m: np.ndarray,
    triangle_s: np.ndarray,
    config: BlockConfig,
    stats: KernelStats,
) -> np.ndarray:
    """Displacement ``[N, 3]`` of the triangles at points ``(s, n)`` (fault coordinates, px).

    Parameters
    ----------
    s, n : numpy.ndarray
        ``[N]`` along-strike and across-strike position of the points, pixels.
    to_map : callable
        ``to_map(s, n)`` gives ``[N, 3]`` map coordinates (east, north, up) in metres.
    triangles_m, slip_tde_m : numpy.ndarray
        ``[T, 3, 3]`` triangles (map coordinates) and their slip in cutde's components.
    triangle_s : numpy.ndarray
        ``[T, 2]`` smallest and largest along-strike position of each triangle, pixels.
    config : BlockConfig
    stats : KernelStats
        Counts the direct (``shallow_direct``) and grid (``shallow_far_grids``) evaluations.
    """
    points = to_map(s, n)
    out = np.empty((s.size, 3))
    tri_lo, tri_hi = triangle_s[:, 0], triangle_s[:, 1]
    block = np.floor((s - s.min()) / config.block_px).astype(int)
    order = np.argsort(block, kind="stable")
    starts = np.searchsorted(block[order], np.arange(block.max() + 2))
    for k in range(block.max() + 1):
        members = order[starts[k] : starts[k + 1]]
        if members.size == 0:
            continue
        lo = s[members].min() - config.near_px
        hi = s[members].max() + config.near_px
        near = (tri_hi >= lo) & (tri_lo <= hi)
        out[members] = stats.evaluate(
            "shallow_direct",
            points[members, 0],
            points[members, 1],
            triangles_m[near],
            slip_tde_m[near],
        )
        if (~near).any():
            out[members] += _far_field_on_grid(
                s[members],
                n[members],
                to_map,
                triangles_m[~near],
                slip_tde_m[~near],
                config.near_px / config.samples_per_near,
                stats,
            )
    return out
