"""Surface displacement of a rupture on the pixel grid, without smearing the discontinuity.

A dense TDE evaluation at every pixel costs ``pixels x triangles`` kernel calls (about half an
hour for 1024 x 1024). The field is smooth everywhere but at the surface trace, and its length
scale at a point is its distance from the fault, so it is sampled where it varies: on rows of
points parallel to the trace on each side, spaced finely near it and more coarsely away from
it. Each side is interpolated from its own rows only (cubic along the rows, cubic Lagrange
in the log of the distance across them), so values never mix across the fault; pixels closer
to the trace than ``band_px``, or to one of its vertices than ``vertex_px``, are evaluated
directly. The samples are evaluated by a treecode (:mod:`treecode`): nearby triangles exactly,
well-separated clusters of them through interpolation over boxes of samples.

Far from the trace, where rows are tens of pixels apart, interpolating from them at every pixel
is wasted work: the rows serve the nodes of a coarse :mod:`lattice` (every 4th pixel), and the
pixels of a cell whose nodes all lie far from the trace on one side come from the nodes by
cubic upsampling, a fixed table of weights.

Rows follow a smooth curve through the trace's vertices (a cubic spline of the trace's
across-strike offset), so that the field along each row is smooth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from baselines.generator.earthquake import lattice
from baselines.generator.earthquake.pixels import pixel_to_map_m
from baselines.generator.earthquake.rupture import Rupture
from baselines.generator.earthquake.tde import KernelStats
from baselines.generator.earthquake.trace_rows import build_side_rows, row_levels, trace_curve
from baselines.generator.earthquake.treecode import TreecodeConfig, treecode_displacement_m


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
    vertex_px : float
        Pixels closer than this to a vertex of the trace are evaluated directly too: the surface
        slip steps there from one element to the next, and the field is singular at the vertex.
    lattice_step_px : int
        Step of the lattice of nodes that serves the pixels far from the trace.
    lattice_from_px : float
        A lattice cell serves its pixels when its 16 nodes are on one side, this far from the
        trace or farther; other pixels are interpolated from the rows one by one.
    treecode : TreecodeConfig
        Accuracy of the evaluation at the samples.
    """

    band_px: float = 2.0
    near_spacing_px: float = 1.0
    spacing_ratio: float = 0.3
    vertex_px: float = 3.0
    lattice_step_px: int = 4
    lattice_from_px: float = 32.0
    treecode: TreecodeConfig = field(default_factory=TreecodeConfig)


def distance_to_tile_m(points_m: np.ndarray, tile_size_m: float) -> np.ndarray:
    """3-D distance of ``[..., 3]`` points from the tile's square on the surface."""
    outside = np.maximum(np.abs(points_m[..., :2]) - tile_size_m / 2, 0.0)
    return np.sqrt(np.sum(outside**2, axis=-1) + points_m[..., 2] ** 2)


def distance_to_vertices(
    s: np.ndarray, n: np.ndarray, vertex_s: np.ndarray, vertex_n: np.ndarray
) -> np.ndarray:
    """Distance of points ``(s, n)`` from the nearer of the two trace vertices around ``s``.

    ``vertex_s`` increases; a vertex nearer than the spacing of the vertices along ``s`` is one
    of those two.
    """
    after = np.clip(np.searchsorted(vertex_s, s), 1, vertex_s.size - 1)
    return np.minimum(
        np.hypot(s - vertex_s[after - 1], n - vertex_n[after - 1]),
        np.hypot(s - vertex_s[after], n - vertex_n[after]),
    )


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
    return _side_interpolated_field(rupture, size, pixel_size_m, config, stats), stats


def _side_interpolated_field(
    rupture: Rupture, size: int, pixel_size_m: float, config: GridConfig, stats: KernelStats
) -> np.ndarray:
    """Field ``[3, S, S]`` at the pixels, each side from its own rows (see the module's doc)."""
    frame = rupture.frame
    tile_size_m = size * pixel_size_m
    trace = rupture.trace_m
    vertex_s, vertex_n = (v / pixel_size_m for v in frame.to_fault(trace[:, 0], trace[:, 1]))
    curve = trace_curve(vertex_s, vertex_n)

    def fault_px(col: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(s, n, n - g(s))`` of pixel coordinates, in pixels."""
        s, n = (
            v / pixel_size_m for v in frame.to_fault(*pixel_to_map_m(col, row, size, pixel_size_m))
        )
        return s, n, n - curve(s)

    def to_map(s_px: np.ndarray, n_px: np.ndarray) -> np.ndarray:
        return frame.to_map(s_px * pixel_size_m, np.zeros_like(s_px), n_px * pixel_size_m)

    def near_tile(s_px: np.ndarray, n_px: np.ndarray, margin_px: float) -> np.ndarray:
        return distance_to_tile_m(to_map(s_px, n_px), tile_size_m) <= margin_px * pixel_size_m

    # The lattice's nodes cover the tile, so its rows serve every pixel too.
    step = config.lattice_step_px
    node_row, node_col = np.meshgrid(*[lattice.node_coordinates(size, step)] * 2, indexing="ij")
    node_s, node_n, node_offset = fault_px(node_col.ravel(), node_row.ravel())
    levels = row_levels(
        config.band_px,
        config.near_spacing_px,
        config.spacing_ratio,
        np.abs(node_offset).max() + 1.0,
    )
    sides = [
        build_side_rows(
            side,
            curve,
            (node_s.min(), node_s.max()),
            levels,
            config.near_spacing_px,
            config.spacing_ratio,
            near_tile,
        )
        for side in (1.0, -1.0)
    ]

    # Nodes far enough from the trace on one side serve the cells around them; the pixels of
    # every other cell are interpolated from the rows (or evaluated, in the band) one by one.
    node_level = np.zeros(node_s.size)
    far_cells = np.zeros((lattice.cell_count(size, step),) * 2, dtype=bool)
    far_nodes = []  # per side: the nodes that serve cells
    for rows in sides:
        on_side = np.flatnonzero(
            (np.sign(node_offset) == rows.side) & (np.abs(node_offset) >= config.band_px)
        )
        node_level[on_side] = rows.level_of(node_s[on_side], node_n[on_side])
        far_nodes.append(on_side[node_level[on_side] >= config.lattice_from_px])
        usable = np.zeros(node_s.size, dtype=bool)
        usable[far_nodes[-1]] = True
        far_cells |= lattice.full_stencil_cells(usable.reshape(node_row.shape))
    cell_row, cell_col = np.nonzero(~far_cells)
    phase_row, phase_col = np.divmod(np.arange(step * step), step)
    row = (step * cell_row[:, None] + phase_row).ravel()
    col = (step * cell_col[:, None] + phase_col).ravel()
    inside = (row < size) & (col < size)
    row, col = row[inside], col[inside]
    s, n, offset = fault_px(col.astype(float), row.astype(float))
    band = (np.abs(offset) < config.band_px) | (
        distance_to_vertices(s, n, vertex_s, vertex_n) < config.vertex_px
    )

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

    node_values = np.zeros((node_s.size, 3))
    pixel_values = np.empty((s.size, 3))
    pixel_values[band] = values[sum(counts) :]
    start = 0
    for rows, count, nodes in zip(sides, counts, far_nodes, strict=True):
        pixels = np.flatnonzero(~band & (np.sign(offset) == rows.side))
        interpolated = rows.interpolate(
            values[start : start + count],
            np.concatenate([node_s[nodes], s[pixels]]),
            np.concatenate([node_level[nodes], rows.level_of(s[pixels], n[pixels])]),
        )
        node_values[nodes] = interpolated[: nodes.size]
        pixel_values[pixels] = interpolated[nodes.size :]
        start += count
    field_m = lattice.upsample(node_values.T.reshape(3, *node_row.shape), size, step)
    field_m[:, row, col] = pixel_values.T
    return field_m
