"""The rupture trace's geometry: signed distances against brute force, resampling, direction."""

from __future__ import annotations

import itertools

import numpy as np

from quakebench.trace import (
    pixels_near_polyline,
    segment_distance,
    signed_distance_to_polyline,
    trace_direction_en,
)


def unsigned(*args, **kwargs) -> np.ndarray:
    return np.abs(signed_distance_to_polyline(*args, **kwargs))


def test_distance_to_polyline_against_brute_force():
    """Every pixel of a tile against the nearest of 20,000 points sampled along the trace."""
    rng = np.random.default_rng(3)
    polyline = np.column_stack([np.linspace(-5, 45, 6), rng.uniform(-5, 35, 6)])
    distance = unsigned((30, 40), polyline)
    t = np.linspace(0, 1, 4000)[:, None]
    points = np.concatenate([a + t * (b - a) for a, b in itertools.pairwise(polyline)])
    rows, cols = np.mgrid[0:30, 0:40]
    pixels = np.column_stack([cols.ravel(), rows.ravel()]).astype(float)
    brute = np.min(np.linalg.norm(pixels[:, None] - points[None], axis=2), axis=1)
    spacing = max(np.linalg.norm(b - a) for a, b in itertools.pairwise(polyline)) / 3999
    assert np.all(brute.reshape(30, 40) >= distance - 1e-9)
    assert np.all(brute.reshape(30, 40) - distance <= spacing / 2 + 1e-9)


def test_pruned_distance_equals_every_segment_evaluated():
    """A long wiggly trace of 120 segments on a tile of several blocks: the block pruning gives
    the bits of the minimum over every segment (scipy's point-to-segment is not needed: the
    reference is the same formula without pruning)."""
    rng = np.random.default_rng(4)
    x = np.linspace(-10, 170, 121)
    polyline = np.column_stack([x, 60 + np.cumsum(rng.normal(0, 2, x.size))])
    shape = (130, 150)  # not a multiple of the block
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)
    every = np.full(shape, np.inf)
    for a, b in itertools.pairwise(polyline):
        every = np.minimum(every, segment_distance(cols, rows, a, b))
    np.testing.assert_array_equal(unsigned(shape, polyline), every)


def test_distance_limit_gives_inf_beyond_and_exact_within():
    polyline = np.array([[-1.0, 10.0], [60.0, 25.0], [130.0, 12.0]])
    full = unsigned((120, 130), polyline)
    limited = unsigned((120, 130), polyline, limit_px=40.0)
    within = full <= 40.0
    np.testing.assert_array_equal(limited[within], full[within])
    assert np.all(np.isinf(limited[~within])) and (~within).any()


def test_the_sign_is_the_side_of_the_trace_on_a_north_up_map():
    """Walking south along x = 10.5 (y, the row, grows southward), east is on the left: the
    columns east of the trace are negative, those west of it positive."""
    trace = np.array([[10.5, -5.0], [10.5, 25.0]])
    signed = signed_distance_to_polyline((20, 21), trace)
    assert np.all(signed[:, :11] > 0) and np.all(signed[:, 11:] < 0)
    np.testing.assert_allclose(signed[3, [10, 11, 0]], [0.5, -0.5, 10.5])
    np.testing.assert_array_equal(signed_distance_to_polyline((20, 21), trace[::-1]), -signed)


def test_the_sign_against_the_side_of_the_nearest_segment_by_brute_force():
    """A bent trace: each pixel's sign is the cross product with the segment found nearest
    by evaluating every segment (ties at a shared vertex agree for gentle bends)."""
    rng = np.random.default_rng(5)
    x = np.linspace(-10, 90, 21)
    polyline = np.column_stack([x, 40 + np.cumsum(rng.normal(0, 1.5, x.size))])
    shape = (80, 80)
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)
    distances = np.stack(
        [segment_distance(cols, rows, a, b) for a, b in itertools.pairwise(polyline)]
    )
    nearest = np.argmin(distances, axis=0)
    a, b = polyline[nearest], polyline[nearest + 1]
    cross = (b[..., 0] - a[..., 0]) * (rows - a[..., 1]) - (b[..., 1] - a[..., 1]) * (
        cols - a[..., 0]
    )
    expected = np.where(cross < 0, -1.0, 1.0) * distances.min(axis=0)
    np.testing.assert_array_equal(signed_distance_to_polyline(shape, polyline), expected)


def test_trace_direction_is_east_and_north():
    assert np.allclose(trace_direction_en(np.array([[0.0, 5.0], [10.0, 5.0]])), [1.0, 0.0])
    assert np.allclose(trace_direction_en(np.array([[3.0, 9.0], [3.0, 1.0]])), [0.0, 1.0])
    assert trace_direction_en(np.array([[3.0, 9.0]])) is None


def test_pixels_near_a_polyline_are_those_of_the_full_image():
    polyline = np.array([[-3.0, 20.0], [40.0, 31.5], [75.0, 18.0], [110.0, 40.0]])
    shape = (70, 101)  # not a multiple of the block
    full = signed_distance_to_polyline(shape, polyline)
    rows, cols, signed = pixels_near_polyline(shape, polyline, 6.5)
    expected = np.abs(full) < 6.5
    chosen = np.zeros(shape, bool)
    chosen[rows, cols] = True
    assert np.array_equal(chosen, expected) and len(rows) == expected.sum()
    np.testing.assert_array_equal(signed, full[rows, cols])
