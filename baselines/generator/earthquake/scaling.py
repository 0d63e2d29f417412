"""Source scaling of strike-slip earthquakes: magnitude, moment, rupture length and width.

References
----------
.. [1] Hanks, T. C. & Kanamori, H. (1979). A moment magnitude scale. JGR 84(B5), 2348-2350.
       https://doi.org/10.1029/JB084iB05p02348
.. [2] Wells, D. L. & Coppersmith, K. J. (1994). New empirical relationships among magnitude,
       rupture length, rupture width, rupture area, and surface displacement. BSSA 84(4),
       974-1002. Table 2A, strike-slip rows.
.. [3] Leonard, M. (2010). Earthquake fault scaling: self-consistent relating of rupture length,
       width, average displacement, and moment release. BSSA 100(5A), 1971-1988.
       https://doi.org/10.1785/0120090189 (width saturates at the seismogenic thickness).
"""

from __future__ import annotations

import math

import numpy as np

SHEAR_MODULUS_PA = 30e9
"""Crustal rigidity mu used in M0 = mu * A * mean slip."""

# Wells & Coppersmith (1994), strike-slip: log10(X_km) = a + b * Mw, scatter s (log10 units).
WC94_SUBSURFACE_LENGTH = (-2.57, 0.62, 0.15)
WC94_DOWNDIP_WIDTH = (-0.76, 0.27, 0.14)


def seismic_moment_nm(magnitude: float) -> float:
    """Seismic moment in N m from moment magnitude (Hanks & Kanamori 1979).

    Python floats, not NumPy arrays: the C library's ``pow`` gives the same bits on every
    processor (:mod:`portable_math`).
    """
    return 10.0 ** (1.5 * float(magnitude) + 9.1)


def moment_magnitude(moment_nm: float) -> float:
    """Moment magnitude from seismic moment in N m (inverse of :func:`seismic_moment_nm`)."""
    return (math.log10(float(moment_nm)) - 9.1) / 1.5


def rupture_length_km(magnitude: float, scatter: float = 0.0) -> float:
    """Subsurface rupture length of a strike-slip earthquake, km.

    Parameters
    ----------
    magnitude : float
        Moment magnitude Mw.
    scatter : float
        Number of standard deviations of the regression's log10 scatter to add.

    Returns
    -------
    float
        ``10 ** (-2.57 + 0.62 Mw + scatter * 0.15)`` (Wells & Coppersmith 1994, RLD, SS).
    """
    a, b, s = WC94_SUBSURFACE_LENGTH
    return float(10.0 ** (a + b * magnitude + scatter * s))


def rupture_width_km(
    magnitude: float, seismogenic_depth_km: float, dip_deg: float, scatter: float = 0.0
) -> float:
    """Down-dip rupture width of a strike-slip earthquake, km, saturated at the seismogenic depth.

    Parameters
    ----------
    magnitude : float
        Moment magnitude Mw.
    seismogenic_depth_km : float
        Thickness of the seismogenic crust; the rupture does not extend below it.
    dip_deg : float
        Fault dip, degrees.
    scatter : float
        Number of standard deviations of the regression's log10 scatter to add.

    Returns
    -------
    float
        ``min(10 ** (-0.76 + 0.27 Mw + scatter * 0.14), depth / sin(dip))``: Wells &
        Coppersmith (1994) RW for strike-slip, saturating as in Leonard (2010).
    """
    a, b, s = WC94_DOWNDIP_WIDTH
    unsaturated = 10.0 ** (a + b * magnitude + scatter * s)
    return float(min(unsaturated, seismogenic_depth_km / np.sin(np.radians(dip_deg))))
