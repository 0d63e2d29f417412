"""Shared fixtures: planar faults with uniform slip (the setting Okada 1992 solves exactly)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

# Keep ``datasets``' cache out of the user's home and never reach for the network.
os.environ.setdefault("HF_HOME", tempfile.mkdtemp(prefix="quakebench-hf-"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import pytest

from baselines.generator.fault import FaultFrame
from baselines.generator.mesh import MeshConfig, mesh_nodes, triangulate
from baselines.generator.rupture import Rupture


@dataclass(frozen=True)
class PlanarFault:
    """A rectangular fault from the surface down, with uniform slip."""

    frame: FaultFrame
    length_m: float
    width_m: float
    rake_deg: float
    slip_m: float

    def rupture(self, element_size_m: float = 1500.0) -> Rupture:
        config = MeshConfig(surface_size_m=element_size_m, growth=0.2, max_size_m=4000.0)
        nodes = mesh_nodes(self.length_m, self.width_m, (-2000.0, 2000.0), config)
        triangles = triangulate(nodes)
        vertices = self.frame.to_map(nodes[:, 0], nodes[:, 1], np.zeros(len(nodes)))
        slip = np.full(len(triangles), self.slip_m)
        return Rupture(
            frame=self.frame,
            nodes_sw_m=nodes,
            triangles=triangles,
            vertices_m=vertices,
            slip_m=slip,
            slip_vector_m=slip[:, None] * self.frame.slip_vector(self.rake_deg),
        )


@pytest.fixture
def vertical_right_lateral() -> PlanarFault:
    """North-striking vertical right-lateral fault through the origin, 1 m of slip."""
    return PlanarFault(FaultFrame(np.zeros(2), 0.0, 90.0), 20e3, 10e3, 180.0, 1.0)


@pytest.fixture
def dipping_oblique() -> PlanarFault:
    """North-striking fault dipping 70 degrees east, oblique reverse right-lateral slip."""
    return PlanarFault(FaultFrame(np.array([300.0, 0.0]), 0.0, 70.0), 16e3, 12e3, 150.0, 2.0)
