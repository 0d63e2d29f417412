"""The coarse lattice: node layout, stencil cells, and upsampling against SciPy's interpolation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import lagrange

from baselines.generator.earthquake import lattice
from baselines.generator.earthquake.grid import distance_to_vertices


@pytest.mark.parametrize(("size", "step"), [(64, 4), (30, 4), (24, 8)])
def test_upsampling_is_exact_for_cubic_polynomials(size, step):
    """Tensor-product cubic Lagrange reproduces any bicubic polynomial, tile edges included."""
    nodes = lattice.node_coordinates(size, step)
    assert nodes[0] == -step and nodes[-1] >= size - 1 + step

    def bicubic(row, col):
        return 1.0 + 0.3 * row - 0.02 * col**2 + 1e-3 * row**3 * col - 2e-4 * col**3

    node_row, node_col = np.meshgrid(nodes, nodes, indexing="ij")
    values = np.stack([bicubic(node_row, node_col), -bicubic(node_col, node_row)])
    row, col = np.mgrid[0:size, 0:size].astype(float)
    pixels = lattice.upsample(values, size, step)
    assert pixels.shape == (2, size, size)
    np.testing.assert_allclose(pixels[0], bicubic(row, col), rtol=0, atol=1e-9)
    np.testing.assert_allclose(pixels[1], -bicubic(col, row), rtol=0, atol=1e-9)


def test_upsampling_matches_scipy_lagrange_on_each_cell():
    """A random field, one pixel per cell phase: SciPy's Lagrange polynomial through the stencil."""
    size, step = 32, 4
    rng = np.random.default_rng(0)
    nodes = lattice.node_coordinates(size, step)
    values = rng.normal(size=(1, nodes.size, nodes.size))
    pixels = lattice.upsample(values, size, step)[0]
    for row, col in rng.integers(0, size, (25, 2)):
        i, j = row // step, col // step
        stencil = values[0, i : i + 4, j : j + 4]
        across = [lagrange(nodes[j : j + 4], stencil[k])(col) for k in range(4)]
        assert pixels[row, col] == pytest.approx(lagrange(nodes[i : i + 4], across)(row), abs=1e-9)


def test_full_stencil_cells_need_all_sixteen_nodes():
    usable = np.ones((9, 9), dtype=bool)
    usable[4, 4] = False
    cells = lattice.full_stencil_cells(usable)
    assert cells.shape == (6, 6)
    # Node (4, 4) is in the stencils of cells 1..4 on each axis.
    expected = np.ones((6, 6), dtype=bool)
    expected[1:5, 1:5] = False
    np.testing.assert_array_equal(cells, expected)


def test_distance_to_vertices_against_brute_force():
    rng = np.random.default_rng(2)
    vertex_s = np.cumsum(rng.uniform(5.0, 15.0, 40)) - 200.0
    vertex_n = rng.normal(0.0, 5.0, 40)
    s = rng.uniform(vertex_s[0], vertex_s[-1], 2000)
    n = rng.normal(0.0, 6.0, 2000)
    brute = np.hypot(s[:, None] - vertex_s, n[:, None] - vertex_n).min(axis=1)
    ours = distance_to_vertices(s, n, vertex_s, vertex_n)
    # Exact wherever a vertex is nearer than the vertices' spacing along the trace.
    close = brute < 5.0
    np.testing.assert_allclose(ours[close], brute[close])
    assert np.all(ours >= brute)
