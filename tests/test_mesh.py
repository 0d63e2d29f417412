"""Fault mesh: coverage, consistent orientation, grading, surface trace, tangent slip."""

from __future__ import annotations

import numpy as np
import pytest

from baselines.generator.earthquake.mesh import (
    MeshConfig,
    mesh_nodes,
    triangle_areas_m2,
    triangulate,
)
from baselines.generator.earthquake.rupture import build_rupture
from baselines.generator.earthquake.scenario import sample_scenario
from baselines.generator.earthquake.tde import tde_frames

TILE_M = 15360.0


@pytest.fixture(scope="module", params=[0, 5, 9])
def rupture(request):
    return build_rupture(sample_scenario(request.param, TILE_M / 1e3), TILE_M)


def test_triangles_tile_the_fault_rectangle():
    length, width = 30e3, 12e3
    nodes = mesh_nodes(length, width, (-5e3, 5e3), MeshConfig())
    triangles = triangulate(nodes)
    flat = np.concatenate([nodes, np.zeros((len(nodes), 1))], axis=1)[triangles]
    assert triangle_areas_m2(flat).sum() == pytest.approx(length * width, rel=1e-9)
    assert nodes[:, 0].min() == -length / 2 and nodes[:, 0].max() == length / 2
    assert nodes[:, 1].min() == 0.0 and nodes[:, 1].max() == width


def test_mesh_is_graded():
    config = MeshConfig(surface_size_m=200.0, growth=0.3)
    nodes = mesh_nodes(60e3, 15e3, (-5e3, 5e3), config)
    surface = np.sort(nodes[nodes[:, 1] == 0.0, 0])
    spacing = np.diff(surface)
    centre = (surface[1:] > -5e3) & (surface[:-1] < 5e3)
    assert spacing[centre].max() <= 1.5 * config.surface_size_m
    assert spacing.max() > 5 * config.surface_size_m  # coarse far from the tile
    rows = np.unique(nodes[:, 1])
    assert np.all(np.diff(np.diff(rows))[:-2] >= -1e-6)  # rows spread out with depth


def test_orientation_is_consistent(rupture):
    _, _, normal = tde_frames(rupture.triangles_m)
    facing = normal @ rupture.frame.hanging_wall_normal
    assert np.all(facing < 0) or np.all(facing > 0)


def test_trace_is_at_the_surface_and_slip_is_tangent(rupture):
    top = rupture.nodes_sw_m[:, 1] == 0.0
    assert np.all(rupture.vertices_m[top, 2] == 0.0)
    assert np.all(rupture.vertices_m[:, 2] <= 0.0)
    tensile = rupture.slip_tde_m[:, 2]
    assert np.abs(tensile).max() <= 1e-9 * rupture.slip_m.max()
    trace = rupture.trace_m
    assert np.all(np.diff(rupture.frame.to_fault(trace[:, 0], trace[:, 1])[0]) > 0)
