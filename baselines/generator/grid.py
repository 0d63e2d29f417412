"""Surface displacement of a rupture on the pixel grid, without smearing the discontinuity.

A dense TDE evaluation at every pixel costs ``pixels x triangles`` kernel calls (about half an
hour for 1024 x 1024). The field is smooth everywhere but at the surface trace, and its length
scale at a point is its distance from the fault, so it is sampled where it varies: on rows of
points parallel to the trace on each side, spaced finely near it and more coarsely away from
it. Each side is interpolated from its own rows only (cubic along the rows, cubic Lagrange
across them), so values never mix across the fault; pixels closer to the trace than
``band_px`` are evaluated directly. The samples are evaluated by a treecode
(:mod:`treecode`): nearby triangles exactly, well-separated clusters of them through
interpolation over boxes of samples.

Rows follow a smooth curve through the trace's vertices (a cubic spline of the trace's
across-strike offset), so that the field along each row is smooth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from baselines.generator.pixels import pixel_centres_m
from baselines.generator.rupture import Rupture
from baselines.generator.tde import KernelStats
from baselines.generator.trace_rows import build_side_rows, row_levels, trace_curve
from baselines.generator.treecode import TreecodeConfig, treecode_displacement_m


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
    treecode : TreecodeConfig
        Accuracy of the evaluation at the samples.
    """

    band_px: float = 2.0
    near_spacing_px: float = 1.0
    spacing_ratio: float = 0.3
    treecode: TreecodeConfig = field(default_factory=TreecodeConfig)


def distance_to_tile_m(points_m: np.ndarray, tile_size_m: float) -> np.ndarray:
    """3-D distance of ``[..., 3]`` points from the tile's square on the surface."""
    outside = np.maximum(np.abs(points_m[..., :2]) - tile_size_m / 2, 0.0)
    return np.sqrt(np.sum(outside**2, axis=-1) + points_m[..., 2] ** 2)


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
    stats = KernelStats()
    east, north = pixel_centres_m(size, pixel_size_m)
    field_m = _side_interpolated_field(rupture, east, north, pixel_size_m, config, stats)
    return field_m.T.reshape(3, size, size), stats


def _side_interpolated_field(
    rupture: Rupture,
    east: np.ndarray,
    north: np.ndarray,
    pixel_size_m: float,
    config: GridConfig,
    stats: KernelStats,
) -> np.ndarray:
    """Field ``[P, 3]`` at the pixels, each side from its own rows (see the module's doc)."""
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
    # Samples: both sides' rows, then the band pixels, in fault coordinates (px).
    row_points = [rows.points() for rows in sides]
    counts = [len(s_row) for s_row, _ in row_points]
    sample_s = np.concatenate([s_row for s_row, _ in row_points] + [s[band]])
    sample_n = np.concatenate([n_row for _, n_row in row_points] + [n[band]])
    sample_map = to_map(sample_s, sample_n)
    values = treecode_displacement_m(
        sample_map[:, 0],
        sample_map[:, 1],
        rupture.triangles_m,
        rupture.slip_tde_m,
        stats,
        "samples",
        config.treecode,
        along=(float(frame.strike_vector[0]), float(frame.strike_vector[1])),
    )

    out = np.empty((s.size, 3))
    out[band] = values[sum(counts) :]
    start = 0
    for rows, count in zip(sides, counts, strict=True):
        on_side = np.flatnonzero(~band & (np.sign(offset) == rows.side))
        level = rows.level_of(s[on_side], n[on_side])
        out[on_side] = rows.interpolate(values[start : start + count], s[on_side], level)
        start += count
    return out
