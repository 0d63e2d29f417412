"""Metrics against hand-computed values on small arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quakebench.metrics import (
    BANDS_PX,
    PROFILE_EDGES_PX,
    ErrorStatistics,
    band_name,
    error_statistics,
    fault_offsets,
)
from quakebench.trace import signed_distance_to_polyline

FAR = np.array([[100.0, 100.0], [101.0, 100.0]])  # a trace far away: every pixel in d > 32


def test_headline_metrics_by_hand():
    truth = np.zeros((2, 2, 2))
    predicted = np.array([[[1.0, -1.0], [2.0, 9.0]], [[0.0, 3.0], [-4.0, 9.0]]])
    valid = np.array([[1, 1], [1, 0]])  # the 9s are not scored
    m = error_statistics(predicted, truth, valid, FAR).metrics()
    # east errors 1, -1, 2; north errors 0, 3, -4
    assert m["mae_east"] == pytest.approx(4 / 3)
    assert m["mae_north"] == pytest.approx(7 / 3)
    assert m["mae"] == pytest.approx(11 / 6)
    assert m["bias_east"] == pytest.approx(2 / 3)
    assert m["bias_north"] == pytest.approx(-1 / 3)
    assert m["epe"] == pytest.approx((1 + math.sqrt(10) + math.sqrt(20)) / 3)
    assert m["rmse"] == pytest.approx(math.sqrt((1 + 1 + 9 + 4 + 16) / 6))
    assert m["bands"]["d>32"]["count"] == 3 and m["bands"]["d<=2"]["count"] == 0
    assert math.isnan(m["bands"]["d<=2"]["mae"])


@pytest.fixture
def step():
    """Right-lateral 1 px step across the vertical trace x = 10.5 on a 21 x 21 tile."""
    truth = np.zeros((2, 21, 21))
    truth[1, :, :11] = 0.5  # west side moves north
    truth[1, :, 11:] = -0.5  # east side moves south
    trace = np.array([[10.5, -5.0], [10.5, 25.0]])
    return truth, np.ones((21, 21)), trace


def test_errors_by_distance_band(step):
    truth, valid, trace = step
    predicted = truth.copy()
    predicted[0, :, 9:13] += 0.1  # columns 9-12 are within 2 px of the trace
    bands = error_statistics(predicted, truth, valid, trace).metrics()["bands"]
    assert bands["d<=2"]["count"] == 4 * 21
    assert bands["d<=2"]["mae_east"] == pytest.approx(0.1)
    assert bands["d<=2"]["mae"] == pytest.approx(0.05)
    assert bands["d<=2"]["bias_east"] == pytest.approx(0.1)
    assert bands["2<d<=8"]["mae"] == 0.0 and bands["2<d<=8"]["count"] == 12 * 21
    assert bands["8<d<=32"]["count"] == 5 * 21


def test_fault_offset(step):
    truth, valid, trace = step
    offsets, keep = fault_offsets(truth, valid, trace, distance_px=8.0)
    # 21 rows of trace inside the tile, each 1 px of arc; tangent points south, so the
    # right-lateral offset (west north, east south) reads -1 along it.
    assert keep.sum() == 21
    assert offsets == pytest.approx(-np.ones(21))
    smeared = truth.copy()
    smeared[1, :, 8:14] = np.linspace(0.5, -0.5, 6)  # a correlator's ramp: no offset change
    metrics = error_statistics(smeared, truth, valid, trace).metrics()
    assert metrics["fault_offset_bias"] == pytest.approx(0.0, abs=1e-12)
    assert metrics["bands"]["d<=2"]["mae"] > 0
    weak = error_statistics(0.8 * truth, truth, valid, trace).metrics()
    assert weak["fault_offset_bias"] == pytest.approx(-0.2)
    assert weak["fault_offset_mae"] == pytest.approx(0.2)


def test_aggregate_is_the_mean_over_all_pixels(step):
    truth, valid, trace = step
    rng = np.random.default_rng(0)
    a = truth + rng.normal(0, 0.1, truth.shape)
    b_valid = valid.copy()
    b_valid[:, :15] = 0  # the second sample has fewer valid pixels
    b = truth + rng.normal(0, 0.3, truth.shape)
    total = error_statistics(a, truth, valid, trace) + error_statistics(b, truth, b_valid, trace)
    errors = np.concatenate(
        [
            np.abs(a - truth)[:, valid.astype(bool)].ravel(),
            np.abs(b - truth)[:, b_valid.astype(bool)].ravel(),
        ]
    )
    assert total.metrics()["mae"] == pytest.approx(errors.mean())
    assert math.isnan(ErrorStatistics().metrics()["mae"])  # no pixels, no score


@pytest.mark.parametrize(
    "trace",
    [
        np.array([[150.0, -5.0], [150.0, 70.0]]),  # through pixel centres: whole distances
        np.array([[-3.0, 2.0], [310.0, 61.5]]),  # oblique
        np.empty((0, 2)),  # no trace: every pixel in the last band, in no profile bin
    ],
    ids=["whole", "oblique", "none"],
)
def test_band_and_profile_counts_against_searchsorted(trace):
    """The table lookup puts each pixel where searching the edges does, at whole distances
    (``d = 2`` is in ``d<=2``, and in the profile bin ``[2, 3)``) as elsewhere."""
    shape = (64, 300)
    values = np.zeros((2, *shape))
    distance = np.abs(signed_distance_to_polyline(shape, trace, PROFILE_EDGES_PX[-2])).ravel()
    highs = [high for _, high in BANDS_PX]
    band = np.searchsorted(highs, distance, side="left")
    profile_bin = np.searchsorted(PROFILE_EDGES_PX, distance, side="right") - 1
    metrics = error_statistics(values, values, np.ones(shape), trace).metrics()
    counts = [metrics["bands"][band_name(*b)]["count"] for b in BANDS_PX]
    assert counts == np.bincount(band, minlength=len(BANDS_PX)).tolist()
    expected_profile = np.bincount(profile_bin, minlength=len(PROFILE_EDGES_PX))
    if len(trace):  # inf (beyond the last finite edge) counts in the last bin
        expected_profile[-2] += expected_profile[-1]
    assert metrics["profile"]["count"] == expected_profile[:-1].tolist()
    assert sum(counts) == values[0].size
