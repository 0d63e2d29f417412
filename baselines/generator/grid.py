"""Surface displacement of a rupture on the pixel grid, without smearing the discontinuity.

A dense TDE evaluation at every pixel costs ``pixels x triangles`` kernel calls (about 20 min
for 1024 x 1024). The field is smooth everywhere but at the surface trace, and its length
scale at a point is its distance from the fault, so it is sampled where it varies:

* **Deep elements** (whose closest approach to the tile is at least ``deep_standoff_m``) give
  a smooth field: each depth octave is evaluated on a regular grid spaced a fraction of that
  standoff and interpolated to the pixels with cubic splines.
* **Shallow elements** give the jump. Their field is evaluated on rows of points parallel to
  the trace on each side, spaced finely near it and more coarsely away from it, and each side
  is interpolated from its own rows only (cubic along the rows, cubic Lagrange across them),
  so values never mix across the fault. Pixels closer to the trace than ``band_px`` are
  evaluated directly. The dense samples near the trace are evaluated block by block along
  strike (:mod:`strike_blocks`): nearby elements directly, distant ones through a coarse grid.

Rows follow a smooth curve through the trace's vertices (a cubic spline of the trace's
across-strike offset), so that the field along each row is smooth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import map_coordinates

from baselines.generator.pixels import pixel_centres_m, pixel_to_map_m
from baselines.generator.rupture import Rupture
from baselines.generator.strike_blocks import BlockConfig, blockwise_displacement_m
from baselines.generator.tde import KernelStats
from baselines.generator.trace_rows import build_side_rows, row_levels, trace_curve


@dataclass(frozen=True)
class GridConfig:
    """Sampling of the displacement field (all distances in pixels unless said otherwise).

    Attributes
    ----------
    band_px : float
        Pixels closer than this to the trace are evaluated directly.
    near_spacing_px : float
        Spacing of the sample rows, across and along, next to the trace.
    spacing_ratio : float
        Away from the trace, spacing is this fraction of the distance to the trace.
    deep_standoff_m : float
        Elements at least this far from the tile (in 3-D) count as deep.
    deep_samples_per_standoff : float
        Regular-grid samples per standoff distance for a deep group.
    near_trace_px : float
        Shallow samples up to this distance from the trace are evaluated block by block along
        strike (:mod:`strike_blocks`); farther ones against every shallow element.
    blocks : BlockConfig
        Block sizes for those samples.
    """

    band_px: float = 2.0
    near_spacing_px: float = 1.0
    spacing_ratio: float = 0.3
    deep_standoff_m: float = 1000.0
    deep_samples_per_standoff: float = 6.0
    near_trace_px: float = 32.0
    blocks: BlockConfig = field(default_factory=BlockConfig)


def distance_to_tile_m(points_m: np.ndarray, tile_size_m: float) -> np.ndarray:
    """3-D distance of ``[..., 3]`` points from the tile's square on the surface."""
    outside = np.maximum(np.abs(points_m[..., :2]) - tile_size_m / 2, 0.0)
    return np.sqrt(np.sum(outside**2, axis=-1) + points_m[..., 2] ** 2)


def element_standoff_m(triangles_m: np.ndarray, tile_size_m: float) -> np.ndarray:
    """Closest approach of each triangle to the tile, metres (a lower bound).

    The smallest vertex distance less the longest edge: no point of the triangle is closer.
    """
    nearest_vertex = distance_to_tile_m(triangles_m, tile_size_m).min(axis=1)
    edges = triangles_m - np.roll(triangles_m, 1, axis=1)
    longest = np.linalg.norm(edges, axis=2).max(axis=1)
    return np.maximum(nearest_vertex - longest, 0.0)


def spline_weights(positions: np.ndarray, n: int) -> np.ndarray:
    """``[P, n]`` weights of cubic-spline interpolation at fractional node positions.

    Row ``p`` applied to samples on ``n`` regular nodes gives what
    ``scipy.ndimage.map_coordinates(samples, [positions], order=3, mode="nearest")`` gives;
    interpolating a regular grid to a regular grid is separable, so two small matrix products
    replace a per-pixel 2-D interpolation.
    """
    return np.column_stack(
        [map_coordinates(unit, [positions], order=3, mode="nearest") for unit in np.eye(n)]
    )


def _deep_groups(standoff_m: np.ndarray, config: GridConfig) -> list[tuple[float, np.ndarray]]:
    """Deep triangles grouped by octaves of standoff: ``(lower standoff, indices)`` pairs."""
    groups = []
    lower = config.deep_standoff_m
    deep = standoff_m >= lower
    while deep.any():
        members = np.flatnonzero(deep & (standoff_m < 2 * lower))
        if members.size:
            groups.append((lower, members))
        deep &= standoff_m >= 2 * lower
        lower *= 2
    return groups


def _deep_field(
    rupture: Rupture,
    members: np.ndarray,
    spacing_px: float,
    size: int,
    pixel_size_m: float,
    stats: KernelStats,
    part: str,
) -> np.ndarray:
    """Field of some triangles on a regular grid, spline-interpolated to the pixels."""
    pad = 3
    n = int(np.ceil((size - 1) / spacing_px)) + 2 * pad + 1
    node_px = (np.arange(n) - pad) * spacing_px
    col, row = np.meshgrid(node_px, node_px)
    east, north = pixel_to_map_m(col.ravel(), row.ravel(), size, pixel_size_m)
    values = stats.evaluate(
        part, east, north, rupture.triangles_m[members], rupture.slip_tde_m[members]
    ).reshape(n, n, 3)
    weights = spline_weights(np.arange(size) / spacing_px + pad, n)
    return np.einsum("ri,ijc,sj->crs", weights, values, weights, optimize=True)


def displacement_field_m(
    rupture: Rupture, size: int, pixel_size_m: float, config: GridConfig | None = None
) -> tuple[np.ndarray, KernelStats]:
    """Surface displacement (east, north, up) of a rupture at every pixel centre, metres.

    Parameters
    ----------
    rupture : Rupture
        Meshed fault with slip; its trace must cross or touch the tile's neighbourhood.
    size : int
        Pixels per side of the square tile centred on the origin.
    pixel_size_m : float
        Ground size of a pixel.
    config : GridConfig, optional
        Sampling density.

    Returns
    -------
    displacement : numpy.ndarray
        ``float64 [3, S, S]``, finite everywhere.
    stats : KernelStats
        Kernel evaluations by part.
    """
    config = config or GridConfig()
    tile_size_m = size * pixel_size_m
    stats = KernelStats()
    east, north = pixel_centres_m(size, pixel_size_m)
    triangles, slip = rupture.triangles_m, rupture.slip_tde_m

    standoff = element_standoff_m(triangles, tile_size_m)
    total = np.zeros((3, size, size))
    for index, (lower_m, members) in enumerate(_deep_groups(standoff, config)):
        spacing_px = lower_m / (config.deep_samples_per_standoff * pixel_size_m)
        spacing_px = float(np.clip(spacing_px, 1.0, max(1.0, size / 4)))
        total += _deep_field(
            rupture, members, spacing_px, size, pixel_size_m, stats, f"deep_{index}"
        )

    shallow = np.flatnonzero(standoff < config.deep_standoff_m)
    total += _shallow_field(
        rupture, triangles[shallow], slip[shallow], east, north, pixel_size_m, config, stats
    ).T.reshape(3, size, size)
    return total, stats


def _shallow_field(
    rupture: Rupture,
    triangles: np.ndarray,
    slip: np.ndarray,
    east: np.ndarray,
    north: np.ndarray,
    pixel_size_m: float,
    config: GridConfig,
    stats: KernelStats,
) -> np.ndarray:
    """Field ``[P, 3]`` of the shallow triangles at the pixels, side by side (see module doc)."""
    frame = rupture.frame
    tile_size_m = east.shape[0] * pixel_size_m
    trace = rupture.trace_m
    trace_s, trace_n = frame.to_fault(trace[:, 0], trace[:, 1])
    curve = trace_curve(trace_s / pixel_size_m, trace_n / pixel_size_m)
    s, n = (v.ravel() / pixel_size_m for v in frame.to_fault(east, north))
    offset = n - curve(s)
    band = np.abs(offset) < config.band_px

    def to_map(s_px: np.ndarray, n_px: np.ndarray) -> np.ndarray:
        return frame.to_map(s_px * pixel_size_m, np.zeros_like(s_px), n_px * pixel_size_m)

    def near_tile(s_px: np.ndarray, n_px: np.ndarray, margin_px: float) -> np.ndarray:
        return distance_to_tile_m(to_map(s_px, n_px), tile_size_m) <= margin_px * pixel_size_m

    levels = row_levels(
        config.band_px, config.near_spacing_px, config.spacing_ratio, np.abs(offset).max() + 1.0
    )
    sides = [
        build_side_rows(
            side,
            curve,
            (s.min(), s.max()),
            levels,
            config.near_spacing_px,
            config.spacing_ratio,
            near_tile,
        )
        for side in (1.0, -1.0)
    ]
    # Shallow samples: both sides' rows, then the band pixels, in fault coordinates (px).
    row_points = [rows.points() for rows in sides]
    counts = [len(s_row) for s_row, _ in row_points]
    sample_s = np.concatenate([s_row for s_row, _ in row_points] + [s[band]])
    sample_n = np.concatenate([n_row for _, n_row in row_points] + [n[band]])
    sample_level = np.concatenate([rows.sample_levels() for rows in sides] + [np.zeros(band.sum())])
    values = np.empty((sample_s.size, 3))
    near_trace = sample_level <= config.near_trace_px
    vertex_s = frame.to_fault(triangles[..., 0], triangles[..., 1])[0] / pixel_size_m
    values[near_trace] = blockwise_displacement_m(
        sample_s[near_trace],
        sample_n[near_trace],
        to_map,
        triangles,
        slip,
        np.column_stack([vertex_s.min(axis=1), vertex_s.max(axis=1)]),
        config.blocks,
        stats,
    )
    far = to_map(sample_s[~near_trace], sample_n[~near_trace])
    values[~near_trace] = stats.evaluate("shallow_rows", far[:, 0], far[:, 1], triangles, slip)

    out = np.empty((s.size, 3))
    out[band] = values[sum(counts) :]
    start = 0
    for rows, count in zip(sides, counts, strict=True):
        on_side = np.flatnonzero(~band & (np.sign(offset) == rows.side))
        level = rows.level_of(s[on_side], n[on_side])
        out[on_side] = rows.interpolate(values[start : start + count], s[on_side], level)
        start += count
    return out
