"""Gridding: the pixel field against Okada and against a direct TDE evaluation at every pixel."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from baselines.generator.earthquake.fault import FaultFrame
from baselines.generator.earthquake.grid import GridConfig, displacement_field_m
from baselines.generator.earthquake.pixels import pixel_centres_m
from baselines.generator.earthquake.rupture import build_rupture
from baselines.generator.earthquake.scenario import sample_scenario
from baselines.generator.earthquake.tde import surface_displacement_m
from tests.test_tde import okada_surface_displacement

PIXEL_M = 15.0


def dense_field_m(rupture, size: int) -> np.ndarray:
    """Every pixel evaluated directly with every triangle: the reference, ``[3, S, S]``."""
    east, north = pixel_centres_m(size, PIXEL_M)
    values = surface_displacement_m(
        east.ravel(), north.ravel(), rupture.triangles_m, rupture.slip_tde_m
    )
    return values.T.reshape(3, size, size)


def relative_max_error(field: np.ndarray, reference: np.ndarray) -> float:
    """Largest horizontal error over the peak horizontal displacement."""
    return float(np.abs(field[:2] - reference[:2]).max() / np.abs(reference[:2]).max())


def test_planar_fault_grid_matches_okada(vertical_right_lateral):
    # Trace through a column of pixel centres: those pixels are singular for both kernels.
    size = 64
    fault = dataclasses.replace(
        vertical_right_lateral, frame=FaultFrame(np.array([7.5, 0.0]), 0.0, 90.0)
    )
    field, _ = displacement_field_m(fault.rupture(), size, PIXEL_M)
    assert np.all(np.isfinite(field))
    east, north = pixel_centres_m(size, PIXEL_M)
    off_trace = east.ravel() != 7.5
    okada = okada_surface_displacement(fault, east.ravel()[off_trace], north.ravel()[off_trace])
    ours = field.reshape(3, -1)[:, off_trace].T
    assert np.abs(ours - okada)[:, :2].max() <= 1e-3 * np.abs(okada[:, :2]).max()
    # The jump across the trace is the full slip (1 m, right-lateral: east side south).
    row = field[1, size // 2]
    assert row[size // 2 + 1] - row[size // 2 - 1] == pytest.approx(-1.0, abs=0.02)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 11])
def test_grid_matches_dense_evaluation(seed):
    size = 96
    rupture = build_rupture(sample_scenario(seed, size * PIXEL_M / 1e3), size * PIXEL_M)
    field, stats = displacement_field_m(rupture, size, PIXEL_M)
    reference = dense_field_m(rupture, size)
    assert np.all(np.isfinite(field))
    assert relative_max_error(field, reference) <= 1e-3
    assert stats.total_evaluations < size * size * len(rupture.triangles)


@pytest.mark.slow
def test_rupture_tip_inside_tile():
    size = 96
    scenario = sample_scenario(4, size * PIXEL_M / 1e3)
    scenario = dataclasses.replace(scenario, along_strike_offset_km=scenario.length_km / 2)
    rupture = build_rupture(scenario, size * PIXEL_M)
    field, _ = displacement_field_m(rupture, size, PIXEL_M)
    assert relative_max_error(field, dense_field_m(rupture, size)) <= 1e-3


def test_jump_across_trace_is_preserved():
    size = 96
    rupture = build_rupture(sample_scenario(2, size * PIXEL_M / 1e3), size * PIXEL_M)
    field, _ = displacement_field_m(rupture, size, PIXEL_M)
    # At each trace vertex inside the tile: the fault-parallel offset between pixels 3 px
    # either side, against the strike-slip of the surface elements meeting at the vertex.
    frame = rupture.frame
    strike = frame.strike_vector
    surface_nodes = np.flatnonzero(rupture.nodes_sw_m[:, 1] == 0.0)
    inside = surface_nodes[np.all(np.abs(rupture.vertices_m[surface_nodes, :2]) < 600.0, axis=1)]
    assert inside.size >= 3

    def along_strike(points):
        col = np.round(points[:, 0] / PIXEL_M + size / 2 - 0.5).astype(int)
        row = np.round(size / 2 - 0.5 - points[:, 1] / PIXEL_M).astype(int)
        return field[0, row, col] * strike[0] + field[1, row, col] * strike[1]

    vertices = rupture.vertices_m[inside, :2]
    across = 3 * PIXEL_M * frame.right_vector[:2]
    # Right of strike is the hanging wall, whose motion the slip vector gives.
    offset = along_strike(vertices + across) - along_strike(vertices - across)
    expected = np.array(
        [
            np.mean(rupture.slip_vector_m[np.any(rupture.triangles == node, axis=1)] @ strike)
            for node in inside
        ]
    )
    assert np.all(np.sign(offset) == np.sign(expected))
    assert np.median(offset / expected) == pytest.approx(1.0, abs=0.2)


def test_finer_sampling_agrees():
    size = 64
    rupture = build_rupture(sample_scenario(21, size * PIXEL_M / 1e3), size * PIXEL_M)
    coarse, coarse_stats = displacement_field_m(rupture, size, PIXEL_M)
    fine, fine_stats = displacement_field_m(
        rupture, size, PIXEL_M, GridConfig(band_px=3.0, near_spacing_px=0.5, spacing_ratio=0.2)
    )
    assert fine_stats.total_evaluations > coarse_stats.total_evaluations
    assert relative_max_error(coarse, fine) <= 1e-3
