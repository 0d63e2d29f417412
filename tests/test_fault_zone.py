"""Fault zones: the jump is the surface slip, the zone's profile, no seams, the distributions,
and the zero-width case bit for bit as generator 0.6.0 rendered the stored samples."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from baselines.generator.earthquake.fault_zone import (
    BLEND_PER_DISTANCE,
    surface_slip_en_m,
    zone_correction_m,
    zone_profile,
)
from baselines.generator.earthquake.rupture import build_rupture
from baselines.generator.earthquake.scenario import (
    ScenarioConfig,
    sample_fault_zone,
    sample_scenario,
)
from baselines.generator.earthquake.simulate import simulate
from baselines.generator.earthquake.tde import surface_displacement_m
from baselines.generator.samples import sample as sample_module
from baselines.generator.samples.source import generator_source
from quakebench.config import BuildConfig
from quakebench.contract import DATASETS, parse_sample_id
from quakebench.data.content import field_digest
from quakebench.trace import signed_distance_to_polyline

DIGESTS_0_6_0 = Path(__file__).parent / "data" / "generator-0.6.0-mini-digests.json"
TILE_M = 128 * 15.0


@pytest.fixture(scope="module")
def rupture():
    scenario = sample_scenario(7, TILE_M / 1e3)
    return build_rupture(scenario, TILE_M)


def test_the_jump_across_the_trace_is_the_surface_slip(rupture):
    """The elastic field (cutde, 1 m either side of each segment's middle) jumps by the slip
    the zone redistributes."""
    vertex_s, slip = surface_slip_en_m(rupture)
    trace = rupture.trace_m
    middle = (trace[1:] + trace[:-1]) / 2
    right = rupture.frame.right_vector[:2]
    sides = [
        surface_displacement_m(*(middle + sign * right).T, rupture.triangles_m, rupture.slip_tde_m)
        for sign in (1.0, -1.0)
    ]
    jump = (sides[0] - sides[1])[:, :2]
    assert np.all(np.diff(vertex_s) > 0)
    np.testing.assert_allclose(jump, slip, atol=2e-3 * np.abs(slip).max())


def test_the_zone_leaves_a_step_f_j_and_adds_nothing_beyond_it(rupture):
    vertex_s, slip = surface_slip_en_m(rupture)
    k = len(slip) // 2
    s = np.full(3, (vertex_s[k] + vertex_s[k + 1]) / 2)
    f, w = 0.3, 120.0
    on_trace = zone_correction_m(np.array([-1e-9, 1e-9, 0.0]), s, vertex_s, slip, f, w)
    # The correction jumps by -(1 - f) J: the main strand keeps f of the slip.
    np.testing.assert_allclose(on_trace[1] - on_trace[0], -(1 - f) * slip[k], rtol=1e-9)
    beyond = zone_correction_m(np.array([-60.0, 60.0, 200.0]), s, vertex_s, slip, f, w)
    assert np.array_equal(beyond, np.zeros((3, 2)))


@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.8])
def test_the_profile_inside_the_zone_is_monotone(rupture, fraction):
    """Across the middle of a segment, ``f H + (1 - f) F`` rises monotonically from -J/2 to
    +J/2 (the blend length stays within the segment)."""
    vertex_s, slip = surface_slip_en_m(rupture)
    k = int(np.argmax(np.diff(vertex_s)))
    length = vertex_s[k + 1] - vertex_s[k]
    width = 0.9 * length / BLEND_PER_DISTANCE
    d = np.linspace(-width / 2, width / 2, 401)
    s = np.full(d.size, (vertex_s[k] + vertex_s[k + 1]) / 2)
    inelastic = 0.5 * np.sign(d)[:, None] * slip[k] + zone_correction_m(
        d, s, vertex_s, slip, fraction, width
    )
    along = inelastic @ slip[k] / (slip[k] @ slip[k])
    assert np.all(np.diff(along) >= -1e-12)
    assert along[0] == pytest.approx(-0.5) and along[-1] == pytest.approx(0.5)
    shape = zone_profile(d, width) + 0.5 * np.sign(d)  # F alone
    assert np.all(np.diff(shape) >= 0) and shape[0] == pytest.approx(-0.5)


def test_no_seam_at_a_trace_vertex(rupture):
    """Off the trace the correction is continuous across a vertex, where the slip steps."""
    vertex_s, slip = surface_slip_en_m(rupture)
    steps = np.linalg.norm(np.diff(slip, axis=0), axis=1)
    k = int(np.argmax(steps)) + 1  # the vertex with the largest step
    for distance in (-40.0, -5.0, 5.0, 40.0):
        s = vertex_s[k] + np.array([-1e-6, 1e-6])
        d = np.full(2, distance)
        across = zone_correction_m(d, s, vertex_s, slip, 0.0, 200.0)
        assert np.abs(across[1] - across[0]).max() < 1e-6 * steps[k - 1]
    assert steps.max() > 0


@pytest.fixture(scope="module")
def zoned_and_sharp():
    """Seed 7 at 128 px with its fault zone, and with every rupture localized."""
    sharp = simulate(7, 128, scenario_config=ScenarioConfig(localized_probability=1.0))
    return simulate(7, 128), sharp


def test_a_simulated_zone_changes_only_the_pixels_inside_it(zoned_and_sharp):
    zoned, sharp = zoned_and_sharp
    scenario = zoned.scenario
    assert 0 < scenario["main_strand_fraction"] < 1 and scenario["fault_zone_width_m"] > 0
    distance = signed_distance_to_polyline((128, 128), zoned.rupture_px)
    outside = np.abs(distance) >= scenario["fault_zone_width_m"] / 2 / scenario["pixel_size_m"]
    changed = np.any(zoned.displacement_px != sharp.displacement_px, axis=0)
    assert not changed[outside].any() and changed[~outside].mean() > 0.9
    assert np.array_equal(zoned.rupture_px, sharp.rupture_px)


def test_the_drawn_distributions_match_the_stated_ones():
    """100,000 scenario draws: each quantile within 3 % of the stated law's."""
    config = ScenarioConfig()
    draws = np.array([sample_fault_zone(seed, config) for seed in range(100_000)])
    fraction, width = draws.T
    p = config.localized_probability
    localized = fraction == 1.0
    assert np.array_equal(localized, width == 0.0)
    assert localized.mean() == pytest.approx(p, rel=0.03)
    a, b = config.main_strand_beta
    for q in (0.1, 0.25, 0.5, 0.75, 0.85):
        expected = stats.beta.ppf(q / (1 - p), a, b)  # the atom at 1 lies above these
        assert np.quantile(fraction, q) == pytest.approx(expected, rel=0.03)
    median, sigma = config.zone_width_median_m, config.zone_width_log_sigma

    def lognormal(x: float) -> float:
        return min(median * math.exp(sigma * stats.norm.ppf(x)), config.zone_width_max_m)

    for q in (0.25, 0.5, 0.75, 0.9):
        expected = lognormal((q - p) / (1 - p))  # the atom at 0 lies below these
        assert np.quantile(width, q) == pytest.approx(expected, rel=0.03)
    assert width.max() == config.zone_width_max_m
    assert np.mean(fraction) == pytest.approx(0.58, abs=0.01)


def test_drawing_the_zone_changes_no_other_draw():
    with_zone = dataclasses.asdict(sample_scenario(11, 15.0))
    without = dataclasses.asdict(
        sample_scenario(11, 15.0, ScenarioConfig(localized_probability=1.0))
    )
    for name in ("main_strand_fraction", "fault_zone_width_m"):
        with_zone.pop(name), without.pop(name)
    assert with_zone == without


@pytest.mark.slow
def test_zero_width_renders_the_stored_0_6_0_samples_bit_for_bit(monkeypatch):
    """With every rupture localized, the arrays of ``mini`` samples as generator 0.6.0
    rendered them (their digests kept beside the tests) come out identical."""
    localized = ScenarioConfig(localized_probability=1.0)
    monkeypatch.setattr(
        sample_module, "simulate", functools.partial(simulate, scenario_config=localized)
    )
    kept = json.loads(DIGESTS_0_6_0.read_text())
    for dataset in DATASETS:
        source = generator_source(BuildConfig(dataset, preset=kept["preset"], output=Path()))
        for sample_id, digests in kept["samples"].items():
            if sample_id.startswith(dataset):
                _, split, index = parse_sample_id(sample_id)
                sample = source.sample(split, index)
                rendered = {name: field_digest(name, sample[name]) for name in digests}
                assert rendered == digests, sample_id


def test_the_simulated_step_on_the_trace_keeps_the_main_strand_fraction(zoned_and_sharp):
    """On the pixels next to the trace, the zone keeps ``f`` of the elastic field's step, plus
    the smooth step's rise over that distance: the positive side is the one the slip moves."""
    zoned, sharp = zoned_and_sharp
    scenario = zoned.scenario
    f, width_px = (
        scenario["main_strand_fraction"],
        scenario["fault_zone_width_m"] / scenario["pixel_size_m"],
    )
    distance = signed_distance_to_polyline((128, 128), zoned.rupture_px)
    steps = []
    for field in (zoned.displacement_px, sharp.displacement_px):
        sides = [
            field[:, (distance > 0) & (distance < 1)],
            field[:, (distance < 0) & (distance > -1)],
        ]
        steps.append(sides[0].mean(axis=1) - sides[1].mean(axis=1))
    ratio = steps[0] @ steps[1] / (steps[1] @ steps[1])
    assert f < ratio < f + (1 - f) * math.sin(math.pi / width_px)
