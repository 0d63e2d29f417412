"""Fault zones of finite width: part of the surface offset spread as distributed shear.

An elastic dislocation puts the whole surface slip into a step on the trace. Real strike-slip
ruptures spread part of it over a zone: subpixel correlation of air photos found 46 ± 10 % of
the 1992 Mw 7.3 Landers and 39 ± 22 % of the 1999 Mw 7.1 Hector Mine surface deformation off
the main strand, over zones averaging 154 m and 121 m (Milliner et al. 2016, GRL), and 34 %
and 56 % for the 2019 Ridgecrest Mw 7.1 and Mw 6.4 ruptures (Milliner et al. 2021, JGR Solid
Earth); along simple stretches of the 2013 Mw 7.7 Balochistan rupture nearly none was, at its
geometric complexities much more. Field maps of the main rupture zone are narrower: the Fault
Displacement Hazard Initiative database's strike-slip sites give a median width of 28 m
(10 % to 90 %: 3 m to 190 m; Sarmiento et al. 2021).

Each scenario draws (:func:`~baselines.generator.earthquake.scenario.sample_fault_zone`):

* ``main_strand_fraction`` ``f``: 1 (a wholly localized rupture) with probability 0.1, else
  ``Beta(3.5, 3.1)`` (mean 0.53, standard deviation 0.18), so that the mean is 0.58 and about
  6 % of ruptures keep less than a quarter of their offset on the main strand;
* ``fault_zone_width_m`` ``w``: 0 for a localized rupture, else log-normal with a median of
  110 m and a log standard deviation of 0.7 (mean 140 m, between the two optical averages;
  10 % below 45 m, 1 % below 22 m, reaching the field widths), capped at 500 m.

Inside the zone, ``|d| < w / 2`` from the trace, the step ``H`` of the elastic field is
replaced by ``f H + (1 - f) F``:

* ``H(d) = sign(d) / 2`` times the jump ``J`` across the trace, the surface slip of the
  elements along it (hanging wall, on the positive side, relative to the footwall);
* ``F(d) = sin(pi d / w) / 2`` times ``J``, a smooth step: its shear strain peaks on the main
  strand and falls to zero at the zone's edges, where the field joins the elastic one without
  a kink. Off-fault strain maps show distributed shear concentrated next to the principal
  rupture and fading away from it; a linear ramp would spread it evenly and end it abruptly.

So the field gains ``(1 - f) J (F - H)``, which is zero beyond ``w / 2`` (the field there is
the elastic one, bit for bit) and leaves a step ``f J`` on the trace. The surface slip steps
at each vertex of the trace, from one element to the next; ``J`` is therefore averaged along
strike over a length ``BLEND_PER_DISTANCE`` times the distance from the trace, which vanishes
on the trace (the jump there is the local slip) and grows away from it, so the correction
has no seam at a vertex. The distance is the signed Euclidean distance to the stored rupture
polyline (:func:`quakebench.trace.signed_distance_to_polyline`), the one the metrics bin by.
"""

from __future__ import annotations

import numpy as np

from baselines.generator.earthquake.pixels import pixel_to_map_m
from baselines.generator.earthquake.rupture import Rupture
from quakebench.trace import pixels_near_polyline

BLEND_PER_DISTANCE = 2.0
"""The surface slip is averaged along strike over this many times the distance to the trace."""


def surface_slip_en_m(rupture: Rupture) -> tuple[np.ndarray, np.ndarray]:
    """The surface slip along the trace: ``(vertex_s_m [K], slip_en_m [K - 1, 2])``.

    ``vertex_s_m`` are the trace vertices' along-strike coordinates, increasing; segment ``k``
    (between vertices ``k`` and ``k + 1``) is the top edge of one element, whose horizontal
    slip (east, north; hanging wall relative to footwall) it carries.
    """
    surface = rupture.surface_nodes
    rank = np.full(len(rupture.nodes_sw_m), -1)
    rank[surface] = np.arange(surface.size)
    ranks = rank[rupture.triangles]
    on_surface = (ranks >= 0).sum(axis=1) == 2
    edge = np.sort(ranks[on_surface], axis=1)[:, 1:]  # the two surface ranks, in order
    slip = np.zeros((surface.size - 1, 2))
    slip[edge[:, 0]] = rupture.slip_vector_m[on_surface, :2]
    return rupture.nodes_sw_m[surface, 0], slip


def blended_slip_m(
    s_m: np.ndarray, length_m: np.ndarray, vertex_s_m: np.ndarray, slip_m: np.ndarray
) -> np.ndarray:
    """``[N, 2]`` mean of the piecewise-constant slip over ``[s - length / 2, s + length / 2]``.

    Beyond the trace's ends the slip of its end segments continues; a zero length gives the
    slip of the segment holding ``s``.
    """
    steps = np.diff(vertex_s_m)
    cumulative = np.concatenate([np.zeros((1, 2)), np.cumsum(slip_m * steps[:, None], axis=0)])

    def integral(s: np.ndarray) -> np.ndarray:
        inside = np.clip(s, vertex_s_m[0], vertex_s_m[-1])
        out = np.stack([np.interp(inside, vertex_s_m, c) for c in cumulative.T], axis=1)
        out += np.minimum(s - vertex_s_m[0], 0.0)[:, None] * slip_m[0]
        out += np.maximum(s - vertex_s_m[-1], 0.0)[:, None] * slip_m[-1]
        return out

    def segment(s: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(vertex_s_m, s, side="right") - 1, 0, len(slip_m) - 1)

    low, high = s_m - length_m / 2, s_m + length_m / 2
    out = slip_m[segment(s_m)]
    # Within one segment the mean is its slip: no difference of nearly equal integrals.
    spans = np.flatnonzero(segment(low) != segment(high))
    mean = integral(high[spans]) - integral(low[spans])
    out[spans] = mean / length_m[spans, None]
    return out


def zone_profile(distance_m: np.ndarray, width_m: float) -> np.ndarray:
    """``F(d) - H(d)`` inside the zone (``|d| < w / 2``): what the jump ``J`` is multiplied by,
    per unit of distributed fraction, to turn the step into the smooth step."""
    return 0.5 * np.sin(np.pi * distance_m / width_m) - 0.5 * np.sign(distance_m)


def zone_correction_m(
    distance_m: np.ndarray,
    s_m: np.ndarray,
    vertex_s_m: np.ndarray,
    slip_m: np.ndarray,
    main_strand_fraction: float,
    width_m: float,
) -> np.ndarray:
    """``[N, 2]`` what the zone adds to the elastic field (east, north), metres.

    Parameters
    ----------
    distance_m, s_m : numpy.ndarray
        ``[N]`` signed distance to the trace and along-strike coordinate of the points.
    vertex_s_m, slip_m : numpy.ndarray
        The surface slip along the trace (:func:`surface_slip_en_m`).
    main_strand_fraction, width_m : float
        ``f`` and ``w``.
    """
    correction = np.zeros((len(distance_m), 2))
    inside = np.flatnonzero(np.abs(distance_m) < width_m / 2)
    if main_strand_fraction >= 1.0 or inside.size == 0:
        return correction
    d = distance_m[inside]
    jump = blended_slip_m(s_m[inside], BLEND_PER_DISTANCE * np.abs(d), vertex_s_m, slip_m)
    scale = (1.0 - main_strand_fraction) * zone_profile(d, width_m)
    correction[inside] = scale[:, None] * jump
    return correction


def apply_fault_zone(
    field_m: np.ndarray,
    rupture: Rupture,
    rupture_px: np.ndarray,
    main_strand_fraction: float,
    width_m: float,
    pixel_size_m: float,
) -> None:
    """Spread ``1 - f`` of the surface offset over the zone, in place (see the module's doc).

    Parameters
    ----------
    field_m : numpy.ndarray
        ``[3, S, S]`` elastic surface displacement (east, north, up), metres; only the
        horizontal components of the pixels within ``w / 2`` of the trace change.
    rupture : Rupture
        The rupture the field comes from.
    rupture_px : numpy.ndarray
        ``[K, 2]`` its trace in pixel coordinates, as the sample stores it.
    main_strand_fraction, width_m : float
        ``f`` and ``w``; nothing changes where ``f = 1`` or ``w = 0``.
    pixel_size_m : float
        Ground size of a pixel.
    """
    if main_strand_fraction >= 1.0 or width_m <= 0.0 or len(rupture_px) < 2:
        return
    size = field_m.shape[-1]
    row, col, signed_px = pixels_near_polyline((size, size), rupture_px, width_m / 2 / pixel_size_m)
    s_m, _ = rupture.frame.to_fault(*pixel_to_map_m(col, row, size, pixel_size_m))
    correction = zone_correction_m(
        signed_px * pixel_size_m,
        s_m,
        *surface_slip_en_m(rupture),
        main_strand_fraction,
        width_m,
    )
    field_m[0, row, col] += correction[:, 0]
    field_m[1, row, col] += correction[:, 1]
