"""The TDE half-space kernel and our slip conventions against Okada's (1992) solution."""

from __future__ import annotations

import numpy as np
import pytest

from baselines.generator.earthquake.tde import POISSON_RATIO, surface_displacement_m

okada_wrapper = pytest.importorskip("okada_wrapper")


def okada_surface_displacement(fault, east_m, north_m) -> np.ndarray:
    """Okada DC3D for a north-striking rectangular fault reaching the surface, ``[N, 3]``.

    DC3D's frame has x along strike (north here), y to the left of strike (west) and z up;
    its fault dips towards -y and positive strike- and dip-slip are left-lateral and reverse.
    """
    assert fault.frame.strike_deg == 0.0
    alpha = 1.0 / (2.0 * (1.0 - POISSON_RATIO))
    rake = np.radians(fault.rake_deg)
    dislocation = [fault.slip_m * np.cos(rake), fault.slip_m * np.sin(rake), 0.0]
    out = []
    for e, n in zip(east_m, north_m, strict=True):
        x, y = n - fault.frame.origin_m[1], -(e - fault.frame.origin_m[0])
        success, u, _ = okada_wrapper.dc3dwrapper(
            alpha,
            [x, y, 0.0],
            0.0,
            fault.frame.dip_deg,
            [-fault.length_m / 2, fault.length_m / 2],
            [-fault.width_m, 0.0],
            dislocation,
        )
        assert success == 0
        out.append([-u[1], u[0], u[2]])
    return np.asarray(out)


def points_around_trace(origin_east_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Surface points from metres to kilometres on both sides of a north-striking trace."""
    offsets = np.array([1.0, 3.0, 10.0, 50.0, 300.0, 2000.0, 8000.0])
    east = origin_east_m + np.concatenate([offsets, -offsets])
    east, north = np.meshgrid(east, [-11e3, -6e3, -130.0, 0.0, 2500.0, 9e3])
    return east.ravel(), north.ravel()


@pytest.mark.parametrize("name", ["vertical_right_lateral", "dipping_oblique"])
def test_meshed_planar_fault_matches_okada(name, request):
    fault = request.getfixturevalue(name)
    rupture = fault.rupture()
    east, north = points_around_trace(fault.frame.origin_m[0])
    ours = surface_displacement_m(east, north, rupture.triangles_m, rupture.slip_tde_m)
    okada = okada_surface_displacement(fault, east, north)
    scale = np.linalg.norm(okada, axis=1)
    assert np.all(np.linalg.norm(ours - okada, axis=1) <= 1e-4 * scale + 1e-9)


def test_right_lateral_sign_convention(vertical_right_lateral):
    rupture = vertical_right_lateral.rupture()
    east = np.array([5.0, -5.0])
    u = surface_displacement_m(east, np.zeros(2), rupture.triangles_m, rupture.slip_tde_m)
    east_side, west_side = u
    assert east_side[1] < -0.45 and west_side[1] > 0.45  # east side moves south, west north
    assert east_side[1] - west_side[1] == pytest.approx(-1.0, abs=0.01)  # the full slip
    assert abs(east_side[0] - west_side[0]) < 1e-3  # fault-normal component is continuous


def test_points_on_the_trace_are_finite(vertical_right_lateral):
    rupture = vertical_right_lateral.rupture()
    trace = rupture.trace_m
    u = surface_displacement_m(trace[:, 0], trace[:, 1], rupture.triangles_m, rupture.slip_tde_m)
    assert np.all(np.isfinite(u))
