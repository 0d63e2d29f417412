"""Random earthquake scenarios: magnitude, fault size and orientation, roughness and slip style.

A :class:`Scenario` holds every parameter that, with the seed, fixes one synthetic earthquake.
:func:`sample_scenario` draws one from the ranges of a :class:`ScenarioConfig`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from baselines.generator.earthquake import scaling
from quakebench.contract import MAGNITUDE_RANGE

FAULT_ZONE_STREAM = 3
"""The random stream of the fault zone (0: the scenario, 1: roughness, 2: slip): drawing the
zone changes no other draw."""


@dataclass(frozen=True)
class ScenarioConfig:
    """Ranges the scenarios are drawn from (uniform unless said otherwise).

    Attributes
    ----------
    magnitude_range : (float, float)
        Moment magnitude Mw.
    dip_range_deg : (float, float)
        Fault dip; the dip direction is random (through the strike, drawn over 360 degrees).
    max_obliquity_deg : float
        Rake departs from pure strike-slip (0 or 180 degrees) by up to this much.
    seismogenic_depth_range_km : (float, float)
        Thickness of the seismogenic crust; the rupture width saturates there.
    trace_hurst : float
        Hurst exponent of the self-affine fault surface and trace (Candela et al. 2012).
    roughness_ratio_range : (float, float)
        Rms departure of the trace from its mean line over the rupture length, divided by
        that length; drawn log-uniformly.
    slip_hurst_range : (float, float)
        Hurst exponent of the von Karman slip spectrum (Mai & Beroza 2002: about 0.7-0.8).
    slip_cv_range : (float, float)
        Coefficient of variation of slip before tapering.
    shallow_deficit_range : (float, float)
        Fraction of slip missing at the surface (shallow slip deficit).
    shallow_deficit_depth_range_km : (float, float)
        Depth above which the deficit acts, decreasing linearly to zero there.
    localized_probability : float
        Share of ruptures wholly localized on the main strand (no fault zone).
    main_strand_beta : (float, float)
        Beta distribution ``(a, b)`` of the main-strand fraction of the others.
    zone_width_median_m : float
        Median of the log-normal full width of their fault zones.
    zone_width_log_sigma : float
        Standard deviation of the natural log of that width.
    zone_width_max_m : float
        Widths are capped here.

    The fault-zone distributions and their sources are described in :mod:`fault_zone`.
    """

    magnitude_range: tuple[float, float] = MAGNITUDE_RANGE
    dip_range_deg: tuple[float, float] = (70.0, 90.0)
    max_obliquity_deg: float = 20.0
    seismogenic_depth_range_km: tuple[float, float] = (10.0, 20.0)
    trace_hurst: float = 0.8
    roughness_ratio_range: tuple[float, float] = (10**-2.5, 10**-2.0)
    slip_hurst_range: tuple[float, float] = (0.6, 0.9)
    slip_cv_range: tuple[float, float] = (0.3, 0.6)
    shallow_deficit_range: tuple[float, float] = (0.0, 0.4)
    shallow_deficit_depth_range_km: tuple[float, float] = (2.0, 4.0)
    localized_probability: float = 0.1
    main_strand_beta: tuple[float, float] = (3.5, 3.1)
    zone_width_median_m: float = 110.0
    zone_width_log_sigma: float = 0.7
    zone_width_max_m: float = 500.0


@dataclass(frozen=True)
class Scenario:
    """One earthquake: every drawn parameter (angles in degrees, lengths in km).

    ``strike_deg`` is clockwise from north with the fault dipping to its right (Aki &
    Richards); ``rake_deg`` near 180 is right-lateral, near 0 left-lateral. The fault's centre
    lies ``along_strike_offset_km`` along strike from the tile centre's projection, and the
    trace's mean line passes ``across_strike_offset_km`` to the right of the tile centre.
    A share ``main_strand_fraction`` of the surface offset is a step on the trace, the rest is
    spread over a fault zone ``fault_zone_width_m`` wide centred on it (:mod:`fault_zone`).
    """

    seed: int
    magnitude: float
    sense: str
    rake_deg: float
    strike_deg: float
    dip_deg: float
    seismogenic_depth_km: float
    length_km: float
    width_km: float
    along_strike_offset_km: float
    across_strike_offset_km: float
    trace_hurst: float
    roughness_ratio: float
    slip_hurst: float
    slip_correlation_strike_km: float
    slip_correlation_dip_km: float
    slip_cv: float
    shallow_deficit: float
    shallow_deficit_depth_km: float
    main_strand_fraction: float
    fault_zone_width_m: float

    @property
    def moment_nm(self) -> float:
        """Seismic moment, N m."""
        return float(scaling.seismic_moment_nm(self.magnitude))

    def to_dict(self) -> dict:
        """The parameters as a JSON-ready dict (with the moment)."""
        return {**dataclasses.asdict(self), "moment_nm": self.moment_nm}


def slip_correlation_lengths_km(magnitude: float) -> tuple[float, float]:
    """Von Karman correlation lengths (along strike, down dip), km, from Mw.

    Mai & Beroza (2002) scaling: ``a_strike = 10^(0.5 Mw - 2.5)``, ``a_dip = 10^(Mw/3 - 1.5)``.
    """
    return 10.0 ** (0.5 * magnitude - 2.5), 10.0 ** (magnitude / 3.0 - 1.5)


def sample_fault_zone(seed: int, config: ScenarioConfig | None = None) -> tuple[float, float]:
    """Draw ``(main_strand_fraction, fault_zone_width_m)`` from the seed's own stream.

    With probability ``localized_probability`` the rupture is wholly localized: ``(1, 0)``.
    Otherwise the fraction follows ``Beta(*main_strand_beta)`` and the width is log-normal
    (``zone_width_median_m``, ``zone_width_log_sigma``), capped at ``zone_width_max_m``. All
    three draws are made every time, so each is the same whatever the others give.
    """
    config = config or ScenarioConfig()
    rng = np.random.default_rng(np.random.SeedSequence([seed, FAULT_ZONE_STREAM]))
    localized = rng.uniform() < config.localized_probability
    fraction = float(rng.beta(*config.main_strand_beta))
    width = config.zone_width_median_m * math.exp(config.zone_width_log_sigma * rng.normal())
    if localized:
        return 1.0, 0.0
    return fraction, min(width, config.zone_width_max_m)


def sample_scenario(
    seed: int,
    tile_size_km: float,
    config: ScenarioConfig | None = None,
) -> Scenario:
    """Draw one scenario whose rupture crosses a square tile.

    Parameters
    ----------
    seed : int
        Non-negative seed; the same seed always gives the same scenario.
    tile_size_km : float
        Side of the tile the rupture must cross (pixel size times pixel count).
    config : ScenarioConfig, optional
        Parameter ranges; the defaults follow the seed paper.

    Returns
    -------
    Scenario
    """
    config = config or ScenarioConfig()
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    uniform = rng.uniform

    magnitude = uniform(*config.magnitude_range)
    dip = uniform(*config.dip_range_deg)
    depth = uniform(*config.seismogenic_depth_range_km)
    right_lateral = bool(rng.integers(2))
    obliquity = uniform(-config.max_obliquity_deg, config.max_obliquity_deg)
    rake = (180.0 if right_lateral else 0.0) + obliquity
    length = scaling.rupture_length_km(magnitude, scatter=rng.standard_normal())
    width = scaling.rupture_width_km(magnitude, depth, dip, scatter=rng.standard_normal())
    half_diagonal = tile_size_km / np.sqrt(2.0)
    along = uniform(-1.0, 1.0) * max(0.0, length / 2 - half_diagonal)
    across = uniform(-0.25, 0.25) * tile_size_km
    log_ratio = uniform(*(math.log10(r) for r in config.roughness_ratio_range))
    corr_strike, corr_dip = slip_correlation_lengths_km(magnitude)
    main_strand_fraction, fault_zone_width_m = sample_fault_zone(seed, config)

    return Scenario(
        seed=int(seed),
        magnitude=float(magnitude),
        sense="right-lateral" if right_lateral else "left-lateral",
        rake_deg=float(rake % 360.0),
        strike_deg=float(uniform(0.0, 360.0)),
        dip_deg=float(dip),
        seismogenic_depth_km=float(depth),
        length_km=length,
        width_km=width,
        along_strike_offset_km=float(along),
        across_strike_offset_km=float(across),
        trace_hurst=config.trace_hurst,
        roughness_ratio=float(10**log_ratio),
        slip_hurst=float(uniform(*config.slip_hurst_range)),
        slip_correlation_strike_km=float(corr_strike),
        slip_correlation_dip_km=float(corr_dip),
        slip_cv=float(uniform(*config.slip_cv_range)),
        shallow_deficit=float(uniform(*config.shallow_deficit_range)),
        shallow_deficit_depth_km=float(uniform(*config.shallow_deficit_depth_range_km)),
        main_strand_fraction=main_strand_fraction,
        fault_zone_width_m=fault_zone_width_m,
    )
