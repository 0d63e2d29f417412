"""Fractal slip on the fault: a von Karman random field, tapered, scaled to the seismic moment.

References
----------
.. [1] Mai, P. M. & Beroza, G. C. (2002). A spatial random field model to characterize
       complexity in earthquake slip. JGR 107(B11), 2308. https://doi.org/10.1029/2001JB000588
.. [2] Fialko, Y. et al. (2005). Three-dimensional deformation caused by the Bam, Iran,
       earthquake and the origin of shallow slip deficit. Nature 435, 295-299.
       https://doi.org/10.1038/nature03425
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import RegularGridInterpolator

from baselines.generator.earthquake.random_fields import fault_plane_field, von_karman_spectrum
from baselines.generator.earthquake.scaling import SHEAR_MODULUS_PA
from baselines.generator.earthquake.scenario import Scenario

TIP_TAPER_FRACTION = 0.15
"""Slip tapers to zero over this fraction of the length at each along-strike tip."""

BOTTOM_TAPER_FRACTION = 0.3
"""Slip tapers to zero over this fraction of the width at the bottom of the rupture."""


def cosine_taper(distance_m: np.ndarray, taper_m: float) -> np.ndarray:
    """1 beyond ``taper_m`` from an edge, falling as a half cosine to 0 at the edge."""
    x = np.clip(np.asarray(distance_m) / taper_m, 0.0, 1.0)
    return 0.5 * (1.0 - np.cos(np.pi * x))


def shallow_deficit_factor(
    depth_m: np.ndarray, deficit: float, deficit_depth_m: float
) -> np.ndarray:
    """Slip factor: ``1 - deficit`` at the surface, rising linearly to 1 at ``deficit_depth_m``."""
    return 1.0 - deficit * np.clip(1.0 - np.asarray(depth_m) / deficit_depth_m, 0.0, 1.0)


def slip_pattern(
    scenario: Scenario, spacing_m: float, rng: np.random.Generator
) -> RegularGridInterpolator:
    """Relative slip (arbitrary scale, non-negative) over the fault's ``(s, w)`` plane.

    ``1 + cv * g`` for a unit von Karman field ``g`` (clipped at 0), times cosine tapers at the
    tips and the bottom, times the shallow slip deficit. The top is not tapered: the rupture
    reaches the surface with ``1 - deficit`` of the slip just below it.
    """
    length_m, width_m = 1e3 * scenario.length_km, 1e3 * scenario.width_km
    spectrum = von_karman_spectrum(
        (1e3 * scenario.slip_correlation_strike_km, 1e3 * scenario.slip_correlation_dip_km),
        scenario.slip_hurst,
    )
    s, w, field = fault_plane_field(length_m, width_m, spacing_m, spectrum, rng)
    slip = np.clip(1.0 + scenario.slip_cv * field, 0.0, None)
    tip_distance = np.clip(length_m / 2 - np.abs(s), 0.0, None)
    slip *= cosine_taper(tip_distance, TIP_TAPER_FRACTION * length_m)[:, None]
    slip *= cosine_taper(np.clip(width_m - w, 0.0, None), BOTTOM_TAPER_FRACTION * width_m)[None, :]
    depth = w * np.sin(np.radians(scenario.dip_deg))
    deficit = shallow_deficit_factor(
        depth, scenario.shallow_deficit, 1e3 * scenario.shallow_deficit_depth_km
    )
    slip *= deficit[None, :]
    return RegularGridInterpolator((s, w), slip, bounds_error=True)


def scale_to_moment(
    relative_slip: np.ndarray, areas_m2: np.ndarray, moment_nm: float
) -> np.ndarray:
    """Slip in metres with ``mu * sum(area * slip) = moment_nm`` (mu = 30 GPa).

    Raises
    ------
    ValueError
        If the relative slip is zero everywhere.
    """
    potency = float(np.sum(areas_m2 * relative_slip))
    if potency <= 0.0:
        raise ValueError("slip pattern is zero everywhere: cannot release any moment")
    return relative_slip * (moment_nm / (SHEAR_MODULUS_PA * potency))
