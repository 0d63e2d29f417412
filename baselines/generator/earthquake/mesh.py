"""Unstructured triangular mesh of a fault, fine at the surface near the tile, coarse elsewhere.

Nodes are laid in rows down dip whose spacing grows with depth, and along each row with a
spacing that grows with depth and with the along-strike distance from the tile; a Delaunay
triangulation of the nodes in the fault's ``(s, w)`` coordinates gives the elements (the seed
paper used an unstructured Delaunay mesh from Mesh2D). Every triangle is wound the same way in
``(s, w)``, so all element normals point to the same side of the fault.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import Delaunay


@dataclass(frozen=True)
class MeshConfig:
    """Element sizes of the fault mesh.

    Attributes
    ----------
    surface_size_m : float
        Element size at the surface, over the tile.
    growth : float
        Size increase per metre of depth (down dip) and of along-strike distance from the tile.
    max_size_m : float
        Largest element size; never more than an eighth of the fault's length or width, so
        that the slip tapers at the tips and the bottom are resolved.
    """

    surface_size_m: float = 200.0
    growth: float = 0.3
    max_size_m: float = 4000.0


def element_size_m(
    s_m: np.ndarray,
    w_m: np.ndarray,
    fine_range_m: tuple[float, float],
    config: MeshConfig,
    max_size_m: float,
) -> np.ndarray:
    """Target element size at fault points ``(s, w)``, metres, at most ``max_size_m``."""
    outside = np.maximum(0.0, np.maximum(fine_range_m[0] - s_m, s_m - fine_range_m[1]))
    size = config.surface_size_m + config.growth * (np.asarray(w_m) + outside)
    return np.minimum(size, max_size_m)


def _graded_positions(start: float, stop: float, size_at) -> np.ndarray:
    """Positions from ``start`` to ``stop`` (both included) spaced by ``size_at(position)``."""
    positions = [start]
    if stop <= start:
        return np.asarray(positions)
    while positions[-1] + size_at(positions[-1]) < stop - 0.5 * size_at(positions[-1]):
        positions.append(positions[-1] + size_at(positions[-1]))
    positions.append(stop)
    return np.asarray(positions)


def mesh_nodes(
    length_m: float, width_m: float, fine_range_m: tuple[float, float], config: MeshConfig
) -> np.ndarray:
    """Mesh nodes ``(s, w)`` covering ``[-L/2, L/2] x [0, W]``, graded by :func:`element_size_m`.

    Row 0 lies at the surface (``w = 0``) and the last at ``w = W``; each row contains both
    ends of the fault.
    """
    centre = float(np.clip(np.mean(fine_range_m), -length_m / 2, length_m / 2))
    max_size = max(config.surface_size_m, min(config.max_size_m, length_m / 8, width_m / 8))

    def size_at(s: float, w: float) -> float:
        return float(element_size_m(np.array(s), np.array(w), fine_range_m, config, max_size))

    rows = _graded_positions(0.0, width_m, lambda w: size_at(centre, w))
    nodes = []
    for index, w in enumerate(rows):
        # Stagger alternate rows by half a spacing so that triangles are close to equilateral.
        shift = 0.5 * size_at(centre, w) * (index % 2)
        start = min(centre + shift, length_m / 2)
        right = _graded_positions(start, length_m / 2, lambda s, w=w: size_at(s, w))
        left = -_graded_positions(-start, length_m / 2, lambda s, w=w: size_at(-s, w))[1:]
        s = np.concatenate([left[::-1], right])
        nodes.append(np.column_stack([s, np.full_like(s, w)]))
    return np.concatenate(nodes)


def triangulate(nodes_sw: np.ndarray) -> np.ndarray:
    """Delaunay triangles of ``(s, w)`` nodes, all wound counter-clockwise in ``(s, w)``.

    Returns
    -------
    numpy.ndarray
        ``int64 [T, 3]`` node indices; triangles of negligible area are left out.
    """
    triangles = Delaunay(nodes_sw).simplices.astype(np.int64)
    a, b, c = (nodes_sw[triangles[:, i]] for i in range(3))
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    scale = np.max(np.ptp(nodes_sw, axis=0)) ** 2
    triangles = triangles[np.abs(cross) > 1e-12 * scale]
    cross = cross[np.abs(cross) > 1e-12 * scale]
    flip = cross < 0
    triangles[flip] = triangles[flip][:, [0, 2, 1]]
    return triangles


def triangle_areas_m2(triangles_m: np.ndarray) -> np.ndarray:
    """Areas of ``[T, 3, 3]`` triangles in 3-D, square metres."""
    edges = np.cross(triangles_m[:, 1] - triangles_m[:, 0], triangles_m[:, 2] - triangles_m[:, 0])
    return 0.5 * np.linalg.norm(edges, axis=1)
