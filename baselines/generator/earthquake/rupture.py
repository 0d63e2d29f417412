"""A meshed rupture: rough fault surface, triangles, and slip on each triangle.

:func:`build_rupture` turns a :class:`~baselines.generator.earthquake.scenario.Scenario` into a
:class:`Rupture` ready for the TDE kernel: it places the fault relative to the tile, meshes
its rough surface and puts moment-scaled fractal slip on every element.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baselines.generator.earthquake.fault import FaultFrame, rough_surface
from baselines.generator.earthquake.mesh import (
    MeshConfig,
    mesh_nodes,
    triangle_areas_m2,
    triangulate,
)
from baselines.generator.earthquake.scenario import Scenario
from baselines.generator.earthquake.slip import scale_to_moment, slip_pattern
from baselines.generator.earthquake.tde import tde_frames, tde_slip

MAX_SYNTHESIS_NODES = 4096
"""Along-strike nodes of the roughness and slip grids at most (coarser for long faults)."""


@dataclass(frozen=True)
class Rupture:
    """A fault meshed into triangular dislocations, with slip.

    Attributes
    ----------
    frame : FaultFrame
        The fault's mean plane.
    nodes_sw_m : numpy.ndarray
        ``[N, 2]`` mesh nodes in fault coordinates (along strike, down dip), metres.
    triangles : numpy.ndarray
        ``[T, 3]`` node indices, wound consistently.
    vertices_m : numpy.ndarray
        ``[N, 3]`` node positions (east, north, up), metres.
    slip_m : numpy.ndarray
        ``[T]`` slip magnitude, metres.
    slip_vector_m : numpy.ndarray
        ``[T, 3]`` slip of the hanging wall relative to the footwall (east, north, up), metres.
    """

    frame: FaultFrame
    nodes_sw_m: np.ndarray
    triangles: np.ndarray
    vertices_m: np.ndarray
    slip_m: np.ndarray
    slip_vector_m: np.ndarray

    @property
    def triangles_m(self) -> np.ndarray:
        """``[T, 3, 3]`` triangle vertices (east, north, up), metres."""
        return self.vertices_m[self.triangles]

    @property
    def areas_m2(self) -> np.ndarray:
        """``[T]`` triangle areas, square metres."""
        return triangle_areas_m2(self.triangles_m)

    @property
    def slip_tde_m(self) -> np.ndarray:
        """``[T, 3]`` slip in cutde's (strike-slip, dip-slip, tensile) components."""
        return tde_slip(self.triangles_m, self.slip_vector_m, self.frame.hanging_wall_normal)

    @property
    def surface_nodes(self) -> np.ndarray:
        """``[K]`` indices of the nodes at the surface (the trace's vertices), along strike."""
        surface = np.flatnonzero(self.nodes_sw_m[:, 1] == 0.0)
        return surface[np.argsort(self.nodes_sw_m[surface, 0])]

    @property
    def trace_m(self) -> np.ndarray:
        """``[K, 2]`` surface rupture trace (east, north), metres, ordered along strike."""
        return self.vertices_m[self.surface_nodes, :2]

    def moment_nm(self, shear_modulus_pa: float) -> float:
        """Seismic moment released, N m."""
        return float(shear_modulus_pa * np.sum(self.areas_m2 * self.slip_m))


def tile_strike_range_m(frame: FaultFrame, tile_size_m: float) -> tuple[float, float]:
    """Along-strike extent of the square tile (centred on the origin) in fault coordinates."""
    half = tile_size_m / 2
    corners = np.array([[-half, -half], [-half, half], [half, -half], [half, half]])
    s, _ = frame.to_fault(corners[:, 0], corners[:, 1])
    return float(s.min()), float(s.max())


def build_rupture(
    scenario: Scenario, tile_size_m: float, mesh_config: MeshConfig | None = None
) -> Rupture:
    """Mesh a scenario's rough fault and put its fractal slip on the triangles.

    Parameters
    ----------
    scenario : Scenario
        The earthquake; its seed also fixes the roughness and slip realisations.
    tile_size_m : float
        Side of the tile, which the mesh resolves finely.
    mesh_config : MeshConfig, optional
        Element sizes.

    Returns
    -------
    Rupture
        Slip scaled so that ``30 GPa * sum(area * slip)`` equals the scenario's moment.
    """
    mesh_config = mesh_config or MeshConfig()
    roughness_rng, slip_rng = (
        np.random.default_rng(np.random.SeedSequence([scenario.seed, stream])) for stream in (1, 2)
    )
    frame = FaultFrame.from_scenario(scenario)
    length_m, width_m = 1e3 * scenario.length_km, 1e3 * scenario.width_km
    spacing_m = max(mesh_config.surface_size_m / 2, 1.5 * length_m / MAX_SYNTHESIS_NODES)

    surface = rough_surface(
        length_m, width_m, scenario.trace_hurst, scenario.roughness_ratio, spacing_m, roughness_rng
    )
    s_lo, s_hi = tile_strike_range_m(frame, tile_size_m)
    margin = mesh_config.surface_size_m
    nodes = mesh_nodes(length_m, width_m, (s_lo - margin, s_hi + margin), mesh_config)
    triangles = triangulate(nodes)
    vertices = frame.to_map(nodes[:, 0], nodes[:, 1], surface(nodes))

    centroids = nodes[triangles].mean(axis=1)
    relative = slip_pattern(scenario, spacing_m, slip_rng)(centroids)
    slip = scale_to_moment(relative, triangle_areas_m2(vertices[triangles]), scenario.moment_nm)
    return Rupture(
        frame=frame,
        nodes_sw_m=nodes,
        triangles=triangles,
        vertices_m=vertices,
        slip_m=slip,
        slip_vector_m=slip[:, None]
        * tangent_slip_directions(vertices[triangles], frame.slip_vector(scenario.rake_deg)),
    )


def tangent_slip_directions(triangles_m: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Unit vectors in each triangle's plane nearest ``direction`` (no opening on rough faults)."""
    _, _, normal = tde_frames(triangles_m)
    tangent = direction - (normal @ direction)[:, None] * normal
    return tangent / np.linalg.norm(tangent, axis=1, keepdims=True)
