"""Slip localization: the apparent zone width of known profiles, and the stacked profiles the
metrics keep."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import erf

from quakebench.localization import (
    ZONE_CENTRES_PX,
    ZoneProfile,
    apparent_zone_width_px,
    zone_bin,
)
from quakebench.metrics import error_statistics, offset_distance_px

C = ZONE_CENTRES_PX


def test_a_sharp_step_reads_the_bin_floor():
    assert apparent_zone_width_px(np.where(C > 0, 0.5, -0.5)) == pytest.approx(0.8)


@pytest.mark.parametrize("width", [6.0, 10.0, 14.0])
def test_a_linear_ramp_reads_four_fifths_of_its_width(width):
    """The central 80 % of a linear ramp's rise spans 0.8 of it."""
    ramp = np.clip(C / width, -0.5, 0.5)
    assert apparent_zone_width_px(ramp) == pytest.approx(0.8 * width, abs=1e-12)


@pytest.mark.parametrize("sigma", [2.0, 3.5, 5.0])
def test_a_correlator_style_ramp_reads_its_10_to_90_width(sigma):
    """A smooth rise (an error function, as a window's weights smear a step): 10 % to 90 % of
    it spans ``2 * 1.2816 sigma``; linear interpolation between bin centres costs little.
    Where the rise's tails still climb beyond 8 px, the fitted levels take part of them in and
    the width reads narrower (by 5 % at sigma = 5 px)."""
    profile = 0.5 * erf(C / (sigma * math.sqrt(2)))
    known = 2 * 1.2815516 * sigma
    if sigma <= 3.5:
        assert apparent_zone_width_px(profile) == pytest.approx(known, abs=0.1)
    else:
        assert 0.9 * known < apparent_zone_width_px(profile) < 0.97 * known


@pytest.mark.parametrize("at", [-3.0, 2.0, 5.0])
def test_a_step_read_off_the_trace_is_as_narrow(at):
    """The width is where the offset accrues, not its distance from the trace."""
    assert apparent_zone_width_px(np.where(C > at, 0.5, -0.5)) == pytest.approx(0.8)


def test_bins_beyond_the_fitted_range_are_not_searched():
    """A long profile (the step response's 512 columns) whose far bins stray from the lines."""
    centres = np.arange(-256, 256) + 0.5
    profile = np.where(centres > 0, 0.5, -0.5) + np.where(np.abs(centres) > 40, 3.0, 0.0)
    assert apparent_zone_width_px(profile, centres) == pytest.approx(0.8)


def test_an_empty_bin_is_bridged():
    ramp = np.clip(C / 10, -0.5, 0.5)
    ramp[[28, 35]] = np.nan  # beside the 10 % and 90 % points (-4 and +4 px)
    assert apparent_zone_width_px(ramp) == pytest.approx(8.0)


def test_the_elastic_gradient_is_taken_out_and_the_amplitude_does_not_matter():
    ramp = np.clip(C / 10, -0.5, 0.5)
    tilted = 3.0 * ramp - 0.004 * C + 0.2
    assert apparent_zone_width_px(tilted) == pytest.approx(8.0)


def test_no_offset_has_no_width_and_rows_are_independent():
    batch = np.stack([np.zeros_like(C), np.where(C > 0, 0.5, -0.5), -np.where(C > 0, 0.5, -0.5)])
    widths = apparent_zone_width_px(batch)
    assert math.isnan(widths[0]) and widths[1] == pytest.approx(0.8) and math.isnan(widths[2])
    gappy = np.clip(C / 10, -0.5, 0.5)
    gappy[[3, 50]] = np.nan  # empty bins
    assert apparent_zone_width_px(gappy) == pytest.approx(8.0)


def test_zone_bins_are_one_pixel_wide_and_stop_at_32():
    d = np.array([-32.0, -31.5, -0.25, 0.0, 0.99, 31.99, 32.0, np.inf])
    assert zone_bin(d).tolist() == [0, 0, 31, 32, 32, 63, -1, -1]


@pytest.fixture
def ramp_sample():
    """A right-lateral 1 px offset spread linearly over 10 columns around the vertical trace
    x = 31.5 of a 64 px tile, with an elastic tilt; the trace runs south."""
    size = 64
    cols = np.arange(size) + 0.5 - size / 2  # signed distance east of the trace
    truth = np.zeros((2, size, size))
    truth[1] = (np.clip(cols / 10, -0.5, 0.5) + 0.002 * cols)[None, :] * -1.0
    trace = np.array([[31.5, -5.0], [31.5, size + 5.0]])
    return truth, np.ones((size, size)), trace


def test_the_metrics_keep_the_stacked_profiles(ramp_sample):
    truth, valid, trace = ramp_sample
    sharp = truth.copy()
    sharp[1] = np.where(np.arange(64) < 32, 0.5, -0.5)[None, :] - 0.002 * (np.arange(64) - 31.5)
    stats = error_statistics(sharp, truth, valid, trace)
    zone = stats.metrics()["zone"]
    assert zone["true_apparent_width_px"] == pytest.approx(8.0)
    assert zone["apparent_width_px"] == pytest.approx(0.8)
    assert sum(zone["count"]) == 64 * 64
    # Oriented by the true offset: the stacked profile rises across the trace.
    assert zone["true"][0] < 0 < zone["true"][-1]
    zero = error_statistics(np.zeros_like(truth), truth, valid, trace).metrics()["zone"]
    assert math.isnan(zero["apparent_width_px"])
    doubled = stats + stats
    assert np.array_equal(doubled.zone.count, 2 * stats.zone.count)
    assert ZoneProfile.from_record(stats.zone.record()).true.tolist() == stats.zone.true.tolist()


def test_the_profile_is_oriented_by_its_own_offset_where_no_offset_is_read(ramp_sample):
    """The trace reversed and the columns where the offset would be read invalid: the fault
    offset has no point, yet the stacked profile still rises across the trace."""
    truth, valid, trace = ramp_sample
    valid = valid.copy()
    valid[:, :13] = 0  # the offset is read at column 31.5 - 20
    stats = error_statistics(truth, truth, valid, trace[::-1], offset_px=20.0)
    assert stats.offset_count == 0
    zone = stats.metrics()["zone"]
    assert zone["true"][20] < 0 < zone["true"][-1]  # d = -11.5 and 31.5 px
    assert zone["true_apparent_width_px"] == pytest.approx(8.0, abs=0.5)


def test_the_fault_offset_is_read_outside_the_zone(ramp_sample):
    truth, valid, trace = ramp_sample
    inside = error_statistics(truth, truth, valid, trace, offset_px=3.0)
    outside = error_statistics(truth, truth, valid, trace, offset_distance_px(10.0))
    per_point = [s.offset_true / s.offset_count for s in (inside, outside)]
    assert per_point[0] == pytest.approx(0.6 + 0.012)  # 60 % of the ramp, and the tilt
    assert per_point[1] == pytest.approx(1.0 + 0.052)  # all of it, 13 px either side
