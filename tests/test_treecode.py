"""The treecode against a direct evaluation of every triangle, and its interpolation pieces."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.polynomial import chebyshev

from baselines.generator.earthquake.rupture import build_rupture
from baselines.generator.earthquake.scenario import sample_scenario
from baselines.generator.earthquake.tde import KernelStats, surface_displacement_m
from baselines.generator.earthquake.treecode import (
    TreecodeConfig,
    barycentric_matrix,
    bernstein_rho,
    treecode_displacement_m,
)

PIXEL_M = 15.0


def test_barycentric_matches_numpy_chebyshev_interpolation():
    degree = 7
    nodes = chebyshev.chebpts1(degree)  # first-kind points, as the treecode's boxes use

    def function(x):
        return np.exp(x) / (2.5 - x)

    x = np.concatenate([np.linspace(-1, 1, 101), nodes[:2]])
    ours = barycentric_matrix(x, nodes) @ function(nodes)
    numpy_fit = chebyshev.Chebyshev(chebyshev.chebinterpolate(function, degree - 1))
    np.testing.assert_allclose(ours, numpy_fit(x), atol=1e-12)
    np.testing.assert_array_equal(barycentric_matrix(nodes[:2], nodes) @ function(nodes),
                                  function(nodes[:2]))  # fmt: skip


def test_bernstein_rho_of_known_ellipses():
    # On the real axis at x > 1: rho = x + sqrt(x^2 - 1); on the imaginary axis at y:
    # rho = y + sqrt(y^2 + 1).
    assert bernstein_rho(np.array(2.0), np.array(0.0)) == pytest.approx(2 + np.sqrt(3))
    assert bernstein_rho(np.array(0.0), np.array(0.75)) == pytest.approx(2.0)
    assert bernstein_rho(np.array(0.5), np.array(0.0)) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", [0, 8])
def test_treecode_matches_direct_evaluation(seed):
    size = 512
    rupture = build_rupture(sample_scenario(seed, size * PIXEL_M / 1e3), size * PIXEL_M)
    frame = rupture.frame
    # Points within 20 px of the mean trace and across the tile, in fault coordinates.
    rng = np.random.default_rng(seed)
    s = rng.uniform(-size / 2, size / 2, 6000)
    n = np.concatenate([rng.uniform(-20, 20, 3000), rng.uniform(-size / 2, size / 2, 3000)])
    points = frame.to_map(s * PIXEL_M, np.zeros_like(s), n * PIXEL_M)
    stats = KernelStats()
    ours = treecode_displacement_m(
        points[:, 0], points[:, 1], rupture.triangles_m, rupture.slip_tde_m, stats, "test",
        along=(frame.strike_vector[0], frame.strike_vector[1]),
    )  # fmt: skip
    direct = surface_displacement_m(
        points[:, 0], points[:, 1], rupture.triangles_m, rupture.slip_tde_m
    )
    assert stats.evaluations["test_nodes"] > 0
    assert stats.total_evaluations < 0.5 * s.size * len(rupture.triangles)
    assert np.abs(ours - direct)[:, :2].max() <= 1e-3 * np.abs(direct[:, :2]).max()


def test_exact_when_nothing_is_separated():
    # With theta -> 0 no pair is well separated: every evaluation is direct, bit for bit.
    rupture = build_rupture(sample_scenario(3, 64 * PIXEL_M / 1e3), 64 * PIXEL_M)
    east, north = np.meshgrid(np.linspace(-400, 400, 9), np.linspace(-400, 400, 9))
    stats = KernelStats()
    ours = treecode_displacement_m(
        east.ravel(), north.ravel(), rupture.triangles_m, rupture.slip_tde_m, stats, "x",
        TreecodeConfig(theta=1e-6),
    )  # fmt: skip
    direct = surface_displacement_m(
        east.ravel(), north.ravel(), rupture.triangles_m, rupture.slip_tde_m
    )
    assert "x_nodes" not in stats.evaluations
    np.testing.assert_allclose(ours, direct, rtol=1e-12, atol=1e-15)
