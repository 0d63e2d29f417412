"""One synthetic earthquake on the pixel grid: scenario, rupture mesh, displacement, trace.

:func:`simulate` is a pure function of its arguments (the same seed gives bit-identical
output); :func:`save_simulation` and :func:`load_simulation` are its file edges.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

import numpy as np

from baselines.generator.earthquake import scaling
from baselines.generator.earthquake.fault_zone import apply_fault_zone
from baselines.generator.earthquake.grid import GridConfig, displacement_field_m
from baselines.generator.earthquake.mesh import MeshConfig
from baselines.generator.earthquake.pixels import map_to_pixel
from baselines.generator.earthquake.rupture import Rupture, build_rupture
from baselines.generator.earthquake.scenario import ScenarioConfig, sample_scenario
from baselines.generator.earthquake.tde import POISSON_RATIO
from baselines.generator.earthquake.tile import TileConfig
from quakebench.atomic import atomic_path
from quakebench.errors import QuakebenchError

GENERATOR_VERSION = "quakebench-generator 0.7.0"
"""Goes into every sample: a change to what the generator renders must come with a new one
(0.3.0: powers and exponentials through the C library, the same bits on every processor;
0.4.0: the field's samples evaluated by a treecode, the deep elements with the rest;
0.5.0: the treecode's boxes thinner across the strike and its clusters down to one element,
the pixels' row levels read from one table of the row curves;
0.6.0: pixels far from the trace upsampled from a lattice of nodes every 4th pixel, rows
interpolated across in the log of the distance, pixels near a trace vertex evaluated directly,
the treecode's separation 0.575;
0.7.0: fault zones of finite width, part of the surface offset spread as distributed shear)."""


@dataclass(frozen=True)
class Simulation:
    """A synthetic earthquake on a square tile.

    Attributes
    ----------
    displacement_px : numpy.ndarray
        ``float32 [2, S, S]`` surface displacement in pixels, channels (east, north).
    rupture_px : numpy.ndarray
        ``float64 [K, 2]`` surface rupture trace, ``(x, y) = (col, row)`` of pixel centres,
        from just outside the tile on one side to just outside on the other.
    scenario : dict
        Every parameter of the earthquake and of the generator (JSON-ready).
    timings_s : dict
        Seconds spent meshing, in the TDE kernel, gridding and shaping the fault zone.
    evaluations : dict
        TDE kernel evaluations (points x triangles) by part of the field.
    """

    displacement_px: np.ndarray
    rupture_px: np.ndarray
    scenario: dict
    timings_s: dict
    evaluations: dict


def trace_in_tile(trace_px: np.ndarray, size: int) -> np.ndarray:
    """The part of a pixel-coordinate polyline crossing the tile, one vertex beyond each side."""
    segment = np.linalg.norm(np.diff(trace_px, axis=0), axis=1).max(initial=0.0)
    reach = segment + 1.0
    inside = np.flatnonzero(
        np.all((trace_px >= -0.5 - reach) & (trace_px <= size - 0.5 + reach), axis=1)
    )
    if inside.size == 0:
        return trace_px[:0]
    return trace_px[max(inside[0] - 1, 0) : inside[-1] + 2]


def describe(rupture: Rupture, scenario_params: dict, size: int, pixel_size_m: float) -> dict:
    """JSON-ready description of a simulated earthquake: its scenario and derived numbers."""
    surface = np.isclose(rupture.triangles_m[:, :, 2].max(axis=1), 0.0)
    moment = rupture.moment_nm(scaling.SHEAR_MODULUS_PA)
    return {
        **scenario_params,
        "size_px": int(size),
        "pixel_size_m": float(pixel_size_m),
        "mean_slip_m": float(np.average(rupture.slip_m, weights=rupture.areas_m2)),
        "max_slip_m": float(rupture.slip_m.max()),
        "mean_surface_slip_m": float(rupture.slip_m[surface].mean()),
        "realised_magnitude": float(scaling.moment_magnitude(moment)),
        "num_triangles": len(rupture.triangles),
        "shear_modulus_pa": scaling.SHEAR_MODULUS_PA,
        "poisson_ratio": POISSON_RATIO,
        "generator": GENERATOR_VERSION,
    }


def simulate(
    seed: int,
    size: int = TileConfig.size,
    pixel_size_m: float = TileConfig.pixel_size_m,
    scenario_config: ScenarioConfig | None = None,
    mesh_config: MeshConfig | None = None,
    grid_config: GridConfig | None = None,
) -> Simulation:
    """Simulate the surface displacement of one random strike-slip earthquake.

    Parameters
    ----------
    seed : int
        Non-negative; fixes the scenario, the roughness and the slip.
    size : int
        Tile side in pixels.
    pixel_size_m : float
        Ground size of a pixel (15 m for Landsat-8 band 8).
    scenario_config, mesh_config, grid_config : optional
        Parameter ranges, fault mesh element sizes, field sampling density.

    Returns
    -------
    Simulation
    """
    TileConfig(seed, size, pixel_size_m)  # raises on a bad value, naming it
    tile_size_m = size * pixel_size_m

    start = time.perf_counter()
    scenario = sample_scenario(seed, tile_size_m / 1e3, scenario_config)
    rupture = build_rupture(scenario, tile_size_m, mesh_config)
    meshed = time.perf_counter()
    field_m, stats = displacement_field_m(rupture, size, pixel_size_m, grid_config)
    gridded = time.perf_counter()
    trace = rupture.trace_m
    rupture_px = trace_in_tile(map_to_pixel(trace[:, 0], trace[:, 1], size, pixel_size_m), size)
    apply_fault_zone(
        field_m,
        rupture,
        rupture_px,
        scenario.main_strand_fraction,
        scenario.fault_zone_width_m,
        pixel_size_m,
    )
    zoned = time.perf_counter()

    return Simulation(
        displacement_px=(field_m[:2] / pixel_size_m).astype(np.float32),
        rupture_px=rupture_px,
        scenario=describe(rupture, scenario.to_dict(), size, pixel_size_m),
        timings_s={
            "mesh": meshed - start,
            "tde": stats.kernel_seconds,
            "gridding": gridded - meshed - stats.kernel_seconds,
            "fault_zone": zoned - gridded,
        },
        evaluations=dict(stats.evaluations),
    )


def save_simulation(simulation: Simulation, path: str | os.PathLike) -> None:
    """Write ``displacement``, ``rupture`` and ``scenario`` (JSON) to an ``.npz``, atomically."""
    with atomic_path(path) as temporary:
        np.savez_compressed(
            temporary,
            displacement=simulation.displacement_px,
            rupture=simulation.rupture_px,
            scenario=np.array(json.dumps(simulation.scenario, sort_keys=True)),
        )


def load_simulation(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, dict]:
    """Read ``(displacement_px, rupture_px, scenario)`` back from :func:`save_simulation`'s file."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return (
                archive["displacement"],
                archive["rupture"],
                json.loads(str(archive["scenario"])),
            )
    except (OSError, KeyError, ValueError) as error:
        raise QuakebenchError(f"{path}: not a quakebench simulation file ({error})") from None
