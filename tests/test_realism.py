"""Realism: source scaling, slip spectra and trace roughness come out as the literature says.

References: Wells & Coppersmith (1994) strike-slip regressions; Leonard (2010) width
saturation; Mai & Beroza (2002) von Karman slip; Candela et al. (2012) self-affine roughness.
"""

from __future__ import annotations

import numpy as np
import pytest

from baselines.generator.earthquake import scaling
from baselines.generator.earthquake.fault import rough_surface
from baselines.generator.earthquake.random_fields import fault_plane_field, von_karman_spectrum
from baselines.generator.earthquake.rupture import build_rupture
from baselines.generator.earthquake.scenario import ScenarioConfig, sample_scenario
from baselines.generator.earthquake.slip import cosine_taper, shallow_deficit_factor

TILE_KM = 15.36


@pytest.fixture(scope="module")
def scenarios():
    return [sample_scenario(seed, TILE_KM) for seed in range(400)]


def fitted_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Slope, intercept and residual standard deviation of a least-squares line."""
    slope, intercept = np.polyfit(x, y, 1)
    return slope, intercept, float(np.std(y - (slope * x + intercept)))


def test_rupture_length_follows_wells_coppersmith(scenarios):
    magnitude = np.array([s.magnitude for s in scenarios])
    log_length = np.log10([s.length_km for s in scenarios])
    slope, intercept, scatter = fitted_line(magnitude, log_length)
    assert slope == pytest.approx(0.62, abs=0.05)
    assert 10 ** (intercept + 7 * slope) == pytest.approx(10 ** (-2.57 + 0.62 * 7), rel=0.1)
    assert scatter == pytest.approx(0.15, abs=0.03)


def test_width_saturates_at_seismogenic_depth(scenarios):
    width = np.array([s.width_km for s in scenarios])
    limit = np.array([s.seismogenic_depth_km / np.sin(np.radians(s.dip_deg)) for s in scenarios])
    magnitude = np.array([s.magnitude for s in scenarios])
    assert np.all(width <= limit + 1e-9)
    saturated = np.isclose(width, limit)
    small = magnitude < 6.3
    # Most large ruptures span the seismogenic crust; almost no small one does.
    assert np.mean(saturated[magnitude >= 7.5]) >= 0.7
    assert np.mean(saturated[small]) <= 0.1
    residual = np.log10(width[small]) - (-0.76 + 0.27 * magnitude[small])
    assert np.median(residual) == pytest.approx(0.0, abs=0.05)


def test_scenario_ranges(scenarios):
    config = ScenarioConfig()
    for s in scenarios:
        assert config.magnitude_range[0] <= s.magnitude <= config.magnitude_range[1]
        assert config.dip_range_deg[0] <= s.dip_deg <= config.dip_range_deg[1]
        pure = 180.0 if s.sense == "right-lateral" else 0.0
        obliquity = (s.rake_deg - pure + 180.0) % 360.0 - 180.0
        assert abs(obliquity) <= config.max_obliquity_deg
        assert 0.0 <= s.shallow_deficit <= 0.4
    senses = [s.sense for s in scenarios]
    assert 0.4 < senses.count("right-lateral") / len(senses) < 0.6


def test_moment_and_slip_are_consistent():
    mean_slip_over_length = []
    for seed in range(12):
        scenario = sample_scenario(seed, TILE_KM)
        rupture = build_rupture(scenario, TILE_KM * 1e3)
        moment = rupture.moment_nm(scaling.SHEAR_MODULUS_PA)
        assert moment == pytest.approx(scenario.moment_nm, rel=1e-9)
        assert rupture.slip_m.min() >= 0.0
        mean_slip = np.average(rupture.slip_m, weights=rupture.areas_m2)
        mean_slip_over_length.append(mean_slip / (1e3 * scenario.length_km))
        # Rupture reaches the surface; slip vanishes at the tips and the bottom.
        z_top = rupture.triangles_m[:, :, 2].max(axis=1)
        assert rupture.slip_m[z_top == 0.0].max() > 0.3 * mean_slip
        # Elements touching the tips or the bottom carry much less than the mean slip.
        vertices_sw = rupture.nodes_sw_m[rupture.triangles]
        at_tip = np.abs(vertices_sw[:, :, 0]).max(axis=1) >= 500 * scenario.length_km - 1e-6
        at_bottom = vertices_sw[:, :, 1].max(axis=1) >= 1e3 * scenario.width_km - 1e-6
        for edge in (at_tip, at_bottom):
            edge_slip = np.average(rupture.slip_m[edge], weights=rupture.areas_m2[edge])
            assert edge_slip < 0.5 * mean_slip
    # Strike-slip earthquakes release mean slip of a few 1e-5 of their length.
    assert 1e-5 < np.median(mean_slip_over_length) < 1e-4


def test_tapers():
    assert cosine_taper(np.array([0.0, 50.0, 100.0, 500.0]), 100.0) == pytest.approx([0, 0.5, 1, 1])
    factor = shallow_deficit_factor(np.array([0.0, 1000.0, 2000.0, 5000.0]), 0.3, 2000.0)
    assert factor == pytest.approx([0.7, 0.85, 1.0, 1.0])


def one_sided_psd(profiles: np.ndarray, spacing_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Angular wavenumbers and mean power spectrum of the rows of ``profiles``."""
    detrended = profiles - profiles.mean(axis=1, keepdims=True)
    window = np.hanning(profiles.shape[1])
    power = np.mean(np.abs(np.fft.rfft(detrended * window, axis=1)) ** 2, axis=0)
    k = 2 * np.pi * np.fft.rfftfreq(profiles.shape[1], d=spacing_m)
    return k[1:], power[1:]


def test_slip_spectrum_is_von_karman():
    hurst, corner_m, spacing_m = 0.75, 2000.0, 100.0
    spectrum = von_karman_spectrum((corner_m, corner_m), hurst)
    rng = np.random.default_rng(0)
    profiles = np.concatenate(
        [fault_plane_field(200e3, 20e3, spacing_m, spectrum, rng)[2].T for _ in range(4)]
    )
    k, power = one_sided_psd(profiles, spacing_m)
    high = (k * corner_m > 5) & (k * corner_m < 40)
    slope = np.polyfit(np.log(k[high]), np.log(power[high]), 1)[0]
    assert slope == pytest.approx(-(2 * hurst + 1), abs=0.15)  # 1-D marginal of k^-(2H+2)
    low = k * corner_m < 0.2
    assert power[low].max() / power[low].min() < 3.0  # flat below the corner


def test_trace_is_self_affine():
    spacing_m = 100.0
    profiles = []
    for seed in range(30):
        surface = rough_surface(100e3, 15e3, 0.8, 0.005, spacing_m, np.random.default_rng(seed))
        s = np.arange(-50e3, 50e3, spacing_m)
        trace = surface(np.column_stack([s, np.zeros_like(s)]))
        assert np.sqrt(np.mean(trace**2)) == pytest.approx(0.005 * 100e3, rel=0.02)
        profiles.append(trace)
    k, power = one_sided_psd(np.array(profiles), spacing_m)
    band = (k > 2 * np.pi / 20e3) & (k < 2 * np.pi / 500.0)
    slope = np.polyfit(np.log(k[band]), np.log(power[band]), 1)[0]
    assert (-slope - 1) / 2 == pytest.approx(0.8, abs=0.1)
