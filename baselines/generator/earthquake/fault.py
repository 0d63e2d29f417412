"""Fault geometry: the fault's frame in map coordinates and its rough self-affine surface.

Map coordinates are local east, north, up in metres with the origin at the tile centre and the
half-space below ``up = 0``. A point of the fault is named by ``(s, w)``: ``s`` along strike from
the fault centre and ``w`` down dip from the surface, both in metres. Roughness displaces the
mean plane horizontally, perpendicular to strike, so the top edge stays exactly at the surface.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import RegularGridInterpolator

from baselines.generator.earthquake.random_fields import fault_plane_field, self_affine_spectrum
from baselines.generator.earthquake.scenario import Scenario


@dataclass(frozen=True)
class FaultFrame:
    """Position and orientation of a fault's mean plane.

    Attributes
    ----------
    origin_m : numpy.ndarray
        ``(east, north)`` of the fault centre on the mean surface trace, metres.
    strike_deg : float
        Clockwise from north; the fault dips to the right of strike.
    dip_deg : float
        Dip of the mean plane from horizontal.
    """

    origin_m: np.ndarray
    strike_deg: float
    dip_deg: float

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> FaultFrame:
        """The frame of a scenario, placed relative to the tile centre."""
        frame = cls(np.zeros(2), scenario.strike_deg, scenario.dip_deg)
        origin = (
            1e3 * scenario.along_strike_offset_km * frame.strike_vector[:2]
            + 1e3 * scenario.across_strike_offset_km * frame.right_vector[:2]
        )
        return cls(origin, scenario.strike_deg, scenario.dip_deg)

    @property
    def strike_vector(self) -> np.ndarray:
        """Unit vector along strike (east, north, up)."""
        theta = np.radians(self.strike_deg)
        return np.array([np.sin(theta), np.cos(theta), 0.0])

    @property
    def right_vector(self) -> np.ndarray:
        """Horizontal unit vector to the right of strike: the dip direction."""
        theta = np.radians(self.strike_deg)
        return np.array([np.cos(theta), -np.sin(theta), 0.0])

    @property
    def dip_vector(self) -> np.ndarray:
        """Unit vector down the dip of the mean plane."""
        delta = np.radians(self.dip_deg)
        return np.cos(delta) * self.right_vector - np.array([0.0, 0.0, np.sin(delta)])

    @property
    def hanging_wall_normal(self) -> np.ndarray:
        """Unit normal of the mean plane pointing into the hanging wall (above the fault)."""
        return np.cross(self.dip_vector, self.strike_vector)

    def slip_vector(self, rake_deg: float) -> np.ndarray:
        """Unit slip of the hanging wall relative to the footwall (Aki & Richards rake)."""
        lam = np.radians(rake_deg)
        return np.cos(lam) * self.strike_vector - np.sin(lam) * self.dip_vector

    def to_fault(self, east_m: np.ndarray, north_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Map points to ``(s, n)``: along strike and horizontally right of the mean trace."""
        de, dn = east_m - self.origin_m[0], north_m - self.origin_m[1]
        s = de * self.strike_vector[0] + dn * self.strike_vector[1]
        n = de * self.right_vector[0] + dn * self.right_vector[1]
        return s, n

    def to_map(self, s_m: np.ndarray, w_m: np.ndarray, n_m: np.ndarray) -> np.ndarray:
        """Points ``(s, w)`` of the mean plane displaced by ``n`` right of it, as ``[..., 3]``."""
        origin = np.array([self.origin_m[0], self.origin_m[1], 0.0])
        return (
            origin
            + np.asarray(s_m)[..., None] * self.strike_vector
            + np.asarray(w_m)[..., None] * self.dip_vector
            + np.asarray(n_m)[..., None] * self.right_vector
        )


def rough_surface(
    length_m: float,
    width_m: float,
    hurst: float,
    roughness_ratio: float,
    spacing_m: float,
    rng: np.random.Generator,
) -> RegularGridInterpolator:
    """A self-affine fault surface: horizontal offset ``n(s, w)`` from the mean plane, metres.

    Parameters
    ----------
    length_m, width_m : float
        Extent of the fault along strike and down dip; ``s`` spans ``[-L/2, L/2]``.
    hurst : float
        Hurst exponent H: profile spectra decay as ``k^-(1 + 2H)`` (Candela et al. 2012).
    roughness_ratio : float
        Rms departure of the surface trace from its mean line, divided by ``length_m``.
    spacing_m : float
        Grid spacing of the synthesis; roughness at shorter wavelengths is left out.
    rng : numpy.random.Generator

    Returns
    -------
    scipy.interpolate.RegularGridInterpolator
        Linear interpolant of ``n`` at ``(s, w)`` points. The trace ``n(s, 0)`` has zero mean
        and zero linear trend, so the mean trace is the line ``n = 0``.
    """
    s, w, field = fault_plane_field(length_m, width_m, spacing_m, self_affine_spectrum(hurst), rng)
    surface = int(np.argmin(np.abs(w)))
    trace = field[:, surface]
    on_fault = (s >= -length_m / 2) & (s <= length_m / 2)
    trend = np.polyfit(s[on_fault], trace[on_fault], 1)
    field -= np.polyval(trend, s)[:, None]
    rms = np.sqrt(np.mean(field[on_fault, surface] ** 2))
    field *= roughness_ratio * length_m / rms
    return RegularGridInterpolator((s, w), field, bounds_error=True)
