"""Sample rows along a trace: the curve table, a pixel's level and the Lagrange weights."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import lagrange

from baselines.generator.earthquake.trace_rows import (
    build_side_rows,
    lagrange_weights,
    row_levels,
    trace_curve,
)

S_RANGE = (-300.0, 300.0)


@pytest.fixture(scope="module", params=[1.0, -1.0], ids=["right", "left"])
def rows(request):
    """Rows on one side of a rough trace (bends of 5-100 px), over 600 px along strike."""
    vertices_s = np.linspace(-400.0, 400.0, 81)
    vertices_n = 6.0 * np.sin(vertices_s / 37.0) + 2.0 * np.sin(vertices_s / 4.1)
    levels = row_levels(2.0, 1.0, 0.3, 250.0)
    return build_side_rows(
        request.param,
        trace_curve(vertices_s, vertices_n),
        S_RANGE,
        levels,
        1.0,
        0.3,
        lambda s, n, margin: np.abs(s) <= S_RANGE[1] + margin,
    )


def test_curve_table_is_the_curves(rows):
    """Every curve's nodes lie on the table's grid, so the table interpolates to the curve."""
    s = np.random.default_rng(0).uniform(*S_RANGE, 5000)
    index, fraction = rows.table.locate(s)
    for j, curve in enumerate(rows.curves):
        from_table = rows.table.at(np.full(s.size, j), index, fraction)
        np.testing.assert_allclose(from_table, np.interp(s, *curve), rtol=0, atol=1e-9)


def test_level_of_recovers_the_rows_own_samples(rows):
    """To a thousandth of the rows' spacing there, after the fixed-point iterations."""
    s, n = rows.points()
    inside = (s >= S_RANGE[0]) & (s <= S_RANGE[1])
    error = np.abs(rows.level_of(s[inside], n[inside]) - rows.sample_levels()[inside])
    spacing = np.repeat(rows.steps, rows.counts)[inside]
    assert np.max(error / spacing) <= 1e-3


def test_lagrange_weights_match_scipy():
    rng = np.random.default_rng(1)
    stencils = np.sort(rng.uniform(0.0, 50.0, (6, 4)), axis=1)
    which = rng.integers(0, len(stencils), 200)
    x = rng.uniform(stencils[which, 0], stencils[which, 3])
    values = rng.normal(size=(len(stencils), 4))
    ours = np.sum(lagrange_weights(x, stencils[which]) * values[which], axis=1)
    theirs = [lagrange(stencils[k], values[k])(xk) for k, xk in zip(which, x, strict=True)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)
