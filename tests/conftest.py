"""Shared fixtures: one tiny build of each dataset for the whole session, and planar faults with
uniform slip (the setting Okada 1992 solves exactly)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Keep ``datasets``' cache out of the user's home and never reach for the network.
os.environ.setdefault("HF_HOME", tempfile.mkdtemp(prefix="quakebench-hf-"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import pytest

from baselines.generator.earthquake.fault import FaultFrame
from baselines.generator.earthquake.mesh import MeshConfig, mesh_nodes, triangulate
from baselines.generator.earthquake.rupture import Rupture
from baselines.generator.samples.source import GeneratorSource, generator_source
from quakebench.config import BuildConfig
from quakebench.contract import DATASETS
from quakebench.data.build import build

TINY_SIZE, TINY_COUNT, TINY_TEST, TINY_SEED = 64, 16, 4, 7
"""The session's tiny builds: 16 samples (13 train, 3 validation) and 4 test samples of 64 px,
seed 7."""


def tiny_config(dataset: str, folder: Path, **changes) -> BuildConfig:
    """The tiny build's configuration (4 samples a shard, 2 local Dask workers)."""
    options = dict(
        num_samples=TINY_COUNT,
        num_test_samples=TINY_TEST,
        size=TINY_SIZE,
        seed=TINY_SEED,
        samples_per_shard=4,
        workers=2,
    )
    return BuildConfig(dataset, output=folder, **{**options, **changes})


@pytest.fixture(scope="session")
def tiny_sources(tmp_path_factory) -> dict[str, GeneratorSource]:
    """The generator's sample source of each tiny build (the pairs' masks made once)."""
    unused = tmp_path_factory.mktemp("unused")
    return {name: generator_source(tiny_config(name, unused)) for name in DATASETS}


@pytest.fixture(scope="session")
def tiny_builds(tiny_sources, tmp_path_factory) -> dict[str, Path]:
    """Both datasets, built once; tests that only read them share them (never write there)."""
    folders = {}
    for name in DATASETS:
        folders[name] = tmp_path_factory.mktemp(name)
        build(tiny_config(name, folders[name]), tiny_sources[name], progress=False)
    return folders


@pytest.fixture(scope="session")
def prewarped_build(tiny_builds) -> Path:
    return tiny_builds["prewarped"]


@pytest.fixture(scope="session")
def postwarped_build(tiny_builds) -> Path:
    return tiny_builds["postwarped"]


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
