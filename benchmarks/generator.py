"""Seconds per simulated field against a dense TDE evaluation, with the errors of the cut.

Run: ``python benchmarks/generator.py [--size 1024] [--seeds 0 1 2 3 4]``

For each seed it prints the time to mesh the fault, to run the TDE kernel, to grid the field
and to shape its fault zone (and that last as a share of the whole). The dense alternative
(every pixel against every triangle) is timed in the same run on a random sample of pixels and
projected to the whole tile; the speed-up compares seconds, not kernel evaluations, since the
treecode's evaluations at interpolation nodes stand for many pixels. The same direct values,
and a direct evaluation of every pixel within 2 px of the trace, give the largest error of
the field outside its fault zone, over its peak horizontal displacement; inside the zone the
direct values plus the zone's exact correction give the error there.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import time

import numpy as np
from scipy.spatial import cKDTree

from baselines.generator.earthquake.fault_zone import surface_slip_en_m, zone_correction_m
from baselines.generator.earthquake.pixels import pixel_centres_m
from baselines.generator.earthquake.rupture import build_rupture
from baselines.generator.earthquake.scenario import sample_scenario
from baselines.generator.earthquake.simulate import simulate
from baselines.generator.earthquake.tde import surface_displacement_m
from quakebench.trace import signed_distance_to_polyline

DENSE_SAMPLE_PIXELS = 2000
NEAR_TRACE_PX = 2.0
ERROR_GOAL = 1e-3


def near_trace(trace_px: np.ndarray, size: int, within_px: float) -> np.ndarray:
    """Flat indices of the pixels within ``within_px`` of a polyline ``[K, 2]`` of (col, row)."""
    dense = [
        np.linspace(a, b, max(int(np.ceil(np.linalg.norm(b - a) / 0.05)), 1) + 1)
        for a, b in itertools.pairwise(trace_px)
    ]
    distance, _ = cKDTree(np.concatenate(dense)).query(
        np.column_stack([g.ravel() for g in np.mgrid[0:size, 0:size][::-1]]),
        distance_upper_bound=within_px,
    )
    return np.flatnonzero(distance <= within_px)


def direct_px(
    seed: int, size: int, pixel_size_m: float, pixels: np.ndarray, distance_px: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal displacement ``[2, N]`` in pixels at flat pixel indices, every triangle, with
    the fault zone's exact correction added; and which of them lie outside the zone."""
    scenario = sample_scenario(seed, size * pixel_size_m / 1e3)
    rupture = build_rupture(scenario, size * pixel_size_m)
    east, north = (c.ravel()[pixels] for c in pixel_centres_m(size, pixel_size_m))
    values = surface_displacement_m(east, north, rupture.triangles_m, rupture.slip_tde_m)[:, :2]
    distance_m = distance_px.ravel()[pixels] * pixel_size_m
    s_m, _ = rupture.frame.to_fault(east, north)
    values += zone_correction_m(
        distance_m,
        s_m,
        *surface_slip_en_m(rupture),
        scenario.main_strand_fraction,
        scenario.fault_zone_width_m,
    )
    outside = np.abs(distance_m) >= scenario.fault_zone_width_m / 2
    return values.T / pixel_size_m, outside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--pixel-size", type=float, default=15.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    size = args.size

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"tile: {size} x {size} px of {args.pixel_size} m")
    print(
        f"{'seed':>4} {'Mw':>5} {'tris':>5} {'mesh s':>7} {'TDE s':>7} {'grid s':>7} "
        f"{'zone s':>7} {'zone %':>6} {'total s':>8} {'dense s':>8} {'speed-up':>8} "
        f"{'err sampled':>11} {'err d<=2':>9} {'err zone':>9} {'d<=2 px':>8}"
    )
    totals, speed_ups, errors, zone_shares = [], [], [], []
    for seed in args.seeds:
        start = time.perf_counter()
        simulation = simulate(seed, size, args.pixel_size)
        total = time.perf_counter() - start
        field = simulation.displacement_px.reshape(2, -1).astype(np.float64)
        peak = np.abs(field).max()

        distance = signed_distance_to_polyline((size, size), simulation.rupture_px)
        sampled = np.random.default_rng(seed).choice(size * size, DENSE_SAMPLE_PIXELS, False)
        start = time.perf_counter()
        sampled_direct, sampled_out = direct_px(seed, size, args.pixel_size, sampled, distance)
        dense_s = (time.perf_counter() - start) * size * size / DENSE_SAMPLE_PIXELS
        band = near_trace(simulation.rupture_px, size, NEAR_TRACE_PX)
        band_direct, band_out = direct_px(seed, size, args.pixel_size, band, distance)
        sampled_error = np.abs(field[:, sampled] - sampled_direct).max(axis=0) / peak
        band_error = np.abs(field[:, band] - band_direct).max(axis=0) / peak
        error_sampled = sampled_error[sampled_out].max(initial=0.0)
        error_band = band_error[band_out].max(initial=0.0)
        inside = np.concatenate([sampled_error[~sampled_out], band_error[~band_out]])
        error_zone = inside.max(initial=0.0)

        timings, scenario = simulation.timings_s, simulation.scenario
        totals.append(total)
        speed_ups.append(dense_s / total)
        errors.append(max(error_sampled, error_band))
        zone_shares.append(timings["fault_zone"] / total)
        print(
            f"{seed:>4} {scenario['magnitude']:>5.2f} {scenario['num_triangles']:>5} "
            f"{timings['mesh']:>7.2f} {timings['tde']:>7.2f} {timings['gridding']:>7.2f} "
            f"{timings['fault_zone']:>7.3f} {100 * zone_shares[-1]:>5.1f}% "
            f"{total:>8.2f} {dense_s:>8.0f} {dense_s / total:>7.0f}x {error_sampled:>11.1e} "
            f"{error_band:>9.1e} {error_zone:>9.1e} {band.size:>8}"
        )
    print(f"mean seconds per field: {np.mean(totals):.2f}")
    print(f"mean speed-up against the dense evaluation: {np.mean(speed_ups):.0f}x")
    print(f"fault zone: {100 * np.mean(zone_shares):.1f} % of a field on average")
    verdict = "within" if max(errors) <= ERROR_GOAL else "ABOVE"
    print(
        f"largest error over the peak outside the fault zones: {max(errors):.1e} "
        f"({verdict} the goal of {ERROR_GOAL:g})"
    )


if __name__ == "__main__":
    main()
